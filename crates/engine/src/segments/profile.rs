//! A group of customers described by what they did, not by its name: how
//! long since they last bought, how many bought once, how new they are,
//! what they answered, where most of them live and what the models expect
//! of them. The playbook chooses its campaigns from it, so a lapsed
//! segment gets a win-back whatever it is called and in any language.

use serde::{Deserialize, Serialize};

use super::Facts;
use crate::import::dataset::Dataset;
use crate::model::bitmap::Bitmap;

/// Days before the analysis date within which an order is recent.
pub(crate) const RECENT_DAYS: i32 = 30;

/// What a group's customers did, at the analysis date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Its customers.
    pub customers: u64,
    /// Those with an order before the analysis date.
    pub buyers: u64,
    /// The median of the buyers' days since their last order.
    pub median_days_since_last: Option<f64>,
    /// The share of buyers with exactly one order.
    pub one_order_share: Option<f64>,
    /// The share of buyers whose first order is within the last
    /// [`RECENT_DAYS`] days.
    pub new_share: Option<f64>,
    /// The share of buyers whose last order is within the last
    /// [`RECENT_DAYS`] days.
    pub recent_share: Option<f64>,
    /// Customers with an NPS answer.
    pub answered: u64,
    /// The share of those who answered 9 or 10.
    pub promoter_share: Option<f64>,
    /// The share of those who answered 0 to 6.
    pub detractor_share: Option<f64>,
    /// The mean probability of being still active, when the models were
    /// fitted.
    pub p_alive: Option<f64>,
    /// The mean probability of ordering within 30 days, when the models
    /// were fitted.
    pub order_within_30_days: Option<f64>,
    /// The most common value of each place column of the customers file
    /// (city, region, country…), most specific first.
    pub places: Vec<Place>,
}

/// The most common value of a place column within a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// The column, as the customers file names it.
    pub column: String,
    /// Its most common value.
    pub value: String,
    /// The share of the group's customers with a value in the column that
    /// have this one.
    pub share: f64,
    /// The group's customers with a value in the column.
    pub known: u64,
    /// The value's share among every customer of the file with a value in
    /// the column.
    pub share_of_all: f64,
}

impl Profile {
    /// The share of customers without an order (prospects known from
    /// other files only).
    pub fn prospect_share(&self) -> Option<f64> {
        (self.customers > 0).then(|| 1.0 - self.buyers as f64 / self.customers as f64)
    }
}

/// Place columns by their normalised names, most specific first.
const PLACES: [&[&str]; 4] = [
    &[
        "city", "ville", "town", "commune", "stadt", "ciudad", "citta",
    ],
    &[
        "postcode",
        "zip",
        "code_postal",
        "cp",
        "zipcode",
        "postal_code",
    ],
    &[
        "region",
        "state",
        "province",
        "departement",
        "county",
        "region_name",
    ],
    &["country", "pays", "land", "pais", "country_code"],
];

/// The profile of the customers of `set`.
pub fn profile(data: &Dataset, facts: &Facts, set: &Bitmap) -> Profile {
    let mut p = Profile::default();
    let mut days = Vec::new();
    let (mut one, mut new, mut recent) = (0u64, 0u64, 0u64);
    let (mut promoters, mut detractors) = (0u64, 0u64);
    let (mut alive, mut soon, mut predicted) = (0.0, 0.0, 0u64);
    for c in set.iter() {
        p.customers += 1;
        if let (Some(first), Some(last)) = (facts.first[c], facts.last[c]) {
            p.buyers += 1;
            days.push(f64::from(facts.as_of - last));
            one += u64::from(facts.orders[c] == 1);
            new += u64::from(facts.as_of - first <= RECENT_DAYS);
            recent += u64::from(facts.as_of - last <= RECENT_DAYS);
        }
        if let Some(score) = facts.nps[c] {
            p.answered += 1;
            promoters += u64::from(score >= 9);
            detractors += u64::from(score <= 6);
        }
        if let Some(Some(prediction)) = facts.prediction(c) {
            predicted += 1;
            alive += prediction.p_alive;
            soon += prediction.order_within_30_days;
        }
    }
    let share = |k: u64, n: u64| (n > 0).then(|| k as f64 / n as f64);
    days.sort_by(f64::total_cmp);
    p.median_days_since_last = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2]),
        n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
    };
    p.one_order_share = share(one, p.buyers);
    p.new_share = share(new, p.buyers);
    p.recent_share = share(recent, p.buyers);
    p.promoter_share = share(promoters, p.answered);
    p.detractor_share = share(detractors, p.answered);
    p.p_alive = (predicted > 0).then(|| alive / predicted as f64);
    p.order_within_30_days = (predicted > 0).then(|| soon / predicted as f64);
    p.places = places(data, facts, set);
    p
}

/// The most common value of each place column among `set`'s customers.
fn places(data: &Dataset, facts: &Facts, set: &Bitmap) -> Vec<Place> {
    let Some(table) = data.customers.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for names in PLACES {
        let Some(col) = table
            .attribute_names
            .iter()
            .position(|n| names.contains(&crate::import::roles::normalise(n).as_str()))
        else {
            continue;
        };
        let column = facts.column(table, col);
        let mut counts = vec![0u64; column.values.len()];
        for c in set.iter() {
            if let Some(code) = column.codes.get(c).filter(|x| **x != super::facts::MISSING) {
                counts[*code as usize] += 1;
            }
        }
        let known: u64 = counts.iter().sum();
        // The most common value, the first in the file on a tie.
        if let Some((code, top)) = counts
            .iter()
            .enumerate()
            .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
            .filter(|(_, n)| **n > 0)
        {
            let with_value = column.codes.iter().filter(|x| **x != super::facts::MISSING);
            let (mut all, mut same) = (0u64, 0u64);
            for x in with_value {
                all += 1;
                same += u64::from(*x as usize == code);
            }
            out.push(Place {
                column: table.attribute_names[col].clone(),
                value: column.values[code].clone(),
                share: *top as f64 / known as f64,
                known,
                share_of_all: same as f64 / all.max(1) as f64,
            });
        }
    }
    out
}
