//! JSON lines (one object per line, as event and e-mail tools export
//! them), read as a table: the keys of the first objects are the columns,
//! and each line becomes one comma-separated row on the same line, so that
//! every message names the file's own line. The importers write a header
//! of the keys as line 0.
//!
//! Values: text as is, numbers as written, `true`/`false`, `null` as an
//! empty cell, a list of plain values joined with `;` (tags, interests),
//! anything else as its JSON text. A line that is not a JSON object is a
//! row error. Keys that first appear after the sample are not read.

use crate::model::fault::Fault;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// A JSON object with its keys in the order written (`serde_json`'s map
/// sorts them).
struct Object(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Object(entries))
            }
        }
        d.deserialize_map(ObjectVisitor)
    }
}

impl Object {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// True when the first line that is not blank starts with `{`.
pub(crate) fn looks_like_json_lines(text: &[u8]) -> bool {
    text.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{')
        && text
            .split(|b| *b == b'\n')
            .find(|l| !l.iter().all(u8::is_ascii_whitespace))
            .is_some_and(|l| serde_json::from_slice::<Object>(l).is_ok())
}

/// The keys of the objects of `sample`, in order of first appearance;
/// unless `whole`, its last line (perhaps cut) is left out.
pub fn keys(sample: &[u8], whole: bool) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let complete = match sample.iter().rposition(|b| *b == b'\n') {
        Some(end) if !whole => &sample[..end],
        _ => sample,
    };
    for line in complete.split(|b| *b == b'\n') {
        if let Ok(object) = serde_json::from_slice::<Object>(line) {
            for (k, _) in object.0 {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    keys
}

/// The header row of `keys`, with its line break.
pub fn header(keys: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        crate::import::delimited::push_csv_field(&mut out, k);
    }
    out.push(b'\n');
    out
}

/// Turns JSON lines into rows, a line at a time, carrying a partial last
/// line over to the next chunk.
#[derive(Debug)]
pub struct Converter {
    keys: Vec<String>,
    carry: Vec<u8>,
    /// The line the carried text starts on.
    line: u64,
    /// Lines that are not JSON objects: `(line, why)`.
    pub errors: Vec<(u64, Fault)>,
    /// How many such lines there were (only the first few are listed).
    pub error_count: u64,
}

/// The most line errors listed.
const MAX_ERRORS: usize = 10_000;

impl Converter {
    /// A converter for these columns, from line 1.
    pub fn new(keys: Vec<String>) -> Self {
        Converter {
            keys,
            carry: Vec::new(),
            line: 1,
            errors: Vec::new(),
            error_count: 0,
        }
    }

    /// Converts the whole lines of `chunk` (after what was carried),
    /// appending rows to `out`; `eof` converts the last line too.
    pub fn push(&mut self, chunk: &[u8], eof: bool, out: &mut Vec<u8>) {
        self.carry.extend_from_slice(chunk);
        let carry = std::mem::take(&mut self.carry);
        let end = if eof {
            carry.len()
        } else {
            match carry.iter().rposition(|b| *b == b'\n') {
                Some(i) => i + 1,
                None => {
                    self.carry = carry;
                    return;
                }
            }
        };
        for line in carry[..end].split_inclusive(|b| *b == b'\n') {
            self.convert(line, out);
            self.line += 1;
        }
        self.carry = carry[end..].to_vec();
    }

    fn convert(&mut self, raw: &[u8], out: &mut Vec<u8>) {
        let body = raw.strip_suffix(b"\n").unwrap_or(raw);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        if body.iter().all(u8::is_ascii_whitespace) {
            out.push(b'\n');
            return;
        }
        match serde_json::from_slice::<Object>(body) {
            Ok(object) => {
                for (i, k) in self.keys.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    crate::import::delimited::push_csv_field(out, &cell(object.get(k)));
                }
            }
            Err(_) if serde_json::from_slice::<Value>(body).is_ok() => {
                self.error(Fault::JsonNotObject)
            }
            Err(e) => self.error(Fault::NotJson { at: e.column() }),
        }
        out.push(b'\n');
    }

    fn error(&mut self, reason: Fault) {
        self.error_count += 1;
        if self.errors.len() < MAX_ERRORS {
            self.errors.push((self.line, reason));
        }
    }
}

/// Converts a whole JSON-lines text: the header then the rows.
pub fn to_rows(text: &[u8]) -> (Vec<u8>, Converter) {
    let sample = &text[..text.len().min(64 * 1024)];
    let mut converter = Converter::new(keys(sample, sample.len() == text.len()));
    let mut out = header(&converter.keys);
    converter.push(text, true, &mut out);
    (out, converter)
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(items)) if items.iter().all(|x| !x.is_array() && !x.is_object()) => items
            .iter()
            .map(|x| cell(Some(x)))
            .collect::<Vec<_>>()
            .join(";"),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = concat!(
        "{\"customer\": \"c1\", \"date\": \"2024-01-02\", \"amount\": 40.35, \"tags\": [\"a\", \"b\"]}\n",
        "\n",
        "{\"customer\": \"c2\", \"amount\": -3, \"date\": \"2024-01-03\", \"note\": \"x, \\\"y\\\"\"}\n",
        "not json\n",
        "[1, 2]\n",
        "{\"customer\": null, \"date\": \"2024-01-04\", \"amount\": 1e2, \"extra\": {\"k\": 1}}"
    );

    #[test]
    fn lines_become_rows_on_the_same_lines() {
        assert!(looks_like_json_lines(FILE.as_bytes()));
        assert!(!looks_like_json_lines(b"customer,date\n{x}\n"));
        let (rows, c) = to_rows(FILE.as_bytes());
        let text = String::from_utf8(rows).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines[0], "customer,date,amount,tags,note,extra");
        assert_eq!(lines[1], "c1,2024-01-02,40.35,a;b,,");
        assert_eq!(lines[2], "");
        assert_eq!(lines[3], "c2,2024-01-03,-3,,\"x, \"\"y\"\"\",");
        // Lines 4 and 5 are errors, kept as blank lines.
        assert_eq!(lines[4], "");
        assert_eq!(lines[5], "");
        assert_eq!(lines[6], ",2024-01-04,100.0,,,\"{\"\"k\"\":1}\"");
        assert_eq!(c.error_count, 2);
        assert_eq!(c.errors[0].0, 4);
        assert_eq!(
            c.errors[0].1.to_string(),
            "the line is not JSON: it should be one object such as {\"customer_id\": \"C1\", …} and goes wrong at character 2"
        );
        assert_eq!(c.errors[1], (5, Fault::JsonNotObject));
        assert_eq!(
            c.errors[1].1.to_string(),
            "the line is JSON but not an object"
        );
    }

    #[test]
    fn chunks_split_anywhere_give_the_same_rows() {
        let keys = keys(FILE.as_bytes(), true);
        let mut whole = Vec::new();
        Converter::new(keys.clone()).push(FILE.as_bytes(), true, &mut whole);
        for size in [1, 2, 3, 7, 50] {
            let mut c = Converter::new(keys.clone());
            let mut out = Vec::new();
            for chunk in FILE.as_bytes().chunks(size) {
                c.push(chunk, false, &mut out);
            }
            c.push(&[], true, &mut out);
            assert_eq!(out, whole, "chunks of {size}");
            assert_eq!(c.error_count, 2);
        }
    }
}
