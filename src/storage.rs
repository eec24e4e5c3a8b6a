//! The IndexedDB adapter: the workspace record and its tables.
//!
//! Schema history (the database version):
//! 1. one object store, `workspace`, holding the record under `current`;
//!    records of version 1 carried their order rows as JSON.
//! 2. a second store, `tables`, holding each table as compact columnar
//!    binary (`Orders::encode`); version-1 records are converted on load.
//!
//! A save writes the record and its table in one transaction: if anything
//! fails, IndexedDB rolls it back and the previous workspace stays intact.
//!
//! Several projects (one per business or client) live side by side: a
//! project's record and table are stored under its id, and the key
//! `selected` of the `workspace` store names the project in use. The first
//! project keeps the keys of the single workspace of earlier versions
//! (`current` and `orders`), so those databases need no conversion.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use indexed_db_futures::database::Database;
use indexed_db_futures::error::OpenDbError;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use seglens_engine::analysis::AnalysisOptions;
use seglens_engine::import::sources::SourceReport;
use seglens_engine::metrics::kpi::Goal;
use seglens_engine::{ImportReport, Orders};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The database schema version.
pub const DB_VERSION: u32 = 2;
/// The version of [`WorkspaceRecord`].
pub const RECORD_VERSION: u32 = 2;
/// The database the app uses.
pub const DB_NAME: &str = "seglens";

const WORKSPACE: &str = "workspace";
const TABLES: &str = "tables";
/// The first project's id (the single workspace of earlier versions).
pub const FIRST_PROJECT: &str = "current";
const ORDERS: &str = "orders";
/// The key naming the project in use.
const SELECTED: &str = "selected";

/// The key of a project's table.
fn table_key(project: &str) -> &str {
    if project == FIRST_PROJECT {
        ORDERS
    } else {
        project
    }
}

/// The key of the analysis kept for a project.
fn analysis_key(project: &str) -> String {
    format!("analysis:{project}")
}

/// A stored project, for the project list.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectInfo {
    /// Its id.
    pub id: String,
    /// Its name: the order file's, or the demo's.
    pub name: String,
    /// Bytes stored: its record and its data.
    pub bytes: u64,
}

/// What can go wrong with storage, in words a user can act on.
#[derive(Debug, Clone, PartialEq)]
pub enum StorageError {
    /// The browser offers no IndexedDB (private mode in some browsers).
    Unavailable(String),
    /// The disk quota is used up.
    QuotaExceeded,
    /// The stored data cannot be read.
    Corrupt(String),
    /// Another failure reported by the browser.
    Failed(String),
    /// The database could not be brought to this version's layout; the
    /// upgrade was rolled back and the data stays as it was.
    Upgrade(String),
    /// Another tab upgraded the database: this one must be reloaded.
    Replaced,
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::i18n::{t, tf};
        let text = match self {
            StorageError::Unavailable(m) => tf("storage.unavailable", &[("m", m)]),
            StorageError::QuotaExceeded => t("storage.full"),
            StorageError::Corrupt(m) => tf("storage.corrupt", &[("m", m)]),
            StorageError::Failed(m) => tf("storage.failed", &[("m", m)]),
            StorageError::Upgrade(m) => tf("storage.upgrade_failed", &[("m", m)]),
            StorageError::Replaced => t("storage.replaced"),
        };
        f.write_str(&text)
    }
}

fn js_error(value: JsValue) -> StorageError {
    if let Some(e) = value.dyn_ref::<web_sys::DomException>() {
        if e.name() == "QuotaExceededError" {
            return StorageError::QuotaExceeded;
        }
        return StorageError::Failed(format!("{}: {}", e.name(), e.message()));
    }
    StorageError::Failed(format!("{value:?}"))
}

