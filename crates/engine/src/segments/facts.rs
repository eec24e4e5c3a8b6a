//! The customers file's columns as the rules read them: each value
//! interned once, each customer's row found by its key.

use super::*;

/// Per-customer values that do not depend on a rule, computed once per
/// dataset and analysis date.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The analysis date.
    pub as_of: Day,
    /// Customers (every key).
    pub n: usize,
    pub(super) orders: Vec<u32>,
    pub(super) spend: Vec<f64>,
    pub(super) gross: Vec<f64>,
    pub(super) first: Vec<Option<Day>>,
    pub(super) last: Vec<Option<Day>>,
    pub(super) nps: Vec<Option<u8>>,
    pub(super) csat: Vec<Option<u8>>,
    pub(super) attribute_row: Vec<Option<usize>>,
    pub(super) orders_by: RowIndex,
    pub(super) email_by: Option<RowIndex>,
    pub(super) events_by: Option<RowIndex>,
    pub(super) tickets_by: Option<RowIndex>,
    /// The customers file's columns, dictionary-encoded on first use.
    pub(super) columns: Vec<std::cell::OnceCell<DictColumn>>,
    /// Each customer's predictions, when the models were fitted.
    pub(super) predictions: Option<Vec<Option<crate::models::clv::CustomerPrediction>>>,
    /// Each customer's RFM segment and the segments' names, when scored.
    pub(super) rfm: Option<(Vec<u32>, Vec<String>)>,
}

/// No value.
pub(super) const MISSING: u32 = u32::MAX;

/// A column of the customers file as codes per customer into its distinct
/// (trimmed, non-empty) values.
#[derive(Debug, Clone, Default)]
pub(super) struct DictColumn {
    pub(super) codes: Vec<u32>,
    pub(super) values: Vec<String>,
}

/// The rows of each customer in a table, for scans of a few customers:
/// `rows[start[c]..start[c + 1]]` are customer `c`'s rows, in table order.
#[derive(Debug, Clone, Default)]
pub(super) struct RowIndex {
    pub(super) start: Vec<u32>,
    pub(super) rows: Vec<u32>,
}

impl RowIndex {
    /// Indexes a customer column (counting sort); customers out of range
    /// are left out.
    pub(super) fn new(customer: &[u32], n: usize) -> RowIndex {
        let mut start = vec![0u32; n + 1];
        for c in customer {
            if (*c as usize) < n {
                start[*c as usize + 1] += 1;
            }
        }
        for c in 0..n {
            start[c + 1] += start[c];
        }
        let mut next = start.clone();
        let mut rows = vec![0u32; start[n] as usize];
        for (i, c) in customer.iter().enumerate() {
            let c = *c as usize;
            if c < n {
                rows[next[c] as usize] = i as u32;
                next[c] += 1;
            }
        }
        RowIndex { start, rows }
    }

    pub(super) fn rows_of(&self, c: usize) -> &[u32] {
        &self.rows[self.start[c] as usize..self.start[c + 1] as usize]
    }
}

impl Facts {
    /// Aggregates the dataset up to (not including) the analysis date.
    pub fn new(data: &Dataset, as_of: Day) -> Facts {
        let n = data.orders.customer_keys.len();
        let o = &data.orders;
        let mut f = Facts {
            as_of,
            n,
            orders: vec![0; n],
            spend: vec![0.0; n],
            gross: vec![0.0; n],
            first: vec![None; n],
            last: vec![None; n],
            nps: vec![None; n],
            csat: vec![None; n],
            attribute_row: data
                .customers
                .as_ref()
                .map_or_else(|| vec![None; n], |c| c.row_of(n)),
            orders_by: RowIndex::new(&data.orders.customer, n),
            email_by: data.email.as_ref().map(|e| RowIndex::new(&e.customer, n)),
            events_by: data.events.as_ref().map(|e| RowIndex::new(&e.customer, n)),
            tickets_by: data.tickets.as_ref().map(|t| RowIndex::new(&t.customer, n)),
            columns: (0..data
                .customers
                .as_ref()
                .map_or(0, |c| c.attribute_names.len()))
                .map(|_| std::cell::OnceCell::new())
                .collect(),
            predictions: None,
            rfm: None,
        };
        for i in 0..o.len() {
            let (c, d, a) = (o.customer[i] as usize, o.day[i], o.amount[i]);
            if d >= as_of {
                continue;
            }
            f.spend[c] += a;
            if a >= 0.0 {
                f.orders[c] += 1;
                f.gross[c] += a;
                f.first[c] = Some(f.first[c].map_or(d, |x| x.min(d)));
                f.last[c] = Some(f.last[c].map_or(d, |x| x.max(d)));
            }
        }
        if let Some(s) = &data.surveys {
            // The latest answer wins; answers without a day count as oldest.
            let mut when: Vec<Option<Day>> = vec![None; n];
            for i in 0..s.customer.len() {
                let c = s.customer[i] as usize;
                let d = s.day[i];
                if d.is_some_and(|d| d >= as_of) || c >= n {
                    continue;
                }
                if f.nps[c].is_none() && f.csat[c].is_none() || d >= when[c] {
                    if s.nps[i].is_some() {
                        f.nps[c] = s.nps[i];
                    }
                    if s.csat[i].is_some() {
                        f.csat[c] = s.csat[i];
                    }
                    when[c] = d;
                }
            }
        }
        f
    }

