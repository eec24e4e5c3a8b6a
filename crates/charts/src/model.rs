//! What a chart shows, apart from how it is drawn: its kind, its
//! categories, its series and how its values are written. The page builds
//! one from an analysis, draws it by hand when it is interactive, and
//! hands the same one to the charts worker for a download or the report.

use serde::{Deserialize, Serialize};

/// The kinds of chart SegLens draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Groups of vertical bars, one group per category.
    Bars,
    /// Rows of horizontal bars, one row per category, the first on top.
    HorizontalBars,
    /// One line per series across the categories (dates, weeks…).
    Lines,
    /// The shares of a whole: one slice per category, from the first
    /// series.
    Donut,
    /// One polygon per series over the categories as axes (a segment's
    /// profile over several KPIs).
    Radar,
    /// A grid: the categories across, one row per series, each cell
    /// coloured by its value.
    Heatmap,
}

/// What the values are, which says how they are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    /// Whole numbers of things (customers, orders).
    Count,
    /// Plain numbers, with up to two decimals.
    Number,
    /// Shares, 0.25 for 25%.
    Percent,
    /// Amounts of money.
    Money,
    /// A ratio to a reference, 1.5 for "1.5 times the reference", written
    /// as an index where the reference is 100.
    Index,
}

/// How the reader's language writes numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Numbers {
    /// The decimal mark: `.` or `,`.
    pub decimal: char,
    /// Between thousands: `,` or a narrow no-break space.
    pub group: char,
    /// After a percentage: `%` or a no-break space and `%`.
    pub percent: String,
    /// Before an amount of money (`€`), or nothing.
    pub money_before: String,
    /// After an amount of money (a no-break space and `€`), or nothing.
    pub money_after: String,
    /// Between a name and what is said of it: `: `, or in French a
    /// no-break space and `: `.
    pub colon: String,
}

impl Numbers {
    /// Numbers as English writes them, amounts without a currency.
    pub fn english() -> Numbers {
        Numbers {
            decimal: '.',
            group: ',',
            percent: "%".into(),
            money_before: String::new(),
            money_after: String::new(),
            colon: ": ".into(),
        }
    }

    /// Numbers as French writes them (a narrow no-break space between
    /// thousands, a no-break space before `%`), amounts without a
    /// currency.
    pub fn french() -> Numbers {
        Numbers {
            decimal: ',',
            group: '\u{202f}',
            percent: "\u{a0}%".into(),
            money_before: String::new(),
            money_after: String::new(),
            colon: "\u{a0}: ".into(),
        }
    }

    /// The whole-number `digits` (ASCII digits only) with the language's
    /// thousands separator: `12345` as `12,345` or `12 345`.
    pub fn grouped(&self, digits: &str, out: &mut String) {
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(self.group);
            }
            out.push(c);
        }
    }

    /// `value` (already in the unit's scale, see [`Chart::scaled`]) with
    /// the language's separators and the unit's sign: `12,345.5`,
    /// `12 345,5 %`.
    pub fn write(&self, unit: Unit, value: f64) -> String {
        let places = match unit {
            Unit::Count | Unit::Index => 0,
            Unit::Percent => 1,
            Unit::Money if value.abs() >= 100.0 => 0,
            Unit::Money | Unit::Number => 2,
        };
        let text = format!("{:.*}", places, value.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let mut out = String::new();
        if value < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
            out.push('-');
        }
        if unit == Unit::Money {
            out.push_str(&self.money_before);
        }
        self.grouped(int, &mut out);
        let frac = frac.trim_end_matches('0');
        if !frac.is_empty() && unit != Unit::Money {
            out.push(self.decimal);
            out.push_str(frac);
        } else if unit == Unit::Money && places > 0 {
            out.push(self.decimal);
            out.push_str(&format!("{:0<2}", frac));
        }
        match unit {
            Unit::Percent => out.push_str(&self.percent),
            Unit::Money => out.push_str(&self.money_after),
            _ => {}
        }
        out
    }
}

/// One series: a name (in the legend) and a value per category (`None`
/// where there is none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The series' name, in the reader's language.
    pub name: String,
    /// One value per category, in the chart's unit.
    pub values: Vec<Option<f64>>,
}

impl Series {
    /// A series with a value for every category.
    pub fn new(name: impl Into<String>, values: impl IntoIterator<Item = f64>) -> Series {
        Series {
            name: name.into(),
            values: values.into_iter().map(Some).collect(),
        }
    }
}

/// A chart: what it shows and how its numbers are written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Its kind.
    pub kind: Kind,
    /// The title above it.
    pub title: String,
    /// A line under the title, when the chart needs one (what an index's
    /// 100 is), or nothing.
    pub note: String,
    /// Its text alternative, for screen readers.
    pub description: String,
    /// The categories: bars' groups, the lines' points, the donut's
    /// slices, the radar's axes, the heatmap's columns.
    pub categories: Vec<String>,
    /// The series (a heatmap's rows).
    pub series: Vec<Series>,
    /// What the values are.
    pub unit: Unit,
    /// How the reader's language writes them.
    pub numbers: Numbers,
}

