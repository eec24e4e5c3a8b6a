//! Act, then measure: what each campaign of an e-mail results or sends
//! file did, per segment and group.
//!
//! A customer belongs to a campaign from the first day they appear in its
//! rows. They **converted** when they placed at least one order (not a
//! refund) dated from that day to before that day + the window; the
//! campaign's **revenue** is the amount of their orders in the same days,
//! refunds subtracted. Their **segment** is their RFM segment at that day:
//! scored on the orders dated before it, the analysis date being that day
//! (customers without an earlier order are "no order before").
//!
//! When the file holds a control group (customers held out, not sent), each
//! group that was sent is compared with it: the **uplift** in conversion is
//! the difference of the two rates, with the 95% Wald interval of a
//! difference of two independent proportions and the pooled two-proportion
//! z-test; the uplift in revenue per customer is the difference of the
//! means, with Welch's t interval and test. Segment by segment, many tests
//! are read at once, so their p-values are adjusted with Holm's method
//! before a difference is called significant. Without a control group,
//! A/B variants are compared with the first variant. A customer found in
//! both a control and a sent group is left out and counted.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::analysis::membership::up_to;
use crate::import::orders::Orders;
use crate::import::sources::{EmailTable, index_or_push};
use crate::model::date::Day;
use crate::segments::rfm::{self, RfmSetup};
use crate::stats::inference::{two_proportion_p, wilson};

/// The days after the send in which an order counts, unless chosen.
pub const DEFAULT_WINDOW_DAYS: i32 = 30;

/// The p-value under which a difference is called significant, after
/// Holm's adjustment.
pub(crate) const ALPHA: f64 = 0.05;

/// A group of a campaign, by what it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Arm {
    /// The customers who were sent the campaign (the file has no variant).
    Sent,
    /// The customers who were sent this variant.
    Variant(String),
    /// The customers held out.
    Control,
}

/// Which customers a row of the results describes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Audience {
    /// Every customer of the campaign.
    All,
    /// The customers in this RFM segment at their send day.
    Rfm(String),
    /// The customers with no order before their send day.
    NoOrderBefore,
}

/// A share and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// The share, 0 to 1.
    pub value: f64,
    /// The 95% Wilson interval.
    pub low: f64,
    /// The 95% Wilson interval.
    pub high: f64,
}

impl Rate {
    /// `k` of `n`, with its interval; none when `n` is 0.
    pub fn of(k: u64, n: u64) -> Option<Rate> {
        let (low, high) = wilson(k as f64, n as f64)?;
        Some(Rate {
            value: k as f64 / n as f64,
            low,
            high,
        })
    }
}

/// One group of one audience of one campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmResult {
    /// The group.
    pub arm: Arm,
    /// Its customers.
    pub customers: u64,
    /// Of them, those whose e-mail was delivered (none in a control
    /// group).
    pub delivered: u64,
    /// Those who opened it.
    pub opened: u64,
    /// Those who clicked.
    pub clicked: u64,
    /// Those who unsubscribed.
    pub unsubscribed: u64,
    /// Those who placed an order in the window.
    pub converted: u64,
    /// `converted / customers`.
    pub conversion: Option<Rate>,
    /// `opened / delivered`.
    pub open_rate: Option<Rate>,
    /// `clicked / delivered`.
    pub click_rate: Option<Rate>,
    /// `unsubscribed / delivered`.
    pub unsubscribe_rate: Option<Rate>,
    /// The amount of their orders in the window, refunds subtracted.
    pub revenue: f64,
    /// `revenue / customers`.
    pub revenue_per_customer: Option<f64>,
}

/// A difference between two groups, with its interval and test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The group's value minus the reference's.
    pub value: f64,
    /// The 95% interval.
    pub low: f64,
    /// The 95% interval.
    pub high: f64,
    /// The test's p-value.
    pub p: f64,
    /// The p-value adjusted with Holm's method over every audience but
    /// "All" of the campaign (the same as `p` for "All").
    pub p_adjusted: f64,
}

impl Difference {
    /// True when the difference is significant at 5% after adjustment.
    pub fn significant(&self) -> bool {
        self.p_adjusted < ALPHA
    }
}

/// A sent group compared with the reference (the control group, or the
/// first variant without one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uplift {
    /// The group.
    pub arm: Arm,
    /// What it is compared with.
    pub against: Arm,
    /// The difference in conversion (a share, 0.02 = 2 points).
    pub conversion: Option<Difference>,
    /// The difference in revenue per customer.
    pub revenue_per_customer: Option<Difference>,
}

