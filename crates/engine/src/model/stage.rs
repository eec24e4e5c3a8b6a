//! The named parts of a long piece of work, for a progress line: an
//! analysis (the model fits, the scores, the segments, the KPIs) and the
//! model check (the calibration period, the fit, the comparison).
//!
//! Work reports each part as it starts, with how many parts come before it
//! and how many there are in all: `(stage, done, total)`. The total is
//! known before the first part starts and does not change.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One part of a long piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Fitting the purchase model (BG/NBD) and the spend model
    /// (Gamma-Gamma), and predicting each customer.
    Models,
    /// Scoring recency, frequency and monetary value, and the RFM
    /// segments.
    Scores,
    /// The segments, lifecycle stages and groups compared.
    Segments,
    /// Every KPI per group, the funnel and the split suggestions.
    Kpis,
    /// Each customer's purchases before and after the check's cut-off.
    Calibration,
    /// Fitting the purchase model on the purchases before the cut-off.
    CalibrationFit,
    /// Predicted purchases after the cut-off against the real ones.
    Comparison,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Models => "Fitting the purchase and spend models",
            Stage::Scores => "Scoring recency, frequency and monetary value",
            Stage::Segments => "Placing customers in segments",
            Stage::Kpis => "Measuring every KPI per segment",
            Stage::Calibration => "Summing each customer's purchases before and after the cut-off",
            Stage::CalibrationFit => {
                "Fitting the purchase model on the purchases before the cut-off"
            }
            Stage::Comparison => "Comparing the predicted purchases with the real ones",
        })
    }
}

/// Told of each part as it starts: the part, the parts done before it and
/// the parts in all.
pub(crate) type OnStage<'a> = &'a mut dyn FnMut(Stage, usize, usize);

/// Reports the parts of a piece of work, one after another, from a list
/// known in advance.
pub(crate) struct Stages<'a> {
    parts: Vec<Stage>,
    next: usize,
    on_stage: OnStage<'a>,
}

impl<'a> Stages<'a> {
    /// The parts to be done, in order.
    pub fn new(parts: Vec<Stage>, on_stage: OnStage<'a>) -> Stages<'a> {
        Stages {
            parts,
            next: 0,
            on_stage,
        }
    }

    /// Says that `stage` starts. It must be the next part of the list.
    pub fn start(&mut self, stage: Stage) {
        debug_assert_eq!(
            self.parts.get(self.next),
            Some(&stage),
            "parts out of order"
        );
        (self.on_stage)(stage, self.next, self.parts.len());
        self.next += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_counted_in_order_against_a_fixed_total() {
        let mut seen = Vec::new();
        let mut record = |s: Stage, done: usize, total: usize| seen.push((s, done, total));
        let mut stages = Stages::new(vec![Stage::Scores, Stage::Kpis], &mut record);
        stages.start(Stage::Scores);
        stages.start(Stage::Kpis);
        assert_eq!(seen, vec![(Stage::Scores, 0, 2), (Stage::Kpis, 1, 2)]);
    }
}
