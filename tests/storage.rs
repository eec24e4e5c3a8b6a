//! The IndexedDB adapter in headless Chromium: save and load, delete,
//! upgrade from the version-1 layout, refusal of newer records, a full disk
//! and an aborted write that change nothing, an upgrade that waits for an
//! older tab, a newer tab that takes over, and a failed upgrade rolled
//! back. Each test opens a randomly named database.
#![cfg(target_arch = "wasm32")]

use seglens_app::storage::{DB_VERSION, RECORD_VERSION, StorageError, Store, WorkspaceRecord};
use seglens_engine::Orders;
use seglens_engine::analysis::AnalysisOptions;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn db_name() -> String {
    format!("seglens-test-{}", js_sys::Math::random())
}

fn sample_orders() -> Orders {
    Orders::from_rows(&[
        ("C1".into(), 19_000, 12.5),
        ("C2".into(), 19_001, 30.0),
        ("C1".into(), 19_010, -2.5),
    ])
}

fn record(source: &str) -> WorkspaceRecord {
    WorkspaceRecord {
        version: RECORD_VERSION,
        source: source.into(),
        is_demo: false,
        report: None,
        sources: Vec::new(),
        options: AnalysisOptions {
            as_of: Some(19_100),
            medium_risk_from: 0.25,
            low_risk_from: 0.75,
            rfm: seglens_engine::segments::rfm::RfmSetup {
                config: seglens_engine::segments::rfm::RfmConfig {
                    recency: seglens_engine::segments::rfm::Bins::Thresholds(vec![30.0, 90.0]),
                    ..Default::default()
                },
                rules: seglens_engine::segments::rfm::three_level_rules(),
            },
            funnel: None,
            lifecycle: Some(seglens_engine::segments::lifecycle::LifecycleSetup::default()),
            segments: vec![seglens_engine::segments::SavedSegment {
                name: "DIY fans".into(),
                version: 2,
                definition: seglens_engine::segments::Definition::Rule(
                    r#"{"attribute":"interests","contains":"DIY"}"#.into(),
                ),
                note: "for the spring mailing".into(),
            }],
            rows: seglens_engine::segments::groups::Rows::Saved,
            churn_period_days: 60,
        },
        currency: Some("CHF".into()),
        goals: vec![
            seglens_engine::metrics::kpi::Goal {
                kpi: seglens_engine::metrics::kpi::KpiId::Nps,
                segment: "Loyal Customers".into(),
                at_least: true,
                target: 50.0,
                deadline: Some(20_500),
                since: None,
            },
            seglens_engine::metrics::kpi::Goal {
                kpi: seglens_engine::metrics::kpi::KpiId::SecondOrdersInPeriod,
                segment: "All customers".into(),
                at_least: true,
                target: 25.0,
                deadline: Some(20_545),
                since: Some(20_500),
            },
        ],
        notes: vec![seglens_app::storage::Note {
            about: "DIY fans".into(),
            written: "2026-11-22".into(),
            text: "Spring mailing sent".into(),
        }],
        snapshots: Vec::new(),
        last_update: Some(last_update()),
        campaigns: vec![seglens_engine::analysis::campaign::SentList {
            name: "Win-back, March".into(),
            day: 19_050,
            customers: vec!["c1".into(), "c2".into()],
            control: vec![false, true],
        }],
    }
}

/// What an update of a small project changed: kept with the record.
fn last_update() -> seglens_engine::analysis::update::Since {
    use seglens_engine::import::dataset::Dataset;
    let old = Dataset::from_orders(seglens_engine::Orders::from_rows(&[
        ("a".into(), 19_000, 10.0),
        ("b".into(), 19_010, 20.0),
    ]));
    let new =
        seglens_engine::Orders::from_rows(&[("a".into(), 19_050, 5.0), ("c".into(), 19_060, 7.0)]);
    let (data, report) = seglens_engine::analysis::update::merge(&old, &new, false).unwrap();
    seglens_engine::analysis::update::moves(
        &old,
        &data,
        &AnalysisOptions::default(),
        "april.csv",
        "2026-12-06",
        report,
    )
    .unwrap()
}

