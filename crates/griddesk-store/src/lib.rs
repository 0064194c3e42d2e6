//! The storage boundary of GridDesk: one async trait, [`Store`], implemented by the SQLite crate
//! (embedded default) and the PostgreSQL crate (production), and one conformance suite
//! ([`conformance`]) that both must pass.
//!
//! Values cross this boundary as domain types that are already valid; the store never parses
//! user input and never masks: masking belongs to the presentation layer.

pub mod access;
pub mod backend;
pub mod conformance;
mod conformance_access;
mod conformance_knowledge;
mod conformance_notice;
mod conformance_orderly;
mod conformance_outage;
mod conformance_outage_plan;
mod conformance_segment;
mod conformance_service;
mod conformance_workorder;
pub mod knowledge;
pub mod notice;
pub mod orderly;
pub mod outage;
pub mod outage_plan;
pub mod segment;
pub mod service;
pub mod workorder;

pub use access::AccessStore;
pub use knowledge::KnowledgeStore;
pub use notice::NoticeStore;
pub use orderly::OrderlyStore;
pub use outage::OutageStore;
pub use outage_plan::OutagePlanStore;
pub use segment::SegmentStore;
pub use service::ServiceStore;
pub use workorder::WorkOrderStore;

// For the store macros, expanded in the backend crates.
#[doc(hidden)]
pub use futures as __futures;

use griddesk_domain::customer::Customer;
use griddesk_domain::org::{OrgUnit, Staff};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::search::SearchQuery;
use griddesk_domain::topology::{Feeder, Substation, TopologyPath, TransformerArea};
use griddesk_domain::values::{Code, CustomerNo};
use serde::Serialize;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A referenced record (organisation unit, feeder, area, staff) does not exist.
    #[error("{field} {value:?} does not exist")]
    MissingReference { field: &'static str, value: String },
    /// A row in the database does not decode into a valid domain value.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database could not take the statement now (no free connection within the pool's
    /// wait, a lock held too long): worth retrying shortly, nothing was changed.
    #[error("database busy: {0}")]
    Busy(String),
    /// Anything else the database reported. Never shown to API clients.
    #[error("database error: {0}")]
    Backend(String),
}

/// One row of a customer search result. Personal fields are raw here; callers mask them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSummary {
    pub customer_no: CustomerNo,
    pub name: String,
    pub address: String,
    pub tariff: griddesk_domain::customer::TariffCategory,
    pub important_grade: griddesk_domain::customer::ImportantGrade,
    pub org_unit_name: String,
    /// Transformer area name, or the feeder name for customers supplied from a feeder.
    pub supply_point: String,
}

/// Everything the archive knows of one customer, with names resolved for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerDetail {
    pub customer: Customer,
    pub path: TopologyPath,
    pub org_unit_name: String,
    pub customer_manager_name: Option<String>,
    pub theft_cases: Vec<TheftCase>,
}

/// A transformer area with its place in the topology and every customer behind it (plates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaCustomers {
    pub area: TransformerArea,
    pub feeder_name: String,
    pub customers: Vec<Customer>,
}

/// Counts shown on the console's front page and in `demo-data`'s summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ArchiveStats {
    pub org_units: u64,
    pub staff: u64,
    pub substations: u64,
    pub feeders: u64,
    pub areas: u64,
    pub customers: u64,
    pub high_voltage_customers: u64,
    pub dual_supply_customers: u64,
    pub important_customers: u64,
}

/// Filter over the classification dimensions of D1; `None` means "any". Combined with AND.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema, utoipa::IntoParams,
)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    pub tariff: Option<griddesk_domain::customer::TariffCategory>,
    pub supply_relation: Option<griddesk_domain::customer::SupplyRelation>,
    pub usage_nature: Option<griddesk_domain::customer::UsageNature>,
    pub load_importance: Option<griddesk_domain::customer::LoadImportance>,
    pub important_grade: Option<griddesk_domain::customer::ImportantGrade>,
    pub area_type: Option<griddesk_domain::topology::AreaType>,
    pub industry: Option<griddesk_domain::customer::Industry>,
    pub institution: Option<griddesk_domain::customer::Institution>,
    /// true: 10 kV and above; false: low voltage.
    pub high_voltage: Option<bool>,
    pub dual_supply: Option<bool>,
    /// Serving organisation unit code (exact unit, not its subtree).
    pub org_unit: Option<String>,
    /// Transformer area code.
    pub area: Option<String>,
    /// Feeder code (main or backup supply).
    pub feeder: Option<String>,
    /// Login of the assigned customer manager.
    pub customer_manager: Option<String>,
    /// The reader's scope: only customers served by these units. Set by the server from the
    /// reader's role and unit, never from a query parameter.
    #[serde(skip)]
    #[param(ignore)]
    pub within_units: Option<Vec<Code>>,
}

/// Kinds of record another record can refer to by code, for reference checks before an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    OrgUnit,
    Staff,
    Substation,
    Feeder,
    Area,
    Customer,
}

/// The storage trait. Every `upsert_*` is idempotent on the record's natural key (code, login or
/// customer number) and all-or-nothing per call: either every record of the slice is written or,
/// on error, none is.
#[async_trait::async_trait]
pub trait Store:
    AccessStore
    + WorkOrderStore
    + ServiceStore
    + KnowledgeStore
    + OutageStore
    + OutagePlanStore
    + NoticeStore
    + SegmentStore
    + OrderlyStore
    + Send
    + Sync
    + 'static
{
    /// "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
    /// Cheap round trip for /healthz.
    async fn ping(&self) -> Result<()>;
    /// Refreshes the query planner's statistics after a bulk load (demo data, large imports), so
    /// the first searches afterwards use the indexes.
    async fn optimize(&self) -> Result<()>;

    async fn upsert_org_units(&self, units: &[OrgUnit]) -> Result<()>;
    async fn upsert_staff(&self, staff: &[Staff]) -> Result<()>;
    async fn upsert_substations(&self, items: &[Substation]) -> Result<()>;
    async fn upsert_feeders(&self, items: &[Feeder]) -> Result<()>;
    async fn upsert_areas(&self, items: &[TransformerArea]) -> Result<()>;
    /// Writes customers with their contacts and meters (replacing the previous contacts and meters
    /// of a customer already stored) and keeps the search index in step.
    async fn upsert_customers(&self, customers: &[Customer]) -> Result<()>;
    async fn upsert_theft_cases(&self, cases: &[TheftCase]) -> Result<()>;

    async fn list_org_units(&self) -> Result<Vec<OrgUnit>>;
    async fn list_staff(&self) -> Result<Vec<Staff>>;
    async fn customer(&self, no: &CustomerNo) -> Result<Option<CustomerDetail>>;
    /// Customers matching the text query (if any) and the filter, at most `limit` rows, ordered by
    /// customer number. A text query goes through the search index (never a table scan).
    async fn search_customers(
        &self,
        q: Option<&SearchQuery>,
        filter: &CustomerFilter,
        limit: u32,
    ) -> Result<Vec<CustomerSummary>>;
    async fn area_customers(&self, area: &Code) -> Result<Option<AreaCustomers>>;
    /// Which of `codes` do not exist as records of `kind`.
    async fn missing_references(&self, kind: RefKind, codes: &[String]) -> Result<Vec<String>>;
    async fn stats(&self) -> Result<ArchiveStats>;
}
