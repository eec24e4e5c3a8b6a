//! Suggested actions for a segment, with subject lines and messages to
//! edit and copy.

use leptos::prelude::*;
use seglens_engine::playbook;

use crate::actions;
use crate::format;
use crate::state::AppState;

/// The suggestions card.
#[component]
pub fn Suggestions() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chosen = RwSignal::new(0usize);
    move || {
        state.workspace.get().map(|ws| {
            let table = ws.analysis.kpis.clone();
            let sizes = ws.analysis.non_empty_segments();
            if !sizes.iter().any(|(i, _, _)| *i == chosen.get_untracked())
                && let Some((first, _, _)) = sizes.first()
            {
                chosen.set(*first);
            }
            let options = sizes
                .iter()
                .map(|(i, name, n)| {
                    let i = *i;
                    view! { <option value=i.to_string() selected=move || chosen.get() == i>{format!("{name} ({})", format::int(*n))}</option> }
                })
                .collect_view();
            let list = move || {
                playbook::suggest(&table, chosen.get())
                    .into_iter()
                    .map(|s| {
                        let subjects = s.subjects.into_iter().map(|line| {
                            let copy = line.clone();
                            view! {
                                <li>
                                    <span>{line}</span>
                                    <button class="ghost" title="Copy" on:click=move |_| actions::copy_text(state, copy.clone())>"Copy"</button>
                                </li>
                            }
                        }).collect_view();
                        let messages = s.messages.into_iter().map(|text| {
                            let draft = RwSignal::new(text.clone());
                            view! {
                                <div class="message">
                                    <textarea rows="6" aria-label="Message" prop:value=move || draft.get()
                                        on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                                    <button class="ghost" on:click=move |_| actions::copy_text(state, draft.get_untracked())>"Copy message"</button>
                                </div>
                            }
                        }).collect_view();
                        view! {
                            <article class="suggestion" data-testid="suggestion">
                                <h3>{s.action}</h3>
                                <p>{s.why}</p>
                                <h4>"Subject lines"</h4>
                                <ul class="subjects">{subjects}</ul>
                                <h4>"Messages"</h4>
                                {messages}
                            </article>
                        }
                    })
                    .collect_view()
            };
            view! {
                <section class="card" id="suggestions" data-testid="suggestions">
                    <h2>"What to do with a segment"</h2>
                    <p class="muted">
                        "Suggested campaigns that fit the segment, the figures behind the choice, and subject lines and messages to start from. {first_name} and {last_category} are placeholders for your e-mail tool; edit the text, then copy it."
                    </p>
                    <label>"Segment "
                        <select data-testid="suggest-segment" on:change=move |ev| {
                            if let Ok(i) = event_target_value(&ev).parse::<usize>() { chosen.set(i) }
                        }>{options}</select>
                    </label>
                    {list}
                </section>
            }
        })
    }
}
