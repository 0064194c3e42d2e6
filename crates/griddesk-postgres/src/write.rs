//! Batched, all-or-nothing upserts: one transaction per call; references checked set-based
//! first (one query per kind of record referred to); then each table gets one
//! `INSERT .. SELECT * FROM UNNEST($1::type[], ..) ON CONFLICT .. DO UPDATE` per chunk of rows,
//! binding one array per column instead of one parameter per value.

use crate::{db, ref_table};
use griddesk_domain::customer::{Connection, Customer};
use griddesk_domain::org::{OrgUnit, Staff};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::search;
use griddesk_domain::topology::{Feeder, MeteringPoint, Substation, TransformerArea};
use griddesk_store::backend::{self, Reference, customer_id, last_per_key};
use griddesk_store::{RefKind, Result};
use rust_decimal::Decimal;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// Rows per statement: bounds the size of one message and of the arrays built for it.
const CHUNK: usize = 10_000;

async fn begin(pool: &PgPool) -> Result<Transaction<'static, Postgres>> {
    pool.begin().await.map_err(db)
}

/// `INSERT INTO table (cols) SELECT * FROM UNNEST($1::t1, ..) ON CONFLICT (key) DO UPDATE SET`
/// every other column (plus `extra_set`). `cols` pairs each column with its array parameter type.
fn upsert_sql(table: &str, cols: &[(&str, &str)], key: &[&str], extra_set: &str) -> String {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let arrays: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, (_, t))| format!("${}::{t}", i + 1))
        .collect();
    let mut sets: Vec<String> = names
        .iter()
        .filter(|c| !key.contains(c))
        .map(|c| format!("{c} = EXCLUDED.{c}"))
        .collect();
    if !extra_set.is_empty() {
        sets.push(extra_set.to_owned());
    }
    let conflict = if sets.is_empty() {
        "DO NOTHING".to_owned()
    } else {
        format!("DO UPDATE SET {}", sets.join(", "))
    };
    format!(
        "INSERT INTO {table} ({}) SELECT * FROM UNNEST({}) ON CONFLICT ({}) {conflict}",
        names.join(", "),
        arrays.join(", "),
        key.join(", ")
    )
}

fn insert_sql(table: &str, cols: &[(&str, &str)]) -> String {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let arrays: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, (_, t))| format!("${}::{t}", i + 1))
        .collect();
    format!(
        "INSERT INTO {table} ({}) SELECT * FROM UNNEST({})",
        names.join(", "),
        arrays.join(", ")
    )
}

/// Which of `codes` (distinct) have no record of `kind`: one query for the whole list.
pub(crate) async fn missing(
    conn: &mut PgConnection,
    kind: RefKind,
    codes: &[&str],
) -> Result<Vec<String>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let (table, col) = ref_table(kind);
    let sql = format!(
        "SELECT u.code FROM UNNEST($1::text[]) AS u(code) \
         WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{col} = u.code)"
    );
    sqlx::query_scalar::<_, String>(&sql)
        .bind(codes)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)
}

