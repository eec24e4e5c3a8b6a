//! The SegLens web app: Leptos components over the engine, which runs in
//! a Web Worker. Only this crate touches the browser, each browser API
//! behind one small adapter: [`files`], [`storage`], [`engine_client`],
//! [`offline`], [`quota`], [`downloads`], [`clipboard`], [`workbooks`], [`route`],
//! [`theme`], [`tabs`] and [`browser`] (the window, the document, the
//! settings this browser remembers, the clock).

pub mod act;
pub mod actions;
pub mod browser;
pub mod chart;
pub mod chart_drawer;
pub mod chart_task;
pub mod clipboard;
pub mod compare;
pub mod data;
pub mod downloads;
pub mod engine_client;
pub mod files;
pub mod format;
pub mod i18n;
pub mod journeys;
pub mod offline;
pub mod overview;
pub mod predict;
pub mod projects;
pub mod protocol;
pub mod quota;
pub mod report;
pub mod route;
pub mod segments;
pub mod settings;
pub mod shell;
pub mod state;
pub mod storage;
pub mod tabs;
pub mod theme;
pub mod workbook_task;
pub mod workbooks;
pub mod worker;

/// Mounts the app on the page's body.
pub fn mount() {
    leptos::mount::mount_to_body(shell::App);
}
