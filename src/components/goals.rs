//! Goals: a KPI of a segment to bring to a target by a deadline, with where
//! it stands now.

use leptos::prelude::*;
use seglens_engine::date::{format_iso, parse_iso};
use seglens_engine::kpi::{self, Goal, KpiFormat};

use crate::actions;
use crate::format;
use crate::state::AppState;

/// The goals card.
#[component]
pub fn GoalsCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let kpi = RwSignal::new("nps".to_string());
    let segment = RwSignal::new("All customers".to_string());
    let at_least = RwSignal::new(true);
    let target = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    move || {
        state.workspace.get().map(|ws| {
            let table = ws.analysis.kpis.clone();
            let as_of = ws.analysis.as_of;
            let defs = table.kpis.clone();
            let format_of = {
                let defs = defs.clone();
                move |id: &str| defs.iter().find(|d| d.id == id).map(|d| d.format).unwrap_or(KpiFormat::Number)
            };
            let list = ws.record.goals.iter().enumerate().map(|(i, g)| {
                let s = kpi::goal_status(&table, g, as_of);
                let f = format_of(&g.kpi);
                let name = defs.iter().find(|d| d.id == g.kpi).map(|d| d.name.clone()).unwrap_or_default();
                let sentence = format!(
                    "{name} of {} {} {}{}",
                    g.segment,
                    if g.at_least { "at least" } else { "at most" },
                    format::kpi_value(f, g.target),
                    g.deadline.map(|d| format!(" by {}", format_iso(d))).unwrap_or_default()
                );
                let now = match s.current {
                    Some(v) => format!(
                        "now {}{}{}",
                        format::kpi_value(f, v),
                        if s.met { " — reached" } else { "" },
                        s.remaining.filter(|r| *r > 0.0).map(|r| format!(" — {} to go", format::int(r as u64))).unwrap_or_default()
                    ),
                    None => "no value yet (see what the KPI needs)".into(),
                };
                let days = s.days_left.map(|d| if d >= 0 { format!("{d} days left") } else { format!("deadline passed {} days ago", -d) });
                view! {
                    <li class="goal" class:met=s.met data-testid="goal">
                        <div class="goal-text"><strong>{sentence}</strong><span class="muted">{format!(" · {now}")}{days.map(|d| format!(" · {d}"))}</span></div>
                        <progress max="1" value=s.progress.unwrap_or(0.0) aria-label="Progress towards the goal"></progress>
                        <button class="ghost" title="Remove this goal" on:click=move |_| actions::edit_goals(state, None, Some(i))>"✕"</button>
                    </li>
                }
            }).collect_view();
            let kpi_options = defs.iter().filter(|d| d.id != "revenue").map(|d| {
                let id = d.id.clone();
                view! { <option value=d.id.clone() selected=move || kpi.get() == id>{d.name.clone()}</option> }
            }).collect_view();
            let segment_options = table.groups.iter().map(|g| {
                let name = g.clone();
                view! { <option value=g.clone() selected=move || segment.get() == name>{g.clone()}</option> }
            }).collect_view();
            let add = move |_| {
                let id = kpi.get_untracked();
                let rate = format_of(&id) == KpiFormat::Rate;
                let Ok(mut t) = target.get_untracked().replace(',', ".").trim().trim_end_matches('%').parse::<f64>() else {
                    state.error.set(Some("Type a number for the goal's target.".into()));
                    return;
                };
                if rate {
                    t /= 100.0;
                }
                actions::edit_goals(state, Some(Goal {
                    kpi: id,
                    segment: segment.get_untracked(),
                    at_least: at_least.get_untracked(),
                    target: t,
                    deadline: parse_iso(&deadline.get_untracked()),
                }), None);
                target.set(String::new());
            };
            view! {
                <section class="card" id="goals" data-testid="goals">
                    <h2>"Goals"</h2>
                    <p class="muted">"Set a target on any KPI of a segment, with a deadline if you like; each goal shows where it stands at the analysis date. Rates are typed in percent."</p>
                    <ul class="goals">{list}</ul>
                    <div class="thresholds">
                        <select aria-label="KPI" data-testid="goal-kpi" on:change=move |ev| kpi.set(event_target_value(&ev))>{kpi_options}</select>
                        "of"
                        <select aria-label="Segment" data-testid="goal-segment" on:change=move |ev| segment.set(event_target_value(&ev))>{segment_options}</select>
                        <select aria-label="At least or at most" on:change=move |ev| at_least.set(event_target_value(&ev) == "min")>
                            <option value="min">"at least"</option>
                            <option value="max">"at most"</option>
                        </select>
                        <input type="text" inputmode="decimal" aria-label="Target" placeholder="target" data-testid="goal-target"
                            prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))/>
                        <label>"by " <input type="date" aria-label="Deadline" data-testid="goal-deadline"
                            prop:value=move || deadline.get() on:change=move |ev| deadline.set(event_target_value(&ev))/></label>
                        <button class="secondary" data-testid="add-goal" on:click=add>"Add goal"</button>
                    </div>
                </section>
            }
        })
    }
}
