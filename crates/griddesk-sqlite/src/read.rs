//! Queries: customer detail with its topology path, indexed search with filters, area customers,
//! lists and counts. Stored text is decoded into domain values through
//! [`griddesk_store::backend`], so a bad row is reported as corrupt instead of crashing.

use crate::{ReadPool, db};
use griddesk_domain::org::{OrgUnit, Staff};
use griddesk_domain::search::SearchQuery;
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::backend::{
    self, Children, CustomerRow, PathRow, TheftCaseRow, assemble_children, corrupt, customer_id,
};
use griddesk_store::{
    ArchiveStats, AreaCustomers, CustomerDetail, CustomerFilter, CustomerSummary, Result,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

const CUSTOMER_COLUMNS: &str = "c.id, c.customer_no, c.name, c.address, c.id_number, c.org_unit, \
    c.area_code, c.feeder_code, c.backup_feeder_code, c.supply_relation, c.tariff, c.voltage_kv, \
    c.capacity_kva, c.self_provided_source, c.dedicated_line, c.usage_nature, c.load_importance, \
    c.important_grade, c.area_type, c.industry, c.institution, c.customer_manager, c.opened_on";

fn get<'r, T>(row: &'r SqliteRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(col).map_err(db)
}

fn customer_row(row: &SqliteRow) -> Result<(i64, CustomerRow)> {
    Ok((
        get(row, "id")?,
        CustomerRow {
            customer_no: get(row, "customer_no")?,
            name: get(row, "name")?,
            address: get(row, "address")?,
            id_number: get(row, "id_number")?,
            org_unit: get(row, "org_unit")?,
            area_code: get(row, "area_code")?,
            feeder_code: get(row, "feeder_code")?,
            backup_feeder_code: get(row, "backup_feeder_code")?,
            supply_relation: get(row, "supply_relation")?,
            tariff: get(row, "tariff")?,
            voltage_kv: get(row, "voltage_kv")?,
            capacity_kva: get(row, "capacity_kva")?,
            self_provided_source: get(row, "self_provided_source")?,
            dedicated_line: get(row, "dedicated_line")?,
            usage_nature: get(row, "usage_nature")?,
            load_importance: get(row, "load_importance")?,
            important_grade: get(row, "important_grade")?,
            area_type: get(row, "area_type")?,
            industry: get(row, "industry")?,
            institution: get(row, "institution")?,
            customer_manager: get(row, "customer_manager")?,
            opened_on: get(row, "opened_on")?,
        },
    ))
}

/// What hangs off the given customers, in stored order: contacts (with phones) and meters, and
/// with `theft` that customer's theft cases too. One statement, a part per
/// table, because every statement is a round trip to the connection's thread.
async fn children(
    conn: &mut SqliteConnection,
    ids: &[i64],
    theft: Option<&CustomerNo>,
) -> Result<(Children, Vec<TheftCaseRow>)> {
    let list = format!(
        "[{}]",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    );
    const IN: &str = "customer_id IN (SELECT value FROM json_each($1))";
    let mut sql = format!(
        "SELECT 0 AS part, customer_id, contact_seq AS k1, seq AS k2, phone AS a, NULL AS b, \
           NULL AS c, NULL AS d, NULL AS e, NULL AS n FROM contact_phone WHERE {IN} \
         UNION ALL SELECT 1, customer_id, seq, 0, name, role, email, preferred_channel, NULL, \
           NULL FROM contact WHERE {IN} \
         UNION ALL SELECT 2, customer_id, seq, 0, code, meter_no, NULL, NULL, NULL, multiplier \
           FROM meter WHERE {IN}"
    );
    if theft.is_some() {
        sql.push_str(
            " UNION ALL SELECT 3, customer_id, found_on, case_no, case_no, found_on, stolen_kwh, \
               charged, description, NULL FROM theft_case WHERE customer_id = $2",
        );
    }
    sql.push_str(" ORDER BY part, customer_id, k1, k2");
    let mut q = sqlx::query(&sql).bind(&list);
    if theft.is_some() {
        q = q.bind(theft.map(customer_id));
    }
    let rows = q.fetch_all(&mut *conn).await.map_err(db)?;
    let parts = griddesk_store::child_parts!(rows, theft, get)?;
    Ok(assemble_children(parts))
}

