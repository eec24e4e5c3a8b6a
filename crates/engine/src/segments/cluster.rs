//! Clusters: k-means with k-means++ seeding on standardised per-customer
//! features, the silhouette of k = 2..10 to suggest k, and each cluster
//! described by what sets it apart from the average customer.
//!
//! Deterministic: the same data, features, k and seed give the same
//! clusters on every machine.

use crate::model::message::Message;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::import::dataset::Dataset;
use crate::model::number::parse_amount;
use crate::model::rng::Rng;
use crate::segments::Facts;

/// A per-customer feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Feature {
    /// Days since the last order.
    Recency,
    /// Orders placed.
    Frequency,
    /// Net spend.
    Monetary,
    /// Days since the first order.
    Tenure,
    /// Average order value.
    AverageOrderValue,
    /// Share of received e-mails opened (0 when none was received), or
    /// events per week of tenure when there are events but no e-mails.
    Engagement,
    /// A numeric column of the customers file.
    Attribute(String),
}

impl Feature {
    /// The feature's short name for people: `recency`, `spend`, or the
    /// column's name.
    pub fn name(&self) -> String {
        match self {
            Feature::Recency => "recency".into(),
            Feature::Frequency => "frequency".into(),
            Feature::Monetary => "spend".into(),
            Feature::Tenure => "tenure".into(),
            Feature::AverageOrderValue => "average order value".into(),
            Feature::Engagement => "engagement".into(),
            Feature::Attribute(column) => column.clone(),
        }
    }

    /// The feature's name on the command line and in the app.
    pub fn key(&self) -> String {
        match self {
            Feature::Recency => "recency".into(),
            Feature::Frequency => "frequency".into(),
            Feature::Monetary => "monetary".into(),
            Feature::Tenure => "tenure".into(),
            Feature::AverageOrderValue => "aov".into(),
            Feature::Engagement => "engagement".into(),
            Feature::Attribute(c) => c.clone(),
        }
    }

    /// Reads a feature name; other names are columns of the customers file.
    pub fn parse(key: &str) -> Feature {
        match key.trim().to_ascii_lowercase().as_str() {
            "recency" => Feature::Recency,
            "frequency" => Feature::Frequency,
            "monetary" => Feature::Monetary,
            "tenure" => Feature::Tenure,
            "aov" | "average_order_value" => Feature::AverageOrderValue,
            "engagement" => Feature::Engagement,
            _ => Feature::Attribute(key.trim().to_string()),
        }
    }
}

/// What a clustering is run with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSetup {
    /// The features, standardised before clustering.
    pub features: Vec<Feature>,
    /// The number of clusters.
    pub k: usize,
    /// The seed of the k-means++ seeding.
    pub seed: u64,
    /// Runs from different seedings; the lowest inertia wins.
    pub runs: usize,
}

/// The feature matrix: one row per customer with an order.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// The customer of each row.
    pub customers: Vec<u32>,
    /// Row-major values, standardised (mean 0, standard deviation 1).
    pub values: Vec<f64>,
    /// The features' count.
    pub dims: usize,
    /// The raw (not standardised) means of the features.
    pub means: Vec<f64>,
    /// The raw standard deviations (1 where a feature is constant).
    pub scales: Vec<f64>,
}

