//! Value segmentation end to end: `griddesk segment` on a demo company stores what the pure
//! `segment()` makes of the lake's figures, re-runs idempotently and writes readable exports;
//! the API's summary, explanation and analyst runs; intake serves the stored tier.

use crate::app::{SendJson, spawn_demo_app};
use griddesk_domain::billing::Period;
use griddesk_domain::org::Role;
use griddesk_domain::segment::{Segmentation, SegmentationConfig, ThreeDimGrade, segment};
use griddesk_store::SegmentStore;
use serde_json::{Value, json};
use std::process::Command;

fn griddesk(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_griddesk"))
        .args(args)
        .env_remove("GRIDDESK_DATABASE_URL")
        .env_remove("GRIDDESK_LAKE_DIR")
        .output()
        .expect("run griddesk");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "griddesk {args:?} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[tokio::test]
async fn segment_command_stores_the_pure_result_idempotently_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let period = "2026-09";
    // More customers than one INSERT statement holds (SEGMENT_CHUNK), the last chunk partial:
    // every chunk of the pipelined store must land.
    const N: usize = 2 * griddesk_store::segment::SEGMENT_CHUNK + 500;
    let n = N.to_string();
    griddesk(&[
        "demo-data",
        "--customers",
        &n,
        "--seed",
        "7",
        "--last-month",
        period,
        "--data-dir",
        data,
    ]);
    let xlsx = dir.path().join("seg.xlsx");
    let pq = dir.path().join("seg.parquet");
    let out = griddesk(&[
        "segment",
        "--period",
        period,
        "--data-dir",
        data,
        "--export-xlsx",
        xlsx.to_str().unwrap(),
        "--export-parquet",
        pq.to_str().unwrap(),
    ]);
    assert!(out.contains(&format!("segmented {N} customers")), "{out}");
    assert!(out.contains("quadrants: vip "), "{out}");
    assert!(out.contains("tiers: 1 "), "{out}");

    let store = griddesk_sqlite::SqliteStore::open(&dir.path().join("griddesk.db"))
        .await
        .unwrap();
    let lake = griddesk_lake::Lake::open(&dir.path().join("lake")).unwrap();
    let p = Period::parse(period).unwrap();
    let inputs = lake
        .segmentation_inputs(p, griddesk_lake::segment::DEFAULT_POWER_FACTOR)
        .await
        .unwrap();
    assert_eq!(inputs.len(), N);
    // The only segmented period: every grade is this run's own.
    let config = SegmentationConfig::default();
    let mut expected = segment(&inputs, &config).unwrap();
    griddesk_domain::segment::carry_grades(&mut expected, p, &Default::default(), &config);
    let check = async |store: &griddesk_sqlite::SqliteStore| {
        let mut stored = store
            .segment_members(p, &Default::default(), 10_000)
            .await
            .unwrap();
        stored.sort_by(|a, b| a.customer.cmp(&b.customer));
        let mut want = expected.customers.clone();
        want.sort_by(|a, b| a.customer.cmp(&b.customer));
        assert_eq!(
            stored, want,
            "stored = pure segment() of the lake's figures"
        );
        let run = store.segmentation_run(p).await.unwrap().unwrap();
        assert_eq!(
            run.summary_json,
            serde_json::to_string(&expected.summary).unwrap()
        );
    };
    check(&store).await;

    // A re-run replaces the period with the same results.
    griddesk(&["segment", "--period", period, "--data-dir", data]);
    check(&store).await;
    assert_eq!(store.segmentation_periods().await.unwrap(), vec![p]);

    // The exports are readable and hold one row per customer.
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = wb.worksheet_range(&format!("segments {period}")).unwrap();
    assert_eq!(sheet.height(), N + 1, "header and one row per customer");
    assert_eq!(
        sheet.get((0, 0)).map(|c| c.to_string()).as_deref(),
        Some("customer_no")
    );
    let ctx = lake.session();
    ctx.register_parquet("seg", pq.to_str().unwrap(), Default::default())
        .await
        .unwrap();
    let rows: usize = ctx
        .sql("SELECT customer_no, tier FROM seg WHERE period = '2026-09'")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap()
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows, N);

    // An export that cannot be written (written while storing) fails the command naming the
    // file; the period's results are stored all the same.
    let nowhere = dir.path().join("no-such-dir").join("seg.parquet");
    let out = Command::new(env!("CARGO_BIN_EXE_griddesk"))
        .args([
            "segment",
            "--period",
            period,
            "--data-dir",
            data,
            "--export-parquet",
        ])
        .arg(&nowhere)
        .env_remove("GRIDDESK_DATABASE_URL")
        .env_remove("GRIDDESK_LAKE_DIR")
        .output()
        .expect("run griddesk");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-dir"), "{err}");
    check(&store).await;
}

