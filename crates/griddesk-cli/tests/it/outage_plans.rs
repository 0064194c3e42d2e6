//! Weekly and monthly outage plans end to end: plan files imported from CSV and xlsx (through
//! the API upload and the CLI's importer) with bad rows named by row and column and re-imports
//! changing nothing, the warning when an area is planned out twice within the repeat window
//! (and not at its boundary), several jobs issued as one planned outage, edits checked again,
//! and the console page with its edit and issue forms.

use crate::app::{SendJson, TestApp, spawn_app, spawn_postgres_app};
use griddesk_domain::customer::Connection;
use griddesk_domain::org::Role;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// Local minute (Asia/Shanghai) as a plan file writes it.
fn local(t: Timestamp) -> String {
    griddesk_server::time::local_minute(t)
}

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

/// A whole minute ten days from now: plan times are written to the minute.
fn t0() -> Timestamp {
    let t = Timestamp::now() + days(10);
    Timestamp::from_second(t.as_second() / 60 * 60).unwrap()
}

const HEADER: &str = "job_id,kind,title,substation,feeders,areas,customers,planned_start,planned_end,work_content,responsible_unit,reason";

fn csv_row(job: &str, scope: (&str, &str), start: Timestamp, hours: i64, unit: &str) -> String {
    let mut cells = ["", "", "", ""];
    let i = ["substation", "feeders", "areas", "customers"]
        .iter()
        .position(|c| *c == scope.0)
        .unwrap();
    cells[i] = scope.1;
    format!(
        "{job},weekly,{job} 检修,{},{},{},{},{},{},更换设备,{unit},设备检修",
        cells[0],
        cells[1],
        cells[2],
        cells[3],
        local(start),
        local(start + SignedDuration::from_hours(hours))
    )
}

fn csv(rows: &[String]) -> String {
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

async fn upload(
    client: &reqwest::Client,
    app: &TestApp,
    name: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let r = client
        .post(app.url(&format!("/api/v1/outage-plans/import?file_name={name}")))
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn rows(app: &TestApp) -> Vec<Value> {
    let v: Value = app
        .client
        .get(app.url("/api/v1/outage-plans"))
        .json_body()
        .await;
    v["rows"].as_array().unwrap().clone()
}

fn row<'a>(rows: &'a [Value], job: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["job_id"] == job)
        .unwrap_or_else(|| panic!("no row {job} in {rows:?}"))
}

