//! Split suggestions: a segment whose members fall into two camps on a
//! measure is flagged with the two segments it could be split into.
//!
//! Two measures are looked at. NPS: a segment with at least a quarter of
//! promoters (9–10) and a quarter of detractors (0–6) among its answers
//! has an NPS that averages two opposite groups. Spend: the bimodality
//! coefficient of log spend, `(g² + 1) / (k + 3(n − 1)² / ((n − 2)(n −
//! 3)))` with `g` the sample skewness and `k` the sample excess kurtosis,
//! above 0.6 (5/9 is the value of a uniform spread; a normal one gives
//! 1/3), with each side of the best two-group cut holding a fifth of the
//! segment.

use serde::{Deserialize, Serialize};

use crate::model::bitmap::Bitmap;

use crate::segments::Facts;

/// Answers needed before a segment's NPS is judged.
pub(crate) const MIN_ANSWERS: usize = 30;
/// Buyers needed before a segment's spend is judged.
pub(crate) const MIN_BUYERS: usize = 40;
/// The share of promoters and of detractors that makes a segment split.
pub(crate) const POLARISED_SHARE: f64 = 0.25;
/// The bimodality coefficient above which spend falls into two groups.
pub(crate) const BIMODAL_COEFFICIENT: f64 = 0.6;

/// Which half of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    /// NPS answers of 9 or 10.
    Promoters,
    /// NPS answers of 0 to 6.
    Detractors,
    /// The buyers above the cut.
    HigherSpend,
    /// The buyers below it.
    LowerSpend,
}

impl Side {
    /// The words after the segment's name in the half's English name.
    pub fn label(self) -> &'static str {
        match self {
            Side::Promoters => "promoters",
            Side::Detractors => "detractors",
            Side::HigherSpend => "higher spend",
            Side::LowerSpend => "lower spend",
        }
    }
}

/// What makes a segment fall into two camps, as data: its `Display` is
/// the English sentence after the segment's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Finding {
    /// Promoters and detractors both common among the NPS answers.
    Polarised {
        /// The answers.
        answers: u64,
        /// The promoters' share of them.
        promoters: f64,
        /// The detractors' share.
        detractors: f64,
    },
    /// Spend in two groups.
    Bimodal {
        /// The bimodality coefficient of log spend.
        coefficient: f64,
        /// Buyers below the cut, and their median spend.
        low: (u64, f64),
        /// Buyers above it, and theirs.
        high: (u64, f64),
    },
}

impl Finding {
    /// The NPS of polarised answers (promoters' share minus detractors',
    /// in points).
    pub fn nps(&self) -> Option<f64> {
        match self {
            Finding::Polarised {
                promoters,
                detractors,
                ..
            } => Some((promoters - detractors) * 100.0),
            Finding::Bimodal { .. } => None,
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let whole = |x: f64| crate::model::number::grouped(x, 0, ',', '.');
        match self {
            Finding::Polarised {
                answers,
                promoters,
                detractors,
            } => write!(
                f,
                "{}% promoters and {}% detractors among {} answers; its NPS of {:+.0} averages two opposite groups.",
                (promoters * 100.0).round(),
                (detractors * 100.0).round(),
                whole(*answers as f64),
                self.nps().unwrap_or_default()
            ),
            Finding::Bimodal {
                coefficient,
                low,
                high,
            } => write!(
                f,
                "spend falls into two groups (bimodality coefficient {coefficient:.2}): {} buyers around {} and {} around {}.",
                whole(low.0 as f64),
                whole(low.1),
                whole(high.0 as f64),
                whole(high.1)
            ),
        }
    }
}

/// One half of a proposed split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Half {
    /// Which half.
    pub side: Side,
    /// Its proposed name: the segment's, a dash and the side's label.
    pub name: String,
    /// Its rule, as JSON text (as rule files), applied within the segment.
    pub rule: String,
    /// The segment's members it holds at the analysis date.
    pub customers: u64,
}

