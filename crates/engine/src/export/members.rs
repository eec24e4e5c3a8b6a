//! The members of one segment or several written as a file: the chosen
//! columns, the predictions, the consent filter and the holdout, with
//! progress steps for long lists.

use super::*;

/// An export ready to download.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    /// The file's bytes: CSV in UTF-8 with a byte-order mark (for Excel), or
    /// an Excel workbook.
    pub bytes: Vec<u8>,
    /// Customers written.
    pub rows: u64,
    /// Customers left out because the layout needs an e-mail address and
    /// they have none.
    pub without_email: u64,
    /// Customers held out as a control group (not in the file).
    #[serde(default)]
    pub held_out: u64,
    /// Customers left out because they did not agree to marketing or
    /// unsubscribed ([`without_consent`]).
    #[serde(default)]
    pub without_consent: u64,
    /// With a control group: every customer the file could hold, by key,
    /// and whether they were held out (the campaign's audience, kept in the
    /// project to measure it later).
    #[serde(default)]
    pub audience: Vec<(String, bool)>,
}

/// Writes the members of the chosen segments (indices into the result's
/// segment names), with a segment column.
pub fn members(
    data: &Dataset,
    result: &RfmResult,
    segments: &[usize],
    options: &ExportOptions,
) -> Export {
    members_steps(data, result, segments, options, None, &mut |_, _| {})
}

/// [`members`], with the predictions' columns when given, telling
/// `on_step` the customers written so far and in all as it goes.
pub fn members_steps(
    data: &Dataset,
    result: &RfmResult,
    segments: &[usize],
    options: &ExportOptions,
    predicted: Option<Predicted<'_>>,
    on_step: &mut dyn FnMut(usize, usize),
) -> Export {
    let in_segments = |segment: u16| segments.contains(&usize::from(segment));
    let total = result
        .rows
        .iter()
        .filter(|r| in_segments(r.segment))
        .count();
    let picked = result
        .rows
        .iter()
        .filter(|row| in_segments(row.segment))
        .map(|row| {
            (
                row.values.customer as usize,
                result.segment_names[row.segment as usize].clone(),
                Some(row),
            )
        });
    write(
        data,
        picked,
        total,
        result.as_of,
        options,
        predicted,
        on_step,
    )
}

/// Writes the members of saved segments (prospects included), once each,
/// with the names of the given segments they are in in the segment column
/// and, for customers with orders, their RFM values from `result`.
#[cfg(test)]
pub(crate) fn set_members(
    data: &Dataset,
    result: &RfmResult,
    sets: &[(String, Bitmap)],
    options: &ExportOptions,
) -> Export {
    set_members_steps(data, result, sets, options, None, &mut |_, _| {})
}

/// The members of saved segments (prospects included), once each, with
/// the predictions' columns when given, telling `on_step` the customers written so far and in all as it goes.
pub fn set_members_steps(
    data: &Dataset,
    result: &RfmResult,
    sets: &[(String, Bitmap)],
    options: &ExportOptions,
    predicted: Option<Predicted<'_>>,
    on_step: &mut dyn FnMut(usize, usize),
) -> Export {
    let n = data.orders.customer_keys.len();
    let mut row_of = vec![None; n];
    for row in &result.rows {
        row_of[row.values.customer as usize] = Some(row);
    }
    let mut union = Bitmap::empty(n);
    for (_, set) in sets {
        union.or(set);
    }
    write(
        data,
        union.iter().map(|c| {
            let names: Vec<&str> = sets
                .iter()
                .filter(|(_, s)| s.contains(c))
                .map(|(name, _)| name.as_str())
                .collect();
            (c, names.join(", "), row_of.get(c).copied().flatten())
        }),
        union.count() as usize,
        result.as_of,
        options,
        predicted,
        on_step,
    )
}

/// Each customer's last ordered category before `as_of` (the latest
/// day's, the later row on a tie; refunds and rows without a category
/// aside), [`NO_CATEGORY`] for none.
pub(super) fn last_categories(orders: &crate::Orders, as_of: Day) -> Vec<u32> {
    let mut out = vec![(Day::MIN, NO_CATEGORY); orders.customer_keys.len()];
    for i in 0..orders.len() {
        let (day, category) = (orders.day[i], orders.category[i]);
        let slot = &mut out[orders.customer[i] as usize];
        if day < as_of && orders.amount[i] >= 0.0 && category != NO_CATEGORY && day >= slot.0 {
            *slot = (day, category);
        }
    }
    out.into_iter().map(|(_, k)| k).collect()
}

