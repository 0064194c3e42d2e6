//! Batched, all-or-nothing upserts. Each call runs in one `BEGIN IMMEDIATE` transaction (taking
//! the write lock up front, so a read-then-write never fails on lock upgrade): references are
//! checked set-based first, then rows go in as multi-row `INSERT .. ON CONFLICT DO UPDATE`
//! statements sized below SQLite's bind-parameter limit.

use crate::{db, ref_table};
use griddesk_domain::customer::{Connection, Contact, Customer};
use griddesk_domain::org::{OrgUnit, Staff};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::search;
use griddesk_domain::topology::{Feeder, MeteringPoint, Substation, TransformerArea};
use griddesk_store::backend::{self, Reference, customer_id, last_per_key};
use griddesk_store::{RefKind, Result};
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool, Transaction};

/// Bind parameters per statement; SQLite's limit is 32766.
const MAX_PARAMS: usize = 32_000;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

type Row<'q, 'a> = Separated<'q, 'a, Sqlite, &'static str>;

async fn begin(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
}

/// `INSERT INTO {table} ({cols}) VALUES .. ON CONFLICT ({key}) DO UPDATE SET` every other column,
/// in chunks. `extra_set` is appended to the SET list (e.g. a timestamp).
async fn upsert_rows<'a, T>(
    conn: &mut SqliteConnection,
    table: &str,
    cols: &[&str],
    key: &[&str],
    extra_set: &str,
    rows: &'a [T],
    mut bind: impl FnMut(&mut Row<'_, 'a>, &'a T),
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let head = format!("INSERT INTO {table} ({}) ", cols.join(", "));
    let mut sets: Vec<String> = cols
        .iter()
        .filter(|c| !key.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    if !extra_set.is_empty() {
        sets.push(extra_set.to_owned());
    }
    let tail = if sets.is_empty() {
        format!(" ON CONFLICT ({}) DO NOTHING", key.join(", "))
    } else {
        format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            key.join(", "),
            sets.join(", ")
        )
    };
    for chunk in rows.chunks((MAX_PARAMS / cols.len()).max(1)) {
        let mut qb = QueryBuilder::<Sqlite>::new(&head);
        qb.push_values(chunk, |mut b, row| bind(&mut b, row));
        qb.push(&tail);
        qb.build().execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

/// Plain multi-row INSERT in chunks (rows known to be new).
async fn insert_rows<'a, T>(
    conn: &mut SqliteConnection,
    table: &str,
    cols: &[&str],
    rows: &'a [T],
    mut bind: impl FnMut(&mut Row<'_, 'a>, &'a T),
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let head = format!("INSERT INTO {table} ({}) ", cols.join(", "));
    for chunk in rows.chunks((MAX_PARAMS / cols.len()).max(1)) {
        let mut qb = QueryBuilder::<Sqlite>::new(&head);
        qb.push_values(chunk, |mut b, row| bind(&mut b, row));
        qb.build().execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

fn json_strings(codes: &[&str]) -> Result<String> {
    serde_json::to_string(codes).map_err(|e| griddesk_store::StoreError::Backend(e.to_string()))
}

fn json_ids(ids: &[i64]) -> String {
    let mut s = String::with_capacity(ids.len() * 11 + 2);
    s.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    s.push(']');
    s
}

/// Which of `codes` (distinct) have no record of `kind`: one query, the list passed as JSON.
pub(crate) async fn missing(
    conn: &mut SqliteConnection,
    kind: RefKind,
    codes: &[&str],
) -> Result<Vec<String>> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let (table, col) = ref_table(kind);
    let sql = format!(
        "SELECT j.value FROM json_each(?) AS j \
         WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{col} = j.value)"
    );
    sqlx::query_scalar::<_, String>(&sql)
        .bind(json_strings(codes)?)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)
}

/// Rejects the batch with the first reference (in batch order) to a record that does not exist.
async fn check_refs(conn: &mut SqliteConnection, refs: &[Reference<'_>]) -> Result<()> {
    let mut found = Vec::new();
    for (kind, codes) in backend::codes_by_kind(refs) {
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        found.push((kind, missing(conn, kind, &codes).await?));
    }
    backend::first_missing(refs, &found)
}

pub(crate) async fn org_units(pool: &SqlitePool, units: &[OrgUnit]) -> Result<()> {
    let units = last_per_key(units, |u| u.code.clone());
    let units = backend::parents_first(&units);
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::org_unit_refs(&units)).await?;
    upsert_rows(
        &mut tx,
        "org_unit",
        &["code", "name", "kind", "parent"],
        &["code"],
        "",
        &units,
        |b, u| {
            b.push_bind(u.code.as_str())
                .push_bind(u.name.as_str())
                .push_bind(u.kind.code())
                .push_bind(u.parent.as_ref().map(|p| p.as_str()));
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn staff(pool: &SqlitePool, staff: &[Staff]) -> Result<()> {
    let staff = last_per_key(staff, |s| s.login.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::staff_refs(&staff)).await?;
    upsert_rows(
        &mut tx,
        "staff",
        &["login", "name", "role", "org_unit"],
        &["login"],
        "",
        &staff,
        |b, s| {
            b.push_bind(s.login.as_str())
                .push_bind(s.name.as_str())
                .push_bind(s.role.code())
                .push_bind(s.org_unit.as_str());
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn substations(pool: &SqlitePool, items: &[Substation]) -> Result<()> {
    let items = last_per_key(items, |s| s.code.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::substation_refs(&items)).await?;
    let cols = ["code", "name", "voltage_kv", "org_unit"];
    upsert_rows(
        &mut tx,
        "substation",
        &cols,
        &["code"],
        "",
        &items,
        |b, s| {
            b.push_bind(s.code.as_str())
                .push_bind(s.name.as_str())
                .push_bind(s.voltage_kv.to_string())
                .push_bind(s.org_unit.as_str());
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn feeders(pool: &SqlitePool, items: &[Feeder]) -> Result<()> {
    let items = last_per_key(items, |f| f.code.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::feeder_refs(&items)).await?;
    let cols = ["code", "name", "substation", "voltage_kv"];
    upsert_rows(&mut tx, "feeder", &cols, &["code"], "", &items, |b, f| {
        b.push_bind(f.code.as_str())
            .push_bind(f.name.as_str())
            .push_bind(f.substation.as_str())
            .push_bind(f.voltage_kv.to_string());
    })
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn areas(pool: &SqlitePool, items: &[TransformerArea]) -> Result<()> {
    let items = last_per_key(items, |a| a.code.clone());
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::area_refs(&items)).await?;
    let cols = [
        "code",
        "name",
        "feeder",
        "transformer_kva",
        "area_type",
        "org_unit",
    ];
    upsert_rows(
        &mut tx,
        "transformer_area",
        &cols,
        &["code"],
        "",
        &items,
        |b, a| {
            b.push_bind(a.code.as_str())
                .push_bind(a.name.as_str())
                .push_bind(a.feeder.as_str())
                .push_bind(a.transformer_kva.to_string())
                .push_bind(a.area_type.code())
                .push_bind(a.org_unit.as_str());
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}

/// A customer with the derived values its row needs, computed once before binding.
struct Prepared<'a> {
    id: i64,
    c: &'a Customer,
    voltage: String,
    capacity: String,
    opened_on: String,
    doc: String,
}

const CUSTOMER_COLS: [&str; 25] = [
    "id",
    "customer_no",
    "name",
    "address",
    "id_number",
    "org_unit",
    "area_code",
    "feeder_code",
    "backup_feeder_code",
    "supply_relation",
    "tariff",
    "voltage_kv",
    "high_voltage",
    "capacity_kva",
    "self_provided_source",
    "dedicated_line",
    "usage_nature",
    "load_importance",
    "important_grade",
    "area_type",
    "industry",
    "institution",
    "customer_manager",
    "opened_on",
    "search_doc",
];

pub(crate) async fn customers(pool: &SqlitePool, customers: &[Customer]) -> Result<()> {
    if customers.is_empty() {
        return Ok(());
    }
    let batch = last_per_key(customers, |c| c.customer_no.clone());
    let prepared: Vec<Prepared<'_>> = batch
        .iter()
        .map(|c| Prepared {
            id: customer_id(&c.customer_no),
            c,
            voltage: c.voltage_kv.to_string(),
            capacity: c.capacity_kva.to_string(),
            opened_on: c.opened_on.to_string(),
            doc: search::document(&c.name, &c.address),
        })
        .collect();
    let ids: Vec<i64> = prepared.iter().map(|p| p.id).collect();

    let mut contacts: Vec<(i64, i64, &Contact)> = Vec::new();
    let mut phones: Vec<(i64, i64, i64, &str)> = Vec::new();
    let mut meters: Vec<(i64, i64, &MeteringPoint)> = Vec::new();
    for p in &prepared {
        for (ci, contact) in p.c.contacts.iter().enumerate() {
            let ci = ci as i64;
            contacts.push((p.id, ci, contact));
            for (pi, phone) in contact.phones.iter().enumerate() {
                phones.push((p.id, ci, pi as i64, phone.as_str()));
            }
        }
        for (mi, m) in p.c.meters.iter().enumerate() {
            meters.push((p.id, mi as i64, m));
        }
    }
    // A meter code moved between two customers of the batch belongs to the later one.
    let meters: Vec<(i64, i64, &MeteringPoint)> = last_per_key(&meters, |m| m.2.code.clone())
        .into_iter()
        .copied()
        .collect();

    let t = std::time::Instant::now();
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::customer_refs(&batch)).await?;
    let mut marks = vec![("refs", t.elapsed())];

    // Customers already stored lose their old contacts, meters and index terms.
    let existing: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM customer WHERE id IN (SELECT value FROM json_each(?))")
            .bind(json_ids(&ids))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
    if !existing.is_empty() {
        let list = json_ids(&existing);
        for sql in [
            "DELETE FROM contact_phone WHERE customer_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM contact WHERE customer_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM meter WHERE customer_id IN (SELECT value FROM json_each(?))",
            "DELETE FROM customer_fts WHERE rowid IN (SELECT value FROM json_each(?))",
        ] {
            sqlx::query(sql)
                .bind(&list)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
    }

    marks.push(("existing", t.elapsed()));
    let now = format!("updated_at = {NOW}");
    upsert_rows(
        &mut tx,
        "customer",
        &CUSTOMER_COLS,
        &["id"],
        &now,
        &prepared,
        |b, p| {
            let c = p.c;
            let (area, feeder, backup) = match &c.connection {
                Connection::Area { area } => (Some(area.as_str()), None, None),
                Connection::Feeder { feeder, backup } => (
                    None,
                    Some(feeder.as_str()),
                    backup.as_ref().map(|b| b.as_str()),
                ),
            };
            b.push_bind(p.id)
                .push_bind(c.customer_no.as_str())
                .push_bind(c.name.as_str())
                .push_bind(c.address.as_str())
                .push_bind(c.id_number.as_ref().map(|i| i.as_str()))
                .push_bind(c.org_unit.as_str())
                .push_bind(area)
                .push_bind(feeder)
                .push_bind(backup)
                .push_bind(c.supply_relation.code())
                .push_bind(c.tariff.code())
                .push_bind(p.voltage.as_str())
                .push_bind(c.is_high_voltage())
                .push_bind(p.capacity.as_str())
                .push_bind(c.supply.self_provided_source)
                .push_bind(c.supply.dedicated_line)
                .push_bind(c.usage_nature.code())
                .push_bind(c.load_importance.code())
                .push_bind(c.important_grade.code())
                .push_bind(c.area_type.code())
                .push_bind(c.industry.code())
                .push_bind(c.institution.code())
                .push_bind(c.customer_manager.as_ref().map(|m| m.as_str()))
                .push_bind(p.opened_on.as_str())
                .push_bind(p.doc.as_str());
        },
    )
    .await?;

    let cols = [
        "customer_id",
        "seq",
        "name",
        "role",
        "email",
        "preferred_channel",
    ];
    insert_rows(&mut tx, "contact", &cols, &contacts, |b, (id, seq, c)| {
        b.push_bind(*id)
            .push_bind(*seq)
            .push_bind(c.name.as_str())
            .push_bind(c.role.as_str())
            .push_bind(c.email.as_ref().map(|e| e.as_str()))
            .push_bind(c.preferred_channel.code());
    })
    .await?;
    marks.push(("contact", t.elapsed()));
    let cols = ["customer_id", "contact_seq", "seq", "phone"];
    insert_rows(
        &mut tx,
        "contact_phone",
        &cols,
        &phones,
        |b, (id, cs, seq, phone)| {
            b.push_bind(*id)
                .push_bind(*cs)
                .push_bind(*seq)
                .push_bind(*phone);
        },
    )
    .await?;
    marks.push(("phone", t.elapsed()));
    let cols = ["code", "customer_id", "seq", "meter_no", "multiplier"];
    upsert_rows(
        &mut tx,
        "meter",
        &cols,
        &["code"],
        "",
        &meters,
        |b, (id, seq, m)| {
            b.push_bind(m.code.as_str())
                .push_bind(*id)
                .push_bind(*seq)
                .push_bind(m.meter_no.as_str())
                .push_bind(i64::from(m.multiplier));
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "customer_fts",
        &["rowid", "search_doc"],
        &prepared,
        |b, p| {
            b.push_bind(p.id).push_bind(p.doc.as_str());
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn theft_cases(pool: &SqlitePool, cases: &[TheftCase]) -> Result<()> {
    let cases = last_per_key(cases, |t| t.case_no.clone());
    let rows: Vec<(&TheftCase, i64, String, String, String)> = cases
        .iter()
        .map(|t| {
            (
                *t,
                customer_id(&t.customer_no),
                t.found_on.to_string(),
                t.stolen_kwh.to_string(),
                t.charged.to_string(),
            )
        })
        .collect();
    let mut tx = begin(pool).await?;
    check_refs(&mut tx, &backend::theft_case_refs(&cases)).await?;
    let cols = [
        "case_no",
        "customer_id",
        "found_on",
        "stolen_kwh",
        "charged",
        "description",
    ];
    upsert_rows(
        &mut tx,
        "theft_case",
        &cols,
        &["case_no"],
        "",
        &rows,
        |b, (t, id, found, kwh, charged)| {
            b.push_bind(t.case_no.as_str())
                .push_bind(*id)
                .push_bind(found.as_str())
                .push_bind(kwh.as_str())
                .push_bind(charged.as_str())
                .push_bind(t.description.as_str());
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}
