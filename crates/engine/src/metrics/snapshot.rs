//! Snapshots: the KPI table of the segments at a date, kept so the history
//! can be drawn and the notable changes between the last two said in
//! words ("At Risk grew 18%", "churn of New Customers up 6 points").

use serde::{Deserialize, Serialize};

use crate::metrics::kpi::{KpiFormat, KpiTable};
use crate::model::date::Day;

/// The KPIs of the compared groups at one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When it was taken, `yyyy-mm-dd` (the user's day).
    pub taken: String,
    /// Why: "import" or "by hand".
    pub reason: String,
    /// The analysis date of the figures.
    pub as_of: Day,
    /// The groups (segments, then all customers).
    pub groups: Vec<String>,
    /// The KPIs: id, name, format, higher is better.
    pub kpis: Vec<(String, String, KpiFormat, bool)>,
    /// `values[group][kpi]`.
    pub values: Vec<Vec<Option<f64>>>,
}

impl Snapshot {
    /// The snapshot of a KPI table.
    pub fn of(table: &KpiTable, taken: &str, reason: &str, as_of: Day) -> Snapshot {
        Snapshot {
            taken: taken.to_string(),
            reason: reason.to_string(),
            as_of,
            groups: table.groups.clone(),
            kpis: table
                .kpis
                .iter()
                .map(|k| (k.id.clone(), k.name.clone(), k.format, k.higher_is_better))
                .collect(),
            values: table
                .values
                .iter()
                .map(|row| row.iter().map(|v| v.value).collect())
                .collect(),
        }
    }

    /// The value of a KPI of a group, when both are in the snapshot.
    pub fn value(&self, group: &str, kpi: &str) -> Option<f64> {
        let g = self.groups.iter().position(|x| x == group)?;
        let k = self.kpis.iter().position(|x| x.0 == kpi)?;
        self.values[g][k]
    }
}

/// One notable change between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The group.
    pub group: String,
    /// The KPI's id.
    pub kpi: String,
    /// The KPI's name.
    pub name: String,
    /// How its values are written.
    pub format: KpiFormat,
    /// The value in the earlier snapshot.
    pub from: f64,
    /// The value in the later one.
    pub to: f64,
    /// The sentence.
    pub text: String,
    /// How big the change is, to rank changes (relative change, or points
    /// over 10).
    pub size: f64,
    /// True when the change is for the better, false for the worse; none
    /// for a segment's size or revenue, good or bad depending on the
    /// segment.
    pub better: Option<bool>,
}

/// A size change from this share is notable.
const SIZE_SHARE: f64 = 0.10;
/// A rate change from this many percentage points is notable.
const RATE_POINTS: f64 = 5.0;
/// A money or number change from this share is notable.
const VALUE_SHARE: f64 = 0.15;
/// An NPS change from this many points is notable.
const NPS_POINTS: f64 = 10.0;

