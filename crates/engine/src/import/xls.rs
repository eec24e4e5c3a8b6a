//! Old Excel workbooks (`.xls`, Excel 97 to 2003 and what many tools still
//! export): BIFF8 records inside an OLE2 compound file, read as rows.
//!
//! The compound file is a small file system of fixed-size sectors chained
//! by a table (the FAT); the workbook is its `Workbook` stream. That stream
//! holds the workbook's globals (sheet names and positions, the shared
//! string table, number formats) and then each sheet's cells. Cells are
//! read as the XLSX reader reads them: text as written, numbers in their
//! shortest form, formulas by their last value, `TRUE`/`FALSE`; a number
//! whose cell is formatted as a date is written as an ISO date (a time of
//! day too when it has one), in the workbook's 1900 or 1904 date system.
//!
//! Every read is bounded by the file: a chain of sectors that loops or
//! leaves the file is a damaged file, not an endless loop. (This reader
//! stays rather than calamine's for `.xls`: calamine follows a looping
//! chain of sectors until it holds the stream's declared length, 4 GB for
//! a file of a few kB that the fuzzer made.)

use crate::model::message::Message;

/// The first bytes of every OLE2 compound file.
#[cfg(test)]
const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// The end of a chain of sectors.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// The columns of an Excel 97–2003 sheet.
const MAX_COLUMNS: u16 = 256;

const DAMAGED: Message =
    Message::new("engine.it_is_an_old_excel_workbook_xls_whose_structure_is_damaged");

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The compound file: its sectors, allocation tables and mini stream.
struct Compound<'a> {
    bytes: &'a [u8],
    shift: u32,
    fat: Vec<u32>,
    minifat: Vec<u32>,
    mini_stream: Vec<u8>,
    cutoff: u64,
}

