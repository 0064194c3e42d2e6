//! End-to-end import tests on a real SQLite store and Parquet lake in temporary directories. The
//! fixtures are the documented example files in docs/import-examples, so the documentation and
//! the tests cannot drift apart.

use griddesk_domain::customer::{Connection, ContactChannel, TariffCategory};
use griddesk_domain::values::{CustomerNo, Money};
use griddesk_import::{
    ImportError, ImportKind, ImportOptions, ImportReport, RowError, import_file,
};
use griddesk_lake::Lake;
use griddesk_sqlite::SqliteStore;
use griddesk_store::{ArchiveStats, CustomerDetail, OrderlyStore, Store};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const CUSTOMERS: [&str; 4] = ["0100000001", "0100000002", "0200000001", "0200000002"];

struct Env {
    dir: TempDir,
    store: SqliteStore,
}

impl Env {
    async fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("griddesk.db"))
            .await
            .expect("open store");
        Env { dir, store }
    }

    fn lake(&self) -> PathBuf {
        self.dir.path().join("lake")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).expect("write fixture");
        p
    }

    async fn import(&self, kind: ImportKind, path: &Path) -> Result<ImportReport, ImportError> {
        let opts = ImportOptions {
            now: Some(example_now()),
            ..Default::default()
        };
        self.import_with(kind, path, &opts).await
    }

    async fn import_with(
        &self,
        kind: ImportKind,
        path: &Path,
        opts: &ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        import_file(&self.store, &self.lake(), kind, path, opts).await
    }

    /// Imports an example file that must import whole.
    async fn import_example(&self, kind: ImportKind) -> ImportReport {
        let path = example(kind);
        let report = self
            .import(kind, &path)
            .await
            .unwrap_or_else(|e| panic!("{kind} example: {e}"));
        assert!(report.rows > 0, "{kind}");
        assert_eq!(report.imported, report.rows, "{kind}");
        assert!(report.rejected.is_empty(), "{kind}");
        assert_eq!(report.reject_file, None);
        report
    }

    /// Organisation, staff and topology: what customers refer to.
    async fn seed(&self) {
        for kind in [
            ImportKind::OrgUnits,
            ImportKind::Staff,
            ImportKind::Substations,
            ImportKind::Feeders,
            ImportKind::Areas,
        ] {
            self.import_example(kind).await;
        }
    }

    async fn detail(&self, no: &str) -> Option<CustomerDetail> {
        let no = CustomerNo::parse(no).expect("customer number");
        self.store.customer(&no).await.expect("read customer")
    }

    async fn snapshot(&self) -> (ArchiveStats, Vec<Option<CustomerDetail>>) {
        let mut details = Vec::new();
        for no in CUSTOMERS {
            details.push(self.detail(no).await);
        }
        (self.store.stats().await.expect("stats"), details)
    }
}

/// The time the example files are imported at: the outage plan's jobs lie far enough ahead of
/// it for the public notice, whenever the tests run.
fn example_now() -> jiff::Timestamp {
    "2026-11-20T00:00:00Z".parse().expect("time")
}

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/import-examples")
}

fn example(kind: ImportKind) -> PathBuf {
    examples_dir().join(format!("{}.csv", kind.name()))
}

fn example_text(kind: ImportKind) -> String {
    std::fs::read_to_string(example(kind)).expect("example file")
}

fn rejected(r: Result<ImportReport, ImportError>) -> Vec<RowError> {
    match r {
        Err(ImportError::Rejected(errors)) => errors,
        other => panic!("expected Rejected, got {other:?}"),
    }
}

fn format_reason(r: Result<ImportReport, ImportError>) -> String {
    match r {
        Err(ImportError::Format { reason, .. }) => reason,
        other => panic!("expected Format, got {other:?}"),
    }
}

/// Every file (relative path) under `root` with its bytes, sorted.
fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root");
                out.push((rel.display().to_string(), std::fs::read(&p).expect("read")));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

