//! Adapter: the window and the document (scrolling, focus, the page's
//! language and title, reload, menus), the small settings this browser
//! remembers (`localStorage`), its languages, the clock and the console.
//! The pages and their actions reach the browser through here.

use wasm_bindgen::JsCast;

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Milliseconds on the page's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Writes a line for whoever opens the developer tools (nothing the user
/// must act on).
pub fn log(message: &str) {
    web_sys::console::info_1(&message.into());
}

/// What this browser remembers under `key`.
pub fn remembered(key: &str) -> Option<String> {
    local_storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Remembers `value` under `key` in this browser (nothing when it keeps
/// nothing, as in some private windows).
pub fn remember(key: &str, value: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(key, value);
    }
}

/// Forgets everything remembered under a key that starts with `prefix`.
pub fn forget_all(prefix: &str) {
    let Some(s) = local_storage() else { return };
    let n = s.length().unwrap_or(0);
    let keys: Vec<String> = (0..n)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(prefix))
        .collect();
    for k in keys {
        let _ = s.remove_item(&k);
    }
}

/// The languages the browser asks for, its first choice first.
pub fn languages() -> Vec<String> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .chain(navigator.language())
        .collect()
}

/// Says the page's language (for screen readers and hyphenation) and
/// gives the page its title.
pub fn set_language_and_title(tag: &str, title: &str) {
    let Some(d) = document() else { return };
    if let Some(root) = d.document_element() {
        let _ = root.set_attribute("lang", tag);
    }
    d.set_title(title);
}

/// Scrolls the window to the top of the page.
pub fn scroll_to_top() {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Brings the element of id `id` into view.
pub fn scroll_to_id(id: &str) {
    if let Some(element) = document().and_then(|d| d.get_element_by_id(id)) {
        element.scroll_into_view();
    }
}

/// Moves the keyboard focus to the element of id `id`.
pub fn focus_id(id: &str) {
    if let Some(el) = document()
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Loads the page again.
pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// Takes `class` off every element that has it.
pub fn unmark_all(class: &str) {
    let Some(marked) = document().and_then(|d| d.query_selector_all(&format!(".{class}")).ok())
    else {
        return;
    };
    for i in 0..marked.length() {
        if let Some(el) = marked
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
        {
            let _ = el.class_list().remove_1(class);
        }
    }
}

/// Gives the first element `selector` finds the class `class` and brings
/// it to the top of the window at once (a smooth scroll across a long
/// page would still be under way when it is read); false when there is
/// none yet.
pub fn mark_and_show(selector: &str, class: &str) -> bool {
    let Some(el) = document().and_then(|d| d.query_selector(selector).ok().flatten()) else {
        return false;
    };
    let _ = el.class_list().add_1(class);
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_behavior(web_sys::ScrollBehavior::Instant);
    options.set_block(web_sys::ScrollLogicalPosition::Start);
    el.scroll_into_view_with_scroll_into_view_options(&options);
    true
}

/// Runs `f` once, `delay_ms` milliseconds from now.
pub fn later(delay_ms: i32, f: impl FnOnce() + 'static) {
    let once = wasm_bindgen::closure::Closure::once_into_js(f);
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(once.unchecked_ref(), delay_ms);
    }
}

/// Folds the open menus (`details.menu`) a click landed outside of, as
/// menus do. The click's path is the one it had when it happened: a
/// button it removed still counts as inside its menu.
pub fn close_menus_outside(ev: &web_sys::MouseEvent) {
    let path = ev.composed_path();
    let Some(open) = document().and_then(|d| d.query_selector_all("details.menu[open]").ok())
    else {
        return;
    };
    for i in 0..open.length() {
        if let Some(menu) = open
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            && !path.includes(&menu, 0)
        {
            let _ = menu.remove_attribute("open");
        }
    }
}

/// Folds the menu (`details.menu`) the clicked element is in.
pub fn close_menu_of(ev: &web_sys::MouseEvent) {
    if let Some(menu) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("details.menu").ok().flatten())
    {
        let _ = menu.remove_attribute("open");
    }
}
