//! The whole query: the customers, the facts before the analysis date,
//! the condition, and the members it returns.

use crate::model::message::Message;

use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn condition(
        &mut self,
        definition: &Definition,
        lifecycle: &LifecycleSetup,
    ) -> Result<String, Message> {
        match definition {
            Definition::Rule(text) => {
                let rule = Rule::from_json(text)?;
                self.rule(&rule)
            }
            Definition::Lifecycle(stage) => Ok(self.lifecycle(*stage, lifecycle)),
            Definition::Group { split, group } => self.group(split, group),
            Definition::Cluster { setup, cluster } => self.cluster(setup, *cluster),
            Definition::FunnelDrop { .. } => Err(Message::new(
                "engine.funnel_drop_offs_follow_each_customer_s_events_in_order_which_this_query_does_not_do_export_the_members_instead",
            )),
            Definition::Rfm(_) => Err(Message::new(
                "engine.rfm_segments_have_a_query_of_their_own_the_rfm_export_for_this_segment_export_the_members_instead",
            )),
            Definition::Within { parent, rule } => {
                let parent = self.condition(parent, lifecycle)?;
                let rule = Rule::from_json(rule)?;
                Ok(format!("({parent})\n  AND ({})", self.rule(&rule)?))
            }
        }
    }

    /// The whole query around a condition.
    pub(super) fn query(&self, condition: &str, title: &str) -> Result<String, Message> {
        let s = self.schema;
        let text = self.text();
        let dbl = self.d.double();
        let as_of = self.as_of();
        let mut keys = Vec::new();
        let mut ctes = Vec::new();
        let o = &s.orders;
        let (oc, od, oa) = (
            self.col(o, "customer")?,
            self.col(o, "date")?,
            self.col(o, "amount")?,
        );
        keys.push(format!(
            "  SELECT {} AS customer_id FROM {}",
            self.key(&oc),
            o.table
        ));
        let category = match o.column("category") {
            Some(c) => format!(
                ",\n         LOWER(TRIM(CAST({} AS {text}))) AS category",
                self.d.ident(c)
            ),
            None => String::new(),
        };
        ctes.push(format!(
            "seglens_orders AS (\n  SELECT {} AS customer_id,\n         {} AS day,\n         CAST({oa} AS {dbl}) AS amount{category}\n  FROM {}\n)",
            self.key(&oc),
            self.day(&od),
            o.table
        ));
        let extra = |a: &Aggregates, prefix: &str| -> String {
            a.columns
                .iter()
                .enumerate()
                .map(|(i, e)| format!(",\n         {e} AS {prefix}{i}"))
                .collect()
        };
        ctes.push(format!(
            "order_facts AS (\n  SELECT customer_id,\n         SUM(CASE WHEN day < {as_of} AND amount >= 0 THEN 1 ELSE 0 END) AS orders,\n         SUM(CASE WHEN day < {as_of} THEN amount ELSE 0 END) AS spend,\n         SUM(CASE WHEN day < {as_of} AND amount >= 0 THEN amount ELSE 0 END) AS gross,\n         MIN(CASE WHEN day < {as_of} AND amount >= 0 THEN day END) AS first_day,\n         MAX(CASE WHEN day < {as_of} AND amount >= 0 THEN day END) AS last_day{}\n  FROM seglens_orders\n  GROUP BY customer_id\n)",
            extra(&self.orders, "o")
        ));
        let mut joins =
            vec!["LEFT JOIN order_facts AS o ON o.customer_id = k.customer_id".to_string()];
        // Each other table: its keys, and its aggregates when used.
        let others: [(&Option<Table>, &Aggregates, &str, &str); 3] = [
            (&s.email, &self.email, "e", "email_facts"),
            (&s.events, &self.events, "v", "event_facts"),
            (&s.tickets, &self.tickets, "t", "ticket_facts"),
        ];
        for (table, aggs, prefix, name) in others {
            let Some(t) = table else { continue };
            let c = self.key(&self.col(t, "customer")?);
            keys.push(format!("  SELECT {c} AS customer_id FROM {}", t.table));
            if aggs.columns.is_empty() {
                continue;
            }
            let body = if prefix == "e" {
                format!(
                    "  SELECT {c} AS customer_id{}\n  FROM {}\n  GROUP BY 1",
                    extra(aggs, prefix),
                    t.table
                )
            } else {
                // Each row's day, and the event's name.
                let (when, event) = if prefix == "v" {
                    let name = self.col(t, "event")?;
                    (
                        self.col(t, "time")?,
                        format!(", TRIM(CAST({name} AS {text})) AS event"),
                    )
                } else {
                    (self.col(t, "opened")?, String::new())
                };
                format!(
                    "  SELECT customer_id{}\n  FROM (\n    SELECT {c} AS customer_id, {} AS day{event}\n    FROM {}\n  ) AS rows_of\n  GROUP BY customer_id",
                    extra(aggs, prefix),
                    self.day(&when),
                    t.table
                )
            };
            ctes.push(format!("{name} AS (\n{body}\n)"));
            joins.push(format!(
                "LEFT JOIN {name} AS {prefix} ON {prefix}.customer_id = k.customer_id"
            ));
        }
        if let Some(t) = &s.surveys {
            let c = self.key(&self.col(t, "customer")?);
            keys.push(format!("  SELECT {c} AS customer_id FROM {}", t.table));
            if self.surveys {
                let day = match t.column("date") {
                    Some(col) => self.day(&self.d.ident(col)),
                    None => "CAST(NULL AS DATE)".into(),
                };
                let score = |role: &str| match t.column(role) {
                    Some(col) => format!("CAST({} AS INTEGER)", self.value(&self.d.ident(col))),
                    None => "CAST(NULL AS INTEGER)".into(),
                };
                ctes.push(format!(
                    "survey_rows AS (\n  SELECT {c} AS customer_id, {day} AS day, {} AS nps, {} AS csat\n  FROM {}\n)",
                    score("nps"),
                    score("csat"),
                    t.table
                ));
                let latest = |what: &str| {
                    format!(
                        "latest_{what} AS (\n  SELECT customer_id, {what} FROM (\n    SELECT customer_id, {what}, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY day DESC NULLS LAST) AS rn\n    FROM survey_rows\n    WHERE {what} IS NOT NULL AND (day IS NULL OR day < {as_of})\n  ) AS ranked\n  WHERE rn = 1\n)"
                    )
                };
                ctes.push(latest("nps"));
                ctes.push(latest("csat"));
                ctes.push("survey_facts AS (\n  SELECT k.customer_id, n.nps, c.csat\n  FROM seglens_keys AS k\n  LEFT JOIN latest_nps AS n ON n.customer_id = k.customer_id\n  LEFT JOIN latest_csat AS c ON c.customer_id = k.customer_id\n)".into());
                joins.push("LEFT JOIN survey_facts AS s ON s.customer_id = k.customer_id".into());
            }
        }
        if let Some(t) = &s.customers {
            let c = self.key(&self.col(t, "customer")?);
            keys.push(format!("  SELECT {c} AS customer_id FROM {}", t.table));
            if self.attributes {
                ctes.push(format!(
                    "customer_rows AS (\n  SELECT {c} AS seglens_customer, * FROM {}\n)",
                    t.table
                ));
                joins.push(
                    "LEFT JOIN customer_rows AS a ON a.seglens_customer = k.customer_id".into(),
                );
            }
        }
        let keys_cte = format!(
            "seglens_keys AS (\n  SELECT DISTINCT customer_id FROM (\n{}\n  ) AS every_key\n  WHERE customer_id IS NOT NULL AND customer_id <> ''\n)",
            keys.join("\n  UNION ALL\n")
        );
        // The keys come first: survey facts read them.
        let mut all = vec![keys_cte];
        all.extend(ctes);
        Ok(format!(
            "-- {title}\n-- As SegLens selects it on the analysis date {}.\nWITH {}\nSELECT DISTINCT k.customer_id\nFROM seglens_keys AS k\n{}\nWHERE {condition}\nORDER BY k.customer_id;\n",
            format_iso(self.facts.as_of),
            all.join(",\n"),
            joins.join("\n"),
        ))
    }
}