pub(crate) async fn customer(pool: &ReadPool, no: &CustomerNo) -> Result<Option<CustomerDetail>> {
    let mut conn = pool.acquire().await.map_err(db)?;
    let id = customer_id(no);
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS}, o.name AS org_unit_name, s.name AS manager_name, \
           a.code AS path_area_code, a.name AS path_area_name, \
           f.code AS path_feeder_code, f.name AS path_feeder_name, \
           sub.code AS path_substation_code, sub.name AS path_substation_name, \
           bf.code AS path_backup_code, bf.name AS path_backup_name \
         FROM customer c \
         JOIN org_unit o ON o.code = c.org_unit \
         LEFT JOIN staff s ON s.login = c.customer_manager \
         LEFT JOIN transformer_area a ON a.code = c.area_code \
         LEFT JOIN feeder f ON f.code = COALESCE(a.feeder, c.feeder_code) \
         LEFT JOIN substation sub ON sub.code = f.substation \
         LEFT JOIN feeder bf ON bf.code = c.backup_feeder_code \
         WHERE c.id = ?"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?
    else {
        return Ok(None);
    };
    let (_, crow) = customer_row(&row)?;
    let path = PathRow {
        substation_code: get(&row, "path_substation_code")?,
        substation_name: get(&row, "path_substation_name")?,
        feeder_code: get(&row, "path_feeder_code")?,
        feeder_name: get(&row, "path_feeder_name")?,
        area_code: get(&row, "path_area_code")?,
        area_name: get(&row, "path_area_name")?,
        backup_feeder_code: get(&row, "path_backup_code")?,
        backup_feeder_name: get(&row, "path_backup_name")?,
    }
    .decode()?;
    let org_unit_name: String = get(&row, "org_unit_name")?;
    let customer_manager_name: Option<String> = get(&row, "manager_name")?;

    let (mut kids, cases) = children(&mut conn, &[id], Some(no)).await?;
    let (contacts, meters) = kids.remove(&id).unwrap_or_default();
    let customer = crow.decode(contacts, meters)?;
    let theft_cases = cases
        .into_iter()
        .map(TheftCaseRow::decode)
        .collect::<Result<_>>()?;
    Ok(Some(CustomerDetail {
        customer,
        path,
        org_unit_name,
        customer_manager_name,
        theft_cases,
    }))
}

/// Appends the filter's conditions on `customer c`, each starting with " AND ".
fn push_filter<'a>(qb: &mut QueryBuilder<'a, Sqlite>, f: &'a CustomerFilter) {
    let mut eq = |col: &str, v: Option<&'a str>| {
        if let Some(v) = v {
            qb.push(format!(" AND c.{col} = ")).push_bind(v);
        }
    };
    eq("tariff", f.tariff.map(|v| v.code()));
    eq("supply_relation", f.supply_relation.map(|v| v.code()));
    eq("usage_nature", f.usage_nature.map(|v| v.code()));
    eq("load_importance", f.load_importance.map(|v| v.code()));
    eq("important_grade", f.important_grade.map(|v| v.code()));
    eq("area_type", f.area_type.map(|v| v.code()));
    eq("industry", f.industry.map(|v| v.code()));
    eq("institution", f.institution.map(|v| v.code()));
    eq("org_unit", f.org_unit.as_deref());
    eq("area_code", f.area.as_deref());
    eq("customer_manager", f.customer_manager.as_deref());
    if let Some(hv) = f.high_voltage {
        qb.push(" AND c.high_voltage = ").push_bind(hv);
    }
    if let Some(dual) = f.dual_supply {
        qb.push(" AND c.dual_supply = ").push_bind(dual);
    }
    if let Some(feeder) = f.feeder.as_deref() {
        // Main or backup supply, or behind an area of the feeder.
        qb.push(" AND (c.feeder_code = ")
            .push_bind(feeder)
            .push(" OR c.backup_feeder_code = ")
            .push_bind(feeder)
            .push(" OR c.area_code IN (SELECT code FROM transformer_area WHERE feeder = ")
            .push_bind(feeder)
            .push("))");
    }
    if let Some(units) = &f.within_units {
        if units.is_empty() {
            qb.push(" AND 1 = 0");
        } else {
            qb.push(" AND c.org_unit IN (");
            let mut list = qb.separated(", ");
            for u in units {
                list.push_bind(u.as_str());
            }
            qb.push(")");
        }
    }
}

