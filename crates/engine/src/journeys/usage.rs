//! Activity from the events: events by weekday and hour, and which group
//! uses what (sessions, cut at 30 minutes of inactivity when the file has
//! no session ids, and the share of them with each event).

use super::*;

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
pub(crate) const SESSION_GAP_SECONDS: i64 = 30 * 60;

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
pub(super) fn each_session(
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
