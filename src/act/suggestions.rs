//! Suggested actions for a segment, with subject lines and messages to
//! edit and copy.

use leptos::prelude::*;

use crate::i18n::{self, Locale, t, tf};
use seglens_engine::analysis::playbook;
use seglens_engine::export::{Layout, MergeField};

use crate::format;
use crate::state::AppState;
use seglens_engine::metrics::kpi::KpiId;

/// Plays shown at once; the others are folded.
const SHOWN: usize = 4;

/// The suggestions card.
#[component]
pub fn Suggestions() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chosen = RwSignal::new(0usize);
    move || {
        state.workspace.get().map(|ws| {
            let table = ws.analysis.kpis.clone();
            let profiles = ws.analysis.profiles.clone();
            let options = ws.record.options.clone();
            // The groups the KPI table compares (RFM segments, stages, my
            // segments…), the empty ones left out.
            let customers = table.column(KpiId::Customers);
            let sizes: Vec<(usize, String, u64)> = table
                .groups
                .iter()
                .enumerate()
                .take(table.groups.len().saturating_sub(1))
                .filter_map(|(i, name)| {
                    let n = table.values.get(i)?.get(customers?)?.value? as u64;
                    (n > 0).then(|| (i, name.clone(), n))
                })
                .collect();
            if !sizes.iter().any(|(i, _, _)| *i == chosen.get_untracked())
                && let Some((first, _, _)) = sizes.first()
            {
                chosen.set(*first);
            }
            let options = sizes
                .iter()
                .map(|(i, name, n)| {
                    let i = *i;
                    view! { <option value=i.to_string() selected=move || chosen.get() == i>{format!("{} ({})", crate::i18n::row_name(name, &options), format::int(*n))}</option> }
                })
                .collect_view();
            // The drafts' placeholders in the merge tags of the tool the
            // exports are laid out for.
            let tool = move || state.export.with(|e| e.layout);
            let list = move || {
                let tool = tool();
                let mut plays = playbook::suggest(&table, chosen.get(), &profiles)
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let first = i == 0;
                        let key = format!("play.{}", s.play);
                        let place = place_of(&s.figures);
                        let subjects = numbered(&format!("{key}.subject")).into_iter().map(|line| {
                            let line = tool.with_merge_tags(&line.replace("{place}", &place));
                            let copy = line.clone();
                            view! {
                                <li>
                                    <span>{line}</span>
                                    <button class="ghost" title=t("suggestions.copy") on:click=move |_| crate::act::actions::copy_text(state, copy.clone())>{t("suggestions.copy")}</button>
                                </li>
                            }
                        }).collect_view();
                        let messages = numbered(&format!("{key}.message")).into_iter().map(|text| {
                            let draft = RwSignal::new(tool.with_merge_tags(&text.replace("{place}", &place)));
                            view! {
                                <div class="message">
                                    <textarea rows="5" aria-label=t("suggestions.message") prop:value=move || draft.get()
                                        on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                                    <button class="ghost" on:click=move |_| crate::act::actions::copy_text(state, draft.get_untracked())>{t("suggestions.copy_message")}</button>
                                </div>
                            }
                        }).collect_view();
                        view! {
                            <article class="suggestion" data-testid="suggestion" data-play=s.play>
                                <h3>{tf(&format!("{key}.action"), &[("place", &place)])}</h3>
                                <p>{tf(&format!("{key}.why"), &[
                                    ("customers", &format::int(s.customers)),
                                    ("figures", &figures(&s.figures, table.churn_period_days)),
                                ])}</p>
                                // The first play's drafts open, the others' a
                                // click away, so that the card stays short.
                                <details class="drafts" open=first>
                                    <summary>{t("suggestions.drafts")}</summary>
                                    <h4>{t("suggestions.subject_lines")}</h4>
                                    <ul class="subjects">{subjects}</ul>
                                    <h4>{t("suggestions.messages")}</h4>
                                    {messages}
                                </details>
                            </article>
                        }
                        .into_any()
                    })
                    .collect::<Vec<_>>();
                // The most fitting plays shown, the others folded.
                let more = plays.split_off(plays.len().min(SHOWN));
                view! {
                    {plays}
                    {(!more.is_empty()).then(|| view! {
                        <details class="more-plays" data-testid="more-plays">
                            <summary>{crate::i18n::tn("suggestions.more", more.len() as u64, &[])}</summary>
                            {more}
                        </details>
                    })}
                }
            };
            view! {
                <section class="card" id="suggestions" data-testid="suggestions">
                    <h2>{t("suggestions.what_to_do_with_a")}</h2>
                    <p class="muted">
                        {t("suggestions.suggested_campaigns_that_fit_the")}
                    </p>
                    <div class="thresholds">
                        <label>{t("suggestions.segment")}
                            <select data-testid="suggest-segment" on:change=move |ev| {
                                if let Ok(i) = event_target_value(&ev).parse::<usize>() { chosen.set(i) }
                            }>{options}</select>
                        </label>
                        <label>{t("suggestions.tags_for")}
                            <select data-testid="suggest-tool" on:change=move |ev| {
                                if let Ok(i) = event_target_value(&ev).parse::<usize>() {
                                    state.export.update(|e| e.layout = Layout::EMAIL_TOOLS[i]);
                                }
                            }>
                                {Layout::EMAIL_TOOLS.iter().enumerate().map(|(i, l)| view! {
                                    <option value=i.to_string() selected=move || tool() == *l>{i18n::name("layout", l.label())}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                    <p class="muted small" data-testid="suggest-tags">{move || tags_hint(tool())}</p>
                    {list}
                </section>
            }
        })
    }
}