/// Builds the standardised matrix of the customers with at least one order;
/// a missing attribute value is replaced by the attribute's mean.
pub fn matrix(data: &Dataset, facts: &Facts, features: &[Feature]) -> Result<Matrix, Message> {
    if features.is_empty() {
        return Err(Message::new(
            "engine.pick_at_least_one_feature_to_cluster_on",
        ));
    }
    let customers: Vec<u32> = (0..facts.n)
        .filter(|c| facts.order_count(*c) > 0)
        .map(|c| c as u32)
        .collect();
    if customers.is_empty() {
        return Err(Message::new(
            "engine.no_customer_has_an_order_before_the_analysis_date",
        ));
    }
    let dims = features.len();
    let mut columns: Vec<Vec<Option<f64>>> = Vec::with_capacity(dims);
    let engagement = engagement(data, facts);
    for f in features {
        let col: Vec<Option<f64>> = match f {
            Feature::Attribute(name) => {
                let table = data.customers.as_ref().ok_or_else(|| {
                    Message::new("engine.with.not_a_feature_no_customers").with("feature", name)
                })?;
                let at = table
                    .attribute_names
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        Message::new("engine.with.not_a_feature_nor_column").with("feature", name)
                    })?;
                let rows = table.row_of(facts.n);
                let decimal = attribute_decimal(table, at);
                let col: Vec<Option<f64>> = customers
                    .iter()
                    .map(|c| {
                        rows[*c as usize]
                            .and_then(|r| parse_amount(&table.attributes[r][at], decimal))
                    })
                    .collect();
                if col.iter().all(Option::is_none) {
                    return Err(Message::new("engine.with.no_numbers").with("column", name));
                }
                col
            }
            _ => customers
                .iter()
                .map(|c| {
                    let c = *c as usize;
                    let (first, last) = facts.first_last(c);
                    Some(match f {
                        Feature::Recency => f64::from(facts.as_of - last.unwrap_or(facts.as_of)),
                        Feature::Frequency => f64::from(facts.order_count(c)),
                        Feature::Monetary => facts.spend(c),
                        Feature::Tenure => f64::from(facts.as_of - first.unwrap_or(facts.as_of)),
                        Feature::AverageOrderValue => {
                            facts.spend(c) / f64::from(facts.order_count(c).max(1))
                        }
                        _ => engagement[c],
                    })
                })
                .collect(),
        };
        columns.push(col);
    }
    let n = customers.len();
    let mut means = Vec::with_capacity(dims);
    let mut scales = Vec::with_capacity(dims);
    for col in &columns {
        let present: Vec<f64> = col.iter().flatten().copied().collect();
        let mean = present.iter().sum::<f64>() / present.len().max(1) as f64;
        // Population standard deviation, as scikit-learn's StandardScaler.
        let var = col
            .iter()
            .map(|x| (x.unwrap_or(mean) - mean).powi(2))
            .sum::<f64>()
            / n as f64;
        means.push(mean);
        scales.push(if var > 0.0 { var.sqrt() } else { 1.0 });
    }
    let mut values = vec![0.0; n * dims];
    for (j, col) in columns.iter().enumerate() {
        for (i, x) in col.iter().enumerate() {
            values[i * dims + j] = (x.unwrap_or(means[j]) - means[j]) / scales[j];
        }
    }
    Ok(Matrix {
        customers,
        values,
        dims,
        means,
        scales,
    })
}

/// The decimal separator of a column of the customers file, from its first
/// 2,000 rows.
pub(crate) fn attribute_decimal(
    table: &crate::import::sources::CustomerTable,
    at: usize,
) -> crate::model::number::DecimalSeparator {
    let sample: Vec<&str> = table
        .attributes
        .iter()
        .take(2_000)
        .map(|r| r[at].as_str())
        .collect();
    crate::model::number::detect_decimal(&sample)
}

fn engagement(data: &Dataset, facts: &Facts) -> Vec<f64> {
    let n = facts.n;
    let mut out = vec![0.0; n];
    if let Some(e) = &data.email {
        let mut got = vec![0.0; n];
        for i in 0..e.customer.len() {
            if e.day[i].is_some_and(|d| d >= facts.as_of) {
                continue;
            }
            let c = e.customer[i] as usize;
            if c < n && e.delivered[i] {
                got[c] += 1.0;
                if e.opened[i] {
                    out[c] += 1.0;
                }
            }
        }
        for c in 0..n {
            if got[c] > 0.0 {
                out[c] /= got[c];
            }
        }
    } else if let Some(ev) = &data.events {
        let end = i64::from(facts.as_of) * 86_400;
        for i in 0..ev.customer.len() {
            let c = ev.customer[i] as usize;
            if c < n && ev.time[i] < end {
                out[c] += 1.0;
            }
        }
        for (c, x) in out.iter_mut().enumerate() {
            let weeks = facts
                .first_last(c)
                .0
                .map_or(1.0, |f| (f64::from(facts.as_of - f) / 7.0).max(1.0));
            *x /= weeks;
        }
    }
    out
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// A k-means result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeans {
    /// The centres, row-major, in standardised units.
    pub centres: Vec<f64>,
    /// The cluster of each row.
    pub labels: Vec<u32>,
    /// The sum of squared distances of the rows to their centres.
    pub inertia: f64,
    /// Lloyd iterations of the winning run.
    pub iterations: usize,
}