/// Replaces `IDBObjectStore.prototype.put` for the `tables` store with
/// `body` (which may call `orig.call(this, v, k)`); `restore_put` undoes it.
fn patch_put(body: &str) {
    js_sys::Function::new_no_args(&format!(
        "const orig = IDBObjectStore.prototype.put;
         globalThis.__seglensPut = orig;
         IDBObjectStore.prototype.put = function (v, k) {{
           if (this.name !== 'tables') return orig.call(this, v, k);
           {body}
         }};"
    ))
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
}

fn restore_put() {
    js_sys::Function::new_no_args("IDBObjectStore.prototype.put = globalThis.__seglensPut;")
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_full_disk_refuses_the_save_with_a_clear_message_and_keeps_the_previous_workspace() {
    let store = Store::open(&db_name()).await.unwrap();
    let table = sample_orders().encode();
    store.save(&record("before.csv"), &table).await.unwrap();
    // The record is written first in the same transaction; the table then
    // hits the quota.
    patch_put("throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');");
    let failed = store.save(&record("after.csv"), &[1, 2, 3]).await;
    restore_put();
    let err = failed.unwrap_err();
    assert_eq!(err, StorageError::QuotaExceeded);
    assert!(err.to_string().contains("Nothing was changed"), "{err}");
    let (rec, bytes) = store.load().await.unwrap().unwrap();
    assert_eq!(rec.source, "before.csv");
    assert_eq!(bytes, table);
}

#[wasm_bindgen_test]
async fn a_transaction_aborted_midway_keeps_the_previous_workspace() {
    let store = Store::open(&db_name()).await.unwrap();
    let table = sample_orders().encode();
    store.save(&record("before.csv"), &table).await.unwrap();
    // As when the tab closes or the browser gives up mid-write: the table's
    // write starts, then the transaction is aborted.
    patch_put("const r = orig.call(this, v, k); this.transaction.abort(); return r;");
    let failed = store.save(&record("after.csv"), &[9, 9, 9]).await;
    restore_put();
    assert!(failed.is_err());
    let (rec, bytes) = store.load().await.unwrap().unwrap();
    assert_eq!(rec.source, "before.csv");
    assert_eq!(bytes, table);
}

#[wasm_bindgen_test]
async fn empty_database_loads_nothing() {
    let store = Store::open(&db_name()).await.unwrap();
    assert_eq!(store.version(), DB_VERSION);
    assert_eq!(store.load().await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn save_then_load_in_a_new_connection() {
    let name = db_name();
    let table = sample_orders().encode();
    let store = Store::open(&name).await.unwrap();
    store.save(&record("orders.csv"), &table).await.unwrap();
    store.close();
    let again = Store::open(&name).await.unwrap();
    let (rec, bytes) = again.load().await.unwrap().unwrap();
    assert_eq!(rec, record("orders.csv"));
    assert_eq!(Orders::decode(&bytes).unwrap(), sample_orders());
    // A second save replaces the first.
    again.save(&record("second.csv"), &table).await.unwrap();
    assert_eq!(again.load().await.unwrap().unwrap().0.source, "second.csv");
}

#[wasm_bindgen_test]
async fn clear_deletes_everything() {
    let store = Store::open(&db_name()).await.unwrap();
    store
        .save(&record("a.csv"), &sample_orders().encode())
        .await
        .unwrap();
    store.clear().await.unwrap();
    assert_eq!(store.load().await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn upgrade_from_version_1() {
    let name = db_name();
    let old = Store::open_version(&name, 1).await.unwrap();
    assert_eq!(old.version(), 1);
    old.put_raw_record(
        r#"{"version":1,"source":"legacy.csv","is_demo":false,
            "rows":[["C1",19000,12.5],["C2",19001,30.0],["C1",19010,-2.5]]}"#,
    )
    .await
    .unwrap();
    old.close();

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.version(), DB_VERSION);
    let (rec, bytes) = store.load().await.unwrap().unwrap();
    assert_eq!(rec.version, RECORD_VERSION);
    assert_eq!(rec.source, "legacy.csv");
    assert_eq!(Orders::decode(&bytes).unwrap(), sample_orders());
    // The converted record was written back in the current layout.
    store.close();
    let reopened = Store::open(&name).await.unwrap();
    let (rec2, bytes2) = reopened.load().await.unwrap().unwrap();
    assert_eq!((rec2, bytes2), (rec, bytes));
}

#[wasm_bindgen_test]
async fn a_record_saved_before_segments_existed_loads_without_them() {
    let name = db_name();
    let store = Store::open(&name).await.unwrap();
    store
        .save(&record("orders.csv"), &sample_orders().encode())
        .await
        .unwrap();
    // The record as the previous release wrote it: no lifecycle, saved
    // segments or compared rows in its options.
    store
        .put_raw_record(
            r#"{"version":2,"source":"old.csv","is_demo":false,"report":null,"sources":[],
                "options":{"as_of":19100,"medium_risk_from":0.3,"low_risk_from":0.7},"goals":[]}"#,
        )
        .await
        .unwrap();
    let (rec, _) = store.load().await.unwrap().unwrap();
    assert_eq!(rec.source, "old.csv");
    assert_eq!(rec.options.as_of, Some(19_100));
    assert!(rec.options.segments.is_empty());
    assert_eq!(rec.options.lifecycle, None);
    assert_eq!(
        rec.options.rows,
        seglens_engine::segments::groups::Rows::Rfm
    );
}

#[wasm_bindgen_test]
async fn a_record_from_a_newer_version_is_refused_and_kept() {
    let name = db_name();
    let store = Store::open(&name).await.unwrap();
    let newer = r#"{"version":99,"source":"future.csv"}"#;
    store.put_raw_record(newer).await.unwrap();
    match store.load().await {
        Err(StorageError::Corrupt(message)) => assert!(message.contains("newer version")),
        other => panic!("{other:?}"),
    }
    // Nothing was overwritten: it is still refused the same way.
    assert!(matches!(store.load().await, Err(StorageError::Corrupt(_))));
}

#[wasm_bindgen_test]
async fn projects_live_side_by_side_and_one_is_deleted_alone() {
    let name = db_name();
    let store = Store::open(&name).await.unwrap();
    let table = sample_orders().encode();
    // The first project has the keys of the single workspace of version 2.
    store.save(&record("first.csv"), &table).await.unwrap();
    let second = Store::new_project_id();
    store.select(&second).await.unwrap();
    assert_eq!(store.load().await.unwrap(), None, "a new project is empty");
    store.save(&record("second.csv"), &[7, 7]).await.unwrap();
    let list = store.projects().await.unwrap();
    let names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["first.csv", "second.csv"]);
    assert!(list[1].bytes > 2 && list[0].bytes > list[1].bytes);
    // The selection is kept across connections.
    store.close();
    let again = Store::open(&name).await.unwrap();
    assert_eq!(again.project(), second);
    assert_eq!(again.load().await.unwrap().unwrap().0.source, "second.csv");
    again.delete_project(&second).await.unwrap();
    again
        .select(seglens_app::storage::FIRST_PROJECT)
        .await
        .unwrap();
    let (rec, bytes) = again.load().await.unwrap().unwrap();
    assert_eq!((rec.source.as_str(), bytes), ("first.csv", table));
    assert_eq!(again.projects().await.unwrap().len(), 1);
}

/// Runs `body`, JavaScript with `name` bound to the database's name, and
/// waits for the promise it returns.
async fn js(name: &str, body: &str) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue> {
    let f = js_sys::Function::new_with_args("name", body);
    let promise: js_sys::Promise = f
        .call1(&wasm_bindgen::JsValue::NULL, &name.into())
        .unwrap()
        .into();
    wasm_bindgen_futures::JsFuture::from(promise).await
}

/// Waits `ms` milliseconds.
async fn pause(ms: u32) {
    js(
        "",
        &format!("return new Promise(ok => setTimeout(ok, {ms}));"),
    )
    .await
    .unwrap();
}

#[wasm_bindgen_test]
async fn an_upgrade_waits_for_an_older_tab_says_so_and_goes_on_when_it_closes() {
    use seglens_app::storage::StoreEvent;
    use std::cell::RefCell;
    use std::rc::Rc;
    let name = db_name();
    // An older version of the app in another tab: version 1, and no
    // handler that lets an upgrade through.
    js(
        &name,
        "return new Promise((ok, no) => {
           const r = indexedDB.open(name, 1);
           r.onupgradeneeded = () => r.result.createObjectStore('workspace');
           r.onsuccess = () => { globalThis.__olderTab = r.result; ok(); };
           r.onerror = () => no(r.error);
         });",
    )
    .await
    .unwrap();
    let heard = Rc::new(RefCell::new(Vec::new()));
    let events = {
        let heard = heard.clone();
        Rc::new(move |e: StoreEvent| heard.borrow_mut().push(e))
    };
    let opened = Rc::new(RefCell::new(None));
    {
        let (name, opened) = (name.clone(), opened.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let store = Store::open_with(&name, DB_VERSION, events).await;
            *opened.borrow_mut() = Some(store);
        });
    }
    pause(300).await;
    assert_eq!(*heard.borrow(), vec![StoreEvent::Blocked]);
    assert!(
        opened.borrow().is_none(),
        "the upgrade went on while blocked"
    );
    // The other tab is closed: the upgrade goes on.
    js(
        &name,
        "globalThis.__olderTab.close(); return Promise.resolve();",
    )
    .await
    .unwrap();
    for _ in 0..50 {
        if opened.borrow().is_some() {
            break;
        }
        pause(20).await;
    }
    let store = opened.borrow_mut().take().expect("opened").unwrap();
    assert_eq!(store.version(), DB_VERSION);
    store
        .save(&record("after.csv"), &sample_orders().encode())
        .await
        .unwrap();
    assert_eq!(store.load().await.unwrap().unwrap().0.source, "after.csv");
}

