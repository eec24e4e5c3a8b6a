//! Suggested actions per segment: what to do with it, why (from its KPIs),
//! and subject lines and messages to start from, with placeholders such as
//! `{first_name}` and `{last_category}`. Templates and rules only: nothing
//! is asked of any online service.

use serde::{Deserialize, Serialize};

use crate::kpi::KpiTable;

/// One suggested action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The kind of campaign, e.g. "Win-back offer".
    pub action: String,
    /// Why it fits this segment, with its figures.
    pub why: String,
    /// Subject lines to start from.
    pub subjects: Vec<String>,
    /// Messages to start from.
    pub messages: Vec<String>,
}

fn value(table: &KpiTable, group: usize, id: &str) -> Option<f64> {
    let k = table.kpis.iter().position(|d| d.id == id)?;
    table.values.get(group)?.get(k)?.value
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
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
    let customers = get("customers").unwrap_or(0.0);
    let mut out = Vec::new();
    let n = name.to_lowercase();
    let figures = |ids: &[(&str, &str)]| -> String {
        ids.iter()
            .filter_map(|(id, label)| {
                let (v, b) = (get(id)?, all(id)?);
                Some(
                    if id.ends_with("rate") || *id == "csat" || *id == "click_to_open" {
                        format!("{label} {} (all customers {})", pct(v), pct(b))
                    } else if *id == "nps" {
                        format!("{label} {v:+.0} (all customers {b:+.0})")
                    } else {
                        format!("{label} {v:.2} (all customers {b:.2})")
                    },
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut push = |action: &str, why: String, subjects: &[&str], messages: &[&str]| {
        out.push(Suggestion {
            action: action.into(),
            why,
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            messages: messages.iter().map(|s| s.to_string()).collect(),
        })
    };
    if n.contains("champion") || n == "loyal" || n.contains("loyal customers") {
        push(
            "Loyalty reward and referral ask",
            format!(
                "{} customers who buy often and spend the most: {}. Thank them, keep them close, and ask them to bring friends.",
                customers as u64,
                figures(&[
                    ("revenue_per_customer", "revenue per customer"),
                    ("orders_per_customer", "orders per customer"),
                    ("nps", "NPS")
                ])
            ),
            &[
                "{first_name}, a thank-you from us",
                "You're one of our best customers — here's something just for you",
                "Share the love: a gift for you and a friend",
            ],
            &[
                "Hi {first_name},\n\nYou have been with us for a while and it means a lot. As a thank-you, here is early access to our new {last_category} pieces, before anyone else.\n\nSee you soon!",
                "Hi {first_name},\n\nKnow someone who would love {last_category} as much as you do? Give them 15% off their first order — and get a gift for yourself when they order.",
            ],
        );
    }
    if n.contains("risk")
        || n.contains("can't lose")
        || n.contains("need attention")
        || n.contains("needs attention")
        || n.contains("about to sleep")
    {
        push(
            "Win-back offer",
            format!(
                "{} customers who used to buy but have not lately: {}. A personal offer now costs less than winning new customers.",
                customers as u64,
                figures(&[
                    ("churn_rate", "90-day churn"),
                    ("revenue_per_customer", "revenue per customer"),
                    ("predicted_clv", "predicted value")
                ])
            ),
            &[
                "We miss you, {first_name}",
                "{first_name}, 20% off your next {last_category} order",
                "It's been a while — here's what's new",
            ],
            &[
                "Hi {first_name},\n\nIt has been a while since your last order, and we have plenty of new {last_category} you might like. Here is 20% off your next order, valid for 14 days.",
                "Hi {first_name},\n\nWas something not right last time? Reply to this e-mail and tell us — and enjoy free delivery on your next order.",
            ],
        );
    }
    if n.contains("new") || n.contains("recent") || n.contains("promising") {
        push(
            "Welcome series",
            format!(
                "{} customers who bought recently but only once or twice: {}. The second order is the one that makes a regular.",
                customers as u64,
                figures(&[
                    ("repeat_rate", "repeat rate"),
                    ("orders_per_customer", "orders per customer")
                ])
            ),
            &[
                "Welcome, {first_name} — here's what to try next",
                "{first_name}, your next {last_category} is 10% off",
                "Getting the most from your first order",
            ],
            &[
                "Hi {first_name},\n\nThanks for your first order! Customers who liked {last_category} also loved these picks. Here is 10% off your second order, valid for 30 days.",
                "Hi {first_name},\n\nA few tips to get the most out of your {last_category}, and our favourite pairings.",
            ],
        );
    }
    if n.contains("lost") || n.contains("inactive") || n.contains("hibernat") {
        push(
            "Last-chance reactivation, then rest",
            format!(
                "{} customers who have not bought for a long time: {}. One strong offer; stop writing to those who do not react, to protect your sender reputation.",
                customers as u64,
                figures(&[
                    ("churn_rate", "90-day churn"),
                    ("open_rate", "e-mail open rate")
                ])
            ),
            &[
                "Still interested, {first_name}?",
                "One last offer before we say goodbye",
            ],
            &[
                "Hi {first_name},\n\nWe have not seen you in a while. Should we keep writing? Click here to stay — and take 25% off if you'd like to come back.",
            ],
        );
    }
    if let (Some(open), Some(base_open)) = (get("open_rate"), all("open_rate"))
        && open < base_open * 0.8
    {
        push(
            "E-mail re-engagement",
            format!(
                "They open fewer e-mails than the rest: open rate {} against {} for all customers. Try a different sending time, shorter subject lines, or a preference centre.",
                pct(open),
                pct(base_open)
            ),
            &[
                "{first_name}, what would you like to hear about?",
                "Too many e-mails? Choose what you get",
            ],
            &[
                "Hi {first_name},\n\nWe want to send you only what you care about. Pick your topics — {last_category}, new arrivals, offers — in one click.",
            ],
        );
    }
    if get("repeat_rate").is_some_and(|r| r >= 0.5) {
        push(
            "Cross-sell",
            format!(
                "Most of them come back (repeat rate {}): suggest the categories bought by customers like them.",
                pct(get("repeat_rate").unwrap_or(0.0))
            ),
            &[
                "Picked for you, {first_name}",
                "Customers who love {last_category} also buy…",
            ],
            &[
                "Hi {first_name},\n\nBased on your {last_category} orders, we think you will like these. Free delivery this week.",
            ],
        );
    }
    let general = (
        "Tailored newsletter",
        format!(
            "{} customers: {}.",
            customers as u64,
            figures(&[
                ("revenue_per_customer", "revenue per customer"),
                ("repeat_rate", "repeat rate")
            ])
        ),
    );
    if out.is_empty() {
        out.push(Suggestion {
            action: general.0.into(),
            why: general.1,
            subjects: vec!["News for you, {first_name}".into()],
            messages: vec![
                "Hi {first_name},\n\nHere is what's new in {last_category} this month.".into(),
            ],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{KpiValue, definitions};

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
        assert_eq!(s[0].action, "Win-back offer");
        assert!(
            s[0].why.contains("90-day churn 60% (all customers 28%)"),
            "{}",
            s[0].why
        );
        assert!(s.iter().any(|x| x.action == "E-mail re-engagement"));
        assert!(s[0].subjects.iter().all(|x| !x.is_empty()));
        assert!(
            s[0].messages[0].contains("{first_name}")
                && s[0].messages[0].contains("{last_category}")
        );
        let c = suggest(
            &table(
                "Champions",
                &[("customers", 440.0, 4732.0), ("repeat_rate", 1.0, 0.6)],
            ),
            0,
        );
        assert_eq!(c[0].action, "Loyalty reward and referral ask");
        assert!(c.iter().any(|x| x.action == "Cross-sell"));
        let other = suggest(&table("My segment", &[("customers", 10.0, 100.0)]), 0);
        assert_eq!(other[0].action, "Tailored newsletter");
    }
}
