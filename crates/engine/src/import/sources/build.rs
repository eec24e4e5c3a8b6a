//! Each kind of source built from its text table: e-mail results, survey
//! answers, customers, events, support tickets, marketing costs.

use super::*;

/// Reads e-mail results into the orders' customer key space.
pub(crate) fn build_email(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(EmailTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer =
        find(n, CUSTOMER).ok_or_else(|| missing(table, "engine.a_customer_or_e_mail_address"))?;
    let opened = find(n, OPENED);
    let clicked = find(n, CLICKED);
    let group = find(n, GROUP);
    let variant = find(n, VARIANT);
    // Without an opened, clicked, group or variant column the file is a
    // campaign's list of recipients (Mailchimp's Sent to): each row an
    // e-mail delivered, opened or clicked only as other lists say.
    let group_is_flag = group.is_some_and(|c| GROUP_FLAGS.contains(&normalise(&n[c]).as_str()));
    let (campaign, sent, delivered, unsub) = (
        // A campaign's name rather than its id when the file has both.
        find(
            n,
            &["campaign", "campaign_name", "nom_campagne", "campagne"],
        )
        .or_else(|| find(n, CAMPAIGN)),
        find(n, SENT).filter(|c| Some(*c) != opened && Some(*c) != clicked),
        find(n, DELIVERED),
        find(n, UNSUBSCRIBED),
    );
    let sent_format = sent.and_then(|c| date_format(table, c));
    let mut rep = report(
        table,
        SourceKind::Email,
        &[
            ("customer", Some(customer)),
            ("campaign", campaign),
            ("sent", sent),
            ("delivered", delivered),
            ("opened", opened),
            ("clicked", clicked),
            ("unsubscribed", unsub),
            ("group", group),
            ("variant", variant),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = EmailTable::default();
    let mut campaigns: rustc_hash::FxHashMap<String, u32> = Default::default();
    let mut variants: rustc_hash::FxHashMap<String, u32> = Default::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map(String::as_str).unwrap_or("");
        let Some(who) = keys.get(cell(Some(customer))) else {
            reject(
                &mut rep,
                line,
                Some(&n[customer]),
                Fault::Empty(fault::Field::Customer),
            );
            continue;
        };
        let flag = |c: Option<usize>, default: bool| -> Result<bool, usize> {
            match c {
                None => Ok(default),
                Some(c) => parse_flag(cell(Some(c))).ok_or(c),
            }
        };
        let flags = (|| {
            Ok((
                flag(delivered, true)?,
                flag(opened, false)?,
                flag(clicked, false)?,
                flag(unsub, false)?,
            ))
        })();
        let (d, o, c, u) = match flags {
            Ok(f) => f,
            Err(col) => {
                let reason = Fault::NotYesOrNo {
                    text: cell(Some(col)).to_string(),
                };
                reject(&mut rep, line, Some(&n[col]), reason);
                continue;
            }
        };
        let held_out = match group {
            None => false,
            Some(g) => {
                let text = cell(Some(g));
                let read = if group_is_flag {
                    parse_flag(text).or_else(|| text.trim().is_empty().then_some(false))
                } else {
                    parse_group(text)
                };
                match read {
                    Some(h) => h,
                    None => {
                        let reason = if group_is_flag {
                            Fault::NotYesOrNo {
                                text: text.to_string(),
                            }
                        } else {
                            Fault::NotAGroup {
                                text: text.to_string(),
                            }
                        };
                        reject(&mut rep, line, Some(&n[g]), reason);
                        continue;
                    }
                }
            }
        };
        if variant.is_some() {
            let v = intern(&mut variants, &mut out.variants, cell(variant).trim());
            out.variant.push(v);
        }
        out.control.push(held_out);
        let camp = intern(&mut campaigns, &mut out.campaigns, cell(campaign));
        out.customer.push(who);
        out.campaign.push(camp);
        out.day.push(date_of(sent_format, cell(sent)));
        out.delivered.push(d);
        // An open or a click implies delivery and a click implies an open.
        out.opened.push(o || c);
        out.clicked.push(c);
        out.unsubscribed.push(u);
    }
    // A list of who opened or clicked (Mailchimp's Opened and Clicked
    // lists, its granular activity): no column says what was sent and
    // every row did something. One row per recipient and campaign, known
    // only from lists until the campaign's recipients join it.
    let activity_list = (opened.is_some() || clicked.is_some())
        && delivered.is_none()
        && sent.is_none()
        && group.is_none()
        && variant.is_none()
        && !out.opened.is_empty()
        && out.opened.iter().all(|o| *o);
    if activity_list {
        out = one_row_per_recipient(out);
        out.activity_only = (0..out.campaigns.len() as u32).collect();
    }
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// A list's rows with one row per customer and campaign, their opens,
/// clicks and unsubscriptions together (a list of opens has a row for
/// every open; a list of clicks one for every link).
fn one_row_per_recipient(list: EmailTable) -> EmailTable {
    let mut at: rustc_hash::FxHashMap<(u32, u32), usize> = Default::default();
    let mut out = EmailTable {
        campaigns: list.campaigns.clone(),
        ..Default::default()
    };
    for row in 0..list.customer.len() {
        let key = (list.customer[row], list.campaign[row]);
        match at.get(&key) {
            Some(&same) => out.join_row(same, &list, row),
            None => {
                at.insert(key, out.customer.len());
                out.push_row(&list, row, list.campaign[row], false);
            }
        }
    }
    out
}

/// Reads survey answers into the orders' customer key space. NPS answers
/// must be whole numbers from 0 to 10 and CSAT answers from 1 to 5; others
/// are rejected.
pub(crate) fn build_surveys(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(SurveyTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer =
        find(n, CUSTOMER).ok_or_else(|| missing(table, "engine.a_customer_or_e_mail_address"))?;
    let nps = find(n, NPS);
    let csat = find(n, CSAT).filter(|c| Some(*c) != nps);
    if nps.is_none() && csat.is_none() {
        return Err(missing(table, "engine.an_nps_or_csat_column"));
    }
    let answered = find(n, ANSWERED);
    let format = answered.and_then(|c| date_format(table, c));
    let mut rep = report(
        table,
        SourceKind::Surveys,
        &[
            ("customer", Some(customer)),
            ("date", answered),
            ("nps", nps),
            ("csat", csat),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = SurveyTable::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map(String::as_str).unwrap_or("");
        let Some(who) = keys.get(cell(Some(customer))) else {
            reject(
                &mut rep,
                line,
                Some(&n[customer]),
                Fault::Empty(fault::Field::Customer),
            );
            continue;
        };
        let score = |c: Option<usize>, lo: u8, hi: u8| -> Result<Option<u8>, Fault> {
            let Some(c) = c else { return Ok(None) };
            let t = cell(Some(c));
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<u8>() {
                Ok(v) if (lo..=hi).contains(&v) => Ok(Some(v)),
                _ => Err(Fault::NotInScale {
                    text: t.to_string(),
                    lo,
                    hi,
                }),
            }
        };
        match (score(nps, 0, 10), score(csat, 1, 5)) {
            (Ok(a), Ok(b)) if a.is_some() || b.is_some() => {
                out.customer.push(who);
                out.day.push(date_of(format, cell(answered)));
                out.nps.push(a);
                out.csat.push(b);
            }
            (Ok(_), Ok(_)) => reject(&mut rep, line, None, Fault::NoScore),
            (Err(e), _) => reject(&mut rep, line, nps.map(|c| n[c].as_str()), e),
            (_, Err(e)) => reject(&mut rep, line, csat.map(|c| n[c].as_str()), e),
        }
    }
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// Reads a customers file into the orders' customer key space. The key is
/// the first customer column (an id, or the e-mail when there is no id);
/// a customer listed twice keeps its last row, and the first is reported.
pub(crate) fn build_customers(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(CustomerTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer = find(n, CUSTOMER)
        .ok_or_else(|| missing(table, "engine.a_customer_id_or_e_mail_address"))?;
    let email = find(n, EMAIL);
    let (first, last) = (
        find(n, FIRST_NAME),
        find(n, LAST_NAME).filter(|c| Some(*c) != find(n, FIRST_NAME)),
    );
    let others: Vec<usize> = (0..n.len())
        .filter(|c| *c != customer && Some(*c) != email && Some(*c) != first && Some(*c) != last)
        .collect();
    let mut rep = report(
        table,
        SourceKind::Customers,
        &[
            ("customer", Some(customer)),
            ("email", email),
            ("first name", first),
            ("last name", last),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = CustomerTable {
        attribute_names: others.iter().map(|c| n[*c].clone()).collect(),
        ..CustomerTable::default()
    };
    let mut seen: rustc_hash::FxHashMap<u32, usize> = Default::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: Option<usize>| {
            c.and_then(|c| row.get(c))
                .map(String::as_str)
                .unwrap_or("")
                .to_string()
        };
        let Some(who) = keys.get(&cell(Some(customer))) else {
            reject(
                &mut rep,
                line,
                Some(&n[customer]),
                Fault::Empty(fault::Field::Customer),
            );
            continue;
        };
        let values = (
            normalise_key(&cell(email)).to_lowercase(),
            cell(first),
            cell(last),
            others.iter().map(|c| cell(Some(*c))).collect::<Vec<_>>(),
        );
        if let Some(&at) = seen.get(&who) {
            reject(&mut rep, line, Some(&n[customer]), Fault::ListedAgain);
            out.email[at] = values.0;
            out.first_name[at] = values.1;
            out.last_name[at] = values.2;
            out.attributes[at] = values.3;
            continue;
        }
        seen.insert(who, out.customer.len());
        out.customer.push(who);
        out.email.push(values.0);
        out.first_name.push(values.1);
        out.last_name.push(values.2);
        out.attributes.push(values.3);
    }
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// Reads events of known customers into the orders' key space; rows
/// without a customer (anonymous visits) and with unreadable times are
/// counted as rejected.
pub(crate) fn build_events(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(EventTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer = find(n, CUSTOMER)
        .ok_or_else(|| missing(table, "engine.a_customer_id_or_e_mail_address"))?;
    let event = find(n, EVENT).ok_or_else(|| missing(table, "engine.an_event_name"))?;
    let time = find(n, TIMESTAMP).ok_or_else(|| missing(table, "engine.a_timestamp"))?;
    let session = find(n, SESSION);
    let mut rep = report(
        table,
        SourceKind::Events,
        &[
            ("customer", Some(customer)),
            ("event", Some(event)),
            ("time", Some(time)),
            ("session", session),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = EventTable::default();
    let mut names: rustc_hash::FxHashMap<String, u32> = Default::default();
    let mut sessions: rustc_hash::FxHashMap<String, u32> = Default::default();
    let used = [Some(customer), Some(event), Some(time), session];
    let property_columns: Vec<usize> = (0..n.len())
        .filter(|c| !used.contains(&Some(*c)) && !n[*c].trim().is_empty())
        .collect();
    let mut properties: Vec<(EventProperty, rustc_hash::FxHashMap<String, u32>)> = property_columns
        .iter()
        .map(|c| {
            (
                EventProperty {
                    name: n[*c].trim().to_string(),
                    ..EventProperty::default()
                },
                Default::default(),
            )
        })
        .collect();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
        let Some(who) = keys.get(cell(customer)) else {
            reject(&mut rep, line, Some(&n[customer]), Fault::Anonymous);
            continue;
        };
        let Some(t) = date::parse_timestamp(cell(time)).or_else(|| date::parse_epoch(cell(time)))
        else {
            reject(
                &mut rep,
                line,
                Some(&n[time]),
                Fault::NotADateAndTime {
                    text: cell(time).to_string(),
                },
            );
            continue;
        };
        let name = cell(event).to_string();
        if name.is_empty() {
            reject(
                &mut rep,
                line,
                Some(&n[event]),
                Fault::Empty(fault::Field::Event),
            );
            continue;
        }
        let next = names.len() as u32;
        let e = *names.entry(name.clone()).or_insert_with(|| {
            out.names.push(name);
            next
        });
        let s = session.map(cell).filter(|v| !v.is_empty()).map(|v| {
            let next = sessions.len() as u32;
            *sessions.entry(v.to_string()).or_insert(next)
        });
        out.customer.push(who);
        out.time.push(t);
        out.event.push(e);
        out.session.push(s);
        for ((p, index), &c) in properties.iter_mut().zip(&property_columns) {
            if p.values.len() > MAX_PROPERTY_VALUES {
                continue;
            }
            let v = cell(c).trim();
            let code = match index.get(v) {
                Some(code) => *code,
                None => {
                    let code = p.values.len() as u32;
                    p.values.push(v.to_string());
                    index.insert(v.to_string(), code);
                    code
                }
            };
            p.code.push(code);
        }
    }
    out.properties = properties
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.values.len() <= MAX_PROPERTY_VALUES)
        .collect();
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// A time as ticket exports write it: an ISO date-time, or a date in the
/// column's format (midnight UTC).
pub(super) fn seconds_of(format: Option<DateFormat>, text: &str) -> Option<i64> {
    date::parse_timestamp(text).or_else(|| date_of(format, text).map(|d| i64::from(d) * 86_400))
}

/// Reads support tickets into the orders' key space; a ticket without a
/// customer or a readable creation time is rejected, as is one resolved
/// before it was opened.
pub(crate) fn build_tickets(
    table: &TextTable,
    orders: &mut Orders,
) -> Result<(TicketTable, SourceReport), ImportError> {
    let n = &table.header();
    let customer = find(n, CUSTOMER)
        .or_else(|| find(n, REQUESTER))
        .ok_or_else(|| missing(table, "engine.a_customer_or_requester_e_mail"))?;
    let created =
        find(n, CREATED).ok_or_else(|| missing(table, "engine.when_the_ticket_was_opened"))?;
    let resolved = find(n, RESOLVED).filter(|c| *c != created);
    let created_format = date_format(table, created);
    let resolved_format = resolved.and_then(|c| date_format(table, c));
    let mut rep = report(
        table,
        SourceKind::Tickets,
        &[
            ("customer", Some(customer)),
            ("opened", Some(created)),
            ("resolved", resolved),
        ],
    );
    let mut keys = Keys::new(orders);
    let mut out = TicketTable::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
        let Some(who) = keys.get(cell(customer)) else {
            reject(
                &mut rep,
                line,
                Some(&n[customer]),
                Fault::Empty(fault::Field::Customer),
            );
            continue;
        };
        let Some(opened) = seconds_of(created_format, cell(created)) else {
            let t = cell(created);
            let reason = if t.is_empty() {
                Fault::Empty(fault::Field::OpeningTime)
            } else {
                Fault::NotADateOrTime {
                    text: t.to_string(),
                }
            };
            reject(&mut rep, line, Some(&n[created]), reason);
            continue;
        };
        let closed = match resolved.map(cell).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => match seconds_of(resolved_format, t) {
                Some(s) if s >= opened => Some(s),
                Some(_) => {
                    reject(
                        &mut rep,
                        line,
                        resolved.map(|c| n[c].as_str()),
                        Fault::ResolvedBeforeOpened,
                    );
                    continue;
                }
                None => {
                    reject(
                        &mut rep,
                        line,
                        resolved.map(|c| n[c].as_str()),
                        Fault::NotADateOrTime {
                            text: t.to_string(),
                        },
                    );
                    continue;
                }
            },
        };
        out.customer.push(who);
        out.created.push(opened);
        out.resolved.push(closed);
    }
    rep.rows = out.customer.len() as u64;
    rep.customers_without_orders = keys.new_seen.len() as u64;
    Ok((out, rep))
}

/// The column of the customers file that says who referred each customer.
pub(crate) fn referrer_column(customers: &CustomerTable) -> Option<usize> {
    find(&Header::plain(&customers.attribute_names), REFERRER)
}

/// The column of the customers file that says how each customer was
/// acquired (`acquisition_channel`, `canal d'acquisition`, `source`, ...).
pub(crate) fn acquisition_column(customers: &CustomerTable) -> Option<usize> {
    find(&Header::plain(&customers.attribute_names), ACQUISITION)
}

/// Reads marketing costs: a date, a spend and a channel or campaign (all
/// rows in one "(all)" channel when there is neither). A row with an
/// unreadable date or spend, or a negative spend, is rejected.
pub(crate) fn build_costs(table: &TextTable) -> Result<(CostTable, SourceReport), ImportError> {
    let n = &table.header();
    let spend = find(n, SPEND).ok_or_else(|| missing(table, "engine.what_was_spent"))?;
    let day = find(n, COST_DATE)
        .filter(|c| *c != spend)
        .ok_or_else(|| missing(table, "engine.a_date"))?;
    let channel = find(n, CHANNEL)
        .or_else(|| find(n, CAMPAIGN))
        .filter(|c| *c != spend && *c != day);
    let format = date_format(table, day);
    let values: Vec<&str> = table
        .rows
        .iter()
        .take(2_000)
        .filter_map(|r| r.get(spend).map(String::as_str))
        .collect();
    let decimal = crate::model::number::detect_decimal(&values);
    let mut rep = report(
        table,
        SourceKind::Costs,
        &[
            ("date", Some(day)),
            ("spend", Some(spend)),
            ("channel", channel),
        ],
    );
    let mut out = CostTable::default();
    let mut index: rustc_hash::FxHashMap<String, u32> = Default::default();
    for (row, &line) in table.rows.iter().zip(&table.lines) {
        let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or("").trim();
        let Some(d) = date_of(format, cell(day)) else {
            let t = cell(day);
            let reason = if t.is_empty() {
                Fault::Empty(fault::Field::Date)
            } else {
                Fault::NotADate {
                    text: t.to_string(),
                }
            };
            reject(&mut rep, line, Some(&n[day]), reason);
            continue;
        };
        let amount = match crate::model::number::parse_amount(cell(spend), decimal) {
            Some(a) if a >= 0.0 => a,
            Some(_) => {
                reject(&mut rep, line, Some(&n[spend]), Fault::NegativeSpend);
                continue;
            }
            None => {
                let t = cell(spend);
                let reason = if t.is_empty() {
                    Fault::Empty(fault::Field::Spend)
                } else {
                    Fault::NotAnAmount {
                        text: t.to_string(),
                    }
                };
                reject(&mut rep, line, Some(&n[spend]), reason);
                continue;
            }
        };
        let name = channel
            .map(cell)
            .filter(|t| !t.is_empty())
            .unwrap_or("(all)");
        let next = out.channels.len() as u32;
        let c = *index.entry(name.to_lowercase()).or_insert_with(|| {
            out.channels.push(name.to_string());
            next
        });
        out.day.push(d);
        out.channel.push(c);
        out.spend.push(amount);
    }
    rep.rows = out.day.len() as u64;
    Ok((out, rep))
}