#[wasm_bindgen_test]
async fn a_newer_tab_upgrading_closes_this_connection_and_nothing_more_is_saved_here() {
    use seglens_app::storage::StoreEvent;
    use std::cell::RefCell;
    use std::rc::Rc;
    let name = db_name();
    let heard = Rc::new(RefCell::new(Vec::new()));
    let events = {
        let heard = heard.clone();
        Rc::new(move |e: StoreEvent| heard.borrow_mut().push(e))
    };
    let store = Store::open_with(&name, DB_VERSION, events).await.unwrap();
    let table = sample_orders().encode();
    store.save(&record("before.csv"), &table).await.unwrap();
    // A newer version of the app opens the database at the next version:
    // it is not blocked, because this connection lets go.
    let version = js(
        &name,
        &format!(
            "return new Promise((ok, no) => {{
               const r = indexedDB.open(name, {});
               r.onblocked = () => no('blocked');
               r.onsuccess = () => {{ const v = r.result.version; r.result.close(); ok(v); }};
               r.onerror = () => no(r.error);
             }});",
            DB_VERSION + 1
        ),
    )
    .await
    .unwrap();
    assert_eq!(version.as_f64(), Some(f64::from(DB_VERSION + 1)));
    assert_eq!(*heard.borrow(), vec![StoreEvent::Replaced]);
    let refused = store.save(&record("after.csv"), &[1, 2, 3]).await;
    assert_eq!(refused, Err(StorageError::Replaced));
    assert!(
        refused.unwrap_err().to_string().contains("reload"),
        "the message says what to do"
    );
    // What was saved before is still there, for the newer tab.
    let stored = js(
        &name,
        "return new Promise((ok, no) => {
           const r = indexedDB.open(name);
           r.onsuccess = () => {
             const g = r.result.transaction('workspace').objectStore('workspace').get('current');
             g.onsuccess = () => { r.result.close(); ok(g.result); };
           };
           r.onerror = () => no(r.error);
         });",
    )
    .await
    .unwrap();
    assert!(stored.as_string().unwrap().contains("before.csv"));
}

#[wasm_bindgen_test]
async fn a_failed_upgrade_is_rolled_back_and_reported_and_the_data_stays() {
    let name = db_name();
    let store = Store::open(&name).await.unwrap();
    let table = sample_orders().encode();
    store.save(&record("kept.csv"), &table).await.unwrap();
    store.close();
    // A version this build has no upgrade step for: the upgrade fails.
    let failed = Store::open_version(&name, DB_VERSION + 1)
        .await
        .unwrap_err();
    assert!(
        matches!(&failed, StorageError::Upgrade(m) if m.contains(&format!("no upgrade step from version {DB_VERSION}"))),
        "{failed:?}"
    );
    assert!(
        failed.to_string().contains("left exactly as they were"),
        "{failed}"
    );
    // Rolled back: still at the old version, with its stores and data.
    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.version(), DB_VERSION);
    let (rec, bytes) = store.load().await.unwrap().unwrap();
    assert_eq!(rec.source, "kept.csv");
    assert_eq!(bytes, table);
}