/// The workspace as stored: where the data came from and what the
/// importer said of it. The table itself is stored beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceRecord {
    /// [`RECORD_VERSION`].
    pub version: u32,
    /// The file name, or the demo's name.
    pub source: String,
    /// True for the built-in demo.
    pub is_demo: bool,
    /// The import report of the orders table.
    pub report: Option<ImportReport>,
    /// What the import of each other source (e-mail results, surveys)
    /// understood.
    #[serde(default)]
    pub sources: Vec<SourceReport>,
    /// The user's analysis choices (analysis date, churn-risk thresholds).
    #[serde(default)]
    pub options: AnalysisOptions,
    /// The business goals set on KPIs.
    #[serde(default)]
    pub goals: Vec<Goal>,
    /// The user's notes on segments and KPIs.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// The KPIs of the compared groups at dates: taken on each import and
    /// by hand.
    #[serde(default)]
    pub snapshots: Vec<seglens_engine::metrics::snapshot::Snapshot>,
    /// The currency amounts are written in (an ISO 4217 code), as the
    /// order file named it or the user chose; plain numbers when absent.
    #[serde(default)]
    pub currency: Option<String>,
    /// What the last update with newer exports changed, if the project
    /// was updated.
    #[serde(default)]
    pub last_update: Option<seglens_engine::analysis::update::Since>,
    /// The campaigns whose list was exported with a control group held
    /// out: who was sent, who was held out, and the day, to measure them.
    #[serde(default)]
    pub campaigns: Vec<seglens_engine::analysis::campaign::SentList>,
}

/// A dated note on a segment, a KPI or the whole analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// What it is about: a segment's or a KPI's name, or empty for the
    /// whole analysis.
    pub about: String,
    /// The day it was written, `yyyy-mm-dd`.
    pub written: String,
    /// The note.
    pub text: String,
}

/// A version-1 record: the order rows were kept as JSON.
#[derive(Deserialize)]
struct RecordV1 {
    source: String,
    is_demo: bool,
    rows: Vec<(String, i32, f64)>,
}

/// What happens to the database while the app has it open, told to the
/// page so the user knows what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreEvent {
    /// Opening waits: another tab holds the database open at an older
    /// version and does not let go. The open goes on by itself once that
    /// tab is closed or reloaded.
    Blocked,
    /// Another tab, with a newer version of SegLens, upgrades the database:
    /// this connection was closed to let it, and nothing more can be saved
    /// here until a reload.
    Replaced,
}

/// Told of the [`StoreEvent`]s of a connection.
pub type StoreEvents = Rc<dyn Fn(StoreEvent)>;

fn idb_error(e: indexed_db_futures::error::Error) -> StorageError {
    match e {
        indexed_db_futures::error::Error::DomException(e) => js_error(e.into()),
        other => StorageError::Failed(other.to_string()),
    }
}

/// Runs the upgrade steps from schema version `old` to `new`, in order. An
/// error aborts the upgrade: the database stays at its old version, as it
/// was.
fn upgrade(db: &Database, old: u32, new: u32) -> indexed_db_futures::Result<()> {
    for step in old..new {
        match (step, step + 1) {
            (0, 1) => {
                db.create_object_store(WORKSPACE).build()?;
            }
            (1, 2) => {
                db.create_object_store(TABLES).build()?;
            }
            _ => {
                return Err(
                    js_sys::Error::new(&format!("no upgrade step from version {step}")).into(),
                );
            }
        }
    }
    Ok(())
}

/// An open workspace database, and the project in use.
#[derive(Clone)]
pub struct Store {
    db: Database,
    project: Rc<RefCell<String>>,
    /// Set when another tab's upgrade closed the connection.
    replaced: Rc<Cell<bool>>,
    /// Keeps the `versionchange` handler alive as long as the store.
    _on_change: Rc<Closure<dyn FnMut(web_sys::Event)>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("project", &self.project)
            .field("replaced", &self.replaced.get())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (and creates or upgrades) the database `name` at
    /// [`DB_VERSION`], telling no one of what happens to it.
    pub async fn open(name: &str) -> Result<Store, StorageError> {
        Self::open_with(name, DB_VERSION, Rc::new(|_| {})).await
    }

