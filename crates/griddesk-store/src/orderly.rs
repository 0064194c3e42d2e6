//! Storage of the company's load-limiting sequence (限电序位表, the customer list of its
//! orderly-power-use scheme, D3.2 and D9): one row per customer with its position, expected load,
//! security load and offers. The sequence is replaced whole — it is approved as a whole each
//! year — in one transaction: readers see the previous list or the new one, never a mix.

use crate::Result;
use crate::backend::corrupt;
use griddesk_domain::customer::ImportantGrade;
use griddesk_domain::orderly::SequenceEntry;
use griddesk_domain::values::{CustomerNo, parse_decimal};

/// A stored row with what the archive says of its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceRow {
    pub entry: SequenceEntry,
    pub name: String,
    pub important_grade: ImportantGrade,
}

/// Rows per INSERT statement: 8 parameters each stays far under SQLite's 32,766.
pub const SEQUENCE_CHUNK: usize = 1_000;

#[async_trait::async_trait]
pub trait OrderlyStore: Send + Sync {
    /// Replaces the whole sequence with `entries` (each customer once), atomically. A customer
    /// not in the archive is a `MissingReference` on `customer_no`, and the stored sequence
    /// stays as it was.
    async fn replace_orderly_sequence(&self, entries: &[SequenceEntry]) -> Result<()>;
    /// The sequence by position, then customer number, each row with its customer's name and
    /// importance.
    async fn orderly_sequence(&self) -> Result<Vec<SequenceRow>>;
}

pub const SEQUENCE_COLUMNS: &str = "s.customer_no, s.position, s.expected_load_kw, \
    s.security_load_kw, s.shift_peak_kw, s.avoid_peak_kw, s.limit_kw, s.can_disconnect";

/// Raw columns of a row read as [`SEQUENCE_COLUMNS`], then the customer's name and grade.
pub type SequenceColumns = (
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    bool,
    String,
    String,
);

pub fn sequence_from_columns(c: SequenceColumns) -> Result<SequenceRow> {
    let (no, position, load, security, shift, avoid, limit, can_disconnect, name, grade) = c;
    let kw = |field: &'static str, s: &str| parse_decimal(field, s).map_err(|e| corrupt(field, e));
    Ok(SequenceRow {
        entry: SequenceEntry {
            customer_no: CustomerNo::parse(&no).map_err(|e| corrupt("customer_no", e))?,
            sequence: u32::try_from(position).map_err(|e| corrupt("position", e))?,
            expected_load_kw: kw("expected_load_kw", &load)?,
            security_load_kw: kw("security_load_kw", &security)?,
            shift_peak_kw: kw("shift_peak_kw", &shift)?,
            avoid_peak_kw: kw("avoid_peak_kw", &avoid)?,
            limit_kw: kw("limit_kw", &limit)?,
            can_disconnect,
        },
        name,
        important_grade: ImportantGrade::parse(&grade)
            .map_err(|e| corrupt("important_grade", e))?,
    })
}

/// Implements [`OrderlyStore`] for a backend whose struct has a `pool` field and a
/// `begin_write` method, and implements [`crate::Store`] (for the reference check); see
/// [`crate::access_store_impl`] for the arguments.
#[macro_export]
macro_rules! orderly_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use ::griddesk_domain::orderly::SequenceEntry;
            use $crate::Result;
            use $crate::Store as _;
            use $crate::orderly::*;

            type Db = <$conn as ::sqlx::Connection>::Database;

            #[::async_trait::async_trait]
            impl OrderlyStore for $store {
                async fn replace_orderly_sequence(&self, entries: &[SequenceEntry]) -> Result<()> {
                    let codes: Vec<String> =
                        entries.iter().map(|e| e.customer_no.to_string()).collect();
                    let missing = self
                        .missing_references($crate::RefKind::Customer, &codes)
                        .await?;
                    if let Some(value) = missing.into_iter().next() {
                        return Err($crate::StoreError::MissingReference {
                            field: "customer_no",
                            value,
                        });
                    }
                    let mut tx = self.begin_write().await.map_err($db)?;
                    ::sqlx::query("DELETE FROM orderly_sequence")
                        .execute(&mut *tx)
                        .await
                        .map_err($db)?;
                    for chunk in entries.chunks(SEQUENCE_CHUNK) {
                        let mut qb = ::sqlx::QueryBuilder::<Db>::new(
                            "INSERT INTO orderly_sequence (customer_no, position, \
                             expected_load_kw, security_load_kw, shift_peak_kw, avoid_peak_kw, \
                             limit_kw, can_disconnect) ",
                        );
                        qb.push_values(chunk, |mut b, e| {
                            b.push_bind(e.customer_no.to_string())
                                .push_bind(i64::from(e.sequence))
                                .push_bind(e.expected_load_kw.to_string())
                                .push_bind(e.security_load_kw.to_string())
                                .push_bind(e.shift_peak_kw.to_string())
                                .push_bind(e.avoid_peak_kw.to_string())
                                .push_bind(e.limit_kw.to_string())
                                .push_bind(e.can_disconnect);
                        });
                        qb.build().execute(&mut *tx).await.map_err($db)?;
                    }
                    tx.commit().await.map_err($db)?;
                    Ok(())
                }

                async fn orderly_sequence(&self) -> Result<Vec<SequenceRow>> {
                    let rows: Vec<SequenceColumns> = ::sqlx::query_as(&format!(
                        "SELECT {SEQUENCE_COLUMNS}, c.name, c.important_grade \
                         FROM orderly_sequence s JOIN customer c ON c.customer_no = s.customer_no \
                         ORDER BY s.position, s.customer_no"
                    ))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(sequence_from_columns).collect()
                }
            }
        };
    };
}
