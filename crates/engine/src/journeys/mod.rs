//! Funnels per segment: how many customers go through ordered steps within
//! a conversion window, how many drop off at each step, and how long they
//! take between steps.
//!
//! A customer reaches step `k` when, after doing step 1 at some time `t`,
//! they do steps 2 to `k` in that order (other events in between allowed),
//! each by `t + window`. Every occurrence of step 1 is tried as a start and
//! the deepest run counts.

pub mod crosssell;

use serde::{Deserialize, Serialize};

use crate::import::sources::EventTable;
use crate::stats::inference::wilson;

/// Steps and window, as the user chooses them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelSetup {
    /// Event names, in order.
    pub steps: Vec<String>,
    /// The conversion window, in days.
    pub window_days: u32,
    /// Strict order: each step right after the previous one, no other
    /// event in between.
    #[serde(default)]
    pub strict: bool,
}

/// One step of one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepCount {
    /// Customers who reached the step.
    pub customers: u64,
    /// The median time from the previous step, in seconds.
    pub median_seconds: Option<f64>,
}

/// A funnel, per group side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    /// The steps used.
    pub steps: Vec<String>,
    /// The window in days.
    pub window_days: u32,
    /// Strict order (no other event between steps).
    #[serde(default)]
    pub strict: bool,
    /// The groups, the last one "All customers".
    pub groups: Vec<String>,
    /// `counts[group][step]`.
    pub counts: Vec<Vec<StepCount>>,
    /// The 95% interval of each group's overall conversion (last step ÷
    /// first step).
    pub conversion_ci: Vec<Option<(f64, f64)>>,
}

/// A funnel step as written in [`FunnelSetup::steps`]: an event name,
/// optionally narrowed by one of the events file's other columns —
/// `event[column=value]` (the value, ignoring case) or `event[column~text]`
/// (containing the text, ignoring case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The event's name.
    pub event: String,
    /// The narrowing, if any.
    pub filter: Option<StepFilter>,
}

/// A step's condition on another column of the events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFilter {
    /// The column (page, channel, campaign...).
    pub column: String,
    /// True: the value contains `value`; false: it equals it.
    pub contains: bool,
    /// The value or text, compared ignoring case.
    pub value: String,
}

impl Step {
    /// Reads `event`, `event[column=value]` or `event[column~text]`.
    pub fn parse(text: &str) -> Step {
        let text = text.trim();
        if let Some(inner) = text.strip_suffix(']')
            && let Some(open) = inner.find('[')
        {
            let (event, condition) = (&inner[..open], &inner[open + 1..]);
            let split = condition.find(['=', '~']);
            if let Some(at) = split {
                return Step {
                    event: event.trim().to_string(),
                    filter: Some(StepFilter {
                        column: condition[..at].trim().to_string(),
                        contains: condition[at..].starts_with('~'),
                        value: condition[at + 1..].trim().to_string(),
                    }),
                };
            }
        }
        Step {
            event: text.to_string(),
            filter: None,
        }
    }

    /// The step as [`Step::parse`] reads it.
    pub fn write(&self) -> String {
        match &self.filter {
            None => self.event.clone(),
            Some(f) => format!(
                "{}[{}{}{}]",
                self.event,
                f.column,
                if f.contains { '~' } else { '=' },
                f.value
            ),
        }
    }

    /// The step in words: `view_product where page contains "books"`.
    pub fn describe(&self) -> String {
        match &self.filter {
            None => self.event.clone(),
            Some(f) => format!(
                "{} where {} {} “{}”",
                self.event,
                f.column,
                if f.contains { "contains" } else { "is" },
                f.value
            ),
        }
    }
}

/// A step resolved against an events table: the event's index and, for a
/// narrowed step, the property and which of its values match.
struct Resolved {
    event: u32,
    filter: Option<(usize, Vec<bool>)>,
}

impl Resolved {
    fn matches(&self, events: &EventTable, row: usize) -> bool {
        events.event[row] == self.event
            && self.filter.as_ref().is_none_or(|(p, ok)| {
                ok.get(events.properties[*p].code[row] as usize)
                    .copied()
                    .unwrap_or(false)
            })
    }
}

/// Resolves a step, or says in words why it cannot be.
fn resolve(events: &EventTable, text: &str) -> Result<Resolved, String> {
    let step = Step::parse(text);
    let Some(event) = events.names.iter().position(|n| *n == step.event) else {
        return Err(format!(
            "no event is called {:?} (there are: {})",
            step.event,
            events.names.join(", ")
        ));
    };
    let event = event as u32;
    let filter = match &step.filter {
        None => None,
        Some(f) => {
            let found =
                (events.properties.iter()).position(|p| p.name.eq_ignore_ascii_case(&f.column));
            let Some(p) = found else {
                let columns: Vec<&str> =
                    events.properties.iter().map(|p| p.name.as_str()).collect();
                return Err(format!(
                    "the events have no column {:?} to filter on (they have: {})",
                    f.column,
                    if columns.is_empty() {
                        "none".to_string()
                    } else {
                        columns.join(", ")
                    }
                ));
            };
            let want = f.value.to_lowercase();
            let ok = events.properties[p]
                .values
                .iter()
                .map(|v| {
                    let v = v.to_lowercase();
                    if f.contains {
                        v.contains(&want)
                    } else {
                        v == want
                    }
                })
                .collect();
            Some((p, ok))
        }
    };
    Ok(Resolved { event, filter })
}