#[tokio::test]
async fn analysts_run_segmentation_and_intake_serves_the_stored_tier() {
    let app = spawn_demo_app().await;
    let root = app
        .store
        .list_org_units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.parent.is_none())
        .unwrap()
        .code
        .to_string();
    let period = Period::of(griddesk_server::time::today())
        .add_months(-1)
        .to_string();

    // Before any run: not found; intake uses the default rule (covered by the order tests).
    let analyst = app.client_as(Role::Analyst, &root).await;
    let r = analyst
        .get(app.url(&format!("/api/v1/segmentation/{period}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Agents may not start runs; analysts may.
    let r = app
        .client
        .post(app.url("/api/v1/segmentation/runs"))
        .json(&json!({"period": period}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = analyst
        .post(app.url("/api/v1/segmentation/runs"))
        .json(&json!({"period": "2026-13"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = analyst
        .post(app.url("/api/v1/segmentation/runs"))
        .json(&json!({"period": period}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["customers"], 300);
    let q: i64 = ["vip", "growth", "maintain", "abandon"]
        .iter()
        .map(|k| v["quadrants"][k].as_i64().unwrap())
        .sum();
    assert_eq!(q, 300);
    let t: i64 = v["tiers"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_i64().unwrap())
        .sum();
    assert_eq!(t, 300);
    let again: Value = analyst
        .get(app.url(&format!("/api/v1/segmentation/{period}")))
        .json_body()
        .await;
    assert_eq!(again["summary"], v["summary"]);

    // A customer's explanation, for anyone who reads the archive.
    let c = &app.customers[0];
    let e: Value = app
        .client
        .get(app.url(&format!("/api/v1/customers/{}/segment", c.customer_no)))
        .json_body()
        .await;
    assert_eq!(e["period"], period.as_str());
    let x = &e["explanation"];
    for k in [
        "indicators",
        "scores",
        "thresholds",
        "weights",
        "value",
        "origin",
        "quadrant",
        "moves",
    ] {
        assert!(!x[k].is_null(), "{k} in {x}");
    }
    let stored = app
        .store
        .current_tier(&c.customer_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e["tier"], stored);
    let r = app
        .client
        .get(app.url("/api/v1/customers/0000000001/segment"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Intake serves the stored tier, also where the default rule would say otherwise.
    let mut differs = None;
    for c in &app.customers {
        let stored = app.store.current_tier(&c.customer_no).await.unwrap();
        if stored != Some(griddesk_domain::queue::default_tier(Some(c))) {
            differs = Some(c.customer_no.clone());
            break;
        }
    }
    let mut checked = 0;
    for no in differs.iter().chain(std::iter::once(&c.customer_no)) {
        let body = json!({
            "order_type": "consultation", "channel": "phone", "customer_no": no.as_str(),
            "contact_name": "王女士", "contact_phone": "13912345678", "subject": "咨询电价",
            "description": "询问分时电价"
        });
        let o: Value = app
            .client
            .post(app.url("/api/v1/work-orders"))
            .json(&body)
            .json_body()
            .await;
        let want = app.store.current_tier(no).await.unwrap().unwrap();
        assert_eq!(o["tier"], want, "{o}");
        checked += 1;
    }
    assert_eq!(checked, 1 + usize::from(differs.is_some()));
    assert!(
        differs.is_some(),
        "some stored tier differs from the default rule"
    );
}

#[tokio::test]
async fn the_customer_page_shows_the_tier_and_segment() {
    let app = crate::app::spawn_app().await;
    let s = app.login("agent01").await;
    let c = app.resident().clone();
    let path = format!("/console/customers/{}", c.customer_no);
    let before = app.get_in(&s, &path).await.text().await.unwrap();
    assert!(before.contains("id=\"segment-tier\""), "{before}");
    assert!(before.contains("尚未进行价值细分"), "not segmented yet");

    let period = Period::of(griddesk_server::time::today()).add_months(-1);
    let seg = segment_month(&app, period).await;
    let r = seg
        .customers
        .iter()
        .find(|r| r.customer == c.customer_no.as_str())
        .expect("the resident is billed last month");
    let after = app.get_in(&s, &path).await.text().await.unwrap();
    assert!(
        after.contains(&format!("id=\"segment-tier\">{}<", r.service.tier)),
        "{after}"
    );
    assert!(after.contains(r.quadrant.label(Default::default())));
    let g = r.three_dim.unwrap();
    assert!(
        after.contains(&format!(
            "id=\"segment-grade\">{} · {:.1}<",
            g.grade.label(Default::default()),
            g.score
        )),
        "{after}"
    );
    for e in &r.service.entitlements {
        assert!(after.contains(e.label(Default::default())), "{e}");
    }
    assert!(!after.contains("尚未进行价值细分"));
}

#[tokio::test]
async fn the_segmentation_page_and_the_members_sample() {
    let app = crate::app::spawn_app().await;
    let s = app.login("analyst01").await;
    let before = app.get_in(&s, "/console/segmentation").await;
    assert_eq!(before.status(), 200);
    assert!(
        before
            .text()
            .await
            .unwrap()
            .contains("id=\"not-segmented\"")
    );

    let period = Period::of(griddesk_server::time::today()).add_months(-1);
    // The analyst starts a run from the page; a bad month is refused and stores nothing.
    let page = before_page(&app, &s).await;
    assert!(page.contains("id=\"segment-run\"") && page.contains(&format!("value=\"{period}\"")));
    let bad = app
        .post_in(&s, "/console/segmentation/runs", &[("period", "2026-13")])
        .await;
    assert_eq!(bad.status(), 400);
    assert!(app.store.segmentation_periods().await.unwrap().is_empty());
    let r = app
        .post_in(
            &s,
            "/console/segmentation/runs",
            &[("period", &period.to_string())],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/console/segmentation?period={period}").as_str()
    );
    assert_eq!(app.store.segmentation_periods().await.unwrap(), [period]);
    let seg = segment_month(&app, period).await;
    let html = app
        .get_in(&s, "/console/segmentation")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-chart=\"value-matrix\""), "{html}");
    for (q, n) in &seg.summary.quadrants {
        assert!(
            html.contains(&format!("quadrant={}#segment-list\">{n}</a>", q.code())),
            "{q:?} {n}: {html}"
        );
    }
    assert_eq!(
        seg.summary.grades.values().sum::<usize>(),
        seg.customers.len()
    );
    for (g, n) in &seg.summary.grades {
        assert!(
            html.contains(&format!("grade={}#segment-list\">{n}</a>", g.code())),
            "{g:?} {n}"
        );
    }
    // One period only: the movement card shows its distribution, without a sankey.
    assert!(html.contains("id=\"segment-movement\"") && !html.contains("grade-sankey"));

    // A grade's count opens its customers, best current value first.
    let (g, n) = seg
        .summary
        .grades
        .iter()
        .find(|(_, n)| **n > 0)
        .map(|(g, n)| (*g, *n))
        .unwrap();
    let list = app
        .get_in(
            &s,
            &format!("/console/segmentation?period={period}&grade={}", g.code()),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("id=\"segment-list\""));
    assert_eq!(list.matches("class=\"segment-member\"").count(), n.min(200));
    let bad = app
        .get_in(&s, &format!("/console/segmentation?period={period}&tier=9"))
        .await;
    assert_eq!(bad.status(), 400);

    let m: Value = app
        .get_in(
            &s,
            &format!("/api/v1/segmentation/{period}/members?limit=8"),
        )
        .await
        .json()
        .await
        .unwrap();
    let items = m["items"].as_array().unwrap();
    assert!(items.len() <= 8);
    assert_eq!(m["sampled"], seg.customers.len() > items.len());
    assert_eq!(m["origin_current"], seg.summary.origin.current);
    let all: Value = app
        .get_in(
            &s,
            &format!("/api/v1/segmentation/{period}/members?quadrant=vip&limit=10000"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        seg.summary.quadrants[&griddesk_domain::segment::Quadrant::Vip]
    );
    let bad = app
        .get_in(&s, &format!("/api/v1/segmentation/{period}/members?abc=Z"))
        .await;
    assert_eq!(bad.status(), 400);
    let g: Value = app
        .get_in(
            &s,
            &format!("/api/v1/segmentation/{period}/members?grade=special&tier=1&limit=10000"),
        )
        .await
        .json()
        .await
        .unwrap();
    let want = seg
        .customers
        .iter()
        .filter(|r| {
            r.service.tier == 1 && r.three_dim.map(|x| x.grade) == Some(ThreeDimGrade::Special)
        })
        .count();
    assert_eq!(g["items"].as_array().unwrap().len(), want);

    // The month before, then the movement between the two, for every grading.
    let earlier = period.add_months(-1);
    let before = segment_month(&app, earlier).await;
    for grading in ["quadrant", "abc", "grade", "tier"] {
        let m: Value = app
            .get_in(
                &s,
                &format!(
                    "/api/v1/segmentation/movement?from={earlier}&to={period}&grading={grading}"
                ),
            )
            .await
            .json()
            .await
            .unwrap();
        let code = |r: &griddesk_domain::segment::CustomerResult| match grading {
            "quadrant" => r.quadrant.code().to_owned(),
            "abc" => r.abc.code().to_owned(),
            "grade" => r.three_dim.unwrap().grade.code().to_owned(),
            _ => r.service.tier.to_string(),
        };
        let mut want: std::collections::BTreeMap<(Option<String>, Option<String>), i64> =
            Default::default();
        let keys: std::collections::BTreeSet<&str> = before
            .customers
            .iter()
            .chain(&seg.customers)
            .map(|r| r.customer.as_str())
            .collect();
        let of = |rs: &[griddesk_domain::segment::CustomerResult], k: &str| {
            rs.iter().find(|r| r.customer == k).map(code)
        };
        for k in &keys {
            *want
                .entry((of(&before.customers, k), of(&seg.customers, k)))
                .or_default() += 1;
        }
        let got: std::collections::BTreeMap<(Option<String>, Option<String>), i64> = m["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let s = |v: &Value| v.as_str().map(str::to_owned);
                ((s(&c["from"]), s(&c["to"])), c["count"].as_i64().unwrap())
            })
            .collect();
        assert_eq!(got, want, "{grading}");
        let parts: i64 = ["stayed", "rose", "fell", "new", "gone"]
            .iter()
            .map(|k| m[k].as_i64().unwrap())
            .sum();
        assert_eq!(parts, keys.len() as i64, "{grading}");
        assert_eq!(
            m["grades"].as_array().unwrap().len(),
            if grading == "tier" { 3 } else { 4 }
        );
    }
    for (q, field) in [
        (
            format!("from={earlier}&to={period}&grading=colour"),
            "grading",
        ),
        (format!("from=2026-13&to={period}"), "from"),
    ] {
        let r = app
            .get_in(&s, &format!("/api/v1/segmentation/movement?{q}"))
            .await;
        assert_eq!(r.status(), 400, "{q}");
        let p: Value = r.json().await.unwrap();
        assert!(p.to_string().contains(field), "{p}");
    }
    let r = app
        .get_in(
            &s,
            &format!("/api/v1/segmentation/movement?from=2020-01&to={period}"),
        )
        .await;
    assert_eq!(r.status(), 404);
    // The page now shows the movement into the latest period from the one before, as a sankey.
    let html = before_page(&app, &s).await;
    assert!(html.contains("data-chart=\"grade-sankey\""), "{html}");
    assert!(html.contains(&format!("{earlier} → {period}")));

    // Re-running the later month now keeps the grades evaluated a month before (the review
    // cycle is a year), and the tier table by ABC class is untouched by that.
    let again = segment_month(&app, period).await;
    for r in &again.customers {
        let b = before
            .customers
            .iter()
            .find(|b| b.customer == r.customer)
            .expect("billed both months");
        assert_eq!((r.three_dim, r.graded_in), (b.three_dim, Some(earlier)));
        let first = seg
            .customers
            .iter()
            .find(|x| x.customer == r.customer)
            .unwrap();
        assert_eq!(r.service, first.service);
    }
    let e: Value = app
        .get_in(
            &s,
            &format!("/api/v1/customers/{}/segment", again.customers[0].customer),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e["explanation"]["graded_in"], earlier.to_string());

    // A re-run with other ABC shares changes the movement at once: a period's new run is never
    // served an earlier run's counted movement.
    let movement_a = async || -> i64 {
        let m: Value = app
            .get_in(
                &s,
                &format!("/api/v1/segmentation/movement?from={earlier}&to={period}&grading=abc"),
            )
            .await
            .json()
            .await
            .unwrap();
        m["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["to"] == "A")
            .map(|c| c["count"].as_i64().unwrap())
            .sum()
    };
    let a_before = movement_a().await;
    assert_eq!(
        a_before,
        again.summary.abc[&griddesk_domain::segment::AbcClass::A] as i64
    );
    let mut wide = SegmentationConfig::default();
    wide.abc.a = 0.5;
    let (rerun, _) = griddesk_server::api_segment::run_segmentation(
        app.store.as_ref(),
        &app.state.lake,
        period,
        &wide,
        "[abc]\na = 0.5\n",
        "staff:analyst01",
        &|_| {},
        None,
    )
    .await
    .unwrap();
    let a_after = movement_a().await;
    assert_eq!(
        a_after,
        rerun.summary.abc[&griddesk_domain::segment::AbcClass::A] as i64
    );
    assert!(a_after > a_before, "{a_after} > {a_before}");
}

/// Segments a month of the app's lake with the shipped configuration, as an analyst.
pub async fn segment_month(app: &crate::app::TestApp, period: Period) -> Segmentation {
    griddesk_server::api_segment::run_segmentation(
        app.store.as_ref(),
        &app.state.lake,
        period,
        &SegmentationConfig::default(),
        griddesk_server::api_segment::DEFAULT_CONFIG,
        "staff:analyst01",
        &|_| {},
        None,
    )
    .await
    .expect("segment the month")
    .0
}

async fn before_page(app: &crate::app::TestApp, s: &crate::app::Session) -> String {
    app.get_in(s, "/console/segmentation")
        .await
        .text()
        .await
        .unwrap()
}

/// An SQLite archive of the release before the three-dimension grade (schema version 37) keeps
/// its segmentation through the upgrade: the stored result reads back with every old field and
/// no grade (none was computed), its old summary still explains it, and movement counts it.
#[tokio::test]
async fn results_stored_before_the_grade_keep_everything_through_the_upgrade() {
    use griddesk_domain::segment::{Grading, Summary, explanation};
    use griddesk_store::segment::GradeMove;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("griddesk.db");
    let old = griddesk_sqlite::SqliteStore::open_at_version(&path, 37)
        .await
        .unwrap();
    griddesk_store::conformance::fixtures::load(&old).await;
    let no = griddesk_store::conformance::fixtures::customers()[0]
        .customer_no
        .clone();
    // The summary as that release wrote it: without the grade's fields.
    let members: Vec<griddesk_domain::segment::Member> = serde_json::from_value(json!([{
        "customer": no.as_str(),
        "inputs": {
            "consumption_kwh": "1000", "same_period_last_year_kwh": "900",
            "transmission_fees": "10.00", "average_load_kw": "5", "max_load_kw": "10",
            "paid_3y": "100.00", "due_3y": "100.00", "late_fees_3y": "0.00",
            "receivables_3y": "100.00", "last_year_kwh": "12000", "year_before_kwh": "11000",
            "power_factor": 0.9, "company_supply_kwh": "1000000",
            "company_transmission_fees": "10000.00"
        },
        "purchase_amount": "1200.00"
    }]))
    .unwrap();
    let seg = segment(&members, &SegmentationConfig::default()).unwrap();
    let mut summary = serde_json::to_value(&seg.summary).unwrap();
    for k in ["grades", "grade_starts", "three_dimension"] {
        summary.as_object_mut().unwrap().remove(k);
    }
    sqlx::query(
        "INSERT INTO segment_run (period, config, summary, created_us, created_by) \
         VALUES ('2026-05', '', ?1, 1, 'staff:analyst01')",
    )
    .bind(summary.to_string())
    .execute(old.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO segment_result VALUES ('2026-05', ?1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, \
         0.8, 1, 2, 3, 4, 5, 1, 2, 3, 2.5, 1.5, 'growth', 120000, 'A', 1, 'green_channel,sms_notice')",
    )
    .bind(no.as_str())
    .execute(old.pool())
    .await
    .unwrap();
    old.close().await;

    let store = griddesk_sqlite::SqliteStore::open(&path).await.unwrap();
    let p = Period::parse("2026-05").unwrap();
    let (_, r) = store.customer_segment(&no, Some(p)).await.unwrap().unwrap();
    assert_eq!(r.three_dim, None);
    assert_eq!((r.scores.b31, r.scores.b42), (5, 3));
    assert_eq!(
        (r.value.current, r.purchase_amount.to_string()),
        (2.5, "1200.00".into())
    );
    assert_eq!(r.service.entitlements.len(), 2);
    let run = store.segmentation_run(p).await.unwrap().unwrap();
    let old_summary: Summary = serde_json::from_str(&run.summary_json).unwrap();
    assert!(old_summary.grades.is_empty());
    let e = explanation(&r, &old_summary);
    assert_eq!((e.three_dim, e.grade_up), (None, None));
    assert_eq!(e.subscores.cooperation, 50.0, "the default cooperation");
    assert_eq!(
        store.grade_movement(Grading::Grade, p, p).await.unwrap(),
        [GradeMove {
            from: None,
            to: None,
            count: 1
        }]
    );
    assert_eq!(
        store.grade_movement(Grading::Abc, p, p).await.unwrap(),
        [GradeMove {
            from: Some("A".into()),
            to: Some("A".into()),
            count: 1
        }]
    );
    // The drill-down list reads the rebuilt table (schema 39) through its value index.
    let a = griddesk_store::segment::MemberFilter {
        abc: Some(griddesk_domain::segment::AbcClass::A),
        ..Default::default()
    };
    let listed = store.segment_members(p, &a, 200).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].customer, no.as_str());
    let b = griddesk_store::segment::MemberFilter {
        abc: Some(griddesk_domain::segment::AbcClass::B),
        ..Default::default()
    };
    assert!(store.segment_members(p, &b, 200).await.unwrap().is_empty());
}