impl<'a> Compound<'a> {
    fn open(bytes: &'a [u8]) -> Result<Compound<'a>, Message> {
        let h = |at| u32_at(bytes, at).ok_or(DAMAGED);
        let shift = u32::from(u16_at(bytes, 30).ok_or(DAMAGED)?);
        if shift != 9 && shift != 12 {
            return Err(DAMAGED);
        }
        let size = 1usize << shift;
        let sectors = bytes.len() / size + 1;
        let mut c = Compound {
            bytes,
            shift,
            fat: Vec::new(),
            minifat: Vec::new(),
            mini_stream: Vec::new(),
            cutoff: u64::from(h(56)?),
        };
        // The sectors of the FAT: 109 listed in the header, the rest in a
        // chain of DIFAT sectors, each ending with the next one's number.
        let n_fat = h(44)? as usize;
        if n_fat > sectors {
            return Err(DAMAGED);
        }
        let mut fat_sectors: Vec<u32> = (0..109.min(n_fat))
            .map(|i| h(76 + 4 * i))
            .collect::<Result<_, _>>()?;
        let mut difat = h(68)?;
        let mut hops = 0;
        while fat_sectors.len() < n_fat && difat < END_OF_CHAIN {
            hops += 1;
            if hops > sectors {
                return Err(DAMAGED);
            }
            let s = c.sector(difat)?;
            let per = size / 4 - 1;
            for i in 0..per {
                if fat_sectors.len() < n_fat {
                    fat_sectors.push(u32_at(s, 4 * i).ok_or(DAMAGED)?);
                }
            }
            difat = u32_at(s, 4 * per).ok_or(DAMAGED)?;
        }
        let mut fat = Vec::with_capacity(fat_sectors.len() * size / 4);
        for s in fat_sectors {
            let sector = c.sector(s)?;
            fat.extend(
                sector
                    .chunks_exact(4)
                    .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]])),
            );
        }
        c.fat = fat;
        // The mini FAT and the mini stream (the root entry's stream) hold
        // the streams smaller than the cutoff, in 64-byte sectors.
        let minifat_bytes = c.chain_bytes(h(60)?, u64::MAX)?;
        c.minifat = minifat_bytes
            .chunks_exact(4)
            .map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
            .collect();
        Ok(c)
    }

    /// Sector `id`'s bytes (the last one of a file cut short may be
    /// shorter).
    fn sector(&self, id: u32) -> Result<&'a [u8], Message> {
        let size = 1usize << self.shift;
        let start = (id as usize + 1)
            .checked_mul(size)
            .filter(|s| *s < self.bytes.len())
            .ok_or(DAMAGED)?;
        Ok(&self.bytes[start..(start + size).min(self.bytes.len())])
    }

    /// The bytes of the chain of big sectors from `start`, at most `size`.
    fn chain_bytes(&self, start: u32, size: u64) -> Result<Vec<u8>, Message> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0usize;
        // A chain visits each sector of the file at most once: one that
        // loops is damaged (and would otherwise fill memory).
        let sectors = self.bytes.len() >> self.shift;
        while id < END_OF_CHAIN && (out.len() as u64) < size {
            hops += 1;
            if hops > sectors + 1 {
                return Err(DAMAGED);
            }
            out.extend_from_slice(self.sector(id)?);
            id = *self.fat.get(id as usize).ok_or(DAMAGED)?;
        }
        if (out.len() as u64) > size {
            out.truncate(size as usize);
        }
        Ok(out)
    }

    /// The bytes of the chain of mini sectors from `start`, `size` of them.
    fn mini_chain_bytes(&self, start: u32, size: u64) -> Result<Vec<u8>, Message> {
        let mut out = Vec::new();
        let mut id = start;
        let mut hops = 0usize;
        let sectors = self.mini_stream.len() / 64;
        while id < END_OF_CHAIN && (out.len() as u64) < size {
            hops += 1;
            if hops > sectors + 1 {
                return Err(DAMAGED);
            }
            let at = id as usize * 64;
            let s = self.mini_stream.get(at..at + 64).ok_or(DAMAGED)?;
            out.extend_from_slice(s);
            id = *self.minifat.get(id as usize).ok_or(DAMAGED)?;
        }
        out.truncate(size.min(out.len() as u64) as usize);
        Ok(out)
    }

    /// The stream named `wanted` (case aside), if the directory has one.
    fn stream(&mut self, wanted: &[&str]) -> Result<Option<(String, Vec<u8>)>, Message> {
        let dir = self.chain_bytes(u32_at(self.bytes, 48).ok_or(DAMAGED)?, u64::MAX)?;
        let mut found = None;
        for (i, entry) in dir.chunks_exact(128).enumerate() {
            let len = (u16_at(entry, 64).unwrap_or(0) as usize).min(64);
            let units: Vec<u16> = entry[..len.saturating_sub(2)]
                .chunks_exact(2)
                .map(|x| u16::from_le_bytes([x[0], x[1]]))
                .collect();
            let name = String::from_utf16_lossy(&units);
            let kind = entry[66];
            let start = u32_at(entry, 116).unwrap_or(END_OF_CHAIN);
            // The size's high half is only meaningful in 4096-byte files.
            let size = if self.shift == 12 {
                u64::from(u32_at(entry, 120).unwrap_or(0))
                    | (u64::from(u32_at(entry, 124).unwrap_or(0)) << 32)
            } else {
                u64::from(u32_at(entry, 120).unwrap_or(0))
            };
            if i == 0 && kind == 5 {
                self.mini_stream = self.chain_bytes(start, size)?;
            } else if kind == 2
                && found.is_none()
                && wanted.iter().any(|w| name.eq_ignore_ascii_case(w))
            {
                found = Some((name, start, size));
            }
        }
        let Some((name, start, size)) = found else {
            return Ok(None);
        };
        let bytes = if size < self.cutoff {
            self.mini_chain_bytes(start, size)?
        } else {
            self.chain_bytes(start, size)?
        };
        Ok(Some((name, bytes)))
    }
}

