//! Which column plays which role: the header read against the roles,
//! the platform presets and the user's choices, and the date format chosen.

use super::*;

pub(super) fn looks_like_data(field: &str) -> bool {
    number::parse_amount(field, DecimalSeparator::Point).is_some()
        || date::detect(&[field]).is_some()
}

pub(super) fn plan(
    file: &str,
    options: &ImportOptions,
    encoding: Encoding,
    delimiter: Delimiter,
    preview: &[Vec<String>],
) -> Result<Plan, ImportError> {
    let first = &preview[0];
    let width = preview.iter().map(Vec::len).max().unwrap_or(0);
    let named = [Role::CustomerId, Role::OrderDate, Role::Amount]
        .iter()
        .any(|r| first.iter().any(|h| roles::name_score(*r, h) > 0));
    let has_header = named || (preview.len() > 1 && !first.iter().any(|f| looks_like_data(f)));
    let names: Vec<String> = (0..width)
        .map(|i| match first.get(i) {
            Some(h) if has_header && !h.trim().is_empty() => h.trim().to_string(),
            _ => format!("column {}", i + 1),
        })
        .collect();
    let data = if has_header { &preview[1..] } else { preview };
    let values = |col: usize| -> Vec<&str> {
        data.iter()
            .filter_map(|r| r.get(col).map(String::as_str))
            .filter(|v| !v.trim().is_empty())
            .collect()
    };

    let mut chosen: HashMap<Role, usize> = HashMap::new();
    for (role, col) in &options.map {
        let idx = match col {
            ColumnRef::Position(p) if *p <= width => p - 1,
            ColumnRef::Name(n) => names
                .iter()
                .position(|h| roles::normalise(h) == roles::normalise(n))
                .ok_or_else(|| ImportError::UnknownColumn {
                    file: file.to_string(),
                    column: n.clone(),
                })?,
            ColumnRef::Position(p) => {
                return Err(ImportError::UnknownColumn {
                    file: file.to_string(),
                    column: p.to_string(),
                });
            }
        };
        chosen.insert(*role, idx);
    }
    let taken = |chosen: &HashMap<Role, usize>, i: usize| chosen.values().any(|c| *c == i);
    let platform = has_header
        .then(|| crate::import::platform::detect(&names))
        .flatten();
    if let Some(p) = platform {
        for (role, header) in p.roles {
            if chosen.contains_key(role) {
                continue;
            }
            if let Some(i) =
                (0..width).find(|i| !taken(&chosen, *i) && roles::normalise(&names[*i]) == *header)
            {
                chosen.insert(*role, i);
            }
        }
    }
    if has_header {
        // The columns of order lines and statuses first, by their exact
        // names, so that `Lineitem price` is not taken for the total.
        for role in Role::OPTIONAL {
            // A platform's export says itself whether rows are lines.
            let lines_role = !matches!(role, Role::Status | Role::Refunded | Role::Phone);
            if chosen.contains_key(&role) || (platform.is_some() && lines_role) {
                continue;
            }
            if let Some(i) =
                (0..width).find(|i| !taken(&chosen, *i) && roles::name_score(role, &names[*i]) > 0)
            {
                chosen.insert(role, i);
            }
        }
    }
    // An order's value can come from its lines instead of a total.
    let from_lines = chosen.contains_key(&Role::OrderId)
        && (chosen.contains_key(&Role::LineTotal) || chosen.contains_key(&Role::UnitPrice));
    if has_header {
        for role in [Role::OrderDate, Role::Amount, Role::CustomerId] {
            if chosen.contains_key(&role) {
                continue;
            }
            // A platform whose orders are the sum of their lines says so:
            // no other column is their total (Square's items export has a
            // `Gross Sales` on each line).
            if role == Role::Amount
                && platform.is_some_and(|p| !p.roles.iter().any(|(r, _)| *r == Role::Amount))
            {
                continue;
            }
            // Beside lines, only a total named as such is the order's
            // (`Discount Amount` is not).
            let least = if role == Role::Amount && from_lines {
                3
            } else {
                1
            };
            let best = (0..width)
                .filter(|i| !taken(&chosen, *i))
                .map(|i| (roles::name_score(role, &names[i]), i))
                .filter(|(s, _)| *s >= least)
                .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)));
            if let Some((_, i)) = best {
                chosen.insert(role, i);
            }
        }
    }
    if !chosen.contains_key(&Role::OrderDate)
        && let Some(i) =
            (0..width).find(|i| !taken(&chosen, *i) && date::detect(&values(*i)).is_some())
    {
        chosen.insert(Role::OrderDate, i);
    }
    if !chosen.contains_key(&Role::Amount) && !from_lines {
        let numeric: Vec<(usize, bool)> = (0..width)
            .filter(|i| !taken(&chosen, *i))
            .filter_map(|i| {
                let vals = values(i);
                let dec = number::detect_decimal(&vals);
                let parsed: Vec<f64> = vals
                    .iter()
                    .filter_map(|v| number::parse_amount(v, dec))
                    .collect();
                let numeric = !vals.is_empty() && parsed.len() * 10 >= vals.len() * 9;
                numeric.then(|| (i, parsed.iter().any(|v| v.fract() != 0.0)))
            })
            .collect();
        let pick = numeric
            .iter()
            .rev()
            .find(|(_, frac)| *frac)
            .or(numeric.last())
            .map(|(i, _)| *i);
        if let Some(i) = pick {
            chosen.insert(Role::Amount, i);
        }
    }
    if !chosen.contains_key(&Role::CustomerId)
        && let Some(i) = (0..width).find(|i| !taken(&chosen, *i) && !values(*i).is_empty())
    {
        chosen.insert(Role::CustomerId, i);
    }
    let missing: Vec<Role> = [Role::CustomerId, Role::OrderDate, Role::Amount]
        .into_iter()
        .filter(|r| !(chosen.contains_key(r) || (*r == Role::Amount && from_lines)))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            file: file.to_string(),
            missing,
            columns: if has_header { names } else { Vec::new() },
        });
    }
    let (customer, date_col, amount) = (
        chosen[&Role::CustomerId],
        chosen[&Role::OrderDate],
        chosen.get(&Role::Amount).copied(),
    );
    let role_of = |i: usize| chosen.iter().find(|(_, c)| **c == i).map(|(r, _)| *r);
    // An optional product category, by its header only.
    let category = has_header
        .then(|| (0..width).find(|i| role_of(*i).is_none() && roles::is_category_name(&names[*i])))
        .flatten();
    let named = |is: fn(&str) -> bool| {
        has_header
            .then(|| (0..width).find(|i| role_of(*i).is_none() && is(&names[*i])))
            .flatten()
    };
    let cancelled_at = named(roles::is_cancelled_at_name);
    let lines = chosen.get(&Role::OrderId).copied().and_then(|order_id| {
        let (quantity, unit_price, line_total) = (
            chosen.get(&Role::Quantity).copied(),
            chosen.get(&Role::UnitPrice).copied(),
            chosen.get(&Role::LineTotal).copied(),
        );
        // Order lines when the file has lines' columns, or when ids
        // repeat in the sample on rows that differ (a row repeated whole
        // is a duplicate, reported as such), on at least 2% of its rows (a
        // stray repeat is a mistake in a file of orders); otherwise every
        // row is an order already, read on the quicker path.
        let ids = values(order_id);
        let repeats = {
            let mut seen: HashMap<&str, &Vec<String>> = HashMap::new();
            let continued = data
                .iter()
                .filter(|row| {
                    let id = row.get(order_id).map_or("", |v| v.trim());
                    !id.is_empty() && seen.insert(id, row).is_some_and(|earlier| earlier != *row)
                })
                .count();
            continued >= 2 && continued * 50 >= data.len()
        };
        let line_columns = quantity.is_some() || unit_price.is_some() || line_total.is_some();
        (repeats || line_columns || amount.is_none()).then(|| {
            let mut numbers: Vec<&str> = Vec::new();
            for c in [unit_price, line_total].into_iter().flatten() {
                numbers.extend(values(c));
            }
            let plain = ids
                .iter()
                .filter(|id| id.trim().bytes().all(|b| b.is_ascii_digit()))
                .count();
            LinePlan {
                order_id,
                quantity,
                unit_price,
                line_total,
                decimal: number::detect_decimal(&numbers),
                c_prefix_cancels: plain > 0 && plain * 2 >= ids.len(),
            }
        })
    });
    let amount_values = match (amount, &lines) {
        (Some(a), _) => values(a),
        (None, Some(l)) => values(l.line_total.or(l.unit_price).unwrap_or(l.order_id)),
        (None, None) => Vec::new(),
    };
    // The currency the amounts name, or else a currency column's.
    let currency = number::detect_currency(&amount_values).or_else(|| {
        named(roles::is_currency_name).and_then(|c| number::detect_currency(&values(c)))
    });
    let status: Vec<usize> = chosen.get(&Role::Status).copied().into_iter().collect();
    let sales = platform.map_or(Vec::new(), |p| {
        p.sales
            .iter()
            .filter_map(|(header, kept)| {
                (0..width)
                    .find(|i| roles::normalise(&names[*i]) == *header)
                    .map(|c| (c, *kept))
            })
            .collect()
    });
    Ok(Plan {
        json: false,
        types: (0..width).map(|i| column_type(&values(i))).collect(),
        encoding,
        delimiter,
        has_header,
        date_format: date::detect_named(&values(date_col)).unwrap_or(DateFormat::Iso),
        decimal: match amount {
            Some(a) => number::detect_decimal(&values(a)),
            None => lines
                .as_ref()
                .map_or(DecimalSeparator::Point, |l| l.decimal),
        },
        currency,
        names,
        customer,
        date: date_col,
        amount,
        category,
        lines,
        status,
        cancelled_at,
        refunded: chosen.get(&Role::Refunded).copied(),
        phone: chosen.get(&Role::Phone).copied(),
        sales,
        platform,
        all_statuses: options.all_statuses,
    })
}