    /// Opens the database at an older schema version: only for tests that
    /// build the layouts of earlier versions.
    #[doc(hidden)]
    pub async fn open_version(name: &str, version: u32) -> Result<Store, StorageError> {
        Self::open_with(name, version, Rc::new(|_| {})).await
    }

    /// Opens the database `name` at `version`, upgrading it step by step
    /// from an older one; `events` hears when the open waits for another
    /// tab and when another tab's upgrade closes this connection. A failed
    /// upgrade is rolled back and reported: the database stays as it was.
    pub async fn open_with(
        name: &str,
        version: u32,
        events: StoreEvents,
    ) -> Result<Store, StorageError> {
        let blocked = events.clone();
        let db = Database::open(name)
            .with_version(version)
            .with_on_blocked(move |_| {
                blocked(StoreEvent::Blocked);
                Ok(())
            })
            .with_on_upgrade_needed(move |event, db| {
                upgrade(&db, event.old_version() as u32, version)
            })
            .await
            .map_err(|e| match e {
                OpenDbError::Base(e) => StorageError::Upgrade(idb_error(e).to_string()),
                other => StorageError::Unavailable(other.to_string()),
            })?;
        // A newer version of the app in another tab asks to upgrade: let it,
        // and tell the user this tab must be reloaded.
        let replaced = Rc::new(Cell::new(false));
        let on_change = {
            let (db, replaced) = (db.clone(), replaced.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                replaced.set(true);
                db.as_sys().close();
                events(StoreEvent::Replaced);
            })
        };
        db.as_sys()
            .set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        let store = Store {
            db,
            project: Rc::new(RefCell::new(FIRST_PROJECT.to_string())),
            replaced,
            _on_change: Rc::new(on_change),
        };
        if let Some(id) = store.get(WORKSPACE, SELECTED).await?.as_string() {
            *store.project.borrow_mut() = id;
        }
        Ok(store)
    }

    /// A transaction on `stores`, or why there can be none.
    fn transaction<'a>(
        &'a self,
        stores: &[&str],
        mode: TransactionMode,
    ) -> Result<Transaction<'a>, StorageError> {
        if self.replaced.get() {
            return Err(StorageError::Replaced);
        }
        self.db
            .transaction(stores.to_vec())
            .with_mode(mode)
            .build()
            .map_err(idb_error)
    }

    async fn get(&self, store: &str, key: &str) -> Result<JsValue, StorageError> {
        let tx = self.transaction(&[store], TransactionMode::Readonly)?;
        read(&tx.object_store(store).map_err(idb_error)?, key).await
    }

    /// The id of the project in use.
    pub fn project(&self) -> String {
        self.project.borrow().clone()
    }

    /// Makes a project the one in use (kept across reloads); a new id
    /// starts an empty project.
    pub async fn select(&self, id: &str) -> Result<(), StorageError> {
        let tx = self.transaction(&[WORKSPACE], TransactionMode::Readwrite)?;
        put(&tx, WORKSPACE, SELECTED, JsValue::from_str(id))?;
        tx.commit().await.map_err(idb_error)?;
        *self.project.borrow_mut() = id.to_string();
        Ok(())
    }

    /// A fresh project id.
    pub fn new_project_id() -> String {
        format!(
            "p{}{}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 1e6) as u64
        )
    }

    /// Every stored project, with its size.
    pub async fn projects(&self) -> Result<Vec<ProjectInfo>, StorageError> {
        let tx = self.transaction(&[WORKSPACE, TABLES], TransactionMode::Readonly)?;
        let workspace = tx.object_store(WORKSPACE).map_err(idb_error)?;
        let tables = tx.object_store(TABLES).map_err(idb_error)?;
        let keys: Vec<JsValue> = workspace
            .get_all_keys()
            .primitive()
            .map_err(idb_error)?
            .await
            .map_err(idb_error)?
            .collect::<Result<_, _>>()
            .map_err(idb_error)?;
        let mut out = Vec::new();
        for key in keys {
            let Some(id) = key.as_string().filter(|k| k != SELECTED) else {
                continue;
            };
            let json = read(&workspace, &id).await?.as_string().unwrap_or_default();
            let table = read(&tables, table_key(&id)).await?;
            let table_bytes = table
                .dyn_ref::<js_sys::Uint8Array>()
                .map_or(0, |t| t.length() as u64);
            let name = serde_json::from_str::<serde_json::Value>(&json)
                .ok()
                .and_then(|v| v.get("source").and_then(|s| s.as_str()).map(str::to_string))
                .unwrap_or_else(|| id.clone());
            out.push(ProjectInfo {
                id,
                name,
                bytes: json.len() as u64 + table_bytes,
            });
        }
        Ok(out)
    }

    /// Keeps the analysis shown for the project in use, with the choices it
    /// was made with, so that reopening shows it at once.
    pub async fn save_analysis(
        &self,
        options: &AnalysisOptions,
        analysis: &seglens_engine::analysis::Analysis,
    ) -> Result<(), StorageError> {
        let value = serde_json::to_string(&(options, analysis))
            .map_err(|e| StorageError::Failed(e.to_string()))?;
        let tx = self.transaction(&[TABLES], TransactionMode::Readwrite)?;
        put(
            &tx,
            TABLES,
            &analysis_key(&self.project()),
            JsValue::from_str(&value),
        )?;
        tx.commit().await.map_err(idb_error)
    }

    /// The analysis kept for the project in use, when it was made with
    /// these choices; `None` otherwise (or when it cannot be read).
    pub async fn load_analysis(
        &self,
        options: &AnalysisOptions,
    ) -> Option<seglens_engine::analysis::Analysis> {
        let text = self
            .get(TABLES, &analysis_key(&self.project()))
            .await
            .ok()?
            .as_string()?;
        let (made_with, analysis): (AnalysisOptions, seglens_engine::analysis::Analysis) =
            serde_json::from_str(&text).ok()?;
        (made_with == *options).then_some(analysis)
    }

    /// Deletes one project's record and data.
    pub async fn delete_project(&self, id: &str) -> Result<(), StorageError> {
        let tx = self.transaction(&[WORKSPACE, TABLES], TransactionMode::Readwrite)?;
        for (store, key) in [
            (WORKSPACE, id.to_string()),
            (TABLES, table_key(id).to_string()),
            (TABLES, analysis_key(id)),
        ] {
            // Left unawaited, the deletes run in the transaction; a failure
            // shows in the commit.
            drop(
                tx.object_store(store)
                    .map_err(idb_error)?
                    .delete(key.as_str())
                    .primitive()
                    .map_err(idb_error)?,
            );
        }
        tx.commit().await.map_err(idb_error)
    }

    /// Closes the connection.
    pub fn close(&self) {
        self.db.as_sys().close();
    }

    /// The schema version of the open database.
    pub fn version(&self) -> u32 {
        self.db.version() as u32
    }

    /// Saves the record and its data (the encoded dataset) atomically.
    pub async fn save(&self, record: &WorkspaceRecord, table: &[u8]) -> Result<(), StorageError> {
        let json =
            serde_json::to_string(record).map_err(|e| StorageError::Failed(e.to_string()))?;
        let tx = self.transaction(&[WORKSPACE, TABLES], TransactionMode::Readwrite)?;
        let project = self.project();
        // Dropping the transaction on an error aborts it: nothing is
        // written unless both are.
        put(&tx, WORKSPACE, &project, JsValue::from_str(&json))?;
        put(
            &tx,
            TABLES,
            table_key(&project),
            js_sys::Uint8Array::from(table).into(),
        )?;
        tx.commit().await.map_err(idb_error)
    }

    /// Loads the workspace, converting records of older versions.
    /// `None` when nothing is stored.
    pub async fn load(&self) -> Result<Option<(WorkspaceRecord, Vec<u8>)>, StorageError> {
        let project = self.project();
        let (record, table) = {
            let tx = self.transaction(&[WORKSPACE, TABLES], TransactionMode::Readonly)?;
            let workspace = tx.object_store(WORKSPACE).map_err(idb_error)?;
            let tables = tx.object_store(TABLES).map_err(idb_error)?;
            (
                read(&workspace, &project).await?,
                read(&tables, table_key(&project)).await?,
            )
        };
        let Some(json) = record.as_string() else {
            return Ok(None);
        };
        let version = serde_json::from_str::<serde_json::Value>(&json)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0) as u32;
        match version {
            1 => {
                let old: RecordV1 = serde_json::from_str(&json)
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?;
                let orders = Orders::from_rows(&old.rows);
                let record = WorkspaceRecord {
                    version: RECORD_VERSION,
                    source: old.source,
                    is_demo: old.is_demo,
                    report: None,
                    sources: Vec::new(),
                    options: AnalysisOptions::default(),
                    goals: Vec::new(),
                    notes: Vec::new(),
                    snapshots: Vec::new(),
                    currency: None,
                    last_update: None,
                    campaigns: Vec::new(),
                };
                let table = orders.encode();
                self.save(&record, &table).await?;
                Ok(Some((record, table)))
            }
            RECORD_VERSION => {
                let record: WorkspaceRecord = serde_json::from_str(&json)
                    .map_err(|e| StorageError::Corrupt(e.to_string()))?;
                let table = table
                    .dyn_into::<js_sys::Uint8Array>()
                    .map_err(|_| StorageError::Corrupt("the orders table is missing".into()))?
                    .to_vec();
                Ok(Some((record, table)))
            }
            v if v > RECORD_VERSION => Err(StorageError::Corrupt(crate::i18n::tf(
                "storage.newer",
                &[("v", &v.to_string())],
            ))),
            v => Err(StorageError::Corrupt(format!("unknown record version {v}"))),
        }
    }

    /// Saves the record alone (the stored table stays as it is).
    pub async fn save_record(&self, record: &WorkspaceRecord) -> Result<(), StorageError> {
        let json =
            serde_json::to_string(record).map_err(|e| StorageError::Failed(e.to_string()))?;
        self.put_raw_record(&json).await
    }

    /// Writes a raw record value (tests use it to write the records of older
    /// versions).
    pub async fn put_raw_record(&self, json: &str) -> Result<(), StorageError> {
        let tx = self.transaction(&[WORKSPACE], TransactionMode::Readwrite)?;
        put(&tx, WORKSPACE, &self.project(), JsValue::from_str(json))?;
        tx.commit().await.map_err(idb_error)
    }

    /// Deletes everything stored: every project.
    pub async fn clear(&self) -> Result<(), StorageError> {
        let tx = self.transaction(&[WORKSPACE, TABLES], TransactionMode::Readwrite)?;
        for store in [WORKSPACE, TABLES] {
            drop(
                tx.object_store(store)
                    .map_err(idb_error)?
                    .clear()
                    .map_err(idb_error)?,
            );
        }
        tx.commit().await.map_err(idb_error)?;
        *self.project.borrow_mut() = FIRST_PROJECT.to_string();
        Ok(())
    }
}

/// Puts `value` under `key` in `store`, within `tx`; the write happens
/// when the transaction commits.
fn put(tx: &Transaction<'_>, store: &str, key: &str, value: JsValue) -> Result<(), StorageError> {
    drop(
        tx.object_store(store)
            .map_err(idb_error)?
            .put(value)
            .with_key(key)
            .primitive()
            .map_err(idb_error)?,
    );
    Ok(())
}

/// The value under `key` in `store`, `undefined` when there is none.
async fn read(store: &ObjectStore<'_>, key: &str) -> Result<JsValue, StorageError> {
    let value: Option<JsValue> = store
        .get(key)
        .primitive()
        .map_err(idb_error)?
        .await
        .map_err(idb_error)?;
    Ok(value.unwrap_or(JsValue::UNDEFINED))
}
