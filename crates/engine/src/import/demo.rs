//! A demo business generated deterministically from a seed: customers with
//! demographic, geographic and interest attributes; two years of orders
//! with seasonality, loyal and lapsed customers and a few refunds; e-mail
//! campaign results; NPS answers; web events with funnel steps; support
//! tickets; and the marketing spend per month and channel of the second
//! year, with each customer's acquisition channel.
//!
//! Every table is written as CSV, so the demo goes through the same
//! importer as a user's files.

use std::fmt::Write;

use crate::model::date::{Day, civil_from_days, days_from_civil, format_iso};
use crate::model::rng::Rng;

/// The seed of the demo the app and the command line show.
pub const DEMO_SEED: u64 = 20_240_101;

/// The demo's tables as CSV text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoData {
    /// `customers.csv`: one row per customer.
    pub customers: String,
    /// `orders.csv`: one row per order or refund.
    pub orders: String,
    /// `email.csv`: one row per e-mail sent.
    pub email: String,
    /// `surveys.csv`: one row per NPS answer.
    pub surveys: String,
    /// `events.csv`: one row per web event.
    pub events: String,
    /// `tickets.csv`: one row per support ticket.
    pub tickets: String,
    /// `costs.csv`: marketing spend per month and channel.
    pub costs: String,
}

impl DemoData {
    /// The tables with their file names.
    pub fn files(&self) -> [(&'static str, &str); 7] {
        [
            ("customers.csv", &self.customers),
            ("orders.csv", &self.orders),
            ("email.csv", &self.email),
            ("surveys.csv", &self.surveys),
            ("events.csv", &self.events),
            ("tickets.csv", &self.tickets),
            ("costs.csv", &self.costs),
        ]
    }
}

const FIRST_F: &[&str] = &[
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Sarah",
    "Julie",
    "Claire",
    "Sophie",
    "Anne",
    "Nathalie",
    "Isabelle",
    "Emily",
    "Olivia",
    "Charlotte",
];
const FIRST_M: &[&str] = &[
    "Lucas",
    "Hugo",
    "Louis",
    "Thomas",
    "Nicolas",
    "Julien",
    "Antoine",
    "Pierre",
    "Maxime",
    "Alexandre",
    "Mathieu",
    "Olivier",
    "James",
    "Oliver",
    "Daniel",
    "Karim",
];
const LAST: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Fournier", "Girard", "Bonnet",
    "Smith", "Nguyen", "Mercier", "Blanc", "Faure", "Rousseau",
];
/// City, region, country, weight.
const CITIES: &[(&str, &str, &str, f64)] = &[
    ("Paris", "Île-de-France", "FR", 22.0),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", 12.0),
    ("Marseille", "Provence-Alpes-Côte d'Azur", "FR", 9.0),
    ("Toulouse", "Occitanie", "FR", 8.0),
    ("Bordeaux", "Nouvelle-Aquitaine", "FR", 7.0),
    ("Lille", "Hauts-de-France", "FR", 7.0),
    ("Nantes", "Pays de la Loire", "FR", 6.0),
    ("Strasbourg", "Grand Est", "FR", 5.0),
    ("Rennes", "Bretagne", "FR", 4.0),
    ("Brussels", "Brussels", "BE", 6.0),
    ("Geneva", "Geneva", "CH", 4.0),
    ("Montreal", "Quebec", "CA", 5.0),
    ("London", "England", "GB", 5.0),
];
const INTERESTS: &[&str] = &[
    "DIY",
    "Cooking",
    "Classical music",
    "Rock",
    "Gardening",
    "Sport",
    "Travel",
    "Fashion",
    "Books",
];
/// Category and the interest that makes it more likely.
const CATEGORIES: &[(&str, usize)] = &[
    ("Tools", 0),
    ("Kitchen", 1),
    ("Classical", 2),
    ("Rock & Pop", 3),
    ("Garden", 4),
    ("Sport", 5),
    ("Travel gear", 6),
    ("Fashion", 7),
    ("Books", 8),
];
/// How customers were acquired, and what a new customer costs on each.
const ACQUISITION: [&str; 5] = ["ads", "social", "email", "search", "referral"];
const ACQUISITION_COST: [f64; 5] = [110.0, 70.0, 18.0, 0.0, 0.0];

