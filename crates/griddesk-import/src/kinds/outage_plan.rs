//! Weekly and monthly planned-outage plans (周计划/月计划, D3 kind 1): one row per job that needs
//! the supply off. Rows are parsed here, their devices and unit checked against the archive by
//! the common reference check, and then, against the stored plan, checked by
//! [`PlanRow::validate`] (the public notice lead time) in [`settle`].

use crate::RowError;
use crate::columns::{Spec, opt, req};
use crate::parse::{Bad, Rec, split_list};
use crate::validate::{Ctx, Key, Outcome, Parsed, Ref};
use griddesk_domain::outage::{NoticePolicy, OutageScope};
use griddesk_domain::outage_plan::{PlanKind, PlanRow, PlanStatus};
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::RefKind;
use jiff::Timestamp;

pub(crate) const OUTAGE_PLANS: Spec = Spec {
    columns: &[
        req("job_id", &["工作编号", "作业编号", "计划编号"]),
        req("kind", &["计划类型"]),
        req("title", &["工作名称", "停电名称"]),
        opt("substation", &["变电站", "停电变电站"]),
        opt("feeders", &["线路", "停电线路"]),
        opt("areas", &["台区", "停电台区"]),
        opt("customers", &["停电户号", "客户户号"]),
        req("planned_start", &["计划停电时间", "计划开始时间"]),
        req("planned_end", &["计划送电时间", "计划结束时间"]),
        req("work_content", &["工作内容"]),
        req("responsible_unit", &["作业单位", "责任单位"]),
        req("reason", &["停电原因"]),
    ],
    one_of: &[&["substation", "feeders", "areas", "customers"]],
};

const SCOPE_COLUMNS: [&str; 4] = ["substation", "feeders", "areas", "customers"];

/// A customer number in a list cell; a lone number in a number cell lost its leading zeros.
fn customer(r: &Rec<'_>, t: &str) -> Result<CustomerNo, Bad> {
    let padded;
    let t = if r.is_number("customers") && t.len() < 10 && t.bytes().all(|b| b.is_ascii_digit()) {
        padded = format!("{t:0>10}");
        padded.as_str()
    } else {
        t
    };
    CustomerNo::parse(t).map_err(|e| r.bad_parse("customers", e))
}

fn scope(r: &Rec<'_>) -> Result<(OutageScope, Vec<Ref>), Bad> {
    let given: Vec<&'static str> = SCOPE_COLUMNS
        .into_iter()
        .filter(|c| !r.text(c).is_empty())
        .collect();
    let [col] = given[..] else {
        let at = given.first().copied().unwrap_or("areas");
        return Err(r.bad(
            at,
            "fill exactly one of substation, feeders, areas or customers",
        ));
    };
    let codes = |kind: RefKind| -> Result<(Vec<Code>, Vec<Ref>), Bad> {
        let mut v = Vec::new();
        let mut refs = Vec::new();
        for t in split_list(r.text(col)) {
            let c = Code::parse_field(col, t).map_err(|e| r.bad_parse(col, e))?;
            refs.push(Ref {
                kind,
                col,
                code: c.to_string(),
                in_file: false,
            });
            v.push(c);
        }
        Ok((v, refs))
    };
    Ok(match col {
        "substation" => {
            let (mut v, refs) = codes(RefKind::Substation)?;
            if v.len() != 1 {
                return Err(r.bad(col, "one substation per job"));
            }
            (OutageScope::Substation(v.remove(0)), refs)
        }
        "feeders" => {
            let (v, refs) = codes(RefKind::Feeder)?;
            (OutageScope::Feeders(v), refs)
        }
        "areas" => {
            let (v, refs) = codes(RefKind::Area)?;
            (OutageScope::Areas(v), refs)
        }
        _ => {
            let mut v = Vec::new();
            let mut refs = Vec::new();
            for t in split_list(r.text(col)) {
                let c = customer(r, t)?;
                refs.push(Ref {
                    kind: RefKind::Customer,
                    col,
                    code: c.to_string(),
                    in_file: false,
                });
                v.push(c);
            }
            (OutageScope::Customers(v), refs)
        }
    })
}

