//! Suggested actions per segment: which campaign fits it and the KPI
//! figures behind the choice. The page words them (what to do, why,
//! subject lines and messages with placeholders such as `{first_name}` and
//! `{last_category}`) in the reader's language, from its catalogue under
//! `play.ID`. Rules only: nothing is asked of any online service.

use serde::{Deserialize, Serialize};

use crate::metrics::kpi::KpiTable;

/// One suggested action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The campaign, by id: `loyalty`, `win_back`, `welcome`,
    /// `reactivation`, `re_engagement`, `cross_sell` or `newsletter`.
    pub play: &'static str,
    /// The segment's customers.
    pub customers: u64,
    /// The figures behind the choice: KPI id, the segment's value, all
    /// customers' value.
    pub figures: Vec<(&'static str, f64, f64)>,
}

fn value(table: &KpiTable, group: usize, id: &str) -> Option<f64> {
    let k = table.kpis.iter().position(|d| d.id == id)?;
    table.values.get(group)?.get(k)?.value
}

/// Suggestions for the segment `group` of a KPI table, most fitting first.
/// The segment's name selects the playbook (R `rfm` and e-mail-tool names
/// are known); its KPIs against all customers add or reorder actions.
pub fn suggest(table: &KpiTable, group: usize) -> Vec<Suggestion> {
    let Some(name) = table.groups.get(group) else {
        return Vec::new();
    };
    let base = table.groups.len() - 1;
    let get = |id: &str| value(table, group, id);
    let all = |id: &str| value(table, base, id);
    let customers = get("customers").unwrap_or(0.0).max(0.0) as u64;
    let n = name.to_lowercase();
    let figures = |ids: &[&'static str]| -> Vec<(&'static str, f64, f64)> {
        ids.iter()
            .filter_map(|id| Some((*id, get(id)?, all(id)?)))
            .collect()
    };
    let mut out = Vec::new();
    let mut push = |play: &'static str, ids: &[&'static str]| {
        out.push(Suggestion {
            play,
            customers,
            figures: figures(ids),
        });
    };
    if n.contains("champion") || n == "loyal" || n.contains("loyal customers") {
        push(
            "loyalty",
            &["revenue_per_customer", "orders_per_customer", "nps"],
        );
    }
    if n.contains("risk")
        || n.contains("can't lose")
        || n.contains("need attention")
        || n.contains("needs attention")
        || n.contains("about to sleep")
    {
        push(
            "win_back",
            &["churn_rate", "revenue_per_customer", "predicted_clv"],
        );
    }
    if n.contains("new") || n.contains("recent") || n.contains("promising") {
        push("welcome", &["repeat_rate", "orders_per_customer"]);
    }
    if n.contains("lost") || n.contains("inactive") || n.contains("hibernat") {
        push("reactivation", &["churn_rate", "open_rate"]);
    }
    if let (Some(open), Some(base_open)) = (get("open_rate"), all("open_rate"))
        && open < base_open * 0.8
    {
        push("re_engagement", &["open_rate"]);
    }
    if get("repeat_rate").is_some_and(|r| r >= 0.5) {
        push("cross_sell", &["repeat_rate"]);
    }
    let nothing_fits = out.is_empty();
    if nothing_fits {
        out.push(Suggestion {
            play: "newsletter",
            customers,
            figures: figures(&["revenue_per_customer", "repeat_rate"]),
        });
    }
    out
}

/// Every play [`suggest`] can return.
pub const PLAYS: [&str; 7] = [
    "loyalty",
    "win_back",
    "welcome",
    "reactivation",
    "re_engagement",
    "cross_sell",
    "newsletter",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::kpi::{KpiValue, definitions};

    fn table(name: &str, values: &[(&str, f64, f64)]) -> KpiTable {
        let defs = definitions();
        let row = |which: usize| {
            defs.iter()
                .map(|d| KpiValue {
                    value: values
                        .iter()
                        .find(|v| v.0 == d.id)
                        .map(|v| if which == 0 { v.1 } else { v.2 }),
                    ..KpiValue::default()
                })
                .collect()
        };
        KpiTable {
            kpis: defs.clone(),
            groups: vec![name.into(), "All customers".into()],
            values: vec![row(0), row(1)],
            churn_period_days: 90,
        }
    }

    #[test]
    fn playbooks_follow_the_segment_and_its_figures() {
        let t = table(
            "At Risk",
            &[
                ("customers", 42.0, 4732.0),
                ("churn_rate", 0.6, 0.28),
                ("open_rate", 0.1, 0.3),
            ],
        );
        let s = suggest(&t, 0);
        assert_eq!(s[0].play, "win_back");
        assert_eq!(s[0].customers, 42);
        // The KPIs it has, segment against all customers; the predicted
        // value is not in this table, so it is left out.
        assert_eq!(s[0].figures, [("churn_rate", 0.6, 0.28)]);
        // An open rate a third of the base's (0.1 < 0.8 × 0.3).
        assert!(s.iter().any(|x| x.play == "re_engagement"));
        assert!(s.iter().all(|x| PLAYS.contains(&x.play)));
        let c = suggest(
            &table(
                "Champions",
                &[("customers", 440.0, 4732.0), ("repeat_rate", 1.0, 0.6)],
            ),
            0,
        );
        assert_eq!(c[0].play, "loyalty");
        assert!(c.iter().any(|x| x.play == "cross_sell"));
        let other = suggest(&table("My segment", &[("customers", 10.0, 100.0)]), 0);
        assert_eq!(other[0].play, "newsletter");
        assert_eq!(other.len(), 1);
    }
}
