//! Updating the project with next month's exports: the picker in the
//! project menu, the question an export that does not fit raises, and
//! "Since the last update" on the Overview (what the export brought, new
//! customers, who entered and left each segment, as lists to download).

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::data::start::file_list;
use crate::format;
use crate::i18n::{self, t, tf, tn};
use crate::journeys::sizes::group_label;
use crate::shell::{csv_field, save_csv};
use crate::state::AppState;
use seglens_engine::analysis::update::{GroupId, GroupMoves, Mode, Question, Since};
use seglens_engine::metrics::snapshot::notable_changes;

/// "Update with new exports…": the files chosen update the project in
/// use.
#[component]
pub fn UpdatePicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="button secondary file-picker" title=t("update.menu_help")>
            {t("update.menu")}
            <input
                type="file"
                multiple
                data-testid="update-input"
                accept=crate::data::start::ACCEPTED_FILES
                on:change=move |ev| {
                    let input: HtmlInputElement = event_target(&ev);
                    crate::data::actions::update_with_files(state, file_list(input.files()), false);
                    input.set_value("");
                }
            />
        </label>
    }
}

/// The question an export given as an update raises when it does not look
/// like the project's next export.
fn question_text(q: &Question) -> String {
    match q {
        Question::NoCustomerInCommon { customers } => {
            tn("update.question.no_customer_in_common", *customers, &[])
        }
        Question::Older {
            file_last,
            project_last,
        } => tf(
            "update.question.older",
            &[
                ("file_last", &format::date(*file_last)),
                ("project_last", &format::date(*project_last)),
            ],
        ),
        Question::NothingNew => t("update.question.nothing_new"),
    }
}

/// The question, with the two answers; nothing has changed while it is
/// asked.
#[component]
pub fn UpdateQuestionBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.update_question.get().map(|q| {
            view! {
                <div class="banner warning" role="alert" data-testid="update-question">
                    <p>{question_text(&q)}</p>
                    <div class="actions">
                        <button class="secondary" data-testid="update-anyway"
                            on:click=move |_| crate::data::actions::answer_update(state, true)>
                            {t("update.take_in")}
                        </button>
                        <button class="primary" data-testid="update-keep"
                            on:click=move |_| crate::data::actions::answer_update(state, false)>
                            {t("update.keep")}
                        </button>
                    </div>
                </div>
            }
        })
    }
}

/// A short name for files and test ids.
fn group_slug(group: &GroupId) -> String {
    match group {
        GroupId::Rfm(name) => format!("rfm-{}", i18n::slug(name)),
        GroupId::Lifecycle(stage) => format!("stage-{}", i18n::slug(stage.label())),
        GroupId::Saved(name) => format!("saved-{}", i18n::slug(name)),
    }
}

/// Downloads customer keys as a one-column CSV (`name`.csv).
fn download_keys(state: AppState, name: &str, keys: &[String]) {
    let mut text = String::from("customer_id\n");
    for key in keys {
        text.push_str(&csv_field(key));
        text.push('\n');
    }
    save_csv(state, name, &text);
}

/// A count that downloads its customers when there are some.
fn list_button(
    state: AppState,
    n: usize,
    file: String,
    keys: Vec<String>,
    test_id: String,
    title: String,
) -> AnyView {
    if n == 0 {
        return view! { <span class="muted">"0"</span> }.into_any();
    }
    view! {
        <button class="link" data-testid=test_id title=title
            on:click=move |_| download_keys(state, &file, &keys)>
            {format::int(n as u64)}
        </button>
    }
    .into_any()
}