/// Rejects the batch with the first reference (in batch order) to a record that does not exist.
async fn check_refs(conn: &mut PgConnection, refs: &[Reference<'_>]) -> Result<()> {
    let mut found = Vec::new();
    for (kind, codes) in backend::codes_by_kind(refs) {
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        found.push((kind, missing(conn, kind, &codes).await?));
    }
    backend::first_missing(refs, &found)
}

pub(crate) async fn org_units(pool: &PgPool, units: &[OrgUnit]) -> Result<()> {
    let units = last_per_key(units, |u| u.code.clone());
    let units = backend::parents_first(&units);
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::org_unit_refs(&units)).await?;
    let sql = upsert_sql(
        "org_unit",
        &[
            ("code", "text[]"),
            ("name", "text[]"),
            ("kind", "text[]"),
            ("parent", "text[]"),
        ],
        &["code"],
        "",
    );
    // Parents before children across chunks; within one statement order does not matter.
    for chunk in units.chunks(CHUNK) {
        sqlx::query(&sql)
            .bind(chunk.iter().map(|u| u.code.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|u| u.name.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|u| u.kind.code()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|u| u.parent.as_ref().map(|p| p.as_str()))
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

pub(crate) async fn staff(pool: &PgPool, staff: &[Staff]) -> Result<()> {
    let staff = last_per_key(staff, |s| s.login.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::staff_refs(&staff)).await?;
    let sql = upsert_sql(
        "staff",
        &[
            ("login", "text[]"),
            ("name", "text[]"),
            ("role", "text[]"),
            ("org_unit", "text[]"),
        ],
        &["login"],
        "",
    );
    for chunk in staff.chunks(CHUNK) {
        sqlx::query(&sql)
            .bind(chunk.iter().map(|s| s.login.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|s| s.name.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|s| s.role.code()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|s| s.org_unit.as_str())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

pub(crate) async fn substations(pool: &PgPool, items: &[Substation]) -> Result<()> {
    let items = last_per_key(items, |s| s.code.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::substation_refs(&items)).await?;
    let sql = upsert_sql(
        "substation",
        &[
            ("code", "text[]"),
            ("name", "text[]"),
            ("voltage_kv", "numeric[]"),
            ("org_unit", "text[]"),
        ],
        &["code"],
        "",
    );
    for chunk in items.chunks(CHUNK) {
        sqlx::query(&sql)
            .bind(chunk.iter().map(|s| s.code.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|s| s.name.as_str()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|s| s.voltage_kv.kv())
                    .collect::<Vec<Decimal>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|s| s.org_unit.as_str())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

pub(crate) async fn feeders(pool: &PgPool, items: &[Feeder]) -> Result<()> {
    let items = last_per_key(items, |f| f.code.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::feeder_refs(&items)).await?;
    let sql = upsert_sql(
        "feeder",
        &[
            ("code", "text[]"),
            ("name", "text[]"),
            ("substation", "text[]"),
            ("voltage_kv", "numeric[]"),
        ],
        &["code"],
        "",
    );
    for chunk in items.chunks(CHUNK) {
        sqlx::query(&sql)
            .bind(chunk.iter().map(|f| f.code.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|f| f.name.as_str()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|f| f.substation.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|f| f.voltage_kv.kv())
                    .collect::<Vec<Decimal>>(),
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

pub(crate) async fn areas(pool: &PgPool, items: &[TransformerArea]) -> Result<()> {
    let items = last_per_key(items, |a| a.code.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::area_refs(&items)).await?;
    let sql = upsert_sql(
        "transformer_area",
        &[
            ("code", "text[]"),
            ("name", "text[]"),
            ("feeder", "text[]"),
            ("transformer_kva", "numeric[]"),
            ("area_type", "text[]"),
            ("org_unit", "text[]"),
        ],
        &["code"],
        "",
    );
    for chunk in items.chunks(CHUNK) {
        sqlx::query(&sql)
            .bind(chunk.iter().map(|a| a.code.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|a| a.name.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|a| a.feeder.as_str()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|a| a.transformer_kva.kva())
                    .collect::<Vec<Decimal>>(),
            )
            .bind(chunk.iter().map(|a| a.area_type.code()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|a| a.org_unit.as_str())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

const CUSTOMER_COLS: [(&str, &str); 23] = [
    ("id", "bigint[]"),
    ("customer_no", "text[]"),
    ("name", "text[]"),
    ("address", "text[]"),
    ("id_number", "text[]"),
    ("org_unit", "text[]"),
    ("area_code", "text[]"),
    ("feeder_code", "text[]"),
    ("backup_feeder_code", "text[]"),
    ("supply_relation", "text[]"),
    ("tariff", "text[]"),
    ("voltage_kv", "numeric[]"),
    ("capacity_kva", "numeric[]"),
    ("self_provided_source", "boolean[]"),
    ("dedicated_line", "boolean[]"),
    ("usage_nature", "text[]"),
    ("load_importance", "text[]"),
    ("important_grade", "text[]"),
    ("area_type", "text[]"),
    ("industry", "text[]"),
    ("institution", "text[]"),
    ("customer_manager", "text[]"),
    ("opened_on", "text[]::date[]"),
];

/// Appends one more column to the customer statement: `search_doc`.
fn customer_sql() -> String {
    let mut cols = CUSTOMER_COLS.to_vec();
    cols.push(("search_doc", "text[]"));
    upsert_sql("customer", &cols, &["id"], "updated_at = now()")
}

fn connection(c: &Customer) -> (Option<&str>, Option<&str>, Option<&str>) {
    match &c.connection {
        Connection::Area { area } => (Some(area.as_str()), None, None),
        Connection::Feeder { feeder, backup } => (
            None,
            Some(feeder.as_str()),
            backup.as_ref().map(|b| b.as_str()),
        ),
    }
}

async fn write_customer_chunk(tx: &mut PgConnection, sql: &str, chunk: &[&Customer]) -> Result<()> {
    let ids: Vec<i64> = chunk.iter().map(|c| customer_id(&c.customer_no)).collect();
    let conns: Vec<_> = chunk.iter().map(|c| connection(c)).collect();
    sqlx::query(sql)
        .bind(&ids)
        .bind(
            chunk
                .iter()
                .map(|c| c.customer_no.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|c| c.name.as_str()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|c| c.address.as_str()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|c| c.id_number.as_ref().map(|i| i.as_str()))
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.org_unit.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(conns.iter().map(|k| k.0).collect::<Vec<_>>())
        .bind(conns.iter().map(|k| k.1).collect::<Vec<_>>())
        .bind(conns.iter().map(|k| k.2).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|c| c.supply_relation.code())
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|c| c.tariff.code()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|c| c.voltage_kv.kv())
                .collect::<Vec<Decimal>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.capacity_kva.kva())
                .collect::<Vec<Decimal>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.supply.self_provided_source)
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.supply.dedicated_line)
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.usage_nature.code())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.load_importance.code())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.important_grade.code())
                .collect::<Vec<_>>(),
        )
        .bind(chunk.iter().map(|c| c.area_type.code()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|c| c.industry.code()).collect::<Vec<_>>())
        .bind(
            chunk
                .iter()
                .map(|c| c.institution.code())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.customer_manager.as_ref().map(|m| m.as_str()))
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| c.opened_on.to_string())
                .collect::<Vec<_>>(),
        )
        .bind(
            chunk
                .iter()
                .map(|c| search::document(&c.name, &c.address))
                .collect::<Vec<_>>(),
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;

    let (mut c_id, mut c_seq, mut c_name, mut c_role, mut c_email, mut c_channel) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let (mut p_id, mut p_contact, mut p_seq, mut p_phone) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (c, &id) in chunk.iter().zip(&ids) {
        for (ci, contact) in c.contacts.iter().enumerate() {
            let ci = i32::try_from(ci).map_err(|e| backend::corrupt("contact.seq", e))?;
            c_id.push(id);
            c_seq.push(ci);
            c_name.push(contact.name.as_str());
            c_role.push(contact.role.as_str());
            c_email.push(contact.email.as_ref().map(|e| e.as_str()));
            c_channel.push(contact.preferred_channel.code());
            for (pi, phone) in contact.phones.iter().enumerate() {
                p_id.push(id);
                p_contact.push(ci);
                p_seq
                    .push(i32::try_from(pi).map_err(|e| backend::corrupt("contact_phone.seq", e))?);
                p_phone.push(phone.as_str());
            }
        }
    }
    if !c_id.is_empty() {
        let sql = insert_sql(
            "contact",
            &[
                ("customer_id", "bigint[]"),
                ("seq", "int[]"),
                ("name", "text[]"),
                ("role", "text[]"),
                ("email", "text[]"),
                ("preferred_channel", "text[]"),
            ],
        );
        sqlx::query(&sql)
            .bind(c_id)
            .bind(c_seq)
            .bind(c_name)
            .bind(c_role)
            .bind(c_email)
            .bind(c_channel)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    if !p_id.is_empty() {
        let sql = insert_sql(
            "contact_phone",
            &[
                ("customer_id", "bigint[]"),
                ("contact_seq", "int[]"),
                ("seq", "int[]"),
                ("phone", "text[]"),
            ],
        );
        sqlx::query(&sql)
            .bind(p_id)
            .bind(p_contact)
            .bind(p_seq)
            .bind(p_phone)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    Ok(())
}

pub(crate) async fn customers(pool: &PgPool, customers: &[Customer]) -> Result<()> {
    if customers.is_empty() {
        return Ok(());
    }
    let batch = last_per_key(customers, |c| c.customer_no.clone());
    let ids: Vec<i64> = batch.iter().map(|c| customer_id(&c.customer_no)).collect();
    let mut meters: Vec<(i64, i32, &MeteringPoint)> = Vec::new();
    for (c, &id) in batch.iter().zip(&ids) {
        for (mi, m) in c.meters.iter().enumerate() {
            let mi = i32::try_from(mi).map_err(|e| backend::corrupt("meter.seq", e))?;
            meters.push((id, mi, m));
        }
    }
    // A meter code moved between two customers of the batch belongs to the later one.
    let meters: Vec<(i64, i32, &MeteringPoint)> = last_per_key(&meters, |m| m.2.code.clone())
        .into_iter()
        .copied()
        .collect();

    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::customer_refs(&batch)).await?;

    // Customers already stored lose their old contacts and meters.
    let existing: Vec<i64> = sqlx::query_scalar("SELECT id FROM customer WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
    if !existing.is_empty() {
        for sql in [
            "DELETE FROM contact_phone WHERE customer_id = ANY($1)",
            "DELETE FROM contact WHERE customer_id = ANY($1)",
            "DELETE FROM meter WHERE customer_id = ANY($1)",
        ] {
            sqlx::query(sql)
                .bind(&existing)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
    }

    let sql = customer_sql();
    for chunk in batch.chunks(CHUNK) {
        write_customer_chunk(&mut tx, &sql, chunk).await?;
    }
    let sql = upsert_sql(
        "meter",
        &[
            ("code", "text[]"),
            ("customer_id", "bigint[]"),
            ("seq", "int[]"),
            ("meter_no", "text[]"),
            ("multiplier", "bigint[]"),
        ],
        &["code"],
        "",
    );
    for chunk in meters.chunks(CHUNK) {
        sqlx::query(&sql)
            .bind(chunk.iter().map(|m| m.2.code.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.0).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.1).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|m| m.2.meter_no.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|m| i64::from(m.2.multiplier))
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

pub(crate) async fn theft_cases(pool: &PgPool, cases: &[TheftCase]) -> Result<()> {
    let cases = last_per_key(cases, |t| t.case_no.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::theft_case_refs(&cases)).await?;
    let sql = upsert_sql(
        "theft_case",
        &[
            ("case_no", "text[]"),
            ("customer_id", "bigint[]"),
            ("found_on", "text[]::date[]"),
            ("stolen_kwh", "numeric[]"),
            ("charged", "numeric[]"),
            ("description", "text[]"),
        ],
        &["case_no"],
        "",
    );
    for chunk in cases.chunks(CHUNK) {
        sqlx::query(&sql)
            .bind(chunk.iter().map(|t| t.case_no.as_str()).collect::<Vec<_>>())
            .bind(
                chunk
                    .iter()
                    .map(|t| customer_id(&t.customer_no))
                    .collect::<Vec<_>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|t| t.found_on.to_string())
                    .collect::<Vec<_>>(),
            )
            .bind(chunk.iter().map(|t| t.stolen_kwh).collect::<Vec<Decimal>>())
            .bind(
                chunk
                    .iter()
                    .map(|t| t.charged.yuan())
                    .collect::<Vec<Decimal>>(),
            )
            .bind(
                chunk
                    .iter()
                    .map(|t| t.description.as_str())
                    .collect::<Vec<_>>(),
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}
