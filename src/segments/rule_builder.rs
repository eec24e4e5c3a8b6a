//! The rule builder: nested "all of / any of" groups of conditions on the
//! customers file's columns, per-customer measures and events, with the
//! count of matching customers updated as the rule is edited.

use leptos::prelude::*;
use leptos::task::spawn_local;
use seglens_engine::import::orders::ColumnType;
use seglens_engine::segments::groups::ColumnSummary;
use seglens_engine::segments::splits::{RISK_BANDS, Split};
use seglens_engine::segments::{Definition, MEASURES, Measure, Rule, SavedSegment, Test};

use crate::format;
use crate::i18n::{t, tf};
use crate::state::AppState;
use seglens_engine::metrics::kpi::KpiId;

/// A group being edited.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    /// "Any of" rather than "all of".
    pub any: bool,
    /// Customers who do *not* match the group.
    pub negate: bool,
    /// Its conditions and subgroups.
    pub items: Vec<Item>,
}

/// A part of a group.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A condition.
    Cond(Cond),
    /// A nested group.
    Group(Group),
}

/// A condition being edited: texts as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cond {
    /// `a:column`, `m:measure` or `e:event`.
    pub field: String,
    /// The test's key (`equals`, `between`, ...); for events `did` or
    /// `did_not`.
    pub op: String,
    /// The value (or the lower bound; for events the times).
    pub value: String,
    /// The upper bound of `between`.
    pub value2: String,
    /// "In the last N days", when the field takes it.
    pub days: String,
    /// "In the category", for orders and spend (empty: any).
    pub category: String,
}

/// What a field is.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text,
    Number,
    Date,
    /// Membership of another segment.
    Segment,
    Measure(Measure),
    Event,
}

fn kind_of(field: &str, columns: &[ColumnSummary]) -> Kind {
    if field == SEGMENT_FIELD {
        return Kind::Segment;
    }
    if let Some(col) = field.strip_prefix("a:") {
        return match columns.iter().find(|c| c.name == col).map(|c| c.kind) {
            Some(ColumnType::Integer | ColumnType::Number) => Kind::Number,
            Some(ColumnType::Date) => Kind::Date,
            _ => Kind::Text,
        };
    }
    if let Some(m) = field.strip_prefix("m:")
        && let Some(x) = MEASURES.iter().find(|x| x.1 == m)
    {
        return Kind::Measure(x.0);
    }
    Kind::Event
}

/// The field of a condition on membership of another segment; its value
/// is the segment's definition (JSON), its second value the segment's name.
const SEGMENT_FIELD: &str = "s:segment";

/// A segment a condition can test membership of: its group in the picker
/// (a catalogue key), its name, its label and its definition as JSON.
#[derive(Clone)]
struct SegmentChoice {
    group: &'static str,
    name: String,
    label: String,
    definition: String,
}

/// The segments of the workspace a rule can use: the RFM segments, the
/// lifecycle stages, the churn-risk bands (when the models could be fitted;
/// with the thresholds of the Predict page when the rule is written) and
/// the saved segments.
fn segment_choices(ws: &crate::state::Workspace) -> Vec<SegmentChoice> {
    let json = |d: &Definition| serde_json::to_string(d).unwrap_or_default();
    let rfm = ws
        .analysis
        .summary
        .iter()
        .filter(|s| s.customers > 0)
        .map(|s| {
            let d = Definition::Rfm(s.segment.clone());
            SegmentChoice {
                group: "rules.segments.rfm",
                name: s.segment.clone(),
                label: crate::i18n::group_name(&s.segment),
                definition: json(&d),
            }
        });
    let stages = seglens_engine::segments::lifecycle::STAGES
        .into_iter()
        .map(|stage| SegmentChoice {
            group: "rules.segments.lifecycle",
            name: stage.label().to_string(),
            label: crate::i18n::name("segment", stage.label()),
            definition: json(&Definition::Lifecycle(stage)),
        });
    let options = &ws.record.options;
    let churn = Split::ChurnRisk {
        medium_from: options.medium_risk_from,
        low_from: options.low_risk_from,
    };
    let bands = RISK_BANDS
        .into_iter()
        .filter(|_| ws.analysis.prediction.is_ok())
        .map(|band| SegmentChoice {
            group: "rules.segments.churn",
            name: band.to_string(),
            label: crate::i18n::group_name(band),
            definition: json(&Definition::Group {
                split: churn.clone(),
                group: band.to_string(),
            }),
        });
    let saved = ws.record.options.segments.iter().map(|s| SegmentChoice {
        group: "rules.segments.saved",
        name: s.name.clone(),
        label: s.name.clone(),
        definition: json(&s.definition),
    });
    rfm.chain(stages).chain(bands).chain(saved).collect()
}