impl Chart {
    /// A chart with no series yet, numbers written in English.
    pub fn new(kind: Kind, title: impl Into<String>, unit: Unit) -> Chart {
        Chart {
            kind,
            title: title.into(),
            note: String::new(),
            description: String::new(),
            categories: Vec::new(),
            series: Vec::new(),
            unit,
            numbers: Numbers::english(),
        }
    }

    /// `value` in the scale it is written in: a share or an index times
    /// 100, rounded to what is written (a whole count, an index, a
    /// percentage to one decimal, money to cents or to units from 100).
    pub fn scaled(&self, value: f64) -> f64 {
        let round = |v: f64, places: i32| {
            let p = 10f64.powi(places);
            (v * p).round() / p
        };
        match self.unit {
            Unit::Count => value.round(),
            Unit::Index => (value * 100.0).round(),
            Unit::Percent => round(value * 100.0, 1),
            Unit::Money if value.abs() >= 100.0 => value.round(),
            Unit::Money | Unit::Number => round(value, 2),
        }
    }

    /// `value` as the chart writes it: `34.5%`, `€1,234`, `12 345`.
    pub fn write(&self, value: f64) -> String {
        self.numbers.write(self.unit, self.scaled(value))
    }

    /// Why this chart cannot be drawn, if it cannot: no category, no
    /// series, a series without one value per category, or no value at
    /// all.
    pub fn fault(&self) -> Option<String> {
        if self.categories.is_empty() {
            return Some(format!("the chart \"{}\" has no category", self.title));
        }
        if self.series.is_empty() {
            return Some(format!("the chart \"{}\" has no series", self.title));
        }
        if let Some(s) = self
            .series
            .iter()
            .find(|s| s.values.len() != self.categories.len())
        {
            return Some(format!(
                "the series \"{}\" has {} values for {} categories",
                s.name,
                s.values.len(),
                self.categories.len()
            ));
        }
        let any = self
            .series
            .iter()
            .flat_map(|s| &s.values)
            .any(|v| v.is_some_and(f64::is_finite));
        if !any {
            return Some(format!("the chart \"{}\" has no value", self.title));
        }
        None
    }

    /// The chart's figures as CSV: a header of the category column and
    /// the series' names, then a line per category, values unscaled.
    pub fn csv(&self, category_header: &str) -> String {
        let field = |text: &str| {
            if text.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", text.replace('"', "\"\""))
            } else {
                text.to_string()
            }
        };
        let mut out = field(category_header);
        for s in &self.series {
            out.push(',');
            out.push_str(&field(&s.name));
        }
        out.push('\n');
        for (i, c) in self.categories.iter().enumerate() {
            out.push_str(&field(c));
            for s in &self.series {
                out.push(',');
                if let Some(v) = s.values.get(i).copied().flatten() {
                    out.push_str(&v.to_string());
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn french() -> Numbers {
        Numbers {
            money_after: "\u{a0}€".into(),
            ..Numbers::french()
        }
    }

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        let mut chart = Chart::new(Kind::Bars, "t", Unit::Percent);
        assert_eq!(chart.write(0.3456), "34.6%");
        assert_eq!(chart.write(1.0), "100%");
        chart.numbers = french();
        assert_eq!(chart.write(0.3456), "34,6\u{a0}%");
        chart.unit = Unit::Money;
        assert_eq!(chart.write(12345.678), "12\u{202f}346\u{a0}€");
        assert_eq!(chart.write(45.5), "45,50\u{a0}€");
        assert_eq!(chart.write(-0.001), "0,00\u{a0}€");
        chart.unit = Unit::Index;
        assert_eq!(chart.write(1.456), "146");
        chart.unit = Unit::Count;
        chart.numbers = Numbers {
            money_before: "€".into(),
            ..Numbers::english()
        };
        assert_eq!(chart.write(1234567.0), "1,234,567");
        chart.unit = Unit::Money;
        assert_eq!(chart.write(-2707.5), "-€2,708");
    }

    #[test]
    fn a_chart_says_why_it_cannot_be_drawn() {
        let mut chart = Chart::new(Kind::Lines, "Sizes", Unit::Count);
        assert!(chart.fault().unwrap().contains("no category"));
        chart.categories = vec!["a".into(), "b".into()];
        assert!(chart.fault().unwrap().contains("no series"));
        chart.series.push(Series::new("x", [1.0]));
        assert_eq!(
            chart.fault().unwrap(),
            "the series \"x\" has 1 values for 2 categories"
        );
        chart.series[0].values = vec![None, Some(f64::NAN)];
        assert!(chart.fault().unwrap().contains("no value"));
        chart.series[0].values[0] = Some(3.0);
        assert_eq!(chart.fault(), None);
    }

    #[test]
    fn figures_as_csv_quote_what_needs_it() {
        let mut chart = Chart::new(Kind::Bars, "t", Unit::Percent);
        chart.categories = vec!["Can't lose, them".into(), "New".into()];
        chart.series = vec![
            Series::new("Customers", [0.25, 0.75]),
            Series {
                name: "Revenue \"net\"".into(),
                values: vec![Some(0.5), None],
            },
        ];
        assert_eq!(
            chart.csv("segment"),
            "segment,Customers,\"Revenue \"\"net\"\"\"\n\"Can't lose, them\",0.25,0.5\nNew,0.75,\n"
        );
    }
}
