//! The pages reach the browser only through the adapters: no page folder
//! (nor the frame around them) calls the window, the document, the
//! browser's storage, its clock or its console itself.

use std::path::Path;

/// The folders of the pages and of the frame.
const PAGES: [&str; 10] = [
    "data", "projects", "overview", "segments", "compare", "journeys", "predict", "act",
    "settings", "shell",
];

/// What calling the browser directly looks like.
const BROWSER_CALLS: [&str; 7] = [
    "web_sys::window(",
    "js_sys::Date",
    "web_sys::console",
    "local_storage(",
    "session_storage(",
    ".document()",
    "indexed_db(",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_pages_reach_the_browser_only_through_the_adapters() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for page in PAGES {
        rust_files(&src.join(page), &mut files);
    }
    assert!(files.len() >= 40, "only {} page files found", files.len());
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for call in BROWSER_CALLS {
                if line.contains(call) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "browser calls outside the adapters:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_adapters_do_call_the_browser() {
    // The patterns above are the ones the adapters use: were they to
    // change, the test above would pass on anything.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let adapters: String = ["browser.rs", "storage.rs", "theme.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(src.join(f)).unwrap())
        .collect();
    for call in [
        "web_sys::window(",
        "js_sys::Date",
        "web_sys::console",
        "local_storage(",
        ".document()",
    ] {
        assert!(adapters.contains(call), "no adapter calls {call}");
    }
}