/// Checks that every step names an event (and a column) of the table.
pub fn check_steps(events: &EventTable, steps: &[String]) -> Result<(), String> {
    for s in steps {
        resolve(events, s).map_err(|e| format!("step {s:?}: {e}"))?;
    }
    Ok(())
}

/// The events file's other columns and their most frequent values (up to
/// `top`), for the filters of funnel steps.
pub fn property_values(events: &EventTable, top: usize) -> Vec<(String, Vec<String>)> {
    events
        .properties
        .iter()
        .map(|p| {
            let mut count = vec![0u64; p.values.len()];
            for c in &p.code {
                count[*c as usize] += 1;
            }
            let mut order: Vec<usize> = (0..p.values.len())
                .filter(|v| !p.values[*v].is_empty())
                .collect();
            order.sort_by(|a, b| {
                count[*b]
                    .cmp(&count[*a])
                    .then(p.values[*a].cmp(&p.values[*b]))
            });
            order.truncate(top);
            (
                p.name.clone(),
                order.into_iter().map(|v| p.values[v].clone()).collect(),
            )
        })
        .collect()
}

/// Suggests steps: the five most frequent events, ordered by where they
/// tend to come in each customer's history (mean rank of first occurrence).
pub fn default_steps(events: &EventTable) -> Vec<String> {
    let k = events.names.len();
    let mut count = vec![0u64; k];
    for e in &events.event {
        count[*e as usize] += 1;
    }
    let mut order: Vec<usize> = (0..events.customer.len()).collect();
    order.sort_by_key(|&i| (events.customer[i], events.time[i]));
    let mut rank_sum = vec![0f64; k];
    let mut rank_n = vec![0f64; k];
    let mut i = 0;
    while i < order.len() {
        let c = events.customer[order[i]];
        let mut seen = vec![false; k];
        let mut rank = 0.0;
        while i < order.len() && events.customer[order[i]] == c {
            let e = events.event[order[i]] as usize;
            if !seen[e] {
                seen[e] = true;
                rank_sum[e] += rank;
                rank_n[e] += 1.0;
                rank += 1.0;
            }
            i += 1;
        }
    }
    let mut top: Vec<usize> = (0..k).collect();
    top.sort_by(|a, b| count[*b].cmp(&count[*a]));
    top.truncate(5);
    top.sort_by(|a, b| {
        (rank_sum[*a] / rank_n[*a].max(1.0)).total_cmp(&(rank_sum[*b] / rank_n[*b].max(1.0)))
    });
    top.into_iter().map(|e| events.names[e].clone()).collect()
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Each customer's deepest run through the steps, as the times of the
/// steps reached (empty when the first step was never done), calling
/// `visit(customer, times)` for every customer with events.
fn runs(events: &EventTable, setup: &FunnelSetup, mut visit: impl FnMut(u32, &[i64])) {
    let steps: Vec<Option<Resolved>> = setup
        .steps
        .iter()
        .map(|s| resolve(events, s).ok())
        .collect();
    let n_steps = steps.len();
    let window = i64::from(setup.window_days) * 86_400;
    let mut order: Vec<usize> = (0..events.customer.len()).collect();
    order.sort_by_key(|&i| (events.customer[i], events.time[i]));
    let mut i = 0;
    while i < order.len() {
        let c = events.customer[order[i]];
        let start = i;
        while i < order.len() && events.customer[order[i]] == c {
            i += 1;
        }
        if n_steps == 0 || steps[0].is_none() {
            continue;
        }
        let run = &order[start..i];
        let at = |k: usize, row: usize| steps[k].as_ref().is_some_and(|s| s.matches(events, row));
        // The deepest run over every start, with its times.
        let mut best: Vec<i64> = Vec::new();
        for (a, &first) in run.iter().enumerate() {
            if !at(0, first) {
                continue;
            }
            let t0 = events.time[first];
            let mut times = vec![t0];
            for &j in &run[a + 1..] {
                if times.len() == n_steps || events.time[j] > t0 + window {
                    break;
                }
                if at(times.len(), j) {
                    times.push(events.time[j]);
                } else if setup.strict {
                    break;
                }
            }
            if times.len() > best.len() {
                best = times;
                if best.len() == n_steps {
                    break;
                }
            }
        }
        visit(c, &best);
    }
}

/// How many steps of the funnel each customer reached (0: never did the
/// first), by dense customer index.
pub fn depths(events: &EventTable, setup: &FunnelSetup, n_customers: usize) -> Vec<u8> {
    let mut out = vec![0u8; n_customers];
    runs(events, setup, |c, times| {
        if let Some(slot) = out.get_mut(c as usize) {
            *slot = times.len().min(255) as u8;
        }
    });
    out
}

/// Events per weekday (Monday first) and hour (UTC) before the analysis
/// date, of the customers in `within` (all when `None`): `[weekday][hour]`.
pub fn activity(
    events: &EventTable,
    as_of: crate::model::date::Day,
    within: Option<&crate::model::bitmap::Bitmap>,
) -> Vec<Vec<u64>> {
    let mut out = vec![vec![0u64; 24]; 7];
    let end = i64::from(as_of) * 86_400;
    for i in 0..events.customer.len() {
        let t = events.time[i];
        if t >= end || within.is_some_and(|w| !w.contains(events.customer[i] as usize)) {
            continue;
        }
        let day = t.div_euclid(86_400);
        // 1970-01-01 was a Thursday: Monday is 0.
        let weekday = (day + 3).rem_euclid(7) as usize;
        let hour = (t.rem_euclid(86_400) / 3600) as usize;
        out[weekday][hour] += 1;
    }
    out
}

/// Which group uses what: for each group, the share of its sessions in
/// which each event happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// The events, most frequent first.
    pub events: Vec<String>,
    /// The groups, then "All customers".
    pub groups: Vec<String>,
    /// Sessions of each group.
    pub sessions: Vec<u64>,
    /// `hits[group][event]`: sessions of the group with the event.
    pub hits: Vec<Vec<u64>>,
}

