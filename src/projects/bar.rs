//! Projects: one per business or client, side by side in this browser.
//! Switch between them, start a new one, delete the one in use.

use leptos::prelude::*;

use crate::i18n::t;

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
                <label>{t("projects.project")}
                    <select data-testid="project-select" on:change=move |ev| crate::projects::actions::switch_project(state, event_target_value(&ev))>
                        {(!in_list).then(|| view! { <option value=current.clone() selected=true>{t("projects.new_project_nothing_imported_yet")}</option> })}
                        {projects.iter().map(|p| view! {
                            <option value=p.id.clone() selected=p.id == current>
                                {format!("{} — {}", crate::i18n::name("source", &p.name), format::bytes(p.bytes))}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <button class="secondary" data-testid="new-project" title=t("projects.start_an_empty_project_the")
                    on:click=move |_| crate::projects::actions::new_project(state)>{t("projects.new_project")}</button>
                {move || if confirm.get() {
                    view! {
                        <span class="confirm">
                            {t("projects.delete_this_project_and_its")}
                            <button class="danger" data-testid="confirm-delete-project" on:click=move |_| {
                                confirm.set(false);
                                crate::projects::actions::delete_project(state);
                            }>{t("projects.delete")}</button>
                            <button class="ghost" on:click=move |_| confirm.set(false)>{t("projects.keep")}</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button class="ghost" data-testid="delete-project" disabled=!in_list
                            on:click=move |_| confirm.set(true)>{t("projects.delete_this_project")}</button>
                    }.into_any()
                }}
            </div>
        }
    }
}
