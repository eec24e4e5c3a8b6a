//! The charts adapter: charts to draw are handed to the charts worker
//! (spawned the first time, then kept), which answers with their SVG.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use futures::channel::oneshot;
use gloo_worker::{Spawnable, WorkerBridge};
use seglens_charts::Chart;

use crate::chart_task::ChartTask;

type Answer = Vec<Result<String, String>>;

thread_local! {
    static DRAWER: RefCell<Option<Drawer>> = const { RefCell::new(None) };
}

/// The charts worker and the answers awaited from it, in the order asked
/// (the worker answers in that order).
struct Drawer {
    bridge: WorkerBridge<ChartTask>,
    waiting: Rc<RefCell<VecDeque<oneshot::Sender<Answer>>>>,
}

impl Drawer {
    fn spawn() -> Drawer {
        let waiting: Rc<RefCell<VecDeque<oneshot::Sender<Answer>>>> = Rc::default();
        let answer = waiting.clone();
        let bridge = ChartTask::spawner()
            .callback(move |drawn: Answer| {
                if let Some(tx) = answer.borrow_mut().pop_front() {
                    let _ = tx.send(drawn);
                }
            })
            .spawn_with_loader("./charts_loader.js");
        Drawer { bridge, waiting }
    }
}

/// Each chart's SVG, drawn by charts-rs in the charts worker, or the
/// first reason one could not be drawn.
pub async fn draw(charts: Vec<Chart>) -> Result<Vec<String>, String> {
    let (tx, rx) = oneshot::channel();
    DRAWER.with(|drawer| {
        let mut drawer = drawer.borrow_mut();
        let drawer = drawer.get_or_insert_with(Drawer::spawn);
        drawer.waiting.borrow_mut().push_back(tx);
        drawer.bridge.send(charts);
    });
    let Ok(drawn) = rx.await else {
        DRAWER.with(|drawer| drawer.borrow_mut().take());
        return Err(crate::i18n::t(
            "downloads_file.the_charts_could_not_be_drawn",
        ));
    };
    drawn.into_iter().collect()
}

/// One chart's SVG.
pub async fn draw_one(chart: Chart) -> Result<String, String> {
    draw(vec![chart])
        .await?
        .pop()
        .ok_or_else(|| crate::i18n::t("downloads_file.the_charts_could_not_be_drawn"))
}
