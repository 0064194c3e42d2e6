//! Grid topology of D1: substation -> feeder (10 kV line) -> transformer area (台区) ->
//! metering point -> customer.

use crate::values::{CapacityKva, Code, VoltageKv};
use serde::{Deserialize, Serialize};

code_enum! {
    /// Area type that selects the repair-arrival commitment (45/90/120 min, D2).
    AreaType, "area_type" {
        Urban = "urban", "城区", "Urban";
        Rural = "rural", "农村", "Rural";
        Remote = "remote", "特殊边远", "Remote";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Substation {
    pub code: Code,
    pub name: String,
    pub voltage_kv: VoltageKv,
    /// Organisation unit that operates it.
    pub org_unit: Code,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Feeder {
    pub code: Code,
    pub name: String,
    pub substation: Code,
    pub voltage_kv: VoltageKv,
}

/// A transformer area (台区): one distribution transformer and its low-voltage network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TransformerArea {
    pub code: Code,
    pub name: String,
    pub feeder: Code,
    pub transformer_kva: CapacityKva,
    pub area_type: AreaType,
    /// Supply station (供电所) responsible for the area.
    pub org_unit: Code,
}

/// A metering point and its meter (计量点/电能表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeteringPoint {
    pub code: Code,
    /// Asset number of the installed meter.
    pub meter_no: Code,
    /// Current/voltage transformer ratio applied to register readings (1 for direct meters).
    pub multiplier: u32,
}

/// The path from the customer up to the substation, as shown on the customer page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TopologyPath {
    pub substation_code: Code,
    pub substation_name: String,
    pub feeder_code: Code,
    pub feeder_name: String,
    /// None for high-voltage customers supplied straight from the feeder.
    pub area_code: Option<Code>,
    pub area_name: Option<String>,
    /// Second supply of a dual-supply customer.
    pub backup_feeder_code: Option<Code>,
    pub backup_feeder_name: Option<String>,
}