/// One audience of one campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceResult {
    /// Who.
    pub audience: Audience,
    /// Each group: the sent ones first, the control group last.
    pub arms: Vec<ArmResult>,
    /// Each sent group compared with the reference, when both have
    /// customers in this audience.
    pub uplifts: Vec<Uplift>,
}

/// What one campaign did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignResult {
    /// Its name as the file writes it.
    pub name: String,
    /// Its first and last send days.
    pub first_day: Option<Day>,
    /// Its last send day.
    pub last_day: Option<Day>,
    /// The days after the send in which an order counts.
    pub window_days: i32,
    /// True when the window has not ended yet for some customers on the
    /// data's last order day: their conversions may still come.
    pub window_open: bool,
    /// True when the file has a control group for this campaign.
    pub has_control: bool,
    /// All customers first, then each RFM segment with customers, then
    /// those with no order before.
    pub audiences: Vec<AudienceResult>,
    /// Customers left out: their rows have no send day.
    pub without_day: u64,
    /// Customers left out: found in both a control and a sent group.
    pub in_both_groups: u64,
    /// The variant that converted significantly better than every other
    /// (all customers, Holm-adjusted over the pairs), when there is one.
    pub winner: Option<String>,
}

/// A campaign's audience kept in a project: the list exported for it with
/// a control group held out, frozen on the day it was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentList {
    /// The campaign's name.
    pub name: String,
    /// The day it was sent.
    pub day: Day,
    /// Its customers, by key (keys outlive updates; indices may not).
    pub customers: Vec<String>,
    /// Whether each was held out.
    pub control: Vec<bool>,
}

/// The e-mail results (or none) with the customers of each kept list
/// added as sends of its campaign, sent on its day. Customers no longer in
/// the data are skipped.
pub fn with_lists(orders: &Orders, email: Option<&EmailTable>, lists: &[SentList]) -> EmailTable {
    let mut out = email.cloned().unwrap_or_default();
    if lists.is_empty() {
        return out;
    }
    let index: FxHashMap<&str, u32> = orders
        .customer_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    let had_variants = !out.variant.is_empty();
    // Older rows without a group column were all sent.
    out.control.resize(out.customer.len(), false);
    for list in lists {
        let campaign = index_or_push(&mut out.campaigns, &list.name);
        for (key, &control) in list.customers.iter().zip(&list.control) {
            let Some(&customer) = index.get(key.as_str()) else {
                continue;
            };
            out.customer.push(customer);
            out.campaign.push(campaign);
            out.day.push(Some(list.day));
            out.delivered.push(!control);
            out.opened.push(false);
            out.clicked.push(false);
            out.unsubscribed.push(false);
            out.control.push(control);
            if had_variants {
                // A kept list has no variant: the empty name, added once.
                let none = index_or_push(&mut out.variants, "");
                out.variant.push(none);
            }
        }
    }
    out
}

/// One customer of one campaign.
struct Member {
    customer: u32,
    day: Day,
    arm: Arm,
    delivered: bool,
    opened: bool,
    clicked: bool,
    unsubscribed: bool,
}

