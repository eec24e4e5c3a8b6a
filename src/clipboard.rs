//! The clipboard adapter: copies text for the user.

use crate::i18n::tf;
use wasm_bindgen_futures::JsFuture;

/// Copies `text` to the clipboard.
pub async fn copy(text: &str) -> Result<(), String> {
    let navigator = web_sys::window().ok_or("no window")?.navigator();
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .map(|_| ())
        .map_err(|e| {
            tf(
                "clipboard.the_text_could_not_be",
                &[("e", &format!("{e:?}"))],
            )
        })
}