/// A session ends after this long without an event when the file has no
/// session ids.
pub const SESSION_GAP_SECONDS: i64 = 30 * 60;

/// Sessions by their ids, or cut at 30 minutes of inactivity when the file
/// has none, and the events in each, per group (a customer in several
/// groups counts in each).
pub fn usage(
    events: &EventTable,
    as_of: crate::model::date::Day,
    groups: &[(String, crate::model::bitmap::Bitmap)],
) -> Usage {
    let k = events.names.len();
    let g_all = groups.len();
    let mut sessions = vec![0u64; g_all + 1];
    let mut hits = vec![vec![0u64; k]; g_all + 1];
    let mut seen = vec![false; k];
    each_session(events, as_of, SESSION_GAP_SECONDS, |c, rows| {
        let member: Vec<usize> = (0..g_all)
            .filter(|g| groups[*g].1.contains(c as usize))
            .chain(std::iter::once(g_all))
            .collect();
        let mut touched: Vec<usize> = Vec::new();
        for &i in rows {
            let e = events.event[i] as usize;
            if !seen[e] {
                seen[e] = true;
                touched.push(e);
            }
        }
        for g in member {
            sessions[g] += 1;
            for e in &touched {
                hits[g][*e] += 1;
            }
        }
        for e in touched {
            seen[e] = false;
        }
    });
    let mut by_use: Vec<usize> = (0..k).collect();
    by_use.sort_by(|a, b| hits[g_all][*b].cmp(&hits[g_all][*a]).then(a.cmp(b)));
    let mut names: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    names.push("All customers".into());
    Usage {
        events: by_use.iter().map(|e| events.names[*e].clone()).collect(),
        groups: names,
        sessions,
        hits: hits
            .iter()
            .map(|row| by_use.iter().map(|e| row[*e]).collect())
            .collect(),
    }
}

/// Calls `visit(customer, rows)` for each session before the analysis
/// date, its rows in time order: sessions by their ids, or cut after 30
/// minutes without an event when the file has none (a session's events
/// stay together even when two sessions of a customer overlap in time).
fn each_session(
    events: &EventTable,
    as_of: crate::model::date::Day,
    gap_seconds: i64,
    mut visit: impl FnMut(u32, &[usize]),
) {
    let end = i64::from(as_of) * 86_400;
    let mut order: Vec<usize> = (0..events.customer.len())
        .filter(|i| events.time[*i] < end)
        .collect();
    order.sort_by_key(|&i| {
        (
            events.customer[i],
            events.session[i].unwrap_or(u32::MAX),
            events.time[i],
        )
    });
    let mut start = 0;
    for j in 1..=order.len() {
        let split = j == order.len() || {
            let (p, i) = (order[j - 1], order[j]);
            events.customer[p] != events.customer[i]
                || match (events.session[p], events.session[i]) {
                    (Some(a), Some(b)) => a != b,
                    _ => events.time[i] - events.time[p] > gap_seconds,
                }
        };
        if split && start < j {
            visit(events.customer[order[start]], &order[start..j]);
            start = j;
        }
    }
}

/// The paths customers take through their sessions: step by step, the
/// events at that step and the moves to the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paths {
    /// Sessions followed.
    pub sessions: u64,
    /// `nodes[step]`: each event at that step with its sessions, most
    /// frequent first; "(end)" when sessions stop (or "(start)" where they
    /// begin, for paths leading to an event), "(other)" for the rest.
    pub nodes: Vec<Vec<(String, u64)>>,
    /// Moves: step, node at that step, node at the next step, sessions.
    pub links: Vec<(usize, usize, usize, u64)>,
}

