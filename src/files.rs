//! The file adapter: reads slices of a user's file without loading it
//! whole.

use crate::i18n::tf;
use wasm_bindgen_futures::JsFuture;

/// Reads bytes `start..end` of a file.
pub async fn read_slice(file: &web_sys::File, start: u64, end: u64) -> Result<Vec<u8>, String> {
    let blob = file
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(|e| {
            tf(
                "files.cannot_be_read",
                &[("0", &(file.name()).to_string()), ("e", &format!("{e:?}"))],
            )
        })?;
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|e| {
        tf(
            "files.cannot_be_read",
            &[("0", &(file.name()).to_string()), ("e", &format!("{e:?}"))],
        )
    })?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A file named and typed as `like`, holding `bytes`.
pub fn file_of(like: &web_sys::File, bytes: &[u8]) -> Result<web_sys::File, String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::FilePropertyBag::new();
    options.set_type(&like.type_());
    web_sys::File::new_with_u8_array_sequence_and_options(&parts, &like.name(), &options).map_err(
        |e| {
            tf(
                "files.cannot_be_read",
                &[("0", &like.name()), ("e", &format!("{e:?}"))],
            )
        },
    )
}
