//! RFM scores and named segments, compatible with R's `rfm` package
//! (`rfm_table_order`, `rfm_segment`, `rfm_segment_summary`).
//!
//! Per customer: recency in days from the last order to the analysis date,
//! frequency = number of orders, monetary = sum of amounts. Refunds
//! (negative amounts) lower the monetary value but are not orders: they
//! count for neither frequency nor recency. A customer with no order is not
//! scored.
//!
//! Bins: type-7 quantiles of the customer values at `0, 1/n, ..., 1`; the
//! interior ones plus one are the breaks; lower edges are `[min, breaks]`,
//! upper edges `[breaks, max + 1]`; a value scores `i` when
//! `lower_i <= x < upper_i` (the last such `i`, as R assigns in a loop).
//! Recency scores are reversed: the most recent customers score `n`.

use crate::model::message::Message;

use serde::{Deserialize, Serialize};

use crate::import::orders::Orders;
use crate::model::date::Day;

/// How the values of one dimension are cut into scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Bins {
    /// `n` quantile bins, scores 1 to `n`.
    Quantiles(u8),
    /// Explicit breaks, ascending: scores 1 to `breaks.len() + 1`.
    Thresholds(Vec<f64>),
}

/// The bins of the three dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmConfig {
    /// Recency bins.
    pub recency: Bins,
    /// Frequency bins.
    pub frequency: Bins,
    /// Monetary bins.
    pub monetary: Bins,
}

impl Default for RfmConfig {
    fn default() -> Self {
        RfmConfig {
            recency: Bins::Quantiles(5),
            frequency: Bins::Quantiles(5),
            monetary: Bins::Quantiles(5),
        }
    }
}

/// One named segment: inclusive score ranges for R, F and M.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRule {
    /// The segment's name.
    pub name: String,
    /// Recency score range, inclusive.
    pub r: (u8, u8),
    /// Frequency score range, inclusive.
    pub f: (u8, u8),
    /// Monetary score range, inclusive.
    pub m: (u8, u8),
}

impl SegmentRule {
    /// True when the scores fall in all three ranges.
    pub fn matches(&self, r: u8, f: u8, m: u8) -> bool {
        (self.r.0..=self.r.1).contains(&r)
            && (self.f.0..=self.f.1).contains(&f)
            && (self.m.0..=self.m.1).contains(&m)
    }
}

/// The name given to customers that no rule matches.
pub const OTHERS: &str = "Others";

/// The ten segments of R's `rfm` documentation, in first-match order.
pub fn default_rules() -> Vec<SegmentRule> {
    let rule = |name: &str, r, f, m| SegmentRule {
        name: name.to_string(),
        r,
        f,
        m,
    };
    vec![
        rule("Champions", (5, 5), (5, 5), (5, 5)),
        rule("Potential Loyalist", (3, 5), (3, 5), (2, 5)),
        rule("Loyal Customers", (2, 4), (2, 4), (2, 4)),
        rule("Promising", (3, 4), (1, 3), (3, 5)),
        rule("New Customers", (4, 5), (1, 3), (1, 5)),
        rule("Can't Lose Them", (1, 2), (3, 4), (4, 5)),
        rule("At Risk", (1, 2), (2, 5), (4, 5)),
        rule("Need Attention", (1, 3), (3, 5), (3, 5)),
        rule("About To Sleep", (2, 3), (1, 3), (1, 4)),
        rule("Lost", (1, 1), (1, 5), (1, 5)),
    ]
}

/// The three-level scheme of e-mail tools: R, F and M scored 1 to 3 (333
/// best), in first-match order.
pub fn three_level_rules() -> Vec<SegmentRule> {
    let rule = |name: &str, r, f, m| SegmentRule {
        name: name.to_string(),
        r,
        f,
        m,
    };
    vec![
        rule("Champions", (3, 3), (3, 3), (3, 3)),
        rule("Loyal", (2, 3), (3, 3), (1, 3)),
        rule("Recent", (3, 3), (1, 2), (1, 3)),
        rule("Needs Attention", (2, 2), (1, 2), (1, 3)),
        rule("At Risk", (1, 1), (2, 3), (2, 3)),
        rule("Inactive", (1, 1), (1, 3), (1, 3)),
    ]
}

/// Bins and named segments together, as the user edits them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmSetup {
    /// The bins of R, F and M.
    pub config: RfmConfig,
    /// The segments, in first-match order.
    pub rules: Vec<SegmentRule>,
}

impl Default for RfmSetup {
    fn default() -> Self {
        RfmSetup {
            config: RfmConfig::default(),
            rules: default_rules(),
        }
    }
}

