//! The streaming importer: chunks in, the header planned, records parsed
//! into the builder, and the table and its report out.

use super::*;

impl OrdersImporter {
    /// Starts reading a file.
    pub fn new(file_name: &str, options: ImportOptions) -> Self {
        OrdersImporter {
            file_name: file_name.to_string(),
            options,
            sample: Vec::new(),
            bytes: 0,
            parsing: None,
            workbook: false,
            sheet: None,
            utf8: None,
        }
    }

    /// Decides the encoding over the whole file, held in memory, rather
    /// than over its first bytes (unless the user chose one).
    pub(super) fn decide_encoding_on(&mut self, whole: &[u8]) {
        // A workbook's rows are written as UTF-8 text when it is read.
        if self.options.encoding.is_none()
            && self.options.encoding_guess.is_none()
            && !crate::import::spreadsheet::is_workbook(whole)
        {
            self.options.encoding_guess = Some(delimited::sniff_encoding(whole).0);
        }
    }

    /// Reads the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), ImportError> {
        self.bytes += chunk.len() as u64;
        if let Some(p) = &mut self.parsing {
            if let Some(check) = &mut self.utf8 {
                check.push(chunk);
            }
            p.feed(chunk);
            return Ok(());
        }
        self.sample.extend_from_slice(chunk);
        if self.sample.len() >= 8 && crate::import::spreadsheet::is_workbook(&self.sample) {
            self.workbook = true;
        }
        if self.sample.len() >= SAMPLE_BYTES && !self.workbook {
            self.start(false)?;
        }
        Ok(())
    }

    /// Rows read so far, accepted or rejected.
    pub fn rows_read(&self) -> u64 {
        self.parsing
            .as_ref()
            .map(|p| {
                p.builder.orders.len() as u64 + p.builder.rejected_total + p.builder.pending.rows
            })
            .unwrap_or(0)
    }

    /// Ends the file and returns the table and the report.
    pub fn finish(mut self) -> Result<(Orders, ImportReport), ImportError> {
        if self.workbook {
            let chosen = self.options.sheet.as_deref();
            self.sheet = Some(crate::import::spreadsheet::label(&self.sample, chosen));
            if let Some(size) = crate::import::spreadsheet::size_before_reading(&self.sample) {
                self.bytes = size;
            }
            self.sample =
                crate::import::spreadsheet::sheet_rows(&self.sample, chosen).map_err(|reason| {
                    ImportError::Spreadsheet {
                        file: self.file_name.clone(),
                        reason,
                    }
                })?;
        }
        if self.parsing.is_none() {
            self.start(true)?;
        }
        if let Some(offset) = self.utf8.as_ref().and_then(|c| c.broken) {
            return Err(ImportError::NotUtf8After {
                file: self.file_name,
                offset,
            });
        }
        let Some(mut p) = self.parsing.take() else {
            return Err(ImportError::Empty {
                file: self.file_name,
            });
        };
        let Parsing {
            splitter,
            builder,
            json,
            ..
        } = &mut p;
        if let Some((converter, rows)) = json {
            rows.clear();
            converter.push(&[], true, rows);
            splitter.feed(rows, &mut |r| builder.add(r));
        }
        splitter.finish(&mut |r| builder.add(r));
        if let Some((converter, _)) = json.take() {
            let listed = converter.errors.len() as u64;
            for (line, fault) in converter.errors {
                builder.reject(line, None, fault);
            }
            builder.rejected_total += converter.error_count - listed;
            builder.rejected.sort_by_key(|e| e.line);
            builder.rejected.truncate(MAX_LISTED_ERRORS);
        }
        if let Some(line) = splitter.unterminated_quote() {
            builder.reject(line, None, Fault::UnclosedQuote);
        }
        let mut b = p.builder;
        let line_plan = b.plan.lines.clone();
        if line_plan.is_some() {
            b.flush_lines();
            b.list_flush_rejected();
        }
        let date_reading = b.resolve_slash_dates();
        if b.orders.is_empty() {
            return Err(match b.rejected.first() {
                Some(first) => ImportError::NoValidRows {
                    file: self.file_name,
                    rejected: b.rejected_total,
                    first: Box::new(first.clone()),
                },
                None => ImportError::NoRows {
                    file: self.file_name,
                },
            });
        }
        let plan = &b.plan;
        let mut types = plan.types.clone();
        // The date column's values were read as dates whatever they look
        // like (`19970101` also reads as a number).
        types[plan.date] = ColumnType::Date;
        let line_role = |i: usize| {
            let l = line_plan.as_ref()?;
            [
                (Some(l.order_id), Role::OrderId),
                (l.quantity, Role::Quantity),
                (l.unit_price, Role::UnitPrice),
                (l.line_total, Role::LineTotal),
            ]
            .into_iter()
            .find(|(c, _)| *c == Some(i))
            .map(|(_, r)| r)
        };
        let columns = plan
            .names
            .iter()
            .enumerate()
            .map(|(i, name)| ColumnInfo {
                name: name.clone(),
                kind: types[i],
                role: if i == plan.customer {
                    Some(Role::CustomerId)
                } else if i == plan.date {
                    Some(Role::OrderDate)
                } else if Some(i) == plan.amount {
                    Some(Role::Amount)
                } else if plan.status.contains(&i) {
                    Some(Role::Status)
                } else if Some(i) == plan.refunded {
                    Some(Role::Refunded)
                } else if Some(i) == plan.phone {
                    Some(Role::Phone)
                } else {
                    line_role(i)
                },
            })
            .collect();
        let name = |c: usize| plan.names[c].clone();
        let lines = line_plan.as_ref().map(|l| OrderLines {
            rows: b.pending.rows,
            orders: b.pending.seen,
            order_id: name(l.order_id),
            amount_from: match (plan.amount, l.line_total, l.quantity, l.unit_price) {
                (Some(a), ..) => AmountFrom::OrderTotal { column: name(a) },
                (None, Some(t), ..) => AmountFrom::LineTotals { column: name(t) },
                (None, None, Some(q), Some(p)) => AmountFrom::QuantityTimesPrice {
                    quantity: name(q),
                    price: name(p),
                },
                (None, None, _, p) => AmountFrom::UnitPrices {
                    column: p.map(name).unwrap_or_default(),
                },
            },
        });
        let mut excluded = std::mem::take(&mut b.excluded);
        excluded.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        // Unusual amounts and repeated rows, each a pass over every order:
        // side by side where threads are at hand.
        let repeated = || {
            repeated_rows(
                &b.orders.customer,
                b.orders.customer_keys.len(),
                &b.fingerprints,
                &b.lines,
                (&b.orders.day, &b.orders.amount),
            )
        };
        #[cfg(feature = "parallel")]
        let (extremes, (duplicate_rows, duplicates)) = std::thread::scope(|scope| {
            let other = scope.spawn(repeated);
            let extremes = extreme_amounts(&b.orders.amount);
            (
                extremes,
                other.join().expect("the repeated rows' thread failed"),
            )
        });
        #[cfg(not(feature = "parallel"))]
        let (extremes, (duplicate_rows, duplicates)) =
            (extreme_amounts(&b.orders.amount), repeated());
        let (future_rows, future) = match self.options.today {
            Some(today) => {
                let mut rows = b
                    .orders
                    .day
                    .iter()
                    .zip(&b.lines)
                    .filter(|(d, _)| **d > today);
                let listed: Vec<(u64, Day)> =
                    rows.by_ref().take(20).map(|(d, l)| (*l, *d)).collect();
                (listed.len() as u64 + rows.count() as u64, listed)
            }
            None => (0, Vec::new()),
        };
        let layout = if plan.json {
            Some(Message::new("engine.json_lines"))
        } else if self.workbook {
            self.sheet.clone()
        } else {
            None
        };
        let report = ImportReport {
            future_rows,
            future,
            encoding_chosen: self.options.encoding.is_some(),
            file_name: self.file_name,
            bytes: self.bytes,
            encoding: plan.encoding,
            delimiter: match &layout {
                Some(layout) => layout.to_string(),
                None => plan.delimiter.label(),
            },
            layout,
            has_header: plan.has_header,
            decimal_separator: plan.decimal.as_char(),
            currency: plan.currency.map(str::to_string),
            date_format: plan.date_format.label().to_string(),
            date_format_note: date_reading.as_ref().map(DateReading::to_string),
            date_reading,
            columns,
            category_column: plan.category.map(|c| plan.names[c].clone()),
            rows: b.orders.len() as u64,
            rejected: b.rejected,
            rejected_total: b.rejected_total,
            refunds: b.refunds,
            customers: b.orders.customer_keys.len() as u64,
            first_day: b.orders.day.iter().min().copied(),
            last_day: b.orders.day.iter().max().copied(),
            duplicate_rows,
            duplicates,
            extreme_amount_count: extremes.0,
            extreme_amounts: extremes.1,
            platform: plan.platform.map(|p| p.id.to_string()),
            lines,
            excluded,
            status_columns: plan
                .status
                .iter()
                .chain(&plan.cancelled_at)
                .map(|c| name(*c))
                .collect(),
            all_statuses: plan.all_statuses,
            refunded_column: plan.refunded.map(name),
            phone_column: plan.phone.map(name),
            by_phone: b.by_phone,
            refunded_orders: b.refunded_orders,
            refunded_amount: b.refunded_total,
            cancellation_invoices: b.cancellations,
            not_sales: {
                let mut rows = std::mem::take(&mut b.not_sales);
                rows.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
                rows
            },
            sales_column: (!plan.sales.is_empty()).then(|| {
                let columns: Vec<String> = plan.sales.iter().map(|(c, _)| name(*c)).collect();
                columns.join(", ")
            }),
        };
        Ok((b.orders, report))
    }

    pub(super) fn start(&mut self, eof: bool) -> Result<(), ImportError> {
        let file = self.file_name.clone();
        if self.sample.iter().all(u8::is_ascii_whitespace) {
            if eof {
                return Err(ImportError::Empty { file });
            }
            return Ok(());
        }
        let chosen = self.options.encoding.or(self.options.encoding_guess);
        let (encoding, bom) = delimited::choose_encoding(&self.sample, chosen);
        // Detected from these first bytes: the rest must agree. A
        // byte-order mark declares UTF-8 for the whole file (as a file read
        // whole takes it): bytes that are not are replaced, not a reason to
        // read it again in another encoding.
        if chosen.is_none() && encoding == Encoding::Utf8 && bom == 0 && !self.workbook {
            let mut check = Utf8Check::default();
            check.push(&self.sample);
            self.utf8 = Some(check);
        }
        let mut transcoder = Transcoder::new(encoding);
        let mut text = Vec::new();
        transcoder.push(&self.sample[bom..], &mut text);
        if delimited::cr_line_breaks(&text) {
            transcoder.set_cr_line_breaks();
            text.clear();
            transcoder.push(&self.sample[bom..], &mut text);
        }
        if let Some(offset) = delimited::binary_offset(&text) {
            return Err(ImportError::Binary { file, offset });
        }
        // JSON lines become rows under a header of their keys, written as
        // line 0 so that rows keep the file's line numbers.
        let (mut json, first_line) = if crate::import::jsonl::looks_like_json_lines(&text) {
            let keys = crate::import::jsonl::keys(&text, eof);
            let mut rows = crate::import::jsonl::header(&keys);
            let mut converter = crate::import::jsonl::Converter::new(keys);
            converter.push(&text, eof, &mut rows);
            text = rows;
            (Some((converter, Vec::new())), 0)
        } else {
            (None, 1)
        };
        let delimiter = match json {
            Some(_) => Delimiter::Byte(b','),
            None => delimited::sniff_delimiter(&text),
        };
        let mut preview: Vec<Vec<String>> = Vec::new();
        {
            let mut s = Splitter::starting_at(delimiter, first_line);
            let mut take = |r: Record<'_>| {
                if preview.len() < PREVIEW_RECORDS {
                    preview.push(
                        (0..r.len())
                            .map(|i| delimited::decode_field(encoding, r.field(i)))
                            .collect(),
                    );
                }
            };
            s.feed(&text, &mut take);
            if eof {
                s.finish(&mut take);
            }
        }
        if preview.is_empty() {
            return Err(ImportError::Empty { file });
        }
        let mut plan = plan(&file, &self.options, encoding, delimiter, &preview)?;
        plan.json = json.is_some();
        let mut parsing = Parsing {
            transcoder,
            splitter: Splitter::starting_at(delimiter, first_line),
            buffer: Vec::new(),
            builder: Builder::new(plan),
            json: json.take(),
        };
        let Parsing {
            splitter, builder, ..
        } = &mut parsing;
        splitter.feed(&text, &mut |r| builder.add(r));
        self.sample = Vec::new();
        self.parsing = Some(parsing);
        Ok(())
    }
}

impl Parsing {
    pub(super) fn feed(&mut self, chunk: &[u8]) {
        self.buffer.clear();
        self.transcoder.push(chunk, &mut self.buffer);
        let Parsing {
            splitter,
            builder,
            buffer,
            json,
            ..
        } = self;
        match json {
            Some((converter, rows)) => {
                rows.clear();
                converter.push(buffer, false, rows);
                splitter.feed(rows, &mut |r| builder.add(r));
            }
            None => splitter.feed(buffer, &mut |r| builder.add(r)),
        }
    }
}