/// A test's id and the catalogue key of its words.
fn ops(kind: Kind) -> Vec<(&'static str, String)> {
    let list: Vec<(&'static str, &'static str)> = match kind {
        Kind::Text => vec![
            ("equals", "rules.op.is"),
            ("one_of", "rules.is_one_of_comma_separated"),
            ("contains", "rules.op.contains"),
            ("is_empty", "rules.is_empty"),
            ("is_not_empty", "rules.is_not_empty"),
        ],
        Kind::Number => vec![
            ("between", "rules.is_from_to"),
            ("at_least", "rules.is_at_least"),
            ("at_most", "rules.is_at_most"),
            ("equals", "rules.op.equals"),
            ("is_empty", "rules.is_empty"),
        ],
        Kind::Date => vec![
            ("within_last_days", "rules.is_within_the_last_days"),
            ("more_than_days_ago", "rules.is_more_than_days_ago"),
            ("on_or_after", "rules.is_on_or_after_yyyy"),
            ("before", "rules.is_before_yyyy_mm_dd"),
            ("is_empty", "rules.is_empty"),
        ],
        Kind::Measure(m) => {
            let mut v = vec![
                ("at_least", "rules.is_at_least"),
                ("at_most", "rules.is_at_most"),
                ("between", "rules.is_from_to"),
            ];
            if matches!(m, Measure::Nps | Measure::Csat) {
                v.push(("is_empty", "rules.has_no_answer"));
            }
            v
        }
        Kind::Event => vec![("did", "rules.op.did"), ("did_not", "rules.did_not_do")],
        Kind::Segment => vec![
            ("in", "rules.segment_is"),
            ("not_in", "rules.segment_is_not"),
        ],
    };
    list.into_iter().map(|(id, key)| (id, t(key))).collect()
}

fn needs_value(op: &str) -> bool {
    !matches!(op, "is_empty" | "is_not_empty")
}

