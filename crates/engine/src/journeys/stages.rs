//! The stage mix month by month: how many customers reached awareness,
//! consideration or decision at most, from the events each stage maps.

use super::*;

/// How far customers go, month by month: among the customers with an
/// event of a stage in a calendar month, how many reached awareness,
/// consideration or decision at most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageMix {
    /// The months, `YYYY-MM`, oldest first.
    pub months: Vec<String>,
    /// `counts[month][stage]`: customers whose deepest stage that month
    /// was awareness (0), consideration (1) or decision (2).
    pub counts: Vec<[u64; 3]>,
}

/// The stage mix over the `months` calendar months up to the analysis date
/// (the month of the day before it last), of the customers in `within`
/// (all when `None`); `stage` maps an event name to its stage (0 to 2).
pub fn stage_mix(
    events: &EventTable,
    as_of: crate::model::date::Day,
    within: Option<&crate::model::bitmap::Bitmap>,
    stage: &dyn Fn(&str) -> Option<u8>,
    months: usize,
) -> StageMix {
    use crate::model::date::civil_from_days;
    let months = months.max(1);
    let (y, m, _) = civil_from_days(as_of - 1);
    let index = |y: i32, m: u32| i64::from(y) * 12 + i64::from(m) - 1;
    let last = index(y, m);
    let first = last - months as i64 + 1;
    let stage_of: Vec<Option<u8>> = events
        .names
        .iter()
        .map(|n| stage(n).filter(|s| *s < 3))
        .collect();
    let end = i64::from(as_of) * 86_400;
    // Each (month, customer)'s deepest stage.
    let mut deepest: rustc_hash::FxHashMap<(i64, u32), u8> = Default::default();
    for i in 0..events.customer.len() {
        let t = events.time[i];
        let c = events.customer[i];
        let Some(s) = stage_of[events.event[i] as usize] else {
            continue;
        };
        if t >= end || within.is_some_and(|w| !w.contains(c as usize)) {
            continue;
        }
        let (ey, em, _) = civil_from_days(t.div_euclid(86_400) as crate::model::date::Day);
        let k = index(ey, em);
        if k < first {
            continue;
        }
        let d = deepest.entry((k, c)).or_insert(s);
        *d = (*d).max(s);
    }
    let mut counts = vec![[0u64; 3]; months];
    for ((k, _), s) in deepest {
        counts[(k - first) as usize][s as usize] += 1;
    }
    let names = (first..=last)
        .map(|k| {
            let (y, m) = (k.div_euclid(12) as i32, (k.rem_euclid(12) + 1) as u32);
            format!("{y:04}-{m:02}")
        })
        .collect();
    StageMix {
        months: names,
        counts,
    }
}
