//! GridDesk's pure domain core: the customer archive on the grid topology (D1), organisation and
//! roles (D0), billing records, masking of personal data (D12) and search terms.
//!
//! Invariant: this crate does no IO, no async and no SQL. Every other crate depends on it; it
//! depends on none of them.

#[macro_use]
mod code_enum;
pub mod access;
pub mod billing;
pub mod calendar;
pub mod complaint;
pub mod customer;
pub mod error;
pub mod knowledge;
pub mod mask;
pub mod notice;
pub mod orderly;
pub mod org;
pub mod outage;
pub mod outage_plan;
pub mod plate;
pub mod queue;
pub mod revenue;
pub mod search;
pub mod segment;
pub mod sla;
pub mod topology;
pub mod values;
pub mod workorder;

pub use error::ParseError;
