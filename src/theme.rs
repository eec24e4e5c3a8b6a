//! Adapter: the page's colours. Light, dark, or as the system says
//! (`prefers-color-scheme`, followed while the page is open); the theme in
//! use is written as `data-theme` on `<html>`, which the design system's
//! dark tokens key on.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The colours the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    /// As the system's setting says.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    /// The three, in the order the switch shows them.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The stored name, and the suffix of its catalogue key.
    pub fn tag(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme a stored name stands for.
    pub fn from_tag(tag: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.tag() == tag)
    }
}

const QUERY: &str = "(prefers-color-scheme: dark)";

/// True when the system asks for dark colours.
fn system_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(QUERY).ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Writes the colours of `theme` on the page: `data-theme` is `dark` or
/// `light`.
pub fn apply(theme: Theme) {
    let dark = match theme {
        Theme::System => system_dark(),
        Theme::Light => false,
        Theme::Dark => true,
    };
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
    }
}

/// Calls `changed` each time the system's light or dark setting changes,
/// for as long as the page is open.
pub fn on_system_change(changed: impl Fn() + 'static) {
    let Some(list) = web_sys::window().and_then(|w| w.match_media(QUERY).ok().flatten()) else {
        return;
    };
    let listener = Closure::<dyn Fn()>::new(changed);
    let _ = list.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    listener.forget();
}