/// A ready-made setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    /// Its name for people.
    pub name: String,
    /// The setup.
    pub setup: RfmSetup,
}

/// The presets: R `rfm`'s ten segments on 5 bins, and the three-level
/// scheme of e-mail tools.
pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            name: "R rfm: ten segments, scores 1–5".into(),
            setup: RfmSetup::default(),
        },
        Preset {
            name: "E-mail tools: six groups, scores 1–3".into(),
            setup: RfmSetup {
                config: RfmConfig {
                    recency: Bins::Quantiles(3),
                    frequency: Bins::Quantiles(3),
                    monetary: Bins::Quantiles(3),
                },
                rules: three_level_rules(),
            },
        },
    ]
}

impl Bins {
    /// Reads thresholds typed as `30, 90, 180` (ascending, at most 8).
    pub fn parse_thresholds(text: &str) -> Result<Bins, Message> {
        let mut values = Vec::new();
        for part in text
            .split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let v = crate::model::number::parse_amount(
                part,
                crate::model::number::DecimalSeparator::Point,
            )
            .ok_or_else(|| Message::new("engine.with.not_a_number").with("part", part))?;
            values.push(v);
        }
        if values.is_empty() || values.len() > 8 {
            return Err(Message::new(
                "engine.type_from_1_to_8_thresholds_separated_by_commas",
            ));
        }
        if values.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Message::new("engine.the_thresholds_must_go_up"));
        }
        Ok(Bins::Thresholds(values))
    }

    /// The number of scores these bins give.
    pub fn scores(&self) -> u8 {
        match self {
            Bins::Quantiles(n) => (*n).max(1),
            Bins::Thresholds(t) => (t.len() + 1).min(9) as u8,
        }
    }
}

/// Two rules that match some of the same score cells: the later one never
/// gets them (first match wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlap {
    /// The rule that wins (earlier).
    pub winner: usize,
    /// The rule that loses those cells.
    pub loser: usize,
    /// How many score cells they share that no earlier rule takes.
    pub cells: u32,
}

/// What a rule table does with every combination of scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    /// Rules that share cells, and who wins them.
    pub overlaps: Vec<Overlap>,
    /// Rules that win no cell at all (hidden by earlier rules or empty).
    pub never_win: Vec<usize>,
    /// Score cells `(r, f, m)` that no rule matches: their customers go to
    /// "Others".
    pub uncovered: Vec<(u8, u8, u8)>,
    /// Cells in all.
    pub cells: u32,
    /// Rules whose ranges fall outside the scores or run backwards.
    pub invalid: Vec<usize>,
    /// For each rule, the score cells it matches.
    pub matched: Vec<u32>,
    /// For each rule, the score cells it gets (first match).
    pub won: Vec<u32>,
}

/// Checks a rule table against every cell of `n_r × n_f × n_m` scores.
pub fn check_rules(rules: &[SegmentRule], n_r: u8, n_f: u8, n_m: u8) -> RuleCheck {
    let mut overlaps: Vec<Overlap> = Vec::new();
    let mut wins = vec![0u32; rules.len()];
    let mut matched = vec![0u32; rules.len()];
    let mut uncovered = Vec::new();
    let mut cells = 0;
    for r in 1..=n_r {
        for f in 1..=n_f {
            for m in 1..=n_m {
                cells += 1;
                let matching: Vec<usize> = (0..rules.len())
                    .filter(|i| rules[*i].matches(r, f, m))
                    .collect();
                for i in &matching {
                    matched[*i] += 1;
                }
                match matching.split_first() {
                    None => uncovered.push((r, f, m)),
                    Some((&winner, losers)) => {
                        wins[winner] += 1;
                        for &loser in losers {
                            match overlaps
                                .iter_mut()
                                .find(|o| o.winner == winner && o.loser == loser)
                            {
                                Some(o) => o.cells += 1,
                                None => overlaps.push(Overlap {
                                    winner,
                                    loser,
                                    cells: 1,
                                }),
                            }
                        }
                    }
                }
            }
        }
    }
    let invalid = rules
        .iter()
        .enumerate()
        .filter(|(_, x)| {
            let bad = |(lo, hi): (u8, u8), n: u8| lo > hi || lo < 1 || hi > n;
            bad(x.r, n_r) || bad(x.f, n_f) || bad(x.m, n_m)
        })
        .map(|(i, _)| i)
        .collect();
    overlaps.sort_by_key(|o| (o.winner, o.loser));
    RuleCheck {
        overlaps,
        never_win: (0..rules.len()).filter(|i| wins[*i] == 0).collect(),
        uncovered,
        cells,
        invalid,
        matched,
        won: wins,
    }
}

