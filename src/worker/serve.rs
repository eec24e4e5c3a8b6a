//! The worker's operations, one method each: every one only calls the
//! engine on the data the worker holds.

use seglens_engine::ImportOptions;
use seglens_engine::analysis::cohorts::{self, Cohorts, Migration};
use seglens_engine::analysis::{self, Analysis, AnalysisOptions};
use seglens_engine::export::segment_sql::{Schema, segment_sql};
use seglens_engine::export::{self, Export};
use seglens_engine::import::dataset::{self, Dataset};
use seglens_engine::import::demo;
use seglens_engine::import::orders::{self, OrdersImporter, OrdersPreview};
use seglens_engine::import::sources::{self, SourceKind, SourcePreview};
use seglens_engine::journeys::{self, crosssell};
use seglens_engine::model::message::Message;
use seglens_engine::models::clv::{self, HoldoutCheck, TimeUnit};
use seglens_engine::segments::cluster::{self, Clustering, SilhouetteCurve};
use seglens_engine::segments::groups::{self, MemberPage};
use seglens_engine::segments::splits::{self, Split};
use seglens_engine::segments::{Definition, separation};
use seglens_engine::store::project::Project;

use super::{EngineTask, now_ms, stage, step};
use crate::protocol::Imported;
use crate::protocol::Response;
use crate::protocol::ask::{self, Reply, Serve};

impl Serve for EngineTask {
    fn demo(&mut self, _: ask::Demo, reply: Reply) -> Result<Imported, Message> {
        let started = now_ms();
        let files = demo::generate(demo::DEMO_SEED);
        let bytes = files.orders.as_bytes();
        let total = bytes.len() as u64;
        let mut importer = OrdersImporter::new("demo orders.csv", ImportOptions::default());
        let mut done = 0u64;
        for chunk in bytes.chunks(256 * 1024) {
            importer.push(chunk).map_err(refusal)?;
            done += chunk.len() as u64;
            reply(Response::Progress {
                bytes_done: done,
                bytes_total: total,
                rows: importer.rows_read(),
            });
        }
        let (orders, report) = importer.finish().map_err(refusal)?;
        let mut data = Dataset::from_orders(orders);
        // Every other table of the demo, as a source beside its orders.
        for (name, text) in files.files() {
            if name != "orders.csv" {
                data.add_source(&format!("demo {name}"), text.as_bytes())
                    .map_err(refusal)?;
            }
        }
        let read_ms = now_ms() - started;
        self.finished(
            data,
            Some(report),
            None,
            &AnalysisOptions::default(),
            read_ms,
            reply,
        )
    }

    fn preview_source(
        &mut self,
        call: ask::PreviewSource,
        _: Reply,
    ) -> Result<SourcePreview, Message> {
        Ok(sources::preview(
            &call.file_name,
            &call.head,
            call.whole,
            &call.read,
        ))
    }

    fn preview_orders(
        &mut self,
        call: ask::PreviewOrders,
        _: Reply,
    ) -> Result<OrdersPreview, Message> {
        Ok(orders::preview(
            &call.file_name,
            &call.head,
            call.whole,
            ImportOptions {
                map: call.map,
                encoding: call.encoding,
                today: None,
                sheet: call.sheet,
                all_statuses: false,
                encoding_guess: None,
            },
        ))
    }

    fn classify(&mut self, call: ask::Classify, _: Reply) -> Result<Option<SourceKind>, Message> {
        Ok(dataset::kind_of_sheet(&call.head, call.sheet.as_deref()))
    }

    fn analyse(&mut self, call: ask::Analyse, reply: Reply) -> Result<Analysis, Message> {
        let data = Dataset::decode(&call.table)?;
        self.data = Some(data);
        self.facts = None;
        self.analyser.forget();
        self.analysed(&call.options, reply)
    }

    fn reanalyse(&mut self, call: ask::Reanalyse, reply: Reply) -> Result<Analysis, Message> {
        self.analysed(&call.options, reply)
    }

