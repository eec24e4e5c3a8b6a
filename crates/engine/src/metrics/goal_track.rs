//! A goal followed over its period: where its KPI stood on each day (for
//! the counts within a period, "25 customers place a second order from 1
//! March") or at each snapshot (import, update, by hand: "NPS of Champions
//! at least 50 by 30 June"), against the straight path from where it
//! started to its target on its deadline, as a burn-up chart draws it.

use serde::{Deserialize, Serialize};

use crate::metrics::kpi::{Goal, PeriodCounts, period_definitions};
use crate::metrics::snapshot::Snapshot;
use crate::model::date::Day;

/// A goal's track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    /// Where the path starts: the first day counted (or of the first
    /// snapshot) and the value then.
    pub start: (Day, f64),
    /// Where the path ends: the deadline and the target.
    pub end: (Day, f64),
    /// The KPI's value on each day or snapshot, oldest first.
    pub points: Vec<(Day, f64)>,
    /// The value the path expects at the last point.
    pub expected_now: f64,
    /// The value at the last point.
    pub actual_now: f64,
}

impl Track {
    /// The value the path expects on `day` (the start before it, the
    /// target after the deadline).
    pub fn expected(&self, day: Day) -> f64 {
        let (d0, v0) = self.start;
        let (d1, v1) = self.end;
        if day <= d0 || d1 <= d0 {
            return if day >= d1 { v1 } else { v0 };
        }
        if day >= d1 {
            return v1;
        }
        v0 + (v1 - v0) * f64::from(day - d0) / f64::from(d1 - d0)
    }

    /// The value on `day`: the last point on or before it (none before
    /// the first).
    pub fn value_on(&self, day: Day) -> Option<f64> {
        self.points
            .iter()
            .take_while(|p| p.0 <= day)
            .last()
            .map(|p| p.1)
    }

    /// True when the last value is on the path's good side (at or above it
    /// for "at least", at or below for "at most").
    pub fn on_track(&self, at_least: bool) -> bool {
        if at_least {
            self.actual_now >= self.expected_now - 1e-9
        } else {
            self.actual_now <= self.expected_now + 1e-9
        }
    }
}

/// The track of a goal on a count within a period, day by day from its
/// first day to the analysis date's eve (or its deadline, if earlier);
/// none without a deadline, without a first day, or for another KPI.
/// `periods` are the group's counts per day.
pub fn period_track(periods: &PeriodCounts, goal: &Goal, as_of: Day) -> Option<Track> {
    let deadline = goal.deadline?;
    let since = goal.since?;
    if !period_definitions().iter().any(|d| d.id == goal.kpi) || since >= as_of {
        return None;
    }
    let last = (as_of - 1).min(deadline);
    let points: Vec<(Day, f64)> = (since..=last)
        .map(|d| Some((d, periods.between(goal.kpi, since, d)?)))
        .collect::<Option<_>>()?;
    let mut track = Track {
        start: (since, 0.0),
        end: (deadline, goal.target),
        actual_now: points.last().map_or(0.0, |p| p.1),
        expected_now: 0.0,
        points,
    };
    track.expected_now = track.expected(last);
    Some(track)
}

