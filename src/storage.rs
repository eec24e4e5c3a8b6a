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

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use futures::channel::oneshot;
use seglens_engine::analysis::AnalysisOptions;
use seglens_engine::import::sources::SourceReport;
use seglens_engine::metrics::kpi::Goal;
use seglens_engine::{ImportReport, Orders};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

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
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::i18n::{t, tf};
        let text = match self {
            StorageError::Unavailable(m) => tf("storage.unavailable", &[("m", m)]),
            StorageError::QuotaExceeded => t("storage.full"),
            StorageError::Corrupt(m) => tf("storage.corrupt", &[("m", m)]),
            StorageError::Failed(m) => tf("storage.failed", &[("m", m)]),
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

/// Waits for a request's success or error event.
async fn settle(req: &IdbRequest) -> Result<JsValue, StorageError> {
    let (tx, rx) = oneshot::channel::<bool>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let send = |ok: bool| {
        let tx = tx.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(t) = tx.borrow_mut().take() {
                let _ = t.send(ok);
            }
        })
    };
    let (on_ok, on_err) = (send(true), send(false));
    req.set_onsuccess(Some(on_ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(on_err.as_ref().unchecked_ref()));
    let ok = rx.await.unwrap_or(false);
    req.set_onsuccess(None);
    req.set_onerror(None);
    if ok {
        req.result().map_err(js_error)
    } else {
        Err(match req.error() {
            Ok(Some(e)) => js_error(e.into()),
            _ => StorageError::Failed("the request failed".into()),
        })
    }
}

/// Waits for a transaction to commit; an error or abort rolls it back.
async fn committed(tx: &IdbTransaction) -> Result<(), StorageError> {
    let (sender, rx) = oneshot::channel::<bool>();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let send = |ok: bool| {
        let s = sender.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(t) = s.borrow_mut().take() {
                let _ = t.send(ok);
            }
        })
    };
    let (on_ok, on_err, on_abort) = (send(true), send(false), send(false));
    tx.set_oncomplete(Some(on_ok.as_ref().unchecked_ref()));
    tx.set_onerror(Some(on_err.as_ref().unchecked_ref()));
    tx.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    let ok = rx.await.unwrap_or(false);
    tx.set_oncomplete(None);
    tx.set_onerror(None);
    tx.set_onabort(None);
    if ok {
        Ok(())
    } else {
        Err(match tx.error() {
            Some(e) => js_error(e.into()),
            None => StorageError::Failed("the transaction was aborted".into()),
        })
    }
}

/// Runs the upgrade steps from schema version `old` to `new`, in order.
fn upgrade(db: &IdbDatabase, old: u32, new: u32) -> Result<(), JsValue> {
    for step in old..new {
        match (step, step + 1) {
            (0, 1) => {
                db.create_object_store(WORKSPACE)?;
            }
            (1, 2) => {
                db.create_object_store(TABLES)?;
            }
            _ => {
                return Err(JsValue::from_str(&format!(
                    "no upgrade step from version {step}"
                )));
            }
        }
    }
    Ok(())
}

/// An open workspace database, and the project in use.
#[derive(Debug, Clone)]
pub struct Store {
    db: IdbDatabase,
    project: Rc<RefCell<String>>,
}

impl Store {
    /// Opens (and creates or upgrades) the database `name` at
    /// [`DB_VERSION`].
    pub async fn open(name: &str) -> Result<Store, StorageError> {
        Self::open_version(name, DB_VERSION).await
    }

