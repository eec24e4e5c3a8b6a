//! What sells together: category pairs bought by the same customers, for
//! all buyers or one segment.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::crosssell::{CrossSell, headline};

use crate::format;
use crate::protocol::{Audience, Request};
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
            let request = Request::CrossSell {
                options: ws.record.options.clone(),
                audience: who,
                lifecycle: ws.analysis.segments.lifecycle,
            };
            let answer = engine.cross_sell(request).await;
            result.try_set(Some(answer));
        });
    });
    move || {
        state.workspace.get().and_then(|ws| {
            if ws.analysis.segments.categories.is_empty() {
                return None;
            }
            let picker = super::over_time::audience_select(&ws, audience, "cross-sell-audience");
            Some(view! {
                <section class="card" id="cross-sell" data-testid="cross-sell">
                    <h2>"What sells together"</h2>
                    <p class="muted">
                        "Product categories bought by the same customers: of the customers who bought the first, the share who also bought the second (confidence), and how much more often than all the buyers looked at (lift above 1: they go together). Pairs bought together by fewer than 10 customers are left out."
                    </p>
                    <div class="thresholds">
                        <label>"Customers "
                            {picker}
                        </label>
                    </div>
                    {move || match result.get() {
                        None => view! { <p class="muted">"Counting…"</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error-text">{e}</p> }.into_any(),
                        Some(Ok(x)) => {
                            let rows = x.pairs.iter().take(12).map(|p| view! {
                                <tr>
                                    <td>{p.from.clone()}</td>
                                    <td>{p.to.clone()}</td>
                                    <td class="num" title=format!("{} of the {} buyers looked at", format::int(p.both), format::int(x.buyers))>{format::int(p.both)}</td>
                                    <td class="num" title=format!("{} of the {} who bought {}", format::int(p.both), format::int(p.from_buyers), p.from)>{format::percent(p.confidence)}</td>
                                    <td class="num">{format!("{:.2}×", p.lift)}</td>
                                </tr>
                            }).collect_view();
                            view! {
                                <p data-testid="cross-sell-headline">{headline(&x).unwrap_or_else(|| "Among these customers, no category goes with their most bought one much more often than chance (lift 1.1 or more).".into())}</p>
                                <div class="table-wrap" tabindex="0">
                                    <table data-testid="cross-sell-table">
                                        <thead><tr>
                                            <th scope="col">"Who bought"</th><th scope="col">"Also bought"</th>
                                            <th scope="col" class="num">"Customers (both)"</th>
                                            <th scope="col" class="num" title="Buyers of both ÷ buyers of the first">"Confidence"</th>
                                            <th scope="col" class="num" title="Confidence ÷ share of all these buyers who bought the second">"Lift"</th>
                                        </tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                <p class="muted small">{format!("{} buyers looked at; most bought: {}.", format::int(x.buyers),
                                    x.categories.iter().take(5).map(|(c, n)| format!("{c} ({})", format::int(*n))).collect::<Vec<_>>().join(", "))}</p>
                            }.into_any()
                        }
                    }}
                </section>
            })
        })
    }
}
