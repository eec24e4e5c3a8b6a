//! Records split from a stream of bytes: fields found where they stand
//! when they can be, and a fingerprint of each record's fields.

use super::Delimiter;

/// One record: its fields and the 1-based line it starts on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    /// The line of the file the record starts on (header counted).
    pub line: u64,
    data: &'a [u8],
    spans: &'a [(usize, usize)],
    /// The byte between fields in [`Record::fingerprint`]'s stream.
    sep: u8,
    /// The fields stand in `data` as they were in the file, one `sep`
    /// between each two, with no quote: the stream is the line itself.
    plain: bool,
}

impl<'a> Record<'a> {
    /// The number of fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// A hash of every field, to find rows that repeat an earlier one:
    /// of the fields joined by the delimiter, of how many they are and,
    /// for the fields that hold the delimiter (quoted), where they are
    /// and how many they hold, so that two rows hash alike when their
    /// fields are the same, however they were quoted. A line without
    /// quotes is that stream as it stands, hashed in one go.
    pub fn fingerprint(&self) -> u64 {
        let mut h = StreamHash::default();
        let n = self.len();
        if n == 0 {
            return h.finish(0);
        }
        if self.plain {
            h.write(&self.data[self.spans[0].0..self.spans[n - 1].1]);
            return h.finish(n as u64);
        }
        for i in 0..n {
            if i > 0 {
                h.write(&[self.sep]);
            }
            h.write(self.field(i));
        }
        let stream = h.finish(n as u64);
        // No field holds the delimiter: the hash of the stream, as for a
        // line without quotes.
        let mut marks = StreamHash::from(stream);
        let mut held_any = false;
        for i in 0..n {
            let held = memchr::memchr_iter(self.sep, self.field(i)).count();
            if held > 0 {
                held_any = true;
                marks.write(&(i as u64).to_le_bytes());
                marks.write(&(held as u64).to_le_bytes());
            }
        }
        if held_any {
            marks.finish(n as u64)
        } else {
            stream
        }
    }

    /// The bytes of field `i` (quotes removed, `""` unescaped).
    pub fn field(&self, i: usize) -> &'a [u8] {
        let (start, end) = self.spans[i];
        &self.data[start..end]
    }
}

/// A 64-bit hash of a stream of bytes that gives the same value however
/// the stream is cut into writes: eight bytes at a time, multiplied and
/// rotated, the last ones with the length, then mixed (MurmurHash3's
/// finaliser) so that every bit of the result depends on every byte.
#[derive(Debug, Default)]
struct StreamHash {
    h: u64,
    /// The bytes written since the last eight, lowest first.
    tail: u64,
    len: u64,
}

impl From<u64> for StreamHash {
    fn from(seed: u64) -> Self {
        StreamHash {
            h: seed,
            ..StreamHash::default()
        }
    }
}

impl StreamHash {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;

    #[inline(always)]
    fn mix(&mut self, word: u64) {
        self.h = (self.h ^ word).wrapping_mul(Self::K).rotate_left(29);
    }

    #[inline]
    fn write(&mut self, mut bytes: &[u8]) {
        let held = (self.len % 8) as usize;
        self.len += bytes.len() as u64;
        if held > 0 {
            let take = bytes.len().min(8 - held);
            for (k, b) in bytes[..take].iter().enumerate() {
                self.tail |= u64::from(*b) << (8 * (held + k));
            }
            bytes = &bytes[take..];
            if held + take < 8 {
                return;
            }
            let word = std::mem::take(&mut self.tail);
            self.mix(word);
        }
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.mix(u64::from_le_bytes(w.try_into().unwrap_or_default()));
        }
        let mut last = [0u8; 8];
        let rest = words.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.tail = u64::from_le_bytes(last);
    }

    #[inline]
    fn finish(mut self, extra: u64) -> u64 {
        let (tail, len) = (self.tail, self.len);
        self.mix(tail);
        self.mix(len);
        self.mix(extra);
        let mut x = self.h;
        x ^= x >> 33;
        x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        x ^= x >> 33;
        x = x.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        x ^ (x >> 33)
    }
}

