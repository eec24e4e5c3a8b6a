//! Segment sizes month by month, recomputed from the data (Journeys ›
//! Sizes over time, and on each segment's page): at each month end, the
//! customers each segment had as an analysis that day would have found
//! them, with who entered and who left since the month end before.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::analysis::membership::{GroupHistory, GroupId, GroupMonths};

use crate::format;
use crate::i18n::{self, t, tf};
use crate::shell::{csv_field, save_csv};
use crate::state::AppState;

/// Colours of the lines, told apart by people with colour-vision
/// deficiencies (Okabe–Ito, then Tol's muted ones).
const COLOURS: [&str; 12] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#882255", "#44AA99",
    "#999933", "#AA4499", "#332288", "#888888",
];

/// A group's name as the page shows it: the built-in ones in the
/// interface's language, the user's as written.
pub fn group_label(group: &GroupId) -> String {
    match group {
        GroupId::Rfm(name) => i18n::group_name(name),
        GroupId::Lifecycle(stage) => i18n::name("segment", stage.label()),
        GroupId::Saved(name) => name.clone(),
    }
}

/// The history of the project's groups, fetched from the worker each time
/// the workspace changes.
fn fetched(state: AppState) -> RwSignal<Option<Result<GroupHistory, String>>> {
    let result = RwSignal::new(None);
    Effect::new(move |_| {
        let Some(options) = state
            .workspace
            .with(|ws| ws.as_ref().map(|w| w.record.options.clone()))
        else {
            return;
        };
        result.set(None);
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let answer = engine
                .ask(crate::protocol::ask::GroupHistory { options })
                .await;
            result.try_set(Some(answer));
        });
    });
    result
}

/// Lines of the groups' sizes over the month ends.
fn lines_svg(
    days: &[seglens_engine::model::date::Day],
    groups: &[&GroupMonths],
    label: &str,
) -> AnyView {
    let (w, h, left, right, top, bottom) = (720.0, 240.0, 56.0, 16.0, 12.0, 32.0);
    let hi = groups
        .iter()
        .flat_map(|g| g.customers.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let n = days.len();
    let x = |i: usize| {
        if n <= 1 {
            left + (w - left - right) / 2.0
        } else {
            left + i as f64 * (w - left - right) / (n - 1) as f64
        }
    };
    let y = |v: u64| top + (1.0 - v as f64 / hi) * (h - top - bottom);
    let lines = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let colour = COLOURS[i % COLOURS.len()];
            let name = group_label(&g.group);
            let points = g
                .customers
                .iter()
                .enumerate()
                .map(|(m, v)| format!("{:.1},{:.1}", x(m), y(*v)))
                .collect::<Vec<_>>()
                .join(" ");
            let dots = g
                .customers
                .iter()
                .enumerate()
                .map(|(m, v)| {
                    let title = tf(
                        "sizes.point",
                        &[
                            ("group", &name),
                            ("month", &format::month(days[m])),
                            ("customers", &format::int(*v)),
                            ("entered", &format::int(g.entered[m])),
                            ("left", &format::int(g.left[m])),
                        ],
                    );
                    view! { <circle cx=format!("{:.1}", x(m)) cy=format!("{:.1}", y(*v)) r="3" fill=colour><title>{title}</title></circle> }
                })
                .collect_view();
            view! {
                <g>
                    <polyline points=points fill="none" stroke=colour stroke-width="2"/>
                    {dots}
                </g>
            }
        })
        .collect_view();
    // A label every few months, the first and last inside the chart.
    let every = n.div_ceil(8).max(1);
    let ticks = days
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i + 1 == n)
        .map(|(i, d)| {
            let anchor = match i {
                _ if n == 1 => "middle",
                0 => "start",
                i if i + 1 == n => "end",
                _ => "middle",
            };
            view! { <text x=format!("{:.1}", x(i)) y=format!("{:.1}", h - 10.0) text-anchor=anchor class="tick">{format::month(*d)}</text> }
        })
        .collect_view();
    let legend = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            view! {
                <span class="legend-item">
                    <span class="swatch" style=format!("background:{}", COLOURS[i % COLOURS.len()])></span>
                    {group_label(&g.group)}
                </span>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=label.to_string() data-testid="sizes-chart">
                <text x="4" y=format!("{:.1}", top + 8.0) class="tick">{format::int(hi as u64)}</text>
                <text x="4" y=format!("{:.1}", h - bottom) class="tick">"0"</text>
                <line x1=left y1=h - bottom x2=w - right y2=h - bottom class="axis"/>
                {lines}
                {ticks}
            </svg>
            <figcaption class="legend">{legend}</figcaption>
        </figure>
    }
    .into_any()
}

/// The CSV of a history: `month_end,group,customers,entered,left`.
fn history_csv(history: &GroupHistory, groups: &[&GroupMonths]) -> String {
    let mut text = String::from("month_end,group,customers,entered,left\n");
    for (m, day) in history.days.iter().enumerate() {
        for g in groups {
            text.push_str(&format!(
                "{},{},{},{},{}\n",
                seglens_engine::model::date::format_iso(*day),
                csv_field(&group_label(&g.group)),
                g.customers[m],
                g.entered[m],
                g.left[m]
            ));
        }
    }
    text
}