/// Measures every campaign of `email` against `orders`: conversions and
/// revenue in `window_days` from each customer's send day, per RFM segment
/// of `setup` at that day and per group.
pub fn measure(
    orders: &Orders,
    email: &EmailTable,
    setup: &RfmSetup,
    window_days: i32,
) -> Vec<CampaignResult> {
    let window_days = window_days.max(1);
    let last_order_day = orders.day.iter().copied().max();
    // The rows of each customer, for the window sums.
    let mut by_customer: Vec<Vec<usize>> = vec![Vec::new(); orders.customer_keys.len()];
    for (i, &c) in orders.customer.iter().enumerate() {
        by_customer[c as usize].push(i);
    }
    let mut segments_at: FxHashMap<Day, Vec<Option<u16>>> = FxHashMap::default();
    let segment_names = rfm::segment_names(&setup.rules);
    (0..email.campaigns.len() as u32)
        .map(|campaign| {
            let (members, without_day, in_both_groups) = members(email, campaign);
            for m in &members {
                segments_at.entry(m.day).or_insert_with(|| {
                    let before = up_to(orders, m.day - 1);
                    let result = rfm::compute(&before, m.day, &setup.config, &setup.rules);
                    let mut of = vec![None; orders.customer_keys.len()];
                    for row in &result.rows {
                        of[row.values.customer as usize] = Some(row.segment);
                    }
                    of
                });
            }
            let outcome: Vec<(bool, f64)> = members
                .iter()
                .map(|m| {
                    let end = m.day + window_days;
                    let rows = by_customer.get(m.customer as usize).map_or(&[][..], |r| r);
                    let inside = rows
                        .iter()
                        .filter(|&&i| orders.day[i] >= m.day && orders.day[i] < end);
                    let (mut converted, mut revenue) = (false, 0.0);
                    for &i in inside {
                        converted |= orders.amount[i] >= 0.0;
                        revenue += orders.amount[i];
                    }
                    (converted, revenue)
                })
                .collect();
            let audience_of = |m: &Member| -> Audience {
                match segments_at[&m.day]
                    .get(m.customer as usize)
                    .copied()
                    .flatten()
                {
                    Some(s) => Audience::Rfm(segment_names[usize::from(s)].clone()),
                    None => Audience::NoOrderBefore,
                }
            };
            let mut audiences = vec![Audience::All];
            audiences.extend(segment_names.iter().cloned().map(Audience::Rfm));
            audiences.push(Audience::NoOrderBefore);
            let of: Vec<Audience> = members.iter().map(audience_of).collect();
            let mut arms: Vec<Arm> = Vec::new();
            for m in &members {
                if m.arm != Arm::Control && !arms.contains(&m.arm) {
                    arms.push(m.arm.clone());
                }
            }
            // Variants in the order of their names (the control group comes
            // last, added below).
            arms.sort_by(|a, b| match (a, b) {
                (Arm::Variant(x), Arm::Variant(y)) => x.cmp(y),
                _ => std::cmp::Ordering::Equal,
            });
            let has_control = members.iter().any(|m| m.arm == Arm::Control);
            if has_control {
                arms.push(Arm::Control);
            }
            let mut results: Vec<AudienceResult> = audiences
                .into_iter()
                .filter_map(|audience| {
                    let inside: Vec<usize> = (0..members.len())
                        .filter(|&i| audience == Audience::All || of[i] == audience)
                        .collect();
                    if inside.is_empty() {
                        return None;
                    }
                    let arm_results: Vec<(ArmResult, Vec<f64>)> = arms
                        .iter()
                        .map(|arm| {
                            let who: Vec<usize> = inside
                                .iter()
                                .copied()
                                .filter(|&i| members[i].arm == *arm)
                                .collect();
                            arm_result(arm, &who, &members, &outcome)
                        })
                        .collect();
                    let uplifts = uplifts(&arm_results, has_control);
                    Some(AudienceResult {
                        audience,
                        arms: arm_results.into_iter().map(|(a, _)| a).collect(),
                        uplifts,
                    })
                })
                .collect();
            holm_over_segments(&mut results);
            let first_day = members.iter().map(|m| m.day).min();
            let last_day = members.iter().map(|m| m.day).max();
            let window_open = match (last_day, last_order_day) {
                (Some(sent), Some(last)) => sent + window_days > last + 1,
                _ => false,
            };
            CampaignResult {
                name: email.campaigns[campaign as usize].clone(),
                first_day,
                last_day,
                window_days,
                window_open,
                has_control,
                winner: winner(&members, &outcome, &arms),
                audiences: results,
                without_day,
                in_both_groups,
            }
        })
        .collect()
}

