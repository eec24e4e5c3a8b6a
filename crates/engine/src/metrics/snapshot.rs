//! Snapshots: the KPI table of the segments at a date, kept so the history
//! can be drawn and the notable changes between the last two said in
//! words ("At Risk grew 18%", "churn of New Customers up 6 points"), with
//! whether a rate, a mean or an NPS moved more than chance would move it.

use serde::{Deserialize, Serialize};

use crate::metrics::kpi::{KpiFormat, KpiId, KpiTable, KpiValue};
use crate::model::date::Day;
use crate::stats::inference::{Estimate, t_975, two_proportion_p, two_sided, welch_p_of};

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
    pub kpis: Vec<(KpiId, String, KpiFormat, bool)>,
    /// `values[group][kpi]`.
    pub values: Vec<Vec<Option<f64>>>,
    /// `spread[group][kpi]`: how precise each value is, for the rates,
    /// means and NPS (none for counts and sums, which are counted, not
    /// estimated; empty in snapshots kept before it was).
    #[serde(default)]
    pub spread: Vec<Vec<Option<Spread>>>,
}

/// How precise a kept value is: the count behind it and its standard
/// error, enough to test a change between two snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Customers, answers or e-mails behind the value.
    pub n: f64,
    /// The value's standard error (of the mean, of the rate, of the NPS
    /// in points).
    pub se: f64,
}

impl Spread {
    /// The spread of a value of the KPI table: a rate's from its count,
    /// a mean's and an NPS's from their 95% interval (Student's t for a
    /// mean, the normal law for NPS, as the table computed them).
    fn of(value: &KpiValue, format: KpiFormat) -> Option<Spread> {
        let n = value.denominator;
        let v = value.value?;
        let (lo, hi) = value.ci?;
        let se = match format {
            KpiFormat::Rate => (v * (1.0 - v) / n).sqrt(),
            KpiFormat::Points => (hi - lo) / 2.0 / Z_975,
            _ => (hi - lo) / 2.0 / t_975(n - 1.0)?,
        };
        (n > 0.0 && se.is_finite()).then_some(Spread { n, se })
    }
}

/// The 97.5% point of the normal law.
const Z_975: f64 = 1.959_963_984_540_054;

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
                .map(|k| (k.id, k.name.clone(), k.format, k.higher_is_better))
                .collect(),
            values: table
                .values
                .iter()
                .map(|row| row.iter().map(|v| v.value).collect())
                .collect(),
            spread: table
                .values
                .iter()
                .map(|row| {
                    row.iter()
                        .zip(&table.kpis)
                        .map(|(v, k)| Spread::of(v, k.format))
                        .collect()
                })
                .collect(),
        }
    }

    /// How precise the value of a KPI of a group is, when the snapshot
    /// knows.
    pub fn spread(&self, group: &str, kpi: KpiId) -> Option<Spread> {
        let g = self.groups.iter().position(|x| x == group)?;
        let k = self.kpis.iter().position(|x| x.0 == kpi)?;
        *self.spread.get(g)?.get(k)?
    }

    /// The value of a KPI of a group, when both are in the snapshot.
    pub fn value(&self, group: &str, kpi: KpiId) -> Option<f64> {
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
    /// The KPI.
    pub kpi: KpiId,
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
    /// The p-value of the change, treating the two dates' customers as
    /// two samples: the two-proportion z-test for a rate, Welch's t-test
    /// for a mean, a z-test on the difference for NPS. None for counts and
    /// sums, and when a snapshot does not know its spread.
    #[serde(default)]
    pub p_value: Option<f64>,
}

impl Change {
    /// True when chance alone would rarely (under 5%) move the value so
    /// far.
    pub fn significant(&self) -> bool {
        self.p_value.is_some_and(|p| p < 0.05)
    }

    /// True when chance alone could well (5% or more) have moved the
    /// value so far.
    pub fn could_be_chance(&self) -> bool {
        self.p_value.is_some_and(|p| p >= 0.05)
    }
}

