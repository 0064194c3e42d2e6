//! Value segmentation end to end: `griddesk segment` on a demo company stores what the pure
//! `segment()` makes of the lake's figures, re-runs idempotently and writes readable exports;
//! the API's summary, explanation and analyst runs; intake serves the stored tier.

use crate::app::{SendJson, spawn_demo_app};
use griddesk_domain::billing::Period;
use griddesk_domain::org::Role;
use griddesk_domain::segment::{SegmentationConfig, segment};
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
    griddesk(&[
        "demo-data",
        "--customers",
        "300",
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
    assert!(out.contains("segmented 300 customers"), "{out}");
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
    assert_eq!(inputs.len(), 300);
    let expected = segment(&inputs, &SegmentationConfig::default()).unwrap();
    let check = async |store: &griddesk_sqlite::SqliteStore| {
        let mut stored = store.segment_members(p, None, None, 10_000).await.unwrap();
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
    assert_eq!(sheet.height(), 301, "header and 300 customers");
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
    assert_eq!(rows, 300);
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
    let seg = griddesk_server::api_segment::run_segmentation(
        app.store.as_ref(),
        &app.state.lake,
        period,
        &SegmentationConfig::default(),
        griddesk_server::api_segment::DEFAULT_CONFIG,
        "staff:analyst01",
        &|_| {},
    )
    .await
    .unwrap();
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
    let seg = griddesk_server::api_segment::run_segmentation(
        app.store.as_ref(),
        &app.state.lake,
        period,
        &SegmentationConfig::default(),
        griddesk_server::api_segment::DEFAULT_CONFIG,
        "staff:analyst01",
        &|_| {},
    )
    .await
    .unwrap();
    let html = app
        .get_in(&s, "/console/segmentation")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-chart=\"value-matrix\""), "{html}");
    for (q, n) in &seg.summary.quadrants {
        assert!(
            html.contains(&format!("data-quadrant=\"{}\">{n}<", q.code())),
            "{q:?} {n}: {html}"
        );
    }

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
}

async fn before_page(app: &crate::app::TestApp, s: &crate::app::Session) -> String {
    app.get_in(s, "/console/segmentation")
        .await
        .text()
        .await
        .unwrap()
}