/// Greedy k-means++ seeding (as scikit-learn: 2 + ln k candidates per
/// centre, the one lowering the potential most is kept).
fn seed_centres(x: &[f64], dims: usize, k: usize, rng: &mut Rng) -> Vec<f64> {
    let n = x.len() / dims;
    let row = |i: usize| &x[i * dims..(i + 1) * dims];
    let trials = 2 + (k as f64).ln() as usize;
    let mut centres = Vec::with_capacity(k * dims);
    let first = (rng.next() % n as u64) as usize;
    centres.extend_from_slice(row(first));
    let mut closest: Vec<f64> = (0..n).map(|i| dist2(row(i), row(first))).collect();
    let mut potential: f64 = closest.iter().sum();
    let mut candidate_d = vec![0.0; n];
    let mut best_d = vec![0.0; n];
    for _ in 1..k {
        let mut best: Option<(usize, f64)> = None;
        for _ in 0..trials {
            // Sample a row with probability proportional to its distance.
            let target = rng.unit() * potential;
            let mut acc = 0.0;
            let mut pick = n - 1;
            for (i, d) in closest.iter().enumerate() {
                acc += d;
                if acc > target {
                    pick = i;
                    break;
                }
            }
            let mut pot = 0.0;
            for i in 0..n {
                let d = closest[i].min(dist2(row(i), row(pick)));
                candidate_d[i] = d;
                pot += d;
            }
            if best.is_none_or(|(_, p)| pot < p) {
                best = Some((pick, pot));
                std::mem::swap(&mut best_d, &mut candidate_d);
            }
        }
        let (pick, pot) = best.unwrap_or((0, potential));
        centres.extend_from_slice(row(pick));
        std::mem::swap(&mut closest, &mut best_d);
        potential = pot;
    }
    centres
}

/// The nearest centre to a row and the squared distance to it.
fn nearest(row: &[f64], centres: &[f64], dims: usize) -> (usize, f64) {
    let mut best = (0usize, f64::INFINITY);
    for (c, centre) in centres.chunks_exact(dims).enumerate() {
        let d = dist2(row, centre);
        if d < best.1 {
            best = (c, d);
        }
    }
    best
}

/// One Lloyd run from the given centres.
fn lloyd(x: &[f64], dims: usize, mut centres: Vec<f64>, max_iter: usize, tol: f64) -> KMeans {
    let n = x.len() / dims;
    let k = centres.len() / dims;
    let mut labels = vec![0u32; n];
    let mut sums = vec![0.0; k * dims];
    let mut counts = vec![0usize; k];
    let mut iterations = 0;
    loop {
        iterations += 1;
        sums.iter_mut().for_each(|s| *s = 0.0);
        counts.iter_mut().for_each(|c| *c = 0);
        for i in 0..n {
            let r = &x[i * dims..(i + 1) * dims];
            let best = nearest(r, &centres, dims);
            labels[i] = best.0 as u32;
            counts[best.0] += 1;
            for (s, v) in sums[best.0 * dims..(best.0 + 1) * dims].iter_mut().zip(r) {
                *s += v;
            }
        }
        let mut shift = 0.0;
        for c in 0..k {
            if counts[c] == 0 {
                continue;
            }
            for j in 0..dims {
                let v = sums[c * dims + j] / counts[c] as f64;
                shift += (v - centres[c * dims + j]).powi(2);
                centres[c * dims + j] = v;
            }
        }
        if shift <= tol || iterations >= max_iter {
            break;
        }
    }
    // Final assignment to the final centres.
    let mut inertia = 0.0;
    for i in 0..n {
        let best = nearest(&x[i * dims..(i + 1) * dims], &centres, dims);
        labels[i] = best.0 as u32;
        inertia += best.1;
    }
    KMeans {
        centres,
        labels,
        inertia,
        iterations,
    }
}

