//! The settings kept in this browser: language, colours, the guided tour.

use crate::i18n::Locale;
use crate::state::AppState;
use crate::theme::Theme;
use leptos::prelude::*;

pub(crate) fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Where the chosen language is remembered.
pub(crate) const LOCALE_KEY: &str = "seglens.locale";

/// Where the tour remembers it was seen.
pub(crate) const THEME_KEY: &str = "seglens.theme";

pub(crate) const TOUR_KEY: &str = "seglens.tour-seen";

/// The language at start: the one chosen before on this computer, else
/// the browser's first language the interface has, else English.
pub(crate) fn start_locale(state: AppState) {
    let stored = local_storage()
        .and_then(|s| s.get_item(LOCALE_KEY).ok().flatten())
        .and_then(|tag| Locale::from_tag(&tag));
    let browser = || {
        let navigator = web_sys::window()?.navigator();
        navigator
            .languages()
            .iter()
            .filter_map(|v| v.as_string())
            .chain(navigator.language())
            .find_map(|tag| Locale::from_tag(&tag))
    };
    apply_locale(state, stored.or_else(browser).unwrap_or_default());
}

/// Switches the interface to `locale` and remembers the choice.
pub(crate) fn choose_locale(state: AppState, locale: Locale) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(LOCALE_KEY, locale.tag());
    }
    apply_locale(state, locale);
}

pub(crate) fn apply_locale(state: AppState, locale: Locale) {
    crate::i18n::set_locale(locale);
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale.tag());
    }
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(&crate::i18n::t("app.title"));
    }
    state.locale.set(locale);
}

/// Applies the colours chosen on this computer (the system's by default),
/// and follows the system's setting while it is the one chosen.
pub(crate) fn start_theme(state: AppState) {
    let stored = local_storage()
        .and_then(|s| s.get_item(THEME_KEY).ok().flatten())
        .and_then(|tag| Theme::from_tag(&tag))
        .unwrap_or_default();
    state.theme.set(stored);
    crate::theme::apply(stored);
    crate::theme::on_system_change(move || {
        if state.theme.get_untracked() == Theme::System {
            crate::theme::apply(Theme::System);
        }
    });
}

/// Switches the colours and remembers the choice on this computer.
pub(crate) fn choose_theme(state: AppState, theme: Theme) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(THEME_KEY, theme.tag());
    }
    state.theme.set(theme);
    crate::theme::apply(theme);
}

/// Whether the guided tour was seen (or skipped) on this computer.
pub(crate) fn tour_seen() -> bool {
    local_storage()
        .and_then(|s| s.get_item(TOUR_KEY).ok().flatten())
        .is_some()
}

/// Closes the guided tour and remembers it was seen.
pub(crate) fn close_tour(state: AppState) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(TOUR_KEY, "1");
    }
    state.tour.set(None);
}