#[tokio::test]
async fn plan_files_import_from_csv_and_xlsx_naming_bad_rows() {
    let app = spawn_app().await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let good = csv(&[
        csv_row("W01", ("areas", "TA-001"), t0(), 8, "S01"),
        csv_row("W02", ("feeders", "F-A2"), t0() + days(2), 4, "S02"),
    ]);
    // Agents may read the plan but not import one.
    let (status, _) = upload(&app.client, &app, "plan.csv", good.clone().into_bytes()).await;
    assert_eq!(status, 403);
    let (status, v) = upload(&dispatcher, &app, "plan.csv", good.clone().into_bytes()).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(
        (v["rows"].as_u64(), v["imported"].as_u64()),
        (Some(2), Some(2))
    );
    let list = rows(&app).await;
    assert_eq!(list.len(), 2);
    let w01 = row(&list, "W01");
    assert_eq!(w01["status"]["code"], "draft");
    assert_eq!(w01["scope_kind"], "areas");
    assert_eq!(w01["scope"], json!(["TA-001"]));
    assert_eq!(w01["version"], 1);
    // Beijing time in the file, stored as that instant.
    assert_eq!(
        w01["planned_start"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .unwrap(),
        t0()
    );
    // The same file again changes nothing.
    let (status, _) = upload(&dispatcher, &app, "plan.csv", good.into_bytes()).await;
    assert_eq!(status, 201);
    let again = rows(&app).await;
    assert_eq!(again, list);

    // Bad rows: each named by row and column; nothing of the file is written.
    let bad = csv(&[
        csv_row("W03", ("areas", "TA-404"), t0(), 8, "S01"),
        csv_row("W04", ("areas", "TA-001"), t0(), 8, "NOWHERE"),
        csv_row(
            "W05",
            ("areas", "TA-001"),
            Timestamp::now() + days(2),
            8,
            "S01",
        ),
        csv_row("W06", ("areas", "TA-001"), t0(), -1, "S01"),
        format!(
            "W07,weekly,x,,F-A1,TA-001,,{},{},y,S01,z",
            local(t0()),
            local(t0() + days(1))
        ),
        csv_row("W08", ("areas", "TA-002"), t0(), 8, "S01"),
    ]);
    let (status, p) = upload(&dispatcher, &app, "bad.csv", bad.into_bytes()).await;
    assert_eq!(status, 400, "{p}");
    assert_eq!(p["field"], "file");
    let detail = p["detail"].as_str().unwrap();
    for want in [
        "5 bad row(s)",
        "bad.csv:2:areas: transformer area \"TA-404\" does not exist",
        "bad.csv:3:responsible_unit: organisation unit \"NOWHERE\" does not exist",
        "bad.csv:4:planned_start: planned_start: the public notice needs 7 days",
        "bad.csv:5:planned_end:",
        "bad.csv:6:feeders: fill exactly one of",
    ] {
        assert!(detail.contains(want), "{want:?} not in {detail}");
    }
    assert_eq!(rows(&app).await.len(), 2, "nothing written");
    // Not a plan file at all.
    let (status, p) = upload(&dispatcher, &app, "plan.txt", b"x".to_vec()).await;
    assert_eq!((status, p["field"].as_str()), (400, Some("file")));

    // An xlsx with Chinese headers and date-time cells, as planners keep them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("月计划.xlsx");
    let start = t0().to_zoned(griddesk_server::time::shanghai().clone());
    {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
        let head = [
            "工作编号",
            "计划类型",
            "工作名称",
            "台区",
            "计划停电时间",
            "计划送电时间",
            "工作内容",
            "作业单位",
            "停电原因",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let at = |hour: u16| {
            ExcelDateTime::from_ymd(start.year() as u16, start.month() as u8, start.day() as u8)
                .and_then(|d| d.and_hms(hour, 0, 0))
                .unwrap()
        };
        for (c, v) in ["M01", "月计划", "台区改造", "TA-002"].iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        ws.write_datetime_with_format(1, 4, at(8), &fmt).unwrap();
        ws.write_datetime_with_format(1, 5, at(18), &fmt).unwrap();
        for (c, v) in ["更换低压线", "S01", "农网改造"].iter().enumerate() {
            ws.write_string(1, 6 + c as u16, *v).unwrap();
        }
        wb.save(&path).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let (status, v) = upload(&dispatcher, &app, "month.xlsx", bytes).await;
    assert_eq!(status, 201, "{v}");
    let m01 = row(&rows(&app).await, "M01").clone();
    assert_eq!(m01["kind"]["code"], "monthly");
    assert_eq!(m01["planned_start"].as_str().unwrap()[11..16], *"08:00");
    assert_eq!(m01["month"], start.strftime("%Y-%m").to_string());

    // The CLI's importer: the same layout from a file, bad rows skipped with --skip-bad.
    let file = dir.path().join("plan.csv");
    std::fs::write(
        &file,
        csv(&[
            csv_row(
                "C01-J",
                ("customers", &app.resident().customer_no.to_string()),
                t0(),
                2,
                "S01",
            ),
            csv_row("C02-J", ("areas", "TA-404"), t0(), 2, "S01"),
        ]),
    )
    .unwrap();
    let opts = griddesk_import::ImportOptions {
        skip_bad: true,
        ..Default::default()
    };
    let r = griddesk_import::import_file(
        app.store.as_ref(),
        dir.path(),
        griddesk_import::ImportKind::OutagePlans,
        &file,
        &opts,
    )
    .await
    .unwrap();
    assert_eq!((r.imported, r.rejected.len()), (1, 1));
    assert_eq!(
        (r.rejected[0].row, r.rejected[0].column.as_str()),
        (3, "areas")
    );
    assert_eq!(row(&rows(&app).await, "C01-J")["scope_kind"], "customers");
}

#[tokio::test]
async fn the_same_area_twice_within_the_window_is_warned_and_not_at_its_boundary() {
    let app = spawn_app().await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    // A planned outage already recorded on TA-002, 40 days after t0.
    let o: Value = dispatcher
        .post(app.url("/api/v1/outages"))
        .json(&json!({
            "kind": "planned", "title": "配变检修", "cause": "检修",
            "scope": {"areas": ["TA-002"]},
            "start": (t0() + days(40)).to_string(),
            "eta": (t0() + days(40) + SignedDuration::from_hours(4)).to_string(),
        }))
        .json_body()
        .await;
    let outage = o["id"].as_i64().unwrap();
    let plan = csv(&[
        csv_row("J1", ("areas", "TA-001"), t0(), 8, "S01"),
        // One minute inside the 30-day window of J1.
        csv_row(
            "J2",
            ("areas", "TA-001"),
            t0() + days(30) - SignedDuration::from_mins(1),
            8,
            "S01",
        ),
        csv_row("J3", ("areas", "TA-002"), t0(), 8, "S01"),
        // Exactly 30 days after J3: outside its window; 10 days before the outage.
        csv_row("J4", ("areas", "TA-002"), t0() + days(30), 8, "S01"),
    ]);
    let (status, v) = upload(&dispatcher, &app, "plan.csv", plan.into_bytes()).await;
    assert_eq!(status, 201, "{v}");
    let list: Value = app
        .client
        .get(app.url("/api/v1/outage-plans"))
        .json_body()
        .await;
    assert_eq!(list["window_days"], 30);
    let list = list["rows"].as_array().unwrap().clone();
    let advice = |job: &str| row(&list, job)["advice"].as_array().unwrap().clone();
    let j1 = advice("J1");
    assert_eq!(j1.len(), 1, "{j1:?}");
    assert_eq!(j1[0]["kind"], "repeat");
    assert_eq!(j1[0]["other_job"], "J2");
    assert_eq!(j1[0]["shared_areas"], json!(["TA-001"]));
    assert_eq!(j1[0]["days_apart"], 29);
    let msg = j1[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("area TA-001 already planned out on")
            && msg.contains("by J2")
            && msg.contains("consider combining the jobs into one outage"),
        "{msg}"
    );
    let j2 = advice("J2");
    assert_eq!((j2.len(), &j2[0]["other_job"]), (1, &json!("J1")));
    assert!(advice("J3").is_empty(), "{:?}", advice("J3"));
    let j4 = advice("J4");
    assert_eq!(j4.len(), 1, "{j4:?}");
    assert_eq!(
        (&j4[0]["other_outage"], &j4[0]["days_apart"]),
        (&json!(outage), &json!(10))
    );

    // A 7-day window drops J1/J2 and the outage (10 days), keeping nothing.
    let mut config = crate::app::test_server_config();
    config.repeat.window_days = 7;
    let state = griddesk_server::AppState::new(
        app.store.clone(),
        app.state.lake.clone(),
        config,
        app.notifier.clone(),
    );
    let short = griddesk_server::api_outage_plans::list_view(&state, None)
        .await
        .unwrap();
    assert_eq!(short.window_days, 7);
    assert!(short.rows.iter().all(|r| r.advice.is_empty()));

    // The console highlights the warned rows and says what to do.
    let s = app.login("supervisor01").await;
    let page = app
        .get_in(&s, "/console/outage-plans")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("class=\"plan-warn\" data-job=\"J1\""),
        "{page}"
    );
    assert!(page.contains("class=\"plan-warn\" data-job=\"J4\""));
    assert!(page.contains("<tr data-job=\"J3\""), "{page}");
    assert!(page.contains("建议合并为一次停电"));
    assert!(page.contains(&format!("href=\"/console/outages/{outage}\"")));
    let en = app
        .get_in(&s, "/console/outage-plans?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("consider combining into one outage") && en.contains("Weekly plan"));
}

/// Issues J1 (TA-001) and J2 (TA-002) together; then a feeder job and an area job on it.
async fn issue_two_rows_as_one_outage(app: &TestApp) {
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let plan = csv(&[
        csv_row("J1", ("areas", "TA-001"), t0(), 8, "S01"),
        csv_row("J2", ("areas", "TA-002"), t0() + days(1), 6, "S01"),
        csv_row("J3", ("feeders", "F-A1"), t0() + days(3), 8, "S01"),
        csv_row("J4", ("areas", "TA-001"), t0() + days(3), 2, "S02"),
    ]);
    let (status, v) = upload(&dispatcher, app, "plan.csv", plan.into_bytes()).await;
    assert_eq!(status, 201, "{v}");
    let issue = |body: Value| {
        dispatcher
            .post(app.url("/api/v1/outage-plans/issue"))
            .json(&body)
    };
    let r = issue(json!({"job_ids": ["J1", "J2"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: Value = r.json().await.unwrap();
    let o = &v["outage"];
    let id = o["id"].as_i64().unwrap();
    assert_eq!(o["kind"]["code"], "planned");
    assert_eq!(o["status"]["code"], "planned");
    assert_eq!(o["scope_kind"], "areas");
    assert_eq!(o["scope"], json!(["TA-001", "TA-002"]));
    // Earliest start to latest end; ten days ahead, every notice is still in time.
    let at = |k: &str| o[k].as_str().unwrap().parse::<Timestamp>().unwrap();
    assert_eq!(at("start"), t0());
    assert_eq!(at("eta"), t0() + days(1) + SignedDuration::from_hours(6));
    assert_eq!(o["late_notices"], json!([]));
    let on_areas = app
        .customers
        .iter()
        .filter(|c| matches!(&c.connection, Connection::Area { .. }))
        .count();
    assert_eq!(o["affected"], on_areas as i64);
    assert_eq!(
        app.store.outage_customers(id, 1000).await.unwrap().len(),
        on_areas
    );
    for r in v["rows"].as_array().unwrap() {
        assert_eq!(
            (&r["status"]["code"], &r["outage_id"]),
            (&json!("issued"), &json!(id))
        );
    }
    let list = rows(app).await;
    assert_eq!(row(&list, "J1")["outage_id"], id);
    assert_eq!(row(&list, "J2")["status"]["code"], "issued");
    // Issued once: again (or with a draft) is refused and records no second outage.
    let before = app.store.outages(true, 100).await.unwrap().len();
    let r = issue(json!({"job_ids": ["J3", "J1"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "job_ids");
    let r = issue(json!({"job_ids": ["J9"]})).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.store.outages(true, 100).await.unwrap().len(), before);
    assert_eq!(row(&rows(app).await, "J3")["status"]["code"], "draft");
    // An issued job no longer changes.
    let r = dispatcher
        .patch(app.url("/api/v1/outage-plans/J1"))
        .json(&json!({"title": "改"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // A feeder job and an area job on that feeder: one feeder outage, with a title of its own.
    let v: Value = issue(json!({"job_ids": ["J3", "J4"], "title": "东一线综合检修"}))
        .json_body()
        .await;
    let o = &v["outage"];
    assert_eq!(o["scope_kind"], "feeders", "{v}");
    assert_eq!(o["scope"], json!(["F-A1"]));
    assert_eq!(o["title"], "东一线综合检修");
    assert_eq!(o["cause"], "设备检修");
}

#[tokio::test]
async fn two_rows_issue_as_one_outage_covering_both_scopes() {
    let app = spawn_app().await;
    issue_two_rows_as_one_outage(&app).await;
}

#[tokio::test]
async fn two_rows_issue_as_one_outage_on_postgres() {
    let Some(app) = spawn_postgres_app().await else {
        eprintln!("note: PostgreSQL skipped on purpose (GRIDDESK_TEST_SKIP_POSTGRES=1)");
        return;
    };
    issue_two_rows_as_one_outage(&app).await;
}

#[tokio::test]
async fn edits_are_checked_again_and_bad_ones_change_nothing() {
    let app = spawn_app().await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let plan = csv(&[csv_row("J1", ("areas", "TA-001"), t0(), 8, "S01")]);
    assert_eq!(
        upload(&dispatcher, &app, "p.csv", plan.into_bytes())
            .await
            .0,
        201
    );
    let before = row(&rows(&app).await, "J1").clone();
    let patch = |body: Value| {
        dispatcher
            .patch(app.url("/api/v1/outage-plans/J1"))
            .json(&body)
            .send()
    };
    let soon = (Timestamp::now() + days(3)).to_string();
    for (body, field) in [
        (json!({"planned_start": soon}), "planned_start"),
        (json!({"planned_start": "tomorrow"}), "planned_start"),
        (
            json!({"planned_end": before["planned_start"]}),
            "planned_end",
        ),
        (json!({"scope": {"areas": ["TA-404"]}}), "scope.areas"),
        (
            json!({"scope": {"areas": ["TA-001"], "feeders": ["F-A1"]}}),
            "scope",
        ),
        (json!({"responsible_unit": "NOWHERE"}), "responsible_unit"),
        (json!({"kind": "daily"}), "kind"),
        (json!({"title": " "}), "title"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let r = patch(body.clone()).await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], field, "{body}");
    }
    assert_eq!(row(&rows(&app).await, "J1"), &before, "nothing changed");
    let r = patch(json!({"title": "更换变压器", "scope": {"feeders": ["F-A1"]}}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (&v["title"], &v["scope_kind"], &v["version"]),
        (&json!("更换变压器"), &json!("feeders"), &json!(2))
    );
    let r = dispatcher
        .patch(app.url("/api/v1/outage-plans/J404"))
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Cancelled once.
    let cancel = || dispatcher.post(app.url("/api/v1/outage-plans/J1/cancel"));
    let v: Value = cancel().json_body().await;
    assert_eq!(v["status"]["code"], "cancelled");
    assert_eq!(cancel().send().await.unwrap().status(), 422);
}

#[tokio::test]
async fn the_console_edits_plan_rows_and_issues_the_ticked_ones_as_one_outage() {
    let app = spawn_app().await;
    let sup = app.login("supervisor01").await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let plan = csv(&[
        csv_row("J1", ("areas", "TA-001"), t0(), 8, "S01"),
        csv_row("J2", ("areas", "TA-002"), t0() + days(2), 8, "S01"),
    ]);
    assert_eq!(
        upload(&dispatcher, &app, "p.csv", plan.into_bytes())
            .await
            .0,
        201
    );
    let board = app
        .get_in(&sup, "/console/outages")
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains("href=\"/console/outage-plans\""));
    let page = app
        .get_in(&sup, "/console/outage-plans")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"plan-upload\"") && page.contains("id=\"issue-form\""));
    assert!(page.contains("name=\"job_ids\" value=\"J1\""));
    assert!(page.contains("周计划 · "), "grouped by week");
    // Agents read the plan without its forms.
    let agent = app.login("agent01").await;
    let page = app
        .get_in(&agent, "/console/outage-plans")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-job=\"J1\"") && !page.contains("id=\"plan-upload\""));
    assert!(!page.contains("name=\"job_ids\""));

    // Edit J1 through its page's form.
    let job = app
        .get_in(&sup, "/console/outage-plans/J1")
        .await
        .text()
        .await
        .unwrap();
    assert!(job.contains("id=\"plan-edit\""));
    let start = local(t0() + SignedDuration::from_hours(1)).replace(' ', "T");
    let end = local(t0() + SignedDuration::from_hours(5)).replace(' ', "T");
    let form = |title: &'static str, start: String| {
        vec![
            ("kind", "weekly".to_owned()),
            ("title", title.to_owned()),
            ("scope_kind", "areas".to_owned()),
            ("codes", "TA-001".to_owned()),
            ("planned_start", start),
            ("planned_end", end.clone()),
            ("work_content", "更换电缆头".to_owned()),
            ("responsible_unit", "S02".to_owned()),
            ("reason", "电缆检修".to_owned()),
        ]
    };
    let (app_ref, sup_ref) = (&app, &sup);
    let post = |fields: Vec<(&'static str, String)>| async move {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app_ref
            .post_in(sup_ref, "/console/outage-plans/J1/edit", &f)
            .await
    };
    let r = post(form("电缆头更换", start.clone())).await;
    assert_eq!(r.status(), 303);
    let j1 = row(&rows(&app).await, "J1").clone();
    assert_eq!(
        (&j1["title"], &j1["responsible_unit"], &j1["version"]),
        (&json!("电缆头更换"), &json!("S02"), &json!(2))
    );
    assert_eq!(
        j1["planned_start"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .unwrap(),
        t0() + SignedDuration::from_hours(1)
    );
    let r = post(form(
        "太早",
        local(Timestamp::now() + days(1)).replace(' ', "T"),
    ))
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(row(&rows(&app).await, "J1")["version"], 2);

    // Tick both and issue them as one outage.
    let r = app
        .post_in(
            &sup,
            "/console/outage-plans/issue",
            &[("job_ids", "J1"), ("job_ids", "J2"), ("title", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();
    let o = app.store.outage(id).await.unwrap().unwrap();
    assert_eq!(o.title, "电缆头更换；J2 检修");
    let list = rows(&app).await;
    for j in ["J1", "J2"] {
        assert_eq!(row(&list, j)["outage_id"], id);
    }
    let page = app
        .get_in(&sup, "/console/outage-plans")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("data-issued=\"{id}\"")));
    // Nothing ticked: a 400 page, nothing issued.
    let r = app.post_in(&sup, "/console/outage-plans/issue", &[]).await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn a_job_cutting_a_customer_near_its_own_maintenance_is_advised_to_share_it() {
    let app = spawn_app().await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let manager = app.client_as(Role::CustomerManager, "C01").await;
    let customer = app
        .customers
        .iter()
        .find(|c| matches!(&c.connection, Connection::Area { area } if area.as_str() == "TA-001"))
        .expect("a customer in TA-001")
        .customer_no
        .to_string();
    let record = |body: Value| {
        manager
            .post(app.url("/api/v1/customer-maintenance"))
            .json(&body)
            .send()
    };
    let at = |t: Timestamp| t.to_string();
    // The customer maintains its own plant three days after the job, and (a second time)
    // during it.
    let after = t0() + days(3);
    let r = record(json!({"customer_no": customer, "start": at(after),
        "end": at(after + SignedDuration::from_hours(6)), "note": "配电室年度预试"}))
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.unwrap();
    assert_eq!(
        (m["customer_no"].as_str(), m["area"].as_str()),
        (Some(customer.as_str()), Some("TA-001"))
    );
    let r = record(
        json!({"customer_no": customer, "start": at(t0() - SignedDuration::from_hours(1)),
        "end": at(t0() + SignedDuration::from_hours(9))}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    for (body, field) in [
        (
            json!({"customer_no": customer, "start": at(after), "end": at(after)}),
            "end",
        ),
        (
            json!({"customer_no": customer, "start": at(after), "end": at(after + days(15))}),
            "end",
        ),
        (
            json!({"customer_no": customer, "start": "soon", "end": at(after)}),
            "start",
        ),
        (
            json!({"customer_no": "12", "start": at(after), "end": at(after + days(1))}),
            "customer_no",
        ),
        (
            json!({"customer_no": "9999999999", "start": at(after), "end": at(after + days(1))}),
            "customer_no",
        ),
    ] {
        let r = record(body.clone()).await.unwrap();
        let status = r.status().as_u16();
        let p: Value = r.json().await.unwrap();
        assert!(matches!(status, 400 | 404), "{body}: {status}");
        assert_eq!(p["field"], field, "{body}: {p}");
    }
    let listed: Value = app
        .client
        .get(app.url(&format!(
            "/api/v1/customer-maintenance?from={}",
            at(t0() - days(1))
        )))
        .json_body()
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");

    let (status, v) = upload(
        &dispatcher,
        &app,
        "plan.csv",
        csv(&[
            csv_row("W01", ("areas", "TA-001"), t0(), 8, "S01"),
            // Another area: none of its customers maintains.
            csv_row("W02", ("areas", "TA-002"), t0(), 8, "S01"),
        ])
        .into_bytes(),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    let list = rows(&app).await;
    let advice: Vec<&Value> = row(&list, "W01")["advice"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "customer_maintenance")
        .collect();
    // Only the maintenance the job does not already lie inside.
    assert_eq!(advice.len(), 1, "{advice:?}");
    assert_eq!(advice[0]["shared_customers"], json!([customer]));
    assert_eq!(
        advice[0]["other_date"],
        griddesk_server::time::local_date(after).to_string()
    );
    assert_eq!(advice[0]["maintenance"], m["id"]);
    assert!(row(&list, "W02")["advice"].as_array().unwrap().is_empty());
    let page = app
        .client
        .get(app.url("/console/outage-plans"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-advice=\"customer_maintenance\""));
    assert!(page.contains(&format!("href=\"/console/customers/{customer}\"")));

    // The customer manager records a third one on the plan page's form.
    let li = app.login("li_jingli").await;
    let page = app
        .get_in(&li, "/console/outage-plans")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"maintenance-form\""));
    assert_eq!(page.matches("data-maintenance=").count(), 2);
    let start = local(t0() + days(20)).replace(' ', "T");
    let end = local(t0() + days(20) + SignedDuration::from_hours(4)).replace(' ', "T");
    let form = |end: &str| {
        vec![
            ("customer_no", customer.clone()),
            ("start", start.clone()),
            ("end", end.to_owned()),
            ("note", "变压器检修".to_owned()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let (app, li) = (&app, &li);
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_in(li, "/console/customer-maintenance", &f).await
        }
    };
    assert_eq!(
        post(form(&start)).await.status(),
        400,
        "ends before it starts"
    );
    assert_eq!(post(form(&end)).await.status(), 303);
    let page = app
        .get_in(&li, "/console/outage-plans")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("data-maintenance=").count(), 3);
    assert!(page.contains("变压器检修"));
    // Agents, who take the customers' calls, may record it too.
    let agent = app.login("agent01").await;
    let page = app
        .get_in(&agent, "/console/outage-plans")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"customer-maintenance\"") && page.contains("id=\"maintenance-form\"")
    );
}