/// k-means on a standardised matrix: `runs` k-means++ seedings from `seed`,
/// Lloyd iterations until the centres move less than scikit-learn's
/// tolerance (1e-4 of the mean variance) or 300 iterations.
pub fn kmeans(m: &Matrix, k: usize, seed: u64, runs: usize) -> Result<KMeans, Message> {
    kmeans_steps(m, k, seed, runs, &mut |_| {})
}

/// As [`kmeans`], calling `after_run` with the runs done after each run.
pub(crate) fn kmeans_steps(
    m: &Matrix,
    k: usize,
    seed: u64,
    runs: usize,
    after_run: &mut dyn FnMut(usize),
) -> Result<KMeans, Message> {
    let n = m.customers.len();
    if k < 1 || k > n {
        return Err(Message::new("engine.with.too_many_clusters")
            .with("k", k)
            .with("n", n)
            .with("max", n));
    }
    let dims = m.dims;
    let mean_var = {
        let mut total = 0.0;
        for j in 0..dims {
            let mean = (0..n).map(|i| m.values[i * dims + j]).sum::<f64>() / n as f64;
            total += (0..n)
                .map(|i| (m.values[i * dims + j] - mean).powi(2))
                .sum::<f64>()
                / n as f64;
        }
        total / dims as f64
    };
    let tol = 1e-4 * mean_var;
    let mut rng = Rng(seed);
    let mut best: Option<KMeans> = None;
    for done in 1..=runs.max(1) {
        let centres = seed_centres(&m.values, dims, k, &mut rng);
        let run = lloyd(&m.values, dims, centres, 300, tol);
        if best.as_ref().is_none_or(|b| run.inertia < b.inertia) {
            best = Some(run);
        }
        after_run(done);
    }
    Ok(best.expect("at least one run is made"))
}

/// The mean silhouette of a labelling, over a deterministic sample of at
/// most `sample` rows (distances to every row of the sample).
pub fn silhouette(m: &Matrix, labels: &[u32], k: usize, sample: usize, seed: u64) -> Option<f64> {
    let n = m.customers.len();
    if k < 2 || n < 3 {
        return None;
    }
    let dims = m.dims;
    let mut rows: Vec<usize> = (0..n).collect();
    if n > sample {
        let mut rng = Rng(seed ^ 0x5151);
        for i in 0..sample {
            let j = i + (rng.next() % (n - i) as u64) as usize;
            rows.swap(i, j);
        }
        rows.truncate(sample);
    }
    let row = |i: usize| &m.values[i * dims..(i + 1) * dims];
    let mut total = 0.0;
    let mut counted = 0usize;
    let mut sums = vec![0.0; k];
    let mut counts = vec![0usize; k];
    for &i in &rows {
        sums.iter_mut().for_each(|s| *s = 0.0);
        counts.iter_mut().for_each(|c| *c = 0);
        for &j in &rows {
            if i != j {
                let l = labels[j] as usize;
                sums[l] += dist2(row(i), row(j)).sqrt();
                counts[l] += 1;
            }
        }
        let own = labels[i] as usize;
        if counts[own] == 0 {
            // A single member: silhouette 0, as scikit-learn.
            counted += 1;
            continue;
        }
        let a = sums[own] / counts[own] as f64;
        let b = (0..k)
            .filter(|c| *c != own && counts[*c] > 0)
            .map(|c| sums[c] / counts[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() {
            total += (b - a) / a.max(b);
        }
        counted += 1;
    }
    Some(total / counted.max(1) as f64)
}

/// The silhouette per k, and the k with the highest.
pub type SilhouetteCurve = (Vec<(usize, f64)>, Option<usize>);

/// The silhouette for each k from 2 to `max_k`, and the k it suggests
/// (the highest silhouette); `step` is told the values of k tried and to
/// try after each.
pub fn silhouette_curve(
    m: &Matrix,
    max_k: usize,
    seed: u64,
    step: &mut dyn FnMut(usize, usize),
) -> SilhouetteCurve {
    let mut curve = Vec::new();
    let ks = 2..=max_k.min(m.customers.len().saturating_sub(1));
    let total = ks.clone().count();
    for (done, k) in ks.enumerate() {
        if let Ok(run) = kmeans(m, k, seed, 1)
            && let Some(s) = silhouette(m, &run.labels, k, 2_000, seed)
        {
            curve.push((k, s));
        }
        step(done + 1, total);
    }
    let best = curve.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|x| x.0);
    (curve, best)
}

/// One cluster in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterProfile {
    /// Its name, e.g. `Cluster 3`.
    pub name: String,
    /// Its customers.
    pub customers: u64,
    /// The raw mean of each feature in the cluster.
    pub means: Vec<f64>,
    /// What sets it apart, e.g. `spend 3.1× the average; 62% city = Lyon`.
    pub description: String,
    /// The same, as data: the two features furthest from the average,
    /// then the most over-represented text value, if any.
    pub standouts: Vec<Standout>,
}