/// Customers and revenue in each recency × frequency cell: `grid[f-1][r-1]`.
pub fn rf_grid(result: &RfmResult) -> Vec<Vec<(u64, f64)>> {
    let (n_r, n_f) = (result.recency_edges.len(), result.frequency_edges.len());
    let mut grid = vec![vec![(0u64, 0.0); n_r]; n_f];
    for row in &result.rows {
        let cell = &mut grid[usize::from(row.f) - 1][usize::from(row.r) - 1];
        cell.0 += 1;
        cell.1 += row.values.monetary;
    }
    grid
}

/// The raw values of one scored customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CustomerValues {
    /// Dense customer index.
    pub customer: u32,
    /// Days from the last order to the analysis date.
    pub recency_days: i32,
    /// Number of orders (refunds excluded).
    pub frequency: u32,
    /// Sum of amounts (refunds included).
    pub monetary: f64,
}

/// Aggregates orders per customer; customers with no order are left out.
/// Rows after the analysis date are ignored.
pub(crate) fn customer_values(orders: &Orders, as_of: Day) -> Vec<CustomerValues> {
    let n = orders.customer_keys.len();
    let mut last = vec![i32::MIN; n];
    let mut freq = vec![0u32; n];
    let mut money = vec![0f64; n];
    for i in 0..orders.len() {
        let (c, d, a) = (orders.customer[i] as usize, orders.day[i], orders.amount[i]);
        if d > as_of {
            continue;
        }
        money[c] += a;
        if a >= 0.0 {
            freq[c] += 1;
            last[c] = last[c].max(d);
        }
    }
    (0..n)
        .filter(|c| freq[*c] > 0)
        .map(|c| CustomerValues {
            customer: c as u32,
            recency_days: as_of - last[c],
            frequency: freq[c],
            monetary: money[c],
        })
        .collect()
}

/// Type-7 quantile (R's default) of sorted values, with R's own arithmetic
/// (`index = 1 + (n - 1) p`, `(1 - h) x[lo] + h x[hi]`) so that breaks
/// fall on the same side of a value as in R, to the last bit.
pub fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let index = 1.0 + (n - 1) as f64 * p;
    let lo = index.floor();
    let hi = index.ceil();
    let (x_lo, x_hi) = (sorted[lo as usize - 1], sorted[(hi as usize).min(n) - 1]);
    if index > lo && x_hi != x_lo {
        let h = index - lo;
        (1.0 - h) * x_lo + h * x_hi
    } else {
        x_lo
    }
}

/// The score intervals of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinEdges {
    /// Lower edges, inclusive.
    pub lower: Vec<f64>,
    /// Upper edges, exclusive.
    pub upper: Vec<f64>,
}

impl BinEdges {
    /// The number of scores.
    pub fn len(&self) -> usize {
        self.lower.len()
    }

    /// True when there is no bin.
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// The 1-based bin of a value: the last `i` with `lower_i <= x <
    /// upper_i`, as R assigns. Values outside every bin (only possible with
    /// thresholds) go to the nearest end, so no customer is left unscored.
    pub fn bin(&self, x: f64) -> u8 {
        let mut found = None;
        for i in 0..self.len() {
            if self.lower[i] <= x && x < self.upper[i] {
                found = Some(i);
            }
        }
        match found {
            Some(i) => (i + 1) as u8,
            None if x < self.lower[0] => 1,
            None => self.len() as u8,
        }
    }
}

/// Computes the edges of one dimension from its values.
pub fn bin_edges(values: &[f64], bins: &Bins) -> BinEdges {
    let mut sorted = values.to_vec();
    // Values equal in this order are the same bits: sorted alike by the
    // faster unstable sort.
    sorted.sort_unstable_by(f64::total_cmp);
    let (min, max) = (
        sorted.first().copied().unwrap_or(0.0),
        sorted.last().copied().unwrap_or(0.0),
    );
    let breaks: Vec<f64> = match bins {
        Bins::Quantiles(n) => {
            let n = (*n).max(1) as usize;
            // R's `seq(0, 1, length.out = n + 1)` is `i * (1 / n)`.
            let step = 1.0 / n as f64;
            (1..n)
                .map(|i| quantile7(&sorted, i as f64 * step) + 1.0)
                .collect()
        }
        Bins::Thresholds(t) => {
            let mut t = t.clone();
            t.sort_by(f64::total_cmp);
            t
        }
    };
    let mut lower = vec![min];
    lower.extend_from_slice(&breaks);
    let mut upper = breaks;
    upper.push(max + 1.0);
    BinEdges { lower, upper }
}

