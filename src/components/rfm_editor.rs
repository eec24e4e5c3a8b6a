//! The RFM editor: bins, the named-segment rule table with its overlaps
//! and gaps shown live, presets, and the recency × frequency grid.

use leptos::prelude::*;
use seglens_engine::rfm::{self, Bins, RfmSetup, SegmentRule};

use crate::actions;
use crate::chart;
use crate::format;
use crate::state::AppState;

fn bins_label(b: &Bins) -> String {
    match b {
        Bins::Quantiles(n) => n.to_string(),
        Bins::Thresholds(_) => "custom".into(),
    }
}

fn thresholds_text(b: &Bins) -> String {
    match b {
        Bins::Thresholds(t) => t
            .iter()
            .map(|v| format!("{v}"))
            .collect::<Vec<_>>()
            .join(", "),
        Bins::Quantiles(_) => String::new(),
    }
}

/// A bin edge: whole numbers as such, others with two decimals.
fn edge(v: f64) -> String {
    if v.fract() == 0.0 && v >= 0.0 {
        format::int(v as u64)
    } else {
        format::money(v)
    }
}

/// Sets one score bound of a rule.
type RuleEdit = Box<dyn Fn(&mut SegmentRule, u8)>;

/// The editor card.
#[component]
pub fn RfmEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let current = move || {
        state
            .workspace
            .get_untracked()
            .map(|w| w.record.options.rfm)
            .unwrap_or_default()
    };
    let draft = RwSignal::new(current());
    let bin_error = RwSignal::new(None::<String>);
    let check = Memo::new(move |_| {
        let d = draft.get();
        rfm::check_rules(
            &d.rules,
            d.config.recency.scores(),
            d.config.frequency.scores(),
            d.config.monetary.scores(),
        )
    });
    let presets = rfm::presets();
    let preset_options = presets
        .iter()
        .enumerate()
        .map(|(i, p)| view! { <option value=i.to_string()>{p.name.clone()}</option> })
        .collect_view();
    let edit_rule = move |i: usize, f: RuleEdit| {
        move |ev: web_sys::Event| {
            if let Ok(v) = event_target_value(&ev).parse::<u8>() {
                draft.update(|d| {
                    if let Some(r) = d.rules.get_mut(i) {
                        f(r, v)
                    }
                });
            }
        }
    };
    let dimension = move |label: &'static str, unit: &'static str, which: usize| {
        let get = move |d: &RfmSetup| match which {
            0 => d.config.recency.clone(),
            1 => d.config.frequency.clone(),
            _ => d.config.monetary.clone(),
        };
        let set = move |d: &mut RfmSetup, b: Bins| match which {
            0 => d.config.recency = b,
            1 => d.config.frequency = b,
            _ => d.config.monetary = b,
        };
        let edges = move || {
            state.workspace.get().map(|w| {
                let e = &w.analysis.edges[which];
                let n = e.lower.len();
                (0..n)
                    .map(|i| {
                        let score = if which == 0 { n - i } else { i + 1 };
                        format!("{score}: {} to {}", edge(e.lower[i]), edge(e.upper[i]))
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
        };
        view! {
            <div class="bins">
                <label>{label}" "
                    <select data-testid=format!("bins-{which}")
                        prop:value=move || bins_label(&get(&draft.get()))
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            draft.update(|d| match v.parse::<u8>() {
                                Ok(n) => set(d, Bins::Quantiles(n)),
                                Err(_) => set(d, Bins::Thresholds(vec![])),
                            });
                        }>
                        <option value="3">"3 quantile bins"</option>
                        <option value="4">"4 quantile bins"</option>
                        <option value="5">"5 quantile bins"</option>
                        <option value="custom">"my own thresholds"</option>
                    </select>
                </label>
                {move || matches!(get(&draft.get()), Bins::Thresholds(_)).then(|| view! {
                    <input type="text" placeholder=format!("e.g. 30, 90, 180 ({unit})")
                        data-testid=format!("thresholds-{which}")
                        prop:value=move || thresholds_text(&get(&draft.get()))
                        on:change=move |ev| match Bins::parse_thresholds(&event_target_value(&ev)) {
                            Ok(b) => { bin_error.set(None); draft.update(|d| set(d, b)); }
                            Err(e) => bin_error.set(Some(format!("{label}: {e}"))),
                        }/>
                })}
                <span class="muted small" title="Score: from (included) to (excluded)">{move || edges().map(|e| format!("now: {e}"))}</span>
            </div>
        }
    };
    view! {
        <section class="card" id="rules" data-testid="rfm-editor">
            <h2>"Segment rules"</h2>
            <p class="muted">
                "Each customer's recency, frequency and monetary value are cut into scores (by quantiles, as R's rfm package does, or at thresholds you choose); the customer then joins the first segment whose three score ranges all match. Problems are shown as you edit; nothing changes until you apply."
            </p>
            <div class="thresholds">
                <label>"Start from "
                    <select data-testid="preset" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>()
                            && let Some(p) = rfm::presets().get(i)
                        {
                            draft.set(p.setup.clone());
                        }
                    }>
                        <option value="">"a preset…"</option>
                        {preset_options}
                    </select>
                </label>
            </div>
            {dimension("Recency", "days", 0)}
            {dimension("Frequency", "orders", 1)}
            {dimension("Monetary", "amount", 2)}
            {move || bin_error.get().map(|e| view! { <p class="warn">{e}</p> })}
            <div class="table-wrap" tabindex="0">
            <table class="rules" data-testid="rules">
                <thead><tr>
                    <th scope="col">"Order"</th>
                    <th scope="col">"Segment"</th>
                    <th scope="col">"Recency score"</th>
                    <th scope="col">"Frequency score"</th>
                    <th scope="col">"Monetary score"</th>
                    <th scope="col" class="num" title="Score combinations this segment's ranges match">"Matches"</th>
                    <th scope="col" class="num" title="Score combinations it gets: earlier segments take the ones they share (the first match wins)">"Gets"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {move || {
                        let d = draft.get();
                        let n = d.rules.len();
                        d.rules.into_iter().enumerate().map(|(i, r)| {
                            let range = move |lo: u8, hi: u8, set_lo: RuleEdit, set_hi: RuleEdit, what: &'static str| view! {
                                <td class="range">
                                    <input type="number" min="1" max="9" aria-label=format!("{what} from") prop:value=lo on:change=edit_rule(i, set_lo)/>
                                    "–"
                                    <input type="number" min="1" max="9" aria-label=format!("{what} to") prop:value=hi on:change=edit_rule(i, set_hi)/>
                                </td>
                            };
                            view! {
                                <tr class:flagged=move || check.get().never_win.contains(&i)>
                                    <td class="num">{i + 1}</td>
                                    <td><input type="text" aria-label="Segment name" prop:value=r.name.clone()
                                        on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.rules[i].name = v) }/></td>
                                    {range(r.r.0, r.r.1, Box::new(|x, v| x.r.0 = v), Box::new(|x, v| x.r.1 = v), "Recency")}
                                    {range(r.f.0, r.f.1, Box::new(|x, v| x.f.0 = v), Box::new(|x, v| x.f.1 = v), "Frequency")}
                                    {range(r.m.0, r.m.1, Box::new(|x, v| x.m.0 = v), Box::new(|x, v| x.m.1 = v), "Monetary")}
                                    <td class="num">{move || check.get().matched.get(i).copied().unwrap_or(0)}</td>
                                    <td class="num" title=move || {
                                        let c = check.get();
                                        let d = draft.get();
                                        let lost: Vec<String> = c.overlaps.iter().filter(|o| o.loser == i)
                                            .map(|o| format!("{} to “{}”", o.cells, d.rules.get(o.winner).map(|r| r.name.clone()).unwrap_or_default()))
                                            .collect();
                                        if lost.is_empty() { "It loses none to earlier segments.".to_string() } else { format!("Loses {}", lost.join(", ")) }
                                    }>{move || check.get().won.get(i).copied().unwrap_or(0)}</td>
                                    <td class="row-actions">
                                        <button class="ghost" title="Move up" disabled=i == 0
                                            on:click=move |_| draft.update(|d| d.rules.swap(i, i - 1))>"↑"</button>
                                        <button class="ghost" title="Move down" disabled=i + 1 == n
                                            on:click=move |_| draft.update(|d| d.rules.swap(i, i + 1))>"↓"</button>
                                        <button class="ghost" title="Remove"
                                            on:click=move |_| draft.update(|d| { d.rules.remove(i); })>"✕"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
            </div>
            <button class="secondary" data-testid="add-rule" on:click=move |_| draft.update(|d| d.rules.push(SegmentRule {
                name: format!("Segment {}", d.rules.len() + 1), r: (1, 1), f: (1, 1), m: (1, 1),
            }))>"Add a segment"</button>
            <div class="rule-check" data-testid="rule-check" aria-live="polite">
                {move || {
                    let c = check.get();
                    let d = draft.get();
                    let name = |i: usize| d.rules.get(i).map(|r| r.name.clone()).unwrap_or_default();
                    let mut lines: Vec<(bool, String)> = Vec::new();
                    for i in &c.invalid {
                        lines.push((true, format!("“{}” has a range that runs backwards or past the highest score.", name(*i))));
                    }
                    let sharing: std::collections::BTreeSet<usize> = c.overlaps.iter().map(|o| o.loser).collect();
                    if !sharing.is_empty() {
                        lines.push((false, format!(
                            "{} segment{} share score combinations with earlier ones; the earlier segment gets them (see “Gets”, and hover it for who takes what).",
                            sharing.len(), if sharing.len() == 1 { "" } else { "s" }
                        )));
                    }
                    for i in &c.never_win {
                        lines.push((true, format!("“{}” never applies: earlier segments take all its combinations.", name(*i))));
                    }
                    if c.uncovered.is_empty() {
                        lines.push((false, format!("All {} score combinations belong to a segment.", c.cells)));
                    } else {
                        let examples: Vec<String> = c.uncovered.iter().take(6).map(|(r, f, m)| format!("R{r} F{f} M{m}")).collect();
                        lines.push((true, format!(
                            "{} of {} score combinations match no segment; their customers go to Others (e.g. {}).",
                            c.uncovered.len(), c.cells, examples.join(", ")
                        )));
                    }
                    lines.into_iter().map(|(warn, text)| view! { <p class:warn=warn class:muted=!warn>{text}</p> }).collect_view()
                }}
            </div>
            <div class="thresholds">
                <button class="primary" data-testid="apply-rules"
                    on:click=move |_| actions::set_rfm_setup(state, draft.get_untracked())>"Apply"</button>
                <button class="ghost" on:click=move |_| draft.set(current())>"Undo my changes"</button>
            </div>
            <RfGrid/>
        </section>
    }
}

/// Customers and revenue per recency × frequency cell.
#[component]
fn RfGrid() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.workspace.get().map(|w| {
            let grid = w.analysis.rf_grid.clone();
            let n_r = grid.first().map(Vec::len).unwrap_or(0);
            let max = grid.iter().flatten().map(|c| c.0).max().unwrap_or(1).max(1) as f64;
            view! {
                <h3>"Customers by recency and frequency score"</h3>
                <p class="muted small">"Rows: frequency score (top: most orders). Columns: recency score (right: most recent). Hover a cell for its revenue."</p>
                <div class="table-wrap" tabindex="0">
                <table class="heatmap" data-testid="rf-grid">
                    <thead><tr>
                        <th scope="col">"F \\ R"</th>
                        {(1..=n_r).map(|r| view! { <th scope="col" class="num">{format!("R{r}")}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {grid.iter().enumerate().rev().map(|(f, row)| view! {
                            <tr>
                                <th scope="row">{format!("F{}", f + 1)}</th>
                                {row.iter().map(|(n, revenue)| {
                                    let (bg, light) = chart::sequential_color(*n as f64 / max);
                                    view! {
                                        <td class="num cell" class:light=light style=format!("background:{bg}")
                                            title=format!("{} customers, revenue {}", format::int(*n), format::money(*revenue))>
                                            {format::int(*n)}
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            }
        })
    }
}