/// A clustering with its profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clustering {
    /// The setup.
    pub setup: ClusterSetup,
    /// The customer of each row and its cluster.
    pub members: Vec<(u32, u32)>,
    /// The profiles, by cluster.
    pub profiles: Vec<ClusterProfile>,
    /// The features' raw means over every clustered customer.
    pub means: Vec<f64>,
    /// The sum of squared distances to the centres.
    pub inertia: f64,
    /// The mean silhouette (sampled), when k ≥ 2.
    pub silhouette: Option<f64>,
}

/// Runs k-means with the setup and describes the clusters.
pub fn cluster(data: &Dataset, facts: &Facts, setup: &ClusterSetup) -> Result<Clustering, Message> {
    cluster_steps(data, facts, setup, &mut |_, _| {})
}

/// As [`cluster`], telling `step` the steps done and to do: each k-means
/// run, then the description and silhouette.
pub fn cluster_steps(
    data: &Dataset,
    facts: &Facts,
    setup: &ClusterSetup,
    step: &mut dyn FnMut(usize, usize),
) -> Result<Clustering, Message> {
    let total = setup.runs.max(1) + 1;
    let m = matrix(data, facts, &setup.features)?;
    let run = kmeans_steps(&m, setup.k, setup.seed, setup.runs, &mut |done| {
        step(done, total)
    })?;
    let k = setup.k;
    let dims = m.dims;
    let mut sums = vec![0.0; k * dims];
    let mut counts = vec![0u64; k];
    for (i, l) in run.labels.iter().enumerate() {
        let l = *l as usize;
        counts[l] += 1;
        for j in 0..dims {
            sums[l * dims + j] += m.values[i * dims + j] * m.scales[j] + m.means[j];
        }
    }
    let attributes = attribute_standouts(data, facts, &m.customers, &run.labels, k);
    let profiles = (0..k)
        .map(|c| {
            let means: Vec<f64> = (0..dims)
                .map(|j| sums[c * dims + j] / counts[c].max(1) as f64)
                .collect();
            let mut parts: Vec<(f64, Standout)> = setup
                .features
                .iter()
                .enumerate()
                .map(|(j, f)| {
                    let z = (means[j] - m.means[j]) / m.scales[j];
                    let standout = Standout::Feature {
                        feature: f.clone(),
                        mean: means[j],
                        overall: m.means[j],
                    };
                    (z.abs(), standout)
                })
                .collect();
            parts.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut standouts: Vec<Standout> = parts.into_iter().take(2).map(|p| p.1).collect();
            standouts.extend(attributes[c].clone());
            let words: Vec<String> = standouts.iter().map(Standout::to_string).collect();
            ClusterProfile {
                name: format!("Cluster {}", c + 1),
                customers: counts[c],
                means,
                description: words.join("; "),
                standouts,
            }
        })
        .collect();
    let silhouette = silhouette(&m, &run.labels, k, 2_000, setup.seed);
    step(total, total);
    Ok(Clustering {
        setup: setup.clone(),
        members: m
            .customers
            .iter()
            .zip(&run.labels)
            .map(|(c, l)| (*c, *l))
            .collect(),
        profiles,
        means: m.means,
        inertia: run.inertia,
        silhouette,
    })
}