/// Customer ids matching an FTS5 query, in customer-number order. CROSS JOIN keeps the FTS index
/// as the outer loop, walked in rowid (= customer number) order, so LIMIT stops it early.
fn push_fts<'a>(qb: &mut QueryBuilder<'a, Sqlite>, fts: &'a str, filter: &'a CustomerFilter) {
    qb.push(
        "customer_fts CROSS JOIN customer c ON c.id = customer_fts.rowid \
         WHERE customer_fts MATCH ",
    )
    .push_bind(fts);
    push_filter(qb, filter);
    qb.push(" ORDER BY customer_fts.rowid");
}

pub(crate) async fn search(
    pool: &ReadPool,
    q: Option<&SearchQuery>,
    filter: &CustomerFilter,
    limit: u32,
) -> Result<Vec<CustomerSummary>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    // First the ids (index-driven, in customer-number order, limited), then their display names.
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT c.customer_no, c.name, c.address, c.tariff, c.important_grade, \
           o.name AS org_unit_name, COALESCE(a.name, f.name) AS supply_point \
         FROM (SELECT c.id AS id FROM ",
    );
    let fts;
    match q {
        None => {
            qb.push("customer c WHERE 1 = 1");
            push_filter(&mut qb, filter);
            qb.push(" ORDER BY c.id");
        }
        Some(SearchQuery::CustomerNo(no)) => {
            qb.push("customer c WHERE c.id = ")
                .push_bind(customer_id(no));
            push_filter(&mut qb, filter);
        }
        Some(SearchQuery::Phone(phone)) => {
            // A phone number is one whole token of the phones column: an exact match.
            fts = format!("phones : \"{}\"", phone.as_str());
            push_fts(&mut qb, &fts, filter);
        }
        Some(SearchQuery::Text(phrases)) => {
            fts = format!("search_doc : ({})", SearchQuery::fts5_match(phrases));
            push_fts(&mut qb, &fts, filter);
        }
    }
    qb.push(" LIMIT ").push_bind(i64::from(limit)).push(
        ") k CROSS JOIN customer c ON c.id = k.id \
             JOIN org_unit o ON o.code = c.org_unit \
             LEFT JOIN transformer_area a ON a.code = c.area_code \
             LEFT JOIN feeder f ON f.code = c.feeder_code \
             ORDER BY c.id",
    );
    let rows = qb.build().fetch_all(pool).await.map_err(db)?;
    rows.iter()
        .map(|r| {
            let supply_point: Option<String> = get(r, "supply_point")?;
            Ok(CustomerSummary {
                customer_no: CustomerNo::parse(&get::<String>(r, "customer_no")?)
                    .map_err(|e| corrupt("customer.customer_no", e))?,
                name: get(r, "name")?,
                address: get(r, "address")?,
                tariff: griddesk_domain::customer::TariffCategory::parse(&get::<String>(
                    r, "tariff",
                )?)
                .map_err(|e| corrupt("customer.tariff", e))?,
                important_grade: griddesk_domain::customer::ImportantGrade::parse(&get::<String>(
                    r,
                    "important_grade",
                )?)
                .map_err(|e| corrupt("customer.important_grade", e))?,
                org_unit_name: get(r, "org_unit_name")?,
                supply_point: supply_point
                    .ok_or_else(|| corrupt("customer.area_code", "supply point does not exist"))?,
            })
        })
        .collect()
}

