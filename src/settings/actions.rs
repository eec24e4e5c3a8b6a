//! The settings kept in this browser: language, colours, the guided tour.

use crate::browser;
use crate::i18n::Locale;
use crate::state::AppState;
use crate::theme::Theme;
use leptos::prelude::*;

/// Where the chosen language is remembered.
pub(crate) const LOCALE_KEY: &str = "seglens.locale";

/// Where the tour remembers it was seen.
pub(crate) const THEME_KEY: &str = "seglens.theme";

pub(crate) const TOUR_KEY: &str = "seglens.tour-seen";

/// The language at start: the one chosen before on this computer, else
/// the browser's first language the interface has, else English.
pub(crate) fn start_locale(state: AppState) {
    let stored = browser::remembered(LOCALE_KEY).and_then(|tag| Locale::from_tag(&tag));
    let browser = || {
        browser::languages()
            .into_iter()
            .find_map(|tag| Locale::from_tag(&tag))
    };
    apply_locale(state, stored.or_else(browser).unwrap_or_default());
}

/// Switches the interface to `locale` and remembers the choice.
pub(crate) fn choose_locale(state: AppState, locale: Locale) {
    browser::remember(LOCALE_KEY, locale.tag());
    apply_locale(state, locale);
}

pub(crate) fn apply_locale(state: AppState, locale: Locale) {
    crate::i18n::set_locale(locale);
    browser::set_language_and_title(locale.tag(), &crate::i18n::t("app.title"));
    state.locale.set(locale);
}

/// Applies the colours chosen on this computer (the system's by default),
/// and follows the system's setting while it is the one chosen.
pub(crate) fn start_theme(state: AppState) {
    let stored = browser::remembered(THEME_KEY)
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
    browser::remember(THEME_KEY, theme.tag());
    state.theme.set(theme);
    crate::theme::apply(theme);
}

/// Whether the guided tour was seen (or skipped) on this computer.
pub(crate) fn tour_seen() -> bool {
    browser::remembered(TOUR_KEY).is_some()
}

/// Closes the guided tour and remembers it was seen.
pub(crate) fn close_tour(state: AppState) {
    browser::remember(TOUR_KEY, "1");
    state.tour.set(None);
}