/// The session ends.
pub const PATH_END: &str = "(end)";
/// The session begins (paths leading to an event).
pub const PATH_START: &str = "(start)";
/// Events beyond the most frequent at a step.
pub const PATH_OTHER: &str = "(other)";

/// Which paths to follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathSetup {
    /// Follow each session from its first `from` event (from its first
    /// event when `None`).
    pub from: Option<String>,
    /// Or, instead: the steps leading to each session's first `to` event,
    /// which is then the last step.
    pub to: Option<String>,
    /// Steps to follow (at least 2).
    pub depth: usize,
    /// The most frequent events kept at each step, the others lumped
    /// together (all kept when 0).
    pub top: usize,
    /// Minutes without an event that end a session, when the file has no
    /// session ids.
    pub session_gap_minutes: u32,
}

impl Default for PathSetup {
    fn default() -> Self {
        PathSetup {
            from: None,
            to: None,
            depth: 4,
            top: 6,
            session_gap_minutes: (SESSION_GAP_SECONDS / 60) as u32,
        }
    }
}

/// Follows each session of the chosen customers (all when `within` is
/// `None`) as `setup` says: forwards from its first event or its first
/// `from` event, or backwards from its first `to` event; repeats of the
/// same event in a row count once.
pub fn paths(
    events: &EventTable,
    as_of: crate::model::date::Day,
    within: Option<&crate::model::bitmap::Bitmap>,
    setup: &PathSetup,
) -> Paths {
    let find = |name: &Option<String>| {
        name.as_ref()
            .map(|f| events.names.iter().position(|n| n == f).map(|p| p as u32))
    };
    let (from, to) = (find(&setup.from), find(&setup.to));
    let depth = setup.depth.max(2);
    let backwards = to.is_some();
    // Each followed session as the step it starts at and its sequence of
    // event names (`None`: the end, or the start when going backwards).
    let mut sequences: Vec<(usize, Vec<Option<u32>>)> = Vec::new();
    let gap = i64::from(setup.session_gap_minutes.max(1)) * 60;
    each_session(events, as_of, gap, |c, rows| {
        if within.is_some_and(|w| !w.contains(c as usize)) {
            return;
        }
        let mut seq: Vec<u32> = Vec::new();
        for &i in rows {
            let e = events.event[i];
            if seq.last() != Some(&e) {
                seq.push(e);
            }
        }
        if let Some(to) = to {
            let Some(end) = to.and_then(|t| seq.iter().position(|e| *e == t)) else {
                return;
            };
            let begin = (end + 1).saturating_sub(depth);
            let mut path: Vec<Option<u32>> = Vec::with_capacity(depth);
            if end + 1 < depth {
                path.push(None);
            }
            path.extend(seq[begin..=end].iter().map(|e| Some(*e)));
            sequences.push((depth - path.len(), path));
            return;
        }
        let start = match from {
            None => 0,
            Some(None) => return,
            Some(Some(f)) => match seq.iter().position(|e| *e == f) {
                Some(p) => p,
                None => return,
            },
        };
        let mut path: Vec<Option<u32>> =
            seq[start..].iter().take(depth).map(|e| Some(*e)).collect();
        if path.len() < depth {
            path.push(None);
        }
        sequences.push((0, path));
    });
    let at_step = |s: &(usize, Vec<Option<u32>>), step: usize| -> Option<Option<u32>> {
        step.checked_sub(s.0).and_then(|k| s.1.get(k).copied())
    };
    // The nodes kept at each step.
    let bound = if backwards { PATH_START } else { PATH_END };
    let name = |e: Option<u32>| e.map_or(bound.to_string(), |e| events.names[e as usize].clone());
    let mut nodes: Vec<Vec<(String, u64)>> = Vec::with_capacity(depth);
    let mut node_of: Vec<rustc_hash::FxHashMap<Option<u32>, usize>> = Vec::with_capacity(depth);
    let keep = if setup.top == 0 {
        usize::MAX
    } else {
        setup.top
    };
    for step in 0..depth {
        let mut counts: rustc_hash::FxHashMap<Option<u32>, u64> = Default::default();
        for s in &sequences {
            if let Some(e) = at_step(s, step) {
                *counts.entry(e).or_default() += 1;
            }
        }
        let mut ranked: Vec<(Option<u32>, u64)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| name(a.0).cmp(&name(b.0))));
        let mut list: Vec<(String, u64)> = Vec::new();
        let mut index = rustc_hash::FxHashMap::default();
        let mut other = 0;
        for (i, (e, n)) in ranked.iter().enumerate() {
            if i < keep || e.is_none() {
                index.insert(*e, list.len());
                list.push((name(*e), *n));
            } else {
                other += n;
            }
        }
        if other > 0 {
            list.push((PATH_OTHER.to_string(), other));
        }
        nodes.push(list);
        node_of.push(index);
    }
    let at = |step: usize, e: Option<u32>, nodes: &Vec<Vec<(String, u64)>>| {
        node_of[step]
            .get(&e)
            .copied()
            .unwrap_or(nodes[step].len().saturating_sub(1))
    };
    let mut links: rustc_hash::FxHashMap<(usize, usize, usize), u64> = Default::default();
    for (offset, s) in &sequences {
        for k in 0..s.len().saturating_sub(1) {
            let step = offset + k;
            let (a, b) = (at(step, s[k], &nodes), at(step + 1, s[k + 1], &nodes));
            *links.entry((step, a, b)).or_default() += 1;
        }
    }
    let mut links: Vec<(usize, usize, usize, u64)> = links
        .into_iter()
        .map(|((s, a, b), n)| (s, a, b, n))
        .collect();
    links.sort_unstable();
    Paths {
        sessions: sequences.len() as u64,
        nodes,
        links,
    }
}

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

