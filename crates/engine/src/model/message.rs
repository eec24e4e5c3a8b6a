//! What the engine tells its user (why a segment cannot be counted, why a
//! workbook cannot be read, how a split made its groups), as data: a
//! [`Message`] is a catalogue key and named values, never a sentence.
//!
//! The sentences are in the catalogue, `locales/engine.en.txt` and
//! `locales/engine.fr.txt` (`key = text`, one per line, `{name}` for a
//! value, `key.one` and `key.other` for the two plural forms of a count
//! named `n`). A front end writes a message with [`write()`] and its own
//! language's catalogue and numbers; `Display` writes it in English, as the
//! command line prints it.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A sentence of the engine, as its key and its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The catalogue key (`engine.…`).
    pub key: Cow<'static, str>,
    /// The values of the text's `{placeholders}`, by name.
    pub values: Vec<(Cow<'static, str>, Value)>,
}

/// A value a message carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    /// Words of the user's data (a column's or a file's name, a list of
    /// them): written as they are, in every language.
    Text(String),
    /// A count, written as the language writes whole numbers.
    Count(u64),
    /// A number with `places` decimals.
    Number(f64, u8),
    /// Words of the engine (a measure's name, a cause): another message.
    Message(Box<Message>),
}

impl Message {
    /// The message `key` (`engine.…`), with no value yet.
    pub const fn new(key: &'static str) -> Self {
        Message {
            key: Cow::Borrowed(key),
            values: Vec::new(),
        }
    }

    /// The message with `value` for its `{name}`.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.values.push((Cow::Borrowed(name), value.into()));
        self
    }

    /// The value named `name`, if the message has one.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Text(text.to_string())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Text(text)
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Value::Text(text.clone())
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Count(n)
    }
}

impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Count(n as u64)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Count(u64::from(n))
    }
}

impl From<Message> for Value {
    fn from(m: Message) -> Self {
        Value::Message(Box::new(m))
    }
}

/// How a language writes messages: its catalogue and its numbers.
pub trait Words {
    /// The text of `key`, if the catalogue has it.
    fn text(&self, key: &str) -> Option<&str>;
    /// Whether `n` takes the singular (`key.one`).
    fn one(&self, n: u64) -> bool;
    /// A whole number.
    fn count(&self, n: u64) -> String;
    /// A number with `places` decimals.
    fn number(&self, x: f64, places: u8) -> String;
}

/// `message` written with `words`: its text (the plural form its count
/// `n` asks for, when it has one), each `{name}` replaced by its value.
/// A key the catalogue lacks is written as the key, which the catalogue
/// test stops before it ships.
pub fn write(message: &Message, words: &dyn Words) -> String {
    let key = message.key.as_ref();
    let plural = match message.value("n") {
        Some(Value::Count(n)) => {
            let form = if words.one(*n) { "one" } else { "other" };
            words.text(&format!("{key}.{form}"))
        }
        _ => None,
    };
    let Some(text) = plural.or_else(|| words.text(key)) else {
        return key.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            rest = &rest[open..];
            break;
        };
        let name = &after[..close];
        match message.value(name) {
            Some(Value::Text(t)) => out.push_str(t),
            Some(Value::Count(n)) => out.push_str(&words.count(*n)),
            Some(Value::Number(x, places)) => out.push_str(&words.number(*x, *places)),
            Some(Value::Message(m)) => out.push_str(&write(m, words)),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out.replace("\\n", "\n")
}

/// A catalogue's `key = text` lines, sorted by key. Blank lines and lines
/// starting with `#` are skipped.
pub fn catalogue(text: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut entries: Vec<(&str, &str)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// The engine's catalogue in English.
pub const ENGLISH: &str = include_str!("../../../../locales/engine.en.txt");
/// The engine's catalogue in French.
pub const FRENCH: &str = include_str!("../../../../locales/engine.fr.txt");

/// The text of `key` in a sorted catalogue.
pub fn find<'c>(table: &'c [(&'static str, &'static str)], key: &str) -> Option<&'c str> {
    table
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|i| table[i].1)
}

/// English as the command line writes it: numbers as Rust writes them.
struct English;

impl Words for English {
    fn text(&self, key: &str) -> Option<&str> {
        static TABLE: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
        find(TABLE.get_or_init(|| catalogue(ENGLISH)), key)
    }
    fn one(&self, n: u64) -> bool {
        n == 1
    }
    fn count(&self, n: u64) -> String {
        n.to_string()
    }
    fn number(&self, x: f64, places: u8) -> String {
        format!("{x:.*}", usize::from(places))
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&write(self, &English))
    }
}

impl std::error::Error for Message {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fill_their_placeholders_and_a_count_picks_its_form() {
        let m = Message::new("engine.with.no_numbers").with("column", "âge");
        assert_eq!(m.to_string(), "The column \"âge\" holds no numbers.");
        let nested = Message::new("engine.with.rule_at")
            .with("path", "rule.all[1]")
            .with("message", m);
        assert_eq!(
            nested.to_string(),
            "at rule.all[1]: The column \"âge\" holds no numbers."
        );
        // A key the catalogue lacks is written as the key.
        assert_eq!(
            Message::new("engine.nothing_here").to_string(),
            "engine.nothing_here"
        );
    }

    #[test]
    fn both_catalogues_have_the_same_keys_and_placeholders() {
        let en = catalogue(ENGLISH);
        let fr = catalogue(FRENCH);
        fn keys<'a>(t: &[(&'a str, &str)]) -> Vec<&'a str> {
            t.iter().map(|(k, _)| *k).collect()
        }
        assert_eq!(keys(&en), keys(&fr));
        let names = |text: &str| {
            let mut names: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            names.sort();
            names
        };
        for ((key, e), (_, f)) in en.iter().zip(&fr) {
            assert!(key.starts_with("engine."), "{key}");
            assert_eq!(names(e), names(f), "{key}");
        }
        let mut sorted = keys(&en);
        sorted.dedup();
        assert_eq!(sorted.len(), en.len(), "a key is written twice");
    }
}