#[tokio::test]
async fn every_example_file_imports_and_reads_back() {
    let env = Env::new().await;
    for kind in ImportKind::ALL {
        env.import_example(kind).await;
    }
    let stats = env.store.stats().await.expect("stats");
    assert_eq!(stats.org_units, 4);
    assert_eq!(stats.staff, 3);
    assert_eq!(stats.substations, 1);
    assert_eq!(stats.feeders, 2);
    assert_eq!(stats.areas, 2);
    assert_eq!(stats.customers, 4);
    assert_eq!(stats.high_voltage_customers, 2);
    assert_eq!(stats.dual_supply_customers, 1);
    // The outage plan's jobs are drafts, by planned start, in UTC.
    let plans = griddesk_store::OutagePlanStore::outage_plans(&env.store, example_now(), 100)
        .await
        .expect("plans");
    let jobs: Vec<&str> = plans.iter().map(|p| p.row.job_id.as_str()).collect();
    assert_eq!(jobs, ["W2026-50-01", "W2026-50-02", "M2026-12-01"]);
    assert_eq!(
        plans[0].row.planned_start.to_string(),
        "2026-12-08T00:00:00Z"
    );
    assert_eq!(
        plans[2].row.kind,
        griddesk_domain::outage_plan::PlanKind::Monthly
    );

    // Chinese labels in the file become the stable codes.
    let shop = env.detail("0100000002").await.expect("stored");
    let c = &shop.customer;
    assert_eq!(c.tariff, TariffCategory::Commercial);
    assert_eq!(
        c.connection,
        Connection::Area {
            area: "TA-0002".parse_code()
        }
    );
    let phones: Vec<&str> = c.contacts[0].phones.iter().map(|p| p.as_str()).collect();
    assert_eq!(phones, ["057187654321", "13912345678"]);
    assert_eq!(c.contacts[0].preferred_channel, ContactChannel::Phone);
    assert_eq!(c.opened_on.to_string(), "2019-03-15");
    assert_eq!(shop.theft_cases.len(), 1);
    assert_eq!(shop.theft_cases[0].charged, Money::from_fen(864_000));

    let hospital = env.detail("0200000001").await.expect("stored");
    let c = &hospital.customer;
    assert!(c.is_dual_supply());
    assert_eq!(
        c.customer_manager.as_ref().map(|m| m.as_str()),
        Some("wangfang")
    );
    let meters: Vec<(&str, &str, u32)> = c
        .meters
        .iter()
        .map(|m| (m.code.as_str(), m.meter_no.as_str(), m.multiplier))
        .collect();
    assert_eq!(
        meters,
        [
            ("0200000001-1", "M0000000101", 2000),
            ("0200000001-2", "M0000000102", 2000)
        ]
    );

    // Bills, payments and readings went to the lake.
    let lake = Lake::open(&env.lake()).expect("open lake");
    let today = jiff::civil::date(2026, 3, 31);
    let no = CustomerNo::parse("0100000001").expect("no");
    let h = lake
        .customer_history(&no, 36, today)
        .await
        .expect("history");
    assert_eq!(h.bills.len(), 2);
    assert_eq!(h.payments.len(), 2);
    // "2026-02-10 09:30:00" is Beijing time: 01:30 UTC.
    assert_eq!(h.payments[0].paid_at.to_string(), "2026-02-10T01:30:00Z");
    assert_eq!(h.readings.len(), 2);
    let no = CustomerNo::parse("0200000001").expect("no");
    let h = lake
        .customer_history(&no, 36, today)
        .await
        .expect("history");
    assert_eq!(h.payments.iter().filter(|p| p.bounced).count(), 1);
}

trait ParseCode {
    fn parse_code(&self) -> griddesk_domain::values::Code;
}
impl ParseCode for str {
    fn parse_code(&self) -> griddesk_domain::values::Code {
        griddesk_domain::values::Code::parse(self).expect("code")
    }
}

/// Cell types the xlsx fixtures use.
enum X {
    S(String),
    N(f64),
    D(u16, u8, u8),
    /// Date and time of day.
    T(u16, u8, u8, u16, u8, u8),
    B(bool),
}

