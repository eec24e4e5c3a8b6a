//! The engine's shape, checked: its folders are layered (a folder uses only
//! itself and the folders below it), no two of its modules use each other
//! even through others, no source file is over 1,000 lines, and every
//! public function is one another crate calls.
//!
//! A module here is a file or folder directly inside a concern's folder
//! (`import/orders/` with all its files is one module); a concern's own
//! `mod.rs` is a module of its own. Test code is left out: a test may use
//! anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The concerns from the bottom up; a concern may use those before it.
const LAYERS: &[&[&str]] = &[
    &["model", "stats"],
    &["import"],
    &["store", "models"],
    &["metrics"],
    &["journeys"],
    &["segments"],
    &["export"],
    &["analysis"],
];

const MAX_LINES: usize = 1_000;

struct File {
    /// The module path, e.g. `["import", "orders", "builder"]`.
    module: Vec<String>,
    /// The code without its test module.
    code: String,
    lines: usize,
    path: PathBuf,
}

fn files(dir: &Path, root: &Path, out: &mut Vec<File>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, root, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let relative = path.strip_prefix(root).unwrap().with_extension("");
        let mut module: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "mod" || m == "lib") {
            module.pop();
        }
        let is_tests = module.last().is_some_and(|m| m == "tests");
        let code = if is_tests {
            String::new()
        } else {
            // The test module and the attribute that gates it.
            match text.find("\nmod tests {") {
                Some(at) => {
                    let start = text[..at].rfind("\n#[cfg(").unwrap_or(at);
                    text[..start].to_string()
                }
                None => text.clone(),
            }
        };
        out.push(File {
            module,
            code,
            lines: text.lines().count(),
            path,
        });
    }
}

/// Every path the code names after `crate::` (or `super::`, made absolute),
/// with `{a, b::c}` groups expanded.
fn paths(file: &File) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let code = strip_comments(&file.code);
    let bytes = code.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &code[at..];
        let (prefix, start) = if rest.starts_with("crate::") {
            (Vec::new(), 7)
        } else if rest.starts_with("super::") {
            // `super` of a module's own file: its parent; of a `mod.rs`,
            // the folder's parent.
            let mut parent = file.module.clone();
            let is_folder = file.path.file_name().is_some_and(|n| n == "mod.rs");
            if !is_folder || !parent.is_empty() {
                parent.pop();
            }
            (parent, 7)
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            at += start;
            continue;
        }
        let (used, len) = parse_tree(&code[at + start..], prefix);
        found.extend(used);
        at += start + len.max(1);
    }
    found
}

fn strip_comments(code: &str) -> String {
    code.lines()
        .map(|l| match l.trim_start().starts_with("//") {
            true => "",
            false => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads `a::b::{c, d::e}` from the start of `text`: the paths it names
/// and how many bytes it took.
fn parse_tree(text: &str, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix;
    let mut i = 0;
    let b = text.as_bytes();
    loop {
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        if i > start {
            path.push(text[start..i].to_string());
        }
        if text[i..].starts_with("::{") {
            i += 3;
            let mut all = Vec::new();
            loop {
                while i < b.len() && (b[i] as char).is_whitespace() {
                    i += 1;
                }
                if i >= b.len() || b[i] == b'}' {
                    i += 1;
                    break;
                }
                let (inner, len) = parse_tree(&text[i..], path.clone());
                all.extend(inner);
                i += len;
                while i < b.len() && (b[i] as char).is_whitespace() {
                    i += 1;
                }
                if i < b.len() && b[i] == b',' {
                    i += 1;
                }
            }
            return (all, i);
        }
        if text[i..].starts_with("::") && i > start {
            i += 2;
            continue;
        }
        if text[i..].starts_with('*') {
            i += 1;
        }
        if text[i..].starts_with(" as ") {
            i += 4;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
        }
        if path.last().is_some_and(|p| p == "self") {
            path.pop();
        }
        return (vec![path], i);
    }
}

/// The module a file belongs to: its concern and the file or folder
/// directly inside the concern (`None` for the crate root).
fn unit_of(module: &[String]) -> Option<String> {
    match module {
        [] => None,
        [concern] => Some(concern.clone()),
        [concern, child, ..] => Some(format!("{concern}::{child}")),
    }
}

fn layer(concern: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&concern))
        .unwrap_or_else(|| panic!("the folder {concern} has no layer: add it to LAYERS"))
}

#[test]
fn the_engine_is_layered_acyclic_and_in_short_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&root, &root, &mut all);
    assert!(all.len() > 40, "the engine's files were not found");

    let modules: BTreeSet<Vec<String>> = all.iter().map(|f| f.module.clone()).collect();
    // Where each item is defined, for names reached through a folder's
    // re-exports (`crate::segments::Facts`) or the crate root's.
    let mut defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &all {
        let Some(unit) = unit_of(&f.module) else {
            continue;
        };
        for line in f.code.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = match words.first() {
                Some(w) if w.starts_with("pub") => 1,
                _ => 0,
            };
            if let [kind, name, ..] = &words[at.min(words.len())..]
                && ["struct", "enum", "fn", "type", "const", "static", "trait"].contains(kind)
            {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                defined.entry(name).or_default().insert(unit.clone());
            }
        }
    }

    let mut problems = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &all {
        if f.lines > MAX_LINES {
            problems.push(format!(
                "{} has {} lines (at most {MAX_LINES})",
                f.path.display(),
                f.lines
            ));
        }
        let Some(from) = unit_of(&f.module) else {
            continue;
        };
        let from_concern = &f.module[0];
        for path in paths(f) {
            // The longest prefix that is a module, then the unit it is in.
            let mut known = path.len();
            while known > 0 && !modules.contains(&path[..known]) {
                known -= 1;
            }
            let to = if known >= 2 {
                unit_of(&path[..known])
            } else {
                // A concern's root or the crate root: the item's own module
                // when one module of that concern (or any) defines it.
                let name = path.get(known).cloned().unwrap_or_default();
                let concern = path.first().filter(|_| known == 1);
                let owners: Vec<&String> = defined
                    .get(&name)
                    .into_iter()
                    .flatten()
                    .filter(|u| concern.is_none_or(|c| u.split("::").next() == Some(c)))
                    .collect();
                match owners.as_slice() {
                    [one] => Some((*one).clone()),
                    _ => concern.cloned(),
                }
            };
            let Some(to) = to else { continue };
            if to == from {
                continue;
            }
            let to_concern = to.split("::").next().unwrap().to_string();
            if to_concern != *from_concern && layer(&to_concern) >= layer(from_concern) {
                problems.push(format!(
                    "{} ({from_concern}) uses {} ({to_concern}), which is not below it",
                    f.path.display(),
                    path.join("::")
                ));
            }
            edges.entry(from.clone()).or_default().insert(to);
        }
    }

    // Cycles: a module that reaches itself.
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    let mut cycle = trail.clone();
                    cycle.push(start.clone());
                    problems.push(format!("import cycle: {}", cycle.join(" → ")));
                } else if seen.insert(next.clone()) {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself: a layer broken and a cycle made are both found.
#[test]
fn the_checker_reads_grouped_and_relative_paths() {
    let file = File {
        module: vec!["segments".into(), "definition".into()],
        code: "use crate::segments::{cluster::{self, ClusterSetup}, lifecycle::Stage};\n\
               use super::Facts;\nfn f() { crate::model::date::format_iso(1); }\n"
            .into(),
        lines: 3,
        path: PathBuf::from("segments/definition.rs"),
    };
    let found: Vec<String> = paths(&file).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        found,
        [
            "segments::cluster",
            "segments::cluster::ClusterSetup",
            "segments::lifecycle::Stage",
            "segments::Facts",
            "model::date::format_iso",
        ]
    );
    assert_eq!(
        unit_of(&["import".into(), "orders".into(), "builder".into()]),
        Some("import::orders".into())
    );
    assert!(layer("segments") > layer("journeys"));
}

