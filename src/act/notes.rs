//! Notes: what the team observed or decided about a segment, a KPI or the
//! whole analysis, dated, kept with the project and printed in the report.

use leptos::prelude::*;

use crate::i18n::t;

use crate::state::AppState;

/// The notes card.
#[component]
pub fn NotesCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let about = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    move || {
        state.workspace.get().map(|ws| {
            // What a note can be about: the segments shown, the saved
            // segments, the KPIs.
            // Each as (what is kept, what is shown).
            let named = |name: &String| (name.clone(), crate::i18n::group_name(name));
            let mut subjects: Vec<(String, Vec<(String, String)>)> = vec![
                (t("notes.segments"), ws.analysis.summary.iter().map(|s| named(&s.segment)).collect()),
                (t("notes.my_segments"), ws.record.options.segments.iter().map(|s| (s.name.clone(), crate::i18n::saved_name(s))).collect()),
                ("KPIs".into(), ws.analysis.kpis.kpis.iter().map(|k| (k.name.clone(), crate::i18n::kpi_name(k))).collect()),
            ];
            subjects.retain(|(_, v)| !v.is_empty());
            let shown: std::collections::HashMap<String, String> =
                subjects.iter().flat_map(|(_, v)| v.iter().cloned()).collect();
            let notes = ws.record.notes.clone();
            let empty = notes.is_empty();
            let list = notes.into_iter().enumerate().rev().map(|(i, n)| {
                let about = if n.about.is_empty() { t("notes.the_whole_analysis") } else { shown.get(&n.about).cloned().unwrap_or_else(|| n.about.clone()) };
                view! {
                    <li class="note" data-testid="note">
                        <div>
                            <strong>{about}</strong>
                            <span class="muted small">{format!(" · {}", n.written)}</span>
                            <p>{n.text.clone()}</p>
                        </div>
                        <button class="ghost" title=t("notes.delete_this_note") aria-label=t("notes.delete_this_note")
                            on:click=move |_| crate::act::actions::edit_notes(state, None, Some(i))>"✕"</button>
                    </li>
                }
            }).collect_view();
            view! {
                <section class="card" id="notes" data-testid="notes">
                    <h2>{t("notes.notes")}</h2>
                    <p class="muted">{t("notes.write_down_what_you_saw")}</p>
                    {if empty {
                        view! { <p class="hint">{t("notes.no_note_yet")}</p> }.into_any()
                    } else {
                        view! { <ul class="notes">{list}</ul> }.into_any()
                    }}
                    <div class="note-form">
                        <label>{t("notes.about")}
                            <select data-testid="note-about" on:change=move |ev| about.set(event_target_value(&ev))>
                                <option value="">{t("notes.the_whole_analysis")}</option>
                                {subjects.into_iter().map(|(group, names)| view! {
                                    <optgroup label=group>
                                        {names.into_iter().map(|(value, name)| view! { <option value=value>{name}</option> }).collect_view()}
                                    </optgroup>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="grow">{t("notes.note")}
                            <textarea rows="2" data-testid="note-text" prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                        </label>
                        <button class="secondary" data-testid="note-add" on:click=move |_| {
                            crate::act::actions::edit_notes(state, Some((about.get_untracked(), text.get_untracked())), None);
                            text.set(String::new());
                        }>{t("notes.add_the_note")}</button>
                    </div>
                </section>
            }
        })
    }
}