fn write_xlsx(path: &Path, rows: &[Vec<X>]) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r).expect("row");
        for (c, cell) in row.iter().enumerate() {
            let c = u16::try_from(c).expect("col");
            match cell {
                X::S(s) if s.is_empty() => {}
                X::S(s) => {
                    ws.write_string(r, c, s).expect("cell");
                }
                X::N(n) => {
                    ws.write_number(r, c, *n).expect("cell");
                }
                X::D(y, m, d) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
                    ws.write_datetime_with_format(r, c, &dt, &date)
                        .expect("cell");
                }
                X::T(y, m, d, h, mi, sec) => {
                    let dt = ExcelDateTime::from_ymd(*y, *m, *d)
                        .and_then(|dt| dt.and_hms(*h, *mi, *sec))
                        .expect("date-time");
                    ws.write_datetime_with_format(r, c, &dt, &datetime)
                        .expect("cell");
                }
                X::B(b) => {
                    ws.write_boolean(r, c, *b).expect("cell");
                }
            }
        }
    }
    wb.save(path).expect("save xlsx");
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| rec.expect("csv").iter().map(str::to_owned).collect())
        .collect()
}

/// The customers example as a workbook the way a spreadsheet user would type it: numbers in
/// number cells (customer numbers too, losing their leading zero), dates in date cells, yes/no
/// in boolean cells.
fn customers_xlsx(path: &Path, text: &str) {
    let rows = csv_rows(text);
    let header = rows[0].clone();
    let mut out = vec![header.iter().map(|h| X::S(h.clone())).collect::<Vec<_>>()];
    for row in &rows[1..] {
        let cells = row
            .iter()
            .zip(&header)
            .map(|(v, h)| match h.as_str() {
                "customer_no" | "capacity_kva" | "voltage_kv" => X::N(v.parse().expect("number")),
                "multiplier" if !v.contains(';') => X::N(v.parse().expect("number")),
                "opened_on" => {
                    let p: Vec<&str> = v.split('-').collect();
                    X::D(
                        p[0].parse().expect("y"),
                        p[1].parse().expect("m"),
                        p[2].parse().expect("d"),
                    )
                }
                "self_provided_source" | "dedicated_line" if v == "yes" || v == "no" => {
                    X::B(v == "yes")
                }
                _ => X::S(v.clone()),
            })
            .collect();
        out.push(cells);
    }
    write_xlsx(path, &out);
}

#[tokio::test]
async fn customers_round_trip_through_csv_and_xlsx_alike() {
    let csv_env = Env::new().await;
    csv_env.seed().await;
    csv_env.import_example(ImportKind::Customers).await;

    let xlsx_env = Env::new().await;
    xlsx_env.seed().await;
    let xlsx = xlsx_env.path("customers.xlsx");
    customers_xlsx(&xlsx, &example_text(ImportKind::Customers));
    let report = xlsx_env
        .import(ImportKind::Customers, &xlsx)
        .await
        .expect("xlsx import");
    assert_eq!((report.rows, report.imported), (4, 4));

    let (csv_stats, csv_details) = csv_env.snapshot().await;
    let (xlsx_stats, xlsx_details) = xlsx_env.snapshot().await;
    assert_eq!(csv_stats, xlsx_stats);
    assert!(csv_details.iter().all(Option::is_some));
    assert_eq!(csv_details, xlsx_details);

    // The number cell 100000002 was the customer number 0100000002; the date cell a date.
    let shop = xlsx_env
        .detail("0100000002")
        .await
        .expect("stored")
        .customer;
    assert_eq!(shop.opened_on.to_string(), "2019-03-15");
    assert_eq!(shop.capacity_kva.to_string(), "50");
    assert_eq!(shop.voltage_kv.to_string(), "0.38");
}

#[tokio::test]
async fn integral_float_customer_number_cell_is_an_integer() {
    let env = Env::new().await;
    env.seed().await;
    let rows = csv_rows(&example_text(ImportKind::Customers));
    let header: Vec<X> = rows[0].iter().map(|h| X::S(h.clone())).collect();
    // A ten-digit number typed into a number cell is a double 1234567890.0 in the file.
    let mut first: Vec<X> = rows[1].iter().map(|v| X::S(v.clone())).collect();
    first[0] = X::N(1_234_567_890.0);
    let path = env.path("one.xlsx");
    write_xlsx(&path, &[header, first]);
    let report = env
        .import(ImportKind::Customers, &path)
        .await
        .expect("import");
    assert_eq!(report.imported, 1);
    let c = env.detail("1234567890").await.expect("stored").customer;
    assert_eq!(c.name, "张伟");
    assert_eq!(c.meters[0].code.as_str(), "1234567890-1");
}

