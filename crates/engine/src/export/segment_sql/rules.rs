//! A rule as a condition: its tests, the windows of its measures and each
//! per-customer measure as a subquery.

use crate::model::message::Message;

use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn rule(&mut self, rule: &Rule) -> Result<String, Message> {
        Ok(match rule {
            Rule::All(parts) if parts.is_empty() => "TRUE".into(),
            Rule::Any(parts) if parts.is_empty() => "FALSE".into(),
            Rule::All(parts) | Rule::Any(parts) => {
                let join = if matches!(rule, Rule::All(_)) {
                    " AND "
                } else {
                    " OR "
                };
                let inner = parts
                    .iter()
                    .map(|p| self.rule(p))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("({})", inner.join(join))
            }
            Rule::Not(inner) => format!("NOT {}", self.rule(inner)?),
            Rule::InSegment { definition, .. } => {
                let lifecycle = self.lifecycle;
                format!("({})", self.condition(definition, lifecycle)?)
            }
            Rule::Attribute { column, test } => {
                let (at, v) = self.attribute(column)?;
                let cond = if test.is_date() {
                    let sample = self.attribute_sample(at);
                    let format = date::detect(&sample).ok_or_else(|| {
                        Message::new("engine.with.not_dates").with("column", column)
                    })?;
                    self.date_test(&self.date_of(&v, format), test)
                } else if test.is_numeric() {
                    let sample = self.attribute_sample(at);
                    let decimal = crate::model::number::detect_decimal(&sample);
                    self.number_test(&self.number_of(&v, decimal), test)?
                } else {
                    self.text_test(&v, test)
                };
                format!("COALESCE({cond}, FALSE)")
            }
            Rule::Measure {
                measure,
                days,
                category,
                test,
            } => {
                let x = self.measure(*measure, *days, category.as_deref())?;
                format!("COALESCE({}, FALSE)", self.number_test(&x, test)?)
            }
            Rule::Event {
                name,
                did,
                at_least,
                within_days,
            } => {
                let events = self.schema.events.as_ref().ok_or_else(|| {
                    Message::new("engine.with.sql_event_without_events").with("event", name)
                })?;
                self.col(events, "event")?;
                let when = self.window("day", *within_days, false);
                let count = self.events.add(
                    "v",
                    format!(
                        "SUM(CASE WHEN LOWER(event) = {} AND {when} THEN 1 ELSE 0 END)",
                        self.d.literal(&name.trim().to_lowercase())
                    ),
                );
                let times = format!("COALESCE({count}, 0) >= {at_least}");
                if *did {
                    format!("({times})")
                } else {
                    format!("NOT ({times})")
                }
            }
        })
    }

    /// A day inside the window: the last `days` days before the analysis
    /// date, or any day before it (and, with `undated`, no day at all).
    pub(super) fn window(&self, day: &str, days: Option<u32>, undated: bool) -> String {
        let before = format!("{day} < {}", self.as_of());
        match days {
            Some(n) => format!(
                "{before} AND {day} >= {}",
                date_literal(self.facts.as_of - n as Day)
            ),
            None if undated => format!("({day} IS NULL OR {before})"),
            None => before,
        }
    }

    pub(super) fn measure(
        &mut self,
        measure: Measure,
        days: Option<u32>,
        category: Option<&str>,
    ) -> Result<String, Message> {
        let d = self.d;
        let missing = |what: &'static str| {
            Message::new("engine.with.measure_needs")
                .with("measure", measure.named())
                .with("what", Message::new(what))
        };
        Ok(match measure {
            Measure::Orders | Measure::Spend if days.is_some() || category.is_some() => {
                let mut when = self.window("day", days, false);
                if let Some(name) = category {
                    if self.schema.orders.column("category").is_none() {
                        return Err(Message::new("engine.the_orders_have_no_category_column"));
                    }
                    when.push_str(&format!(
                        " AND category = {}",
                        self.d.literal(&name.trim().to_lowercase())
                    ));
                }
                let what = if measure == Measure::Spend {
                    "amount"
                } else {
                    "CASE WHEN amount >= 0 THEN 1 ELSE 0 END"
                };
                let alias = self
                    .orders
                    .add("o", format!("SUM(CASE WHEN {when} THEN {what} ELSE 0 END)"));
                format!("COALESCE({alias}, 0)")
            }
            Measure::Orders => "COALESCE(o.orders, 0)".into(),
            Measure::Spend => "COALESCE(o.spend, 0)".into(),
            Measure::AverageOrderValue => {
                format!(
                    "CASE WHEN o.orders > 0 THEN o.gross / CAST(o.orders AS {}) END",
                    d.double()
                )
            }
            Measure::DaysSinceLastOrder => d.days_between("o.last_day", &self.as_of()),
            Measure::DaysSinceFirstOrder => d.days_between("o.first_day", &self.as_of()),
            Measure::EmailsReceived | Measure::EmailOpens | Measure::EmailClicks => {
                let email = self
                    .schema
                    .email
                    .as_ref()
                    .ok_or_else(|| missing("engine.e_mail_results"))?;
                let sent = match email.column("sent") {
                    Some(c) => self.day(&d.ident(c)),
                    None => "CAST(NULL AS DATE)".into(),
                };
                let when = self.window(&sent, days, true);
                let hit = match measure {
                    Measure::EmailsReceived => self.flag(email, "delivered", true),
                    Measure::EmailOpens => format!(
                        "({} OR {})",
                        self.flag(email, "opened", false),
                        self.flag(email, "clicked", false)
                    ),
                    _ => self.flag(email, "clicked", false),
                };
                let alias = self.email.add(
                    "e",
                    format!("SUM(CASE WHEN {when} AND {hit} THEN 1 ELSE 0 END)"),
                );
                format!("COALESCE({alias}, 0)")
            }
            Measure::Events | Measure::Tickets => {
                let events = measure == Measure::Events;
                let present = if events {
                    self.schema.events.is_some()
                } else {
                    self.schema.tickets.is_some()
                };
                if !present {
                    return Err(missing(if events {
                        "engine.events"
                    } else {
                        "engine.support_tickets"
                    }));
                }
                let count = format!(
                    "SUM(CASE WHEN {} THEN 1 ELSE 0 END)",
                    self.window("day", days, false)
                );
                let alias = if events {
                    self.events.add("v", count)
                } else {
                    self.tickets.add("t", count)
                };
                format!("COALESCE({alias}, 0)")
            }
            Measure::ChanceActive
            | Measure::OrderWithin7Days
            | Measure::OrderWithin30Days
            | Measure::DaysToNextOrder
            | Measure::PredictedValue => {
                return Err(
                    Message::new("engine.with.sql_prediction").with("measure", measure.named())
                );
            }
            Measure::Nps | Measure::Csat => {
                if self.schema.surveys.is_none() {
                    return Err(missing("engine.survey_answers"));
                }
                self.surveys = true;
                if measure == Measure::Nps {
                    "s.nps".into()
                } else {
                    "s.csat".into()
                }
            }
        })
    }
}
