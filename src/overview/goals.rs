//! Goals: a KPI of a segment to bring to a target by a deadline, with where
//! it stands now; or a count within a period ("25 customers place a second
//! order within 45 days"), with how many remain.

use leptos::prelude::*;
use seglens_engine::metrics::goal_track::{self, Track};
use seglens_engine::metrics::kpi::{self, Goal, KpiFormat, KpiId};
use seglens_engine::model::date::{format_iso, parse_iso};

use crate::format;
use crate::i18n::{self, t, tf};
use crate::state::AppState;

/// The goals card.
#[component]
pub fn GoalsCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let kpi = RwSignal::new(KpiId::Nps);
    let segment = RwSignal::new("All customers".to_string());
    let at_least = RwSignal::new(true);
    let target = RwSignal::new(String::new());
    let deadline = RwSignal::new(String::new());
    let since = RwSignal::new(String::new());
    move || {
        state.workspace.get().map(|ws| {
            let table = ws.analysis.kpis.clone();
            let as_of = ws.analysis.as_of;
            let defs = table.kpis.clone();
            let period_defs = kpi::period_definitions();
            let format_of = {
                let table = table.clone();
                move |id: KpiId| kpi::goal_definition(&table, id).map(|d| d.format).unwrap_or(KpiFormat::Number)
            };
            let saved = ws.record.options.segments.clone();
            let list = ws.record.goals.iter().enumerate().map(|(i, g)| {
                let GoalWords { sentence, now, days, status: s, track, format: f } = goal_words(&ws, g);
                let at_least_goal = g.at_least;
                view! {
                    <li class="goal" class:met=s.met data-testid="goal">
                        <div class="goal-text"><strong>{sentence}</strong><span class="muted">{format!(" · {now}")}{days.map(|d| format!(" · {d}"))}</span></div>
                        <progress max="1" value=s.progress.unwrap_or(0.0) aria-label=t("goals.progress_towards_the_goal")></progress>
                        <button class="ghost" title=t("goals.remove_this_goal") on:click=move |_| crate::overview::actions::edit_goals(state, None, Some(i))>"✕"</button>
                        {track.map(|track| track_view(&track, at_least_goal, f))}
                    </li>
                }
            }).collect_view();
            let option = move |d: &kpi::KpiDef| {
                let id = d.id;
                view! { <option value=d.id.as_str() title=i18n::kpi_formula(d) selected=move || kpi.get() == id>{i18n::kpi_name(d)}</option> }
            };
            let kpi_options = defs.iter().filter(|d| d.id != KpiId::Revenue).map(option).collect_view();
            let period_options = period_defs.iter().map(option).collect_view();
            let segment_options = table.groups.iter().map(|g| {
                let name = g.clone();
                view! { <option value=g.clone() selected=move || segment.get() == name>{i18n::segment_name(g, &saved)}</option> }
            }).collect_view();
            let add = move |_| {
                let id = kpi.get_untracked();
                let rate = format_of(id) == KpiFormat::Rate;
                let Ok(mut t) = target.get_untracked().replace(',', ".").trim().trim_end_matches('%').parse::<f64>() else {
                    state.error.set(Some(t("goals.type_a_number_for_the")));
                    return;
                };
                if rate {
                    t /= 100.0;
                }
                let since = id.is_period_count().then(|| parse_iso(&since.get_untracked()).unwrap_or(as_of));
                crate::overview::actions::edit_goals(state, Some(Goal {
                    kpi: id,
                    segment: segment.get_untracked(),
                    at_least: at_least.get_untracked(),
                    target: t,
                    deadline: parse_iso(&deadline.get_untracked()),
                    since,
                }), None);
                target.set(String::new());
            };
            view! {
                <section class="card" id="goals" data-testid="goals">
                    <h2>{t("goals.goals")}</h2>
                    <p class="muted">{t("goals.set_a_target_on_any")}</p>
                    <ul class="goals">{list}</ul>
                    <div class="thresholds">
                        <select aria-label="KPI" data-testid="goal-kpi" on:change=move |ev| if let Ok(id) = event_target_value(&ev).parse() { kpi.set(id) }>
                            <optgroup label="KPIs">{kpi_options}</optgroup>
                            <optgroup label=t("goals.counts_within_a_period")>{period_options}</optgroup>
                        </select>
                        " " {t("goals.of_word")} " "
                        <select aria-label=t("goals.segment") data-testid="goal-segment" on:change=move |ev| segment.set(event_target_value(&ev))>{segment_options}</select>
                        <select aria-label=t("goals.at_least_or_at_most") on:change=move |ev| at_least.set(event_target_value(&ev) == "min")>
                            <option value="min">{t("goals.at_least")}</option>
                            <option value="max">{t("goals.at_most")}</option>
                        </select>
                        <input type="text" inputmode="decimal" aria-label=t("goals.target") placeholder=t("goals.target_placeholder") data-testid="goal-target"
                            prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))/>
                        <Show when=move || kpi.get().is_period_count()>
                            <label>{t("goals.from_label")} " " <input type="date" aria-label=t("goals.first_day_counted") data-testid="goal-since"
                                prop:value=move || if since.get().is_empty() { format_iso(as_of) } else { since.get() }
                                on:change=move |ev| since.set(event_target_value(&ev))/></label>
                        </Show>
                        <label>{t("goals.by_label")} " " <input type="date" aria-label=t("goals.deadline") data-testid="goal-deadline"
                            prop:value=move || deadline.get() on:change=move |ev| deadline.set(event_target_value(&ev))/></label>
                        <button class="secondary" data-testid="add-goal" on:click=add>{t("goals.add_goal")}</button>
                    </div>
                </section>
            }
        })
    }
}