/// A segment that falls into two camps, and the split proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitSuggestion {
    /// The segment (a row of the KPI table).
    pub segment: String,
    /// The measure: `nps` or `spend`.
    pub measure: String,
    /// What stands out.
    pub finding: Finding,
    /// What stands out, in a sentence: the segment's name and the
    /// finding.
    pub sentence: String,
    /// The two proposed segments.
    pub halves: [Half; 2],
}

/// The suggestions for the segments `groups` (name and members).
pub fn suggest(facts: &Facts, groups: &[(String, &Bitmap)]) -> Vec<SplitSuggestion> {
    let mut out = Vec::new();
    for (name, set) in groups {
        if let Some(s) = polarised_nps(facts, name, set) {
            out.push(s);
        }
        if let Some(s) = bimodal_spend(facts, name, set) {
            out.push(s);
        }
    }
    out
}

fn polarised_nps(facts: &Facts, name: &str, set: &Bitmap) -> Option<SplitSuggestion> {
    let (mut answers, mut promoters, mut detractors) = (0usize, 0u64, 0u64);
    for c in set.iter() {
        if let Some(v) = facts.nps(c) {
            answers += 1;
            promoters += u64::from(v >= 9);
            detractors += u64::from(v <= 6);
        }
    }
    if answers < MIN_ANSWERS {
        return None;
    }
    let (p, d) = (
        promoters as f64 / answers as f64,
        detractors as f64 / answers as f64,
    );
    if p.min(d) < POLARISED_SHARE {
        return None;
    }
    let finding = Finding::Polarised {
        answers: answers as u64,
        promoters: p,
        detractors: d,
    };
    Some(SplitSuggestion {
        segment: name.to_string(),
        measure: "nps".into(),
        sentence: format!("{name}: {finding}"),
        finding,
        halves: [
            half(
                name,
                Side::Promoters,
                r#"{"measure": "nps", "at_least": 9}"#,
                promoters,
            ),
            half(
                name,
                Side::Detractors,
                r#"{"measure": "nps", "at_most": 6}"#,
                detractors,
            ),
        ],
    })
}

fn half(segment: &str, side: Side, rule: &str, customers: u64) -> Half {
    Half {
        side,
        name: format!("{segment} — {}", side.label()),
        rule: rule.to_string(),
        customers,
    }
}

