//! Delimited text read as a stream of byte chunks: encoding and delimiter
//! detection, quoted fields, and line numbers as a text editor shows them.
//!
//! The splitter never fails: it hands out records (with the line each
//! starts on) and leaves their interpretation to the caller.

use serde::{Deserialize, Serialize};

mod split;
pub(crate) use split::{Record, Splitter};

/// The character encoding of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// UTF-16 little-endian (with a byte-order mark).
    Utf16Le,
    /// UTF-16 big-endian (with a byte-order mark).
    Utf16Be,
    /// Windows-1252, what Excel writes on Western European Windows.
    Windows1252,
}

impl Encoding {
    /// Reads an encoding's name as users write it: `utf-8`, `utf8`,
    /// `windows-1252`, `cp1252`, `latin-1`, `utf-16le`, `utf-16be`
    /// (ignoring case).
    pub fn parse(text: &str) -> Option<Encoding> {
        let t: String = text
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match t.as_str() {
            "utf8" => Some(Encoding::Utf8),
            "utf16le" | "utf16" => Some(Encoding::Utf16Le),
            "utf16be" => Some(Encoding::Utf16Be),
            "windows1252" | "cp1252" | "latin1" | "iso88591" | "ansi" => {
                Some(Encoding::Windows1252)
            }
            _ => None,
        }
    }

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// What separates the fields of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Delimiter {
    /// One byte: `,` `;` tab or `|`.
    Byte(u8),
    /// Runs of spaces or tabs, leading ones ignored (column-aligned files).
    Whitespace,
}

impl Delimiter {
    /// The name shown to users.
    pub fn label(self) -> String {
        match self {
            Delimiter::Byte(b'\t') => "tab".to_string(),
            Delimiter::Byte(b) => (b as char).to_string(),
            Delimiter::Whitespace => "spaces".to_string(),
        }
    }
}

/// Detects the encoding from the first bytes of a file.
///
/// Returns the encoding and the length of the byte-order mark to skip.
pub(crate) fn sniff_encoding(sample: &[u8]) -> (Encoding, usize) {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (Encoding::Utf8, 3);
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return (Encoding::Utf16Le, 2);
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return (Encoding::Utf16Be, 2);
    }
    match std::str::from_utf8(sample) {
        Ok(_) => (Encoding::Utf8, 0),
        // An error only in the last few bytes is a character cut by the
        // end of the sample, not a sign of another encoding.
        Err(e) if e.error_len().is_none() => (Encoding::Utf8, 0),
        Err(_) => (Encoding::Windows1252, 0),
    }
}

/// The encoding to read a file in: `forced` when the user chose one (its
/// byte-order mark skipped when the file has it), detected otherwise.
pub(crate) fn choose_encoding(sample: &[u8], forced: Option<Encoding>) -> (Encoding, usize) {
    let Some(e) = forced else {
        return sniff_encoding(sample);
    };
    let bom: &[u8] = match e {
        Encoding::Utf8 => &[0xEF, 0xBB, 0xBF],
        Encoding::Utf16Le => &[0xFF, 0xFE],
        Encoding::Utf16Be => &[0xFE, 0xFF],
        Encoding::Windows1252 => &[],
    };
    (
        e,
        if sample.starts_with(bom) {
            bom.len()
        } else {
            0
        },
    )
}

/// Where a NUL byte or other sign of a binary file stands in a sample of
/// decoded text, if anywhere.
pub(crate) fn binary_offset(sample: &[u8]) -> Option<usize> {
    sample
        .iter()
        .position(|b| *b == 0 || (*b < 0x09) || (*b > 0x0D && *b < 0x20 && *b != 0x1A))
}

const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The text of one field, borrowed when it needs no conversion (valid
/// UTF-8, or plain ASCII in Windows-1252).
pub(crate) fn field_text(encoding: Encoding, bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match encoding {
        Encoding::Windows1252 if !bytes.is_ascii() => decode_field(encoding, bytes).into(),
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => text.into(),
            Err(_) => String::from_utf8_lossy(bytes),
        },
    }
}

