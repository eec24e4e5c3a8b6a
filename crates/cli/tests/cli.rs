//! The `seglens` binary as a user runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn seglens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seglens"))
        .args(args)
        .output()
        .expect("seglens runs")
}

fn shared(name: &str) -> String {
    format!(
        "{}/../../../shared/datasets/cdnow/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A folder of a test's files, removed when the test ends.
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = PathBuf;

    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("seglens-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

#[test]
fn rfm_prints_the_documented_columns_in_csv_and_json() {
    let dir = temp_dir("rfm");
    let file = dir.join("orders.csv");
    std::fs::write(
        &file,
        "customer_id,order_date,amount\na,2024-01-01,10\na,2024-01-10,20\nb,2024-01-05,-5\nb,2024-01-04,50\n",
    )
    .unwrap();
    let out = seglens(&[
        "rfm",
        "--orders",
        file.to_str().unwrap(),
        "--as-of",
        "2024-01-11",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "customer_id,recency_days,frequency,monetary,r,f,m,rfm_score,segment"
    );
    assert!(lines[1].starts_with("a,1,2,30.00,"), "{}", lines[1]);
    assert!(lines[2].starts_with("b,7,1,45.00,"), "{}", lines[2]);

    let out = seglens(&[
        "rfm",
        "--orders",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Without --as-of: the day after the last order (refunds excluded).
    assert_eq!(rows[0]["recency_days"], 1);
    assert_eq!(rows[1]["monetary"], 45.0);
    assert_eq!(rows.as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_fails_with_a_message() {
    let dir = temp_dir("bad");
    let empty = dir.join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    for (args, message) in [
        (
            vec!["rfm", "--orders", empty.to_str().unwrap()],
            "empty.csv is empty",
        ),
        (
            vec!["rfm", "--orders", "/no/such/file.csv"],
            "/no/such/file.csv",
        ),
        (
            vec![
                "rfm",
                "--orders",
                empty.to_str().unwrap(),
                "--as-of",
                "2024-02-30",
            ],
            "\"2024-02-30\" is not a date",
        ),
        (
            vec![
                "rfm",
                "--orders",
                empty.to_str().unwrap(),
                "--map",
                "colour=2",
            ],
            "unknown role",
        ),
    ] {
        let out = seglens(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let out = seglens(&["rfm", "--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--as-of"));
}

#[test]
fn rfm_on_a_messy_file_equals_rfm_on_its_clean_copy() {
    let dir = temp_dir("messy");
    let clean = dir.join("clean.csv");
    let messy = dir.join("messy.csv");
    std::fs::write(
        &clean,
        "customer_id,order_date,amount\nA,2024-03-01,1234.5\nB,2024-03-02,12\nA,2024-03-05,-3.5\n",
    )
    .unwrap();
    let messy_text = "Client;Date de commande;Montant TTC\r\nA;01/03/2024;1 234,50 €\r\nB;02/03/2024;12,00 €\r\nA;05/03/2024;(3,50)\r\n";
    let bytes: Vec<u8> = messy_text
        .chars()
        .map(|c| if c == '€' { 0x80 } else { c as u8 })
        .collect();
    std::fs::write(&messy, bytes).unwrap();
    let a = seglens(&["rfm", "--orders", clean.to_str().unwrap()]);
    let b = seglens(&["rfm", "--orders", messy.to_str().unwrap()]);
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn clv_on_the_cdnow_sample_reproduces_the_published_figures() {
    let out = seglens(&[
        "clv",
        "--orders",
        &shared("CDNOW_sample.txt"),
        "--map",
        "customer_id=2",
        "--map",
        "date=3",
        "--map",
        "amount=5",
        "--calibration-end",
        "1997-09-30",
        "--unit",
        "weeks",
        "--horizon",
        "39",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let near = |v: &serde_json::Value, want: f64, rel: f64| {
        let got = v.as_f64().unwrap();
        ((got - want) / want).abs() <= rel
    };
    let bg = &doc["bgnbd"];
    assert!(near(&bg["r"], 0.2426, 0.001), "{bg}");
    assert!(near(&bg["alpha"], 4.4135, 0.001), "{bg}");
    assert!(near(&bg["a"], 0.7929, 0.001), "{bg}");
    assert!(near(&bg["b"], 2.4258, 0.001), "{bg}");
    assert!((bg["log_likelihood"].as_f64().unwrap() + 9582.43).abs() < 0.01);
    let gg = &doc["gamma_gamma"];
    assert!(near(&gg["p"], 6.25, 0.005) && near(&gg["q"], 3.74, 0.005));
    assert!(near(&gg["gamma"], 15.44, 0.005), "{gg}");
    let one = doc["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["customer_id"] == "0001")
        .unwrap();
    assert!((one["expected_purchases"].as_f64().unwrap() - 1.226).abs() < 0.0005);
    assert!((one["p_alive"].as_f64().unwrap() - 0.727).abs() < 0.0005);
    for key in ["frequency", "recency", "T", "monetary", "clv"] {
        assert!(one.get(key).is_some(), "{key}");
    }
}

#[test]
fn inspect_reports_what_was_understood_as_json() {
    let out = seglens(&[
        "inspect",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/commandes-fr.csv"
        ),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["encoding"], "Windows-1252");
    assert_eq!(doc["delimiter"], ";");
    assert_eq!(doc["has_header"], true);
    assert_eq!(doc["decimal_separator"], ",");
    assert_eq!(doc["currency"], "EUR");
    assert_eq!(doc["date_format"], "dd/mm/yyyy");
    assert_eq!(doc["rows"], 108);
    let rejected = doc["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["line"], 110);
    assert_eq!(rejected[0]["column"], "Date de commande");
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not a real day")
    );
    let columns = doc["columns"].as_array().unwrap();
    let col = |i: usize| {
        (
            columns[i]["name"].as_str().unwrap(),
            columns[i]["type"].as_str().unwrap(),
            columns[i]["role"].clone(),
        )
    };
    assert_eq!(col(1), ("Client", "text", serde_json::json!("customer_id")));
    assert_eq!(
        col(2),
        ("Date de commande", "date", serde_json::json!("date"))
    );
    assert_eq!(
        col(3),
        ("Montant TTC", "number", serde_json::json!("amount"))
    );
    assert_eq!(col(4), ("Ville", "text", serde_json::Value::Null));
}

#[test]
fn kpis_prints_one_row_per_segment_and_says_what_is_missing() {
    let dir = temp_dir("kpis");
    let orders = dir.join("orders.csv");
    std::fs::write(
        &orders,
        "customer_id,order_date,amount\na,2024-01-01,10\na,2024-03-01,20\nb,2024-02-01,5\n",
    )
    .unwrap();
    let out = seglens(&[
        "kpis",
        "--orders",
        orders.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = rows.as_array().unwrap().last().unwrap();
    assert_eq!(all["segment"], "All customers");
    assert_eq!(all["customers"]["value"], 2.0);
    assert_eq!(all["revenue"]["value"], 35.0);
    assert_eq!(all["repeat_rate"]["value"], 0.5);
    assert!(
        all["nps"]["missing"]
            .as_str()
            .unwrap()
            .contains("survey file")
    );
    assert!(all["open_rate"]["value"].is_null());
}

#[test]
fn a_project_file_stands_in_for_the_order_file_with_its_rfm_setup() {
    use seglens_engine::analysis::AnalysisOptions;
    use seglens_engine::import::dataset::Dataset;
    use seglens_engine::import::orders::Orders;
    use seglens_engine::segments::rfm::{Bins, RfmConfig, RfmSetup, three_level_rules};
    use seglens_engine::store::project::Project;

    let data = Dataset::from_orders(Orders::from_rows(&[
        ("a".into(), 19_000, 10.0),
        ("b".into(), 19_010, 20.0),
        ("b".into(), 19_020, 30.0),
    ]));
    let options = AnalysisOptions {
        rfm: RfmSetup {
            config: RfmConfig {
                recency: Bins::Quantiles(3),
                frequency: Bins::Quantiles(3),
                monetary: Bins::Quantiles(3),
            },
            rules: three_level_rules(),
        },
        ..AnalysisOptions::default()
    };
    let record = serde_json::json!({ "version": 2, "source": "o.csv", "options": options });
    let bytes = Project {
        record_json: record.to_string(),
        data: data.encode(),
    }
    .encode();
    let dir = temp_dir("project");
    let file = dir.join("p.seglens");
    std::fs::write(&file, &bytes).unwrap();
    let out = seglens(&["rfm", "--workspace", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let names = [
        "Champions",
        "Loyal",
        "Recent",
        "Needs Attention",
        "At Risk",
        "Inactive",
        "Others",
    ];
    for line in text.lines().skip(1) {
        let segment = line.rsplit(',').next().unwrap();
        assert!(names.contains(&segment), "{line}");
    }
    // `sql` writes the project's own RFM setup (three bins, its rules).
    let out = seglens(&["sql", "--workspace", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let query = String::from_utf8(out.stdout).unwrap();
    assert!(
        query.contains("THEN 'Inactive'") && query.contains("FROM orders"),
        "{query}"
    );
    assert!(
        query.contains("rec_b2") && !query.contains("rec_b3"),
        "three bins: {query}"
    );
    // Two customers are too few for the spend model: the project's orders
    // were read, and the model says why it cannot be fitted.
    let out = seglens(&["clv", "--workspace", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err
                .contains("the spend model needs at least two customers who bought more than once"),
        "{err}"
    );
    let mut damaged = bytes.clone();
    let last = damaged.len() - 2;
    damaged[last] ^= 1;
    std::fs::write(&file, &damaged).unwrap();
    let out = seglens(&["rfm", "--workspace", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged"));
}

#[test]
fn segment_prints_the_selected_ids_and_names_what_is_wrong_in_a_rule() {
    let dir = temp_dir("segment");
    let orders = dir.join("orders.csv");
    std::fs::write(
        &orders,
        "customer_id,order_date,amount\na,2024-01-01,10\na,2024-05-01,20\nb,2024-05-20,50\n",
    )
    .unwrap();
    let customers = dir.join("customers.csv");
    std::fs::write(&customers, "customer_id,city\na,Lyon\nb,Paris\nc,Lyon\n").unwrap();
    let rule = dir.join("rule.json");
    // Lyon customers with no order in the 30 days before 1 June: a (last
    // order 1 May) and c (none).
    std::fs::write(
        &rule,
        r#"{"all":[{"attribute":"city","equals":"lyon"},{"measure":"orders","days":30,"at_most":0}]}"#,
    )
    .unwrap();
    let args = |extra: &[&str]| {
        let mut v = vec![
            "segment",
            "--orders",
            orders.to_str().unwrap(),
            "--customers",
            customers.to_str().unwrap(),
            "--as-of",
            "2024-06-01",
            "--rule",
            rule.to_str().unwrap(),
        ];
        v.extend_from_slice(extra);
        v.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| seglens(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let out = run(args(&[]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a\nc\n");
    let out = run(args(&["--count"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n");

    std::fs::write(&rule, r#"{"all":[{"attribute":"town","equals":"Lyon"}]}"#).unwrap();
    let out = run(args(&[]));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "rule.json: at rule.all[0]: the customers file has no column \"town\" (it has: city)"
        ),
        "{err}"
    );
    std::fs::write(
        &rule,
        "{\"all\": [\n  {\"measure\": \"orders\", \"at_least\": }\n]}",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&run(args(&[])).stderr).to_string();
    assert!(err.contains("not valid JSON (line 2, column"), "{err}");
}

#[test]
fn kpis_of_segments_given_as_rules() {
    let dir = temp_dir("kpis-segments");
    let orders = dir.join("orders.csv");
    std::fs::write(
        &orders,
        "customer_id,order_date,amount\na,2024-01-01,10\na,2024-02-01,30\nb,2024-01-05,50\nc,2024-01-09,7\n",
    )
    .unwrap();
    let customers = dir.join("customers.csv");
    std::fs::write(&customers, "customer_id,city\na,Lyon\nb,Paris\nc,lyon\n").unwrap();
    let segments = dir.join("segments.json");
    std::fs::write(
        &segments,
        r#"[{"name": "Lyon", "rule": {"attribute": "city", "equals": "Lyon"}}]"#,
    )
    .unwrap();
    let out = seglens(&[
        "kpis",
        "--orders",
        orders.to_str().unwrap(),
        "--customers",
        customers.to_str().unwrap(),
        "--segments",
        segments.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Lyon: a and c, 2 customers, revenue 10 + 30 + 7 = 47, 3 orders.
    assert_eq!(rows[0]["segment"], "Lyon");
    assert_eq!(rows[0]["customers"]["value"], 2.0);
    assert_eq!(rows[0]["revenue"]["value"], 47.0);
    assert_eq!(rows[0]["orders_per_customer"]["value"], 1.5);
    assert_eq!(rows[1]["segment"], "All customers");
    assert_eq!(rows[1]["revenue"]["value"], 97.0);
    std::fs::write(&segments, r#"[{"name": "Lyon"}]"#).unwrap();
    let out = seglens(&[
        "kpis",
        "--orders",
        orders.to_str().unwrap(),
        "--segments",
        segments.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("segment Lyon: expected a \"rule\""));
}

#[test]
fn encoding_chosen_on_the_command_line() {
    let dir = temp_dir("encoding");
    let file = dir.join("orders.csv");
    // UTF-8 bytes of "Élodie": detected as UTF-8, or read as Windows-1252
    // when asked.
    std::fs::write(&file, "client;date;montant\nÉlodie;2024-01-02;10\n").unwrap();
    let path = file.to_str().unwrap();
    let first = |out: Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert!(first(seglens(&["rfm", "--orders", path])).starts_with("Élodie,"));
    assert!(
        first(seglens(&["rfm", "--orders", path, "--encoding", "cp1252"])).starts_with("Ã‰lodie,")
    );
    let json = seglens(&[
        "inspect",
        path,
        "--format",
        "json",
        "--encoding",
        "windows-1252",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["encoding"], "Windows-1252");
    assert_eq!(v["encoding_chosen"], true);
    let bad = seglens(&["rfm", "--orders", path, "--encoding", "ebcdic"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an encoding SegLens reads"));
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly_and_a_full_disk_does_not() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = temp_dir("pipe");
    let status = seglens(&["demo", "--out", dir.to_str().unwrap()]).status;
    assert!(status.success());
    let orders = dir.join("orders.csv");
    // As `| head -c 64` does: read a little, then close the pipe.
    for format in ["csv", "json"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_seglens"))
            .args([
                "clv",
                "--orders",
                orders.to_str().unwrap(),
                "--format",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("seglens runs");
        let mut head = [0u8; 64];
        child.stdout.take().unwrap().read_exact(&mut head).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{format}: {:?}", out.status);
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
    }
    // Another write error is one.
    if std::path::Path::new("/dev/full").exists() {
        let out = Command::new(env!("CARGO_BIN_EXE_seglens"))
            .args(["rfm", "--orders", orders.to_str().unwrap()])
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .starts_with("seglens: the output could not be written"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