/// The customers of one campaign, each once: their first send day, their
/// group and what they did with the e-mail; with the number left out for
/// want of a send day and for being in both a control and a sent group.
fn members(email: &EmailTable, campaign: u32) -> (Vec<Member>, u64, u64) {
    let mut at: FxHashMap<u32, usize> = FxHashMap::default();
    let mut members: Vec<Member> = Vec::new();
    let mut both: Vec<bool> = Vec::new();
    let mut no_day: rustc_hash::FxHashSet<u32> = Default::default();
    for row in (0..email.customer.len()).filter(|&r| email.campaign[r] == campaign) {
        let customer = email.customer[row];
        let Some(day) = email.day[row] else {
            no_day.insert(customer);
            continue;
        };
        let control = email.control.get(row).copied().unwrap_or(false);
        let arm = if control {
            Arm::Control
        } else {
            match email.variant.get(row) {
                Some(&v) => Arm::Variant(email.variants[v as usize].clone()),
                None => Arm::Sent,
            }
        };
        match at.get(&customer) {
            Some(&i) => {
                let m = &mut members[i];
                if (m.arm == Arm::Control) != control {
                    both[i] = true;
                }
                m.day = m.day.min(day);
                m.delivered |= email.delivered[row] && !control;
                m.opened |= email.opened[row];
                m.clicked |= email.clicked[row];
                m.unsubscribed |= email.unsubscribed[row];
            }
            None => {
                at.insert(customer, members.len());
                both.push(false);
                members.push(Member {
                    customer,
                    day,
                    arm,
                    delivered: email.delivered[row] && !control,
                    opened: email.opened[row],
                    clicked: email.clicked[row],
                    unsubscribed: email.unsubscribed[row],
                });
            }
        }
    }
    let in_both = both.iter().filter(|b| **b).count() as u64;
    let mut keep = both.iter().map(|b| !b);
    members.retain(|_| keep.next().unwrap_or(true));
    let without_day = no_day.iter().filter(|c| !at.contains_key(c)).count() as u64;
    (members, without_day, in_both)
}

fn arm_result(
    arm: &Arm,
    who: &[usize],
    members: &[Member],
    outcome: &[(bool, f64)],
) -> (ArmResult, Vec<f64>) {
    let count =
        |f: &dyn Fn(&Member) -> bool| who.iter().filter(|&&i| f(&members[i])).count() as u64;
    let customers = who.len() as u64;
    let delivered = count(&|m| m.delivered);
    let opened = count(&|m| m.opened);
    let clicked = count(&|m| m.clicked);
    let unsubscribed = count(&|m| m.unsubscribed);
    let converted = who.iter().filter(|&&i| outcome[i].0).count() as u64;
    let revenues: Vec<f64> = who.iter().map(|&i| outcome[i].1).collect();
    let revenue: f64 = revenues.iter().sum();
    (
        ArmResult {
            arm: arm.clone(),
            customers,
            delivered,
            opened,
            clicked,
            unsubscribed,
            converted,
            conversion: Rate::of(converted, customers),
            open_rate: Rate::of(opened, delivered),
            click_rate: Rate::of(clicked, delivered),
            unsubscribe_rate: Rate::of(unsubscribed, delivered),
            revenue,
            revenue_per_customer: (customers > 0).then(|| revenue / customers as f64),
        },
        revenues,
    )
}

/// Each sent group against the control group, or each variant against the
/// first without one.
fn uplifts(arms: &[(ArmResult, Vec<f64>)], has_control: bool) -> Vec<Uplift> {
    let reference = if has_control {
        arms.len().checked_sub(1)
    } else {
        (arms.len() > 1).then_some(0)
    };
    let Some(r) = reference else {
        return Vec::new();
    };
    let (base, base_revenues) = &arms[r];
    arms.iter()
        .enumerate()
        .filter(|(i, (arm, _))| {
            *i != r
                && (!has_control || *i + 1 < arms.len())
                && arm.customers > 0
                && base.customers > 0
        })
        .map(|(_, (arm, revenues))| Uplift {
            arm: arm.arm.clone(),
            against: base.arm.clone(),
            conversion: proportion_difference(
                arm.converted,
                arm.customers,
                base.converted,
                base.customers,
            ),
            revenue_per_customer: welch(revenues, base_revenues),
        })
        .collect()
}

const Z95: f64 = 1.959_963_984_540_054;

/// `k1/n1 − k2/n2` with its 95% Wald interval (unpooled) and the pooled
/// z-test's p-value.
pub(crate) fn proportion_difference(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<Difference> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (p1, p2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let se = (p1 * (1.0 - p1) / n1 as f64 + p2 * (1.0 - p2) / n2 as f64).sqrt();
    let value = p1 - p2;
    let p = two_proportion_p(k1 as f64, n1 as f64, k2 as f64, n2 as f64)?;
    Some(Difference {
        value,
        low: value - Z95 * se,
        high: value + Z95 * se,
        p,
        p_adjusted: p,
    })
}

/// The difference of the means of `a` and `b` with Welch's 95% interval
/// and test (Welch–Satterthwaite degrees of freedom); none with fewer than
/// two values on a side or no spread at all.
pub(crate) fn welch(a: &[f64], b: &[f64]) -> Option<Difference> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let moments = |x: &[f64]| {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
        (n, mean, var)
    };
    let ((na, ma, va), (nb, mb, vb)) = (moments(a), moments(b));
    let (sa, sb) = (va / na, vb / nb);
    let se2 = sa + sb;
    let value = ma - mb;
    if se2 == 0.0 {
        // Every customer of both groups spent the same: nothing to test.
        return None;
    }
    let df = se2 * se2 / (sa * sa / (na - 1.0) + sb * sb / (nb - 1.0));
    let student = StudentsT::new(0.0, 1.0, df).ok()?;
    let half = student.inverse_cdf(0.975) * se2.sqrt();
    let p = (2.0 * student.sf((value / se2.sqrt()).abs())).min(1.0);
    Some(Difference {
        value,
        low: value - half,
        high: value + half,
        p,
        p_adjusted: p,
    })
}