/// The text of every Rust file under `dir`, build outputs aside.
fn sources(dir: &Path, out: &mut String) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.map(|e| e.unwrap().path()) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | "node_modules" | "dist") {
                sources(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
            out.push('\n');
        }
    }
}

/// The functions a file makes public at module level, outside test code.
fn public_functions(file: &File) -> Vec<String> {
    let lines: Vec<&str> = file.code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line
            .strip_prefix("pub fn ")
            .or_else(|| line.strip_prefix("pub const fn "))
        else {
            continue;
        };
        let for_tests = lines[..i]
            .iter()
            .rev()
            .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
            .any(|l| l.starts_with("#[cfg(test)]") || l.starts_with("#[cfg(all(test"));
        if !for_tests {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

fn names(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let word = |c: char| c.is_alphanumeric() || c == '_';
        !text[..at].chars().next_back().is_some_and(word)
            && !text[at + name.len()..].chars().next().is_some_and(word)
    })
}

/// The engine's public functions are those another crate calls: the page,
/// the command line, the charts, the fuzzer, the benches or the engine's
/// integration tests. A function only the engine calls is `pub(crate)`,
/// so that the public surface is what the other crates need, and dead
/// code shows as such.
#[test]
fn every_public_function_of_the_engine_is_called_by_another_crate() {
    let engine = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = engine.join("src");
    let mut all = Vec::new();
    files(&root, &root, &mut all);
    let workspace = engine.join("../..");
    let mut others = String::new();
    for dir in ["src", "tests", "crates/cli", "crates/charts", "fuzz"] {
        sources(&workspace.join(dir), &mut others);
    }
    sources(&engine.join("tests"), &mut others);
    sources(&engine.join("benches"), &mut others);
    assert!(
        names(&others, "analyse") && names(&others, "sheet_rows"),
        "the other crates' sources were not found"
    );

    let mut public = 0;
    let mut unused = Vec::new();
    for f in &all {
        for name in public_functions(f) {
            public += 1;
            if !names(&others, &name) {
                unused.push(format!("{} in {}", name, f.path.display()));
            }
        }
    }
    assert!(public > 100, "only {public} public functions found");
    assert!(
        unused.is_empty(),
        "public functions no other crate calls (make them pub(crate), or remove them):\n{}",
        unused.join("\n")
    );
}

#[test]
fn the_surface_check_reads_whole_names_and_leaves_test_helpers_out() {
    assert!(names("x = engine::analyse(&d);", "analyse"));
    assert!(!names("x = analyse_steps(&d);", "analyse"));
    assert!(!names("x = re_analyse(&d);", "analyse"));
    let file = File {
        module: vec!["export".into()],
        code: "/// Doc.\npub fn kept() {}\n#[cfg(test)]\npub(crate) fn helper() {}\n\
               /// Doc.\n#[cfg(test)]\npub fn for_tests() {}\nimpl A {\n    pub fn method() {}\n}\n\
               pub const fn also() {}\npub(crate) fn inner() {}\n"
            .into(),
        lines: 10,
        path: PathBuf::from("export/mod.rs"),
    };
    assert_eq!(public_functions(&file), ["kept", "also"]);
}
