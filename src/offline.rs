//! The service-worker adapter: registers `sw.js`, which keeps the app's own
//! files so that it opens offline after the first visit.

use wasm_bindgen_futures::JsFuture;

/// Registers the service worker beside the page; failures (a browser
/// without service workers, a private window) only mean no offline use.
pub async fn register() -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let navigator = window.navigator();
    let has_sw = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    if !has_sw {
        return Err("this browser has no service workers".into());
    }
    JsFuture::from(navigator.service_worker().register("./sw.js"))
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

/// Deletes the service worker's caches of the app's files (they hold no
/// user data; the next visit online fills them again).
pub async fn clear_caches() -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let caches = window.caches().map_err(|e| format!("{e:?}"))?;
    let keys = JsFuture::from(caches.keys())
        .await
        .map_err(|e| format!("{e:?}"))?;
    for key in js_sys::Array::from(&keys).iter() {
        if let Some(name) = key.as_string().filter(|k| k.starts_with("seglens-")) {
            JsFuture::from(caches.delete(&name))
                .await
                .map_err(|e| format!("{e:?}"))?;
        }
    }
    Ok(())
}
