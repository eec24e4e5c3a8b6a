//! The storage-quota adapter: how much this site stores, how much the
//! browser allows, and whether the browser may clear it under pressure.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// What the browser says of this site's storage.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StorageInfo {
    /// Bytes used by this site.
    pub usage: Option<f64>,
    /// Bytes the browser allows this site.
    pub quota: Option<f64>,
    /// True when the browser promised not to clear the data on its own.
    pub persisted: bool,
}

fn manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    js_sys::Reflect::has(&navigator, &"storage".into())
        .unwrap_or(false)
        .then(|| navigator.storage())
}

fn number(obj: &wasm_bindgen::JsValue, key: &str) -> Option<f64> {
    js_sys::Reflect::get(obj, &key.into()).ok()?.as_f64()
}

/// Reads usage, quota and persistence.
pub async fn info() -> StorageInfo {
    let Some(m) = manager() else {
        return StorageInfo::default();
    };
    let estimate = match m.estimate() {
        Ok(p) => JsFuture::from(p).await.ok(),
        Err(_) => None,
    };
    let persisted = match m.persisted() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
        Err(_) => None,
    };
    StorageInfo {
        usage: estimate.as_ref().and_then(|e| number(e, "usage")),
        quota: estimate.as_ref().and_then(|e| number(e, "quota")),
        persisted: persisted.unwrap_or(false),
    }
}

/// Asks the browser to keep this site's data even when disk space runs
/// low; returns whether it agreed.
pub async fn persist() -> bool {
    let Some(m) = manager() else { return false };
    match m.persist() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::Boolean>().ok())
            .is_some_and(|b| b.value_of()),
        Err(_) => false,
    }
}