/// The customers example with bad rows added; expected errors alongside.
fn bad_customers() -> String {
    let text = example_text(ImportKind::Customers);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let ok1 = lines[1].clone();
    // Row 2: a change to a stored customer (good row).
    lines[1] = lines[1].replacen("张伟,江城市", "张伟（更名）,江城市", 1);
    // Row 3: bad phone.
    lines[2] = lines[2].replace("0571-87654321;13912345678", "0571-87654321;12345");
    // Row 4: backup feeder that does not exist.
    lines[3] = lines[3].replace("F10-101,F10-102", "F10-101,F10-999");
    // Row 5 stays good. Row 6: duplicate of row 2's customer number.
    lines.push(ok1.clone());
    // Row 7: unknown tariff.
    lines.push(
        ok1.replace("0100000001", "0100000003")
            .replace("M0000000001", "M0000000003")
            .replace("residential", "electric"),
    );
    // Row 8: low-voltage area customer at 10 kV (Customer::validate).
    lines.push(
        ok1.replace("0100000001", "0100000004")
            .replace("M0000000001", "M0000000004")
            .replace(",0.22,", ",10,"),
    );
    lines.join("\n") + "\n"
}

fn assert_bad_customer_errors(errors: &[RowError], file: &Path) {
    let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        got,
        [
            (3, "phones"),
            (4, "backup_feeder_code"),
            (6, "customer_no"),
            (7, "tariff"),
            (8, "voltage_kv")
        ]
    );
    assert!(errors.iter().all(|e| e.file == file.display().to_string()));
    assert!(
        errors[0]
            .reason
            .starts_with("\"12345\" is not a phone number"),
        "{}",
        errors[0]
    );
    assert_eq!(errors[1].reason, "feeder \"F10-999\" does not exist");
    assert_eq!(
        errors[2].reason,
        "duplicate customer_no 0100000001: already in row 2"
    );
    assert!(
        errors[3].reason.starts_with("unknown value \"electric\""),
        "{}",
        errors[3]
    );
    assert!(errors[4].reason.contains("low voltage"), "{}", errors[4]);
    assert_eq!(
        errors[0].to_string(),
        format!("{}:3:phones: {}", file.display(), errors[0].reason)
    );
}

#[tokio::test]
async fn bad_rows_reject_the_file_and_leave_the_store_untouched() {
    let env = Env::new().await;
    env.seed().await;
    env.import_example(ImportKind::Customers).await;
    let before = env.snapshot().await;

    let path = env.write("customers-bad.csv", &bad_customers());
    let errors = rejected(env.import(ImportKind::Customers, &path).await);
    assert_bad_customer_errors(&errors, &path);

    // Nothing written: the good row's rename did not happen either.
    assert_eq!(env.snapshot().await, before);
    assert_eq!(
        env.detail("0100000001")
            .await
            .expect("stored")
            .customer
            .name,
        "张伟"
    );
    assert!(!env.path("customers-bad.csv.rejects.csv").exists());
}