    fn save_project(&mut self, call: ask::SaveProject, _: Reply) -> Result<Vec<u8>, Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_project_to_save"))?;
        Ok(Project {
            record_json: call.record_json,
            data: data.encode(),
        }
        .encode())
    }

    fn open_project(
        &mut self,
        call: ask::OpenProject,
        reply: Reply,
    ) -> Result<ask::OpenedProject, Message> {
        let project = Project::decode(&call.bytes).map_err(|e| Message::from(&e))?;
        let options: AnalysisOptions =
            serde_json::from_str::<serde_json::Value>(&project.record_json)
                .ok()
                .and_then(|v| v.get("options").cloned())
                .and_then(|o| serde_json::from_value(o).ok())
                .unwrap_or_default();
        let data = Dataset::decode(&project.data)?;
        let mut analyser = analysis::Analyser::default();
        let analysis =
            analyser.analyse_reporting(&data, &options, &mut |s, d, t| reply(stage(s, d, t)))?;
        self.data = Some(data);
        self.facts = None;
        self.analyser = analyser;
        Ok(ask::OpenedProject {
            record_json: project.record_json,
            table: project.data,
            analysis,
        })
    }

    fn export(&mut self, call: ask::Export, reply: Reply) -> Result<Export, Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data_to_export"))?;
        let (as_of, result) = analysis::rfm_result(data, &call.options)?;
        Ok(export::members_steps(
            data,
            &result,
            &call.segments,
            &call.export,
            self.analyser
                .predictions(as_of)
                .map(|customers| export::Predicted { customers, as_of }),
            &mut |done, total| reply(step(done, total)),
        ))
    }

    fn export_segments(
        &mut self,
        call: ask::ExportSegments,
        reply: Reply,
    ) -> Result<Export, Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data_to_export"))?;
        let (as_of, result) = analysis::rfm_result(data, &call.options)?;
        let facts = self.facts_at(data, as_of);
        let sets = call
            .segments
            .into_iter()
            .map(|(name, definition)| {
                groups::members(data, &facts, &definition, &call.lifecycle).map(|set| (name, set))
            })
            .collect::<Result<Vec<_>, Message>>()?;
        Ok(export::set_members_steps(
            data,
            &result,
            &sets,
            &call.export,
            self.analyser
                .predictions(as_of)
                .map(|customers| export::Predicted { customers, as_of }),
            &mut |done, total| reply(step(done, total)),
        ))
    }

    fn count_rule(&mut self, call: ask::CountRule, _: Reply) -> Result<u64, Message> {
        self.with_facts(call.as_of, |data, facts| {
            groups::members(data, facts, &Definition::Rule(call.rule), &call.lifecycle)
                .map(|set| set.count())
        })
    }

    fn members(&mut self, call: ask::Members, _: Reply) -> Result<MemberPage, Message> {
        // The cached facts carry the predictions of the models fitted for
        // this date, which the page shows.
        self.with_facts(call.as_of, |data, facts| {
            let set = groups::members(data, facts, &call.definition, &call.lifecycle)?;
            Ok(groups::member_page(
                data,
                facts,
                &set,
                &call.search,
                call.sort,
                call.page,
                25,
            ))
        })
    }

    fn segment_sql(&mut self, call: ask::SegmentSql, _: Reply) -> Result<String, Message> {
        self.with_facts(call.as_of, |data, facts| {
            let mut schema = Schema::of(data, call.orders_columns);
            for (kind, table) in call.tables {
                schema.rename_table(&kind, &table);
            }
            for (kind, role, column) in call.columns {
                schema.rename_column(&kind, &role, &column);
            }
            segment_sql(
                data,
                facts,
                &schema,
                &call.definition,
                &call.lifecycle,
                call.dialect,
                &call.name,
            )
        })
    }

    fn cluster(&mut self, call: ask::Cluster, reply: Reply) -> Result<Clustering, Message> {
        self.with_facts(call.as_of, |data, facts| {
            let mut c = cluster::cluster_steps(data, facts, &call.setup, &mut |done, total| {
                reply(step(done, total))
            })?;
            c.members = Vec::new();
            Ok(c)
        })
    }

    fn silhouette(
        &mut self,
        call: ask::Silhouette,
        reply: Reply,
    ) -> Result<SilhouetteCurve, Message> {
        self.with_facts(call.as_of, |data, facts| {
            let m = cluster::matrix(data, facts, &call.features)?;
            Ok(cluster::silhouette_curve(&m, 10, 42, &mut |done, total| {
                reply(step(done, total))
            }))
        })
    }

    fn compare_two(
        &mut self,
        call: ask::CompareTwo,
        _: Reply,
    ) -> Result<seglens_engine::metrics::compare::TwoSegments, Message> {
        use seglens_engine::metrics::compare;
        let (first, second) = (call.first, call.second);
        let (data, as_of, a) = self.audience(&call.options, &first.1, &call.lifecycle)?;
        let (_, _, b) = self.audience(&call.options, &second.1, &call.lifecycle)?;
        // "All customers" is everyone with an order.
        let everyone = || compare::buyers(data, as_of);
        let inputs = compare::CompareInputs {
            data,
            as_of,
            predictions: self.analyser.predictions(as_of),
            churn_period_days: call.options.churn_period_days.clamp(7, 730),
        };
        Ok(compare::compare_two(
            &inputs,
            (&first.0, &a.unwrap_or_else(everyone)),
            (&second.0, &b.unwrap_or_else(everyone)),
        ))
    }

    fn cross_sell(
        &mut self,
        call: ask::CrossSell,
        _: Reply,
    ) -> Result<crosssell::CrossSell, Message> {
        let (data, as_of, set) = self.audience(&call.options, &call.audience, &call.lifecycle)?;
        crosssell::cross_sell(&data.orders, as_of, set.as_ref(), 10)
    }

    fn cohorts(&mut self, call: ask::Cohorts, _: Reply) -> Result<Cohorts, Message> {
        let (data, as_of, set) = self.audience(&call.options, &call.audience, &call.lifecycle)?;
        Ok(cohorts::retention(&data.orders, as_of, set.as_ref()))
    }

    fn paths(&mut self, call: ask::Paths, _: Reply) -> Result<journeys::Paths, Message> {
        let (data, as_of, set) = self.audience(&call.options, &call.audience, &call.lifecycle)?;
        let events = data
            .events
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_are_no_events"))?;
        Ok(journeys::paths(events, as_of, set.as_ref(), &call.setup))
    }

    fn activity(&mut self, call: ask::Activity, _: Reply) -> Result<Vec<Vec<u64>>, Message> {
        let (data, as_of, set) = self.audience(&call.options, &call.audience, &call.lifecycle)?;
        let events = data
            .events
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_are_no_events"))?;
        Ok(journeys::activity(events, as_of, set.as_ref()))
    }

    fn stage_mix(&mut self, call: ask::StageMix, _: Reply) -> Result<journeys::StageMix, Message> {
        let (data, as_of, set) = self.audience(&call.options, &call.audience, &call.lifecycle)?;
        let events = data
            .events
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_are_no_events"))?;
        let mapping = match &call.options.rows {
            groups::Rows::Split(Split::Journey { stages }) => Some(stages.clone()),
            _ => None,
        };
        let stage = |name: &str| match &mapping {
            Some(stages) => splits::mapped_stage(stages, name),
            None => splits::journey_stage(name),
        };
        Ok(journeys::stage_mix(events, as_of, set.as_ref(), &stage, 12))
    }

    fn separation(
        &mut self,
        call: ask::Separation,
        _: Reply,
    ) -> Result<separation::Separation, Message> {
        self.with_facts(call.as_of, |data, facts| {
            analysis::separation(data, facts, &call.options)
        })
    }

    fn group_history(
        &mut self,
        call: ask::GroupHistory,
        _: Reply,
    ) -> Result<analysis::membership::GroupHistory, Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data"))?;
        let ends = seglens_engine::segments::rfm_history::month_ends(&data.orders, None, None);
        Ok(analysis::membership::group_history(
            data,
            &call.options,
            &ends,
        ))
    }

    fn campaigns(
        &mut self,
        call: ask::Campaigns,
        _: Reply,
    ) -> Result<Vec<analysis::campaign::CampaignResult>, Message> {
        use seglens_engine::analysis::campaign;
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data"))?;
        let email = campaign::with_lists(&data.orders, data.email.as_ref(), &call.lists);
        Ok(campaign::measure(
            &data.orders,
            &email,
            &call.rfm,
            call.window_days,
        ))
    }

    fn migration(&mut self, call: ask::Migration, _: Reply) -> Result<Migration, Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data"))?;
        let (as_of, _) = analysis::rfm_result(data, &call.options)?;
        if call.from >= as_of {
            return Err(Message::new("engine.pick_a_date_before_the_analysis_date"));
        }
        Ok(cohorts::migration(
            &data.orders,
            &call.options.rfm,
            call.from,
            as_of,
        ))
    }

    fn check_holdout(
        &mut self,
        call: ask::CheckHoldout,
        reply: Reply,
    ) -> Result<HoldoutCheck, Message> {
        let data = self
            .data
            .as_ref()
            .ok_or_else(|| Message::new("engine.there_is_no_data_to_check"))?;
        let last = data
            .orders
            .last_order_day()
            .ok_or_else(|| Message::new("engine.the_table_has_no_order"))?;
        clv::holdout_check_reporting(
            &data.orders,
            call.calibration_end,
            last,
            TimeUnit::Weeks,
            &mut |s, d, t| reply(stage(s, d, t)),
        )
        .map_err(|e| Message::new("engine.with.model_not_checked").with("why", e.0))
    }
}

/// A refusal of the demo's own files (which the engine reads whole: it
/// does not happen), passed on as the engine's English words.
fn refusal(e: seglens_engine::ImportError) -> Message {
    Message::new("engine.with.detail").with("why", e.to_string())
}
