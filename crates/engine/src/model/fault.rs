//! Why a row was rejected, as data: the importers return a [`Fault`] with
//! each rejected row, so that a front end can word it in its own language.
//! Its `Display` is the English sentence the command line prints and the
//! row error's `reason` carries.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A field of a row that can be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    /// The customer.
    Customer,
    /// The date.
    Date,
    /// The amount.
    Amount,
    /// An event's name.
    Event,
    /// A ticket's opening time.
    OpeningTime,
    /// A marketing cost's spend.
    Spend,
    /// The order a line belongs to.
    OrderId,
}

impl Field {
    /// The field's English name.
    pub fn label(self) -> &'static str {
        match self {
            Field::Customer => "customer",
            Field::Date => "date",
            Field::Amount => "amount",
            Field::Event => "event",
            Field::OpeningTime => "opening time",
            Field::Spend => "spend",
            Field::OrderId => "order id",
        }
    }
}

/// Why a row was rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// A cause told only by the row error's English reason (and every row
    /// of a report stored before faults were kept).
    #[default]
    Other,
    /// The row has fewer fields than the columns it needs.
    TooFewFields {
        /// Fields in the row.
        found: usize,
        /// Fields needed.
        expected: usize,
    },
    /// A quoted field opens on this line and never closes.
    UnclosedQuote,
    /// A JSON-lines line that is not JSON.
    NotJson {
        /// The character where reading went wrong (1-based).
        at: usize,
    },
    /// A JSON-lines line that is JSON but not an object.
    JsonNotObject,
    /// A needed field is empty.
    Empty(Field),
    /// A date that names no real day (`31/02/2024`).
    NotARealDay {
        /// The text as read.
        text: String,
    },
    /// A day-first or month-first date that is no real day in the reading
    /// the whole column was given.
    NotARealDayReadAs {
        /// The text as read.
        text: String,
        /// The reading (`dd/mm/yyyy`).
        format: String,
    },
    /// Text that is not a date in the column's format.
    NotInFormat {
        /// The text as read.
        text: String,
        /// The column's format (`yyyy-mm-dd`); none while the column may
        /// be day first or month first.
        format: Option<String>,
    },
    /// Text that is not an amount.
    NotAnAmount {
        /// The text as read.
        text: String,
    },
    /// Text that is not a date.
    NotADate {
        /// The text as read.
        text: String,
    },
    /// Text that is not a date or a time.
    NotADateOrTime {
        /// The text as read.
        text: String,
    },
    /// Text that is not a date and time.
    NotADateAndTime {
        /// The text as read.
        text: String,
    },
    /// Text that is not yes or no.
    NotYesOrNo {
        /// The text as read.
        text: String,
    },
    /// Text that names neither a control group nor a group that was sent
    /// the campaign.
    NotAGroup {
        /// The text as read.
        text: String,
    },
    /// Text that is not a whole number of a scale.
    NotInScale {
        /// The text as read.
        text: String,
        /// The scale's lowest value.
        lo: u8,
        /// The scale's highest value.
        hi: u8,
    },
    /// A survey answer with no score.
    NoScore,
    /// A negative marketing spend.
    NegativeSpend,
    /// A customer listed again in a customers file (the later row is
    /// kept).
    ListedAgain,
    /// A ticket resolved before it was opened.
    ResolvedBeforeOpened,
    /// An event with no customer (an anonymous visit).
    Anonymous,
    /// A suspicious value, kept: a date after the day of the import.
    AfterToday {
        /// The day read.
        day: crate::model::date::Day,
        /// Whether the column holds birth dates.
        birth: bool,
    },
    /// A suspicious value, kept: a birth date more than `years` ago.
    BornTooLongAgo {
        /// The day read.
        day: crate::model::date::Day,
        /// The oldest age believed.
        years: u32,
    },
    /// A suspicious value, kept: a negative age.
    NegativeAge {
        /// The text as read.
        text: String,
    },
    /// A suspicious value, kept: an age no customer reaches.
    AgeBeyondAnyCustomer {
        /// The text as read.
        text: String,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Other => write!(f, "the row could not be read"),
            Fault::TooFewFields { found, expected } => write!(
                f,
                "the row has {found} field{}, {expected} expected",
                if *found == 1 { "" } else { "s" }
            ),
            Fault::UnclosedQuote => write!(f, "a quoted field starts here and is never closed"),
            Fault::NotJson { at } => write!(
                f,
                "the line is not JSON: it should be one object such as {{\"customer_id\": \"C1\", …}} and goes wrong at character {at}"
            ),
            Fault::JsonNotObject => write!(f, "the line is JSON but not an object"),
            Fault::Empty(field) => write!(f, "the {} is empty", field.label()),
            Fault::NotARealDay { text } => write!(f, "{text:?} is not a real day"),
            Fault::NotARealDayReadAs { text, format } => {
                write!(f, "{text:?} is not a real day read as {format}")
            }
            Fault::NotInFormat { text, format } => write!(
                f,
                "{text:?} is not a date in the column's format ({})",
                format.as_deref().unwrap_or("dd/mm/yyyy or mm/dd/yyyy")
            ),
            Fault::NotAnAmount { text } => write!(f, "{text:?} is not an amount"),
            Fault::NotADate { text } => write!(f, "{text:?} is not a date"),
            Fault::NotADateOrTime { text } => write!(f, "{text:?} is not a date or time"),
            Fault::NotADateAndTime { text } => write!(f, "{text:?} is not a date and time"),
            Fault::NotYesOrNo { text } => write!(f, "{text:?} is not yes or no"),
            Fault::NotAGroup { text } => {
                write!(f, "{text:?} is neither a control group nor a sent group")
            }
            Fault::NotInScale { text, lo, hi } => {
                write!(f, "{text:?} is not a whole number from {lo} to {hi}")
            }
            Fault::NoScore => write!(f, "the answer has no score"),
            Fault::NegativeSpend => write!(f, "a negative spend"),
            Fault::ListedAgain => write!(f, "this customer is listed again: the later row is kept"),
            Fault::ResolvedBeforeOpened => write!(f, "resolved before it was opened"),
            Fault::Anonymous => write!(f, "no customer (an anonymous visit)"),
            Fault::AfterToday { day, birth } => write!(
                f,
                "{} after today ({})",
                if *birth { "a birth date" } else { "dated" },
                crate::model::date::format_iso(*day)
            ),
            Fault::BornTooLongAgo { day, years } => write!(
                f,
                "born {}: older than {years} years",
                crate::model::date::format_iso(*day)
            ),
            Fault::NegativeAge { text } => write!(f, "a negative age ({text})"),
            Fault::AgeBeyondAnyCustomer { text } => {
                write!(f, "an age of {text} is beyond any customer")
            }
        }
    }
}