/// The BIFF records of a stream from `at`: `(type, data)`.
fn records(stream: &[u8], mut at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let kind = u16_at(stream, at)?;
        let len = u16_at(stream, at + 2)? as usize;
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((kind, data))
    })
}

/// The workbook's globals: its sheets, shared strings and date formats.
struct Globals {
    sheets: Vec<(String, usize)>,
    strings: Vec<String>,
    /// Whether each cell format (XF) shows a date.
    xf_is_date: Vec<bool>,
    date_1904: bool,
}

/// Bytes read across a record and the CONTINUE records after it.
struct Pieces<'a> {
    pieces: Vec<&'a [u8]>,
    i: usize,
    at: usize,
}

impl Pieces<'_> {
    fn byte(&mut self) -> Option<u8> {
        while self.at >= self.pieces.get(self.i)?.len() {
            self.i += 1;
            self.at = 0;
        }
        let b = self.pieces[self.i][self.at];
        self.at += 1;
        Some(b)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes([self.byte()?, self.byte()?]))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes([
            self.byte()?,
            self.byte()?,
            self.byte()?,
            self.byte()?,
        ]))
    }

    fn skip(&mut self, mut n: usize) -> Option<()> {
        while n > 0 {
            let piece = self.pieces.get(self.i)?;
            let here = (piece.len() - self.at.min(piece.len())).min(n);
            if here == 0 {
                self.i += 1;
                self.at = 0;
                continue;
            }
            self.at += here;
            n -= here;
        }
        Some(())
    }

    /// `count` characters, one byte each (Latin-1) or two (UTF-16); where
    /// a piece ends within them, the next starts with a new flags byte.
    fn chars(&mut self, count: usize, mut wide: bool) -> Option<String> {
        let mut units: Vec<u16> = Vec::with_capacity(count.min(32_768));
        while units.len() < count {
            let piece = self.pieces.get(self.i)?;
            if self.at >= piece.len() {
                self.i += 1;
                self.at = 0;
                wide = self.byte()? & 1 == 1;
                continue;
            }
            let rest = &piece[self.at..];
            let need = count - units.len();
            if wide {
                let take = (rest.len() / 2).min(need);
                if take == 0 {
                    // Half a character at a piece's end: a damaged string.
                    return None;
                }
                units.extend(
                    rest[..2 * take]
                        .chunks_exact(2)
                        .map(|x| u16::from_le_bytes([x[0], x[1]])),
                );
                self.at += 2 * take;
            } else {
                let take = rest.len().min(need);
                units.extend(rest[..take].iter().map(|b| u16::from(*b)));
                self.at += take;
            }
        }
        Some(String::from_utf16_lossy(&units))
    }

    /// A string with a 16-bit length and its flags (rich-text runs and
    /// phonetic data skipped).
    fn rich_string(&mut self) -> Option<String> {
        let count = self.u16()? as usize;
        let flags = self.byte()?;
        let runs = if flags & 0x08 != 0 {
            self.u16()? as usize
        } else {
            0
        };
        let ext = if flags & 0x04 != 0 {
            self.u32()? as usize
        } else {
            0
        };
        let text = self.chars(count, flags & 1 == 1)?;
        self.skip(4 * runs)?;
        self.skip(ext)?;
        Some(text)
    }
}

/// A string of one record: a length of `len_bytes` bytes, a flags byte,
/// the characters.
fn short_string(data: &[u8], at: usize, len_bytes: usize) -> Option<String> {
    let count = match len_bytes {
        1 => usize::from(*data.get(at)?),
        _ => u16_at(data, at)? as usize,
    };
    let mut p = Pieces {
        pieces: vec![data.get(at + len_bytes..)?],
        i: 0,
        at: 0,
    };
    let flags = p.byte()?;
    p.chars(count, flags & 1 == 1)
}