impl Cond {
    fn to_rule(&self, columns: &[ColumnSummary]) -> Result<Rule, String> {
        let kind = kind_of(&self.field, columns);
        let number = |t: &str, what: &str| {
            t.trim()
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| tf("rules.type_a_number", &[("what", what)]))
        };
        let days = |text: &str| -> Result<Option<u32>, String> {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                text.trim()
                    .parse::<u32>()
                    .map(Some)
                    .map_err(|_| t("rules.the_number_of_days_must"))
            }
        };
        if kind == Kind::Event {
            let name = self.field.trim_start_matches("e:").to_string();
            let at_least = if self.value.trim().is_empty() {
                1
            } else {
                self.value
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or(t("rules.at_least_times_must_be"))?
            };
            return Ok(Rule::Event {
                name,
                did: self.op != "did_not",
                at_least,
                within_days: days(&self.days)?,
            });
        }
        if kind == Kind::Segment {
            let definition: Definition =
                serde_json::from_str(&self.value).map_err(|_| t("rules.pick_a_segment"))?;
            let rule = Rule::InSegment {
                name: self.value2.clone(),
                definition: Box::new(definition),
            };
            return Ok(if self.op == "not_in" {
                Rule::Not(Box::new(rule))
            } else {
                rule
            });
        }
        let label = self.field[2..].to_string();
        let test = match self.op.as_str() {
            "equals" if kind == Kind::Number => {
                let x = number(&self.value, &label)?;
                Test::Between(x, x)
            }
            "equals" => Test::Equals(self.value.trim().to_string()),
            "one_of" => Test::OneOf(
                self.value
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
            "contains" => Test::Contains(self.value.trim().to_string()),
            "between" => {
                let (a, b) = (number(&self.value, &label)?, number(&self.value2, &label)?);
                if a > b {
                    return Err(tf(
                        "rules.the_first_number_is_above",
                        &[("label", &label.to_string())],
                    ));
                }
                Test::Between(a, b)
            }
            "at_least" => Test::AtLeast(number(&self.value, &label)?),
            "at_most" => Test::AtMost(number(&self.value, &label)?),
            "within_last_days" | "more_than_days_ago" => {
                let n = days(&self.value)?.ok_or(tf(
                    "rules.type_a_number_of_days",
                    &[("label", &label.to_string())],
                ))?;
                if self.op == "within_last_days" {
                    Test::WithinLastDays(n)
                } else {
                    Test::MoreThanDaysAgo(n)
                }
            }
            "on_or_after" | "before" => {
                let d = seglens_engine::model::date::parse_iso(self.value.trim()).ok_or(tf(
                    "rules.type_a_date_as_yyyy",
                    &[("label", &label.to_string())],
                ))?;
                if self.op == "before" {
                    Test::Before(d)
                } else {
                    Test::OnOrAfter(d)
                }
            }
            "is_empty" => Test::IsEmpty,
            "is_not_empty" => Test::IsNotEmpty,
            other => return Err(tf("rules.unknown_test", &[("other", other)])),
        };
        if matches!(&test, Test::Equals(s) | Test::Contains(s) if s.is_empty())
            || matches!(&test, Test::OneOf(v) if v.is_empty())
        {
            return Err(tf("rules.type_a_value", &[("label", &label.to_string())]));
        }
        Ok(match kind {
            Kind::Measure(measure) => Rule::Measure {
                measure,
                days: if measure.takes_window() {
                    days(&self.days)?
                } else {
                    None
                },
                category: (matches!(measure, Measure::Orders | Measure::Spend)
                    && !self.category.is_empty())
                .then(|| self.category.clone()),
                test,
            },
            _ => Rule::Attribute {
                column: label,
                test,
            },
        })
    }
}

