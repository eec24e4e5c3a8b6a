//! What sells together: category pairs bought by the same customers, for
//! all buyers or one segment.

use leptos::prelude::*;

use crate::i18n::{t, tf};
use leptos::task::spawn_local;
use seglens_engine::journeys::crosssell::CrossSell;

use crate::format;
use crate::protocol::{Audience, ask};
use crate::state::AppState;

/// The cross-sell card, shown when the orders have categories.
#[component]
pub fn CrossSellCard() -> impl IntoView {
    let state = expect_context::<AppState>();
    let result = RwSignal::new(None::<Result<CrossSell, String>>);
    let audience = RwSignal::new(Audience::All);
    // Recomputed when the audience or the analysis changes; an answer for
    // a card already redrawn is dropped.
    Effect::new(move |_| {
        let who = audience.get();
        let Some(ws) = state.workspace.get() else {
            return;
        };
        if ws.analysis.segments.categories.is_empty() {
            return;
        }
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let request = ask::CrossSell {
                options: ws.record.options.clone(),
                audience: who,
                lifecycle: ws.analysis.segments.lifecycle,
            };
            let answer = engine.ask(request).await;
            result.try_set(Some(answer));
        });
    });
    move || {
        state.workspace.get().and_then(|ws| {
            if ws.analysis.segments.categories.is_empty() {
                return None;
            }
            let picker = crate::journeys::over_time::audience_select(&ws, audience, "cross-sell-audience");
            Some(view! {
                <section class="card" id="cross-sell" data-testid="cross-sell">
                    <h2>{t("crosssell.what_sells_together")}</h2>
                    <p class="muted">
                        {t("crosssell.product_categories_bought_by_the")}
                    </p>
                    <div class="thresholds">
                        <label>{t("crosssell.customers")}
                            {picker}
                        </label>
                    </div>
                    {move || match result.get() {
                        None => view! { <p class="muted">{t("crosssell.counting")}</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok(x)) => {
                            let rows = x.pairs.iter().take(12).map(|p| view! {
                                <tr>
                                    <td>{p.from.clone()}</td>
                                    <td>{p.to.clone()}</td>
                                    <td class="num" title=tf("crosssell.of_the_buyers_looked_at", &[("0", &format::int(p.both)), ("1", &format::int(x.buyers))])>{format::int(p.both)}</td>
                                    <td class="num" title=tf("crosssell.of_the_who_bought", &[("0", &format::int(p.both)), ("1", &format::int(p.from_buyers)), ("2", &p.from.to_string())])>{format::percent(p.confidence)}</td>
                                    <td class="num">{format!("{}×", format::decimal(p.lift, 2))}</td>
                                </tr>
                            }).collect_view();
                            view! {
                                <p data-testid="cross-sell-headline">{crate::i18n::cross_sell_headline(&x).unwrap_or_else(|| t("crosssell.among_these_customers_no_category"))}</p>
                                <div class="table-wrap" tabindex="0">
                                    <table data-testid="cross-sell-table">
                                        <thead><tr>
                                            <th scope="col">{t("crosssell.who_bought")}</th><th scope="col">{t("crosssell.also_bought")}</th>
                                            <th scope="col" class="num">{t("crosssell.customers_both")}</th>
                                            <th scope="col" class="num" title=t("crosssell.buyers_of_both_buyers_of")>{t("crosssell.confidence")}</th>
                                            <th scope="col" class="num" title=t("crosssell.confidence_share_of_all_these")>{t("crosssell.lift")}</th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                <p class="muted small">{tf("crosssell.buyers_looked_at_most_bought", &[("0", &format::int(x.buyers)), ("1", &(x.categories.iter().take(5).map(|(c, n)| format!("{c} ({})", format::int(*n))).collect::<Vec<_>>().join(", ")).to_string())])}</p>
                            }.into_any()
                        }
                    }}
                </section>
            })
        })
    }
}