/// The bimodality coefficient of `x` (unbiased skewness and excess
/// kurtosis); `None` below four values or without spread.
pub(crate) fn bimodality_coefficient(x: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    if x.len() < 4 {
        return None;
    }
    let mean = x.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for v in x {
        let d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    let (m2, m3, m4) = (m2 / n, m3 / n, m4 / n);
    if m2 <= 1e-12 {
        return None;
    }
    let g1 = m3 / m2.powf(1.5);
    let skew = g1 * (n * (n - 1.0)).sqrt() / (n - 2.0);
    let g2 = m4 / (m2 * m2) - 3.0;
    let kurt = (n - 1.0) / ((n - 2.0) * (n - 3.0)) * ((n + 1.0) * g2 + 6.0);
    Some((skew * skew + 1.0) / (kurt + 3.0 * (n - 1.0).powi(2) / ((n - 2.0) * (n - 3.0))))
}

/// The cut of sorted values into two groups with the least squared
/// distance to their means: the index of the first value of the upper
/// group.
fn two_means_cut(sorted: &[f64]) -> usize {
    let n = sorted.len();
    let total: f64 = sorted.iter().sum();
    let total_sq: f64 = sorted.iter().map(|v| v * v).sum();
    let (mut sum, mut sq) = (0.0, 0.0);
    let (mut best, mut best_k) = (f64::INFINITY, n / 2);
    for k in 1..n {
        sum += sorted[k - 1];
        sq += sorted[k - 1] * sorted[k - 1];
        if sorted[k] == sorted[k - 1] {
            continue;
        }
        let (a, b) = (k as f64, (n - k) as f64);
        let within = (sq - sum * sum / a) + (total_sq - sq - (total - sum).powi(2) / b);
        if within < best {
            (best, best_k) = (within, k);
        }
    }
    best_k
}

fn bimodal_spend(facts: &Facts, name: &str, set: &Bitmap) -> Option<SplitSuggestion> {
    let mut spend: Vec<f64> = set
        .iter()
        .filter(|c| facts.order_count(*c) > 0)
        .map(|c| facts.spend(c))
        .collect();
    if spend.len() < MIN_BUYERS {
        return None;
    }
    // The coefficient first: most segments stop here, before any sort.
    let logs: Vec<f64> = spend.iter().map(|v| v.max(0.0).ln_1p()).collect();
    let bc = bimodality_coefficient(&logs)?;
    if bc <= BIMODAL_COEFFICIENT {
        return None;
    }
    spend.sort_by(f64::total_cmp);
    let logs: Vec<f64> = spend.iter().map(|v| v.max(0.0).ln_1p()).collect();
    let k = two_means_cut(&logs);
    let n = spend.len();
    if k.min(n - k) * 5 < n {
        return None;
    }
    let (low_top, high_bottom) = (spend[k - 1], spend[k]);
    let median = |s: &[f64]| s[s.len() / 2];
    let finding = Finding::Bimodal {
        coefficient: bc,
        low: (k as u64, median(&spend[..k])),
        high: ((n - k) as u64, median(&spend[k..])),
    };
    Some(SplitSuggestion {
        segment: name.to_string(),
        measure: "spend".into(),
        sentence: format!("{name}: {finding}"),
        finding,
        halves: [
            half(
                name,
                Side::HigherSpend,
                &format!(r#"{{"measure": "spend", "at_least": {high_bottom}}}"#),
                (n - k) as u64,
            ),
            half(
                name,
                Side::LowerSpend,
                &format!(
                    r#"{{"all": [{{"measure": "orders", "at_least": 1}}, {{"measure": "spend", "at_most": {low_top}}}]}}"#
                ),
                k as u64,
            ),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::dataset::Dataset;
    use crate::import::orders::Orders;
    use crate::import::sources::SurveyTable;
    use crate::segments::{Evaluator, Rule};

    #[test]
    fn the_coefficient_matches_hand_worked_values() {
        // Symmetric two points: skewness 0, excess kurtosis of n = 4
        // values {0, 0, 1, 1}: g2 = −2, k = 3/(2·1)·(5·(−2) + 6) = −6;
        // BC = 1 / (−6 + 3·9/2) = 1 / 7.5.
        let bc = bimodality_coefficient(&[0.0, 0.0, 1.0, 1.0]).unwrap();
        assert!((bc - 1.0 / 7.5).abs() < 1e-12, "{bc}");
        // Large samples: a uniform spread gives about 5/9, two far apart
        // clumps far more, a bell far less.
        let uniform: Vec<f64> = (0..10_000).map(|i| i as f64).collect();
        assert!((bimodality_coefficient(&uniform).unwrap() - 5.0 / 9.0).abs() < 0.01);
        let clumps: Vec<f64> = (0..1000)
            .map(|i| if i % 2 == 0 { 0.0 } else { 10.0 } + (i % 7) as f64 * 0.1)
            .collect();
        assert!(bimodality_coefficient(&clumps).unwrap() > 0.9);
        // A bell: the number of ones in the bits of 0..1024 (binomial,
        // n = 10); scipy's skew and kurtosis (bias=False) give 0.355401.
        let bell: Vec<f64> = (0u32..1024).map(|i| f64::from(i.count_ones())).collect();
        assert!((bimodality_coefficient(&bell).unwrap() - 0.355_401).abs() < 1e-6);
        // A skewed sample, with scipy's figure: 0.513761.
        let skewed = [1.0, 2.0, 2.0, 3.0, 9.0, 10.0, 10.0, 11.0, 30.0];
        assert!((bimodality_coefficient(&skewed).unwrap() - 0.513_761).abs() < 1e-6);
        assert!(bimodality_coefficient(&[1.0, 1.0, 1.0, 1.0]).is_none());
    }

    fn dataset(spends: &[f64], nps: &[Option<u8>]) -> Dataset {
        let rows: Vec<(String, i32, f64)> = spends
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("c{i}"), 10, *s))
            .collect();
        let orders = Orders::from_rows(&rows);
        let answered: Vec<usize> = (0..nps.len()).filter(|i| nps[*i].is_some()).collect();
        let surveys = SurveyTable {
            customer: answered.iter().map(|i| *i as u32).collect(),
            day: vec![Some(5); answered.len()],
            nps: answered.iter().map(|i| nps[*i]).collect(),
            csat: vec![None; answered.len()],
        };
        Dataset {
            orders,
            surveys: Some(surveys),
            ..Dataset::default()
        }
    }

    #[test]
    fn a_polarised_segment_is_split_into_promoters_and_detractors() {
        // 40 answers: 12 promoters (30%), 16 detractors (40%), 12 passives.
        let nps: Vec<Option<u8>> = (0..50)
            .map(|i| match i {
                0..12 => Some(10),
                12..28 => Some(3),
                28..40 => Some(8),
                _ => None,
            })
            .collect();
        let data = dataset(&vec![20.0; 50], &nps);
        let facts = Facts::new(&data, 100);
        let all = Bitmap::full(50);
        let found = suggest(&facts, &[("Loyal".into(), &all)]);
        assert_eq!(found.len(), 1);
        let s = &found[0];
        assert_eq!(s.measure, "nps");
        assert!(
            s.sentence
                .contains("30% promoters and 40% detractors among 40 answers"),
            "{}",
            s.sentence
        );
        assert!(s.sentence.contains("NPS of -10"), "{}", s.sentence);
        assert_eq!((s.halves[0].customers, s.halves[1].customers), (12, 16));
        // The halves' rules select those customers.
        for (half, want) in s.halves.iter().zip([12u64, 16]) {
            let rule = Rule::from_json(&half.rule).unwrap();
            assert_eq!(
                Evaluator::new(&data, &facts).eval(&rule).unwrap().count(),
                want
            );
        }
        // One promoter fewer among 40 is below a quarter only at 9: still
        // split at 10 (25%), not at 9.
        let fewer: Vec<Option<u8>> = nps
            .iter()
            .enumerate()
            .map(|(i, v)| if (10..12).contains(&i) { Some(8) } else { *v })
            .collect();
        let data = dataset(&vec![20.0; 50], &fewer);
        assert_eq!(
            suggest(&Facts::new(&data, 100), &[("Loyal".into(), &all)]).len(),
            1
        );
        let fewer: Vec<Option<u8>> = nps
            .iter()
            .enumerate()
            .map(|(i, v)| if (9..12).contains(&i) { Some(8) } else { *v })
            .collect();
        let data = dataset(&vec![20.0; 50], &fewer);
        assert!(suggest(&Facts::new(&data, 100), &[("Loyal".into(), &all)]).is_empty());
    }

    #[test]
    fn spend_in_two_groups_is_split_and_a_single_spread_is_not() {
        // 30 buyers around 10, 30 around 500.
        let spends: Vec<f64> = (0..60)
            .map(|i| {
                if i < 30 {
                    8.0 + (i % 5) as f64
                } else {
                    450.0 + (i % 9) as f64 * 12.0
                }
            })
            .collect();
        let data = dataset(&spends, &[]);
        let facts = Facts::new(&data, 100);
        let all = Bitmap::full(60);
        let found = suggest(&facts, &[("Big".into(), &all)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let s = &found[0];
        assert_eq!(s.measure, "spend");
        assert_eq!((s.halves[0].customers, s.halves[1].customers), (30, 30));
        for half in &s.halves {
            let rule = Rule::from_json(&half.rule).unwrap();
            assert_eq!(
                Evaluator::new(&data, &facts).eval(&rule).unwrap().count(),
                half.customers
            );
        }
        // Spend spread evenly on a log scale: no suggestion.
        let spread: Vec<f64> = (0..60).map(|i| (i as f64 / 10.0).exp()).collect();
        let data = dataset(&spread, &[]);
        assert!(suggest(&Facts::new(&data, 100), &[("Big".into(), &all)]).is_empty());
    }
}