impl Group {
    /// The rule the group stands for.
    pub fn to_rule(&self, columns: &[ColumnSummary]) -> Result<Rule, String> {
        let parts = self
            .items
            .iter()
            .map(|i| match i {
                Item::Cond(c) => c.to_rule(columns),
                Item::Group(g) => g.to_rule(columns),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let rule = if self.any {
            Rule::Any(parts)
        } else {
            Rule::All(parts)
        };
        Ok(if self.negate {
            Rule::Not(Box::new(rule))
        } else {
            rule
        })
    }

    fn at_mut(&mut self, path: &[usize]) -> Option<&mut Group> {
        match path.split_first() {
            None => Some(self),
            Some((i, rest)) => match self.items.get_mut(*i) {
                Some(Item::Group(g)) => g.at_mut(rest),
                _ => None,
            },
        }
    }
}

fn default_cond(columns: &[ColumnSummary]) -> Cond {
    match columns.first() {
        Some(c) => {
            let kind = kind_of(&format!("a:{}", c.name), columns);
            Cond {
                field: format!("a:{}", c.name),
                op: ops(kind)[0].0.to_string(),
                ..Cond::default()
            }
        }
        None => Cond {
            field: "m:orders".into(),
            op: "at_least".into(),
            value: "1".into(),
            ..Cond::default()
        },
    }
}

/// Everything a condition row needs to draw itself.
#[derive(Clone)]
struct Ctx {
    draft: RwSignal<Group>,
    categories: StoredValue<Vec<String>>,
    columns: StoredValue<Vec<ColumnSummary>>,
    events: StoredValue<Vec<String>>,
    has_email: bool,
    has_surveys: bool,
    has_tickets: bool,
    /// The segments a condition can test membership of.
    segments: StoredValue<Vec<SegmentChoice>>,
    /// The models could be fitted: rules can test their predictions.
    has_predictions: bool,
}

fn cond_view(ctx: Ctx, path: Vec<usize>, index: usize, c: Cond) -> AnyView {
    let columns = ctx.columns.get_value();
    let kind = kind_of(&c.field, &columns);
    let draft = ctx.draft;
    let edit = {
        let path = path.clone();
        move |f: &dyn Fn(&mut Cond)| {
            draft.update(|d| {
                if let Some(g) = d.at_mut(&path)
                    && let Some(Item::Cond(c)) = g.items.get_mut(index)
                {
                    f(c);
                }
            })
        }
    };
    let id = format!(
        "cond-{}{index}",
        path.iter().map(|p| format!("{p}-")).collect::<String>()
    );
    let field_options = {
        let attrs = columns
            .iter()
            .map(|col| {
                let v = format!("a:{}", col.name);
                let sel = v == c.field;
                view! { <option value=v selected=sel>{col.name.clone()}</option> }
            })
            .collect_view();
        let measures = MEASURES
            .iter()
            .filter(|m| match m.0 {
                Measure::EmailsReceived | Measure::EmailOpens | Measure::EmailClicks => {
                    ctx.has_email
                }
                Measure::Nps | Measure::Csat => ctx.has_surveys,
                Measure::Tickets => ctx.has_tickets,
                m if m.is_prediction() => ctx.has_predictions,
                Measure::Events => !ctx.events.get_value().is_empty(),
                _ => true,
            })
            .map(|m| {
                let v = format!("m:{}", m.1);
                let sel = v == c.field;
                view! { <option value=v selected=sel>{crate::i18n::measure_name(m.0)}</option> }
            })
            .collect_view();
        let events = ctx
            .events
            .get_value()
            .into_iter()
            .map(|e| {
                let v = format!("e:{e}");
                let sel = v == c.field;
                view! { <option value=v selected=sel>{e}</option> }
            })
            .collect_view();
        view! {
            {(!columns.is_empty()).then(|| view! { <optgroup label=t("rules.customer_attributes")>{attrs}</optgroup> })}
            <optgroup label=t("rules.orders_e_mails_surveys")>{measures}</optgroup>
            {(!ctx.events.get_value().is_empty()).then(|| view! { <optgroup label=t("rules.events")>{events}</optgroup> })}
            <optgroup label=t("rules.other_segments")>
                <option value=SEGMENT_FIELD selected=c.field == SEGMENT_FIELD>{t("rules.in_a_segment")}</option>
            </optgroup>
        }
    };
    let on_field = {
        let edit = edit.clone();
        let columns = columns.clone();
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            let k = kind_of(&v, &columns);
            let first = ctx.segments.with_value(|s| s.first().cloned());
            edit(&|c: &mut Cond| {
                c.field = v.clone();
                c.op = ops(k)[0].0.to_string();
                c.value.clear();
                c.value2.clear();
                c.days.clear();
                c.category.clear();
                if k == Kind::Segment
                    && let Some(s) = &first
                {
                    c.value = s.definition.clone();
                    c.value2 = s.name.clone();
                }
            })
        }
    };
    let op_select = {
        let edit = edit.clone();
        let current = c.op.clone();
        let options = ops(kind)
            .into_iter()
            .map(|(k, label)| view! { <option value=k selected=k == current>{label}</option> })
            .collect_view();
        view! {
            <select aria-label=t("rules.test") data-testid=format!("{id}-op")
                on:change=move |ev| { let v = event_target_value(&ev); edit(&|c: &mut Cond| c.op = v.clone()) }>
                {options}
            </select>
        }
    };
    let text_input = |which: u8, value: String, label: String, list: Option<String>| {
        let edit = edit.clone();
        let testid = format!("{id}-{}", ["value", "value2", "days"][which as usize]);
        view! {
            <input type="text" class="value" class:days=which == 2 aria-label=label data-testid=testid prop:value=value list=list
                placeholder=(which == 2).then(|| t("rules.ever"))
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    edit(&|c: &mut Cond| match which { 0 => c.value = v.clone(), 1 => c.value2 = v.clone(), _ => c.days = v.clone() })
                }/>
        }
    };
    let datalist_id = format!("{id}-values");
    let suggestions = match (kind, c.field.strip_prefix("a:")) {
        (Kind::Text, Some(col)) => columns
            .iter()
            .find(|x| x.name == col)
            .map(|x| x.top_values.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let values = match kind {
        Kind::Segment => {
            let edit = edit.clone();
            let current = c.value.clone();
            let choices = ctx.segments.get_value();
            let groups = [
                "rules.segments.rfm",
                "rules.segments.lifecycle",
                "rules.segments.churn",
                "rules.segments.saved",
            ]
            .into_iter()
                .filter(|g| choices.iter().any(|s| s.group == *g))
                .map(|g| {
                    let options = choices
                        .iter()
                        .filter(|s| s.group == g)
                        .map(|s| {
                            let selected = s.definition == current;
                            view! { <option value=s.definition.clone() selected=selected>{s.label.clone()}</option> }
                        })
                        .collect_view();
                    view! { <optgroup label=t(g)>{options}</optgroup> }
                })
                .collect_view();
            view! {
                <select aria-label=t("rules.segment") data-testid=format!("{id}-segment")
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let name = choices.iter().find(|s| s.definition == v).map(|s| s.name.clone()).unwrap_or_default();
                        edit(&|c: &mut Cond| { c.value = v.clone(); c.value2 = name.clone(); })
                    }>
                    {groups}
                </select>
            }
            .into_any()
        }
        Kind::Event => view! {
            {t("rules.at_least")} {text_input(0, c.value.clone(), t("rules.times"), None)} " " {t("rules.times_unit")}
            {t("rules.in_the_last")} {text_input(2, c.days.clone(), t("rules.days_empty_ever"), None)} " " {t("rules.days_unit")}
        }
        .into_any(),
        _ if !needs_value(&c.op) => ().into_any(),
        _ if c.op == "between" => view! {
            {text_input(0, c.value.clone(), t("rules.from"), None)} " " {t("rules.to")} " " {text_input(1, c.value2.clone(), t("rules.to_label"), None)}
        }
        .into_any(),
        _ => view! {
            {text_input(0, c.value.clone(), t("rules.value"), (!suggestions.is_empty()).then(|| datalist_id.clone()))}
            {(!suggestions.is_empty()).then(|| view! {
                <datalist id=datalist_id.clone()>
                    {suggestions.into_iter().map(|(v, n)| view! { <option value=v.clone()>{format!("{v} ({})", format::int(n))}</option> }).collect_view()}
                </datalist>
            })}
        }
        .into_any(),
    };
    let category = match kind {
        Kind::Measure(Measure::Orders | Measure::Spend)
            if !ctx.categories.get_value().is_empty() =>
        {
            let edit = edit.clone();
            let current = c.category.clone();
            let options = ctx
                .categories
                .get_value()
                .into_iter()
                .map(|cat| {
                    let selected = cat == current;
                    view! { <option value=cat.clone() selected=selected>{cat.clone()}</option> }
                })
                .collect_view();
            view! {
                <select aria-label=t("rules.category") data-testid=format!("{id}-category")
                    on:change=move |ev| { let v = event_target_value(&ev); edit(&|c: &mut Cond| c.category = v.clone()) }>
                    <option value="" selected=current.is_empty()>{t("rules.in_any_category")}</option>
                    {options}
                </select>
            }
            .into_any()
        }
        _ => ().into_any(),
    };
    let window = match kind {
        Kind::Measure(m) if m.takes_window() => view! {
            <span class="muted">{t("rules.in_the_last")}</span>
            {text_input(2, c.days.clone(), t("rules.days_empty_ever"), None)}
            <span class="muted">" " {t("rules.days_unit")}</span>
        }
        .into_any(),
        _ => ().into_any(),
    };
    let remove = {
        let path = path.clone();
        move |_| {
            draft.update(|d| {
                if let Some(g) = d.at_mut(&path) {
                    g.items.remove(index);
                }
            })
        }
    };
    let (first, rest) = match kind {
        Kind::Event => (op_select.into_any(), view! { <select aria-label=t("rules.what") data-testid=format!("{id}-field") on:change=on_field>{field_options}</select> }.into_any()),
        _ => (view! { <select aria-label=t("rules.what") data-testid=format!("{id}-field") on:change=on_field>{field_options}</select> }.into_any(), op_select.into_any()),
    };
    view! {
        <li class="condition" data-testid=id.clone()>
            {first} " " {category} " " {rest} " " {values} {window}
            <button class="link" aria-label=t("rules.remove_this_condition") title=t("rules.remove_this_condition") on:click=remove>"✕"</button>
        </li>
    }
    .into_any()
}

fn group_view(ctx: Ctx, path: Vec<usize>, g: Group) -> AnyView {
    let draft = ctx.draft;
    let id = format!(
        "group{}",
        path.iter().map(|p| format!("-{p}")).collect::<String>()
    );
    let columns = ctx.columns.get_value();
    let set = {
        let path = path.clone();
        move |f: &dyn Fn(&mut Group)| {
            draft.update(|d| {
                if let Some(g) = d.at_mut(&path) {
                    f(g);
                }
            })
        }
    };
    let items = g
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Item::Cond(c) => cond_view(ctx.clone(), path.clone(), i, c.clone()),
            Item::Group(sub) => {
                let mut p = path.clone();
                p.push(i);
                view! { <li class="subgroup">{group_view(ctx.clone(), p, sub.clone())}</li> }
                    .into_any()
            }
        })
        .collect_view();
    let (s1, s2, s3, s4) = (set.clone(), set.clone(), set.clone(), set.clone());
    let nested = !path.is_empty();
    let remove = {
        let path = path.clone();
        move |_| {
            if let Some((last, parent)) = path.split_last() {
                draft.update(|d| {
                    if let Some(g) = d.at_mut(parent) {
                        g.items.remove(*last);
                    }
                })
            }
        }
    };
    let any = g.any;
    view! {
        <div class="rule-group" data-testid=id.clone()>
            <div class="group-head">
                <label>
                    <input type="checkbox" prop:checked=g.negate data-testid=format!("{id}-not")
                        on:change=move |ev| { let v = event_target_checked(&ev); s1(&|g: &mut Group| g.negate = v) }/>
                    " " {t("rules.exclude")} " "
                </label>
                {t("rules.customers_matching")}
                <select aria-label=t("rules.match") data-testid=format!("{id}-match")
                    on:change=move |ev| { let v = event_target_value(&ev) == "any"; s2(&|g: &mut Group| g.any = v) }>
                    <option value="all" selected=!any>{t("rules.all")}</option>
                    <option value="any" selected=any>{t("rules.any")}</option>
                </select>
                {t("rules.of_conditions")}
                {nested.then(|| view! { <button class="link" on:click=remove title=t("rules.remove_this_group")>{t("rules.remove_group")}</button> })}
            </div>
            <ul class="conditions">{items}</ul>
            <div class="group-actions">
                <button class="secondary" data-testid=format!("{id}-add")
                    on:click=move |_| { let c = default_cond(&columns); s3(&|g: &mut Group| g.items.push(Item::Cond(c.clone()))) }>
                    {t("rules.add_condition")}
                </button>
                <button class="secondary" data-testid=format!("{id}-add-group")
                    on:click=move |_| s4(&|g: &mut Group| g.items.push(Item::Group(Group { any: true, ..Group::default() })))>
                    {t("rules.add_group")}
                </button>
            </div>
        </div>
    }
    .into_any()
}