/// What sets a cluster apart: a feature's mean against every clustered
/// customer's, or a text value of the customers file over-represented in
/// it. Its `Display` is the English the command line prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Standout {
    /// A feature's mean in the cluster against the mean of all.
    Feature {
        /// The feature.
        feature: Feature,
        /// Its mean in the cluster.
        mean: f64,
        /// Its mean over every clustered customer.
        overall: f64,
    },
    /// A value of a text column more common in the cluster.
    Value {
        /// The column of the customers file.
        column: String,
        /// The value.
        value: String,
        /// Its share of the cluster's customers.
        share: f64,
        /// Its share of every clustered customer.
        base: f64,
    },
}

impl Standout {
    /// For a feature: the cluster's mean over the overall mean, when it
    /// can be told (a positive, finite ratio).
    pub fn ratio(&self) -> Option<f64> {
        match self {
            Standout::Feature { mean, overall, .. } if overall.abs() > 1e-9 => {
                Some(mean / overall).filter(|r| r.is_finite() && *r > 0.0)
            }
            _ => None,
        }
    }

    /// For a feature: true when the cluster's mean is at least the overall
    /// mean.
    pub fn is_more(&self) -> bool {
        match self {
            Standout::Feature { mean, overall, .. } => {
                overall.abs() > 1e-9 && *mean / *overall >= 1.0
            }
            Standout::Value { .. } => true,
        }
    }

    /// The decimals a feature's means are written with.
    pub fn decimals(feature: &Feature) -> usize {
        match feature {
            Feature::Frequency | Feature::Attribute(_) => 1,
            Feature::Engagement => 2,
            _ => 0,
        }
    }
}

impl fmt::Display for Standout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (feature, mean, overall) = match self {
            Standout::Value {
                column,
                value,
                share,
                base,
            } => {
                return write!(
                    f,
                    "{:.0}% {column} = {value} (base {:.0}%)",
                    share * 100.0,
                    base * 100.0
                );
            }
            Standout::Feature {
                feature,
                mean,
                overall,
            } => (feature, *mean, *overall),
        };
        let more = self.is_more();
        let times = |what: &str| match self.ratio() {
            Some(ratio) => format!("{ratio:.1}× {what}"),
            None => what.to_string(),
        };
        let digits = Standout::decimals(feature);
        let vs = |unit: &str| {
            let [mean, overall] =
                [mean, overall].map(|x| crate::model::number::grouped(x, digits, ',', '.'));
            format!("({mean}{unit} vs {overall}{unit} on average)")
        };
        match feature {
            Feature::Recency if more => {
                write!(f, "last order {} {}", times("longer ago"), vs(" days"))
            }
            Feature::Recency => write!(f, "ordered more recently {}", vs(" days ago")),
            Feature::Frequency if more => write!(f, "{} {}", times("as many orders"), vs("")),
            Feature::Frequency => write!(f, "fewer orders {}", vs("")),
            Feature::Monetary if more => write!(f, "spend {} {}", times("the average"), vs("")),
            Feature::Monetary => write!(f, "spend less {}", vs("")),
            Feature::Tenure if more => write!(f, "customers for longer {}", vs(" days")),
            Feature::Tenure => write!(f, "newer customers {}", vs(" days")),
            Feature::AverageOrderValue if more => write!(f, "bigger orders {}", vs("")),
            Feature::AverageOrderValue => write!(f, "smaller orders {}", vs("")),
            Feature::Engagement if more => write!(f, "more engaged {}", vs("")),
            Feature::Engagement => write!(f, "less engaged {}", vs("")),
            Feature::Attribute(c) if more => write!(f, "higher {c} {}", vs("")),
            Feature::Attribute(c) => write!(f, "lower {c} {}", vs("")),
        }
    }
}

