//! The service centre around work orders in the JSON API (D2): the complaint record (cause, the
//! five steps, the responsibility finding), the complaint ledger with its analysis and Excel
//! export, photos and files attached to orders, agents' presence, incoming calls routed by
//! service tier (a middle-tier caller no agent is free for gets a callback within 24 h), and
//! the scheduled callbacks.

use crate::api_orders::{TAG_ORDERS, load_order, text};
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::model::Label;
use crate::{AppState, scope, time};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry, Scope};
use griddesk_domain::complaint::{
    self, Analysis, Cause, Complaint, Finding, LedgerRow, Responsibility, Step, StepRecord,
};
use griddesk_domain::mask;
use griddesk_domain::org::Role;
use griddesk_domain::queue::{AgentStatus, CallDecision};
use griddesk_domain::search::SearchQuery;
use griddesk_domain::sla::SlaState;
use griddesk_domain::values::{Code, CustomerNo, PhoneNumber};
use griddesk_domain::workorder::{ContactKind, OrderType};
use griddesk_store::CustomerFilter;
use griddesk_store::service::{Attachment, LedgerEntry, ScheduledCallback};
use griddesk_store::workorder::{ContactRecord, OrderEvent, WorkOrder};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const TAG_COMPLAINTS: &str = "complaints";
pub const TAG_CALLS: &str = "call-centre";

/// Most complaints one ledger query reads (a year of a large company's complaints).
pub const LEDGER_LIMIT: u32 = 50_000;

fn rfc(t: Timestamp) -> String {
    time::local_rfc3339(t)
}

