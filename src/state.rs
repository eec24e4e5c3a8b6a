//! The page's state: a small `Copy` context of signals, and the services
//! (worker, storage) that actions use.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;

use crate::engine_client::{EngineClient, Progress};
use crate::storage::{Store, WorkspaceRecord};
use seglens_engine::analysis::Analysis;
use seglens_engine::models::clv::HoldoutCheck;

/// What the page is doing.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Reading the saved workspace.
    Restoring,
    /// Waiting for the user.
    Idle,
    /// Importing or analysing; the label says what, `cancellable` whether
    /// a Cancel button makes sense.
    Working {
        /// What is being done, e.g. "Reading orders.csv".
        label: String,
        /// True for file imports.
        cancellable: bool,
    },
}

/// The analysed workspace on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    /// Where the data came from and what the importer said.
    pub record: WorkspaceRecord,
    /// The RFM analysis.
    pub analysis: Analysis,
}

/// The services behind the actions; not `Send`, so kept in local storage.
pub struct Services {
    /// The engine worker.
    pub engine: Rc<EngineClient>,
    /// The database, once open.
    pub store: Option<Store>,
    /// Set to cancel the import under way.
    pub cancel: Rc<Cell<bool>>,
    /// The other tabs of SegLens, when the browser can talk to them.
    pub tabs: Option<Rc<crate::tabs::Tabs>>,
    /// The last order file imported or refused in this page, for choosing
    /// its columns.
    pub order_file: Rc<std::cell::RefCell<Option<web_sys::File>>>,
    /// The other files imported or refused in this page (customers,
    /// e-mail results, ...), for choosing their columns.
    pub source_files: Rc<std::cell::RefCell<Vec<web_sys::File>>>,
    /// The file the columns screen is about.
    pub choice_file: Rc<std::cell::RefCell<Option<web_sys::File>>>,
    /// The files of an update waiting for the user's answer to
    /// [`AppState::update_question`].
    pub update_files: Rc<std::cell::RefCell<Vec<web_sys::File>>>,
    /// The columns chosen on the columns screen for the order file of that
    /// update, if it went through the screen.
    #[allow(clippy::type_complexity)]
    pub update_columns: Rc<
        std::cell::RefCell<
            Option<(
                Vec<(
                    seglens_engine::import::roles::Role,
                    seglens_engine::import::orders::ColumnRef,
                )>,
                seglens_engine::import::sources::ReadOptions,
            )>,
        >,
    >,
}

/// The columns screen: what a file holds, which sheet of a workbook to
/// read, and which column is which (for orders the customer, the date and
/// the amount; for other sources their fields), with the first rows as
/// they would be read.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChoice {
    /// The file's name.
    pub file_name: String,
    /// Why the screen opened, when an import failed.
    pub why: Option<String>,
    /// What the file is read as.
    pub kind: seglens_engine::import::sources::SourceKind,
    /// The order columns chosen so far.
    pub map: Vec<(
        seglens_engine::import::roles::Role,
        seglens_engine::import::orders::ColumnRef,
    )>,
    /// The sheet chosen, and for a source its columns chosen so far.
    pub read: seglens_engine::import::sources::ReadOptions,
    /// What the file gives as orders, once read.
    pub preview: Option<seglens_engine::import::orders::OrdersPreview>,
    /// What the file gives as another source, once read.
    pub source_preview: Option<seglens_engine::import::sources::SourcePreview>,
    /// An order file given to update the project in use: imported with
    /// these columns, it updates the project (`Some(confirmed)`, as
    /// [`crate::data::actions::update_with_files`]) instead of starting a
    /// new one.
    pub update: Option<bool>,
}

impl ColumnChoice {
    /// The sheets of the file, when it is a workbook.
    pub fn sheets(&self) -> Vec<String> {
        match (&self.preview, &self.source_preview) {
            (_, Some(p)) if self.kind != seglens_engine::import::sources::SourceKind::Orders => {
                p.sheets.clone()
            }
            (Some(p), _) => p.sheets.clone(),
            _ => Vec::new(),
        }
    }
}