    /// Opens the database at an older schema version: only for tests that
    /// build the layouts of earlier versions.
    #[doc(hidden)]
    pub async fn open_version(name: &str, version: u32) -> Result<Store, StorageError> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| StorageError::Unavailable("no IndexedDB".into()))?;
        let req: IdbOpenDbRequest = factory
            .open_with_u32(name, version)
            .map_err(|e| StorageError::Unavailable(format!("{e:?}")))?;
        let on_upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
            move |ev: web_sys::IdbVersionChangeEvent| {
                let Some(target) = ev.target() else { return };
                let req: IdbOpenDbRequest = target.unchecked_into();
                let Ok(result) = req.result() else { return };
                let db: IdbDatabase = result.unchecked_into();
                let result = upgrade(&db, ev.old_version() as u32, version);
                if let Err(e) = result {
                    web_sys::console::error_1(&e);
                }
            },
        );
        req.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let db = settle(&req).await?;
        req.set_onupgradeneeded(None);
        let store = Store {
            db: db.unchecked_into(),
            project: Rc::new(RefCell::new(FIRST_PROJECT.to_string())),
        };
        if let Some(id) = store.get(WORKSPACE, SELECTED).await?.as_string() {
            *store.project.borrow_mut() = id;
        }
        Ok(store)
    }

    async fn get(&self, store: &str, key: &str) -> Result<JsValue, StorageError> {
        let tx = self
            .db
            .transaction_with_str_and_mode(store, IdbTransactionMode::Readonly)
            .map_err(js_error)?;
        let req = tx
            .object_store(store)
            .and_then(|s| s.get(&key.into()))
            .map_err(js_error)?;
        settle(&req).await
    }

    /// The id of the project in use.
    pub fn project(&self) -> String {
        self.project.borrow().clone()
    }

    /// Makes a project the one in use (kept across reloads); a new id
    /// starts an empty project.
    pub async fn select(&self, id: &str) -> Result<(), StorageError> {
        let tx = self
            .db
            .transaction_with_str_and_mode(WORKSPACE, IdbTransactionMode::Readwrite)
            .map_err(js_error)?;
        tx.object_store(WORKSPACE)
            .and_then(|s| s.put_with_key(&JsValue::from_str(id), &SELECTED.into()))
            .map_err(js_error)?;
        committed(&tx).await?;
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
        let names = js_sys::Array::of2(&WORKSPACE.into(), &TABLES.into());
        let tx = self
            .db
            .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readonly)
            .map_err(js_error)?;
        let keys_req = tx
            .object_store(WORKSPACE)
            .and_then(|s| s.get_all_keys())
            .map_err(js_error)?;
        let keys: js_sys::Array = settle(&keys_req).await?.unchecked_into();
        let mut out = Vec::new();
        for key in keys.iter() {
            let Some(id) = key.as_string().filter(|k| k != SELECTED) else {
                continue;
            };
            let rec_req = tx
                .object_store(WORKSPACE)
                .and_then(|s| s.get(&id.as_str().into()))
                .map_err(js_error)?;
            let table_req = tx
                .object_store(TABLES)
                .and_then(|s| s.get(&table_key(&id).into()))
                .map_err(js_error)?;
            let json = settle(&rec_req).await?.as_string().unwrap_or_default();
            let table = settle(&table_req).await?;
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
        let tx = self
            .db
            .transaction_with_str_and_mode(TABLES, IdbTransactionMode::Readwrite)
            .map_err(js_error)?;
        tx.object_store(TABLES)
            .and_then(|s| {
                s.put_with_key(
                    &JsValue::from_str(&value),
                    &analysis_key(&self.project()).into(),
                )
            })
            .map_err(js_error)?;
        committed(&tx).await
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
        let names = js_sys::Array::of2(&WORKSPACE.into(), &TABLES.into());
        let tx = self
            .db
            .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite)
            .map_err(js_error)?;
        let delete = || -> Result<(), JsValue> {
            tx.object_store(WORKSPACE)?.delete(&id.into())?;
            tx.object_store(TABLES)?.delete(&table_key(id).into())?;
            tx.object_store(TABLES)?.delete(&analysis_key(id).into())?;
            Ok(())
        };
        if let Err(e) = delete() {
            let _ = tx.abort();
            return Err(js_error(e));
        }
        committed(&tx).await
    }

    /// Closes the connection.
    pub fn close(&self) {
        self.db.close();
    }

    /// The schema version of the open database.
    pub fn version(&self) -> u32 {
        self.db.version() as u32
    }

    /// Saves the record and its data (the encoded dataset) atomically.
    pub async fn save(&self, record: &WorkspaceRecord, table: &[u8]) -> Result<(), StorageError> {
        let json =
            serde_json::to_string(record).map_err(|e| StorageError::Failed(e.to_string()))?;
        let names = js_sys::Array::of2(&WORKSPACE.into(), &TABLES.into());
        let tx = self
            .db
            .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite)
            .map_err(js_error)?;
        let project = self.project();
        let put = || -> Result<(), JsValue> {
            tx.object_store(WORKSPACE)?
                .put_with_key(&JsValue::from_str(&json), &project.as_str().into())?;
            let bytes = js_sys::Uint8Array::from(table);
            tx.object_store(TABLES)?
                .put_with_key(&bytes, &table_key(&project).into())?;
            Ok(())
        };
        if let Err(e) = put() {
            let _ = tx.abort();
            return Err(js_error(e));
        }
        committed(&tx).await
    }

    /// Loads the workspace, converting records of older versions.
    /// `None` when nothing is stored.
    pub async fn load(&self) -> Result<Option<(WorkspaceRecord, Vec<u8>)>, StorageError> {
        let names = js_sys::Array::of2(&WORKSPACE.into(), &TABLES.into());
        let tx = self
            .db
            .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readonly)
            .map_err(js_error)?;
        let get = |store: &str, key: &str| -> Result<IdbRequest, StorageError> {
            tx.object_store(store)
                .and_then(|s| s.get(&key.into()))
                .map_err(js_error)
        };
        let project = self.project();
        let (rec_req, table_req) = (get(WORKSPACE, &project)?, get(TABLES, table_key(&project))?);
        let record = settle(&rec_req).await?;
        let table = settle(&table_req).await?;
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
        let tx = self
            .db
            .transaction_with_str_and_mode(WORKSPACE, IdbTransactionMode::Readwrite)
            .map_err(js_error)?;
        tx.object_store(WORKSPACE)
            .and_then(|s| s.put_with_key(&JsValue::from_str(json), &self.project().as_str().into()))
            .map_err(js_error)?;
        committed(&tx).await
    }

    /// Deletes everything stored: every project.
    pub async fn clear(&self) -> Result<(), StorageError> {
        let names = js_sys::Array::of2(&WORKSPACE.into(), &TABLES.into());
        let tx = self
            .db
            .transaction_with_str_sequence_and_mode(&names, IdbTransactionMode::Readwrite)
            .map_err(js_error)?;
        for store in [WORKSPACE, TABLES] {
            tx.object_store(store)
                .and_then(|s| s.clear())
                .map_err(js_error)?;
        }
        committed(&tx).await?;
        *self.project.borrow_mut() = FIRST_PROJECT.to_string();
        Ok(())
    }
}