/// Whether an Excel number format shows a date or a time: the built-in
/// ones by number, the others by their letters outside quotes, brackets
/// and escapes.
pub(crate) fn format_is_date(id: u16, code: Option<&str>) -> bool {
    if let Some(code) = code {
        let mut plain = String::new();
        let mut chars = code.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    for q in chars.by_ref() {
                        if q == '"' {
                            break;
                        }
                    }
                }
                '[' => {
                    // [h], [mm], [ss] are elapsed times; [Red] or [$-40C] are not.
                    let inner: String = chars.by_ref().take_while(|q| *q != ']').collect();
                    if inner
                        .chars()
                        .all(|q| matches!(q, 'h' | 'H' | 'm' | 'M' | 's' | 'S'))
                    {
                        plain.push_str(&inner);
                    }
                }
                '\\' | '_' | '*' => {
                    chars.next();
                }
                c => plain.push(c),
            }
        }
        let section = plain.split(';').next().unwrap_or("");
        if section.eq_ignore_ascii_case("general") {
            return false;
        }
        return section
            .chars()
            .any(|c| matches!(c.to_ascii_lowercase(), 'd' | 'm' | 'y' | 'h' | 's'));
    }
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

fn globals(stream: &[u8]) -> Result<Globals, Message> {
    let mut g = Globals {
        sheets: Vec::new(),
        strings: Vec::new(),
        xf_is_date: Vec::new(),
        date_1904: false,
    };
    let mut formats: Vec<(u16, String)> = Vec::new();
    let mut xf_formats: Vec<u16> = Vec::new();
    let mut all: Vec<(u16, &[u8])> = Vec::new();
    for (kind, data) in records(stream, 0) {
        all.push((kind, data));
        if kind == 0x000A {
            break;
        }
    }
    match all.first() {
        Some((0x0809, data)) if u16_at(data, 0) == Some(0x0600) => {}
        Some((0x0809, _)) | Some((0x0009 | 0x0209 | 0x0409, _)) => {
            return Err(Message::new(
                "engine.it_is_an_excel_5_0_95_or_older_workbook_which_is_not_read_here_open_it_in_excel_or_libreoffice_and_save_it_as_xlsx",
            ));
        }
        _ => return Err(DAMAGED),
    }
    for (i, &(kind, data)) in all.iter().enumerate() {
        match kind {
            0x002F => {
                return Err(Message::new(
                    "engine.it_is_protected_by_a_password_open_it_remove_the_password_and_save_it_again",
                ));
            }
            0x0022 => g.date_1904 = u16_at(data, 0) == Some(1),
            0x041E => {
                if let (Some(id), Some(code)) = (u16_at(data, 0), short_string(data, 2, 2)) {
                    formats.push((id, code));
                }
            }
            0x00E0 => xf_formats.push(u16_at(data, 2).unwrap_or(0)),
            0x0085 => {
                let (Some(at), Some(&dt)) = (u32_at(data, 0), data.get(5)) else {
                    continue;
                };
                if dt == 0 {
                    let name = short_string(data, 6, 1).unwrap_or_default();
                    g.sheets.push((name, at as usize));
                }
            }
            0x00FC => {
                let mut pieces = vec![data];
                pieces.extend(
                    all[i + 1..]
                        .iter()
                        .take_while(|(k, _)| *k == 0x003C)
                        .map(|(_, d)| *d),
                );
                let mut p = Pieces {
                    pieces,
                    i: 0,
                    at: 0,
                };
                let _total = p.u32();
                let unique = p.u32().unwrap_or(0) as usize;
                // Each string takes at least three bytes.
                let bound = stream.len() / 3 + 1;
                for _ in 0..unique.min(bound) {
                    match p.rich_string() {
                        Some(s) => g.strings.push(s),
                        None => break,
                    }
                }
            }
            _ => {}
        }
    }
    g.xf_is_date = xf_formats
        .iter()
        .map(|id| {
            let code = formats
                .iter()
                .find(|(f, _)| f == id)
                .map(|(_, c)| c.as_str());
            format_is_date(*id, code)
        })
        .collect();
    Ok(g)
}

