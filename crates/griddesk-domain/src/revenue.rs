//! Revenue-protection findings (营业稽查, D8): confirmed theft cases kept against the customer.
//! They feed the credit grading (D6) in later issues.

use crate::values::{CustomerNo, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TheftCase {
    pub case_no: String,
    pub customer_no: CustomerNo,
    #[schema(value_type = String, format = Date)]
    pub found_on: jiff::civil::Date,
    /// Energy taken without being metered, estimated by the inspector.
    #[schema(value_type = String)]
    pub stolen_kwh: Decimal,
    /// Back charge plus penalty (追补电费 + 违约使用电费).
    pub charged: Money,
    pub description: String,
}
