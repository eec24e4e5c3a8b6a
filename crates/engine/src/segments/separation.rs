//! A segmentation as a whole: homogeneous inside, heterogeneous between?
//! For any set of named groups (RFM segments, lifecycle stages, tiers,
//! saved segments, clusters): how many customers each pair shares, the
//! share of the variance of recency, frequency and spend that lies between
//! the groups (η², the between-group sum of squares over the total, as a
//! one-way analysis of variance has it), the mean silhouette of the
//! customers on those three standardised features (as scikit-learn's
//! `silhouette_score`), and a verdict in named values.

use crate::model::message::Message;

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::model::bitmap::Bitmap;
use crate::segments::Facts;
use crate::segments::cluster::{self, Feature};

/// At most this many customers enter the silhouette (a deterministic
/// sample beyond; every customer below).
pub(crate) const SILHOUETTE_SAMPLE: usize = 5_000;

/// How far apart the groups are, from the silhouette (Kaufman and
/// Rousseeuw's reading of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Above 0.5: each customer is much closer to their own group.
    Distinct,
    /// 0.25 to 0.5: apart, with blurred edges.
    Blurred,
    /// Below 0.25: the groups run into each other on these measures.
    Overlapping,
}

impl Verdict {
    /// The verdict of a mean silhouette.
    pub fn of(silhouette: f64) -> Verdict {
        if silhouette > 0.5 {
            Verdict::Distinct
        } else if silhouette >= 0.25 {
            Verdict::Blurred
        } else {
            Verdict::Overlapping
        }
    }
}

/// How much one measure differs between the groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// The measure: `recency`, `frequency` or `monetary`.
    pub measure: String,
    /// η²: the share of its variance between the groups (0 to 1).
    pub between: f64,
}

impl Spread {
    /// Cohen's reading of η²: large from 0.14, medium from 0.06.
    pub fn is_large(&self) -> bool {
        self.between >= 0.14
    }

    /// Below 0.06: the groups barely differ on this measure.
    pub fn is_small(&self) -> bool {
        self.between < 0.06
    }
}

/// A segmentation seen as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Separation {
    /// The groups, in order.
    pub groups: Vec<String>,
    /// Customers in both of each pair (the diagonal: each group's size).
    pub overlap: Vec<Vec<u64>>,
    /// Customers with an order in exactly one group: those measured.
    pub measured: u64,
    /// Customers with an order in two groups or more, left out of the
    /// measures below.
    pub in_several: u64,
    /// η² per measure: recency, frequency, monetary.
    pub spreads: Vec<Spread>,
    /// The mean silhouette, when at least two groups have customers.
    pub silhouette: Option<f64>,
    /// Customers the silhouette was computed on.
    pub silhouette_sample: u64,
    /// What the silhouette says.
    pub verdict: Option<Verdict>,
}

/// The separation of `groups` (named customer sets, possibly
/// overlapping) among the customers with an order.
pub fn separation(
    data: &Dataset,
    facts: &Facts,
    groups: &[(String, Bitmap)],
) -> Result<Separation, Message> {
    let k = groups.len();
    let overlap: Vec<Vec<u64>> = groups
        .iter()
        .map(|(_, a)| {
            groups
                .iter()
                .map(|(_, b)| a.intersection_count(b))
                .collect()
        })
        .collect();
    let features = [Feature::Recency, Feature::Frequency, Feature::Monetary];
    let m = cluster::matrix(data, facts, &features)?;
    // Each measured row's group: customers in exactly one.
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    let mut in_several = 0u64;
    for (i, c) in m.customers.iter().enumerate() {
        let mut of = groups
            .iter()
            .enumerate()
            .filter(|(_, (_, set))| set.contains(*c as usize));
        match (of.next(), of.next()) {
            (Some((g, _)), None) => {
                rows.push(i);
                labels.push(g as u32);
            }
            (Some(_), Some(_)) => in_several += 1,
            _ => {}
        }
    }
    let dims = m.dims;
    let spreads = features
        .iter()
        .enumerate()
        .map(|(d, f)| Spread {
            measure: f.key(),
            between: eta_squared(rows.iter().map(|r| m.values[r * dims + d]), &labels, k),
        })
        .collect();
    // The silhouette over the measured rows only, relabelled densely.
    let mut present: Vec<u32> = labels.clone();
    present.sort_unstable();
    present.dedup();
    let dense: Vec<u32> = labels
        .iter()
        .map(|l| present.binary_search(l).unwrap_or(0) as u32)
        .collect();
    let sub = cluster::Matrix {
        customers: rows.iter().map(|r| m.customers[*r]).collect(),
        values: rows
            .iter()
            .flat_map(|r| m.values[r * dims..(r + 1) * dims].iter().copied())
            .collect(),
        dims,
        means: m.means.clone(),
        scales: m.scales.clone(),
    };
    let silhouette = cluster::silhouette(&sub, &dense, present.len(), SILHOUETTE_SAMPLE, 7);
    Ok(Separation {
        groups: groups.iter().map(|(n, _)| n.clone()).collect(),
        overlap,
        measured: rows.len() as u64,
        in_several,
        spreads,
        silhouette,
        silhouette_sample: rows.len().min(SILHOUETTE_SAMPLE) as u64,
        verdict: silhouette.map(Verdict::of),
    })
}

/// η² of `values` grouped by `labels` (0 to `k` − 1): the between-group
/// sum of squares over the total; 0 when the values do not vary.
pub(crate) fn eta_squared(values: impl Iterator<Item = f64>, labels: &[u32], k: usize) -> f64 {
    let mut sums = vec![0.0; k];
    let mut counts = vec![0u64; k];
    let values: Vec<f64> = values.collect();
    for (x, l) in values.iter().zip(labels) {
        sums[*l as usize] += x;
        counts[*l as usize] += 1;
    }
    let n = values.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let mean = sums.iter().sum::<f64>() / n;
    let total: f64 = values.iter().map(|x| (x - mean).powi(2)).sum();
    let between: f64 = sums
        .iter()
        .zip(&counts)
        .filter(|(_, c)| **c > 0)
        .map(|(s, c)| *c as f64 * (s / *c as f64 - mean).powi(2))
        .sum();
    if total > 0.0 { between / total } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_squared_by_hand() {
        // Groups {1, 2, 3} and {7, 8, 9}: mean 5; total 4+9+16+4+9+16 = 58
        // less the within 2+2 = 4: between 54; 54 / 58.
        let x = [1.0, 2.0, 3.0, 7.0, 8.0, 9.0];
        let eta = eta_squared(x.iter().copied(), &[0, 0, 0, 1, 1, 1], 2);
        assert!((eta - 54.0 / 58.0).abs() < 1e-12, "{eta}");
        // Same means: nothing between.
        let eta = eta_squared([1.0, 3.0, 1.0, 3.0].into_iter(), &[0, 0, 1, 1], 2);
        assert!(eta.abs() < 1e-12);
        // No variation at all.
        assert_eq!(eta_squared([2.0, 2.0].into_iter(), &[0, 1], 2), 0.0);
    }

    #[test]
    fn verdicts_read_the_silhouette() {
        assert_eq!(Verdict::of(0.7), Verdict::Distinct);
        assert_eq!(Verdict::of(0.3), Verdict::Blurred);
        assert_eq!(Verdict::of(0.1), Verdict::Overlapping);
        assert_eq!(Verdict::of(-0.2), Verdict::Overlapping);
    }
}