/// The track of a goal on a KPI, from the snapshots (each at its analysis
/// date's eve, the last day its data counts): the path runs from the first
/// snapshot's value to the target on the deadline. None without a
/// deadline or with fewer than one value.
pub fn snapshot_track(snapshots: &[Snapshot], goal: &Goal) -> Option<Track> {
    let deadline = goal.deadline?;
    let mut points: Vec<(Day, f64)> = snapshots
        .iter()
        .filter_map(|s| Some((s.as_of - 1, s.value(&goal.segment, goal.kpi)?)))
        .collect();
    // One point per day: the last snapshot of a day wins.
    points.sort_by_key(|p| p.0);
    points.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            earlier.1 = later.1;
            true
        } else {
            false
        }
    });
    let first = *points.first()?;
    let last = *points.last()?;
    let mut track = Track {
        start: first,
        end: (deadline, goal.target),
        points,
        expected_now: 0.0,
        actual_now: last.1,
    };
    track.expected_now = track.expected(last.0);
    Some(track)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::kpi::{KpiFormat, KpiId};

    fn goal(kpi: &str, target: f64, since: Option<Day>, deadline: Option<Day>) -> Goal {
        Goal {
            kpi: kpi.parse().unwrap(),
            segment: "All customers".into(),
            at_least: true,
            target,
            deadline,
            since,
        }
    }

    #[test]
    fn a_period_goal_counts_day_by_day_against_its_path() {
        // Second orders on days 100..: 1, 0, 2, 1, 0, 3 (the counts kept
        // from day 98). The goal: 20 from day 100 by day 119. The analysis
        // date is day 106: counted up to day 105.
        let periods = PeriodCounts {
            first_day: 98,
            new_customers: vec![0; 10],
            second_orders: vec![5, 5, 1, 0, 2, 1, 0, 3, 9, 9],
            orders: vec![0; 10],
        };
        let g = goal("second_orders_in_period", 20.0, Some(100), Some(119));
        let track = period_track(&periods, &g, 106).expect("a track");
        let values: Vec<f64> = track.points.iter().map(|p| p.1).collect();
        assert_eq!(values, [1.0, 1.0, 3.0, 4.0, 4.0, 7.0]);
        assert_eq!(track.points.first().map(|p| p.0), Some(100));
        assert_eq!(track.points.last().map(|p| p.0), Some(105));
        // The path: 0 on day 100 to 20 on day 119, so 20 × 5 / 19 on day
        // 105.
        assert!((track.expected_now - 100.0 / 19.0).abs() < 1e-12);
        assert_eq!(track.actual_now, 7.0);
        assert!(track.on_track(true));
        // Without a deadline or a first day there is no path.
        assert_eq!(
            period_track(
                &periods,
                &goal("second_orders_in_period", 20.0, Some(100), None),
                106
            ),
            None
        );
        assert_eq!(
            period_track(&periods, &goal("nps", 20.0, Some(100), Some(119)), 106),
            None
        );
    }

    #[test]
    fn a_kpi_goal_is_followed_from_snapshot_to_snapshot() {
        let snap = |as_of: Day, nps: f64| Snapshot {
            taken: String::new(),
            reason: "update".into(),
            as_of,
            groups: vec!["Champions".into(), "All customers".into()],
            kpis: vec![(KpiId::Nps, "NPS".into(), KpiFormat::Points, true)],
            values: vec![vec![Some(nps)], vec![Some(0.0)]],
            spread: Vec::new(),
        };
        let mut g = goal("nps", 50.0, None, Some(131));
        g.segment = "Champions".into();
        // Taken on days 101, 121 and twice on 126 (the later one counts).
        let snaps = [
            snap(101, 30.0),
            snap(121, 36.0),
            snap(126, 38.0),
            snap(126, 41.0),
        ];
        let track = snapshot_track(&snaps, &g).expect("a track");
        assert_eq!(track.points, [(100, 30.0), (120, 36.0), (125, 41.0)]);
        // From 30 on day 100 to 50 on day 131: 30 + 20 × 25 / 31 on day 125.
        assert!((track.expected_now - (30.0 + 20.0 * 25.0 / 31.0)).abs() < 1e-12);
        assert!(!track.on_track(true));
        assert_eq!(track.expected(90), 30.0);
        assert_eq!(track.expected(200), 50.0);
    }

    #[test]
    fn the_value_on_a_day_is_the_last_one_known_then() {
        let track = Track {
            start: (10, 0.0),
            end: (40, 9.0),
            points: vec![(12, 1.0), (20, 4.0), (31, 6.0)],
            expected_now: 0.0,
            actual_now: 6.0,
        };
        assert_eq!(track.value_on(11), None);
        assert_eq!(track.value_on(12), Some(1.0));
        assert_eq!(track.value_on(19), Some(1.0));
        assert_eq!(track.value_on(30), Some(4.0));
        assert_eq!(track.value_on(99), Some(6.0));
    }
}
