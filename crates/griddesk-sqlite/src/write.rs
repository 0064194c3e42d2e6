//! Batched, all-or-nothing upserts. Each call runs in one `BEGIN IMMEDIATE` transaction (taking
//! the write lock up front, so a read-then-write never fails on lock upgrade): references are
//! checked set-based first, then rows go in as multi-row `INSERT .. ON CONFLICT DO UPDATE`
//! statements sized below SQLite's bind-parameter limit.

use crate::{SqliteStore, WriteTx, db, ref_table};
use griddesk_domain::customer::{Connection, Contact, Customer};
use griddesk_domain::org::{OrgUnit, Staff};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::search;
use griddesk_domain::topology::{Feeder, MeteringPoint, Substation, TransformerArea};
use griddesk_store::backend::{self, Reference, customer_id, last_per_key};
use griddesk_store::{RefKind, Result};
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Sqlite, SqliteConnection};

/// Bind parameters per statement; SQLite's limit is 32766.
const MAX_PARAMS: usize = 32_000;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

async fn begin(store: &SqliteStore) -> Result<WriteTx> {
    store.begin_write().await.map_err(db)
}

/// One multi-row statement's query, binding values in row order.
type Q<'a> = Query<'a, Sqlite, SqliteArguments<'a>>;

/// `INSERT INTO {table} ({cols}) VALUES (?, ..), .. [ON CONFLICT ({key}) DO UPDATE SET ..]` over
/// `rows` in chunks below the bind limit. The SQL text of a chunk size is built once, so the
/// statement is prepared once per connection (sqlx caches it). On conflict every column but the
/// key is overwritten, plus `extra_set` (e.g. a timestamp); `key` empty means a plain INSERT.
async fn write_rows<'a, T>(
    conn: &mut SqliteConnection,
    table: &str,
    cols: &[&str],
    key: &[&str],
    extra_set: &str,
    rows: &'a [T],
    mut bind: impl for<'q> FnMut(Q<'q>, &'q T) -> Q<'q>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sets: Vec<String> = cols
        .iter()
        .filter(|c| !key.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    if !extra_set.is_empty() {
        sets.push(extra_set.to_owned());
    }
    let tail = match (key.is_empty(), sets.is_empty()) {
        (true, _) => String::new(),
        (false, true) => format!(" ON CONFLICT ({}) DO NOTHING", key.join(", ")),
        (false, false) => format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            key.join(", "),
            sets.join(", ")
        ),
    };
    let tuple = format!("({})", vec!["?"; cols.len()].join(", "));
    let sql_for = |n: usize| {
        format!(
            "INSERT INTO {table} ({}) VALUES {}{tail}",
            cols.join(", "),
            vec![tuple.as_str(); n].join(", ")
        )
    };
    let per_chunk = (MAX_PARAMS / cols.len()).max(1);
    let full_len = per_chunk.min(rows.len());
    let full = sql_for(full_len);
    for chunk in rows.chunks(per_chunk) {
        let rest;
        let sql = if chunk.len() == full_len {
            &full
        } else {
            rest = sql_for(chunk.len());
            &rest
        };
        let mut q = sqlx::query(sql);
        for row in chunk {
            q = bind(q, row);
        }
        q.execute(&mut *conn).await.map_err(db)?;
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

pub(crate) async fn org_units(store: &SqliteStore, units: &[OrgUnit]) -> Result<()> {
    let units = last_per_key(units, |u| u.code.clone());
    let units = backend::parents_first(&units);
    let mut tx = begin(store).await?;
    check_refs(&mut tx, &backend::org_unit_refs(&units)).await?;
    write_rows(
        &mut tx,
        "org_unit",
        &["code", "name", "kind", "parent"],
        &["code"],
        "",
        &units,
        |q, u| {
            q.bind(u.code.as_str())
                .bind(u.name.as_str())
                .bind(u.kind.code())
                .bind(u.parent.as_ref().map(|p| p.as_str()))
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn staff(store: &SqliteStore, staff: &[Staff]) -> Result<()> {
    let staff = last_per_key(staff, |s| s.login.clone());
    let mut tx = begin(store).await?;
    check_refs(&mut tx, &backend::staff_refs(&staff)).await?;
    write_rows(
        &mut tx,
        "staff",
        &["login", "name", "role", "org_unit"],
        &["login"],
        "",
        &staff,
        |q, s| {
            q.bind(s.login.as_str())
                .bind(s.name.as_str())
                .bind(s.role.code())
                .bind(s.org_unit.as_str())
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn substations(store: &SqliteStore, items: &[Substation]) -> Result<()> {
    let items = last_per_key(items, |s| s.code.clone());
    let mut tx = begin(store).await?;
    check_refs(&mut tx, &backend::substation_refs(&items)).await?;
    let cols = ["code", "name", "voltage_kv", "org_unit"];
    write_rows(
        &mut tx,
        "substation",
        &cols,
        &["code"],
        "",
        &items,
        |q, s| {
            q.bind(s.code.as_str())
                .bind(s.name.as_str())
                .bind(s.voltage_kv.to_string())
                .bind(s.org_unit.as_str())
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn feeders(store: &SqliteStore, items: &[Feeder]) -> Result<()> {
    let items = last_per_key(items, |f| f.code.clone());
    let mut tx = begin(store).await?;
    check_refs(&mut tx, &backend::feeder_refs(&items)).await?;
    let cols = ["code", "name", "substation", "voltage_kv"];
    write_rows(&mut tx, "feeder", &cols, &["code"], "", &items, |q, f| {
        q.bind(f.code.as_str())
            .bind(f.name.as_str())
            .bind(f.substation.as_str())
            .bind(f.voltage_kv.to_string())
    })
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn areas(store: &SqliteStore, items: &[TransformerArea]) -> Result<()> {
    let items = last_per_key(items, |a| a.code.clone());
    let mut tx = begin(store).await?;
    check_refs(&mut tx, &backend::area_refs(&items)).await?;
    let cols = [
        "code",
        "name",
        "feeder",
        "transformer_kva",
        "area_type",
        "org_unit",
    ];
    write_rows(
        &mut tx,
        "transformer_area",
        &cols,
        &["code"],
        "",
        &items,
        |q, a| {
            q.bind(a.code.as_str())
                .bind(a.name.as_str())
                .bind(a.feeder.as_str())
                .bind(a.transformer_kva.to_string())
                .bind(a.area_type.code())
                .bind(a.org_unit.as_str())
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
    /// The customer's distinct phone numbers, space separated: customer_fts.phones.
    phones: String,
}

const CUSTOMER_COLS: [&str; 24] = [
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
];

fn phone_terms(c: &Customer) -> String {
    let mut phones: Vec<&str> = c
        .contacts
        .iter()
        .flat_map(|k| k.phones.iter().map(|p| p.as_str()))
        .collect();
    phones.sort_unstable();
    phones.dedup();
    phones.join(" ")
}

pub(crate) async fn customers(store: &SqliteStore, customers: &[Customer]) -> Result<()> {
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
            phones: phone_terms(c),
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

    let mut tx = begin(store).await?;
    check_refs(&mut tx, &backend::customer_refs(&batch)).await?;

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

    let now = format!("updated_at = {NOW}");
    write_rows(
        &mut tx,
        "customer",
        &CUSTOMER_COLS,
        &["id"],
        &now,
        &prepared,
        |q, p| {
            let c = p.c;
            let (area, feeder, backup) = match &c.connection {
                Connection::Area { area } => (Some(area.as_str()), None, None),
                Connection::Feeder { feeder, backup } => (
                    None,
                    Some(feeder.as_str()),
                    backup.as_ref().map(|b| b.as_str()),
                ),
            };
            q.bind(p.id)
                .bind(c.customer_no.as_str())
                .bind(c.name.as_str())
                .bind(c.address.as_str())
                .bind(c.id_number.as_ref().map(|i| i.as_str()))
                .bind(c.org_unit.as_str())
                .bind(area)
                .bind(feeder)
                .bind(backup)
                .bind(c.supply_relation.code())
                .bind(c.tariff.code())
                .bind(p.voltage.as_str())
                .bind(c.is_high_voltage())
                .bind(p.capacity.as_str())
                .bind(c.supply.self_provided_source)
                .bind(c.supply.dedicated_line)
                .bind(c.usage_nature.code())
                .bind(c.load_importance.code())
                .bind(c.important_grade.code())
                .bind(c.area_type.code())
                .bind(c.industry.code())
                .bind(c.institution.code())
                .bind(c.customer_manager.as_ref().map(|m| m.as_str()))
                .bind(p.opened_on.as_str())
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
    write_rows(
        &mut tx,
        "contact",
        &cols,
        &[],
        "",
        &contacts,
        |q, (id, seq, c)| {
            q.bind(*id)
                .bind(*seq)
                .bind(c.name.as_str())
                .bind(c.role.as_str())
                .bind(c.email.as_ref().map(|e| e.as_str()))
                .bind(c.preferred_channel.code())
        },
    )
    .await?;
    let cols = ["customer_id", "contact_seq", "seq", "phone"];
    write_rows(
        &mut tx,
        "contact_phone",
        &cols,
        &[],
        "",
        &phones,
        |q, (id, cs, seq, phone)| q.bind(*id).bind(*cs).bind(*seq).bind(*phone),
    )
    .await?;
    let cols = ["code", "customer_id", "seq", "meter_no", "multiplier"];
    write_rows(
        &mut tx,
        "meter",
        &cols,
        &["code"],
        "",
        &meters,
        |q, (id, seq, m)| {
            q.bind(m.code.as_str())
                .bind(*id)
                .bind(*seq)
                .bind(m.meter_no.as_str())
                .bind(i64::from(m.multiplier))
        },
    )
    .await?;
    write_rows(
        &mut tx,
        "customer_fts",
        &["rowid", "search_doc", "phones"],
        &[],
        "",
        &prepared,
        |q, p| q.bind(p.id).bind(p.doc.as_str()).bind(p.phones.as_str()),
    )
    .await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn theft_cases(store: &SqliteStore, cases: &[TheftCase]) -> Result<()> {
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
    let mut tx = begin(store).await?;
    check_refs(&mut tx, &backend::theft_case_refs(&cases)).await?;
    let cols = [
        "case_no",
        "customer_id",
        "found_on",
        "stolen_kwh",
        "charged",
        "description",
    ];
    write_rows(
        &mut tx,
        "theft_case",
        &cols,
        &["case_no"],
        "",
        &rows,
        |q, (t, id, found, kwh, charged)| {
            q.bind(t.case_no.as_str())
                .bind(*id)
                .bind(found.as_str())
                .bind(kwh.as_str())
                .bind(charged.as_str())
                .bind(t.description.as_str())
        },
    )
    .await?;
    tx.commit().await.map_err(db)
}