fn event(actor: &Actor, o: &WorkOrder, action: &str, data: serde_json::Value) -> OrderEvent {
    OrderEvent {
        at: time::now(),
        actor: actor.audit_id(),
        actor_name: actor.display_name(),
        action: action.to_owned(),
        from: Some(o.status),
        to: o.status,
        note: None,
        data: Some(data.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// The complaint record

#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub step: Label,
    pub note: String,
    pub actor_name: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    pub responsibility: Label,
    pub unit: Option<String>,
    pub note: String,
    pub actor_name: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintView {
    pub order_id: i64,
    pub cause: Option<Label>,
    /// The recorded steps, in the order of the five.
    pub steps: Vec<StepView>,
    /// Steps still to record before the complainant is given the reply.
    pub missing_steps: Vec<Label>,
    pub finding: Option<FindingView>,
    /// The version of the order after the change (its ETag).
    pub version: i64,
    pub ready_to_reply: bool,
    pub ready_to_archive: bool,
}

pub fn complaint_view(order_id: i64, version: i64, c: &Complaint) -> ComplaintView {
    ComplaintView {
        order_id,
        cause: c.cause.map(Label::of),
        steps: c
            .steps
            .iter()
            .map(|s| StepView {
                step: Label::of(s.step),
                note: s.note.clone(),
                actor_name: s.actor_name.clone(),
                at: rfc(s.at),
            })
            .collect(),
        missing_steps: c.missing_steps().into_iter().map(Label::of).collect(),
        finding: c.finding.as_ref().map(|f| FindingView {
            responsibility: Label::of(f.responsibility),
            unit: f.unit.as_ref().map(ToString::to_string),
            note: f.note.clone(),
            actor_name: f.actor_name.clone(),
            at: rfc(f.at),
        }),
        version,
        ready_to_reply: c.ready_to_reply().is_ok(),
        ready_to_archive: c.ready_to_archive().is_ok(),
    }
}

/// Loads a complaint order the caller may see.
async fn complaint_order(state: &AppState, actor: &Actor, id: i64) -> Result<WorkOrder, ApiError> {
    let o = load_order(state, actor, id).await?;
    if o.order_type != OrderType::Complaint {
        return Err(ApiError::Unprocessable {
            field: "id",
            detail: format!("work order {id} is a {}, not a complaint", o.order_type),
        });
    }
    Ok(o)
}

async fn complaint_response(state: &AppState, id: i64) -> Result<Json<ComplaintView>, ApiError> {
    let o = state
        .store
        .work_order(id)
        .await?
        .ok_or(ApiError::NotFound {
            field: "id",
            value: id.to_string(),
        })?;
    let c = state.store.complaint(id).await?;
    Ok(Json(complaint_view(id, o.version, &c)))
}

async fn audit_complaint(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    id: i64,
    what: &str,
    after: serde_json::Value,
) -> Result<(), ApiError> {
    let e = AuditEntry::new(
        actor,
        AuditAction::ComplaintRecorded,
        "work_order",
        id.to_string(),
        addr,
        time::now(),
    )
    .reason(what)
    .change(None, Some(after.to_string()));
    state.store.append_audit(&e).await?;
    Ok(())
}

/// The complaint record of a complaint order: cause, the five steps (倾听, 询问, 道歉, 解决, 答谢),
/// the responsibility finding, and whether the complainant may be answered.
#[utoipa::path(
    get, path = "/api/v1/work-orders/{id}/complaint", tag = TAG_COMPLAINTS,
    params(("id" = i64, Path, description = "Work order id (a complaint)")),
    responses(
        (status = 200, description = "The complaint record", body = ComplaintView),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a complaint", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_complaint(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ComplaintView>, ApiError> {
    complaint_order(&state, &auth.actor, id).await?;
    complaint_response(&state, id).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CauseRequest {
    pub cause: Cause,
}

/// Sets the cause category (D2.1) of a complaint.
#[utoipa::path(
    put, path = "/api/v1/work-orders/{id}/complaint/cause", tag = TAG_COMPLAINTS,
    params(("id" = i64, Path, description = "Work order id (a complaint)")),
    request_body = CauseRequest,
    responses(
        (status = 200, description = "The complaint record", body = ComplaintView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a complaint", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_cause(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<CauseRequest>,
) -> Result<Json<ComplaintView>, ApiError> {
    set_cause(&state, &auth.actor, &addr, id, r.cause).await?;
    complaint_response(&state, id).await
}

pub async fn set_cause(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    id: i64,
    cause: Cause,
) -> Result<(), ApiError> {
    let o = complaint_order(state, actor, id).await?;
    let data = serde_json::json!({ "cause": cause });
    let e = event(actor, &o, "complaint_cause", data.clone());
    state.store.set_complaint_cause(id, cause, &e).await?;
    audit_complaint(state, actor, addr, id, "cause", data).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct StepRequest {
    pub step: Step,
    /// What was said or done (1-1000 characters).
    pub note: String,
}

/// Records one of the five steps of handling the complainant; recording a step again replaces
/// it.
#[utoipa::path(
    post, path = "/api/v1/work-orders/{id}/complaint/steps", tag = TAG_COMPLAINTS,
    params(("id" = i64, Path, description = "Work order id (a complaint)")),
    request_body = StepRequest,
    responses(
        (status = 200, description = "The complaint record", body = ComplaintView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a complaint", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_step(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<StepRequest>,
) -> Result<Json<ComplaintView>, ApiError> {
    record_step(&state, &auth.actor, &addr, id, r.step, &r.note).await?;
    complaint_response(&state, id).await
}

pub async fn record_step(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    id: i64,
    step: Step,
    note: &str,
) -> Result<(), ApiError> {
    let note = text("note", note, 1000, false)?;
    if note.is_empty() {
        return Err(ApiError::invalid(
            "note",
            "say what was said or done (1 to 1000 characters)",
        ));
    }
    let o = complaint_order(state, actor, id).await?;
    let rec = StepRecord {
        step,
        note: note.clone(),
        actor: actor.audit_id(),
        actor_name: actor.display_name(),
        at: time::now(),
    };
    let data = serde_json::json!({ "step": step });
    let mut e = event(actor, &o, "complaint_step", data.clone());
    e.note = Some(note);
    state.store.record_complaint_step(id, &rec, &e).await?;
    audit_complaint(state, actor, addr, id, "step", data).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FindingRequest {
    pub responsibility: Responsibility,
    /// The unit found responsible; required unless not responsible.
    pub unit: Option<String>,
    /// The grounds of the finding (up to 2000 characters).
    #[serde(default)]
    pub note: String,
}

/// Records the responsibility finding (责任认定) of a complaint; a supervisor's decision.
#[utoipa::path(
    put, path = "/api/v1/work-orders/{id}/complaint/finding", tag = TAG_COMPLAINTS,
    params(("id" = i64, Path, description = "Work order id (a complaint)")),
    request_body = FindingRequest,
    responses(
        (status = 200, description = "The complaint record", body = ComplaintView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a complaint", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_finding(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<FindingRequest>,
) -> Result<Json<ComplaintView>, ApiError> {
    record_finding(&state, &auth.actor, &addr, id, &r).await?;
    complaint_response(&state, id).await
}

pub async fn record_finding(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    id: i64,
    r: &FindingRequest,
) -> Result<(), ApiError> {
    let unit = r
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| Code::parse_field("unit", u))
        .transpose()?;
    let f = Finding {
        responsibility: r.responsibility,
        unit,
        note: text("note", &r.note, 2000, false)?,
        actor: actor.audit_id(),
        actor_name: actor.display_name(),
        at: time::now(),
    };
    f.validate()
        .map_err(|e| ApiError::invalid("unit", e.to_string()))?;
    let o = complaint_order(state, actor, id).await?;
    let data = serde_json::json!({ "responsibility": f.responsibility, "unit": f.unit });
    let mut e = event(actor, &o, "complaint_finding", data.clone());
    e.note = (!f.note.is_empty()).then(|| f.note.clone());
    state
        .store
        .record_finding(id, &f, &e)
        .await
        .map_err(|e| match e {
            griddesk_store::StoreError::MissingReference { value, .. } => ApiError::NotFound {
                field: "unit",
                value,
            },
            other => other.into(),
        })?;
    audit_complaint(state, actor, addr, id, "finding", data).await
}

// ---------------------------------------------------------------------------------------------
// The complaint ledger (投诉台账)

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerParams {
    /// First day, YYYY-MM-DD (Asia/Shanghai; default: the first of the month a year ago).
    pub from: Option<String>,
    /// Last day, inclusive, YYYY-MM-DD (default: today).
    pub to: Option<String>,
    /// Only complaints of this handling or responsible unit.
    pub unit: Option<String>,
    /// Only this cause.
    pub cause: Option<Cause>,
}

/// The period and filters of a ledger query, validated.
#[derive(Debug, Clone)]
pub struct LedgerQuery {
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    pub unit: Option<Code>,
    pub cause: Option<Cause>,
}

fn parse_day(field: &'static str, raw: &str) -> Result<jiff::civil::Date, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::invalid(field, "use YYYY-MM-DD"))
}

impl LedgerQuery {
    pub fn parse(p: &LedgerParams) -> Result<Self, ApiError> {
        let today = time::today();
        let to = match p.to.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(d) => parse_day("to", d)?,
            None => today,
        };
        let from = match p.from.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(d) => parse_day("from", d)?,
            None => to
                .first_of_month()
                .checked_sub(jiff::Span::new().years(1))
                .map_err(|_| ApiError::invalid("to", "out of range"))?,
        };
        if from > to {
            return Err(ApiError::invalid("from", "the period starts after it ends"));
        }
        if to.since(from).map(|s| s.get_days()).unwrap_or(i32::MAX) > 3 * 366 {
            return Err(ApiError::invalid("from", "at most three years at a time"));
        }
        let unit = p
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| Code::parse_field("unit", u))
            .transpose()?;
        Ok(Self {
            from,
            to,
            unit,
            cause: p.cause,
        })
    }

    fn bounds(&self) -> Result<(Timestamp, Timestamp), ApiError> {
        let tz = time::shanghai().clone();
        let start = self
            .from
            .to_zoned(tz.clone())
            .map_err(|_| ApiError::invalid("from", "out of range"))?;
        let end = self
            .to
            .to_zoned(tz)
            .and_then(|z| z.tomorrow())
            .map_err(|_| ApiError::invalid("to", "out of range"))?;
        Ok((start.timestamp(), end.timestamp()))
    }
}

/// The ledger's rows and their analysis for a query.
pub struct Ledger {
    pub entries: Vec<LedgerEntry>,
    pub analysis: Analysis,
}

/// Reads and analyses the complaint ledger of a period. Unit-scoped callers see the complaints
/// of their units only.
pub async fn ledger(state: &AppState, actor: &Actor, q: &LedgerQuery) -> Result<Ledger, ApiError> {
    let (from, to) = q.bounds()?;
    let scope = scope::scope_of(state, actor).await?;
    let entries: Vec<LedgerEntry> = state
        .store
        .complaint_ledger(from, to, LEDGER_LIMIT)
        .await?
        .into_iter()
        .filter(|e| {
            let unit = e.responsible_unit.as_ref().or(e.org_unit.as_ref());
            let in_scope = match &scope {
                Scope::Company => true,
                Scope::Units(u) => unit.is_some_and(|c| u.contains(c)),
                _ => false,
            };
            in_scope
                && q.unit.as_ref().is_none_or(|want| {
                    e.org_unit.as_ref() == Some(want) || e.responsible_unit.as_ref() == Some(want)
                })
                && q.cause.is_none_or(|c| e.cause == Some(c))
        })
        .collect();
    let rows: Vec<LedgerRow> = entries
        .iter()
        .map(|e| LedgerRow {
            order_id: e.order_id,
            accepted_at: e.accepted_at,
            month: e
                .accepted_at
                .to_zoned(time::shanghai().clone())
                .strftime("%Y-%m")
                .to_string(),
            unit: e.responsible_unit.clone().or_else(|| e.org_unit.clone()),
            customer_no: e.customer_no.clone(),
            contact_phone: e.contact_phone.clone(),
            cause: e.cause,
            responsibility: e.responsibility,
            status: e.status,
        })
        .collect();
    Ok(Ledger {
        analysis: complaint::analyse(&rows),
        entries,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntryView {
    pub order_id: i64,
    pub accepted_at: String,
    pub status: Label,
    pub subject: String,
    pub org_unit: Option<String>,
    pub customer_no: Option<String>,
    /// Masked (D12).
    pub contact_phone: Option<String>,
    pub cause: Option<Label>,
    pub responsibility: Option<Label>,
    pub responsible_unit: Option<String>,
}

impl From<&LedgerEntry> for LedgerEntryView {
    fn from(e: &LedgerEntry) -> Self {
        Self {
            order_id: e.order_id,
            accepted_at: rfc(e.accepted_at),
            status: Label::of(e.status),
            subject: e.subject.clone(),
            org_unit: e.org_unit.as_ref().map(ToString::to_string),
            customer_no: e.customer_no.as_ref().map(ToString::to_string),
            contact_phone: e.contact_phone.as_ref().map(mask::phone),
            cause: e.cause.map(Label::of),
            responsibility: e.responsibility.map(Label::of),
            responsible_unit: e.responsible_unit.as_ref().map(ToString::to_string),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerView {
    pub from: String,
    pub to: String,
    pub count: usize,
    pub items: Vec<LedgerEntryView>,
}

/// The complaint ledger (投诉台账) of a period, oldest first.
#[utoipa::path(
    get, path = "/api/v1/complaints", tag = TAG_COMPLAINTS,
    params(LedgerParams),
    responses(
        (status = 200, description = "Complaints of the period", body = LedgerView),
        (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_complaints(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<LedgerParams>,
) -> Result<Json<LedgerView>, ApiError> {
    let q = LedgerQuery::parse(&p)?;
    let l = ledger(&state, &auth.actor, &q).await?;
    let items: Vec<LedgerEntryView> = l.entries.iter().map(LedgerEntryView::from).collect();
    Ok(Json(LedgerView {
        from: q.from.to_string(),
        to: q.to.to_string(),
        count: items.len(),
        items,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParetoView {
    /// `null`: cause not recorded yet.
    pub cause: Option<Label>,
    pub count: u64,
    /// Share of all complaints, 0-1.
    pub share: f64,
    pub cumulative: f64,
    /// Among the vital few causes (the first 80 %).
    pub vital: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountView {
    pub key: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepeatView {
    pub customer_no: Option<String>,
    /// Masked (D12).
    pub contact_phone: Option<String>,
    pub count: u64,
    pub orders: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnalysisView {
    pub from: String,
    pub to: String,
    pub total: u64,
    /// Complaints with the company found at least partly responsible.
    pub responsible: u64,
    pub pareto: Vec<ParetoView>,
    /// By handling (or responsible) unit; "" for not yet dispatched.
    pub by_unit: Vec<CountView>,
    pub by_month: Vec<CountView>,
    /// Complainants with two or more complaints in the period.
    pub repeat_complainants: Vec<RepeatView>,
}

pub fn analysis_view(q: &LedgerQuery, a: &Analysis) -> AnalysisView {
    let counts = |v: &[(String, u64)]| {
        v.iter()
            .map(|(k, n)| CountView {
                key: k.clone(),
                count: *n,
            })
            .collect()
    };
    AnalysisView {
        from: q.from.to_string(),
        to: q.to.to_string(),
        total: a.total,
        responsible: a.responsible,
        pareto: a
            .pareto
            .iter()
            .map(|b| ParetoView {
                cause: b.cause.map(Label::of),
                count: b.count,
                share: b.share,
                cumulative: b.cumulative,
                vital: b.vital,
            })
            .collect(),
        by_unit: counts(&a.by_unit),
        by_month: counts(&a.by_month),
        repeat_complainants: a
            .repeats
            .iter()
            .map(|r| RepeatView {
                customer_no: r.customer_no.as_ref().map(ToString::to_string),
                contact_phone: r.contact_phone.as_ref().map(mask::phone),
                count: r.count,
                orders: r.orders.clone(),
            })
            .collect(),
    }
}

/// The periodic analysis of the complaint ledger: Pareto of causes, by unit, by month, repeat
/// complainants.
#[utoipa::path(
    get, path = "/api/v1/complaints/analysis", tag = TAG_COMPLAINTS,
    params(LedgerParams),
    responses(
        (status = 200, description = "The analysis", body = AnalysisView),
        (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn complaint_analysis(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<LedgerParams>,
) -> Result<Json<AnalysisView>, ApiError> {
    let q = LedgerQuery::parse(&p)?;
    let l = ledger(&state, &auth.actor, &q).await?;
    Ok(Json(analysis_view(&q, &l.analysis)))
}

/// The ledger and its analysis as an Excel workbook (two sheets), personal data masked.
#[utoipa::path(
    get, path = "/api/v1/complaints.xlsx", tag = TAG_COMPLAINTS,
    params(LedgerParams),
    responses(
        (status = 200, description = "Excel workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn complaints_xlsx(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<LedgerParams>,
) -> Result<Response, ApiError> {
    let q = LedgerQuery::parse(&p)?;
    let l = ledger(&state, &auth.actor, &q).await?;
    let bytes = ledger_workbook(&q, &l).map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = format!("complaints-{}-{}.xlsx", q.from, q.to);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn ledger_workbook(q: &LedgerQuery, l: &Ledger) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use griddesk_domain::values::Lang;
    use rust_xlsxwriter::{Format, Workbook};
    let zh = Lang::Zh;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let ws = wb.add_worksheet().set_name("投诉台账")?;
    let heads = [
        "工单号",
        "受理时间",
        "状态",
        "主题",
        "处理单位",
        "户号",
        "联系电话",
        "投诉原因",
        "责任认定",
        "责任单位",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, e) in l.entries.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write(r, 0, e.order_id as f64)?;
        ws.write(r, 1, time::local_minute(e.accepted_at))?;
        ws.write(r, 2, e.status.label(zh))?;
        ws.write(r, 3, e.subject.as_str())?;
        ws.write(r, 4, e.org_unit.as_ref().map(|u| u.as_str()).unwrap_or(""))?;
        ws.write(
            r,
            5,
            e.customer_no.as_ref().map(|c| c.as_str()).unwrap_or(""),
        )?;
        ws.write(
            r,
            6,
            e.contact_phone
                .as_ref()
                .map(mask::phone)
                .unwrap_or_default(),
        )?;
        ws.write(r, 7, e.cause.map(|c| c.label(zh)).unwrap_or("未填写"))?;
        ws.write(
            r,
            8,
            e.responsibility.map(|c| c.label(zh)).unwrap_or("待认定"),
        )?;
        ws.write(
            r,
            9,
            e.responsible_unit
                .as_ref()
                .map(|u| u.as_str())
                .unwrap_or(""),
        )?;
    }
    ws.autofit();
    let a = &l.analysis;
    let ws = wb.add_worksheet().set_name("分析")?;
    ws.write_with_format(0, 0, format!("投诉分析 {} 至 {}", q.from, q.to), &bold)?;
    ws.write(1, 0, "投诉总数")?;
    ws.write(1, 1, a.total as f64)?;
    ws.write(2, 0, "供电企业有责")?;
    ws.write(2, 1, a.responsible as f64)?;
    let mut r = 4;
    for (c, h) in ["投诉原因", "件数", "占比", "累计占比", "主要原因"]
        .iter()
        .enumerate()
    {
        ws.write_with_format(r, c as u16, *h, &bold)?;
    }
    for b in &a.pareto {
        r += 1;
        ws.write(r, 0, b.cause.map(|c| c.label(zh)).unwrap_or("未填写"))?;
        ws.write(r, 1, b.count as f64)?;
        ws.write_with_format(r, 2, b.share, &pct)?;
        ws.write_with_format(r, 3, b.cumulative, &pct)?;
        ws.write(r, 4, if b.vital { "是" } else { "" })?;
    }
    r += 2;
    ws.write_with_format(r, 0, "单位", &bold)?;
    ws.write_with_format(r, 1, "件数", &bold)?;
    for (u, n) in &a.by_unit {
        r += 1;
        ws.write(
            r,
            0,
            if u.is_empty() {
                "未派单"
            } else {
                u.as_str()
            },
        )?;
        ws.write(r, 1, *n as f64)?;
    }
    r += 2;
    ws.write_with_format(r, 0, "月份", &bold)?;
    ws.write_with_format(r, 1, "件数", &bold)?;
    for (m, n) in &a.by_month {
        r += 1;
        ws.write(r, 0, m.as_str())?;
        ws.write(r, 1, *n as f64)?;
    }
    r += 2;
    for (c, h) in ["重复投诉客户", "联系电话", "次数", "工单"]
        .iter()
        .enumerate()
    {
        ws.write_with_format(r, c as u16, *h, &bold)?;
    }
    for rep in &a.repeats {
        r += 1;
        ws.write(
            r,
            0,
            rep.customer_no.as_ref().map(|c| c.as_str()).unwrap_or(""),
        )?;
        ws.write(
            r,
            1,
            rep.contact_phone
                .as_ref()
                .map(mask::phone)
                .unwrap_or_default(),
        )?;
        ws.write(r, 2, rep.count as f64)?;
        ws.write(
            r,
            3,
            rep.orders
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        )?;
    }
    ws.autofit();
    wb.save_to_buffer()
}

// ---------------------------------------------------------------------------------------------
// Attachments

/// What may be attached, recognised by content type and by the file's first bytes.
const ATTACHMENT_TYPES: &[(&str, &[u8], &str)] = &[
    ("image/jpeg", b"\xFF\xD8\xFF", "jpg"),
    ("image/png", b"\x89PNG\r\n\x1A\n", "png"),
    ("image/webp", b"RIFF", "webp"),
    ("application/pdf", b"%PDF-", "pdf"),
];

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub order_id: i64,
    pub content_type: String,
    pub file_name: String,
    pub size: i64,
    pub note: Option<String>,
    pub actor_name: String,
    pub at: String,
    /// Where to fetch the file.
    pub href: String,
}

impl From<&Attachment> for AttachmentView {
    fn from(a: &Attachment) -> Self {
        Self {
            id: a.id,
            order_id: a.order_id,
            content_type: a.content_type.clone(),
            file_name: a.file_name.clone(),
            size: a.size,
            note: a.note.clone(),
            actor_name: a.actor_name.clone(),
            at: rfc(a.at),
            href: format!("/api/v1/work-orders/{}/attachments/{}", a.order_id, a.id),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// File name to keep (default from the type).
    pub file_name: Option<String>,
    /// What the photo shows (up to 500 characters).
    pub note: Option<String>,
}

/// Stores a file attached to an order from the request body (a crew's photo of the site: JPEG,
/// PNG or WebP; or a PDF), up to 1 MiB. The console shrinks photos before uploading.
#[utoipa::path(
    post, path = "/api/v1/work-orders/{id}/attachments", tag = TAG_ORDERS,
    params(("id" = i64, Path, description = "Work order id"), UploadParams),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The file's bytes (image/jpeg, image/png, image/webp or application/pdf)"),
    responses(
        (status = 201, description = "Stored", body = AttachmentView),
        (status = 400, description = "Invalid file", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 1 MiB", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_attachment(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<UploadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let a = attach(&state, &auth.actor, &addr, id, &p, &headers, &body).await?;
    Ok((StatusCode::CREATED, Json(AttachmentView::from(&a))).into_response())
}

pub async fn attach(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    id: i64,
    p: &UploadParams,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Attachment, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some((ct, magic, ext)) = ATTACHMENT_TYPES.iter().find(|(t, ..)| *t == ct) else {
        return Err(ApiError::invalid(
            "content-type",
            "send image/jpeg, image/png, image/webp or application/pdf",
        ));
    };
    if body.is_empty() {
        return Err(ApiError::invalid("body", "the file is empty"));
    }
    if !body.starts_with(magic) {
        return Err(ApiError::invalid(
            "body",
            format!("the file is not {ct} (its first bytes do not match)"),
        ));
    }
    let file_name = match p
        .file_name
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        Some(f) => {
            let f = text("file_name", f, 120, false)?;
            if f.contains(['/', '\\', '"']) {
                return Err(ApiError::invalid(
                    "file_name",
                    "no slashes or quotes in a file name",
                ));
            }
            f
        }
        None => format!("attachment.{ext}"),
    };
    let note = p
        .note
        .as_deref()
        .map(|n| text("note", n, 500, false))
        .transpose()?
        .filter(|n| !n.is_empty());
    let o = load_order(state, actor, id).await?;
    let now = time::now();
    let mut a = Attachment {
        id: 0,
        order_id: id,
        content_type: (*ct).to_owned(),
        file_name,
        size: body.len() as i64,
        note: note.clone(),
        actor: actor.audit_id(),
        actor_name: actor.display_name(),
        at: now,
    };
    let mut e = event(
        actor,
        &o,
        "attachment",
        serde_json::json!({ "file_name": a.file_name, "content_type": a.content_type, "size": a.size }),
    );
    e.note = note;
    a.id = state.store.add_attachment(&a, body, &e).await?;
    let audit = AuditEntry::new(
        actor,
        AuditAction::AttachmentAdded,
        "work_order",
        id.to_string(),
        addr,
        now,
    )
    .change(
        None,
        Some(serde_json::json!({ "attachment": a.id, "size": a.size }).to_string()),
    );
    state.store.append_audit(&audit).await?;
    Ok(a)
}

/// The files attached to an order, oldest first.
#[utoipa::path(
    get, path = "/api/v1/work-orders/{id}/attachments", tag = TAG_ORDERS,
    params(("id" = i64, Path, description = "Work order id")),
    responses((status = 200, description = "Attachments", body = Vec<AttachmentView>))
)]
pub async fn list_attachments(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<AttachmentView>>, ApiError> {
    load_order(&state, &auth.actor, id).await?;
    let list = state.store.attachments(id).await?;
    Ok(Json(list.iter().map(AttachmentView::from).collect()))
}

/// One attached file.
#[utoipa::path(
    get, path = "/api/v1/work-orders/{id}/attachments/{attachment}", tag = TAG_ORDERS,
    params(
        ("id" = i64, Path, description = "Work order id"),
        ("attachment" = i64, Path, description = "Attachment id"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 404, description = "No such attachment", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_attachment(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath((id, aid)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    load_order(&state, &auth.actor, id).await?;
    let (a, bytes) = state
        .store
        .attachment_bytes(id, aid)
        .await?
        .ok_or(ApiError::NotFound {
            field: "attachment",
            value: aid.to_string(),
        })?;
    // Only types checked on upload are stored; PDFs download rather than render in the page.
    let disposition = if a.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"attachment-{}\"", a.id),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// Agents, incoming calls and callbacks

#[derive(Debug, Deserialize, ToSchema)]
pub struct PresenceRequest {
    pub status: AgentStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PresenceView {
    pub login: String,
    pub status: Label,
    pub since: String,
}

/// Sets an agent's presence: agents set their own; the telephony gateway (an API token) and
/// supervisors set anyone's.
#[utoipa::path(
    put, path = "/api/v1/agents/{login}/presence", tag = TAG_CALLS,
    params(("login" = String, Path, description = "The agent's login")),
    request_body = PresenceRequest,
    responses(
        (status = 200, description = "The presence", body = PresenceView),
        (status = 404, description = "No such staff member", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_presence(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(login): ApiPath<String>,
    ApiJson(r): ApiJson<PresenceRequest>,
) -> Result<Json<PresenceView>, ApiError> {
    let login = Code::parse_field("login", &login)?;
    Ok(Json(
        set_presence(&state, &auth.actor, &login, r.status).await?,
    ))
}

pub async fn set_presence(
    state: &AppState,
    actor: &Actor,
    login: &Code,
    status: AgentStatus,
) -> Result<PresenceView, ApiError> {
    let own = actor.staff_login() == Some(login);
    let gateway = matches!(actor, Actor::Token { .. });
    let supervisor = matches!(
        actor,
        Actor::Staff {
            role: Role::Supervisor,
            ..
        }
    );
    if !(own || gateway || supervisor) {
        return Err(ApiError::Forbidden(
            "agents set their own presence; the telephony gateway and supervisors anyone's",
        ));
    }
    let now = time::now();
    state
        .store
        .set_presence(login.as_str(), status, now)
        .await
        .map_err(|e| match e {
            griddesk_store::StoreError::MissingReference { value, .. } => ApiError::NotFound {
                field: "login",
                value,
            },
            other => other.into(),
        })?;
    Ok(PresenceView {
        login: login.to_string(),
        status: Label::of(status),
        since: rfc(now),
    })
}

/// Every agent's presence.
#[utoipa::path(
    get, path = "/api/v1/agents", tag = TAG_CALLS,
    responses((status = 200, description = "Presence of agents", body = Vec<PresenceView>))
)]
pub async fn list_presence(
    State(state): State<AppState>,
) -> Result<Json<Vec<PresenceView>>, ApiError> {
    Ok(Json(
        state
            .store
            .presence()
            .await?
            .into_iter()
            .map(|p| PresenceView {
                login: p.login,
                status: Label::of(p.status),
                since: rfc(p.since),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CallRequest {
    /// The caller's number as the telephony network gives it.
    pub caller_phone: String,
    /// The customer number the caller keyed in (IVR), if any.
    pub customer_no: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallDecisionView {
    /// `connect`, `wait` or `callback`.
    pub decision: String,
    /// connect: the agent's login, now marked busy.
    pub agent: Option<String>,
    /// The customer recognised from the number or the IVR input.
    pub customer_no: Option<String>,
    /// The caller's service tier (1: green channel).
    pub tier: u8,
    /// wait: the queue priority (lower first).
    pub priority: Option<u8>,
    /// callback: when the company calls back at the latest.
    pub callback_due: Option<String>,
    pub callback_id: Option<i64>,
}

/// The customer of a caller: the one keyed in, else the only customer with that phone.
async fn caller_customer(
    state: &AppState,
    keyed: Option<&CustomerNo>,
    phone: &PhoneNumber,
) -> Result<Option<griddesk_store::CustomerDetail>, ApiError> {
    if let Some(no) = keyed {
        return Ok(state.store.customer(no).await?);
    }
    let hits = state
        .store
        .search_customers(
            Some(&SearchQuery::Phone(phone.clone())),
            &CustomerFilter::default(),
            2,
        )
        .await?;
    match hits.as_slice() {
        [one] => Ok(state.store.customer(&one.customer_no).await?),
        _ => Ok(None),
    }
}

/// An incoming call, from the telephony (CTI) gateway: recognises the customer, takes the
/// tier, and decides: put through to the agent free longest (marked busy), keep waiting with a
/// priority (the green channel first), or, for middle tiers when no agent is free, schedule a
/// callback within 24 h.
#[utoipa::path(
    post, path = "/api/v1/calls", tag = TAG_CALLS,
    request_body = CallRequest,
    responses(
        (status = 200, description = "What to do with the call", body = CallDecisionView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn incoming_call(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(r): ApiJson<CallRequest>,
) -> Result<Json<CallDecisionView>, ApiError> {
    let phone = PhoneNumber::parse(r.caller_phone.trim())
        .map_err(|e| ApiError::invalid("caller_phone", e.to_string()))?;
    let keyed = r
        .customer_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(CustomerNo::parse)
        .transpose()?;
    let customer = caller_customer(&state, keyed.as_ref(), &phone).await?;
    let tier = crate::api_segment::service_tier(
        state.store.as_ref(),
        customer.as_ref().map(|d| &d.customer),
    )
    .await?;
    let now = time::now();
    let agent = state.store.claim_free_agent(now).await?;
    let decision = state
        .config
        .rules
        .policy
        .queue
        .decide(tier, agent.is_some(), now);
    let customer_no = customer.as_ref().map(|d| d.customer.customer_no.clone());
    let mut v = CallDecisionView {
        decision: String::new(),
        agent: None,
        customer_no: customer_no.as_ref().map(ToString::to_string),
        tier,
        priority: None,
        callback_due: None,
        callback_id: None,
    };
    match decision {
        CallDecision::Connect => {
            v.decision = "connect".into();
            v.agent = agent;
        }
        CallDecision::Wait { priority } => {
            v.decision = "wait".into();
            v.priority = Some(priority);
        }
        CallDecision::Callback { due } => {
            let (id, _) = state
                .store
                .schedule_callback(&ScheduledCallback {
                    id: 0,
                    customer_no: customer_no.clone(),
                    phone: phone.clone(),
                    tier,
                    requested_at: now,
                    due,
                    done_at: None,
                    done_by: None,
                    note: None,
                })
                .await?;
            v.decision = "callback".into();
            v.callback_due = Some(rfc(due));
            v.callback_id = Some(id);
        }
    }
    let e = AuditEntry::new(
        &auth.actor,
        AuditAction::CallRouted,
        "call",
        mask::phone(&phone),
        &addr,
        now,
    )
    .reason(v.decision.clone())
    .change(
        None,
        Some(serde_json::json!({ "tier": tier, "agent": v.agent, "customer_no": v.customer_no, "callback": v.callback_id }).to_string()),
    );
    state.store.append_audit(&e).await?;
    Ok(Json(v))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackView {
    pub id: i64,
    pub customer_no: Option<String>,
    /// Masked (D12).
    pub phone: String,
    pub tier: u8,
    pub requested_at: String,
    pub due: String,
    /// green / yellow (≥ 80 % of the time used) / red (overdue).
    pub sla: Label,
}

pub fn callback_view(c: &ScheduledCallback, now: Timestamp) -> CallbackView {
    let total = c.due.duration_since(c.requested_at);
    let used = now.duration_since(c.requested_at);
    let sla = if now > c.due {
        SlaState::Red
    } else if total > SignedDuration::ZERO && used.as_secs_f64() >= 0.8 * total.as_secs_f64() {
        SlaState::Yellow
    } else {
        SlaState::Green
    };
    CallbackView {
        id: c.id,
        customer_no: c.customer_no.as_ref().map(ToString::to_string),
        phone: mask::phone(&c.phone),
        tier: c.tier,
        requested_at: rfc(c.requested_at),
        due: rfc(c.due),
        sla: Label::of(sla),
    }
}

/// Callbacks promised to callers and not yet made, earliest due first.
#[utoipa::path(
    get, path = "/api/v1/callbacks", tag = TAG_CALLS,
    responses((status = 200, description = "Open callbacks", body = Vec<CallbackView>))
)]
pub async fn list_callbacks(
    State(state): State<AppState>,
) -> Result<Json<Vec<CallbackView>>, ApiError> {
    let now = time::now();
    Ok(Json(
        state
            .store
            .open_callbacks(200)
            .await?
            .iter()
            .map(|c| callback_view(c, now))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CallbackDoneRequest {
    /// What came of the call (up to 1000 characters).
    #[serde(default)]
    pub note: String,
}

/// Marks a scheduled callback made; logged on the customer's contact timeline.
#[utoipa::path(
    post, path = "/api/v1/callbacks/{id}/done", tag = TAG_CALLS,
    params(("id" = i64, Path, description = "Callback id")),
    request_body = CallbackDoneRequest,
    responses(
        (status = 204, description = "Done"),
        (status = 404, description = "No such open callback", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn callback_done(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<CallbackDoneRequest>,
) -> Result<StatusCode, ApiError> {
    complete_callback(&state, &auth.actor, id, &r.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn complete_callback(
    state: &AppState,
    actor: &Actor,
    id: i64,
    note: &str,
) -> Result<(), ApiError> {
    let note = text("note", note, 1000, false)?;
    let open = state.store.open_callbacks(10_000).await?;
    let c = open
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(ApiError::NotFound {
            field: "id",
            value: id.to_string(),
        })?;
    let now = time::now();
    if !state
        .store
        .complete_callback(
            id,
            &actor.audit_id(),
            now,
            Some(&note).filter(|n| !n.is_empty()).map(String::as_str),
        )
        .await?
    {
        return Err(ApiError::NotFound {
            field: "id",
            value: id.to_string(),
        });
    }
    if let Some(no) = &c.customer_no {
        state
            .store
            .add_contact(&ContactRecord {
                customer_no: no.clone(),
                at: now,
                kind: ContactKind::Call,
                inbound: false,
                actor: actor.audit_id(),
                actor_name: actor.display_name(),
                summary: if note.is_empty() {
                    "预约回拨".to_owned()
                } else {
                    format!("预约回拨: {note}")
                },
                order_id: None,
            })
            .await?;
    }
    Ok(())
}