/// The app's state, shared by context.
#[derive(Clone, Copy)]
pub struct AppState {
    /// What the page is doing.
    pub status: RwSignal<Status>,
    /// The workspace shown, if any.
    pub workspace: RwSignal<Option<Workspace>>,
    /// Progress of the work under way.
    pub progress: RwSignal<Option<Progress>>,
    /// The last error, for the banner.
    pub error: RwSignal<Option<String>>,
    /// The last holdout check of the purchase model, or why it failed.
    pub holdout: RwSignal<Option<Result<HoldoutCheck, String>>>,
    /// How long the last import took here (the worker's timings and the
    /// save, in milliseconds); none for a project opened from storage.
    pub last_import: RwSignal<Option<(crate::protocol::ImportTimings, f64)>>,
    /// The columns screen, when open.
    pub column_choice: RwSignal<Option<ColumnChoice>>,
    /// True while a holdout check runs.
    pub checking: RwSignal<bool>,
    /// What the browser says of the storage, once asked.
    pub storage: RwSignal<Option<crate::quota::StorageInfo>>,
    /// True while the "Where is my data?" panel is open.
    pub privacy_open: RwSignal<bool>,
    /// The language of the interface.
    pub locale: RwSignal<crate::i18n::Locale>,
    /// The colours asked for: light, dark, or as the system says.
    pub theme: RwSignal<crate::theme::Theme>,
    /// The guided tour's step on screen, if it is open.
    pub tour: RwSignal<Option<usize>>,
    /// The last export: file name, rows written, customers left out for
    /// want of an e-mail address, and for not having agreed to marketing.
    pub last_export: RwSignal<Option<(String, u64, u64, u64)>>,
    /// The export card's control group, as the user set it: on or off,
    /// the campaign's name, the share held out (per cent) and the send day.
    pub control_group: RwSignal<ControlGroupDraft>,
    /// What the last export with a control group held out: the campaign
    /// and how many customers.
    pub held_out: RwSignal<Option<(String, u64)>>,
    /// The last SQL query exported.
    pub last_sql: RwSignal<Option<String>>,
    /// How member lists are written: layout, columns, CSV or Excel.
    pub export: RwSignal<seglens_engine::export::ExportOptions>,
    /// The SQL dialect of query downloads.
    pub sql_dialect: RwSignal<seglens_engine::export::sql::Dialect>,
    /// The user's table names by kind (`orders`, `customers`, ...).
    pub sql_tables: RwSignal<Vec<(String, String)>>,
    /// The user's column names: kind, role, column.
    pub sql_columns: RwSignal<Vec<(String, String, String)>>,
    /// The encoding the next files are read in (detected when `None`).
    pub encoding: RwSignal<Option<seglens_engine::import::delimited::Encoding>>,
    /// The projects stored in this browser.
    pub projects: RwSignal<Vec<crate::storage::ProjectInfo>>,
    /// The id of the project in use.
    pub project: RwSignal<String>,
    /// Another tab of SegLens is open in this browser.
    pub other_tab: RwSignal<bool>,
    /// Another tab saved the workspace since this one loaded it: saving
    /// here would overwrite that, so it waits for a reload.
    pub stale: RwSignal<bool>,
    /// The member list open, if any.
    pub members: RwSignal<Option<MemberView>>,
    /// The last clustering, or why it failed.
    pub clustering: RwSignal<Option<Result<seglens_engine::segments::cluster::Clustering, String>>>,
    /// The last silhouette curve and suggested k, or why it failed.
    pub silhouette:
        RwSignal<Option<Result<seglens_engine::segments::cluster::SilhouetteCurve, String>>>,
    /// The rule being built, kept while the page redraws.
    pub rule_draft: RwSignal<crate::segments::RuleDraft>,
    /// True while a clustering runs.
    pub clustering_busy: RwSignal<bool>,
    /// The clustering work's steps: the catalogue key that words them,
    /// done and in all.
    pub clustering_step: RwSignal<Option<(&'static str, u64, u64)>>,
    /// While an export is written: the customers written so far and in
    /// all.
    pub export_step: RwSignal<Option<(u64, u64)>>,
    /// The part of an analysis or of the model check under way, if any.
    pub stage: RwSignal<Option<crate::engine_client::StageProgress>>,
    /// The page the address names.
    pub route: RwSignal<crate::route::Route>,
    /// The two audiences compared side by side, once the user picks them.
    pub compare_pair: RwSignal<Option<(String, String)>>,
    /// The rejected rows (file and count) the user has looked at on the
    /// Data page: the banner about them stays away until another import.
    pub rejected_seen: RwSignal<Option<(String, u64)>>,
    /// An export given to update the project that does not look like its
    /// next one: the question put to the user, nothing changed yet.
    pub update_question: RwSignal<Option<seglens_engine::analysis::update::Question>>,
    /// The services.
    pub services: StoredValue<Services, LocalStorage>,
}

/// A segment's member list on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberView {
    /// The segment's name.
    pub name: String,
    /// What it selects.
    pub definition: seglens_engine::segments::Definition,
    /// Text searched for.
    pub search: String,
    /// The rows' order.
    pub sort: seglens_engine::segments::groups::SortBy,
    /// The page asked for.
    pub page: usize,
    /// The page shown, or why there is none (None while loading).
    pub result: Option<Result<seglens_engine::segments::groups::MemberPage, String>>,
}