/// One scored customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmRow {
    /// The raw values.
    pub values: CustomerValues,
    /// Recency score.
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
    /// Index of the segment in [`RfmResult::segment_names`].
    pub segment: u16,
}

impl RfmRow {
    /// `100 R + 10 F + M`, as R's `rfm_score`.
    pub fn score(&self) -> u32 {
        100 * u32::from(self.r) + 10 * u32::from(self.f) + u32::from(self.m)
    }
}

/// The scores and segments of every scored customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmResult {
    /// The analysis date.
    pub as_of: Day,
    /// One row per scored customer, in customer index order.
    pub rows: Vec<RfmRow>,
    /// The rule names in order, then [`OTHERS`].
    pub segment_names: Vec<String>,
    /// Recency edges.
    pub recency_edges: BinEdges,
    /// Frequency edges.
    pub frequency_edges: BinEdges,
    /// Monetary edges.
    pub monetary_edges: BinEdges,
}

/// The segments' names: the rules' in order, then [`OTHERS`].
pub fn segment_names(rules: &[SegmentRule]) -> Vec<String> {
    rules
        .iter()
        .map(|r| r.name.clone())
        .chain(std::iter::once(OTHERS.to_string()))
        .collect()
}

/// Scores every customer and assigns the first matching segment.
pub fn compute(
    orders: &Orders,
    as_of: Day,
    config: &RfmConfig,
    rules: &[SegmentRule],
) -> RfmResult {
    let values = customer_values(orders, as_of);
    let col = |f: &dyn Fn(&CustomerValues) -> f64| values.iter().map(f).collect::<Vec<f64>>();
    let recency_edges = bin_edges(&col(&|v| f64::from(v.recency_days)), &config.recency);
    let frequency_edges = bin_edges(&col(&|v| f64::from(v.frequency)), &config.frequency);
    let monetary_edges = bin_edges(&col(&|v| v.monetary), &config.monetary);
    let n_r = recency_edges.len() as u8;
    let others = rules.len() as u16;
    let rows = values
        .iter()
        .map(|v| {
            let r = n_r + 1 - recency_edges.bin(f64::from(v.recency_days));
            let f = frequency_edges.bin(f64::from(v.frequency));
            let m = monetary_edges.bin(v.monetary);
            let segment = rules
                .iter()
                .position(|rule| rule.matches(r, f, m))
                .map(|p| p as u16)
                .unwrap_or(others);
            RfmRow {
                values: *v,
                r,
                f,
                m,
                segment,
            }
        })
        .collect();
    RfmResult {
        as_of,
        rows,
        segment_names: segment_names(rules),
        recency_edges,
        frequency_edges,
        monetary_edges,
    }
}

/// One line of the segment summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    /// The segment's name.
    pub segment: String,
    /// Customers in the segment.
    pub customers: u64,
    /// Their share of all scored customers.
    pub customer_share: f64,
    /// Their total monetary value.
    pub revenue: f64,
    /// Its share of the total (0 when the total is not positive).
    pub revenue_share: f64,
    /// Their orders.
    pub orders: u64,
    /// Average order value: revenue / orders.
    pub aov: f64,
}

/// Customers, orders, revenue and average order value per segment, in the
/// rule order with "Others" last (segments with no customer included).
pub fn summarise(result: &RfmResult) -> Vec<SegmentSummary> {
    let k = result.segment_names.len();
    let mut customers = vec![0u64; k];
    let mut orders = vec![0u64; k];
    let mut revenue = vec![0f64; k];
    for row in &result.rows {
        let s = row.segment as usize;
        customers[s] += 1;
        orders[s] += u64::from(row.values.frequency);
        revenue[s] += row.values.monetary;
    }
    let total_c: u64 = customers.iter().sum();
    let total_r: f64 = revenue.iter().sum();
    (0..k)
        .map(|s| SegmentSummary {
            segment: result.segment_names[s].clone(),
            customers: customers[s],
            customer_share: if total_c > 0 {
                customers[s] as f64 / total_c as f64
            } else {
                0.0
            },
            revenue: revenue[s],
            revenue_share: if total_r > 0.0 {
                revenue[s] / total_r
            } else {
                0.0
            },
            orders: orders[s],
            aov: if orders[s] > 0 {
                revenue[s] / orders[s] as f64
            } else {
                0.0
            },
        })
        .collect()
}