/// A goal as the page words it.
pub(crate) struct GoalWords {
    /// "NPS of Champions at least 50 by 30/06/2026".
    pub sentence: String,
    /// Its value now, and whether it is reached or how many are missing.
    pub now: String,
    /// The days left to its deadline, or since it passed.
    pub days: Option<String>,
    /// Where it stands.
    pub status: kpi::GoalStatus,
    /// Its track against the path to its target, when it has a deadline.
    pub track: Option<Track>,
    /// How its KPI's values are written.
    pub format: KpiFormat,
}

/// Words a goal of the workspace, with its status and track at the
/// analysis date.
pub(crate) fn goal_words(ws: &crate::state::Workspace, g: &Goal) -> GoalWords {
    let table = &ws.analysis.kpis;
    let periods = &ws.analysis.period_counts;
    let as_of = ws.analysis.as_of;
    let saved = &ws.record.options.segments;
    let is_period = g.kpi.is_period_count();
    let status = kpi::goal_status(table, periods, g, as_of);
    let track = if is_period {
        table
            .groups
            .iter()
            .position(|n| *n == g.segment)
            .and_then(|at| periods.get(at))
            .and_then(|p| goal_track::period_track(p, g, as_of))
    } else {
        goal_track::snapshot_track(&ws.record.snapshots, g)
    };
    let def = kpi::goal_definition(table, g.kpi);
    let f = def.as_ref().map(|d| d.format).unwrap_or(KpiFormat::Number);
    let name = def.as_ref().map(i18n::kpi_name).unwrap_or_default();
    let period = if is_period {
        tf(
            "goals.from",
            &[("0", &format::date(g.since.unwrap_or(as_of)))],
        )
    } else {
        String::new()
    };
    let sentence = tf(
        "goals.of",
        &[
            ("name", &name.to_string()),
            ("0", &i18n::segment_name(&g.segment, saved)),
            (
                "1",
                &(if g.at_least {
                    t("goals.at_least")
                } else {
                    t("goals.at_most")
                })
                .to_string(),
            ),
            ("2", &format::kpi_value(f, g.target)),
            ("period", &period.to_string()),
            (
                "3",
                &(g.deadline
                    .map(|d| tf("goals.by", &[("0", &format::date(d))]))
                    .unwrap_or_default())
                .to_string(),
            ),
        ],
    );
    let now = match status.current {
        Some(v) => tf(
            "goals.now",
            &[
                ("0", &format::kpi_value(f, v)),
                (
                    "1",
                    &(if status.met {
                        t("goals.reached")
                    } else {
                        String::new()
                    }),
                ),
                (
                    "2",
                    &(status
                        .remaining
                        .filter(|r| *r > 0.0)
                        .map(|r| tf("goals.to_go", &[("0", &format::int(r as u64))]))
                        .unwrap_or_default())
                    .to_string(),
                ),
            ],
        ),
        None => t("goals.no_value_yet_see_what"),
    };
    let days = status.days_left.map(|d| {
        if d >= 0 {
            tf("goals.days_left", &[("d", &d.to_string())])
        } else {
            tf(
                "goals.deadline_passed_days_ago",
                &[("0", &(-d).to_string())],
            )
        }
    });
    GoalWords {
        sentence,
        now,
        days,
        status,
        track,
        format: f,
    }
}

