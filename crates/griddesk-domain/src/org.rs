//! Organisation units and staff (D0): company, branches and supply stations (供电所), business
//! halls (营业厅); staff with one role each.

use crate::values::Code;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Kind of organisation unit. Units form a tree under one company.
    OrgKind, "kind" {
        Company = "company", "供电公司", "Company";
        Branch = "branch", "分公司/县公司", "Branch";
        SupplyStation = "supply_station", "供电所", "Supply station";
        BusinessHall = "business_hall", "营业厅", "Business hall";
        ServiceCentre = "service_centre", "客户服务中心", "Customer service centre";
    }
}

code_enum! {
    /// Roles of D0. Permissions per role are the access-control issue's; the archive only stores them.
    Role, "role" {
        Agent = "agent", "坐席", "Hotline agent";
        Dispatcher = "dispatcher", "派单调度", "Dispatcher";
        Crew = "crew", "抢修班组", "Repair crew";
        CustomerManager = "customer_manager", "客户经理", "Customer manager";
        Analyst = "analyst", "营销分析", "Marketing analyst";
        Inspector = "inspector", "用电检查", "Revenue inspector";
        Supervisor = "supervisor", "班长/监督", "Supervisor";
        Admin = "admin", "系统管理员", "Administrator";
        Customer = "customer", "客户", "Customer";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrgUnit {
    pub code: Code,
    pub name: String,
    pub kind: OrgKind,
    /// None only for the company at the root.
    pub parent: Option<Code>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Staff {
    /// Login name, unique.
    pub login: Code,
    pub name: String,
    pub role: Role,
    pub org_unit: Code,
}
