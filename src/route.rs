//! Where the user is: the page and its section, kept in the address's
//! hash (`#/journeys/paths`). Hash addresses work on any static host, under
//! any sub-path, with no server fallback: back, forward, reload and a
//! shared link all bring the same page back.
//!
//! [`Route`] and its parsing are plain data; [`current`], [`listen`] and
//! [`go`] are the adapter to the browser's address.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// A page of the workbench, in the order of the marketer's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    /// What changed, the goals, the segments at a glance.
    Overview,
    /// The files read, what was set aside, the columns.
    Data,
    /// The catalogue of segments and the builder.
    Segments,
    /// KPIs side by side.
    Compare,
    /// Funnels, paths, cohorts, activity.
    Journeys,
    /// Churn and lifetime value.
    Predict,
    /// Campaign ideas, exports, notes.
    Act,
}

impl Page {
    /// Every page, in the navigation's order.
    pub const ALL: [Page; 7] = [
        Page::Overview,
        Page::Data,
        Page::Segments,
        Page::Compare,
        Page::Journeys,
        Page::Predict,
        Page::Act,
    ];

    /// The page's name in addresses, test ids and message keys.
    pub fn slug(self) -> &'static str {
        match self {
            Page::Overview => "overview",
            Page::Data => "data",
            Page::Segments => "segments",
            Page::Compare => "compare",
            Page::Journeys => "journeys",
            Page::Predict => "predict",
            Page::Act => "act",
        }
    }

    fn from_slug(slug: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// The page's sections (each its own address), the first shown when
    /// the page is opened without one. Empty: the page is one section.
    pub fn sections(self) -> &'static [&'static str] {
        match self {
            Page::Segments => &["rfm", "lifecycle", "mine", "clusters"],
            Page::Compare => &["kpis", "two", "whole"],
            Page::Journeys => &["funnel", "paths", "cohorts", "moves", "sizes", "activity"],
            Page::Act => &["ideas", "results", "export"],
            Page::Overview | Page::Data | Page::Predict => &[],
        }
    }
}

/// Where the user is: a page and one of its sections, or one segment's
/// own page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Route {
    /// A page, at one of its sections (empty when it has none).
    Page(Page, &'static str),
    /// One segment's page, by its name.
    Segment(String),
}

impl Default for Route {
    fn default() -> Self {
        Route::Page(Page::Overview, "")
    }
}

impl Route {
    /// A page at its first section.
    pub fn page(page: Page) -> Route {
        Route::Page(page, page.sections().first().copied().unwrap_or(""))
    }

    /// The page this route is on (a segment's page belongs to Segments).
    pub fn on(&self) -> Page {
        match self {
            Route::Page(page, _) => *page,
            Route::Segment(_) => Page::Segments,
        }
    }

    /// The address's hash for this route, such as `#/journeys/paths`.
    pub fn href(&self) -> String {
        match self {
            Route::Page(Page::Overview, _) => "#/".to_string(),
            Route::Page(page, "") => format!("#/{}", page.slug()),
            Route::Page(page, section) => format!("#/{}/{section}", page.slug()),
            Route::Segment(name) => format!("#/segment/{}", encode(name)),
        }
    }

    /// The route an address's hash names. `None` for a hash that is not a
    /// route (such as `#main`, the skip link's): the page stays where it
    /// is. An unknown page or section opens the nearest known one.
    pub fn from_hash(hash: &str) -> Option<Route> {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        if hash.is_empty() {
            return Some(Route::default());
        }
        let path = hash.strip_prefix('/')?;
        let mut parts = path.splitn(2, '/');
        let first = parts.next().unwrap_or_default();
        let rest = parts.next().unwrap_or_default().trim_end_matches('/');
        if first == "segment" && !rest.is_empty() {
            return Some(Route::Segment(decode(rest)));
        }
        let Some(page) = Page::from_slug(first) else {
            return Some(Route::default());
        };
        let section = page
            .sections()
            .iter()
            .copied()
            .find(|s| *s == rest)
            .or_else(|| page.sections().first().copied())
            .unwrap_or("");
        Some(Route::Page(page, section))
    }
}

/// Percent-encodes everything but letters, digits and `-_.~`, byte by
/// byte of the UTF-8 text.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes [`encode`] (and any other percent-encoding); a `%` not followed
/// by two hex digits is kept as it is.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The route the address names now.
pub fn current() -> Route {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .and_then(|h| Route::from_hash(&h))
        .unwrap_or_default()
}

/// Calls `moved` with the new route each time the address's hash names
/// one (a link followed, back, forward, an address typed).
pub fn listen(moved: impl Fn(Route) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let hash = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default();
        if let Some(route) = Route::from_hash(&hash) {
            moved(route);
        }
    });
    let _ =
        window.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
    // The page listens for as long as it is open.
    listener.forget();
}

/// Goes to `route` as a followed link would (a new entry in the history).
pub fn go(route: &Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&route.href());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_reads_back_from_its_own_address() {
        let mut routes = vec![
            Route::Segment("At Risk".into()),
            Route::Segment("Fidèles / Lyon 100%".into()),
        ];
        for page in Page::ALL {
            routes.push(Route::page(page));
            for section in page.sections() {
                routes.push(Route::Page(page, section));
            }
        }
        for route in routes {
            assert_eq!(
                Route::from_hash(&route.href()),
                Some(route.clone()),
                "{}",
                route.href()
            );
        }
    }

    #[test]
    fn addresses_by_hand() {
        assert_eq!(Route::from_hash(""), Some(Route::Page(Page::Overview, "")));
        assert_eq!(
            Route::from_hash("#/"),
            Some(Route::Page(Page::Overview, ""))
        );
        assert_eq!(
            Route::from_hash("#/journeys"),
            Some(Route::Page(Page::Journeys, "funnel"))
        );
        assert_eq!(
            Route::from_hash("#/journeys/cohorts/"),
            Some(Route::Page(Page::Journeys, "cohorts"))
        );
        assert_eq!(
            Route::from_hash("#/journeys/nowhere"),
            Some(Route::Page(Page::Journeys, "funnel"))
        );
        assert_eq!(
            Route::from_hash("#/nowhere"),
            Some(Route::Page(Page::Overview, ""))
        );
        assert_eq!(
            Route::from_hash("#/segment/At%20Risk"),
            Some(Route::Segment("At Risk".into()))
        );
        assert_eq!(
            Route::from_hash("#/segment/100%"),
            Some(Route::Segment("100%".into()))
        );
        // The skip link's hash is not a route.
        assert_eq!(Route::from_hash("#main"), None);
        assert_eq!(
            Route::Segment("Fidèles".into()).href(),
            "#/segment/Fid%C3%A8les"
        );
    }
}