/// Whether a goal is on track: its last value against the one the
/// straight path to its target expects then.
pub(crate) fn pace(track: &Track, at_least: bool, f: KpiFormat) -> String {
    let last = track.points.last().copied().unwrap_or(track.start);
    let key = if track.on_track(at_least) {
        "goals.track.on"
    } else {
        "goals.track.behind"
    };
    tf(
        key,
        &[
            ("actual", &format::kpi_value(f, track.actual_now)),
            ("expected", &format::kpi_value(f, track.expected_now)),
            ("day", &format::date(last.0)),
        ],
    )
}

/// Where a goal stands against the straight path to its target: a
/// sentence, and the burn-up chart (the path dashed, the values solid).
fn track_view(track: &Track, at_least: bool, f: KpiFormat) -> AnyView {
    let (w, h, left, right, top, bottom) = (560.0, 150.0, 48.0, 12.0, 10.0, 28.0);
    let (d0, d1) = (track.start.0, track.end.0.max(track.start.0 + 1));
    let values = track
        .points
        .iter()
        .map(|p| p.1)
        .chain([track.start.1, track.end.1]);
    let lo = values.clone().fold(f64::INFINITY, f64::min).min(0.0);
    let hi = values.fold(f64::NEG_INFINITY, f64::max).max(lo + 1e-9);
    let x = |d: seglens_engine::model::date::Day| {
        left + f64::from(d.clamp(d0, d1) - d0) / f64::from(d1 - d0) * (w - left - right)
    };
    let y = |v: f64| top + (hi - v) / (hi - lo) * (h - top - bottom);
    let actual = track
        .points
        .iter()
        .map(|(d, v)| format!("{:.1},{:.1}", x(*d), y(*v)))
        .collect::<Vec<_>>()
        .join(" ");
    let last = track.points.last().copied().unwrap_or(track.start);
    let sentence = pace(track, at_least, f);
    let label = tf(
        "goals.track.chart",
        &[
            ("from", &format::date(d0)),
            ("to", &format::date(track.end.0)),
            ("target", &format::kpi_value(f, track.end.1)),
        ],
    );
    let title = label.clone();
    view! {
        <details class="goal-track" data-testid="goal-track">
            <summary data-testid="goal-pace">{sentence}</summary>
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=label>
                <title>{title}</title>
                <line x1=left y1=h - bottom x2=w - right y2=h - bottom class="axis"/>
                <line class="path" x1=format!("{:.1}", x(track.start.0)) y1=format!("{:.1}", y(track.start.1))
                    x2=format!("{:.1}", x(track.end.0)) y2=format!("{:.1}", y(track.end.1))
                    stroke="currentColor" stroke-dasharray="6 4" stroke-width="1.5"/>
                <polyline points=actual fill="none" stroke="#0072B2" stroke-width="2.5"/>
                <circle cx=format!("{:.1}", x(last.0)) cy=format!("{:.1}", y(last.1)) r="4" fill="#0072B2"/>
                <text x="4" y=format!("{:.1}", y(hi) + 4.0) class="tick">{format::kpi_value(f, hi)}</text>
                <text x="4" y=format!("{:.1}", y(lo)) class="tick">{format::kpi_value(f, lo)}</text>
                <text x=left y=h - 8.0 class="tick">{format::date(d0)}</text>
                <text x=w - right y=h - 8.0 text-anchor="end" class="tick">{format::date(track.end.0)}</text>
            </svg>
        </details>
    }
    .into_any()
}
