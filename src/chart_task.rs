//! The charts worker: draws charts with charts-rs ([`seglens_charts::draw`])
//! for the pictures a marketer downloads and the report. It is a worker of
//! its own, fetched the first time a chart is downloaded or a report made,
//! so that the page and the import worker carry neither charts-rs nor its
//! font. Its body only calls the charts crate.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use seglens_charts::Chart;

/// The chart drawer's task: charts in, each one's SVG (or why it could
/// not be drawn) out, in the same order.
pub struct ChartTask;

impl Worker for ChartTask {
    type Message = ();
    type Input = Vec<Chart>;
    type Output = Vec<Result<String, String>>;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        ChartTask
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, charts: Self::Input, id: HandlerId) {
        scope.respond(id, draw_all(&charts));
    }
}

/// Each chart's SVG: charts-rs in the charts worker's build.
#[cfg(feature = "charts")]
fn draw_all(charts: &[Chart]) -> Vec<Result<String, String>> {
    charts.iter().map(seglens_charts::draw::svg).collect()
}

/// The page's build draws no chart itself: it asks the charts worker.
#[cfg(not(feature = "charts"))]
fn draw_all(charts: &[Chart]) -> Vec<Result<String, String>> {
    charts
        .iter()
        .map(|_| Err("this build does not draw charts".into()))
        .collect()
}
