//! Paths: the most common sequences of events after a start event or
//! before an end event, with the rest folded into "other".

use super::*;

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