/// The smallest uplift in conversion a test can tell from chance: over a
/// base conversion `base`, the difference that a two-sided test at 5%
/// finds 80% of the time with `treated` and `control` customers. On
/// Cohen's h (the difference of the arcsines of the square roots) with
/// the normal approximation, both tails counted, as statsmodels'
/// `NormalIndPower` solves it; none without customers on both sides or
/// with a base of 0 or 1.
pub fn minimum_detectable_uplift(base: f64, treated: u64, control: u64) -> Option<f64> {
    if treated == 0 || control == 0 || !(base > 0.0 && base < 1.0) {
        return None;
    }
    let se = (1.0 / treated as f64 + 1.0 / control as f64).sqrt();
    let phi = crate::stats::inference::normal_cdf;
    let power = |h: f64| phi(h / se - Z95) + phi(-h / se - Z95);
    // The power grows with h: bisection to the h that gives 80%.
    let (mut lo, mut hi) = (0.0, std::f64::consts::PI);
    if power(hi) < 0.8 {
        return None;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if power(mid) < 0.8 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let h = (lo + hi) / 2.0;
    let angle = (base.sqrt().asin() + h / 2.0).min(std::f64::consts::FRAC_PI_2);
    Some(angle.sin().powi(2) - base)
}

/// Holm's step-down adjustment of `p`, in the same order.
pub(crate) fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

/// Adjusts the conversion and the revenue p-values of every audience but
/// "All" with Holm's method, each a family of its own.
fn holm_over_segments(results: &mut [AudienceResult]) {
    type Pick = fn(&mut Uplift) -> &mut Option<Difference>;
    let picks: [Pick; 2] = [|u| &mut u.conversion, |u| &mut u.revenue_per_customer];
    for pick in picks {
        let mut family: Vec<&mut Difference> = results
            .iter_mut()
            .filter(|r| r.audience != Audience::All)
            .flat_map(|r| r.uplifts.iter_mut())
            .filter_map(|u| pick(u).as_mut())
            .collect();
        let p: Vec<f64> = family.iter().map(|d| d.p).collect();
        for (d, adjusted) in family.iter_mut().zip(holm(&p)) {
            d.p_adjusted = adjusted;
        }
    }
}

/// The variant that converted better than every other one, significantly
/// after Holm's adjustment over those pairs, among all the campaign's
/// customers.
fn winner(members: &[Member], outcome: &[(bool, f64)], arms: &[Arm]) -> Option<String> {
    let variants: Vec<(&String, u64, u64)> = arms
        .iter()
        .filter_map(|a| match a {
            Arm::Variant(name) => {
                let who: Vec<usize> = (0..members.len())
                    .filter(|&i| members[i].arm == *a)
                    .collect();
                let converted = who.iter().filter(|&&i| outcome[i].0).count() as u64;
                Some((name, converted, who.len() as u64))
            }
            _ => None,
        })
        .collect();
    if variants.len() < 2 {
        return None;
    }
    let rate = |(_, k, n): &(&String, u64, u64)| *k as f64 / (*n).max(1) as f64;
    let best = variants.iter().max_by(|a, b| rate(a).total_cmp(&rate(b)))?;
    let p: Vec<f64> = variants
        .iter()
        .filter(|v| v.0 != best.0)
        .map(|v| proportion_difference(best.1, best.2, v.1, v.2).map_or(1.0, |d| d.p))
        .collect();
    holm(&p).iter().all(|&q| q < ALPHA).then(|| best.0.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_matches_a_hand_worked_example() {
        // p sorted 0.01, 0.02, 0.03, 0.04 with m = 4: 0.04, 0.06, 0.06
        // (monotone), 0.06.
        let adjusted = holm(&[0.03, 0.01, 0.04, 0.02]);
        let want = [0.06, 0.04, 0.06, 0.06];
        for (a, w) in adjusted.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adjusted:?}");
        }
        assert_eq!(holm(&[0.5, 0.9]), vec![1.0, 1.0]);
    }

    #[test]
    fn the_smallest_detectable_uplift_matches_statsmodels() {
        // NormalIndPower().solve_power(effect_size=None, nobs1=n1,
        // alpha=0.05, power=0.8, ratio=n2/n1), then
        // sin²(asin(√p0) + h/2) − p0, from statsmodels 0.14.1.
        for (base, n1, n2, want) in [
            (0.05, 8000, 2000, 0.016_355_498_780_789_776),
            (0.2, 400, 100, 0.137_848_529_744_313_22),
            (0.10, 1000, 1000, 0.040_624_271_741_399_85),
        ] {
            let got = minimum_detectable_uplift(base, n1, n2).unwrap();
            assert!(
                (got - want).abs() < 1e-6,
                "{base} {n1} {n2}: {got} vs {want}"
            );
        }
        assert_eq!(minimum_detectable_uplift(0.1, 100, 0), None);
        assert_eq!(minimum_detectable_uplift(0.0, 100, 100), None);
    }

    #[test]
    fn proportion_difference_matches_a_hand_worked_example() {
        // 30/100 against 20/100: 0.1 ± 1.96 × sqrt(0.21/100 + 0.16/100).
        let d = proportion_difference(30, 100, 20, 100).unwrap();
        let half = Z95 * (0.0037f64).sqrt();
        assert!((d.value - 0.1).abs() < 1e-12);
        assert!((d.low - (0.1 - half)).abs() < 1e-12);
        assert!((d.high - (0.1 + half)).abs() < 1e-12);
        // Pooled: p = 0.25, se = sqrt(0.25 × 0.75 × 0.02) = 0.0612372;
        // z = 1.63299, two-sided p = 0.102470 (normal table).
        assert!((d.p - 0.102_470).abs() < 1e-5, "{}", d.p);
    }

    #[test]
    fn welch_matches_a_hand_worked_example() {
        // a = 1..5 (mean 3, var 2.5), b = 2, 4, 6, 8 (mean 5, var 20/3):
        // se² = 0.5 + 1.6667 = 2.1667, t = −1.35873, df = 2.1667² /
        // (0.25/4 + 2.7778/3) = 4.74941; scipy's ttest_ind(equal_var=False)
        // gives p = 0.2351941 and t.ppf(0.975, 4.74941) = 2.6119161.
        let d = welch(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0, 8.0]).unwrap();
        assert!((d.value + 2.0).abs() < 1e-12);
        let se = (0.5f64 + 20.0 / 12.0).sqrt();
        assert!(
            ((d.high - d.value) / se - 2.611_916_1).abs() < 1e-6,
            "{d:?}"
        );
        assert!((d.p - 0.235_194_1).abs() < 1e-6, "{}", d.p);
    }

    fn table(rows: &[(u32, &str, Day, bool, Option<&str>)]) -> EmailTable {
        let mut t = EmailTable::default();
        for &(customer, campaign, day, control, variant) in rows {
            let c = index_or_push(&mut t.campaigns, campaign);
            t.customer.push(customer);
            t.campaign.push(c);
            t.day.push(Some(day));
            t.delivered.push(!control);
            t.opened.push(false);
            t.clicked.push(false);
            t.unsubscribed.push(false);
            t.control.push(control);
            if let Some(v) = variant {
                let i = index_or_push(&mut t.variants, v);
                t.variant.push(i);
            }
        }
        t
    }

    #[test]
    fn conversions_count_orders_from_the_send_day_to_before_the_window_end() {
        let orders = Orders::from_rows(&[
            // Customer a: ordered before the send, then on day 100 (the
            // send day) and 130 (outside a 30-day window).
            ("a".into(), 10, 50.0),
            ("a".into(), 100, 20.0),
            ("a".into(), 130, 99.0),
            // b: ordered on day 129, the window's last day, and was
            // refunded 5 the same day.
            ("b".into(), 129, 40.0),
            ("b".into(), 129, -5.0),
            // c: only a refund in the window: not converted.
            ("c".into(), 20, 30.0),
            ("c".into(), 110, -30.0),
            // d: nothing.
            ("d".into(), 5, 10.0),
        ]);
        let email = table(&[
            (0, "Spring", 100, false, None),
            (1, "Spring", 100, false, None),
            (2, "Spring", 100, true, None),
            (3, "Spring", 100, true, None),
            (3, "Spring", 101, true, None),
        ]);
        let out = measure(&orders, &email, &RfmSetup::default(), 30);
        let spring = &out[0];
        assert!(spring.has_control);
        let all = &spring.audiences[0];
        assert_eq!(all.audience, Audience::All);
        let sent = &all.arms[0];
        assert_eq!(
            (sent.arm.clone(), sent.customers, sent.converted),
            (Arm::Sent, 2, 2)
        );
        assert!((sent.revenue - 55.0).abs() < 1e-9);
        let control = &all.arms[1];
        assert_eq!(
            (control.arm.clone(), control.customers, control.converted),
            (Arm::Control, 2, 0)
        );
        assert!((control.revenue + 30.0).abs() < 1e-9);
        assert_eq!(control.delivered, 0);
        let up = all.uplifts[0].conversion.unwrap();
        assert!((up.value - 1.0).abs() < 1e-12);
        // b had no order before day 100: "no order before".
        assert!(
            spring
                .audiences
                .iter()
                .any(|a| a.audience == Audience::NoOrderBefore && a.arms[0].customers == 1)
        );
        assert_eq!(spring.first_day, Some(100));
        // The last order is on day 130, a window from day 100 ends at 129.
        assert!(!spring.window_open);
    }

    #[test]
    fn a_kept_list_is_measured_as_a_sends_file_would_be() {
        let orders = Orders::from_rows(&[
            ("a".into(), 10, 50.0),
            ("b".into(), 10, 50.0),
            ("a".into(), 105, 30.0),
        ]);
        let list = SentList {
            name: "Win-back".into(),
            day: 100,
            customers: vec!["a".into(), "b".into(), "gone".into()],
            control: vec![false, true, false],
        };
        let email = with_lists(&orders, None, std::slice::from_ref(&list));
        assert_eq!(email.customer, vec![0, 1]);
        assert_eq!(email.control, vec![false, true]);
        let out = measure(&orders, &email, &RfmSetup::default(), 30);
        let all = &out[0].audiences[0];
        assert_eq!(out[0].name, "Win-back");
        assert_eq!((all.arms[0].converted, all.arms[1].converted), (1, 0));
        assert!((all.arms[0].revenue - 30.0).abs() < 1e-9);
        // Beside e-mail results without a group column, the older rows
        // stay sent and keep their campaign.
        let mut older = table(&[(0, "Spring", 50, false, None)]);
        older.control.clear();
        let both = with_lists(&orders, Some(&older), &[list]);
        assert_eq!(
            both.campaigns,
            vec!["Spring".to_string(), "Win-back".to_string()]
        );
        assert_eq!(both.control, vec![false, false, true]);
    }

    #[test]
    fn a_customer_in_both_groups_is_left_out_and_variants_find_a_winner() {
        let mut rows: Vec<(String, Day, f64)> = Vec::new();
        let mut sends = Vec::new();
        for c in 0..400u32 {
            rows.push((format!("c{c}"), 1, 10.0));
            let variant = if c % 2 == 0 { "A" } else { "B" };
            // B converts 40% of the time, A 10%.
            let buys = if variant == "B" {
                c % 5 < 2
            } else {
                c % 10 == 0
            };
            if buys {
                rows.push((format!("c{c}"), 55, 25.0));
            }
            sends.push((c, "Offer", 50, false, Some(variant)));
        }
        let orders = Orders::from_rows(&rows);
        let mut both = sends.clone();
        both.push((0, "Offer", 50, true, Some("A")));
        let out = measure(&orders, &table(&both), &RfmSetup::default(), 30);
        assert_eq!(out[0].in_both_groups, 1);
        assert!(
            !out[0].has_control,
            "the only control row's customer is left out"
        );
        let out = measure(&orders, &table(&sends), &RfmSetup::default(), 30);
        assert_eq!(out[0].winner.as_deref(), Some("B"));
        let all = &out[0].audiences[0];
        assert_eq!(all.arms.len(), 2);
        assert_eq!(all.uplifts[0].arm, Arm::Variant("B".into()));
        assert_eq!(all.uplifts[0].against, Arm::Variant("A".into()));
    }
}
