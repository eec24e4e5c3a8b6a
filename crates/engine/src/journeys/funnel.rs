//! Funnels: ordered steps (an event, narrowed by one of its properties)
//! within a conversion window, how far each customer got, and the counts,
//! rates and times per step, for segments or for any sets of customers.

use crate::model::message::{Message, Value};

use super::*;

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
pub(super) struct Resolved {
    pub(super) event: u32,
    pub(super) filter: Option<(usize, Vec<bool>)>,
}

impl Resolved {
    pub(super) fn matches(&self, events: &EventTable, row: usize) -> bool {
        events.event[row] == self.event
            && self.filter.as_ref().is_none_or(|(p, ok)| {
                ok.get(events.properties[*p].code[row] as usize)
                    .copied()
                    .unwrap_or(false)
            })
    }
}

/// Resolves a step, or says in words why it cannot be.
pub(super) fn resolve(events: &EventTable, text: &str) -> Result<Resolved, Message> {
    let step = Step::parse(text);
    let Some(event) = events.names.iter().position(|n| *n == step.event) else {
        return Err(Message::new("engine.with.no_event_called")
            .with("event", &step.event)
            .with("events", events.names.join(", ")));
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
                let they_have = if columns.is_empty() {
                    Value::Message(Box::new(Message::new("engine.none")))
                } else {
                    Value::Text(columns.join(", "))
                };
                return Err(Message::new("engine.with.no_event_column")
                    .with("column", &f.column)
                    .with("columns", they_have));
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
pub fn check_steps(events: &EventTable, steps: &[String]) -> Result<(), Message> {
    for s in steps {
        resolve(events, s).map_err(|why| {
            Message::new("engine.with.step")
                .with("step", s)
                .with("why", why)
        })?;
    }
    Ok(())
}

/// The events file's other columns and their most frequent values (up to
/// `top`), for the filters of funnel steps.
pub(crate) fn property_values(events: &EventTable, top: usize) -> Vec<(String, Vec<String>)> {
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

pub(super) fn median(values: &mut [f64]) -> Option<f64> {
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
pub(super) fn runs(events: &EventTable, setup: &FunnelSetup, mut visit: impl FnMut(u32, &[i64])) {
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
pub(crate) fn depths(events: &EventTable, setup: &FunnelSetup, n_customers: usize) -> Vec<u8> {
    let mut out = vec![0u8; n_customers];
    runs(events, setup, |c, times| {
        if let Some(slot) = out.get_mut(c as usize) {
            *slot = times.len().min(255) as u8;
        }
    });
    out
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
