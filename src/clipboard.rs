//! The clipboard adapter: copies text for the user.

use wasm_bindgen_futures::JsFuture;

/// Copies `text` to the clipboard.
pub async fn copy(text: &str) -> Result<(), String> {
    let navigator = web_sys::window().ok_or("no window")?.navigator();
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| format!("The text could not be copied: {e:?}"))
}