pub(crate) fn plan_row(r: &Rec<'_>) -> Result<Parsed<PlanRow>, Bad> {
    let job_id = r.parse("job_id", |s| {
        griddesk_domain::outage_plan::parse_job_id("job_id", s)
    })?;
    let kind = r.parse("kind", PlanKind::parse)?;
    let title = r.name("title", 100)?;
    let (scope, mut refs) = scope(r)?;
    let planned_start = r.timestamp("planned_start")?;
    let planned_end = r.timestamp("planned_end")?;
    let work_content = r.name("work_content", 500)?;
    let responsible_unit = r.parse("responsible_unit", |s| {
        Code::parse_field("responsible_unit", s)
    })?;
    let reason = r.name("reason", 200)?;
    refs.push(Ref {
        kind: RefKind::OrgUnit,
        col: "responsible_unit",
        code: responsible_unit.to_string(),
        in_file: false,
    });
    Ok(Parsed {
        keys: vec![Key::new("job_id", &job_id)],
        refs,
        item: PlanRow {
            kind,
            job_id,
            title,
            scope,
            planned_start,
            planned_end,
            work_content,
            responsible_unit,
            reason,
        },
    })
}

/// The column a [`PlanRow::validate`] field is read from (the scope: its filled column).
fn column_of(r: &Rec<'_>, field: &str) -> &'static str {
    match field {
        "title" => "title",
        "work_content" => "work_content",
        "reason" => "reason",
        "planned_end" => "planned_end",
        "planned_start" => "planned_start",
        _ => SCOPE_COLUMNS
            .into_iter()
            .find(|c| !r.text(c).is_empty())
            .unwrap_or("areas"),
    }
}

/// The checks against the stored plan and the clock: a job issued or cancelled already is only
/// accepted unchanged (re-importing the same plan is fine; changing it is an error on its
/// `job_id`, as the outage or the cancellation stands), and every other row must pass
/// [`PlanRow::validate`] at `now`. Rejected rows move from `accepted` to `rejected`.
pub(crate) async fn settle(
    ctx: &Ctx<'_>,
    out: &mut Outcome<PlanRow>,
    now: Timestamp,
    notice: &NoticePolicy,
) -> Result<(), crate::ImportError> {
    let jobs: Vec<Code> = out.accepted.iter().map(|p| p.job_id.clone()).collect();
    let stored = ctx.store.outage_plans_of(&jobs).await?;
    let accepted = std::mem::take(&mut out.accepted);
    let rows = std::mem::take(&mut out.accepted_rows);
    for (item, i) in accepted.into_iter().zip(rows) {
        let row = &ctx.table.rows[i];
        let rec = Rec {
            header: ctx.header,
            row,
        };
        let before = stored.iter().find(|s| s.row.job_id == item.job_id);
        let bad = match before {
            Some(s) if s.status != PlanStatus::Draft => (s.row != item).then(|| {
                let what = match s.outage_id {
                    Some(id) => format!("was issued as outage #{id}"),
                    None => "was cancelled".to_owned(),
                };
                rec.bad(
                    "job_id",
                    format!(
                        "job {} {what}; it can no longer change (give changed work a new job id)",
                        item.job_id
                    ),
                )
            }),
            _ => item.validate(now, notice).err().map(|errors| {
                let first = column_of(&rec, errors[0].field);
                let reason = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.reason))
                    .collect::<Vec<_>>()
                    .join("; ");
                rec.bad(first, reason)
            }),
        };
        match bad {
            None => {
                out.accepted.push(item);
                out.accepted_rows.push(i);
            }
            Some(b) => out.rejected.push((
                i,
                RowError {
                    file: ctx.file.to_owned(),
                    row: row.line,
                    column: b.column,
                    reason: b.reason,
                },
            )),
        }
    }
    out.rejected.sort_by_key(|(i, _)| *i);
    Ok(())
}