/// The positions of three bytes in a buffer, in order, found eight bytes
/// at a time (each word compared with all three at once, the matches
/// kept as the top bit of their byte): one pass over a line, however many
/// fields it has, where a search per field would start over each time.
struct Hits3<'a> {
    buf: &'a [u8],
    /// Where the word in `mask` starts.
    at: usize,
    mask: u64,
    /// Each of the three bytes repeated in a word.
    wanted: [u64; 3],
}

impl<'a> Hits3<'a> {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;

    fn new(a: u8, b: u8, c: u8, buf: &'a [u8]) -> Self {
        let splat = |x: u8| u64::from_le_bytes([x; 8]);
        let mut hits = Hits3 {
            buf,
            at: 0,
            mask: 0,
            wanted: [splat(a), splat(b), splat(c)],
        };
        hits.mask = hits.word_mask(0);
        hits
    }

    /// The top bit of each byte of the word at `at` that is one of the
    /// three (bytes past the end count as none).
    #[inline(always)]
    fn word_mask(&self, at: usize) -> u64 {
        let word = match self.buf.get(at..at + 8) {
            Some(w) => u64::from_le_bytes(w.try_into().unwrap_or_default()),
            None => {
                let rest = self.buf.get(at..).unwrap_or_default();
                let mut w = [0u8; 8];
                w[..rest.len()].copy_from_slice(rest);
                let w = u64::from_le_bytes(w);
                // The padding's bytes left out.
                let valid = if rest.is_empty() {
                    0
                } else {
                    u64::MAX >> (8 * (8 - rest.len()))
                };
                return self.matches(w) & valid;
            }
        };
        self.matches(word)
    }

    /// The top bit of each byte of `word` equal to one of the three.
    #[inline(always)]
    fn matches(&self, word: u64) -> u64 {
        let zero = |x: u64| !(((x & Self::LOW).wrapping_add(Self::LOW)) | x | Self::LOW);
        zero(word ^ self.wanted[0]) | zero(word ^ self.wanted[1]) | zero(word ^ self.wanted[2])
    }
}

impl Iterator for Hits3<'_> {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.at += 8;
            if self.at >= self.buf.len() {
                return None;
            }
            self.mask = self.word_mask(self.at);
        }
        let k = (self.mask.trailing_zeros() / 8) as usize;
        self.mask &= self.mask - 1;
        Some(self.at + k)
    }
}

/// Splits a stream of chunks into records.
#[derive(Debug)]
pub(crate) struct Splitter {
    delimiter: Delimiter,
    line: u64,
    pending: Vec<u8>,
    scratch: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// True when the last record's spans point into the input rather than
    /// into `scratch`.
    in_place: bool,
    /// True when the last record split in place had no quoted field.
    plain: bool,
    unterminated_quote: Option<u64>,
}

enum Step {
    /// A record was read up to this offset, spanning these newlines.
    Record(usize, u64),
    /// A blank line was skipped.
    Blank(usize),
    /// More bytes are needed.
    Incomplete,
}

impl Splitter {
    /// A splitter for one file.
    pub fn new(delimiter: Delimiter) -> Self {
        Splitter {
            delimiter,
            line: 1,
            pending: Vec::new(),
            scratch: Vec::new(),
            spans: Vec::new(),
            in_place: false,
            plain: false,
            unterminated_quote: None,
        }
    }

    /// The line where a quoted field was opened and never closed, if the
    /// file ended inside one.
    pub fn unterminated_quote(&self) -> Option<u64> {
        self.unterminated_quote
    }