/// A rejected row's cause: the fault, and its sentence in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Why {
    /// The fault ([`Fault::Other`] when only the sentence says it).
    pub fault: Fault,
    /// The sentence.
    pub reason: String,
}

impl From<Fault> for Why {
    fn from(fault: Fault) -> Why {
        Why {
            reason: fault.to_string(),
            fault,
        }
    }
}

impl From<String> for Why {
    fn from(reason: String) -> Why {
        Why {
            fault: Fault::Other,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_sentences() {
        let cases: &[(Fault, &str)] = &[
            (
                Fault::TooFewFields {
                    found: 1,
                    expected: 3,
                },
                "the row has 1 field, 3 expected",
            ),
            (
                Fault::TooFewFields {
                    found: 2,
                    expected: 3,
                },
                "the row has 2 fields, 3 expected",
            ),
            (
                Fault::Empty(Field::OpeningTime),
                "the opening time is empty",
            ),
            (
                Fault::NotInFormat {
                    text: "3 mars".into(),
                    format: None,
                },
                "\"3 mars\" is not a date in the column's format (dd/mm/yyyy or mm/dd/yyyy)",
            ),
            (
                Fault::NotInScale {
                    text: "11".into(),
                    lo: 0,
                    hi: 10,
                },
                "\"11\" is not a whole number from 0 to 10",
            ),
            (
                Fault::AfterToday {
                    day: crate::model::date::days_from_civil(2031, 5, 2),
                    birth: true,
                },
                "a birth date after today (2031-05-02)",
            ),
            (
                Fault::BornTooLongAgo {
                    day: crate::model::date::days_from_civil(1890, 1, 31),
                    years: 120,
                },
                "born 1890-01-31: older than 120 years",
            ),
        ];
        for (fault, want) in cases {
            assert_eq!(fault.to_string(), *want);
        }
        let why = Why::from("a cause of its own".to_string());
        assert_eq!(why.fault, Fault::Other);
    }
}