/// The notable changes from `before` to `after`, the largest first: a
/// group's size by 10% or more, a rate by 5 points or more, an amount or
/// number by 15% or more, NPS by 10 points or more.
pub fn notable_changes(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let mut out = Vec::new();
    for group in &after.groups {
        for (id, name, format, higher_is_better) in &after.kpis {
            let (Some(a), Some(b)) = (before.value(group, id), after.value(group, id)) else {
                continue;
            };
            let up = b > a;
            let (notable, size, how) = match format {
                KpiFormat::Rate => {
                    let points = (b - a) * 100.0;
                    (
                        points.abs() >= RATE_POINTS - 1e-9,
                        points.abs() / 10.0,
                        format!(
                            "{} {} points ({}% → {}%)",
                            if up { "up" } else { "down" },
                            crate::model::number::grouped(points.abs(), 1, ',', '.'),
                            crate::model::number::grouped(a * 100.0, 1, ',', '.'),
                            crate::model::number::grouped(b * 100.0, 1, ',', '.')
                        ),
                    )
                }
                KpiFormat::Points => {
                    let points = b - a;
                    (
                        points.abs() >= NPS_POINTS - 1e-9,
                        points.abs() / 10.0,
                        format!(
                            "{} {:.0} points ({a:.0} → {b:.0})",
                            if up { "up" } else { "down" },
                            points.abs()
                        ),
                    )
                }
                _ => {
                    if a == 0.0 {
                        continue;
                    }
                    let share = (b - a) / a.abs();
                    let limit = if id == "customers" {
                        SIZE_SHARE
                    } else {
                        VALUE_SHARE
                    };
                    let verb = if id == "customers" {
                        if up { "grew" } else { "shrank" }
                    } else if up {
                        "up"
                    } else {
                        "down"
                    };
                    let show = |v: f64| match format {
                        KpiFormat::Count => crate::model::number::grouped(v, 0, ',', '.'),
                        _ => crate::model::number::grouped(v, 2, ',', '.'),
                    };
                    (
                        share.abs() >= limit - 1e-9,
                        share.abs(),
                        format!(
                            "{verb} {}% ({} → {})",
                            crate::model::number::grouped(
                                (share.abs() * 100.0).round(),
                                0,
                                ',',
                                '.'
                            ),
                            show(a),
                            show(b)
                        ),
                    )
                }
            };
            if !notable {
                continue;
            }
            let text = if id == "customers" {
                format!("{group} {how}")
            } else {
                format!("{} of {group} {how}", name)
            };
            out.push(Change {
                group: group.clone(),
                kpi: id.clone(),
                name: name.clone(),
                format: *format,
                from: a,
                to: b,
                text,
                size,
                better: (!["customers", "revenue"].contains(&id.as_str()))
                    .then_some(up == *higher_is_better),
            });
        }
    }
    out.sort_by(|x, y| y.size.total_cmp(&x.size));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(customers: [f64; 2], churn: [f64; 2], aov: [Option<f64>; 2], nps: f64) -> Snapshot {
        Snapshot {
            taken: "2026-01-01".into(),
            reason: "import".into(),
            as_of: 0,
            groups: vec!["At Risk".into(), "New Customers".into()],
            kpis: vec![
                (
                    "customers".into(),
                    "Customers".into(),
                    KpiFormat::Count,
                    true,
                ),
                ("churn".into(), "Churn rate".into(), KpiFormat::Rate, false),
                (
                    "aov".into(),
                    "Average order value".into(),
                    KpiFormat::Money,
                    true,
                ),
                ("nps".into(), "NPS".into(), KpiFormat::Points, true),
            ],
            values: vec![
                vec![Some(customers[0]), Some(churn[0]), aov[0], Some(nps)],
                vec![Some(customers[1]), Some(churn[1]), aov[1], Some(nps)],
            ],
        }
    }

    #[test]
    fn the_issues_example_by_hand() {
        // At Risk: 100 → 118 customers (+18%), AOV 40 → 46 (+15%, at the
        // limit); New Customers: churn 20% → 26% (+6 points), 50 → 52
        // customers (+4%, not notable), AOV now unknown (left out); NPS
        // 20 → 31 (+11 points) for both. Largest first.
        let before = snap([100.0, 50.0], [0.30, 0.20], [Some(40.0), Some(30.0)], 20.0);
        let after = snap([118.0, 52.0], [0.31, 0.26], [Some(46.0), None], 31.0);
        let texts: Vec<String> = notable_changes(&before, &after)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(
            texts,
            vec![
                "NPS of At Risk up 11 points (20 → 31)",
                "NPS of New Customers up 11 points (20 → 31)",
                "Churn rate of New Customers up 6.0 points (20.0% → 26.0%)",
                "At Risk grew 18% (100 → 118)",
                "Average order value of At Risk up 15% (40.00 → 46.00)",
            ]
        );
        // AOV +15% exactly is notable; churn +1 point is not.
        let after = snap([100.0, 50.0], [0.31, 0.20], [Some(46.0), Some(30.0)], 20.0);
        let changes = notable_changes(&before, &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(
            changes[0].text,
            "Average order value of At Risk up 15% (40.00 → 46.00)"
        );
        assert_eq!(changes[0].better, Some(true));
        let worse = notable_changes(
            &before,
            &snap([100.0, 50.0], [0.40, 0.20], [Some(40.0), Some(30.0)], 20.0),
        );
        assert_eq!(worse[0].better, Some(false), "churn going up is worse");
        let grown = notable_changes(
            &before,
            &snap([130.0, 50.0], [0.30, 0.20], [Some(40.0), Some(30.0)], 20.0),
        );
        assert_eq!(
            grown[0].better, None,
            "a bigger segment is good or bad depending on the segment"
        );
    }
}
