//! Rules evaluated over every customer at once: each condition a bitmap,
//! the cheap ones first, other segments through the caller's resolver.

use crate::model::message::Message;

use super::*;

/// The members of a segment's definition, for rules that test membership
/// of another segment.
pub type Segments<'a> = &'a dyn Fn(&Definition) -> Result<Bitmap, Message>;

/// Evaluates rules over a dataset.
pub struct Evaluator<'a> {
    pub(super) data: &'a Dataset,
    pub(super) facts: &'a Facts,
    pub(super) segments: Option<Segments<'a>>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of the dataset with its facts.
    pub fn new(data: &'a Dataset, facts: &'a Facts) -> Self {
        Evaluator {
            data,
            facts,
            segments: None,
        }
    }

    /// The evaluator finding the members of other segments with
    /// `segments` (`groups::members`); without, a rule that tests another
    /// segment is refused in words.
    pub fn with_segments(mut self, segments: Segments<'a>) -> Self {
        self.segments = Some(segments);
        self
    }

    /// The members of a segment a rule tests membership of.
    pub(super) fn segment(&self, definition: &Definition, path: &str) -> Result<Bitmap, RuleError> {
        match self.segments {
            Some(find) => find(definition).map_err(|e| err(path, e)),
            None => Err(err(
                path,
                Message::new("engine.this_kind_of_segment_cannot_be_tested_here"),
            )),
        }
    }

    /// The customers the rule selects.
    pub fn eval(&self, rule: &Rule) -> Result<Bitmap, RuleError> {
        self.eval_at(rule, "rule", &Bitmap::full(self.facts.n))
    }

    /// The customers of `within` the rule selects (never one outside it):
    /// the parts of an "all" group only look at the customers the earlier
    /// parts kept, cheap parts first, and those of an "any" group only at
    /// the customers not yet selected.
    pub(super) fn eval_at(
        &self,
        rule: &Rule,
        path: &str,
        within: &Bitmap,
    ) -> Result<Bitmap, RuleError> {
        match rule {
            Rule::All(parts) => {
                let mut order: Vec<usize> = (0..parts.len()).collect();
                order.sort_by_key(|i| cost(&parts[*i]));
                let mut out = within.clone();
                for i in order {
                    let part = self.eval_at(&parts[i], &format!("{path}.all[{i}]"), &out)?;
                    out.and(&part);
                }
                Ok(out)
            }
            Rule::Any(parts) => {
                let mut out = Bitmap::empty(within.universe());
                let mut rest = within.clone();
                for (i, p) in parts.iter().enumerate() {
                    let part = self.eval_at(p, &format!("{path}.any[{i}]"), &rest)?;
                    out.or(&part);
                    let mut taken = part;
                    taken.not();
                    rest.and(&taken);
                }
                Ok(out)
            }
            Rule::Not(inner) => {
                let mut out = self.eval_at(inner, &format!("{path}.not"), within)?;
                out.not();
                out.and(within);
                Ok(out)
            }
            Rule::Attribute { column, test } => self.attribute(column, test, path, within),
            Rule::InSegment { definition, .. } => {
                let mut out = self.segment(definition, &format!("{path}.in_segment"))?;
                out.and(within);
                Ok(out)
            }
            Rule::Measure {
                measure,
                days,
                category,
                test,
            } => self.measure(*measure, *days, category.as_deref(), test, path, within),
            Rule::Event {
                name,
                did,
                at_least,
                within_days,
            } => self.event(name, *did, *at_least, *within_days, path, within),
        }
    }

    pub(super) fn attribute(
        &self,
        column: &str,
        test: &Test,
        path: &str,
        within: &Bitmap,
    ) -> Result<Bitmap, RuleError> {
        let table = self.data.customers.as_ref().ok_or_else(|| {
            err(
                path,
                Message::new("engine.with.rule_column_without_customers").with("column", column),
            )
        })?;
        let col = table
            .attribute_names
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(column.trim()))
            .ok_or_else(|| {
                err(
                    path,
                    Message::new("engine.with.rule_no_column")
                        .with("column", column)
                        .with("columns", table.attribute_names.join(", ")),
                )
            })?;
        // Each distinct value is tested once; customers look up its answer.
        let dict = self.facts.column(table, col);
        let answers: Vec<bool> = if test.is_date() {
            let sample: Vec<&str> = dict.values.iter().take(2_000).map(String::as_str).collect();
            let format = date::detect(&sample).ok_or_else(|| {
                err(
                    path,
                    Message::new("engine.with.not_dates").with("column", column),
                )
            })?;
            let as_of = self.facts.as_of;
            dict.values
                .iter()
                .map(|v| test.date(date::parse_with(format, v).ok(), as_of))
                .collect()
        } else if test.is_numeric() {
            let decimal = column_decimal(dict.values.iter().map(String::as_str));
            dict.values
                .iter()
                .map(|v| test.number(parse_amount(v, decimal)))
                .collect()
        } else {
            let t = TextTest::new(test);
            dict.values.iter().map(|v| t.matches(Some(v))).collect()
        };
        // A missing value: what the test says of nothing.
        let when_missing = match test {
            Test::IsEmpty => true,
            _ if test.is_date() => test.date(None, self.facts.as_of),
            _ if test.is_numeric() => test.number(None),
            _ => TextTest::new(test).matches(None),
        };
        Ok(within.filter(|c| match dict.codes[c] {
            MISSING => when_missing,
            code => answers[code as usize],
        }))
    }

    pub(super) fn measure(
        &self,
        measure: Measure,
        days: Option<u32>,
        category: Option<&str>,
        test: &Test,
        path: &str,
        within: &Bitmap,
    ) -> Result<Bitmap, RuleError> {
        let f = self.facts;
        let as_of = f.as_of;
        let from = days.map(|d| as_of - d as Day);
        let missing = |what: &'static str| {
            err(
                path,
                Message::new("engine.with.measure_needs")
                    .with("measure", measure.named())
                    .with("what", Message::new(what)),
            )
        };
        // Sums over the rows of one customer, through the facts' index.
        let sum = |index: &RowIndex, c: usize, f: &dyn Fn(usize) -> f64| -> f64 {
            index.rows_of(c).iter().map(|i| f(*i as usize)).sum()
        };
        let o = &self.data.orders;
        let value: Box<dyn Fn(usize) -> Option<f64> + '_> = match measure {
            Measure::Orders | Measure::Spend if from.is_some() || category.is_some() => {
                let from = from.unwrap_or(Day::MIN);
                let spend = measure == Measure::Spend;
                let wanted = match category {
                    None => None,
                    Some(name) => {
                        if o.categories.is_empty() {
                            return Err(err(
                                path,
                                Message::new(
                                    "engine.the_orders_have_no_category_column_import_an_order_file_with_one_category_cat_gorie_rayon",
                                ),
                            ));
                        }
                        Some(
                            o.categories
                                .iter()
                                .position(|c| c.trim().eq_ignore_ascii_case(name.trim()))
                                .ok_or_else(|| {
                                    err(
                                        path,
                                        Message::new("engine.with.no_order_in_category")
                                            .with("category", name)
                                            .with("categories", o.categories.join(", ")),
                                    )
                                })? as u32,
                        )
                    }
                };
                Box::new(move |c| {
                    Some(sum(&f.orders_by, c, &|i| {
                        let (d, a) = (o.day[i], o.amount[i]);
                        if d < from || d >= as_of || wanted.is_some_and(|w| o.category[i] != w) {
                            0.0
                        } else if spend {
                            a
                        } else if a >= 0.0 {
                            1.0
                        } else {
                            0.0
                        }
                    }))
                })
            }
            Measure::Orders => Box::new(|c| Some(f64::from(f.orders[c]))),
            Measure::Spend => Box::new(|c| Some(f.spend[c])),
            Measure::AverageOrderValue => {
                Box::new(|c| (f.orders[c] > 0).then(|| f.gross[c] / f64::from(f.orders[c])))
            }
            Measure::DaysSinceLastOrder => Box::new(|c| f.last[c].map(|d| f64::from(as_of - d))),
            Measure::DaysSinceFirstOrder => Box::new(|c| f.first[c].map(|d| f64::from(as_of - d))),
            Measure::EmailsReceived | Measure::EmailOpens | Measure::EmailClicks => {
                let (Some(e), Some(index)) = (self.data.email.as_ref(), f.email_by.as_ref()) else {
                    return Err(missing("engine.e_mail_results"));
                };
                Box::new(move |c| {
                    Some(sum(index, c, &|i| {
                        let in_window = match (from, e.day[i]) {
                            (Some(from), Some(d)) => d >= from && d < as_of,
                            (Some(_), None) => false,
                            (None, d) => d.is_none_or(|d| d < as_of),
                        };
                        let hit = match measure {
                            Measure::EmailsReceived => e.delivered[i],
                            Measure::EmailOpens => e.opened[i],
                            _ => e.clicked[i],
                        };
                        f64::from(u8::from(in_window && hit))
                    }))
                })
            }
            Measure::Events => {
                let (Some(ev), Some(index)) = (self.data.events.as_ref(), f.events_by.as_ref())
                else {
                    return Err(missing("engine.events"));
                };
                let (lo, hi) = window_seconds(from, as_of);
                Box::new(move |c| {
                    Some(sum(index, c, &|i| {
                        f64::from(u8::from(ev.time[i] >= lo && ev.time[i] < hi))
                    }))
                })
            }
            Measure::Tickets => {
                let (Some(t), Some(index)) = (self.data.tickets.as_ref(), f.tickets_by.as_ref())
                else {
                    return Err(missing("engine.support_tickets"));
                };
                let (lo, hi) = window_seconds(from, as_of);
                Box::new(move |c| {
                    Some(sum(index, c, &|i| {
                        f64::from(u8::from(t.created[i] >= lo && t.created[i] < hi))
                    }))
                })
            }
            Measure::Nps => {
                if self.data.surveys.is_none() {
                    return Err(missing("engine.survey_answers"));
                }
                Box::new(|c| f.nps[c].map(f64::from))
            }
            Measure::Csat => {
                if self.data.surveys.is_none() {
                    return Err(missing("engine.survey_answers"));
                }
                Box::new(|c| f.csat[c].map(f64::from))
            }
            Measure::ChanceActive
            | Measure::OrderWithin7Days
            | Measure::OrderWithin30Days
            | Measure::DaysToNextOrder
            | Measure::PredictedValue => {
                let Some(predictions) = f.predictions.as_ref() else {
                    return Err(err(
                        path,
                        Message::new("engine.with.measure_needs_predictions")
                            .with("measure", measure.named()),
                    ));
                };
                Box::new(move |c| {
                    predictions[c].as_ref().map(|p| match measure {
                        Measure::ChanceActive => 100.0 * p.p_alive,
                        Measure::OrderWithin7Days => 100.0 * p.order_within_7_days,
                        Measure::OrderWithin30Days => 100.0 * p.order_within_30_days,
                        Measure::DaysToNextOrder => f64::from(p.days_to_next_order),
                        _ => p.clv,
                    })
                })
            }
        };
        Ok(within.filter(|c| test.number(value(c))))
    }

    pub(super) fn event(
        &self,
        name: &str,
        did: bool,
        at_least: u32,
        within_days: Option<u32>,
        path: &str,
        within: &Bitmap,
    ) -> Result<Bitmap, RuleError> {
        let ev = self.data.events.as_ref().ok_or_else(|| {
            err(
                path,
                Message::new("engine.with.rule_event_without_events").with("event", name),
            )
        })?;
        let Some(id) = ev
            .names
            .iter()
            .position(|x| x.trim().eq_ignore_ascii_case(name.trim()))
        else {
            // An event nobody did.
            return Ok(if did {
                Bitmap::empty(within.universe())
            } else {
                within.clone()
            });
        };
        let (lo, hi) = window_seconds(
            within_days.map(|d| self.facts.as_of - d as Day),
            self.facts.as_of,
        );
        let index = self.facts.events_by.as_ref().expect("events are indexed");
        let id = id as u32;
        Ok(within.filter(|c| {
            let times = index
                .rows_of(c)
                .iter()
                .filter(|i| {
                    let i = **i as usize;
                    ev.event[i] == id && ev.time[i] >= lo && ev.time[i] < hi
                })
                .take(at_least as usize)
                .count();
            (times >= at_least as usize) == did
        }))
    }
}