/// The likely date of the next order, `days` after `as_of`; empty when it
/// is more than ten years away (the models see no likely next order).
pub(super) fn next_order_date(as_of: Day, days: u32) -> String {
    match Day::try_from(days) {
        Ok(d) if d <= 3653 => crate::model::date::format_iso(as_of + d),
        _ => String::new(),
    }
}

/// Steps told while writing: about one every 2% of the customers.
pub(super) const STEPS: usize = 50;

pub(super) fn write<'a>(
    data: &Dataset,
    picked: impl Iterator<Item = (usize, String, Option<&'a RfmRow>)>,
    total: usize,
    as_of: Day,
    options: &ExportOptions,
    predicted: Option<Predicted<'_>>,
    on_step: &mut dyn FnMut(usize, usize),
) -> Export {
    let every = total.div_ceil(STEPS).max(1);
    let layout = options.layout;
    let n = data.orders.customer_keys.len();
    let contact = data.customers.as_ref().map(|c| (c, c.row_of(n)));
    let categories = !data.orders.categories.is_empty();
    let available = columns_available(data, predicted.is_some());
    let defaults = Layout::Plain.header().len();
    let own = own_columns(categories, predicted.is_some()).len();
    let last_category = if categories {
        last_categories(&data.orders, as_of)
    } else {
        Vec::new()
    };
    let category_of = |c: usize| match last_category[c] {
        NO_CATEGORY => String::new(),
        k => data.orders.categories[k as usize].clone(),
    };
    let mut prediction_of: Vec<Option<&CustomerPrediction>> = vec![None; n];
    for c in predicted.iter().flat_map(|p| p.customers) {
        if let Some(slot) = prediction_of.get_mut(c.customer as usize) {
            *slot = Some(c);
        }
    }
    // The chosen columns as indices into `available`.
    let chosen: Vec<usize> = if layout == Layout::Plain && !options.columns.is_empty() {
        options
            .columns
            .iter()
            .filter_map(|c| available.iter().position(|a| a.eq_ignore_ascii_case(c)))
            .collect()
    } else {
        (0..defaults).collect()
    };
    let header: Vec<String> = if layout == Layout::Plain {
        chosen.iter().map(|i| available[*i].clone()).collect()
    } else {
        layout
            .columns(categories)
            .iter()
            .map(|h| h.to_string())
            .collect()
    };
    let attribute_at: Vec<Option<usize>> = available[own..]
        .iter()
        .map(|name| {
            contact
                .as_ref()
                .and_then(|(t, _)| t.attribute_names.iter().position(|a| a == name))
        })
        .collect();
    let mut table: Vec<Vec<String>> = Vec::new();
    let (mut rows, mut without_email) = (0, 0);
    // Who can be written (an e-mail tool's layout needs an address), and
    // of them who is held out.
    let contact_of = |c: usize| {
        let key = &data.orders.customer_keys[c];
        let at = contact.as_ref().and_then(|(_, at)| at[c]);
        let (mut email, first, last) = match (&contact, at) {
            (Some((t, _)), Some(i)) => (
                t.email[i].clone(),
                t.first_name[i].clone(),
                t.last_name[i].clone(),
            ),
            _ => (String::new(), String::new(), String::new()),
        };
        if email.is_empty() && key.contains('@') {
            email = key.clone();
        }
        (at, email, first, last)
    };
    // Whether `contact_of(c)` would give an address, without copying it.
    let addressable = |c: usize| {
        let listed = contact
            .as_ref()
            .and_then(|(t, at)| at[c].map(|i| !t.email[i].is_empty()));
        listed == Some(true) || data.orders.customer_keys[c].contains('@')
    };
    let picked: Vec<(usize, String, Option<&RfmRow>)> = picked.collect();
    let has_address: Vec<bool> = picked
        .iter()
        .map(|(c, _, _)| layout == Layout::Plain || addressable(*c))
        .collect();
    let refused = if options.include_without_consent {
        vec![false; n]
    } else {
        without_consent(data)
    };
    let writable: Vec<bool> = picked
        .iter()
        .zip(&has_address)
        .map(|((c, _, _), a)| *a && !refused[*c])
        .collect();
    let mut not_consenting = 0;
    let held: Vec<bool> = match options.holdout {
        None => vec![false; picked.len()],
        Some(h) => {
            let mut drawn = h.draw(writable.iter().filter(|w| **w).count()).into_iter();
            writable
                .iter()
                .map(|w| *w && drawn.next().unwrap_or(false))
                .collect()
        }
    };
    let audience: Vec<(String, bool)> = match options.holdout {
        None => Vec::new(),
        Some(_) => picked
            .iter()
            .zip(&writable)
            .zip(&held)
            .filter(|((_, w), _)| **w)
            .map(|(((c, _, _), _), h)| (data.orders.customer_keys[*c].clone(), *h))
            .collect(),
    };
    let held_out = held.iter().filter(|h| **h).count() as u64;
    let mut hashed_seen = std::collections::HashSet::new();
    for (i, (c, segment, row)) in picked.into_iter().enumerate() {
        if i % every == 0 {
            on_step(i, total);
        }
        let key = &data.orders.customer_keys[c];
        if !has_address[i] {
            without_email += 1;
            continue;
        }
        if !writable[i] {
            not_consenting += 1;
            continue;
        }
        if held[i] {
            continue;
        }
        let (at, email, first, last) = contact_of(c);
        let cells: Vec<String> = if layout == Layout::Plain {
            let mut all = vec![key.clone(), email, first, last, segment];
            match row {
                Some(row) => all.extend([
                    row.values.recency_days.to_string(),
                    row.values.frequency.to_string(),
                    format!("{:.2}", row.values.monetary),
                    row.r.to_string(),
                    row.f.to_string(),
                    row.m.to_string(),
                ]),
                None => all.extend(std::iter::repeat_n(String::new(), 6)),
            }
            if categories {
                all.push(category_of(c));
            }
            if let Some(p) = predicted {
                match prediction_of[c] {
                    Some(x) => all.extend([
                        format!("{:.1}", 100.0 * x.p_alive),
                        format!("{:.1}", 100.0 * x.order_within_7_days),
                        format!("{:.1}", 100.0 * x.order_within_30_days),
                        next_order_date(p.as_of, x.days_to_next_order),
                        format!("{:.2}", x.clv),
                    ]),
                    None => {
                        all.extend(std::iter::repeat_n(String::new(), PREDICTION_COLUMNS.len()))
                    }
                }
            }
            chosen
                .iter()
                .map(|i| match i.checked_sub(own) {
                    None => std::mem::take(&mut all[*i]),
                    Some(j) => match (&contact, at, attribute_at[j]) {
                        (Some((t, _)), Some(r), Some(a)) => t.attributes[r][a].clone(),
                        _ => String::new(),
                    },
                })
                .collect()
        } else if layout.is_audience() {
            let hashed = sha256_hex(&normalised_email(&email, layout));
            // One line per address: two customers sharing one are one
            // person to the platform.
            if !hashed_seen.insert(hashed.clone()) {
                continue;
            }
            vec![hashed]
        } else if categories {
            vec![email, first, last, category_of(c), segment]
        } else {
            vec![email, first, last, segment]
        };
        table.push(cells);
        rows += 1;
    }
    let bytes = if options.xlsx {
        crate::export::xlsx::workbook("Customers", &header, &table)
    } else {
        let d = options.delimiter;
        let sep = d.to_string();
        let mut out = String::from('\u{feff}');
        for line in std::iter::once(&header).chain(&table) {
            out.push_str(
                &line
                    .iter()
                    .map(|c| quote(c, d))
                    .collect::<Vec<_>>()
                    .join(&sep),
            );
            out.push_str("\r\n");
        }
        out.into_bytes()
    };
    on_step(total, total);
    Export {
        bytes,
        rows,
        without_email,
        held_out,
        without_consent: not_consenting,
        audience,
    }
}