const CHANNELS: &[(&str, f64)] = &[
    ("web", 55.0),
    ("store", 25.0),
    ("app", 15.0),
    ("marketplace", 5.0),
];
const MONTH_SEASON: [f64; 12] = [
    0.85, 0.75, 0.9, 0.95, 1.0, 0.9, 0.8, 0.75, 0.95, 1.05, 1.45, 1.8,
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Loyal,
    Regular,
    Occasional,
    OneTime,
    Lapsed,
    Prospect,
}

struct Customer {
    id: String,
    kind: Kind,
    interests: Vec<usize>,
    first_day: Day,
    last_order: Option<Day>,
    engagement: f64,
}

/// The currency the demo business sells in (its files write plain
/// numbers, as most shop exports do).
pub const DEMO_CURRENCY: &str = "EUR";

/// The number of customers of the app's demo.
pub const DEMO_CUSTOMERS: usize = 5_000;

/// Generates the demo business.
pub fn generate(seed: u64) -> DemoData {
    generate_sized(seed, DEMO_CUSTOMERS)
}

/// Generates a business like the demo with `n_customers` customers (for
/// benchmarks at other sizes).
pub fn generate_sized(seed: u64, n_customers: usize) -> DemoData {
    let mut rng = Rng(seed);
    let start = days_from_civil(2024, 1, 1);
    let end = days_from_civil(2025, 12, 31);
    let span = (end - start + 1) as f64;

    let mut customers_csv = String::from(
        "customer_id,email,first_name,last_name,gender,age,city,region,country,postcode,interests,signup_date,newsletter,acquisition_channel,referred_by\n",
    );
    // The acquisition channels come from a generator of their own, so that
    // the rest of the demo does not depend on them.
    let mut acquisition_rng = Rng(seed ^ 0x00ac_9015_1710);
    let mut acquired: Vec<(usize, Day)> = Vec::new();
    let mut customers = Vec::with_capacity(n_customers);
    for i in 0..n_customers {
        let female = rng.chance(0.52);
        let first = if female {
            *rng.pick(FIRST_F)
        } else {
            *rng.pick(FIRST_M)
        };
        let last = *rng.pick(LAST);
        let city_w: Vec<f64> = CITIES.iter().map(|c| c.3).collect();
        let (city, region, country, _) = CITIES[rng.weighted(&city_w)];
        let age = (42.0 + 13.0 * rng.normal()).clamp(18.0, 84.0) as u32;
        let mut interests = vec![rng.below(INTERESTS.len())];
        for _ in 0..2 {
            if rng.chance(0.45) {
                let x = rng.below(INTERESTS.len());
                if !interests.contains(&x) {
                    interests.push(x);
                }
            }
        }
        let kind = match rng.weighted(&[11.0, 25.0, 27.0, 21.0, 11.0, 5.0]) {
            0 => Kind::Loyal,
            1 => Kind::Regular,
            2 => Kind::Occasional,
            3 => Kind::OneTime,
            4 => Kind::Lapsed,
            _ => Kind::Prospect,
        };
        // Half the base was there before the period; the rest arrives over
        // the two years.
        let first_day = if rng.chance(0.45) {
            start + rng.below(60) as Day
        } else {
            start + (rng.unit().powf(0.8) * span) as Day
        }
        .min(end);
        let engagement = match kind {
            Kind::Loyal => 0.55,
            Kind::Regular => 0.4,
            Kind::Lapsed => 0.15,
            Kind::Prospect => 0.3,
            _ => 0.25,
        } * (0.5 + rng.unit());
        let id = format!("C{:06}", i + 1);
        let email = format!(
            "{}.{}{}@example.com",
            ascii_lower(first),
            ascii_lower(last),
            i + 1
        );
        let postcode = match country {
            "FR" => format!("{:05}", 10_000 + rng.below(85_000)),
            "CA" => "H2X 1Y4".to_string(),
            "GB" => "SW1A 1AA".to_string(),
            _ => format!("{}", 1000 + rng.below(8000)),
        };
        let interest_names: Vec<&str> = interests.iter().map(|x| INTERESTS[*x]).collect();
        // Loyal customers come more often by referral and search, one-time
        // buyers more often by ads.
        let channel_w: &[f64] = match kind {
            Kind::Loyal | Kind::Regular => &[20.0, 20.0, 15.0, 25.0, 20.0],
            Kind::OneTime | Kind::Lapsed => &[45.0, 25.0, 10.0, 15.0, 5.0],
            _ => &[35.0, 25.0, 10.0, 20.0, 10.0],
        };
        let acquisition = ACQUISITION[acquisition_rng.weighted(channel_w)];
        // A referred customer names an earlier one, loyal or regular when
        // one of a few tried is.
        let mut referrer = String::new();
        if acquisition == "referral" && !customers.is_empty() {
            for _ in 0..6 {
                let r: &Customer = &customers[acquisition_rng.below(customers.len())];
                referrer.clone_from(&r.id);
                if matches!(r.kind, Kind::Loyal | Kind::Regular) {
                    break;
                }
            }
        }
        acquired.push((
            ACQUISITION
                .iter()
                .position(|a| *a == acquisition)
                .unwrap_or(0),
            first_day,
        ));
        let _ = writeln!(
            customers_csv,
            "{id},{email},{first},{last},{},{age},{city},\"{region}\",{country},{postcode},\"{}\",{},{},{acquisition},{referrer}",
            if female { "F" } else { "M" },
            interest_names.join(";"),
            format_iso((first_day - 30 - rng.below(300) as Day).max(start - 700)),
            if rng.chance(0.8) { "yes" } else { "no" },
        );
        customers.push(Customer {
            id,
            kind,
            interests,
            first_day,
            last_order: None,
            engagement,
        });
    }

    let mut orders_csv =
        String::from("order_id,customer_id,order_date,amount,currency,category,channel,status\n");
    let mut order_no = 100_000;
    let mut refunds = Vec::new();
    let channel_w: Vec<f64> = CHANNELS.iter().map(|c| c.1).collect();
    for c in customers.iter_mut() {
        let (gap_mean, life_mean, basket): (f64, f64, f64) = match c.kind {
            Kind::Loyal => (12.0, 2_500.0, 74.0),
            Kind::Regular => (30.0, 800.0, 58.0),
            Kind::Occasional => (85.0, 450.0, 52.0),
            Kind::OneTime => (f64::INFINITY, 0.0, 45.0),
            Kind::Lapsed => (22.0, 180.0, 62.0),
            Kind::Prospect => continue,
        };
        let death = c.first_day as f64 + rng.exponential(life_mean.max(1.0));
        let mut t = c.first_day as f64;
        let spend_level = (0.35 * rng.normal()).exp();
        let mut first = true;
        while t <= f64::from(end) && (first || t <= death) {
            let day = t as Day;
            let (_, month, _) = civil_from_days(day);
            let season = MONTH_SEASON[month as usize - 1];
            if first || rng.chance(season / 1.8) {
                first = false;
                order_no += 1;
                let amount = (basket * spend_level * (0.45 * rng.normal()).exp()).max(4.0);
                let amount = (amount * 100.0).round() / 100.0;
                let cat = if rng.chance(0.7) {
                    let interest = *rng.pick(&c.interests);
                    CATEGORIES
                        .iter()
                        .find(|k| k.1 == interest)
                        .map(|k| k.0)
                        .unwrap_or("Books")
                } else {
                    rng.pick(CATEGORIES).0
                };
                let channel = CHANNELS[rng.weighted(&channel_w)].0;
                let _ = writeln!(
                    orders_csv,
                    "O{order_no},{},{},{amount:.2},EUR,{cat},{channel},paid",
                    c.id,
                    format_iso(day)
                );
                c.last_order = Some(day);
                if rng.chance(0.015) {
                    let back = day + 3 + rng.below(18) as Day;
                    if back <= end {
                        refunds.push((back, c.id.clone(), order_no, amount, cat, channel));
                    }
                }
            }
            if !gap_mean.is_finite() {
                break;
            }
            t += rng.exponential(gap_mean).max(1.0);
        }
    }
    for (day, id, no, amount, cat, channel) in refunds {
        let _ = writeln!(
            orders_csv,
            "R{no},{id},{},-{amount:.2},EUR,{cat},{channel},refunded",
            format_iso(day)
        );
    }

    let mut email_csv = String::from(
        "campaign_id,campaign,customer_id,sent_at,delivered,opened,clicked,unsubscribed\n",
    );
    let themes = [
        "New arrivals",
        "Winter sale",
        "Spring ideas",
        "Mother's Day",
        "Garden season",
        "Summer reads",
        "Holiday gear",
        "Back to school",
        "Autumn picks",
        "Black Friday",
        "Gift guide",
        "Last-minute gifts",
    ];
    let mut unsubscribed = vec![false; customers.len()];
    for (k, theme) in themes.iter().enumerate() {
        let sent = days_from_civil(2025, k as u32 + 1, 8);
        for (i, c) in customers.iter().enumerate() {
            if unsubscribed[i] || c.first_day > sent || (i * 7 + 3) % 10 < 2 {
                continue;
            }
            let delivered = !rng.chance(0.02);
            let recent = c.last_order.is_some_and(|d| sent - d < 120);
            let p_open = (c.engagement + if recent { 0.1 } else { -0.05 }).clamp(0.02, 0.9);
            let opened = delivered && rng.chance(p_open);
            let clicked = opened && rng.chance(0.15 + c.engagement * 0.3);
            let unsub = delivered && rng.chance(0.004 + (0.3 - c.engagement).max(0.0) * 0.01);
            unsubscribed[i] = unsub;
            let _ = writeln!(
                email_csv,
                "M{:03},{theme},{},{}T09:00:00Z,{},{},{},{}",
                k + 1,
                c.id,
                format_iso(sent),
                u8::from(delivered),
                u8::from(opened),
                u8::from(clicked),
                u8::from(unsub)
            );
        }
    }

    let mut surveys_csv = String::from("customer_id,answered_at,nps,csat,comment\n");
    let comments_good = ["Fast delivery", "Great choice", "Friendly staff", ""];
    let comments_bad = ["Late delivery", "Item damaged", "Too expensive", ""];
    for c in &customers {
        let Some(last) = c.last_order else { continue };
        if !rng.chance(0.3) {
            continue;
        }
        let base = match c.kind {
            Kind::Loyal => 8.8,
            Kind::Regular => 7.6,
            Kind::Occasional => 6.8,
            Kind::OneTime => 6.0,
            Kind::Lapsed => 5.0,
            Kind::Prospect => 6.5,
        };
        let nps = (base + 1.8 * rng.normal()).round().clamp(0.0, 10.0) as u8;
        let csat = (1.0 + f64::from(nps) * 0.4 + 0.6 * rng.normal())
            .round()
            .clamp(1.0, 5.0) as u8;
        let comment = if nps >= 7 {
            rng.pick(&comments_good)
        } else {
            rng.pick(&comments_bad)
        };
        let _ = writeln!(
            surveys_csv,
            "{},{},{nps},{csat},{comment}",
            c.id,
            format_iso((last + 7).min(end))
        );
    }

    let mut events_csv =
        String::from("session_id,customer_id,timestamp,event,page,channel,campaign\n");
    let web_start = end - 89;
    let mut session = 0u32;
    for c in &customers {
        let active = c.last_order.is_some_and(|d| d >= web_start - 60);
        let sessions = if active {
            1 + rng.below(5)
        } else if rng.chance(0.15) {
            1
        } else {
            0
        };
        for _ in 0..sessions {
            session += 1;
            let day = web_start + rng.below(90) as Day;
            let mut secs = (8 + rng.below(14)) * 3600 + rng.below(3600);
            let (channel, campaign) = match rng.below(4) {
                0 => ("email", "M012"),
                1 => ("ads", "search-brand"),
                2 => ("social", "spring-social"),
                _ => ("organic", ""),
            };
            let cat = CATEGORIES[*rng.pick(&c.interests)].0;
            let mut steps = vec![("page_view", "/".to_string())];
            steps.push(("view_product", format!("/c/{}", ascii_lower(cat))));
            let intent = match c.kind {
                Kind::Loyal => 0.7,
                Kind::Regular => 0.55,
                _ => 0.4,
            };
            if rng.chance(intent) {
                steps.push(("add_to_cart", "/cart".to_string()));
                if rng.chance(0.65) {
                    steps.push(("begin_checkout", "/checkout".to_string()));
                    if rng.chance(0.7) {
                        steps.push(("purchase", "/checkout/done".to_string()));
                    }
                }
            }
            for (event, page) in steps {
                let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
                let _ = writeln!(
                    events_csv,
                    "S{session:06},{},{}T{h:02}:{m:02}:{s:02}Z,{event},{page},{channel},{campaign}",
                    c.id,
                    format_iso(day)
                );
                secs += 20 + rng.below(240);
            }
        }
    }

    // Support tickets, generated last so the other files stay as they
    // were: about one buyer in six writes in, lapsed ones more often;
    // most are solved within a day or two, the latest may still be open.
    let mut tickets_csv = String::from("ticket_id,customer_id,created_at,resolved_at,topic\n");
    let topics = [
        "Delivery",
        "Refund",
        "Product question",
        "Account",
        "Damaged item",
    ];
    let mut ticket = 5_000u32;
    for c in &customers {
        let Some(last) = c.last_order else { continue };
        let p = match c.kind {
            Kind::Lapsed => 0.35,
            Kind::Loyal => 0.25,
            _ => 0.12,
        };
        let mut n = 0;
        while n < 4 && rng.chance(p) {
            n += 1;
            ticket += 1;
            let day = (c.first_day
                + rng.below((last - c.first_day + 1).max(1) as usize) as Day
                + rng.below(10) as Day)
                .min(end);
            let opened = i64::from(day) * 86_400
                + (8 + rng.below(10) as i64) * 3600
                + rng.below(3600) as i64;
            let hours = rng.exponential(if c.kind == Kind::Lapsed { 40.0 } else { 18.0 });
            let resolved = opened + (hours * 3600.0) as i64;
            let resolved_text = if resolved >= i64::from(end + 1) * 86_400 || rng.chance(0.03) {
                String::new()
            } else {
                format_time(resolved)
            };
            let _ = writeln!(
                tickets_csv,
                "T{ticket},{},{},{resolved_text},{}",
                c.id,
                format_time(opened),
                rng.pick(&topics)
            );
        }
    }

    // Marketing spend, month by month over the second year, for the paid
    // channels: what each channel's new customers of the month cost, give
    // or take a fifth.
    let mut costs_csv = String::from("month,channel,spend\n");
    for month in 1..=12 {
        let from = days_from_civil(2025, month, 1);
        let to = if month == 12 {
            end
        } else {
            days_from_civil(2025, month + 1, 1) - 1
        };
        for (ch, (name, cost)) in ACQUISITION.iter().zip(ACQUISITION_COST).enumerate() {
            if cost <= 0.0 {
                continue;
            }
            let new = acquired
                .iter()
                .filter(|(c, d)| *c == ch && (from..=to).contains(d))
                .count();
            let spend = (new as f64 + 2.0) * cost * (0.8 + 0.4 * acquisition_rng.unit());
            let _ = writeln!(costs_csv, "{},{name},{spend:.2}", format_iso(from));
        }
    }

    DemoData {
        customers: customers_csv,
        orders: orders_csv,
        email: email_csv,
        surveys: surveys_csv,
        events: events_csv,
        tickets: tickets_csv,
        costs: costs_csv,
    }
}

/// Seconds since the epoch as `yyyy-mm-ddThh:mm:ssZ`.
fn format_time(t: i64) -> String {
    let day = t.div_euclid(86_400);
    let s = t.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_iso(day as Day),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

fn ascii_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' | 'è' => 'e',
            'ï' => 'i',
            c => c.to_ascii_lowercase(),
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}