#[tokio::test]
async fn skip_bad_imports_the_rest_and_writes_the_reject_file() {
    let env = Env::new().await;
    env.seed().await;
    let path = env.write("customers-bad.csv", &bad_customers());
    let opts = ImportOptions {
        skip_bad: true,
        reject_file: None,
        ..Default::default()
    };
    let report = env
        .import_with(ImportKind::Customers, &path, &opts)
        .await
        .expect("import");
    assert_eq!(report.kind, ImportKind::Customers);
    assert_eq!((report.rows, report.imported), (7, 2));
    assert_bad_customer_errors(&report.rejected, &path);
    let reject_path = env.path("customers-bad.csv.rejects.csv");
    assert_eq!(report.reject_file.as_deref(), Some(reject_path.as_path()));

    assert_eq!(
        env.detail("0100000001")
            .await
            .expect("stored")
            .customer
            .name,
        "张伟（更名）"
    );
    assert!(env.detail("0200000002").await.is_some());
    for no in ["0100000002", "0200000001", "0100000003", "0100000004"] {
        assert!(env.detail(no).await.is_none(), "{no}");
    }

    // The reject file: BOM, original columns plus the error, the original cell text.
    let bytes = std::fs::read(&reject_path).expect("reject file");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let rows = csv_rows(std::str::from_utf8(&bytes[3..]).expect("utf-8"));
    let original = csv_rows(&bad_customers());
    let mut header = original[0].clone();
    header.extend(["error_column".to_owned(), "error_reason".to_owned()]);
    assert_eq!(rows[0], header);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[1][..original[2].len()], original[2][..]);
    assert_eq!(rows[1][header.len() - 2], "phones");
    assert_eq!(rows[3][0], "0100000001");
    assert_eq!(
        rows[3][header.len() - 1],
        "duplicate customer_no 0100000001: already in row 2"
    );

    // The reject file, fixed, imports on its own (its error columns are ignored).
    let fixed = std::fs::read_to_string(&reject_path)
        .expect("reject file")
        .replace(";12345", ";13912345679")
        .replace("F10-999", "F10-102");
    let fixed_path = env.write("fixed.csv", &fixed);
    let report = env
        .import_with(ImportKind::Customers, &fixed_path, &opts)
        .await
        .expect("import");
    // Rows 3, 4 and the former duplicate go in; the bad tariff and voltage rows are still bad.
    assert_eq!((report.rows, report.imported), (5, 3));
    assert!(
        env.detail("0200000001")
            .await
            .expect("stored")
            .customer
            .is_dual_supply()
    );
    assert_eq!(
        env.detail("0100000001")
            .await
            .expect("stored")
            .customer
            .name,
        "张伟"
    );
}

#[tokio::test]
async fn explicit_reject_file_in_all_or_nothing_mode() {
    let env = Env::new().await;
    env.seed().await;
    let path = env.write("customers-bad.csv", &bad_customers());
    let reject = env.path("out/rejects.csv");
    std::fs::create_dir_all(env.path("out")).expect("dir");
    let opts = ImportOptions {
        skip_bad: false,
        reject_file: Some(reject.clone()),
        ..Default::default()
    };
    let errors = rejected(env.import_with(ImportKind::Customers, &path, &opts).await);
    assert_eq!(errors.len(), 5);
    assert_eq!(
        csv_rows(&std::fs::read_to_string(&reject).expect("rejects")).len(),
        6
    );
    assert_eq!(env.store.stats().await.expect("stats").customers, 0);
}

#[tokio::test]
async fn re_importing_the_same_files_is_idempotent() {
    let env = Env::new().await;
    env.seed().await;
    for kind in [ImportKind::Customers, ImportKind::TheftCases] {
        env.import_example(kind).await;
    }
    let archive = env.snapshot().await;
    for kind in [
        ImportKind::Bills,
        ImportKind::Payments,
        ImportKind::Readings,
    ] {
        env.import_example(kind).await;
    }
    let lake = tree(&env.lake());
    assert!(
        lake.iter().any(|(p, _)| p.ends_with(".parquet")),
        "{lake:?}"
    );

    for kind in ImportKind::ALL {
        env.import_example(kind).await;
    }
    assert_eq!(env.snapshot().await, archive);
    // Same files with the same bytes: the second import replaced the first one's files.
    let again = tree(&env.lake());
    assert_eq!(again, lake);
    let no = CustomerNo::parse("0200000001").expect("no");
    let today = jiff::civil::date(2026, 3, 31);
    let h = Lake::open(&env.lake())
        .expect("lake")
        .customer_history(&no, 36, today)
        .await
        .expect("history");
    assert_eq!(
        (h.bills.len(), h.payments.len(), h.readings.len()),
        (1, 2, 2)
    );
}