/// Counts the funnel for each group and for all customers.
pub fn funnel(
    events: &EventTable,
    setup: &FunnelSetup,
    group_of: &[Option<usize>],
    group_names: &[String],
) -> Funnel {
    let n_steps = setup.steps.len();
    let n_groups = group_names.len();
    let mut reached = vec![vec![0u64; n_steps]; n_groups + 1];
    let mut gaps: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); n_steps]; n_groups + 1];
    runs(events, setup, |c, best| {
        let group = group_of
            .get(c as usize)
            .copied()
            .flatten()
            .filter(|g| *g < n_groups);
        for g in group.into_iter().chain(std::iter::once(n_groups)) {
            for (k, t) in best.iter().enumerate() {
                reached[g][k] += 1;
                if k > 0 {
                    gaps[g][k].push((t - best[k - 1]) as f64);
                }
            }
        }
    });
    let counts = (0..=n_groups)
        .map(|g| {
            (0..n_steps)
                .map(|k| StepCount {
                    customers: reached[g][k],
                    median_seconds: median(&mut gaps[g][k]),
                })
                .collect()
        })
        .collect();
    let conversion_ci = (0..=n_groups)
        .map(|g| match (reached[g].first(), reached[g].last()) {
            (Some(&first), Some(&last)) if first > 0 => wilson(last as f64, first as f64),
            _ => None,
        })
        .collect();
    let mut groups = group_names.to_vec();
    groups.push("All customers".into());
    Funnel {
        strict: setup.strict,
        steps: setup.steps.clone(),
        window_days: setup.window_days,
        groups,
        counts,
        conversion_ci,
    }
}