/// A serial date of the workbook's date system as an ISO date, with the
/// time of day when it has one.
pub(crate) fn serial_date(serial: f64, date_1904: bool) -> Option<String> {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let whole = serial.floor();
    // 1900 system: serial 1 is 1900-01-01 and Excel counts a 29 February
    // 1900 that never was (serial 60); later serials are days since
    // 1899-12-30.
    let day = if date_1904 {
        crate::model::date::days_from_civil(1904, 1, 1) + whole as i32
    } else if whole >= 61.0 {
        crate::model::date::days_from_civil(1899, 12, 30) + whole as i32
    } else if whole >= 1.0 {
        crate::model::date::days_from_civil(1899, 12, 31) + whole as i32
    } else {
        return None;
    };
    let seconds = ((serial - whole) * 86_400.0).round() as i64;
    let date = crate::model::date::format_iso(day);
    if seconds == 0 {
        Some(date)
    } else if seconds >= 86_400 {
        Some(crate::model::date::format_iso(day + 1))
    } else {
        Some(format!(
            "{date} {:02}:{:02}:{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        ))
    }
}

/// An RK number: a packed integer or the high half of a double, perhaps
/// times 100.
fn rk(v: u32) -> f64 {
    let x = if v & 2 != 0 {
        f64::from((v as i32) >> 2)
    } else {
        f64::from_bits(u64::from(v & 0xFFFF_FFFC) << 32)
    };
    if v & 1 != 0 { x / 100.0 } else { x }
}

/// A row of a sheet: its number from 1, and its non-empty cells as
/// `(column, text)` in column order.
pub(crate) type SparseRow = (usize, Vec<(usize, String)>);

/// An old Excel workbook, open.
pub struct Workbook {
    stream: Vec<u8>,
    globals: Globals,
}

impl Workbook {
    /// Opens the workbook in `bytes`, or says why it cannot be read.
    pub fn open(bytes: &[u8]) -> Result<Workbook, Message> {
        let mut compound = Compound::open(bytes)?;
        let Some((name, stream)) = compound.stream(&["Workbook", "Book"])? else {
            return Err(Message::new(
                "engine.it_is_an_office_file_but_not_an_excel_workbook_no_workbook_inside_a_word_document",
            ));
        };
        if name.eq_ignore_ascii_case("Book") {
            return Err(Message::new(
                "engine.it_is_an_excel_5_0_95_workbook_which_is_not_read_here_open_it_in_excel_or_libreoffice_and_save_it_as_xlsx",
            ));
        }
        let globals = globals(&stream)?;
        Ok(Workbook { stream, globals })
    }

    /// The names of the workbook's sheets, in order (charts and macro
    /// sheets aside).
    pub fn sheet_names(&self) -> Vec<String> {
        self.globals.sheets.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Sheet `index`'s rows, `(row number from 1, its cells as (column,
    /// text))`, in order; refused when its text would pass `budget` bytes
    /// (a long string repeated in many cells).
    pub fn rows(&self, index: usize, budget: usize) -> Result<Vec<SparseRow>, Message> {
        let &(_, at) = self
            .globals
            .sheets
            .get(index)
            .ok_or_else(|| Message::new("engine.it_is_an_excel_workbook_without_a_sheet"))?;
        let g = &self.globals;
        let number = |xf: u16, x: f64| -> String {
            if g.xf_is_date.get(xf as usize).copied().unwrap_or(false)
                && let Some(d) = serial_date(x, g.date_1904)
            {
                return d;
            }
            if x.is_finite() {
                format!("{x}")
            } else {
                String::new()
            }
        };
        let mut rows: std::collections::BTreeMap<u16, std::collections::BTreeMap<u16, String>> =
            Default::default();
        let written = std::cell::Cell::new(0usize);
        let mut put = |row: u16, col: u16, text: String| {
            // Excel 97 to 2003 sheets have 256 columns.
            if col >= MAX_COLUMNS || text.is_empty() {
                return;
            }
            written.set(written.get() + text.len() + 1);
            rows.entry(row).or_default().insert(col, text);
        };
        let mut pending: Option<(u16, u16)> = None;
        let mut first = true;
        for (kind, d) in records(&self.stream, at) {
            if first {
                if kind != 0x0809 {
                    return Err(DAMAGED);
                }
                first = false;
                continue;
            }
            let (row, col, xf) = (
                u16_at(d, 0).unwrap_or(0),
                u16_at(d, 2).unwrap_or(0),
                u16_at(d, 4).unwrap_or(0),
            );
            match kind {
                // The sheet's end.
                0x000A => break,
                // A shared string.
                0x00FD => {
                    let s = u32_at(d, 6)
                        .and_then(|i| g.strings.get(i as usize))
                        .cloned()
                        .unwrap_or_default();
                    put(row, col, s);
                }
                // A number.
                0x0203 => {
                    if let Some(b) = d.get(6..14) {
                        let x = f64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                        put(row, col, number(xf, x));
                    }
                }
                // A packed number, and a run of them.
                0x027E => {
                    if let Some(v) = u32_at(d, 6) {
                        put(row, col, number(xf, rk(v)));
                    }
                }
                0x00BD => {
                    let count = d.len().saturating_sub(6) / 6;
                    for i in 0..count {
                        let (Some(xf), Some(v)) = (u16_at(d, 4 + 6 * i), u32_at(d, 6 + 6 * i))
                        else {
                            break;
                        };
                        put(row, col.saturating_add(i as u16), number(xf, rk(v)));
                    }
                }
                // Text written in the cell (older writers) and rich text.
                0x0204 | 0x00D6 => put(row, col, short_string(d, 6, 2).unwrap_or_default()),
                // A yes/no or an error value.
                0x0205 => put(row, col, bool_or_error(d.get(6), d.get(7))),
                // A formula, by its last value; text follows in a STRING record.
                0x0006 => {
                    let Some(v) = d.get(6..14) else { continue };
                    if v[6] == 0xFF && v[7] == 0xFF {
                        match v[0] {
                            0 => pending = Some((row, col)),
                            1 => put(
                                row,
                                col,
                                if v[2] != 0 {
                                    "TRUE".into()
                                } else {
                                    "FALSE".into()
                                },
                            ),
                            2 => put(row, col, bool_or_error(Some(&v[2]), Some(&1))),
                            _ => put(row, col, String::new()),
                        }
                    } else {
                        let x = f64::from_le_bytes(v.try_into().unwrap_or([0; 8]));
                        put(row, col, number(xf, x));
                    }
                }
                0x0207 => {
                    if let Some((r, c)) = pending.take() {
                        put(r, c, short_string(d, 0, 2).unwrap_or_default());
                    }
                }
                _ => {}
            }
            if written.get() > budget {
                return Err(crate::import::parts::TOO_BIG);
            }
        }
        Ok(rows
            .into_iter()
            .map(|(r, cells)| {
                let cells = cells
                    .into_iter()
                    .map(|(c, t)| (usize::from(c), t))
                    .collect();
                (usize::from(r) + 1, cells)
            })
            .collect())
    }
}

/// A BOOLERR cell's text: `TRUE`/`FALSE`, or the error as Excel shows it.
fn bool_or_error(value: Option<&u8>, is_error: Option<&u8>) -> String {
    let v = value.copied().unwrap_or(0);
    if is_error.copied().unwrap_or(0) == 0 {
        return if v != 0 { "TRUE" } else { "FALSE" }.into();
    }
    match v {
        0x00 => "#NULL!",
        0x07 => "#DIV/0!",
        0x0F => "#VALUE!",
        0x17 => "#REF!",
        0x1D => "#NAME?",
        0x24 => "#NUM!",
        _ => "#N/A",
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rk_numbers_unpack() {
        // Integer 1234, integer 1234 ÷ 100, and the double 1.5's high half.
        assert_eq!(rk((1234 << 2) | 2), 1234.0);
        assert_eq!(rk((1234 << 2) | 3), 12.34);
        assert_eq!(rk(((-7i32) << 2) as u32 | 2), -7.0);
        let high = (1.5f64.to_bits() >> 32) as u32;
        assert_eq!(rk(high), 1.5);
    }

    #[test]
    fn serial_dates_follow_excel() {
        // Excel shows serial 1 as 1900-01-01, 59 as 1900-02-28, 61 as
        // 1900-03-01 and 45292 as 2024-01-01; in the 1904 system serial 0
        // is 1904-01-01.
        assert_eq!(serial_date(1.0, false).as_deref(), Some("1900-01-01"));
        assert_eq!(serial_date(59.0, false).as_deref(), Some("1900-02-28"));
        assert_eq!(serial_date(61.0, false).as_deref(), Some("1900-03-01"));
        assert_eq!(serial_date(45292.0, false).as_deref(), Some("2024-01-01"));
        assert_eq!(
            serial_date(45292.75, false).as_deref(),
            Some("2024-01-01 18:00:00")
        );
        assert_eq!(serial_date(0.0, true).as_deref(), Some("1904-01-01"));
    }

    #[test]
    fn date_formats_are_told_from_number_formats() {
        assert!(format_is_date(14, None));
        assert!(!format_is_date(2, None));
        assert!(format_is_date(164, Some("dd/mm/yyyy")));
        assert!(format_is_date(165, Some("[$-40C]d mmmm yyyy")));
        assert!(format_is_date(166, Some("[h]:mm")));
        assert!(!format_is_date(167, Some("#,##0.00 \"€\"")));
        assert!(!format_is_date(168, Some("[Red]0.00;\\-0.00")));
        assert!(!format_is_date(169, Some("General")));
        assert!(!format_is_date(170, Some("0.00 \"days\"")));
    }

    #[test]
    fn strings_continue_across_pieces_with_new_flags() {
        // "héllo" starts as one-byte characters and goes on, after a piece
        // break, as two-byte ones (the new piece's first byte is its flags).
        let a: &[u8] = &[5, 0, 0, b'h', 0xE9];
        let b: &[u8] = &[1, b'l', 0, b'l', 0, b'o', 0];
        let mut p = Pieces {
            pieces: vec![a, b],
            i: 0,
            at: 0,
        };
        assert_eq!(p.rich_string().as_deref(), Some("héllo"));
    }

    #[test]
    fn a_chain_of_sectors_that_loops_is_refused() {
        // A header whose FAT (sector 0) makes sector 1 point at itself, and
        // whose directory starts at sector 1: a loop, not an endless read.
        let mut bytes = SIGNATURE.to_vec();
        bytes.resize(512 * 3, 0);
        bytes[30] = 9; // 512-byte sectors
        bytes[44] = 1; // one FAT sector
        bytes[48] = 1; // the directory at sector 1
        bytes[56..60].copy_from_slice(&4096u32.to_le_bytes());
        bytes[60..64].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        bytes[68..72].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        bytes[76..80].copy_from_slice(&0u32.to_le_bytes());
        // The FAT: sector 0 is the FAT itself, sector 1 points at itself.
        let fat = 512;
        bytes[fat..fat + 4].copy_from_slice(&0xFFFF_FFFDu32.to_le_bytes());
        bytes[fat + 4..fat + 8].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(Workbook::open(&bytes).err(), Some(DAMAGED));
    }

    #[test]
    fn damaged_files_are_refused_not_looped() {
        let mut bytes = SIGNATURE.to_vec();
        bytes.resize(2048, 0);
        bytes[30] = 9;
        assert!(Workbook::open(&bytes).is_err());
        bytes[30] = 3;
        assert!(Workbook::open(&bytes).is_err());
        assert!(Workbook::open(&SIGNATURE).is_err());
    }
}