/// For each cluster, the text attribute value most over-represented in it
/// against the clustered base (at least 1.3 times the base share and 20%
/// of the cluster), e.g. `62% city = Lyon (base 20%)`.
fn attribute_standouts(
    data: &Dataset,
    facts: &Facts,
    customers: &[u32],
    labels: &[u32],
    k: usize,
) -> Vec<Option<Standout>> {
    let mut out = vec![None; k];
    let Some(table) = &data.customers else {
        return out;
    };
    let rows = table.row_of(facts.n);
    let mut sizes = vec![0.0f64; k];
    for l in labels {
        sizes[*l as usize] += 1.0;
    }
    let total = labels.len() as f64;
    let mut best: Vec<(f64, Option<Standout>)> = vec![(0.0, None); k];
    for (col, name) in table.attribute_names.iter().enumerate() {
        let mut index: rustc_hash::FxHashMap<&str, usize> = Default::default();
        let mut counts: Vec<Vec<f64>> = Vec::new();
        for (i, c) in customers.iter().enumerate() {
            let Some(r) = rows[*c as usize] else { continue };
            let v = table.attributes[r][col].trim();
            if v.is_empty() {
                continue;
            }
            let next = index.len();
            let id = *index.entry(v).or_insert(next);
            if id == counts.len() {
                if counts.len() >= 50 {
                    // Too many values (names, ids, numbers): not a category.
                    counts.clear();
                    break;
                }
                counts.push(vec![0.0; k]);
            }
            counts[id][labels[i] as usize] += 1.0;
        }
        if counts.is_empty() || counts.len() < 2 {
            continue;
        }
        for (value, id) in &index {
            let Some(per) = counts.get(*id) else { continue };
            let base = per.iter().sum::<f64>() / total;
            for c in 0..k {
                let share = per[c] / sizes[c].max(1.0);
                let lift = share / base.max(1e-9);
                if share >= 0.2 && lift >= 1.3 && lift > best[c].0 {
                    best[c] = (
                        lift,
                        Some(Standout::Value {
                            column: name.clone(),
                            value: value.to_string(),
                            share,
                            base,
                        }),
                    );
                }
            }
        }
    }
    for (c, (lift, standout)) in best.into_iter().enumerate() {
        if lift > 0.0 {
            out[c] = standout;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix_of(rows: &[[f64; 2]]) -> Matrix {
        Matrix {
            customers: (0..rows.len() as u32).collect(),
            values: rows.iter().flatten().copied().collect(),
            dims: 2,
            means: vec![0.0, 0.0],
            scales: vec![1.0, 1.0],
        }
    }

    #[test]
    fn two_obvious_groups_by_hand() {
        // Two groups of three points around (0,0) and (10,10): the centres
        // are the groups' means and the inertia is the sum of squared
        // distances to them: each group 2/3 + 2/3 + ... computed below.
        let m = matrix_of(&[
            [0.0, 0.0],
            [1.0, 0.0],
            [0.0, 1.0],
            [10.0, 10.0],
            [11.0, 10.0],
            [10.0, 11.0],
        ]);
        let r = kmeans(&m, 2, 7, 3).unwrap();
        assert_eq!(r.labels[0], r.labels[1]);
        assert_eq!(r.labels[1], r.labels[2]);
        assert_eq!(r.labels[3], r.labels[4]);
        assert_ne!(r.labels[0], r.labels[3]);
        // Centre (1/3, 1/3): squared distances 2/9, 5/9, 5/9 = 12/9 per group.
        assert!((r.inertia - 24.0 / 9.0).abs() < 1e-12, "{}", r.inertia);
        let s = silhouette(&m, &r.labels, 2, 100, 1).unwrap();
        assert!(s > 0.85, "{s}");
    }

    #[test]
    fn deterministic_for_a_seed_and_k_bounds() {
        let pts: Vec<[f64; 2]> = (0..300)
            .map(|i| {
                let t = i as f64;
                [
                    (t * 0.37).sin() * 3.0 + (i % 3) as f64 * 20.0,
                    (t * 0.11).cos() * 2.0,
                ]
            })
            .collect();
        let m = matrix_of(&pts);
        let a = kmeans(&m, 3, 42, 2).unwrap();
        let b = kmeans(&m, 3, 42, 2).unwrap();
        assert_eq!(a, b);
        assert!(kmeans(&m, 0, 1, 1).is_err());
        assert!(kmeans(&m, 301, 1, 1).is_err());
        // Each value of k tried is a step, counted as it is done.
        let mut steps = Vec::new();
        let (curve, best) =
            silhouette_curve(&m, 6, 3, &mut |done, total| steps.push((done, total)));
        assert_eq!(curve.len(), 5);
        assert_eq!(best, Some(3));
        assert_eq!(steps, [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]);
        // Each run is a step too, and counting them changes nothing.
        let mut runs = Vec::new();
        let c = kmeans_steps(&m, 3, 42, 2, &mut |done| runs.push(done)).unwrap();
        assert_eq!(runs, [1, 2]);
        assert_eq!(c, a);
    }

    #[test]
    fn standardisation_and_descriptions() {
        let mut rows = Vec::new();
        for i in 0..30 {
            // Ten big spenders in Lyon, twenty small ones elsewhere.
            let (amount, n) = if i < 10 { (300.0, 3) } else { (20.0, 1) };
            for o in 0..n {
                rows.push((format!("c{i}"), 100 + o * 10, amount));
            }
        }
        let mut data = Dataset::from_orders(crate::Orders::from_rows(&rows));
        let mut csv = String::from("customer_id,city,age\n");
        for i in 0..30 {
            let city = if i < 10 {
                "Lyon"
            } else if i % 2 == 0 {
                "Paris"
            } else {
                "Nice"
            };
            csv.push_str(&format!("c{i},{city},{}\n", 20 + i));
        }
        data.add_source("c.csv", csv.as_bytes()).unwrap();
        let facts = Facts::new(&data, 200);
        let m = matrix(&data, &facts, &[Feature::Monetary, Feature::parse("age")]).unwrap();
        // Standardised columns: mean 0, population variance 1.
        for j in 0..2 {
            let col: Vec<f64> = (0..30).map(|i| m.values[i * 2 + j]).collect();
            let mean = col.iter().sum::<f64>() / 30.0;
            let var = col.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 30.0;
            assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        }
        let setup = ClusterSetup {
            features: vec![Feature::Monetary, Feature::Frequency],
            k: 2,
            seed: 1,
            runs: 2,
        };
        let c = cluster(&data, &facts, &setup).unwrap();
        // Two runs, then the description: three steps, the same result.
        let mut steps = Vec::new();
        let counted = cluster_steps(&data, &facts, &setup, &mut |d, t| steps.push((d, t))).unwrap();
        assert_eq!(steps, [(1, 3), (2, 3), (3, 3)]);
        assert_eq!(counted, c);
        let big = c.profiles.iter().find(|p| p.customers == 10).unwrap();
        // Mean spend 900 against (10 × 900 + 20 × 20) / 30 = 313.3.
        assert!(
            big.description
                .starts_with("spend 2.9× the average (900 vs 313 on average)"),
            "{}",
            big.description
        );
        assert!(
            big.description.contains("100% city = Lyon (base 33%)"),
            "{}",
            big.description
        );
        assert!(
            matrix(&data, &facts, &[Feature::parse("town")])
                .unwrap_err()
                .to_string()
                .contains("nor a column")
        );
        assert!(
            matrix(&data, &facts, &[Feature::parse("city")])
                .unwrap_err()
                .to_string()
                .contains("no numbers")
        );
    }
}