/// The funnel of segments that may overlap: each segment counted over all
/// its members (a pass over the events per segment), then all customers.
pub fn funnel_of_sets(
    events: &EventTable,
    setup: &FunnelSetup,
    n_customers: usize,
    sets: &[(String, crate::model::bitmap::Bitmap)],
) -> Funnel {
    let mut out = Funnel {
        steps: setup.steps.clone(),
        window_days: setup.window_days,
        strict: setup.strict,
        groups: Vec::new(),
        counts: Vec::new(),
        conversion_ci: Vec::new(),
    };
    let mut all = None;
    for (name, set) in sets {
        let group_of: Vec<Option<usize>> = (0..n_customers)
            .map(|c| set.contains(c).then_some(0))
            .collect();
        let mut one = funnel(events, setup, &group_of, std::slice::from_ref(name));
        all = Some((one.counts.pop(), one.conversion_ci.pop()));
        out.groups.push(name.clone());
        out.counts.extend(one.counts);
        out.conversion_ci.extend(one.conversion_ci);
    }
    let (counts, ci) = all.unwrap_or_else(|| {
        let mut f = funnel(events, setup, &[], &[]);
        (f.counts.pop(), f.conversion_ci.pop())
    });
    out.groups.push("All customers".into());
    out.counts.extend(counts);
    out.conversion_ci.extend(ci);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Events as `(customer, hour, event)`.
    fn table(rows: &[(u32, i64, &str)]) -> EventTable {
        let mut t = EventTable::default();
        for (c, h, e) in rows {
            let idx = match t.names.iter().position(|n| n == e) {
                Some(i) => i,
                None => {
                    t.names.push(e.to_string());
                    t.names.len() - 1
                }
            } as u32;
            t.customer.push(*c);
            t.time.push(h * 3600);
            t.event.push(idx);
            t.session.push(None);
        }
        t
    }

    fn setup(steps: &[&str], days: u32) -> FunnelSetup {
        FunnelSetup {
            strict: false,
            steps: steps.iter().map(|s| s.to_string()).collect(),
            window_days: days,
        }
    }

    #[test]
    fn order_window_repeats_and_groups() {
        let t = table(&[
            // 0: view, cart, buy within an hour each: full funnel.
            (0, 0, "view"),
            (0, 1, "cart"),
            (0, 2, "buy"),
            // 1: buys before viewing: only step 1 (order matters).
            (1, 0, "buy"),
            (1, 1, "view"),
            // 2: view, then cart 3 days later: outside a 2-day window.
            (2, 0, "view"),
            (2, 72, "cart"),
            // 3: an early view that goes nowhere, then a later full run.
            (3, 0, "view"),
            (3, 100, "view"),
            (3, 101, "other"),
            (3, 102, "cart"),
            (3, 104, "buy"),
            // 4: no view at all.
            (4, 0, "cart"),
        ]);
        let groups = vec!["A".to_string(), "B".to_string()];
        let group_of = vec![Some(0), Some(0), Some(1), Some(1), None];
        let f = funnel(&t, &setup(&["view", "cart", "buy"], 2), &group_of, &groups);
        let counts = |g: usize| f.counts[g].iter().map(|s| s.customers).collect::<Vec<_>>();
        assert_eq!(counts(0), vec![2, 1, 1]);
        assert_eq!(counts(1), vec![2, 1, 1]);
        assert_eq!(counts(2), vec![4, 2, 2], "customer 4 never views");
        // Median gaps over customers 0 and 3: view→cart 1 h and 2 h, cart→buy 1 h and 2 h.
        assert_eq!(f.counts[2][1].median_seconds, Some(5400.0));
        // The depth each customer reached, for drop-off segments: 0 and 3
        // the whole way, 1 and 2 only the first step, 4 none, 5 no events.
        assert_eq!(
            depths(&t, &setup(&["view", "cart", "buy"], 2), 6),
            vec![3, 1, 1, 3, 0, 0]
        );
        // Hour 0 of 1970-01-01 is Thursday 00:00; hour 100 is Monday
        // 04:00 (4 days and 4 hours later).
        let a = activity(&t, 30, None);
        assert_eq!(a[3][0], 5, "customers 0 to 4 at Thursday 00:00");
        assert_eq!(a[0][4], 1);
        assert_eq!(a.iter().flatten().sum::<u64>(), 13);
        let only_3 = crate::model::bitmap::Bitmap::from_fn(6, |c| c == 3);
        assert_eq!(
            activity(&t, 30, Some(&only_3))
                .iter()
                .flatten()
                .sum::<u64>(),
            5
        );
        assert_eq!(
            activity(&t, 4, None).iter().flatten().sum::<u64>(),
            9,
            "before hour 96 only"
        );
        // Sessions cut at 30 minutes of inactivity (no session ids here),
        // and every event here is an hour or more from the next: 13
        // sessions of one event each (c0 3, c1 2, c2 2, c3 5, c4 1).
        let u = usage(
            &t,
            30,
            &[(
                "B".into(),
                crate::model::bitmap::Bitmap::from_fn(6, |c| c == 2 || c == 3),
            )],
        );
        assert_eq!(u.groups, vec!["B", "All customers"]);
        assert_eq!(u.sessions, vec![7, 13]);
        // "view": c0 at 0, c1 at 1, c2 at 0, c3 at 0 and 100.
        let view = u.events.iter().position(|e| e == "view").unwrap();
        assert_eq!(u.hits[1][view], 5);
        assert_eq!(u.hits[0][view], 3);
        assert_eq!(u.events[0], "view", "the most frequent first");
        // With session ids, two sessions of one customer that overlap in
        // time stay two sessions.
        let mut overlapping = table(&[
            (0, 0, "view"),
            (0, 0, "cart"),
            (0, 0, "view"),
            (0, 0, "buy"),
        ]);
        overlapping.session = vec![Some(1), Some(2), Some(1), Some(2)];
        let u = usage(&overlapping, 30, &[]);
        assert_eq!(u.sessions, vec![2]);
        let hits = |e: &str| u.hits[0][u.events.iter().position(|x| x == e).unwrap()];
        assert_eq!((hits("view"), hits("cart"), hits("buy")), (1, 1, 1));
        assert_eq!(f.counts[2][2].median_seconds, Some(5400.0));
        // With a 5-day window customer 2 reaches the cart too.
        let wide = funnel(&t, &setup(&["view", "cart", "buy"], 5), &group_of, &groups);
        assert_eq!(wide.counts[2][1].customers, 3);
        let (lo, hi) = f.conversion_ci[2].unwrap();
        assert!(lo < 0.5 && hi > 0.5);
        // An unknown step reaches nobody after it.
        let odd = funnel(&t, &setup(&["view", "nothing"], 2), &group_of, &groups);
        assert_eq!(odd.counts[2][1].customers, 0);
    }

    #[test]
    fn default_steps_follow_the_usual_order() {
        let t = table(&[
            (0, 0, "view"),
            (0, 1, "cart"),
            (0, 2, "buy"),
            (1, 0, "view"),
            (1, 1, "cart"),
            (2, 0, "view"),
        ]);
        assert_eq!(default_steps(&t), vec!["view", "cart", "buy"]);
    }

    #[test]
    fn paths_by_hand() {
        // Sessions are cut after 30 minutes without an event (no ids here).
        // Paths of three steps: [view, cart, buy], [view, (end)],
        // [search, view, cart], [cart, view, (end)].
        let t = table(&[
            // Customer 0, session 1: view, view (a repeat), cart, buy.
            (0, 0, "view"),
            (0, 0, "view"),
            (0, 0, "cart"),
            (0, 0, "buy"),
            // Customer 0, session 2 (two hours later): view only.
            (0, 2, "view"),
            // Customer 1: search, view, cart.
            (1, 0, "search"),
            (1, 0, "view"),
            (1, 0, "cart"),
            // Customer 2: cart, view.
            (2, 0, "cart"),
            (2, 0, "view"),
        ]);
        let name = |p: &Paths, step: usize, i: usize| p.nodes[step][i].0.clone();
        let moves = |p: &Paths| -> Vec<(usize, String, String, u64)> {
            p.links
                .iter()
                .map(|&(k, a, b, n)| (k + 1, name(p, k, a), name(p, k + 1, b), n))
                .collect()
        };
        let setup = |from: Option<&str>, to: Option<&str>, depth: usize, top: usize| PathSetup {
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            depth,
            top,
            ..PathSetup::default()
        };
        let p = paths(&t, 1, None, &setup(None, None, 3, 0));
        assert_eq!(p.sessions, 4);
        let mut got = moves(&p);
        got.sort();
        let want = [
            (1, "cart", "view", 1),
            (1, "search", "view", 1),
            (1, "view", "(end)", 1),
            (1, "view", "cart", 1),
            (2, "cart", "buy", 1),
            (2, "view", "(end)", 1),
            (2, "view", "cart", 1),
        ];
        let want: Vec<(usize, String, String, u64)> = want
            .iter()
            .map(|(k, a, b, n)| (*k, a.to_string(), b.to_string(), *n))
            .collect();
        assert_eq!(got, want);
        // From the first cart of each session, two steps.
        let p = paths(&t, 1, None, &setup(Some("cart"), None, 2, 0));
        assert_eq!(p.sessions, 3);
        let mut got = moves(&p);
        got.sort();
        assert_eq!(
            got,
            vec![
                (1, "cart".to_string(), "(end)".to_string(), 1),
                (1, "cart".to_string(), "buy".to_string(), 1),
                (1, "cart".to_string(), "view".to_string(), 1),
            ]
        );
        // One event kept per step: the rest is "(other)"; one customer only.
        let p = paths(&t, 1, None, &setup(None, None, 2, 1));
        assert_eq!(
            p.nodes[0],
            vec![("view".to_string(), 2), ("(other)".to_string(), 2)]
        );
        let only = crate::model::bitmap::Bitmap::from_fn(3, |c| c == 1);
        assert_eq!(
            paths(&t, 1, Some(&only), &setup(None, None, 3, 0)).sessions,
            1
        );
        // Events on or after the analysis date are left out.
        assert_eq!(paths(&t, 0, None, &setup(None, None, 3, 0)).sessions, 0);
        // Leading to the first "view" of each session, three steps: the
        // steps line up on the right. Sessions: [view] (first event),
        // [view] (session 2), [search, view], [cart, view].
        let p = paths(&t, 1, None, &setup(None, Some("view"), 3, 0));
        assert_eq!(p.sessions, 4);
        let mut got = moves(&p);
        got.sort();
        let want = [
            (1, "(start)", "cart", 1),
            (1, "(start)", "search", 1),
            (2, "(start)", "view", 2),
            (2, "cart", "view", 1),
            (2, "search", "view", 1),
        ];
        let want: Vec<(usize, String, String, u64)> = want
            .iter()
            .map(|(k, a, b, n)| (*k, a.to_string(), b.to_string(), *n))
            .collect();
        assert_eq!(got, want);
        assert_eq!(p.nodes[2], vec![("view".to_string(), 4)]);
        // Leading to "buy", two steps: only customer 0's first session.
        let p = paths(&t, 1, None, &setup(None, Some("buy"), 2, 0));
        assert_eq!(
            moves(&p),
            vec![(1, "cart".to_string(), "buy".to_string(), 1)]
        );
        // A gap of three hours keeps customer 0's two sessions together:
        // view, cart, buy, view; customer 1's session ends after three
        // events, customer 2's after two.
        let long = PathSetup {
            session_gap_minutes: 180,
            ..setup(None, None, 5, 0)
        };
        let p = paths(&t, 1, None, &long);
        assert_eq!(p.sessions, 3);
        assert_eq!(
            p.nodes[3],
            vec![("(end)".to_string(), 1), ("view".to_string(), 1)]
        );
        assert_eq!(p.nodes[4], vec![("(end)".to_string(), 1)]);
    }

    #[test]
    fn steps_narrowed_by_another_column() {
        let mut data = crate::import::dataset::Dataset::from_orders(crate::Orders::from_rows(&[(
            "a".into(),
            1,
            5.0,
        )]));
        data.add_source(
            "events.csv",
            b"customer_id,timestamp,event,page\n\
              a,2024-01-01T10:00:00Z,view,/c/books\n\
              a,2024-01-01T10:01:00Z,cart,/c/books\n\
              b,2024-01-01T10:00:00Z,view,/c/music\n\
              b,2024-01-01T10:01:00Z,cart,/c/music\n\
              c,2024-01-01T10:00:00Z,view,/c/Books-Sale\n\
              c,2024-01-01T10:05:00Z,view,/c/music\n\
              c,2024-01-01T10:06:00Z,cart,/c/music\n",
        )
        .unwrap();
        let events = data.events.as_ref().unwrap();
        let count = |steps: &[&str]| {
            let s = setup(steps, 1);
            funnel(events, &s, &[], &[]).counts[0]
                .iter()
                .map(|c| c.customers)
                .collect::<Vec<_>>()
        };
        assert_eq!(count(&["view", "cart"]), vec![3, 3]);
        // Equal, ignoring case: only a.
        assert_eq!(count(&["view[page=/C/BOOKS]", "cart"]), vec![1, 1]);
        // Contains, ignoring case: a and c; c's cart is on another page.
        assert_eq!(count(&["view[page~books]", "cart"]), vec![2, 2]);
        assert_eq!(count(&["view[page~books]", "cart[page~books]"]), vec![2, 1]);
        // Strictly: c's view of books is followed by another view.
        let mut strict = setup(&["view[page~books]", "cart"], 1);
        strict.strict = true;
        let f = funnel(events, &strict, &[], &[]);
        assert_eq!(f.counts[0][1].customers, 1);
        // In words, and back.
        let step = Step::parse(" view_product [ page ~ /c/books ] ");
        assert_eq!(step.event, "view_product");
        assert_eq!(step.write(), "view_product[page~/c/books]");
        assert_eq!(Step::parse(&step.write()), step);
        assert_eq!(
            step.describe(),
            "view_product where page contains “/c/books”"
        );
        assert_eq!(Step::parse("cart").filter, None);
        // Unknown events and columns are refused in words.
        assert!(check_steps(events, &["view[page=/c/books]".into()]).is_ok());
        let e = check_steps(events, &["view[channel=email]".into()]).unwrap_err();
        assert!(
            e.contains("no column \"channel\"") && e.contains("page"),
            "{e}"
        );
        let e = check_steps(events, &["buy".into()]).unwrap_err();
        assert!(e.contains("no event is called \"buy\""), "{e}");
        assert_eq!(
            property_values(events, 2),
            vec![(
                "page".to_string(),
                vec!["/c/music".to_string(), "/c/books".to_string()]
            )]
        );
    }

    #[test]
    fn stage_mix_by_month() {
        // Day 0 is 1970-01-01; hours in `table` count from it.
        let t = table(&[
            // January: 0 views then buys (decision); 1 views (awareness).
            (0, 1, "view"),
            (0, 2, "buy"),
            (1, 3, "view"),
            // February (day 31 on): 0 puts in the cart (consideration);
            // 2 does an unmapped event only.
            (0, 24 * 40, "cart"),
            (2, 24 * 41, "signup"),
            // March 1st (day 59): after the analysis date below.
            (1, 24 * 59, "buy"),
        ]);
        let stage = |e: &str| match e {
            "view" => Some(0),
            "cart" => Some(1),
            "buy" => Some(2),
            _ => None,
        };
        let mix = stage_mix(&t, 59, None, &stage, 3);
        assert_eq!(mix.months, vec!["1969-12", "1970-01", "1970-02"]);
        assert_eq!(mix.counts, vec![[0, 0, 0], [1, 0, 1], [0, 1, 0]]);
        let only = crate::model::bitmap::Bitmap::from_fn(3, |c| c == 1);
        let mix = stage_mix(&t, 60, Some(&only), &stage, 2);
        assert_eq!(mix.months, vec!["1970-02", "1970-03"]);
        assert_eq!(mix.counts, vec![[0, 0, 0], [0, 0, 1]]);
    }

    #[test]
    fn strict_order_allows_nothing_in_between() {
        let t = table(&[
            // 0: view, cart, buy in a row.
            (0, 0, "view"),
            (0, 1, "cart"),
            (0, 2, "buy"),
            // 1: view, search, cart, buy: the search breaks the strict run
            // after the view, but not the loose one.
            (1, 0, "view"),
            (1, 1, "search"),
            (1, 2, "cart"),
            (1, 3, "buy"),
            // 2: view, search, then view, cart in a row: the second start
            // reaches the cart.
            (2, 0, "view"),
            (2, 1, "search"),
            (2, 2, "view"),
            (2, 3, "cart"),
        ]);
        let mut s = setup(&["view", "cart", "buy"], 2);
        let loose = funnel(&t, &s, &[], &[]);
        s.strict = true;
        let strict = funnel(&t, &s, &[], &[]);
        let counts = |f: &Funnel| f.counts[0].iter().map(|c| c.customers).collect::<Vec<_>>();
        assert_eq!(counts(&loose), vec![3, 3, 2]);
        assert_eq!(counts(&strict), vec![3, 2, 1]);
        assert!(strict.strict && !loose.strict);
    }
}