impl AppState {
    /// A fresh state with its worker started (not a `Default`: starting a
    /// worker is a side effect).
    pub fn start() -> AppState {
        let stage = RwSignal::new(None);
        let engine = EngineClient::new();
        engine.on_stage(move |progress| stage.set(progress));
        AppState {
            stage,
            status: RwSignal::new(Status::Restoring),
            workspace: RwSignal::new(None),
            progress: RwSignal::new(None),
            error: RwSignal::new(None),
            holdout: RwSignal::new(None),
            last_import: RwSignal::new(None),
            column_choice: RwSignal::new(None),
            checking: RwSignal::new(false),
            storage: RwSignal::new(None),
            privacy_open: RwSignal::new(false),
            locale: RwSignal::new(crate::i18n::Locale::En),
            theme: RwSignal::new(crate::theme::Theme::System),
            tour: RwSignal::new(None),
            last_export: RwSignal::new(None),
            control_group: RwSignal::new(ControlGroupDraft::default()),
            held_out: RwSignal::new(None),
            last_sql: RwSignal::new(None),
            export: RwSignal::new(seglens_engine::export::ExportOptions::csv(
                seglens_engine::export::Layout::Plain,
                ',',
            )),
            sql_dialect: RwSignal::new(seglens_engine::export::sql::Dialect::DuckDb),
            sql_tables: RwSignal::new(Vec::new()),
            sql_columns: RwSignal::new(Vec::new()),
            encoding: RwSignal::new(None),
            projects: RwSignal::new(Vec::new()),
            project: RwSignal::new(crate::storage::FIRST_PROJECT.to_string()),
            other_tab: RwSignal::new(false),
            stale: RwSignal::new(false),
            members: RwSignal::new(None),
            clustering: RwSignal::new(None),
            silhouette: RwSignal::new(None),
            clustering_busy: RwSignal::new(false),
            clustering_step: RwSignal::new(None),
            export_step: RwSignal::new(None),
            rule_draft: RwSignal::new(Default::default()),
            route: RwSignal::new(crate::route::current()),
            compare_pair: RwSignal::new(None),
            rejected_seen: RwSignal::new(None),
            update_question: RwSignal::new(None),
            services: StoredValue::new_local(Services {
                engine,
                store: None,
                cancel: Rc::new(Cell::new(false)),
                tabs: None,
                order_file: Rc::new(std::cell::RefCell::new(None)),
                source_files: Rc::new(std::cell::RefCell::new(Vec::new())),
                choice_file: Rc::new(std::cell::RefCell::new(None)),
                update_files: Rc::new(std::cell::RefCell::new(Vec::new())),
                update_columns: Rc::new(std::cell::RefCell::new(None)),
            }),
        }
    }
}

/// The export card's control group as the user set it.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlGroupDraft {
    /// A control group is held out.
    pub on: bool,
    /// The campaign's name.
    pub name: String,
    /// The share held out, in per cent.
    pub share: u32,
    /// The send day (today unless chosen).
    pub day: Option<seglens_engine::model::date::Day>,
    /// The share expected to order anyway, in per cent, for the smallest
    /// uplift the test can detect, as the user typed it; none: the
    /// models' expectation for the ticked segments (5% without models).
    pub base: Option<f64>,
}

impl Default for ControlGroupDraft {
    fn default() -> Self {
        ControlGroupDraft {
            on: false,
            name: String::new(),
            share: 20,
            day: None,
            base: None,
        }
    }
}
