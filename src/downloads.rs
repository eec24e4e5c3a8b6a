//! The download adapter: hands bytes to the browser as a file to save.

use crate::i18n::{t, tf};
use wasm_bindgen::JsCast;

/// Offers `bytes` as a file named `name` of type `mime`.
pub fn save(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let err = |e: wasm_bindgen::JsValue| {
        tf(
            "downloads_file.the_file_could_not_be",
            &[("e", &format!("{e:?}"))],
        )
    };
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(err)?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).map_err(err)?;
    Ok(())
}

/// The size in pixels an SVG's opening tag gives it (its `width` and
/// `height`, else its viewBox), if it gives one.
fn svg_size(text: &str) -> Option<(f64, f64)> {
    let open = &text[..text.find('>')?];
    let attribute = |name: &str| -> Option<&str> {
        let start = open.find(&format!(" {name}=\""))? + name.len() + 3;
        open[start..].split('"').next()
    };
    if let (Some(w), Some(h)) = (attribute("width"), attribute("height"))
        && let (Ok(w), Ok(h)) = (w.parse(), h.parse())
    {
        return Some((w, h));
    }
    let dims: Vec<f64> = attribute("viewBox")?
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    match dims.as_slice() {
        [_, _, w, h] => Some((*w, *h)),
        _ => None,
    }
}

/// A chart drawn by the charts worker, offered as an `.svg` file.
pub fn save_svg_text(text: &str, name: &str) -> Result<(), String> {
    save(&format!("{name}.svg"), text.as_bytes(), "image/svg+xml")
}

/// The SVG chart matching `selector`, as a standalone file: the SVG
/// namespace and a size in pixels (from its viewBox) added.
pub fn svg_of(selector: &str) -> Result<(String, f64, f64), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let svg = document
        .query_selector(selector)
        .map_err(|e| format!("{e:?}"))?
        .ok_or(t("downloads_file.the_chart_is_not_on"))?;
    let view_box = svg.get_attribute("viewBox").unwrap_or_default();
    let dims: Vec<f64> = view_box
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    let (w, h) = match dims.as_slice() {
        [_, _, w, h] => (*w, *h),
        _ => (720.0, 300.0),
    };
    let mut text = svg.outer_html();
    // Only what the opening tag lacks (the bar charts of `chart.rs`
    // already carry their size): an attribute twice is not XML.
    let open = text.find('>').map_or("", |end| &text[..end]).to_string();
    let mut head = String::from("<svg");
    if !open.contains("xmlns=") {
        head.push_str(r#" xmlns="http://www.w3.org/2000/svg""#);
    }
    if !open.contains(" width=") {
        head.push_str(&format!(r#" width="{w}""#));
    }
    if !open.contains(" height=") {
        head.push_str(&format!(r#" height="{h}""#));
    }
    if !open.contains("font-family=") {
        head.push_str(r#" font-family="system-ui, sans-serif""#);
    }
    text = text.replacen("<svg", &head, 1);
    Ok((text, w, h))
}

/// Offers the SVG chart matching `selector` as an `.svg` file.
pub fn save_svg(selector: &str, name: &str) -> Result<(), String> {
    let (text, _, _) = svg_of(selector)?;
    save(&format!("{name}.svg"), text.as_bytes(), "image/svg+xml")
}

/// Offers the SVG chart matching `selector` as a `.png` file at twice its
/// size, drawn on a white background by the browser.
pub async fn save_png(selector: &str, name: &str) -> Result<(), String> {
    let (text, w, h) = svg_of(selector)?;
    save_png_of(&text, w, h, name).await
}

/// Offers an SVG text (a chart drawn by the charts worker) as a `.png`
/// file at twice its size.
pub async fn save_png_text(text: &str, name: &str) -> Result<(), String> {
    let (w, h) = svg_size(text).unwrap_or((760.0, 400.0));
    save_png_of(text, w, h, name).await
}

/// Draws `text`, an SVG of `w` × `h` pixels, on a white canvas at twice
/// its size and offers it as `name.png`.
async fn save_png_of(text: &str, w: f64, h: f64, name: &str) -> Result<(), String> {
    use futures::channel::oneshot;
    use wasm_bindgen::prelude::Closure;
    let err = |e: wasm_bindgen::JsValue| {
        tf(
            "downloads_file.the_picture_could_not_be",
            &[("e", &format!("{e:?}"))],
        )
    };
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let image = web_sys::HtmlImageElement::new().map_err(err)?;
    let (tx, rx) = oneshot::channel::<bool>();
    let tx = std::rc::Rc::new(std::cell::RefCell::new(Some(tx)));
    let (ok, bad) = (tx.clone(), tx);
    let on_load = Closure::<dyn FnMut()>::new(move || {
        if let Some(t) = ok.borrow_mut().take() {
            let _ = t.send(true);
        }
    });
    let on_error = Closure::<dyn FnMut()>::new(move || {
        if let Some(t) = bad.borrow_mut().take() {
            let _ = t.send(false);
        }
    });
    image.set_onload(Some(on_load.as_ref().unchecked_ref()));
    image.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    image.set_src(&url);
    let loaded = rx.await.unwrap_or(false);
    let _ = web_sys::Url::revoke_object_url(&url);
    if !loaded {
        return Err(t("downloads_file.the_browser_could_not_draw"));
    }
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(err)?
        .unchecked_into();
    let scale = 2.0;
    canvas.set_width((w * scale) as u32);
    canvas.set_height((h * scale) as u32);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(err)?
        .ok_or("no 2D canvas")?
        .unchecked_into();
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, w * scale, h * scale);
    context
        .draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, w * scale, h * scale)
        .map_err(err)?;
    let data_url = canvas.to_data_url_with_type("image/png").map_err(err)?;
    let encoded = data_url
        .split_once(',')
        .map(|(_, b)| b)
        .ok_or("no picture data")?;
    let bytes = base64_decode(encoded).ok_or("the picture data cannot be read")?;
    save(&format!("{name}.png"), &bytes, "image/png")
}

/// Decodes standard base64 (the canvas's data URL).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = text.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let n = chunk.len();
        out.push((acc >> 16) as u8);
        if n > 2 {
            out.push((acc >> 8) as u8);
        }
        if n > 3 {
            out.push(acc as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_svg_says_its_size_by_width_and_height_or_by_viewbox() {
        assert_eq!(
            super::svg_size(r#"<svg width="760" height="400" viewBox="0 0 10 10">"#),
            Some((760.0, 400.0))
        );
        assert_eq!(
            super::svg_size(r#"<svg viewBox="0 0 220 180.5"><rect width="3"/>"#),
            Some((220.0, 180.5))
        );
        assert_eq!(super::svg_size("<svg>"), None);
    }

    #[test]
    fn base64_decodes_what_the_canvas_writes() {
        assert_eq!(
            super::base64_decode("iVBORw0KGgo=").unwrap(),
            b"\x89PNG\r\n\x1a\n"
        );
        assert_eq!(super::base64_decode("TWFu").unwrap(), b"Man");
        assert_eq!(super::base64_decode("TWE=").unwrap(), b"Ma");
        assert_eq!(super::base64_decode("TQ==").unwrap(), b"M");
        assert!(super::base64_decode("T!==").is_none());
    }
}