/// What the placeholders are in the chosen tool, and where their values
/// come from.
fn tags_hint(tool: Layout) -> String {
    let first = tool.merge_tag(MergeField::FirstName);
    let category = tool.merge_tag(MergeField::LastCategory);
    let key = match tool {
        Layout::Plain | Layout::MetaAudience | Layout::GoogleAdsAudience => {
            "suggestions.tags.plain"
        }
        Layout::Mailchimp => "suggestions.tags.mailchimp",
        _ => "suggestions.tags.tool",
    };
    tf(
        key,
        &[
            ("first", first),
            ("category", category),
            ("tool", tool.label()),
            ("column", tool.last_category_column()),
        ],
    )
}

/// A play's subject lines or messages: `KEY.1`, `KEY.2`, … as far as the
/// catalogue goes.
fn numbered(key: &str) -> Vec<String> {
    (1..)
        .map_while(|i| {
            let k = format!("{key}.{i}");
            i18n::lookup(i18n::locale(), &k)
                .or_else(|| i18n::lookup(Locale::En, &k))
                .map(|_| t(&k))
        })
        .collect()
}

/// The place a local play is about ("Lyon"), or nothing.
pub(crate) fn place_of(figures: &[playbook::Figure]) -> String {
    figures
        .iter()
        .find_map(|f| match f {
            playbook::Figure::Place(_, value, ..) => Some(value.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The figures behind a play, each against all customers: "repeat rate
/// 21% (all customers 64%)", "median days since the last order 150 (all
/// customers 40)", "90% of them live in Lyon (city; 20% of all
/// customers)".
fn figures(figures: &[playbook::Figure], period: i32) -> String {
    use playbook::{Figure, Measure};
    // Each KPI in its unit: money with the currency, rates as
    // percentages, NPS as signed points.
    let kpis = seglens_engine::metrics::kpi::definitions_for(period);
    let show = |id: &KpiId, v: f64| {
        kpis.iter()
            .find(|d| d.id == *id)
            .map_or_else(|| format::decimal(v, 2), |d| format::kpi_value(d.format, v))
    };
    figures
        .iter()
        .map(|figure| match figure {
            Figure::Kpi(id, v, base) => tf(
                "play.figure",
                &[
                    (
                        "label",
                        &tf(
                            &format!("play.figure.{id}"),
                            &[("period", &period.to_string())],
                        ),
                    ),
                    ("value", &show(id, *v)),
                    ("base", &show(id, *base)),
                ],
            ),
            Figure::Measure(m, v, base) => {
                let shown = |x: f64| match m {
                    Measure::DaysSinceLast => format::decimal(x, 0),
                    _ => format::whole_percent(x),
                };
                tf(
                    "play.measure",
                    &[
                        ("label", &t(&format!("play.measure.{}", m.key()))),
                        ("value", &shown(*v)),
                        ("base", &shown(*base)),
                    ],
                )
            }
            Figure::Place(column, value, share, all) => tf(
                "play.figure.place",
                &[
                    ("share", &format::whole_percent(*share)),
                    ("value", value),
                    ("column", column),
                    ("all", &format::whole_percent(*all)),
                ],
            ),
        })
        .collect::<Vec<_>>()
        .join("; ")
}
