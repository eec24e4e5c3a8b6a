//! The compared groups as a whole: homogeneous inside, heterogeneous
//! between? A verdict in words from the silhouette, the share of recency,
//! frequency and spend that lies between the groups, and who is in two
//! groups at once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::segments::separation::{Separation, Verdict};

use crate::format;
use crate::i18n::{self, t, tf, tn};
use crate::protocol::ask;
use crate::route::{Page, Route};
use crate::state::AppState;

/// The card, for the groups the KPI table compares.
#[component]
pub fn SeparationCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let result = RwSignal::new(None::<Result<Separation, String>>);
    Effect::new(move |_| {
        let Some(ws) = state.workspace.get() else {
            return;
        };
        result.set(None);
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let request = ask::Separation {
                options: ws.record.options.clone(),
                as_of: ws.analysis.as_of,
            };
            let answer = engine.ask(request).await;
            result.try_set(Some(answer));
        });
    });
    view! {
        <section class="card" id="separation" data-testid="separation">
            <h2>{t("separation.title")}</h2>
            <p class="muted">
                {t("separation.intro")} " "
                <a href=Route::Page(Page::Compare, "kpis").href()>{t("separation.change_groups")}</a>
            </p>
            {move || match result.get() {
                None => view! { <p class="muted">{t("separation.measuring")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                Some(Ok(s)) => body(&s).into_any(),
            }}
        </section>
    }
}

fn body(s: &Separation) -> impl IntoView {
    // Saved segments keep their own names.
    let options = expect_context::<AppState>().workspace.with_untracked(|w| {
        w.as_ref()
            .map(|w| w.record.options.clone())
            .unwrap_or_default()
    });
    let verdict = s.silhouette.zip(s.verdict).map(|(x, v)| {
        let key = match v {
            Verdict::Distinct => "separation.verdict.distinct",
            Verdict::Blurred => "separation.verdict.blurred",
            Verdict::Overlapping => "separation.verdict.overlapping",
        };
        view! {
            <p class="lead" data-testid="separation-verdict" title=t("separation.silhouette_help")>
                {tf(key, &[("silhouette", &format::decimal(x, 2))])}
            </p>
        }
    });
    let spreads = s
        .spreads
        .iter()
        .map(|m| {
            let how = if m.is_large() {
                "separation.large"
            } else if m.is_small() {
                "separation.small"
            } else {
                "separation.medium"
            };
            view! {
                <li data-measure=m.measure.clone() title=t("separation.eta_help")>
                    {tf("separation.spread", &[
                        ("measure", &t(&format!("separation.measure.{}", m.measure))),
                        ("share", &format::percent(m.between)),
                        ("how", &t(how)),
                    ])}
                </li>
            }
        })
        .collect_view();
    // The overlap of the groups that have customers.
    let shown: Vec<usize> = (0..s.groups.len())
        .filter(|g| s.overlap[*g][*g] > 0)
        .collect();
    let head = shown
        .iter()
        .map(|g| view! { <th scope="col" class="num">{i18n::row_name(&s.groups[*g], &options)}</th> })
        .collect_view();
    let rows = shown
        .iter()
        .map(|g| {
            let cells = shown
                .iter()
                .map(|h| {
                    let n = s.overlap[*g][*h];
                    view! { <td class="num" class:diagonal=g == h>{format::int(n)}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{i18n::row_name(&s.groups[*g], &options)}</th>{cells}</tr> }
        })
        .collect_view();
    let several = (s.in_several > 0).then(|| {
        view! { <p class="warn" data-testid="separation-several">{tn("separation.in_several", s.in_several, &[])}</p> }
    });
    view! {
        {verdict}
        <ul class="spreads" data-testid="separation-spreads">{spreads}</ul>
        <p class="muted small">{tf("separation.measured", &[
            ("measured", &format::int(s.measured)),
            ("sample", &format::int(s.silhouette_sample)),
        ])}</p>
        {several}
        <h3>{t("separation.overlap")}</h3>
        <p class="muted">{t("separation.overlap_intro")}</p>
        <div class="table-wrap" tabindex="0">
            <table class="overlap" data-testid="separation-overlap">
                <thead><tr><th scope="col"></th>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
