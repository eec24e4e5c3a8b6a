//! Customer keys as the importer matches them: e-mails and ids
//! normalised, phone numbers reduced to their digits.

use super::*;

/// A phone number as a customer key: its digits only, so that `+33 6 12
/// 34 56 78`, `'+33612345678` and `33.6.12.34.56.78` are one number; `None`
/// when it has fewer than 6 digits (no real number).
pub(crate) fn phone_key(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6).then_some(digits)
}

/// Normalises a customer key for joining: trimmed, e-mail addresses
/// lower-cased.
pub fn normalise_key(raw: &str) -> String {
    normalised_key(raw).into_owned()
}

/// A field whose text is its bytes, with nothing to trim: ASCII, not
/// empty, no space at either end. `None` for any other field.
#[inline]
pub(super) fn plain_text(bytes: &[u8]) -> Option<&[u8]> {
    let (first, last) = (*bytes.first()?, *bytes.last()?);
    let plain = !first.is_ascii_whitespace() && !last.is_ascii_whitespace() && bytes.is_ascii();
    plain.then_some(bytes)
}

/// A customer key that [`normalised_key`] leaves as it is, read from its
/// bytes: ASCII, not empty, no space at either end, and no capital letter
/// if it is an e-mail address. `None` for any other key.
pub(super) fn plain_key(bytes: &[u8]) -> Option<&[u8]> {
    let key = plain_text(bytes)?;
    let (mut at, mut capital) = (false, false);
    for &b in key {
        at |= b == b'@';
        capital |= b.is_ascii_uppercase();
    }
    (!at || !capital).then_some(key)
}

/// [`normalise_key`], borrowing when nothing changes.
pub(super) fn normalised_key(raw: &str) -> Cow<'_, str> {
    let b = raw.as_bytes();
    let plain = |c: &u8| !c.is_ascii_whitespace() && c.is_ascii();
    let t = if b.first().is_some_and(plain) && b.last().is_some_and(plain) {
        raw
    } else {
        raw.trim()
    };
    if t.contains('@') && t.chars().any(char::is_uppercase) {
        Cow::Owned(t.to_lowercase())
    } else {
        Cow::Borrowed(t)
    }
}
