//! Adapter: other tabs of SegLens in the same browser, over a
//! `BroadcastChannel`. A tab says hello when it opens and answers hellos,
//! so each knows when another is open; a tab that saves says so, and the
//! others know their copy of the workspace is out of date.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

const CHANNEL: &str = "seglens-workspace";

/// What another tab said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// Another tab is open.
    Open,
    /// Another tab saved (or deleted) this project (by id; empty for
    /// every project).
    Saved(String),
}

/// This tab's end of the channel.
pub struct Tabs {
    channel: BroadcastChannel,
    id: String,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl Tabs {
    /// Joins the channel and says hello; `heard` is called with what the
    /// other tabs say. `None` when the browser has no `BroadcastChannel`.
    pub fn join(mut heard: impl FnMut(Heard) + 'static) -> Option<Tabs> {
        let channel = BroadcastChannel::new(CHANNEL).ok()?;
        let id = format!("{}", js_sys::Math::random());
        let me = id.clone();
        let reply = channel.clone();
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(text) = ev.data().as_string() else {
                return;
            };
            let mut parts = text.splitn(3, ':');
            let (Some(kind), Some(from)) = (parts.next(), parts.next()) else {
                return;
            };
            let project = parts.next().unwrap_or_default().to_string();
            if from == me {
                return;
            }
            match kind {
                "hello" => {
                    let _ = reply.post_message(&JsValue::from_str(&format!("here:{me}")));
                    heard(Heard::Open);
                }
                "here" => heard(Heard::Open),
                "saved" => heard(Heard::Saved(project)),
                _ => {}
            }
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        let _ = channel.post_message(&JsValue::from_str(&format!("hello:{id}")));
        Some(Tabs {
            channel,
            id,
            _listener: listener,
        })
    }

    /// Tells the other tabs this one saved a project (empty: all of
    /// them, as when everything is deleted).
    pub fn saved(&self, project: &str) {
        let _ = self
            .channel
            .post_message(&JsValue::from_str(&format!("saved:{}:{project}", self.id)));
    }
}