/// Which groups the card shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rfm,
    Lifecycle,
    Saved,
}

impl Kind {
    fn holds(self, group: &GroupId) -> bool {
        matches!(
            (self, group),
            (Kind::Rfm, GroupId::Rfm(_))
                | (Kind::Lifecycle, GroupId::Lifecycle(_))
                | (Kind::Saved, GroupId::Saved(_))
        )
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Rfm => "rfm",
            Kind::Lifecycle => "lifecycle",
            Kind::Saved => "saved",
        }
    }
}

/// Journeys › Sizes over time: every segment of a kind, month by month.
#[component]
pub fn SizesCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let result = fetched(state);
    let kind = RwSignal::new(Kind::Rfm);
    view! {
        <section class="card" id="sizes" data-testid="sizes">
            <h2>{t("sizes.title")}</h2>
            <p class="muted">{t("sizes.intro")}</p>
            <div class="actions" role="group" aria-label=t("sizes.which")>
                {[Kind::Rfm, Kind::Lifecycle, Kind::Saved].into_iter().map(|k| view! {
                    <button class="secondary" data-testid=format!("sizes-kind-{}", k.key())
                        aria-pressed=move || (kind.get() == k).to_string()
                        on:click=move |_| kind.set(k)>
                        {t(&format!("sizes.kind.{}", k.key()))}
                    </button>
                }).collect_view()}
            </div>
            {move || match result.get() {
                None => view! { <p class="muted" data-testid="sizes-working">{t("sizes.working")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                Some(Ok(history)) => {
                    let k = kind.get();
                    let groups: Vec<&GroupMonths> = history
                        .groups
                        .iter()
                        .filter(|g| k.holds(&g.group) && g.customers.iter().any(|c| *c > 0))
                        .collect();
                    if history.days.is_empty() {
                        return view! { <p class="empty-state">{t("sizes.no_month")}</p> }.into_any();
                    }
                    if groups.is_empty() {
                        return view! { <p class="empty-state" data-testid="sizes-empty">{t(&format!("sizes.empty.{}", k.key()))}</p> }.into_any();
                    }
                    let csv = history_csv(&history, &groups);
                    let chart = lines_svg(&history.days, &groups, &t("sizes.title"));
                    let head = groups.iter().map(|g| view! { <th scope="col" class="num">{group_label(&g.group)}</th> }).collect_view();
                    let rows = history.days.iter().enumerate().rev().map(|(m, day)| {
                        let cells = groups.iter().map(|g| {
                            let title = tf("sizes.moves", &[("entered", &format::int(g.entered[m])), ("left", &format::int(g.left[m]))]);
                            view! { <td class="num" title=title>{format::int(g.customers[m])}</td> }
                        }).collect_view();
                        view! { <tr><th scope="row">{format::month(*day)}</th>{cells}</tr> }
                    }).collect_view();
                    view! {
                        {chart}
                        <details class="parameters">
                            <summary>{t("sizes.table")}</summary>
                            <div class="table-wrap" tabindex="0">
                                <table data-testid="sizes-table">
                                    <thead><tr><th scope="col">{t("sizes.month_end")}</th>{head}</tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                        </details>
                        <button class="secondary" data-testid="sizes-download"
                            on:click=move |_| save_csv(state, "segment-sizes", &csv)>
                            {t("sizes.download")}
                        </button>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// One segment's size month by month, on its page.
#[component]
pub fn SegmentSizes(group: GroupId) -> impl IntoView {
    let state = expect_context::<AppState>();
    let result = fetched(state);
    view! {
        <section class="card" data-testid="segment-sizes">
            <h2>{t("sizes.segment_title")}</h2>
            {move || match result.get() {
                None => view! { <p class="muted">{t("sizes.working")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                Some(Ok(history)) => match history.groups.iter().find(|g| g.group == group) {
                    None => view! { <p class="muted">{t("sizes.not_measured")}</p> }.into_any(),
                    Some(g) => {
                        let chart = lines_svg(&history.days, &[g], &t("sizes.segment_title"));
                        let rows = history.days.iter().enumerate().rev().take(12).map(|(m, day)| view! {
                            <tr>
                                <th scope="row">{format::month(*day)}</th>
                                <td class="num">{format::int(g.customers[m])}</td>
                                <td class="num">{format::int(g.entered[m])}</td>
                                <td class="num">{format::int(g.left[m])}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            {chart}
                            <details class="parameters">
                                <summary>{t("sizes.last_months")}</summary>
                                <table data-testid="segment-sizes-table">
                                    <thead><tr>
                                        <th scope="col">{t("sizes.month_end")}</th>
                                        <th scope="col" class="num">{t("sizes.customers")}</th>
                                        <th scope="col" class="num">{t("since.entered")}</th>
                                        <th scope="col" class="num">{t("since.left")}</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </details>
                        }.into_any()
                    }
                },
            }}
        </section>
    }
}