    /// Column `col` of the customers file, dictionary-encoded.
    pub(super) fn column(
        &self,
        table: &crate::import::sources::CustomerTable,
        col: usize,
    ) -> &DictColumn {
        self.columns[col].get_or_init(|| {
            let mut index: rustc_hash::FxHashMap<&str, u32> = Default::default();
            let mut values = Vec::new();
            let codes = self
                .attribute_row
                .iter()
                .map(|row| {
                    let Some(r) = row else { return MISSING };
                    let v = table.attributes[*r][col].trim();
                    if v.is_empty() {
                        return MISSING;
                    }
                    *index.entry(v).or_insert_with(|| {
                        values.push(v.to_string());
                        (values.len() - 1) as u32
                    })
                })
                .collect();
            DictColumn { codes, values }
        })
    }

    /// Adds the customers' predictions (from models fitted for this
    /// analysis date), for churn-risk and predicted-value segments.
    pub fn with_predictions(
        mut self,
        predictions: &[crate::models::clv::CustomerPrediction],
    ) -> Facts {
        let mut per = vec![None; self.n];
        for p in predictions {
            if let Some(slot) = per.get_mut(p.customer as usize) {
                *slot = Some(*p);
            }
        }
        self.predictions = Some(per);
        self
    }

    /// Adds each customer's RFM segment (customers without one, such as
    /// prospects, are in none).
    pub fn with_rfm(mut self, result: &crate::segments::rfm::RfmResult) -> Facts {
        let mut per = vec![MISSING; self.n];
        for row in &result.rows {
            if let Some(slot) = per.get_mut(row.values.customer as usize) {
                *slot = u32::from(row.segment);
            }
        }
        self.rfm = Some((per, result.segment_names.clone()));
        self
    }

    /// The members of an RFM segment, by name; `None` when the facts have
    /// no RFM scores, an empty set when no segment has that name.
    pub fn rfm_members(&self, name: &str) -> Option<Bitmap> {
        let (per, names) = self.rfm.as_ref()?;
        let want = names.iter().position(|n| n == name).map(|i| i as u32);
        Some(Bitmap::from_fn(self.n, |c| Some(per[c]) == want))
    }

    /// A customer's prediction; `None` inside when the customer has none,
    /// `None` outside when no model was fitted.
    pub fn prediction(&self, c: usize) -> Option<Option<&crate::models::clv::CustomerPrediction>> {
        self.predictions.as_ref().map(|p| p[c].as_ref())
    }

    /// The latest NPS answer of a customer before the analysis date.
    pub fn nps(&self, c: usize) -> Option<u8> {
        self.nps[c]
    }

    /// The number of orders of a customer before the analysis date.
    pub fn order_count(&self, c: usize) -> u32 {
        self.orders[c]
    }

    /// The net spend of a customer before the analysis date.
    pub fn spend(&self, c: usize) -> f64 {
        self.spend[c]
    }

    /// The first and last order days of a customer.
    pub fn first_last(&self, c: usize) -> (Option<Day>, Option<Day>) {
        (self.first[c], self.last[c])
    }
}