#[tokio::test]
async fn bad_lake_rows_write_nothing_unless_skipped() {
    let env = Env::new().await;
    env.seed().await;
    env.import_example(ImportKind::Customers).await;
    let text = example_text(ImportKind::Bills)
        + "B202603-0999999999,0999999999,2026-03,10,5.00,0,2026-04-01,2026-04-20\n"
        + "B202603-0100000001,0100000001,2026-03,10,5.00,0,2026-04-01,2026-03-20\n";
    let path = env.write("bills.csv", &text);
    let errors = rejected(env.import(ImportKind::Bills, &path).await);
    let got: Vec<(usize, &str, &str)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (6, "customer_no", "customer \"0999999999\" does not exist"),
            (
                7,
                "due_on",
                "due date 2026-03-20 is before the issue date 2026-04-01"
            ),
        ]
    );
    assert!(tree(&env.lake()).is_empty());

    let opts = ImportOptions {
        skip_bad: true,
        reject_file: None,
        ..Default::default()
    };
    let report = env
        .import_with(ImportKind::Bills, &path, &opts)
        .await
        .expect("import");
    assert_eq!(
        (report.rows, report.imported, report.rejected.len()),
        (6, 4, 2)
    );
    assert!(!tree(&env.lake()).is_empty());
}

#[tokio::test]
async fn missing_required_column_is_named() {
    let env = Env::new().await;
    env.seed().await;
    let rows = csv_rows(&example_text(ImportKind::Customers));
    let drop = rows[0]
        .iter()
        .position(|h| h == "tariff")
        .expect("tariff column");
    let text: String = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.remove(drop);
            r.join(",") + "\n"
        })
        .collect();
    let path = env.write("no-tariff.csv", &text);
    let reason = format_reason(env.import(ImportKind::Customers, &path).await);
    assert!(reason.contains("tariff (电价类别)"), "{reason}");
    assert_eq!(env.store.stats().await.expect("stats").customers, 0);

    let reason = format_reason(
        env.import(ImportKind::Customers, &env.write("e.csv", ""))
            .await,
    );
    assert!(reason.contains("empty"), "{reason}");
    let reason = format_reason(
        env.import(ImportKind::Customers, &env.write("c.xls", "x"))
            .await,
    );
    assert!(reason.contains("unknown file type"), "{reason}");
    let missing = env
        .import(ImportKind::Customers, &env.path("nope.csv"))
        .await;
    assert!(
        matches!(missing, Err(ImportError::Io { .. })),
        "{missing:?}"
    );
}

const CHINESE_HEADER: &str = "户号,户名,用电地址,身份证号,供电单位,台区编号,线路编号,备用线路编号,供用电关系,电价类别,电压等级,合同容量(kVA),自备电源,专线,用电性质,负荷重要性,重要客户等级,地区类型,行业,机构类型,客户经理,立户日期,联系人,联系人角色,联系电话,电子邮箱,首选联系方式,电能表编号,倍率";

#[tokio::test]
async fn chinese_headers_are_accepted() {
    let english = Env::new().await;
    english.seed().await;
    english.import_example(ImportKind::Customers).await;

    let chinese = Env::new().await;
    chinese.seed().await;
    let text = example_text(ImportKind::Customers);
    let (_, body) = text.split_once('\n').expect("header line");
    // Reordered columns too: the header decides, not the position.
    let path = chinese.write("客户.csv", &format!("\u{feff}{CHINESE_HEADER}\n{body}"));
    let report = chinese
        .import(ImportKind::Customers, &path)
        .await
        .expect("import");
    assert_eq!(report.imported, 4);
    assert_eq!(chinese.snapshot().await, english.snapshot().await);

    // Errors name the column as the file spells it.
    let bad = body.replacen("13800138000", "138", 1);
    let path = chinese.write("坏.csv", &format!("{CHINESE_HEADER}\n{bad}"));
    let errors = rejected(chinese.import(ImportKind::Customers, &path).await);
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].row, errors[0].column.as_str()), (2, "联系电话"));
}

