//! Customers' own maintenance outages (客户检修计划, seed 003): what a customer manager learns
//! of a key customer's planned maintenance of its own plant is recorded here, so that the
//! outage plan advises fitting grid work that cuts that customer into the same hours instead of
//! cutting it twice (`api_outage_plans::plan_advice`).

use crate::api_orders::text;
use crate::api_outages::{TAG_OUTAGES, instant};
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::{AppState, scope, time};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
use griddesk_domain::values::CustomerNo;
use griddesk_store::outage_plan::{NewMaintenance, StoredMaintenance};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The longest maintenance recorded: a customer's plant is not out for weeks on a plan.
const MAX_DAYS: i64 = 14;

#[derive(Debug, Deserialize, ToSchema)]
pub struct MaintenanceRequest {
    pub customer_no: String,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in Asia/Shanghai.
    pub start: String,
    /// After `start`, at most 14 days later.
    pub end: String,
    /// What the customer maintains (e.g. 10kV配电室年度预试).
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MaintenanceView {
    pub id: i64,
    pub customer_no: String,
    /// The transformer area the customer hangs on now (none for a feeder-direct customer).
    pub area: Option<String>,
    /// Asia/Shanghai, RFC 3339.
    pub start: String,
    pub end: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

pub fn view(m: &StoredMaintenance) -> MaintenanceView {
    MaintenanceView {
        id: m.id,
        customer_no: m.maintenance.customer.to_string(),
        area: m.maintenance.area.as_ref().map(ToString::to_string),
        start: time::local_rfc3339(m.maintenance.start),
        end: time::local_rfc3339(m.maintenance.end),
        note: m.note.clone(),
        recorded_by: m.recorded_by.clone(),
        recorded_at: time::local_rfc3339(m.recorded_at),
    }
}

/// Records a customer's planned maintenance of its own plant. The customer must be within the
/// caller's units; audited.
#[utoipa::path(
    post, path = "/api/v1/customer-maintenance", tag = TAG_OUTAGES,
    request_body = MaintenanceRequest,
    responses(
        (status = 201, description = "Recorded", body = MaintenanceView),
        (status = 400, description = "Invalid field (named)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn record_maintenance(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(r): ApiJson<MaintenanceRequest>,
) -> Result<Response, ApiError> {
    let v = record(&state, &auth.actor, &addr, &r).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Records `r` for `actor` (the API's and the console's): checked, within the caller's units,
/// audited.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    r: &MaintenanceRequest,
) -> Result<MaintenanceView, ApiError> {
    let no = CustomerNo::parse(r.customer_no.trim())?;
    let start = instant("start", &r.start)?;
    let end = instant("end", &r.end)?;
    if end <= start {
        return Err(ApiError::invalid("end", "must be after start"));
    }
    if end.duration_since(start) > SignedDuration::from_hours(24 * MAX_DAYS) {
        return Err(ApiError::invalid(
            "end",
            format!("at most {MAX_DAYS} days after start"),
        ));
    }
    let note = text("note", r.note.as_deref().unwrap_or_default(), 200, false)?;
    let detail = scope::customer_for(state, actor, &no).await?;
    let now = time::now();
    let id = state
        .store
        .record_maintenance(&NewMaintenance {
            customer: no.clone(),
            start,
            end,
            note: note.clone(),
            recorded_by: actor.audit_id(),
            recorded_at: now,
        })
        .await?;
    let audit = AuditEntry::new(
        actor,
        AuditAction::OutagePlanChanged,
        "customer_maintenance",
        id.to_string(),
        addr,
        now,
    )
    .reason(format!("customer {no} maintenance recorded"));
    state.store.append_audit(&audit).await?;
    // The customer's area is known from the look-up above: no need to read the row back.
    let area = match &detail.customer.connection {
        griddesk_domain::customer::Connection::Area { area } => Some(area.clone()),
        griddesk_domain::customer::Connection::Feeder { .. } => None,
    };
    Ok(view(&StoredMaintenance {
        id,
        maintenance: griddesk_domain::outage_plan::CustomerMaintenance {
            customer: no,
            area,
            start,
            end,
        },
        note,
        recorded_by: actor.audit_id(),
        recorded_at: now,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MaintenanceParams {
    /// Maintenance starting on or after this instant (RFC 3339 or local `YYYY-MM-DDTHH:MM`);
    /// default now.
    pub from: Option<String>,
    /// ...and before this one; default 60 days after `from`.
    pub to: Option<String>,
}

/// Customers' maintenance starting in `[from, to)`, earliest first (at most 1,000).
#[utoipa::path(
    get, path = "/api/v1/customer-maintenance", tag = TAG_OUTAGES,
    params(MaintenanceParams),
    responses(
        (status = 200, description = "The maintenance", body = Vec<MaintenanceView>),
        (status = 400, description = "Invalid from or to", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_maintenance(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<MaintenanceParams>,
) -> Result<Json<Vec<MaintenanceView>>, ApiError> {
    let from = match p.from.as_deref() {
        Some(s) => instant("from", s)?,
        None => time::now(),
    };
    let to = match p.to.as_deref() {
        Some(s) => instant("to", s)?,
        None => from + SignedDuration::from_hours(24 * 60),
    };
    if to <= from {
        return Err(ApiError::invalid("to", "must be after from"));
    }
    let list = state.store.maintenance_between(from, to, 1000).await?;
    Ok(Json(list.iter().map(view).collect()))
}