pub(crate) async fn area_customers(pool: &ReadPool, area: &Code) -> Result<Option<AreaCustomers>> {
    let mut conn = pool.acquire().await.map_err(db)?;
    let Some(row) = sqlx::query(
        "SELECT a.code, a.name, a.feeder, a.transformer_kva, a.area_type, a.org_unit, \
           f.name AS feeder_name \
         FROM transformer_area a JOIN feeder f ON f.code = a.feeder WHERE a.code = ?",
    )
    .bind(area.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    else {
        return Ok(None);
    };
    let area = backend::decode_area(
        &get::<String>(&row, "code")?,
        get(&row, "name")?,
        &get::<String>(&row, "feeder")?,
        &get::<String>(&row, "transformer_kva")?,
        &get::<String>(&row, "area_type")?,
        &get::<String>(&row, "org_unit")?,
    )?;
    let feeder_name: String = get(&row, "feeder_name")?;
    let sql =
        format!("SELECT {CUSTOMER_COLUMNS} FROM customer c WHERE c.area_code = ? ORDER BY c.id");
    let rows = sqlx::query(&sql)
        .bind(area.code.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let rows: Vec<(i64, CustomerRow)> = rows.iter().map(customer_row).collect::<Result<_>>()?;
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let (mut kids, _) = children(&mut conn, &ids, None).await?;
    let customers = rows
        .into_iter()
        .map(|(id, r)| {
            let (contacts, meters) = kids.remove(&id).unwrap_or_default();
            r.decode(contacts, meters)
        })
        .collect::<Result<_>>()?;
    Ok(Some(AreaCustomers {
        area,
        feeder_name,
        customers,
    }))
}

pub(crate) async fn org_units(pool: &ReadPool) -> Result<Vec<OrgUnit>> {
    let rows = sqlx::query("SELECT code, name, kind, parent FROM org_unit ORDER BY code")
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter()
        .map(|r| {
            backend::decode_org_unit(
                &get::<String>(r, "code")?,
                get(r, "name")?,
                &get::<String>(r, "kind")?,
                get::<Option<String>>(r, "parent")?.as_deref(),
            )
        })
        .collect()
}

pub(crate) async fn staff(pool: &ReadPool) -> Result<Vec<Staff>> {
    let rows = sqlx::query("SELECT login, name, role, org_unit FROM staff ORDER BY login")
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.iter()
        .map(|r| {
            backend::decode_staff(
                &get::<String>(r, "login")?,
                get(r, "name")?,
                &get::<String>(r, "role")?,
                &get::<String>(r, "org_unit")?,
            )
        })
        .collect()
}

/// The quoted codes of every important-customer grade but "none".
fn important_codes() -> String {
    griddesk_domain::customer::ImportantGrade::ALL
        .iter()
        .filter(|g| **g != griddesk_domain::customer::ImportantGrade::None)
        .map(|g| format!("'{}'", g.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn stats(pool: &ReadPool) -> Result<ArchiveStats> {
    // The classification counts go through their indexes (an IN list, not <>, so the grade
    // index is range-scanned); only the total scans one index.
    let important = important_codes();
    let sql = format!(
        "SELECT (SELECT COUNT(*) FROM org_unit) AS org_units, \
           (SELECT COUNT(*) FROM staff) AS staff, \
           (SELECT COUNT(*) FROM substation) AS substations, \
           (SELECT COUNT(*) FROM feeder) AS feeders, \
           (SELECT COUNT(*) FROM transformer_area) AS areas, \
           (SELECT COUNT(*) FROM customer) AS customers, \
           (SELECT COUNT(*) FROM customer WHERE high_voltage = 1) AS hv, \
           (SELECT COUNT(*) FROM customer WHERE dual_supply = 1) AS dual, \
           (SELECT COUNT(*) FROM customer WHERE important_grade IN ({important})) AS important"
    );
    let row = sqlx::query(&sql).fetch_one(pool).await.map_err(db)?;
    let n = |col: &str| -> Result<u64> {
        let v: i64 = get(&row, col)?;
        u64::try_from(v).map_err(|e| corrupt(col, e))
    };
    Ok(ArchiveStats {
        org_units: n("org_units")?,
        staff: n("staff")?,
        substations: n("substations")?,
        feeders: n("feeders")?,
        areas: n("areas")?,
        customers: n("customers")?,
        high_voltage_customers: n("hv")?,
        dual_supply_customers: n("dual")?,
        important_customers: n("important")?,
    })
}