#[tokio::test]
async fn xlsx_rows_are_numbered_as_in_the_sheet() {
    let env = Env::new().await;
    env.seed().await;
    let rows = csv_rows(&example_text(ImportKind::Staff));
    let mut out: Vec<Vec<X>> = vec![vec![], vec![]];
    for r in &rows {
        out.push(r.iter().map(|v| X::S(v.clone())).collect());
    }
    // Sheet rows 1-2 blank, header in row 3; data rows 4-6, then a blank row 7 and a bad row 8.
    out.push(vec![]);
    out.push(vec![
        X::S("nobody".into()),
        X::S("无名".into()),
        X::S("agent".into()),
        X::S("JC-XX".into()),
    ]);
    let path = env.path("staff.xlsx");
    write_xlsx(&path, &out);
    let errors = rejected(env.import(ImportKind::Staff, &path).await);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        format!(
            "{}:8:org_unit: organisation unit \"JC-XX\" does not exist",
            path.display()
        )
    );
}

#[tokio::test]
async fn org_units_may_refer_to_earlier_rows_only() {
    let env = Env::new().await;
    let text = "code,name,kind,parent\n\
                A,甲公司,company,\n\
                B2,乙所,supply_station,B\n\
                B,乙分公司,branch,A\n\
                C,丙分公司,branch,Z\n\
                C1,丙所,supply_station,C\n";
    let path = env.write("org.csv", text);
    let errors = rejected(env.import(ImportKind::OrgUnits, &path).await);
    let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.reason.as_str())).collect();
    assert_eq!(
        got,
        [
            (
                3,
                "organisation unit \"B\" comes later in the file (row 4): list it before the rows that refer to it"
            ),
            (5, "organisation unit \"Z\" does not exist"),
            (6, "organisation unit \"C\" is in row 5, which was rejected"),
        ]
    );
    let opts = ImportOptions {
        skip_bad: true,
        reject_file: None,
        ..Default::default()
    };
    let report = env
        .import_with(ImportKind::OrgUnits, &path, &opts)
        .await
        .expect("import");
    assert_eq!(report.imported, 2);
    let codes: Vec<String> = env
        .store
        .list_org_units()
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.code.to_string())
        .collect();
    assert_eq!(codes.len(), 2);
    assert!(codes.contains(&"A".to_owned()) && codes.contains(&"B".to_owned()));
}

#[tokio::test]
async fn xlsx_dates_times_months_and_amounts() {
    let env = Env::new().await;
    env.seed().await;
    env.import_example(ImportKind::Customers).await;
    let s = |v: &str| X::S(v.to_owned());
    let bills = env.path("bills.xlsx");
    write_xlsx(
        &bills,
        &[
            [
                "bill_no",
                "customer_no",
                "period",
                "consumption_kwh",
                "amount",
                "late_fee",
                "issued_on",
                "due_on",
            ]
            .map(s)
            .into(),
            vec![
                s("B1"),
                X::N(100_000_001.0),
                // Excel turns a typed "2026-01" into the date 2026-01-01.
                X::D(2026, 1, 1),
                X::N(215.0),
                X::N(116.13),
                s(""),
                X::D(2026, 2, 1),
                X::D(2026, 2, 20),
            ],
        ],
    );
    let payments = env.path("payments.xlsx");
    write_xlsx(
        &payments,
        &[
            [
                "payment_no",
                "customer_no",
                "bill_no",
                "paid_at",
                "amount",
                "channel",
                "bounced",
            ]
            .map(s)
            .into(),
            vec![
                s("P1"),
                s("0100000001"),
                s("B1"),
                X::T(2026, 2, 10, 9, 30, 0),
                X::N(100.0),
                s("微信"),
                X::B(false),
            ],
            vec![
                s("P2"),
                s("0100000001"),
                s("B1"),
                X::T(2026, 3, 18, 0, 0, 0),
                X::N(16.13),
                s("app"),
                X::B(false),
            ],
        ],
    );
    for (kind, path) in [
        (ImportKind::Bills, &bills),
        (ImportKind::Payments, &payments),
    ] {
        let report = env
            .import(kind, path)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(report.imported, report.rows, "{kind}");
    }
    let no = CustomerNo::parse("0100000001").expect("no");
    let h = Lake::open(&env.lake())
        .expect("lake")
        .customer_history(&no, 36, jiff::civil::date(2026, 3, 31))
        .await
        .expect("history");
    assert_eq!(h.bills.len(), 1);
    let b = &h.bills[0];
    assert_eq!(b.period.to_string(), "2026-01");
    assert_eq!(b.amount, Money::from_fen(11_613));
    assert_eq!(b.late_fee, Money::ZERO);
    assert_eq!(
        (b.issued_on.to_string(), b.due_on.to_string()),
        ("2026-02-01".into(), "2026-02-20".into())
    );
    let paid: Vec<String> = h.payments.iter().map(|p| p.paid_at.to_string()).collect();
    // Beijing time in the sheet, UTC in the lake; a midnight cell is still a time.
    assert_eq!(paid, ["2026-02-10T01:30:00Z", "2026-03-17T16:00:00Z"]);
    assert_eq!(h.arrears.arrears, Money::ZERO);
}