/// The p-value of a KPI's move from `a` to `b` (see [`Change::p_value`]).
fn change_p(format: KpiFormat, (a, sa): (f64, Spread), (b, sb): (f64, Spread)) -> Option<f64> {
    match format {
        KpiFormat::Rate => two_proportion_p(a * sa.n, sa.n, b * sb.n, sb.n),
        KpiFormat::Points => {
            let se = (sa.se * sa.se + sb.se * sb.se).sqrt();
            (se > 0.0).then(|| two_sided((b - a) / se))
        }
        _ => welch_p_of(
            Estimate {
                mean: a,
                se2: sa.se * sa.se,
                n: sa.n,
            },
            Estimate {
                mean: b,
                se2: sb.se * sb.se,
                n: sb.n,
            },
        ),
    }
}

/// A size change from this share is notable.
const SIZE_SHARE: f64 = 0.10;
/// A rate change from this many percentage points is notable.
const RATE_POINTS: f64 = 5.0;
/// A money or number change from this share is notable.
const VALUE_SHARE: f64 = 0.15;
/// An NPS change from this many points is notable.
const NPS_POINTS: f64 = 10.0;

/// The notable changes from `before` to `after`: a group's size by 10% or
/// more, a rate by 5 points or more, an amount or number by 15% or more,
/// NPS by 10 points or more; the largest first, those that could be
/// chance after the others.
pub fn notable_changes(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let mut out = Vec::new();
    for group in &after.groups {
        for &(id, ref name, format, higher_is_better) in &after.kpis {
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
                    let limit = if id == KpiId::Customers {
                        SIZE_SHARE
                    } else {
                        VALUE_SHARE
                    };
                    let verb = if id == KpiId::Customers {
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
            let text = if id == KpiId::Customers {
                format!("{group} {how}")
            } else {
                format!("{} of {group} {how}", name)
            };
            out.push(Change {
                group: group.clone(),
                kpi: id,
                name: name.clone(),
                format,
                from: a,
                to: b,
                text,
                size,
                better: (!["customers", "revenue"].contains(&id.as_str()))
                    .then_some(up == higher_is_better),
                p_value: match (before.spread(group, id), after.spread(group, id)) {
                    (Some(sa), Some(sb)) => change_p(format, (a, sa), (b, sb)),
                    _ => None,
                },
            });
        }
    }
    // The largest first, those chance could explain after the others.
    out.sort_by(|x, y| {
        x.could_be_chance()
            .cmp(&y.could_be_chance())
            .then(y.size.total_cmp(&x.size))
    });
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
                (KpiId::Customers, "Customers".into(), KpiFormat::Count, true),
                (
                    KpiId::ChurnRate,
                    "Churn rate".into(),
                    KpiFormat::Rate,
                    false,
                ),
                (
                    KpiId::Aov,
                    "Average order value".into(),
                    KpiFormat::Money,
                    true,
                ),
                (KpiId::Nps, "NPS".into(), KpiFormat::Points, true),
            ],
            values: vec![
                vec![Some(customers[0]), Some(churn[0]), aov[0], Some(nps)],
                vec![Some(customers[1]), Some(churn[1]), aov[1], Some(nps)],
            ],
            spread: Vec::new(),
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

    /// A snapshot of one group with a churn rate, an average order value
    /// and an NPS, each with its spread as the KPI table gives it.
    fn measured(churn: (f64, f64), aov: (f64, f64, f64), nps: (f64, f64, f64)) -> Snapshot {
        use crate::metrics::kpi::KpiDef;
        use crate::stats::inference::{Moments, wilson};
        let def = |id: KpiId, format: KpiFormat, higher: bool| KpiDef {
            id,
            name: id.to_string(),
            formula: String::new(),
            format,
            higher_is_better: higher,
        };
        // A mean's interval as the table writes it, from n values with
        // this mean and standard deviation.
        let (mean, sd, n) = aov;
        let moments = Moments {
            n,
            sum: mean * n,
            sum_sq: sd * sd * (n - 1.0) + mean * mean * n,
        };
        let (promoters, detractors, answers) = nps;
        let (p, d) = (promoters / answers, detractors / answers);
        let half = Z_975 * ((p + d - (p - d).powi(2)) / answers).sqrt() * 100.0;
        let table = KpiTable {
            kpis: vec![
                def(KpiId::ChurnRate, KpiFormat::Rate, false),
                def(KpiId::Aov, KpiFormat::Money, true),
                def(KpiId::Nps, KpiFormat::Points, true),
                def(KpiId::Revenue, KpiFormat::Money, true),
            ],
            groups: vec!["At Risk".into()],
            values: vec![vec![
                KpiValue {
                    value: Some(churn.0 / churn.1),
                    ci: wilson(churn.0, churn.1),
                    numerator: churn.0,
                    denominator: churn.1,
                    ..KpiValue::default()
                },
                KpiValue {
                    value: moments.mean(),
                    ci: moments.ci(),
                    numerator: moments.sum,
                    denominator: n,
                    ..KpiValue::default()
                },
                KpiValue {
                    value: Some(100.0 * (p - d)),
                    ci: Some((100.0 * (p - d) - half, 100.0 * (p - d) + half)),
                    numerator: promoters - detractors,
                    denominator: answers,
                    ..KpiValue::default()
                },
                KpiValue {
                    value: Some(moments.sum),
                    numerator: moments.sum,
                    denominator: n,
                    ..KpiValue::default()
                },
            ]],
            churn_period_days: 90,
        };
        Snapshot::of(&table, "2026-01-01", "update", 0)
    }

    #[test]
    fn a_change_says_whether_chance_would_move_it_so_far_as_scipy_does() {
        // Churn 30 of 100 → 54 of 120; AOV 40 (sd 12, 50 customers) → 46
        // (sd 15, 60 customers); NPS 20 promoters and 8 detractors of 40
        // answers → 15 and 15 of 50; revenue 2,000 → 2,760.
        let before = measured((30.0, 100.0), (40.0, 12.0, 50.0), (20.0, 8.0, 40.0));
        let after = measured((54.0, 120.0), (46.0, 15.0, 60.0), (15.0, 15.0, 50.0));
        let changes = notable_changes(&before, &after);
        let p = |kpi: &str| {
            changes
                .iter()
                .find(|c| c.kpi.as_str() == kpi)
                .unwrap()
                .p_value
        };
        // statsmodels' proportions_ztest([30, 54], [100, 120]).
        assert!((p("churn_rate").unwrap() - 0.022_592_348_510).abs() < 1e-9);
        // scipy's ttest_ind_from_stats(40, 12, 50, 46, 15, 60,
        // equal_var=False).
        assert!((p("aov").unwrap() - 0.021_656_432_252).abs() < 1e-9);
        // The z-test on the difference of two NPS, each of variance
        // (p + d − (p − d)²) / n, worked in scipy: 2 · norm.sf(|z|).
        assert!((p("nps").unwrap() - 0.069_163_906_010).abs() < 1e-9);
        // A sum is counted, not estimated.
        assert_eq!(p("revenue"), None);
        let significant: Vec<&str> = changes
            .iter()
            .filter(|c| c.significant())
            .map(|c| c.kpi.as_str())
            .collect();
        assert_eq!(significant, vec!["churn_rate", "aov"]);
        // By size: NPS 30 points (3.0), churn 15 points (1.5), revenue
        // +38% (0.38), AOV +15% (0.15); but NPS could be chance, so it
        // comes after the changes that are not.
        let order: Vec<&str> = changes.iter().map(|c| c.kpi.as_str()).collect();
        assert_eq!(order, vec!["churn_rate", "revenue", "aov", "nps"]);
        // A snapshot kept before spreads were kept tests nothing.
        let old = Snapshot {
            spread: Vec::new(),
            ..before
        };
        assert!(
            notable_changes(&old, &after)
                .iter()
                .all(|c| c.p_value.is_none())
        );
    }
}