    /// Feeds one chunk and calls `on_record` for every complete record.
    pub fn feed(&mut self, chunk: &[u8], on_record: &mut dyn FnMut(Record<'_>)) {
        self.pending.extend_from_slice(chunk);
        self.drain(false, on_record);
    }

    /// Reads whatever is left once the input has ended.
    pub fn finish(&mut self, on_record: &mut dyn FnMut(Record<'_>)) {
        self.drain(true, on_record);
    }

    /// A splitter for a part of a file whose first line is `line`.
    pub fn starting_at(delimiter: Delimiter, line: u64) -> Self {
        Splitter {
            line,
            ..Splitter::new(delimiter)
        }
    }

    /// The line the next record starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// True when no partial record is held back.
    pub fn is_idle(&self) -> bool {
        self.pending.is_empty()
    }

    /// Reads a whole buffer that ends where the input ends or after a line
    /// break outside quotes, without copying it.
    pub fn feed_whole(&mut self, buf: &[u8], on_record: &mut dyn FnMut(Record<'_>)) {
        debug_assert!(self.pending.is_empty());
        self.split(buf, true, on_record);
    }

    fn drain(&mut self, eof: bool, on_record: &mut dyn FnMut(Record<'_>)) {
        let pending = std::mem::take(&mut self.pending);
        let pos = self.split(&pending, eof, on_record);
        self.pending = pending;
        self.pending.drain(..pos);
    }

    /// Calls `on_record` for the complete records of `buf`; returns how
    /// many bytes they took.
    fn split(&mut self, buf: &[u8], eof: bool, on_record: &mut dyn FnMut(Record<'_>)) -> usize {
        let mut pos = 0;
        while pos < buf.len() {
            match self.step(buf, pos, eof) {
                Step::Record(next, newlines) => {
                    on_record(Record {
                        line: self.line,
                        data: if self.in_place { buf } else { &self.scratch },
                        spans: &self.spans,
                        sep: match self.delimiter {
                            Delimiter::Byte(d) => d,
                            Delimiter::Whitespace => b' ',
                        },
                        plain: self.in_place && self.plain,
                    });
                    self.line += newlines;
                    pos = next;
                }
                Step::Blank(next) => {
                    self.line += 1;
                    pos = next;
                }
                Step::Incomplete => break,
            }
        }
        pos
    }

    /// A record split in place, its spans pointing into `buf`: `None`
    /// when it needs the careful way (a doubled quote, a quote inside a
    /// field, text after a closing quote, a quote open at the end of
    /// `buf`).
    fn step_in_place(&mut self, buf: &[u8], start: usize, d: u8, eof: bool) -> Option<Step> {
        let len = buf.len();
        let mut field_start = start;
        let mut newlines = 0u64;
        self.plain = true;
        // A line end at `at`: the field before it without a `\r`.
        let record_end = |spans: &mut Vec<(usize, usize)>, field_start: usize, at: usize| {
            let last = if at > field_start && buf[at - 1] == b'\r' {
                at - 1
            } else {
                at
            };
            spans.push((field_start, last));
        };
        'fields: loop {
            if field_start < len && buf[field_start] == b'"' {
                let open = field_start + 1;
                // The closing quote, the line breaks before it counted
                // on the way (a field rarely holds one).
                let mut close = open;
                loop {
                    close += memchr::memchr2(b'"', b'\n', &buf[close..])?;
                    if buf[close] == b'"' {
                        break;
                    }
                    newlines += 1;
                    close += 1;
                }
                let after = *buf.get(close + 1)?;
                let end = if after == d {
                    None
                } else if after == b'\n' {
                    Some(close + 2)
                } else if after == b'\r' && buf.get(close + 2) == Some(&b'\n') {
                    Some(close + 3)
                } else {
                    return None;
                };
                self.spans.push((open, close));
                self.plain = false;
                field_start = close + 2;
                if let Some(next) = end {
                    self.in_place = true;
                    return Some(Step::Record(next, newlines + 1));
                }
                continue;
            }
            let base = field_start;
            for at in Hits3::new(d, b'\n', b'"', &buf[base..]) {
                let at = base + at;
                match buf[at] {
                    b'\n' => {
                        record_end(&mut self.spans, field_start, at);
                        self.in_place = true;
                        return Some(Step::Record(at + 1, newlines + 1));
                    }
                    b'"' => return None,
                    _ => {
                        self.spans.push((field_start, at));
                        field_start = at + 1;
                        if buf.get(field_start) == Some(&b'"') {
                            continue 'fields;
                        }
                    }
                }
            }
            // The end of `buf` within the last field.
            if !eof {
                self.spans.clear();
                return Some(Step::Incomplete);
            }
            record_end(&mut self.spans, field_start, len);
            self.in_place = true;
            return Some(Step::Record(len, newlines));
        }
    }

    fn step(&mut self, buf: &[u8], start: usize, eof: bool) -> Step {
        self.scratch.clear();
        self.spans.clear();
        self.in_place = false;
        let len = buf.len();
        let mut i = start;
        let mut newlines = 0u64;
        // The common case: a whole line whose quoted fields, if any, are
        // quoted whole and hold no doubled quote, split where it stands,
        // without copying; the delimiters, line ends and quotes found by
        // a vectorised search.
        if let Delimiter::Byte(d) = self.delimiter
            && i < len
            && buf[i] != b'\n'
            && buf[i] != b'\r'
        {
            if let Some(step) = self.step_in_place(buf, i, d, eof) {
                return step;
            }
            // Something else: read this record the careful way.
            self.spans.clear();
        }
        if let Delimiter::Whitespace = self.delimiter {
            while i < len && (buf[i] == b' ' || buf[i] == b'\t' || buf[i] == b'\r') {
                i += 1;
            }
        }
        if i < len && buf[i] == b'\n' {
            return Step::Blank(i + 1);
        }
        if i < len && buf[i] == b'\r' {
            if i + 1 < len && buf[i + 1] == b'\n' {
                return Step::Blank(i + 2);
            }
            if i + 1 >= len && !eof {
                return Step::Incomplete;
            }
        }
        if i >= len {
            return if eof {
                Step::Blank(len)
            } else {
                Step::Incomplete
            };
        }
        loop {
            // One field.
            let field_start = self.scratch.len();
            let mut raw_tail = true;
            if i < len && buf[i] == b'"' {
                let open_line = self.line + newlines;
                i += 1;
                loop {
                    // The text up to the next quote, copied in one go (a
                    // vectorised search), its line breaks counted.
                    let run_end = memchr::memchr(b'"', &buf[i..]).map_or(len, |k| i + k);
                    let run = &buf[i..run_end];
                    newlines += memchr::memchr_iter(b'\n', run).count() as u64;
                    self.scratch.extend_from_slice(run);
                    i = run_end;
                    if i >= len {
                        if !eof {
                            return Step::Incomplete;
                        }
                        self.unterminated_quote = Some(open_line);
                        break;
                    }
                    // A quote: doubled, it is one quote of the text;
                    // alone, it closes the field.
                    if i + 1 < len && buf[i + 1] == b'"' {
                        self.scratch.push(b'"');
                        i += 2;
                        continue;
                    }
                    if i + 1 >= len && !eof {
                        return Step::Incomplete;
                    }
                    i += 1;
                    break;
                }
                raw_tail = false;
            }
            // The rest of the field up to the next delimiter or line end,
            // found with a vectorised search for byte delimiters.
            let end = match self.delimiter {
                Delimiter::Byte(d) => memchr::memchr2(d, b'\n', &buf[i..]).map_or(len, |k| i + k),
                Delimiter::Whitespace => buf[i..]
                    .iter()
                    .position(|b| *b == b'\n' || *b == b' ' || *b == b'\t')
                    .map_or(len, |k| i + k),
            };
            if end > i {
                self.scratch.extend_from_slice(&buf[i..end]);
                raw_tail = true;
                i = end;
            }
            if raw_tail && self.scratch.len() > field_start && self.scratch.last() == Some(&b'\r') {
                self.scratch.pop();
            }
            self.spans.push((field_start, self.scratch.len()));
            if i >= len {
                return if eof {
                    Step::Record(len, newlines)
                } else {
                    Step::Incomplete
                };
            }
            if buf[i] == b'\n' {
                return Step::Record(i + 1, newlines + 1);
            }
            // A delimiter.
            i += 1;
            if let Delimiter::Whitespace = self.delimiter {
                while i < len && (buf[i] == b' ' || buf[i] == b'\t') {
                    i += 1;
                }
                if i < len && (buf[i] == b'\n' || buf[i] == b'\r') {
                    // Trailing spaces: the record ends here.
                    while i < len && buf[i] == b'\r' {
                        i += 1;
                    }
                    if i < len {
                        return Step::Record(i + 1, newlines + 1);
                    }
                    return if eof {
                        Step::Record(len, newlines)
                    } else {
                        Step::Incomplete
                    };
                }
                if i >= len {
                    return if eof {
                        Step::Record(len, newlines)
                    } else {
                        Step::Incomplete
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time search finds what memchr's finds, in order,
        /// wherever the buffer starts and ends.
        #[test]
        fn three_bytes_found_as_memchr_finds_them(
            buf in proptest::collection::vec(proptest::sample::select(b",\n\"ab\r;\0\xff".to_vec()), 0..80),
            from in 0usize..9,
        ) {
            let buf = &buf[from.min(buf.len())..];
            let want: Vec<usize> = memchr::memchr3_iter(b',', b'\n', b'"', buf).collect();
            let got: Vec<usize> = Hits3::new(b',', b'\n', b'"', buf).collect();
            proptest::prop_assert_eq!(got, want);
        }

        /// The stream hash does not depend on how the stream is cut.
        #[test]
        fn a_stream_hashes_alike_however_it_is_cut(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
            cuts in proptest::collection::vec(0usize..40, 0..5),
        ) {
            let mut whole = StreamHash::default();
            whole.write(&bytes);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut parts = StreamHash::default();
            let mut from = 0;
            for c in cuts.into_iter().chain([bytes.len()]) {
                parts.write(&bytes[from..c]);
                from = c;
            }
            proptest::prop_assert_eq!(whole.finish(3), parts.finish(3));
        }
    }

    /// Each record's fingerprint, in the order of the file.
    fn fingerprints(input: &[u8]) -> Vec<u64> {
        let mut out = Vec::new();
        let mut s = Splitter::new(Delimiter::Byte(b','));
        s.feed_whole(input, &mut |r| out.push(r.fingerprint()));
        out
    }

    #[test]
    fn rows_with_the_same_fields_share_a_fingerprint_however_quoted() {
        // The same three fields: unquoted (split in place, hashed as the
        // line stands), quoted whole (in place, field by field), with a
        // doubled quote elsewhere (the careful way) and with CRLF.
        let same = fingerprints(b"a,b c,1\n\"a\",\"b c\",1\n\"a\",b c,\"1\"\r\na,\"b\"\" c\",1\n");
        assert_eq!(same[0], same[1]);
        assert_eq!(same[0], same[2]);
        assert_ne!(same[0], same[3], "b\" c is not b c");
        // Fields that hold the delimiter are told apart from the same
        // bytes cut elsewhere; so are rows with one more empty field.
        let apart = fingerprints(b"a,b,c\n\"a,b\",c\na,\"b,c\"\n\"a,b,c\"\na,b,c,\n\"a,b,c\",\"d,e\"\n\"a,b\",\"c,d,e\"\n");
        for i in 0..apart.len() {
            for j in 0..i {
                assert_ne!(apart[i], apart[j], "rows {j} and {i}");
            }
        }
        assert_eq!(fingerprints(b"x,y\n"), fingerprints(b"x,y"));
    }

    fn split(delim: Delimiter, input: &[u8], chunk: usize) -> Vec<(u64, Vec<String>)> {
        let mut s = Splitter::new(delim);
        let mut out = Vec::new();
        let mut take = |r: Record<'_>| {
            out.push((
                r.line,
                (0..r.len())
                    .map(|i| String::from_utf8_lossy(r.field(i)).into_owned())
                    .collect(),
            ))
        };
        for c in input.chunks(chunk.max(1)) {
            s.feed(c, &mut take);
        }
        s.finish(&mut take);
        out
    }

    #[test]
    fn quotes_line_breaks_and_line_numbers_at_any_chunk_size() {
        let input = b"id,note\r\n1,\"a, \"\"b\"\"\"\r\n\r\n2,\"two\nlines\"\r\n3,last";
        for chunk in 1..input.len() + 1 {
            let rows = split(Delimiter::Byte(b','), input, chunk);
            assert_eq!(
                rows,
                vec![
                    (1, vec!["id".into(), "note".into()]),
                    (2, vec!["1".into(), "a, \"b\"".into()]),
                    (4, vec!["2".into(), "two\nlines".into()]),
                    (6, vec!["3".into(), "last".into()]),
                ],
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn whitespace_aligned_like_cdnow() {
        let input = b" 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00  \r\n";
        for chunk in [1, 3, 7, 100] {
            let rows = split(Delimiter::Whitespace, input, chunk);
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0].1, vec!["00001", "19970101", "1", "11.77"]);
            assert_eq!(rows[1].1, vec!["00002", "19970112", "1", "12.00"]);
            assert_eq!(rows[1].0, 2);
        }
    }
}
