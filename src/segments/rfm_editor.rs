//! The RFM editor: bins, the named-segment rule table with its overlaps
//! and gaps shown live, presets, and the recency × frequency grid.

use leptos::prelude::*;
use seglens_engine::segments::rfm::{self, Bins, RfmSetup, SegmentRule};

use crate::chart;
use crate::format;
use crate::i18n::{self, t, tf};
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
        .map(|(i, p)| view! { <option value=i.to_string()>{crate::i18n::name("preset", &p.name)}</option> })
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
    let dimension = move |label: String, unit: String, which: usize| {
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
                        tf(
                            "rfm_editor.to",
                            &[
                                ("score", &score.to_string()),
                                ("0", &(edge(e.lower[i])).to_string()),
                                ("1", &(edge(e.upper[i])).to_string()),
                            ],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
        };
        let shown = label.clone();
        view! {
            <div class="bins">
                <label>{shown}" "
                    <select data-testid=format!("bins-{which}")
                        prop:value=move || bins_label(&get(&draft.get()))
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            draft.update(|d| match v.parse::<u8>() {
                                Ok(n) => set(d, Bins::Quantiles(n)),
                                Err(_) => set(d, Bins::Thresholds(vec![])),
                            });
                        }>
                        <option value="3">{t("rfm_editor.3_quantile_bins")}</option>
                        <option value="4">{t("rfm_editor.4_quantile_bins")}</option>
                        <option value="5">{t("rfm_editor.5_quantile_bins")}</option>
                        <option value="custom">{t("rfm_editor.my_own_thresholds")}</option>
                    </select>
                </label>
                {move || { let (label, unit) = (label.clone(), unit.clone()); matches!(get(&draft.get()), Bins::Thresholds(_)).then(|| view! {
                    <input type="text" placeholder=tf("rfm_editor.thresholds_example", &[("unit", &unit)])
                        data-testid=format!("thresholds-{which}")
                        prop:value=move || thresholds_text(&get(&draft.get()))
                        on:change=move |ev| match Bins::parse_thresholds(&event_target_value(&ev)) {
                            Ok(b) => { bin_error.set(None); draft.update(|d| set(d, b)); }
                            Err(e) => bin_error.set(Some(format!("{label}: {}", crate::i18n::message(&e)))),
                        }/>
                })}}
                <span class="muted small" title=t("rfm_editor.score_from_included_to_excluded")>{move || edges().map(|e| tf("rfm_editor.now", &[("e", &e.to_string())]))}</span>
            </div>
        }
    };
    view! {
        <section class="card" id="rules" data-testid="rfm-editor">
            <h2>{t("rfm_editor.segment_rules")}</h2>
            <p class="muted">
                {t("rfm_editor.each_customer_s_recency_frequency")}
            </p>
            <div class="thresholds">
                <label>{t("rfm_editor.start_from")}
                    <select data-testid="preset" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>()
                            && let Some(p) = rfm::presets().get(i)
                        {
                            draft.set(p.setup.clone());
                        }
                    }>
                        <option value="">{t("rfm_editor.a_preset")}</option>
                        {preset_options}
                    </select>
                </label>
            </div>
            {dimension(t("rfm_editor.recency"), t("rfm_editor.unit_days"), 0)}
            {dimension(t("rfm_editor.frequency"), t("rfm_editor.unit_orders"), 1)}
            {dimension(t("rfm_editor.monetary"), t("rfm_editor.unit_amount"), 2)}
            {move || bin_error.get().map(|e| view! { <p class="warn">{e}</p> })}
            <div class="table-wrap" tabindex="0">
            <table class="rules" data-testid="rules">
                <thead><tr>
                    <th scope="col">{t("rfm_editor.order")}</th>
                    <th scope="col">{t("rfm_editor.segment")}</th>
                    <th scope="col">{t("rfm_editor.recency_score")}</th>
                    <th scope="col">{t("rfm_editor.frequency_score")}</th>
                    <th scope="col">{t("rfm_editor.monetary_score")}</th>
                    <th scope="col" class="num" title=t("rfm_editor.score_combinations_this_segment_s")>{t("rfm_editor.matches")}</th>
                    <th scope="col" class="num" title=t("rfm_editor.score_combinations_it_gets_earlier")>{t("rfm_editor.gets")}</th>
                    <th scope="col"><span class="visually-hidden">{t("rfm_editor.actions")}</span></th>
                </tr></thead>
                <tbody>
                    {move || {
                        let d = draft.get();
                        let n = d.rules.len();
                        d.rules.into_iter().enumerate().map(|(i, r)| {
                            let range = move |lo: u8, hi: u8, set_lo: RuleEdit, set_hi: RuleEdit, what: String| view! {
                                <td class="range">
                                    <input type="number" min="1" max="9" aria-label=tf("rfm_editor.from", &[("what", &what.to_string())]) prop:value=lo on:change=edit_rule(i, set_lo)/>
                                    "–"
                                    <input type="number" min="1" max="9" aria-label=tf("rfm_editor.to_2", &[("what", &what.to_string())]) prop:value=hi on:change=edit_rule(i, set_hi)/>
                                </td>
                            };
                            view! {
                                <tr class:flagged=move || check.get().never_win.contains(&i)>
                                    <td class="num">{i + 1}</td>
                                    <td><input type="text" aria-label=t("rfm_editor.segment_name") prop:value=r.name.clone()
                                        on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.rules[i].name = v) }/></td>
                                    {range(r.r.0, r.r.1, Box::new(|x, v| x.r.0 = v), Box::new(|x, v| x.r.1 = v), t("rfm_editor.recency"))}
                                    {range(r.f.0, r.f.1, Box::new(|x, v| x.f.0 = v), Box::new(|x, v| x.f.1 = v), t("rfm_editor.frequency"))}
                                    {range(r.m.0, r.m.1, Box::new(|x, v| x.m.0 = v), Box::new(|x, v| x.m.1 = v), t("rfm_editor.monetary"))}
                                    <td class="num">{move || check.get().matched.get(i).copied().unwrap_or(0)}</td>
                                    <td class="num" title=move || {
                                        let c = check.get();
                                        let d = draft.get();
                                        let lost: Vec<String> = c.overlaps.iter().filter(|o| o.loser == i)
                                            .map(|o| tf("rfm_editor.to_3", &[("0", &o.cells.to_string()), ("1", &(d.rules.get(o.winner).map(|r| r.name.clone()).unwrap_or_default()).to_string())]))
                                            .collect();
                                        if lost.is_empty() { t("rfm_editor.it_loses_none_to_earlier") } else { tf("rfm_editor.loses", &[("0", &(lost.join(", ")).to_string())]) }
                                    }>{move || check.get().won.get(i).copied().unwrap_or(0)}</td>
                                    <td class="row-actions">
                                        <button class="ghost" title=t("rfm_editor.move_up") disabled=i == 0
                                            on:click=move |_| draft.update(|d| d.rules.swap(i, i - 1))>"↑"</button>
                                        <button class="ghost" title=t("rfm_editor.move_down") disabled=i + 1 == n
                                            on:click=move |_| draft.update(|d| d.rules.swap(i, i + 1))>"↓"</button>
                                        <button class="ghost" title=t("rfm_editor.remove")
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
                name: tf("rfm_editor.segment_2", &[("0", &(d.rules.len() + 1).to_string())]), r: (1, 1), f: (1, 1), m: (1, 1),
            }))>{t("rfm_editor.add_a_segment")}</button>
            <div class="rule-check" data-testid="rule-check" aria-live="polite">
                {move || {
                    let c = check.get();
                    let d = draft.get();
                    let name = |i: usize| d.rules.get(i).map(|r| r.name.clone()).unwrap_or_default();
                    let mut lines: Vec<(bool, String)> = Vec::new();
                    for i in &c.invalid {
                        lines.push((true, tf("rfm_editor.has_a_range_that_runs", &[("0", &(name(*i)).to_string())])));
                    }
                    let sharing: std::collections::BTreeSet<usize> = c.overlaps.iter().map(|o| o.loser).collect();
                    if !sharing.is_empty() {
                        lines.push((false, i18n::tn("rfm_editor.segments_share", sharing.len() as u64, &[])));
                    }
                    for i in &c.never_win {
                        lines.push((true, tf("rfm_editor.never_applies_earlier_segments_take", &[("0", &(name(*i)).to_string())])));
                    }
                    if c.uncovered.is_empty() {
                        lines.push((false, tf("rfm_editor.all_score_combinations_belong_to", &[("0", &c.cells.to_string())])));
                    } else {
                        let examples: Vec<String> = c.uncovered.iter().take(6).map(|(r, f, m)| format!("R{r} F{f} M{m}")).collect();
                        lines.push((true, tf("rfm_editor.of_score_combinations_match_no", &[("0", &(c.uncovered.len()).to_string()), ("1", &c.cells.to_string()), ("2", &(examples.join(", ")).to_string())])));
                    }
                    lines.into_iter().map(|(warn, text)| view! { <p class:warn=warn class:muted=!warn>{text}</p> }).collect_view()
                }}
            </div>
            <div class="thresholds">
                <button class="primary" data-testid="apply-rules"
                    on:click=move |_| crate::segments::actions::set_rfm_setup(state, draft.get_untracked())>{t("rfm_editor.apply")}</button>
                <button class="ghost" on:click=move |_| draft.set(current())>{t("rfm_editor.undo_my_changes")}</button>
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
                <h3>{t("rfm_editor.customers_by_recency_and_frequency")}</h3>
                <p class="muted small">{t("rfm_editor.rows_frequency_score_top_most")}</p>
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
                                            title=tf("rfm_editor.customers_revenue", &[("0", &format::int(*n)), ("1", &format::money(*revenue))])>
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