/// The rule builder card.
#[component]
pub fn RuleBuilder() -> impl IntoView {
    let state = expect_context::<AppState>();
    let draft = state.rule_draft;
    let name = RwSignal::new(String::new());
    let count = RwSignal::new(None::<(Result<u64, String>, f64)>);
    let generation = StoredValue::new(0u64);
    // Counts again on every edit; an answer to an older edit is dropped.
    Effect::new(move |_| {
        let group = draft.get();
        let Some(ws) = state.workspace.get() else {
            return;
        };
        let rule = match group.to_rule(&ws.analysis.segments.columns) {
            Ok(r) => r,
            Err(e) => {
                count.set(Some((Err(e), 0.0)));
                return;
            }
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let json = rule.to_json();
        let as_of = ws.analysis.as_of;
        let lifecycle = ws.analysis.segments.lifecycle;
        spawn_local(async move {
            let engine = state.services.with_value(|s| s.engine.clone());
            let start = crate::browser::now_ms();
            let result = engine
                .ask(crate::protocol::ask::CountRule {
                    as_of,
                    rule: json,
                    lifecycle,
                })
                .await;
            // The card may have been redrawn (new analysis) meanwhile: its
            // signals are then gone and the answer is dropped.
            if generation.try_get_value() == Some(mine) {
                count.try_set(Some((result, crate::browser::now_ms() - start)));
            }
        });
    });
    move || {
        state.workspace.get().map(|ws| {
            let ctx = Ctx {
                draft,
                categories: StoredValue::new(ws.analysis.segments.categories.clone()),
                columns: StoredValue::new(ws.analysis.segments.columns.clone()),
                events: StoredValue::new(ws.analysis.event_names.clone()),
                has_email: ws.analysis.kpis.values.last().is_some_and(|b| {
                    ws.analysis.kpis.kpis.iter().zip(b).any(|(k, v)| k.id == KpiId::OpenRate && v.missing.is_none())
                }),
                has_surveys: ws.analysis.kpis.values.last().is_some_and(|b| {
                    ws.analysis.kpis.kpis.iter().zip(b).any(|(k, v)| k.id == KpiId::Nps && v.missing.is_none())
                }),
                has_predictions: ws.analysis.prediction.is_ok(),
                segments: StoredValue::new(segment_choices(&ws)),
                has_tickets: ws.analysis.kpis.values.last().is_some_and(|b| {
                    ws.analysis.kpis.kpis.iter().zip(b).any(|(k, v)| k.id == KpiId::TicketsPerCustomer && v.missing.is_none())
                }),
            };
            let total = ws.analysis.segments.customers;
            let columns = ws.analysis.segments.columns.clone();
            let no_columns = columns.is_empty();
            let save = move |_| {
                let Some(ws) = state.workspace.get_untracked() else { return };
                match draft.get_untracked().to_rule(&ws.analysis.segments.columns) {
                    Ok(rule) => {
                        crate::segments::actions::save_segment(state, SavedSegment {
                            name: name.get_untracked(),
                            version: 1,
                            definition: Definition::Rule(rule.to_json()),
                            note: String::new(),
                        });
                        name.set(String::new());
                        draft.set(Group::default());
                    }
                    Err(e) => state.error.set(Some(tf("rules.the_rule_is_not_complete", &[("e", &e.to_string())]))),
                }
            };
            view! {
                <section class="card" id="rule-builder" data-testid="rule-builder">
                    <h2>{t("rules.build_a_segment_from_rules")}</h2>
                    <p class="muted">
                        {t("rules.combine_conditions_on_what_you")}
                        {tf("rules.in_the_last_n_days", &[("0", &format::date(ws.analysis.as_of))])}
                        {t("rules.the_count_updates_as_you")}
                    </p>
                    <crate::shell::HowToUse kind="rules"/>
                    {no_columns.then(|| view! {
                        <p class="hint">{t("rules.add_a_customers_file_id")}</p>
                    })}
                    {move || group_view(ctx.clone(), Vec::new(), draft.get())}
                    <p class="rule-count" aria-live="polite" data-testid="rule-count">
                        {move || match count.get() {
                            None => t("rules.counting"),
                            Some((Ok(n), ms)) => tf("rules.of_customers_match_counted_in", &[("0", &format::int(n)), ("1", &format::int(total)), ("2", &format::percent(n as f64 / total.max(1) as f64)), ("3", &format::decimal(ms, 0))]),
                            Some((Err(e), _)) => e,
                        }}
                    </p>
                    <p class="muted small" data-testid="rule-words">
                        {move || draft.get().to_rule(&columns).map(|r| tf("rules.in_words", &[("0", &crate::i18n::rule_words(&r))])).unwrap_or_default()}
                    </p>
                    <div class="thresholds">
                        <label>{t("rules.name")}
                            <input type="text" data-testid="segment-name" placeholder=t("rules.e_g_diy_men_to")
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        </label>
                        <button class="primary" data-testid="save-segment" on:click=save>{t("rules.save_segment")}</button>
                        <button class="secondary" on:click=move |_| draft.set(Group::default())>{t("rules.clear")}</button>
                    </div>
                </section>
            }
        })
    }
}
