//! Projects: one per business or client, side by side in this browser.
//! Switch between them, start a new one, delete the one in use.

use leptos::prelude::*;

use crate::actions;
use crate::format;
use crate::state::AppState;

/// The project switcher: the projects stored here with their size, a new
/// project, and deleting the one in use (after a confirmation).
#[component]
pub fn ProjectBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let confirm = RwSignal::new(false);
    move || {
        let projects = state.projects.get();
        let current = state.project.get();
        let in_list = projects.iter().any(|p| p.id == current);
        view! {
            <div class="project-bar" data-testid="projects">
                <label>"Project "
                    <select data-testid="project-select" on:change=move |ev| actions::switch_project(state, event_target_value(&ev))>
                        {(!in_list).then(|| view! { <option value=current.clone() selected=true>"New project (nothing imported yet)"</option> })}
                        {projects.iter().map(|p| view! {
                            <option value=p.id.clone() selected=p.id == current>
                                {format!("{} — {}", p.name, format::bytes(p.bytes))}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <button class="secondary" data-testid="new-project" title="Start an empty project; the others stay as they are"
                    on:click=move |_| actions::new_project(state)>"New project"</button>
                {move || if confirm.get() {
                    view! {
                        <span class="confirm">
                            "Delete this project and its data?"
                            <button class="danger" data-testid="confirm-delete-project" on:click=move |_| {
                                confirm.set(false);
                                actions::delete_project(state);
                            }>"Delete"</button>
                            <button class="ghost" on:click=move |_| confirm.set(false)>"Keep"</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button class="ghost" data-testid="delete-project" disabled=!in_list
                            on:click=move |_| confirm.set(true)>"Delete this project"</button>
                    }.into_any()
                }}
            </div>
        }
    }
}