/// One table of groups (RFM segments, lifecycle stages or saved
/// segments), the empty ones left out.
fn moves_table(state: AppState, caption: String, groups: Vec<GroupMoves>) -> Option<AnyView> {
    let rows: Vec<GroupMoves> = groups
        .into_iter()
        .filter(|g| g.before > 0 || g.after > 0)
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(
        view! {
            <table class="since">
                <caption>{caption}</caption>
                <thead><tr>
                    <th scope="col">{t("since.group")}</th>
                    <th scope="col" class="num">{t("since.before")}</th>
                    <th scope="col" class="num">{t("since.after")}</th>
                    <th scope="col" class="num" title=t("since.entered_help")>{t("since.entered")}</th>
                    <th scope="col" class="num" title=t("since.left_help")>{t("since.left")}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|g| {
                        let label = group_label(&g.group);
                        let slug = group_slug(&g.group);
                        let change = g.after as i64 - g.before as i64;
                        view! {
                            <tr data-testid=format!("since-row-{slug}")>
                                <th scope="row">{label.clone()}</th>
                                <td class="num">{format::int(g.before)}</td>
                                <td class="num nowrap">
                                    {format::int(g.after)}
                                    <span class="muted small">
                                        {match change {
                                            0 => String::new(),
                                            c if c > 0 => format!(" +{}", format::int(c as u64)),
                                            c => format!(" −{}", format::int(c.unsigned_abs())),
                                        }}
                                    </span>
                                </td>
                                <td class="num">{list_button(
                                    state,
                                    g.entered.len(),
                                    format!("entered-{slug}"),
                                    g.entered.clone(),
                                    format!("since-entered-{slug}"),
                                    tf("since.download_entered", &[("group", &label)]),
                                )}</td>
                                <td class="num">{list_button(
                                    state,
                                    g.left.len(),
                                    format!("left-{slug}"),
                                    g.left.clone(),
                                    format!("since-left-{slug}"),
                                    tf("since.download_left", &[("group", &label)]),
                                )}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    )
}

/// Each goal's move with the update: its value at the old analysis date
/// and now, and whether it is on track.
fn goals(state: AppState, since: &Since) -> Option<AnyView> {
    use crate::overview::goals::{GoalWords, goal_words, pace};
    let day_before = since.report.as_of_before - 1;
    let lines: Vec<AnyView> = state.workspace.with(|ws| {
        let ws = ws.as_ref()?;
        Some(
            ws.record
                .goals
                .iter()
                .map(|g| {
                    let GoalWords {
                        sentence,
                        now,
                        days,
                        status,
                        track,
                        format: f,
                    } = goal_words(ws, g);
                    // Before: the track's value at the old data's last day,
                    // else the KPI in the last snapshot of the old data.
                    let before =
                        track
                            .as_ref()
                            .and_then(|t| t.value_on(day_before))
                            .or_else(|| {
                                ws.record
                                    .snapshots
                                    .iter()
                                    .rev()
                                    .find(|s| s.as_of - 1 <= day_before)
                                    .and_then(|s| s.value(&g.segment, g.kpi))
                            });
                    let moved = match (before, status.current) {
                        (Some(a), Some(b)) => tf(
                            "since.goal_moved",
                            &[
                                ("from", &format::kpi_value(f, a)),
                                ("to", &format::kpi_value(f, b)),
                            ],
                        ),
                        _ => now,
                    };
                    let pace = track.map(|t| pace(&t, g.at_least, f));
                    view! {
                        <li data-testid="since-goal" class:met=status.met>
                            <strong>{sentence}</strong>
                            {format!(" · {moved}")}
                            {pace.map(|p| format!(" · {p}"))}
                            {days.map(|d| format!(" · {d}"))}
                        </li>
                    }
                    .into_any()
                })
                .collect(),
        )
    })?;
    (!lines.is_empty()).then(|| {
        view! {
            <h3>{t("since.goals")}</h3>
            <ul data-testid="since-goals">{lines}</ul>
        }
        .into_any()
    })
}

/// What the update did, in one sentence.
fn summary(since: &Since) -> String {
    let r = &since.report;
    let made = seglens_engine::model::date::parse_iso(&since.made)
        .map_or_else(|| since.made.clone(), format::date);
    let args = [
        ("file", since.file_name.as_str()),
        ("made", made.as_str()),
        (
            "added",
            &format::int(r.rows_in_file.saturating_sub(r.already_there)),
        ),
        ("rows", &format::int(r.rows_in_file)),
        ("already", &format::int(r.already_there)),
        ("dropped", &format::int(r.dropped)),
        ("before_rows", &format::int(r.rows_before)),
        ("first", &format::date(r.after.0)),
        ("last", &format::date(r.after.1)),
        ("as_of_before", &format::date(r.as_of_before)),
        ("as_of_after", &format::date(r.as_of_after)),
    ];
    match r.mode {
        Mode::Appended => tf("since.appended", &args),
        Mode::Replaced => tf("since.replaced", &args),
    }
}

/// "Since the last update": first on the Overview once the project has
/// been updated.
#[component]
pub fn SinceUpdateCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let since = state
            .workspace
            .with(|ws| ws.as_ref().and_then(|w| w.record.last_update.clone()))?;
        let new_customers = since.new_customers.clone();
        let n_new = new_customers.len();
        let of = |keep: fn(&GroupId) -> bool| -> Vec<GroupMoves> {
            since
                .groups
                .iter()
                .filter(|g| keep(&g.group))
                .cloned()
                .collect()
        };
        // The KPIs that moved notably between the snapshot before the
        // update and the update's own.
        let changes = state.workspace.with(|ws| {
            let snapshots = &ws.as_ref()?.record.snapshots;
            let n = snapshots.len();
            (n >= 2 && snapshots[n - 1].reason == "update")
                .then(|| notable_changes(&snapshots[n - 2], &snapshots[n - 1]))
        });
        let rfm = of(|g| matches!(g, GroupId::Rfm(_)));
        let stages = of(|g| matches!(g, GroupId::Lifecycle(_)));
        let saved = of(|g| matches!(g, GroupId::Saved(_)));
        Some(view! {
            <section class="card" data-testid="since-update" aria-labelledby="since-title">
                <h2 id="since-title">{t("since.title")}</h2>
                <p data-testid="since-summary">{summary(&since)}</p>
                <p data-testid="since-new-customers">
                    {tn("since.new_customers", n_new as u64, &[])}
                    " "
                    {(n_new > 0).then(|| view! {
                        <button class="link" data-testid="since-new-download"
                            on:click=move |_| download_keys(state, "new-customers", &new_customers)>
                            {t("since.download")}
                        </button>
                    })}
                </p>
                {changes.map(|c| if c.is_empty() {
                    view! { <p class="muted" data-testid="since-kpis">{t("since.no_kpi_change")}</p> }.into_any()
                } else {
                    let more = c.len() > 6;
                    view! {
                        <h3>{t("since.kpis")}</h3>
                        <p class="muted small">{t("history.better_worse_a_segment_s")}</p>
                        <ul data-testid="since-kpis">
                            {c.into_iter().take(6).map(|ch| view! {
                                <li class=match ch.better { Some(true) => "better", Some(false) => "worse", None => "" }>{i18n::change_in_full(&ch)}</li>
                            }).collect_view()}
                        </ul>
                        {more.then(|| view! { <p class="small"><button class="link" on:click=|_| crate::browser::scroll_to_id("history")>{t("since.all_kpis")}</button></p> })}
                    }.into_any()
                })}
                {goals(state, &since)}
                <h3>{t("since.moves")}</h3>
                <p class="muted small">{t("since.how")}</p>
                <div class="since-tables">
                    {moves_table(state, t("since.rfm"), rfm)}
                    {moves_table(state, t("since.stages"), stages)}
                    {moves_table(state, t("since.saved"), saved)}
                </div>
                {(!since.not_measured.is_empty()).then(|| view! {
                    <p class="muted small" data-testid="since-not-measured">
                        {tf("since.not_measured", &[("segments", &since.not_measured.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", "))])}
                    </p>
                })}
            </section>
        })
    }
}