/// How much work a part of a rule takes, roughly: tests on one value per
/// customer first, scans of e-mails and events last.
pub(super) fn cost(rule: &Rule) -> u8 {
    match rule {
        Rule::Attribute { .. } => 0,
        Rule::Measure {
            measure,
            days: None,
            category: None,
            ..
        } if !matches!(
            measure,
            Measure::EmailsReceived
                | Measure::EmailOpens
                | Measure::EmailClicks
                | Measure::Events
                | Measure::Tickets
        ) =>
        {
            0
        }
        Rule::Measure { .. } => 2,
        Rule::Event { .. } => 3,
        Rule::InSegment { .. } => 4,
        Rule::All(v) | Rule::Any(v) => v.iter().map(cost).max().unwrap_or(0).max(1),
        Rule::Not(r) => cost(r),
    }
}

/// The seconds from the start of day `from` (or the beginning) to the start
/// of the analysis date.
pub(super) fn window_seconds(from: Option<Day>, as_of: Day) -> (i64, i64) {
    (
        from.map_or(i64::MIN, |d| i64::from(d) * 86_400),
        i64::from(as_of) * 86_400,
    )
}

/// The decimal separator of a column of numbers: a comma when more values
/// read with a comma than with a point.
pub(super) fn column_decimal<'v>(values: impl Iterator<Item = &'v str>) -> DecimalSeparator {
    let sample: Vec<&str> = values.take(2_000).collect();
    crate::model::number::detect_decimal(&sample)
}