/// Appends a CSV field, quoted when it holds a comma, a quote or a line
/// break.
pub fn push_csv_field(out: &mut Vec<u8>, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Turns the bytes of one field into text.
///
/// UTF-16 input has already been transcoded to UTF-8 by [`Transcoder`],
/// so only UTF-8 and Windows-1252 reach this point.
pub(crate) fn decode_field(encoding: Encoding, bytes: &[u8]) -> String {
    match encoding {
        Encoding::Windows1252 => bytes
            .iter()
            .map(|&b| match b {
                0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Turns UTF-16 chunks into UTF-8 bytes, carrying a split code unit or
/// surrogate pair over to the next chunk; other encodings pass through.
#[derive(Debug)]
pub(crate) struct Transcoder {
    encoding: Encoding,
    carry: Vec<u8>,
    /// Lines end with a carriage return alone ("CSV (Macintosh)"): each
    /// becomes a line feed.
    cr_lines: bool,
}

/// Where the table starts after a report's preamble: the comment lines
/// analytics tools write above their CSV tables (`# Start date: 20240101`,
/// `# ----`; Google Analytics), each a `#` followed by a space, a dash or
/// nothing, and the blank lines among them. Returns the bytes and lines to
/// skip; `(0, 0)` for a file without one (a header's first column named
/// `#`, as Typeform writes it, is no comment).
pub(crate) fn preamble(text: &[u8]) -> (usize, u64) {
    let (mut at, mut lines, mut comments) = (0, 0, 0);
    while at < text.len() {
        let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |e| at + e + 1);
        let line = text[at..end].trim_ascii_end();
        let comment =
            line.first() == Some(&b'#') && matches!(line.get(1), None | Some(b' ' | b'-' | b'\t'));
        if comment {
            comments += 1;
        } else if !(line.is_empty() && comments > 0) {
            break;
        }
        at = end;
        lines += 1;
    }
    if comments == 0 { (0, 0) } else { (at, lines) }
}

/// True when a file's lines end with a carriage return alone, as old Mac
/// programs and Excel's "CSV (Macintosh)" write them: the sample has
/// carriage returns and no line feed.
pub(crate) fn cr_line_breaks(sample: &[u8]) -> bool {
    memchr::memchr(b'\n', sample).is_none() && memchr::memchr(b'\r', sample).is_some()
}

impl Transcoder {
    /// A transcoder for one file.
    pub fn new(encoding: Encoding) -> Self {
        Transcoder {
            encoding,
            carry: Vec::new(),
            cr_lines: false,
        }
    }

    /// Turns every carriage return into a line feed from now on (see
    /// [`cr_line_breaks`]).
    pub fn set_cr_line_breaks(&mut self) {
        self.cr_lines = true;
    }

    /// Transcodes one chunk, appending to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let from = out.len();
        self.transcode(chunk, out);
        if self.cr_lines {
            for b in &mut out[from..] {
                if *b == b'\r' {
                    *b = b'\n';
                }
            }
        }
    }

    fn transcode(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let big = match self.encoding {
            Encoding::Utf16Le => false,
            Encoding::Utf16Be => true,
            _ => {
                out.extend_from_slice(chunk);
                return;
            }
        };
        self.carry.extend_from_slice(chunk);
        let mut units: Vec<u16> = self
            .carry
            .chunks_exact(2)
            .map(|p| {
                if big {
                    u16::from_be_bytes([p[0], p[1]])
                } else {
                    u16::from_le_bytes([p[0], p[1]])
                }
            })
            .collect();
        let mut keep = self.carry.len() % 2;
        if let Some(&last) = units.last()
            && (0xD800..0xDC00).contains(&last)
        {
            units.pop();
            keep += 2;
        }
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        let start = self.carry.len() - keep;
        self.carry.drain(..start);
    }
}

/// Counts the delimiters of each candidate outside quotes in the first
/// lines of a sample and picks the one found the same number of times on
/// most lines; column-aligned files fall back to runs of spaces.
pub(crate) fn sniff_delimiter(sample: &[u8]) -> Delimiter {
    let mut lines: Vec<&[u8]> = sample
        .split(|b| *b == b'\n')
        .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
        .take(50)
        .collect();
    if lines.len() > 1 && !sample.ends_with(b"\n") {
        lines.pop();
    }
    let mut best: Option<(u8, usize, usize)> = None;
    for cand in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| {
                let mut in_q = false;
                l.iter()
                    .filter(|&&b| {
                        if b == b'"' {
                            in_q = !in_q;
                        }
                        b == cand && !in_q
                    })
                    .count()
            })
            .collect();
        let mut freq = std::collections::HashMap::new();
        for c in counts.iter().filter(|c| **c > 0) {
            *freq.entry(*c).or_insert(0usize) += 1;
        }
        if let Some((&mode, &agree)) = freq.iter().max_by_key(|(c, n)| (**n, **c)) {
            let better = match best {
                None => true,
                Some((_, m, a)) => agree > a || (agree == a && mode > m),
            };
            if better {
                best = Some((cand, mode, agree));
            }
        }
    }
    match best {
        Some((c, _, agree)) if agree * 2 >= lines.len() => Delimiter::Byte(c),
        _ => {
            let spaced = lines.iter().any(|l| {
                l.trim_ascii()
                    .windows(2)
                    .any(|w| w[0].is_ascii_whitespace() && !w[1].is_ascii_whitespace())
            });
            if spaced {
                Delimiter::Whitespace
            } else {
                Delimiter::Byte(b',')
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reports_preamble_is_skipped_and_a_column_named_hash_is_not() {
        let ga = b"# ----\n# Report CSV Export\n# \n#\n\n# Start date: 20230101\nEvent name,Event count\npage_view,3\n";
        let (skip, lines) = preamble(ga);
        assert_eq!(&ga[skip..skip + 10], b"Event name");
        assert_eq!(lines, 6);
        assert_eq!(preamble(b"#,Question,Submit Date (UTC)\nab,1,2\n"), (0, 0));
        assert_eq!(preamble(b"customer_id,amount\n# not a comment\n"), (0, 0));
        assert_eq!(preamble(b"\n\ncustomer_id\n"), (0, 0));
    }

    #[test]
    fn delimiter_sniffing() {
        assert_eq!(sniff_delimiter(b"a;b;c\n1;2,5;3\n"), Delimiter::Byte(b';'));
        assert_eq!(sniff_delimiter(b"a,b\n\"x;y\",2\n"), Delimiter::Byte(b','));
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), Delimiter::Byte(b'\t'));
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n"), Delimiter::Byte(b'|'));
        assert_eq!(sniff_delimiter(b" 1 2\n 3  4\n"), Delimiter::Whitespace);
    }

    #[test]
    fn encodings() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFa"), (Encoding::Utf8, 3));
        assert_eq!(sniff_encoding("é".as_bytes()), (Encoding::Utf8, 0));
        assert_eq!(sniff_encoding(b"caf\xe9;1"), (Encoding::Windows1252, 0));
        // A choice overrides detection; a byte-order mark of the chosen
        // encoding is still skipped.
        assert_eq!(
            choose_encoding("café".as_bytes(), Some(Encoding::Windows1252)),
            (Encoding::Windows1252, 0)
        );
        assert_eq!(
            choose_encoding(b"\xEF\xBB\xBFa", Some(Encoding::Utf8)),
            (Encoding::Utf8, 3)
        );
        assert_eq!(
            choose_encoding(b"caf\xe9;1", None),
            (Encoding::Windows1252, 0)
        );
        assert_eq!(Encoding::parse(" CP-1252 "), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("UTF-8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::parse("utf-16be"), Some(Encoding::Utf16Be));
        assert_eq!(Encoding::parse("ebcdic"), None);
        assert_eq!(
            decode_field(Encoding::Windows1252, b"\x80 caf\xe9"),
            "€ café"
        );
        let utf16: Vec<u8> = "a;é😀\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        for chunk in 1..utf16.len() {
            let mut t = Transcoder::new(Encoding::Utf16Le);
            let mut out = Vec::new();
            for c in utf16.chunks(chunk) {
                t.push(c, &mut out);
            }
            assert_eq!(String::from_utf8(out).unwrap(), "a;é😀\n");
        }
    }
}