#[tokio::test]
async fn the_orderly_sequence_replaces_the_stored_list_and_names_bad_cells() {
    let env = Env::new().await;
    env.seed().await;
    env.import_example(ImportKind::Customers).await;
    env.import_example(ImportKind::OrderlySequence).await;
    let rows = env.store.orderly_sequence().await.expect("sequence");
    let got: Vec<(&str, u32, String, String, bool)> = rows
        .iter()
        .map(|r| {
            let e = &r.entry;
            (
                e.customer_no.as_str(),
                e.sequence,
                e.security_load_kw.to_string(),
                e.avoid_peak_kw.to_string(),
                e.can_disconnect,
            )
        })
        .collect();
    let row = |no, p, sec: &str, avoid: &str, d| (no, p, sec.to_owned(), avoid.to_owned(), d);
    assert_eq!(
        got,
        [
            row("0200000002", 1, "600", "300", true),
            // Blank optional amounts are 0, a blank flag is no.
            row("0100000002", 2, "0", "0", false),
            row("0200000001", 5, "900", "0", true),
        ]
    );

    // Chinese headers with units; the file replaces the whole list.
    let p = env.write(
        "序位表.csv",
        "户号,限电序位,预计负荷(kW),保安负荷,可限负荷（kW）,可拉路\n0200000001,3,1500,700,500,是\n",
    );
    let r = env
        .import(ImportKind::OrderlySequence, &p)
        .await
        .expect("import");
    assert_eq!((r.rows, r.imported), (1, 1));
    let rows = env.store.orderly_sequence().await.expect("sequence");
    assert_eq!(rows.len(), 1);
    let e = &rows[0].entry;
    assert_eq!(
        (
            e.sequence,
            e.expected_load_kw.to_string(),
            e.limit_kw.to_string(),
            e.can_disconnect
        ),
        (3, "1500".to_owned(), "500".to_owned(), true)
    );

    // Bad rows reject the file: nothing changes.
    let bad = env.write(
        "bad.csv",
        "customer_no,sequence,expected_load_kw,limit_kw\n\
         0200000002,1,100,150\n\
         0100000002,-1,10,\n\
         0999999999,1,10,\n\
         0100000001,1,,\n",
    );
    let errors = rejected(env.import(ImportKind::OrderlySequence, &bad).await);
    let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        found,
        [
            (2, "limit_kw"),
            (3, "sequence"),
            (4, "customer_no"),
            (5, "expected_load_kw")
        ]
    );
    assert!(
        errors[0].reason.contains("exceeds expected_load_kw"),
        "{}",
        errors[0]
    );
    assert!(errors[2].reason.contains("does not exist"), "{}", errors[2]);
    assert_eq!(
        env.store.orderly_sequence().await.expect("sequence").len(),
        1
    );

    // With --skip-bad the good rows replace the list.
    let opts = ImportOptions {
        skip_bad: true,
        reject_file: None,
        ..Default::default()
    };
    let mixed = env.write(
        "mixed.csv",
        "customer_no,sequence,expected_load_kw,shift_peak_kw\n0200000002,2,900,100\n0100000002,1,10,11\n",
    );
    let r = env
        .import_with(ImportKind::OrderlySequence, &mixed, &opts)
        .await
        .expect("import");
    assert_eq!((r.imported, r.rejected.len()), (1, 1));
    let rows = env.store.orderly_sequence().await.expect("sequence");
    let nos: Vec<&str> = rows.iter().map(|r| r.entry.customer_no.as_str()).collect();
    assert_eq!(nos, ["0200000002"]);
}
