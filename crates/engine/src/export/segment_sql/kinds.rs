//! The other kinds of segment as conditions: lifecycle stages, groups of a
//! column, tiers with the thresholds the engine found, journey stages and
//! clusters with their centres and scaling.

use crate::model::message::Message;

use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn lifecycle(&self, stage: Stage, setup: &LifecycleSetup) -> String {
        let since_last = self.d.days_between("o.last_day", &self.as_of());
        let since_first = self.d.days_between("o.first_day", &self.as_of());
        let label = |s: Stage| self.d.literal(s.label());
        format!(
            "(CASE WHEN o.last_day IS NULL THEN {prospect}\n      WHEN {since_last} > {lapsed} THEN {lapsed_l}\n      WHEN {since_last} > {risk} THEN {risk_l}\n      WHEN {since_first} <= {new} THEN {new_l}\n      WHEN o.orders >= {loyal} THEN {loyal_l}\n      WHEN o.orders >= 2 THEN {repeat_l}\n      ELSE {once_l} END) = {want}",
            prospect = label(Stage::Prospect),
            lapsed = setup.lapsed_after,
            lapsed_l = label(Stage::Lapsed),
            risk = setup.at_risk_after,
            risk_l = label(Stage::AtRisk),
            new = setup.new_days,
            new_l = label(Stage::New),
            loyal = setup.loyal_orders.max(2),
            loyal_l = label(Stage::Loyal),
            repeat_l = label(Stage::Repeat),
            once_l = label(Stage::OneTime),
            want = label(stage),
        )
    }

    /// The condition of one group of a split.
    pub(super) fn group(&mut self, split: &Split, group: &str) -> Result<String, Message> {
        let unknown = || Message::new("engine.with.sql_no_group").with("group", group);
        match split {
            Split::Attribute { column, edges } => {
                let s = splits::column_split(self.data, self.facts, column, edges.as_deref())?;
                let test = s
                    .groups
                    .iter()
                    .find(|(name, _)| name == group)
                    .map(|(_, t)| t.clone())
                    .ok_or_else(unknown)?;
                let (_, v) = self.attribute(column)?;
                let item_is = |cond: &dyn Fn(&str) -> String| -> String {
                    if !s.is_list {
                        return cond(&format!("LOWER({v})"));
                    }
                    let x = "LOWER(TRIM(seglens_item))";
                    let each = match self.d {
                        Dialect::DuckDb => {
                            format!("(SELECT unnest(string_split({v}, ';')) AS seglens_item)")
                        }
                        Dialect::Postgres => format!(
                            "unnest(string_to_array({v}, ';')) AS seglens_items(seglens_item)"
                        ),
                        Dialect::BigQuery => format!("UNNEST(SPLIT({v}, ';')) AS seglens_item"),
                    };
                    format!(
                        "EXISTS (SELECT 1 FROM {each} WHERE {x} <> '' AND {})",
                        cond(x)
                    )
                };
                let cond = match test {
                    GroupTest::Band { lo, hi } => {
                        let x = self.number_of(&v, s.decimal);
                        let mut parts = vec![format!("{x} IS NOT NULL")];
                        if let Some(l) = lo {
                            parts.push(format!("{x} >= {}", number(l)));
                        }
                        if let Some(h) = hi {
                            parts.push(format!("{x} < {}", number(h)));
                        }
                        parts.join(" AND ")
                    }
                    GroupTest::Value(key) => {
                        item_is(&|x| format!("{x} = {}", self.d.literal(&key)))
                    }
                    GroupTest::Other(kept) => item_is(&|x| {
                        format!(
                            "{x} NOT IN ({})",
                            kept.iter()
                                .map(|k| self.d.literal(k))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }),
                    GroupTest::Unknown => format!("{v} IS NULL"),
                };
                Ok(format!("COALESCE({cond}, FALSE)"))
            }
            Split::Tier(tier) => self.tier(*tier, group),
            Split::Journey { stages } => self.journey(stages, group),
            Split::ChurnRisk { .. } | Split::PredictedValue => Err(Message::new(
                "engine.churn_risk_and_predicted_value_groups_come_from_the_predictive_models_which_a_query_cannot_run_export_the_members_instead",
            )),
        }
    }

    pub(super) fn tier(&mut self, tier: Tier, group: &str) -> Result<String, Message> {
        let cuts = splits::tier_cuts(self.data, self.facts, tier)?;
        let unknown = || Message::new("engine.with.sql_no_tier_group").with("group", group);
        // Spend sums may differ from the engine's in the last bits.
        let eps = 1e-6;
        Ok(match tier {
            Tier::Frequency => {
                let n = self.measure(Measure::Orders, Some(365), None)?;
                let from = cuts[0];
                match group {
                    "Frequent buyers" => format!("{n} >= {}", number(from)),
                    "Occasional buyers" => format!("{n} > 0 AND {n} < {}", number(from)),
                    "Inactive buyers" => format!("{n} = 0 AND COALESCE(o.orders, 0) > 0"),
                    _ => return Err(unknown()),
                }
            }
            Tier::Value => {
                let (high, medium) = (number(cuts[0] - eps), number(cuts[1] - eps));
                let buyer = "COALESCE(o.orders, 0) > 0";
                match group {
                    "High value" => format!("{buyer} AND o.spend >= {high}"),
                    "Medium value" => {
                        format!("{buyer} AND o.spend >= {medium} AND o.spend < {high}")
                    }
                    "Low value" => format!("{buyer} AND o.spend < {medium}"),
                    _ => return Err(unknown()),
                }
            }
            Tier::Usage => {
                let n = self.measure(Measure::Events, Some(90), None)?;
                let (heavy, moderate) = (number(cuts[0]), number(cuts[1]));
                match group {
                    "Heavy users" => format!("{n} > 0 AND {n} >= {heavy}"),
                    "Moderate users" => {
                        format!("{n} > 0 AND {n} >= {moderate} AND {n} < {heavy}")
                    }
                    "Light users" => format!("{n} > 0 AND {n} < {moderate}"),
                    "No recent activity" => format!("{n} = 0"),
                    _ => return Err(unknown()),
                }
            }
            Tier::Engagement => {
                // The tier counts only dated e-mails.
                let dated = |s: &mut Self, m: Measure, days: u32| -> Result<String, Message> {
                    s.measure(m, Some(days), None)
                };
                let opens90 = dated(self, Measure::EmailOpens, 90)?;
                let opens180 = dated(self, Measure::EmailOpens, 180)?;
                let received = dated(self, Measure::EmailsReceived, 180)?;
                match group {
                    "Engaged readers" => format!("{opens90} > 0"),
                    "Passive readers" => format!("{opens90} = 0 AND {opens180} > 0"),
                    "Dormant readers" => format!("{opens180} = 0 AND {received} > 0"),
                    _ => return Err(unknown()),
                }
            }
            Tier::Loyalty => {
                let x = self.measure(Measure::Nps, None, None)?;
                let cond = match group {
                    "Promoters" => format!("{x} >= 9"),
                    "Passives" => format!("{x} BETWEEN 7 AND 8"),
                    "Detractors" => format!("{x} <= 6"),
                    _ => return Err(unknown()),
                };
                format!("COALESCE({cond}, FALSE)")
            }
            Tier::Journey => {
                let ev = self.data.events.as_ref().ok_or_else(|| {
                    Message::new("engine.add_an_events_file_to_see_journey_stages")
                })?;
                let stages: Vec<(String, u8)> = ev
                    .names
                    .iter()
                    .filter_map(|n| splits::journey_stage(n).map(|s| (n.clone(), s)))
                    .collect();
                return self.journey(&stages, group);
            }
        })
    }

    /// The furthest journey stage reached in the last 30 days.
    pub(super) fn journey(
        &mut self,
        stages: &[(String, u8)],
        group: &str,
    ) -> Result<String, Message> {
        let events = self
            .schema
            .events
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_events_table"))?;
        self.col(events, "event")?;
        let want = ["Awareness", "Consideration", "Decision"]
            .iter()
            .position(|s| *s == group)
            .ok_or_else(|| Message::new("engine.with.sql_not_a_stage").with("stage", group))?;
        let cases: Vec<String> = stages
            .iter()
            .map(|(name, s)| format!("WHEN {} THEN {s}", self.d.literal(name)))
            .collect();
        if cases.is_empty() {
            return Ok("FALSE".into());
        }
        let when = self.window("day", Some(30), false);
        let alias = self.events.add(
            "v",
            format!(
                "MAX(CASE WHEN {when} THEN CASE event {} END END)",
                cases.join(" ")
            ),
        );
        Ok(format!("COALESCE({alias} = {want}, FALSE)"))
    }

    /// A feature of the clustering, per customer with an order.
    pub(super) fn feature(&mut self, f: &Feature) -> Result<String, Message> {
        let dbl = self.d.double();
        Ok(match f {
            Feature::Recency => self.d.days_between("o.last_day", &self.as_of()),
            Feature::Frequency => "o.orders".into(),
            Feature::Monetary => "o.spend".into(),
            Feature::Tenure => self.d.days_between("o.first_day", &self.as_of()),
            Feature::AverageOrderValue => format!("o.spend / CAST(o.orders AS {dbl})"),
            Feature::Engagement => {
                if let Some(email) = self.schema.email.clone() {
                    let sent = match email.column("sent") {
                        Some(c) => self.day(&self.d.ident(c)),
                        None => "CAST(NULL AS DATE)".into(),
                    };
                    let when = self.window(&sent, None, true);
                    let got = self.flag(&email, "delivered", true);
                    let opened = format!(
                        "({} OR {})",
                        self.flag(&email, "opened", false),
                        self.flag(&email, "clicked", false)
                    );
                    let received = self.email.add(
                        "e",
                        format!("SUM(CASE WHEN {when} AND {got} THEN 1 ELSE 0 END)"),
                    );
                    let opens = self.email.add(
                        "e",
                        format!("SUM(CASE WHEN {when} AND {got} AND {opened} THEN 1 ELSE 0 END)"),
                    );
                    format!(
                        "CASE WHEN COALESCE({received}, 0) > 0 THEN CAST({opens} AS {dbl}) / {received} ELSE 0 END"
                    )
                } else if self.schema.events.is_some() {
                    let events = self.measure(Measure::Events, None, None)?;
                    let weeks = format!(
                        "GREATEST(CAST({} AS {dbl}) / 7, 1)",
                        self.d.days_between("o.first_day", &self.as_of())
                    );
                    format!("CAST({events} AS {dbl}) / {weeks}")
                } else {
                    "0".into()
                }
            }
            Feature::Attribute(name) => {
                let (at, v) = self.attribute(name)?;
                let table = self.data.customers.as_ref().expect("checked");
                self.number_of(&v, cluster::attribute_decimal(table, at))
            }
        })
    }

    /// Members of a cluster: the nearest of the run's centres, in the
    /// run's scaling (ties to the first centre, as the engine).
    pub(super) fn cluster(
        &mut self,
        setup: &cluster::ClusterSetup,
        want: usize,
    ) -> Result<String, Message> {
        let m = cluster::matrix(self.data, self.facts, &setup.features)?;
        let run = cluster::kmeans(&m, setup.k, setup.seed, setup.runs)?;
        if want >= setup.k {
            return Err(Message::new("engine.with.sql_no_cluster")
                .with("cluster", want + 1)
                .with("clusters", setup.k));
        }
        let z: Vec<String> = setup
            .features
            .iter()
            .enumerate()
            .map(|(j, f)| {
                let x = self.feature(f)?;
                let mean = number(m.means[j]);
                Ok(format!(
                    "((COALESCE({x}, {mean}) - {mean}) / {})",
                    number(m.scales[j])
                ))
            })
            .collect::<Result<_, Message>>()?;
        let dims = m.dims;
        let dist: Vec<String> = (0..setup.k)
            .map(|c| {
                z.iter()
                    .enumerate()
                    .map(|(j, zj)| {
                        let centre = number(run.centres[c * dims + j]);
                        format!("({zj} - {centre}) * ({zj} - {centre})")
                    })
                    .collect::<Vec<_>>()
                    .join(" + ")
            })
            .collect();
        let mut parts = vec!["COALESCE(o.orders, 0) > 0".to_string()];
        for (c, d) in dist.iter().enumerate() {
            if c == want {
                continue;
            }
            let op = if c < want { "<" } else { "<=" };
            parts.push(format!("({}) {op} ({d})", dist[want]));
        }
        Ok(parts.join("\n  AND "))
    }
}
