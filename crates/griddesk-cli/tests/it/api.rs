//! JSON API tests against the real server: search, the masked 360 record, history, plates,
//! problem documents for bad input, health, metrics, and that every route is documented.

use crate::app::{TestApp, spawn_app, spawn_demo_app, spawn_postgres_app};
use griddesk_domain::customer::Customer;
use serde_json::Value;

fn hits(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["customer_no"].as_str().expect("customer_no").to_owned())
        .collect()
}

/// A money amount of the API (a decimal string) as a number, for comparisons.
fn yuan(v: &Value) -> f64 {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an amount: {v}"))
}

/// Asserts a problem document with the status and field.
async fn assert_problem(app: &TestApp, path: &str, status: u16, field: Option<&str>) -> Value {
    let resp = app.get(path).await;
    assert_eq!(resp.status().as_u16(), status, "GET {path}");
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    assert_eq!(ct, "application/problem+json", "GET {path}");
    let p: Value = resp.json().await.expect("problem json");
    assert_eq!(p["status"], status, "GET {path}: {p}");
    assert!(p["type"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
    assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
    assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
    assert_eq!(p["field"].as_str(), field, "GET {path}: {p}");
    p
}

/// Raw personal data of a customer that must never leave the server.
fn secrets(c: &Customer) -> Vec<String> {
    let mut s: Vec<String> = c
        .contacts
        .iter()
        .flat_map(|k| k.phones.iter().map(|p| p.as_str().to_owned()))
        .collect();
    s.extend(
        c.contacts
            .iter()
            .filter_map(|k| k.email.as_ref().map(|e| e.as_str().to_owned())),
    );
    s.extend(c.id_number.iter().map(|i| i.as_str().to_owned()));
    s.push(c.address.clone());
    s
}

#[tokio::test]
async fn search_finds_customers_by_number_name_phone_and_address() {
    let app = spawn_app().await;
    let c = app.resident().clone();

    let (s, v) = app
        .get_json(&format!("/api/v1/customers?q={}", c.customer_no))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(hits(&v), [c.customer_no.to_string()]);
    assert_eq!(v["items"][0]["name"], c.name.as_str());

    let (s, v) = app
        .get_json(&format!("/api/v1/customers?q={}", c.name))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(hits(&v).contains(&c.customer_no.to_string()), "{v}");
    for item in v["items"].as_array().expect("items") {
        assert!(
            item["name"].as_str().expect("name").contains(&c.name),
            "{item}"
        );
    }

    let phone = c.primary_phone().expect("phone").as_str().to_owned();
    let (s, v) = app.get_json(&format!("/api/v1/customers?q={phone}")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(hits(&v), [c.customer_no.to_string()]);
    assert!(!v.to_string().contains(&phone), "phone leaked: {v}");

    // An address fragment: road name and house number of an urban customer.
    let urban = app.customer(|c| c.address.contains("建国路"));
    let fragment: String = urban.address.chars().skip(3).take(6).collect();
    let (s, v) = app
        .get_json(&format!("/api/v1/customers?q={fragment}"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(
        hits(&v).contains(&urban.customer_no.to_string()),
        "{fragment}: {v}"
    );
    // The exact address is masked in results.
    assert!(!v.to_string().contains(&urban.address), "{v}");
    assert!(
        v["items"][0]["address"]
            .as_str()
            .expect("address")
            .ends_with("****")
    );

    // Limit caps the hits.
    let (s, v) = app.get_json("/api/v1/customers?q=建国路&limit=3").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["count"], 3);
    assert_eq!(v["limit"], 3);
    assert_eq!(hits(&v).len(), 3);
}

type Predicate = Box<dyn Fn(&Customer) -> bool>;

#[tokio::test]
async fn search_filters_by_classification() {
    let app = spawn_app().await;
    let expect = |pred: &dyn Fn(&Customer) -> bool| {
        let mut v: Vec<String> = app
            .customers
            .iter()
            .filter(|c| pred(c))
            .map(|c| c.customer_no.to_string())
            .collect();
        v.sort();
        v
    };
    let cases: [(&str, Predicate); 5] = [
        (
            "tariff=commercial",
            Box::new(|c| c.tariff.code() == "commercial"),
        ),
        ("high_voltage=true", Box::new(Customer::is_high_voltage)),
        ("dual_supply=true", Box::new(Customer::is_dual_supply)),
        (
            "area_type=rural&tariff=residential",
            Box::new(|c| c.area_type.code() == "rural" && c.tariff.code() == "residential"),
        ),
        (
            "important_grade=grade1",
            Box::new(|c| c.important_grade.code() == "grade1"),
        ),
    ];
    for (query, pred) in cases {
        let (s, v) = app
            .get_json(&format!("/api/v1/customers?{query}&limit=100"))
            .await;
        assert_eq!(s, 200, "{query}: {v}");
        let want = expect(pred.as_ref());
        assert!(!want.is_empty(), "fixture has customers for {query}");
        assert_eq!(hits(&v), want, "{query}");
    }
    // Filter and text together; an empty value means "any".
    let (s, v) = app
        .get_json("/api/v1/customers?q=建国路&tariff=commercial&industry=")
        .await;
    assert_eq!(s, 200, "{v}");
    let got = hits(&v);
    assert!(!got.is_empty());
    for no in got {
        let c = app.customer(|c| c.customer_no.as_str() == no);
        assert_eq!(c.tariff.code(), "commercial");
    }
}

#[tokio::test]
async fn customer_detail_is_the_masked_360_record() {
    let app = spawn_app().await;
    for c in [
        app.resident().clone(),
        app.customer(Customer::is_dual_supply).clone(),
    ] {
        let (s, v) = app
            .get_json(&format!("/api/v1/customers/{}", c.customer_no))
            .await;
        assert_eq!(s, 200, "{v}");
        let body = v.to_string();
        for secret in secrets(&c) {
            assert!(!body.contains(&secret), "{secret} leaked in {body}");
        }
        assert_eq!(v["name"], c.name.as_str());
        let phone = c.contacts[0].phones[0].as_str();
        assert_eq!(
            v["contacts"][0]["phones"][0],
            format!("{}****{}", &phone[..3], &phone[phone.len() - 4..])
        );
        assert_eq!(v["classification"]["tariff"]["code"], c.tariff.code());
        assert_eq!(
            v["classification"]["tariff"]["zh"],
            c.tariff.label(griddesk_domain::values::Lang::Zh)
        );
        assert_eq!(
            v["classification"]["tariff"]["en"],
            c.tariff.label(griddesk_domain::values::Lang::En)
        );
        for dim in [
            "supply_relation",
            "usage_nature",
            "load_importance",
            "important_grade",
            "area_type",
            "industry",
            "institution",
        ] {
            assert!(v["classification"][dim]["zh"].is_string(), "{dim}: {v}");
        }
        assert_eq!(v["topology"]["substation_code"], "SUB-A");
        assert_eq!(v["topology"]["feeder_code"], "F-A1");
        assert_eq!(v["meters"][0]["meter_no"], c.meters[0].meter_no.as_str());
        if let Some(id) = &c.id_number {
            let masked = v["id_number"].as_str().expect("id masked");
            assert!(
                masked.starts_with(&id.as_str()[..3]) && masked.contains("****"),
                "{masked}"
            );
        }
        if c.is_dual_supply() {
            assert_eq!(v["classification"]["dual_supply"], true);
            assert_eq!(v["topology"]["backup_feeder_code"], "F-A2");
            assert_eq!(v["customer_manager"]["name"], "李经理");
            assert_eq!(v["topology"]["area_code"], Value::Null);
        } else {
            assert_eq!(v["topology"]["area_code"], "TA-001");
        }
    }
    // Theft cases come with the record.
    let thief = &app.customers[3];
    let (_, v) = app
        .get_json(&format!("/api/v1/customers/{}", thief.customer_no))
        .await;
    assert_eq!(v["theft_cases"][0]["case_no"], "QD2025001");
}

#[tokio::test]
async fn history_has_36_months_of_bills_payments_and_arrears() {
    let app = spawn_app().await;
    let late_payer = &app.customers[1];
    let (s, v) = app
        .get_json(&format!(
            "/api/v1/customers/{}/history",
            late_payer.customer_no
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["months"], 36);
    let monthly = v["monthly"].as_array().expect("monthly");
    assert_eq!(monthly.len(), 36);
    assert!(monthly.iter().all(|m| m["billed"] == true), "{v}");
    assert_eq!(v["bills"].as_array().expect("bills").len(), 36);
    let today = griddesk_server::time::today();
    let last = griddesk_domain::billing::Period::of(today).add_months(-1);
    assert_eq!(monthly[35]["period"], last.to_string());
    assert_eq!(monthly[0]["period"], last.add_months(-35).to_string());
    assert_eq!(v["today"], today.to_string());
    let payments = v["payments"].as_array().expect("payments");
    assert!(
        payments.iter().any(|p| p["late"] == true),
        "late payments are marked"
    );
    assert!(
        payments
            .iter()
            .all(|p| p["paid_at"].as_str().expect("paid_at").ends_with("+08:00"))
    );
    assert_eq!(v["readings"].as_array().expect("readings").len(), 31);
    assert_eq!(yuan(&v["arrears"]["arrears"]), 0.0, "{}", v["arrears"]);
    assert!(
        v["arrears"]["late_payments"].as_u64().expect("late") >= 10,
        "{}",
        v["arrears"]
    );

    let debtor = &app.customers[4];
    let (_, v) = app
        .get_json(&format!(
            "/api/v1/customers/{}/history?months=12",
            debtor.customer_no
        ))
        .await;
    assert_eq!(v["monthly"].as_array().expect("monthly").len(), 12);
    assert!(yuan(&v["arrears"]["arrears"]) > 0.0, "{}", v["arrears"]);
    assert!(v["arrears"]["overdue_bills"].as_u64().expect("overdue") >= 1);

    let industrial = app.customers.last().expect("industrial");
    let (_, v) = app
        .get_json(&format!(
            "/api/v1/customers/{}/history",
            industrial.customer_no
        ))
        .await;
    assert!(
        v["payments"]
            .as_array()
            .expect("p")
            .iter()
            .any(|p| p["bounced"] == true)
    );
    assert_eq!(v["arrears"]["bounced_payments"], 1);
    let curves = v["load_curves"].as_array().expect("curves");
    assert!(!curves.is_empty());
    assert_eq!(curves[0]["points_kw"].as_array().expect("points").len(), 96);
}

#[tokio::test]
async fn plates_carry_a_qr_code_but_not_name_or_address() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    let resp = app
        .get(&format!("/api/v1/customers/{}/plate.svg", c.customer_no))
        .await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("image/svg+xml")
    );
    let svg = resp.text().await.expect("svg");
    assert!(svg.contains("<svg"));
    assert!(svg.contains(c.customer_no.as_str()));
    assert!(svg.contains("95598"));
    assert!(svg.contains("东村1号台区"), "area name printed");
    assert!(svg.contains("10kV东一线"), "line name printed");
    assert!(svg.contains(crate::app::COMPANY));
    assert!(svg.contains("class=\"qr\""), "QR code present");
    assert!(svg.matches("h1v1h-1z").count() > 100, "QR modules drawn");
    assert!(!svg.contains(&c.name), "name printed in clear");
    assert!(!svg.contains(&c.address), "address printed in clear");
    let house: String = c.address.chars().skip(3).collect();
    assert!(!svg.contains(&house), "address fragment printed in clear");

    let resp = app.get("/api/v1/areas/TA-001/plates.svg").await;
    assert_eq!(resp.status(), 200);
    let svg = resp.text().await.expect("svg");
    let area: Vec<&Customer> = app
        .customers
        .iter()
        .filter(|c| matches!(&c.connection, griddesk_domain::customer::Connection::Area { area } if area.as_str() == "TA-001"))
        .collect();
    assert_eq!(area.len(), 12);
    assert_eq!(svg.matches("class=\"plate\"").count(), 12);
    assert_eq!(
        svg.matches("class=\"page\"").count(),
        2,
        "8 plates per A4 page"
    );
    assert!(svg.contains("width=\"210mm\""));
    for c in area {
        assert!(svg.contains(c.customer_no.as_str()));
        assert!(!svg.contains(&c.name), "{} printed", c.name);
        assert!(!svg.contains(&c.address), "{} printed", c.address);
    }
}

#[tokio::test]
async fn bad_input_is_a_problem_naming_the_field() {
    let app = spawn_app().await;
    assert_problem(&app, "/api/v1/customers/123", 400, Some("customer_no")).await;
    assert_problem(
        &app,
        "/api/v1/customers/01000000xx",
        400,
        Some("customer_no"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers/123/history",
        400,
        Some("customer_no"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers/123/plate.svg",
        400,
        Some("customer_no"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers?q=张伟&limit=abc",
        400,
        Some("limit"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers?q=张伟&limit=1000",
        400,
        Some("limit"),
    )
    .await;
    assert_problem(&app, "/api/v1/customers?q=张伟&limit=0", 400, Some("limit")).await;
    assert_problem(
        &app,
        "/api/v1/customers?q=张伟&limit=-5",
        400,
        Some("limit"),
    )
    .await;
    let p = assert_problem(
        &app,
        "/api/v1/customers?tariff=nuclear",
        400,
        Some("tariff"),
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .expect("detail")
            .contains("residential"),
        "{p}"
    );
    assert_problem(
        &app,
        "/api/v1/customers?high_voltage=maybe",
        400,
        Some("high_voltage"),
    )
    .await;
    assert_problem(&app, "/api/v1/customers", 400, Some("q")).await;
    assert_problem(&app, "/api/v1/customers?q=", 400, Some("q")).await;
    assert_problem(&app, "/api/v1/customers?q=张", 400, Some("q")).await;
    assert_problem(&app, "/api/v1/customers?area=a%20b", 400, Some("area")).await;
    assert_problem(
        &app,
        "/api/v1/customers/0100000001/history?months=0",
        400,
        Some("months"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers/0100000001/history?months=x",
        400,
        Some("months"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers/0100000001/history?months=999",
        400,
        Some("months"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/areas/bad%20code!/plates.svg",
        400,
        Some("area_code"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers/0999999999",
        404,
        Some("customer_no"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers/0999999999/history",
        404,
        Some("customer_no"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/customers/0999999999/plate.svg",
        404,
        Some("customer_no"),
    )
    .await;
    assert_problem(
        &app,
        "/api/v1/areas/NO-SUCH/plates.svg",
        404,
        Some("area_code"),
    )
    .await;
    assert_problem(&app, "/api/v1/no-such-route", 404, None).await;
    assert_problem(&app, "/api/nothing", 404, None).await;

    let resp = app
        .client
        .post(app.url("/api/v1/customers"))
        .body("{}")
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn malformed_input_never_causes_a_server_error() {
    let app = spawn_app().await;
    let long = "张".repeat(500);
    let paths = [
        "/api/v1/customers?q=%00".to_owned(),
        "/api/v1/customers?q=%FF%FE".to_owned(),
        "/api/v1/customers?q=%22%3B%20DROP%20TABLE%20customers%3B--".to_owned(),
        "/api/v1/customers?q=' OR 1=1 --".replace(' ', "%20"),
        "/api/v1/customers?q=*".to_owned(),
        "/api/v1/customers?q=%25%25%25".to_owned(),
        "/api/v1/customers?q=NEAR(a%20b)".to_owned(),
        "/api/v1/customers?q=\"\"".to_owned(),
        "/api/v1/customers?q=a:b".to_owned(),
        "/api/v1/customers?q=()".to_owned(),
        "/api/v1/customers?q=-".to_owned(),
        format!("/api/v1/customers?q={long}"),
        "/api/v1/customers?q=张伟&limit=99999999999999999999".to_owned(),
        "/api/v1/customers?q=张伟&limit=1&limit=2".to_owned(),
        "/api/v1/customers?tariff=%00".to_owned(),
        "/api/v1/customers?org_unit=%27".to_owned(),
        "/api/v1/customers?feeder=x&customer_manager=%E2%80%AE".to_owned(),
        "/api/v1/customers?&&&=&=".to_owned(),
        "/api/v1/customers?q=%".to_owned(),
        "/api/v1/customers/%00".to_owned(),
        "/api/v1/customers/%FF".to_owned(),
        "/api/v1/customers/..%2F..%2Fetc%2Fpasswd".to_owned(),
        "/api/v1/customers/0100000001%00".to_owned(),
        "/api/v1/customers/-100000001".to_owned(),
        "/api/v1/customers/0100000001/history?months=-1".to_owned(),
        "/api/v1/customers/0100000001/history?months=4294967296".to_owned(),
        "/api/v1/areas/%FF/plates.svg".to_owned(),
        format!("/api/v1/areas/{}/plates.svg", "A".repeat(300)),
        "/console/search?q=%FF".to_owned(),
        "/console/search?tariff=nuclear".to_owned(),
        "/console/search?q=' OR 1=1".replace(' ', "%20"),
        "/console/customers/%FF".to_owned(),
        "/console/customers/abc".to_owned(),
        "/console/areas/%00/plates".to_owned(),
        "/console/areas/NOPE/plates".to_owned(),
        "/assets/..%2F..%2FCargo.toml".to_owned(),
    ];
    for p in &paths {
        let resp = app.get(p).await;
        let status = resp.status().as_u16();
        assert!((200..500).contains(&status), "GET {p} gave {status}");
        if p.starts_with("/api/") && status >= 400 {
            assert_eq!(
                resp.headers()["content-type"],
                "application/problem+json",
                "{p}"
            );
            let body = resp.text().await.expect("body");
            let lower = body.to_lowercase();
            assert!(
                !lower.contains("select ")
                    && !lower.contains("sqlite")
                    && !lower.contains("panicked"),
                "{p}: {body}"
            );
        }
    }
    // The server is still healthy afterwards.
    let (s, _) = app.get_json("/healthz").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn healthz_reports_status_backend_and_version() {
    let app = spawn_app().await;
    let (s, v) = app.get_json("/healthz").await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["backend"], "sqlite");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn stats_and_org_units() {
    let app = spawn_app().await;
    let (s, v) = app.get_json("/api/v1/stats").await;
    assert_eq!(s, 200);
    assert_eq!(v["customers"], app.customers.len());
    assert_eq!(v["dual_supply_customers"], 1);
    assert_eq!(v["high_voltage_customers"], 2);
    assert_eq!(v["areas"], 2);
    let (s, v) = app.get_json("/api/v1/org-units").await;
    assert_eq!(s, 200);
    let units = v.as_array().expect("units");
    assert_eq!(units.len(), 4);
    let station = units.iter().find(|u| u["code"] == "S01").expect("S01");
    assert_eq!(station["kind"]["zh"], "供电所");
    assert_eq!(station["parent"], "B01");
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    for _ in 0..3 {
        app.get(&format!("/api/v1/customers/{}", c.customer_no))
            .await;
    }
    app.get("/api/v1/customers/123").await;
    // Metrics are for operations (an administrator's token, e.g. Prometheus's).
    assert_eq!(app.get("/metrics").await.status(), 403);
    let admin = app
        .client_as(griddesk_domain::org::Role::Admin, "C01")
        .await;
    let resp = admin
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("body");
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("griddesk_http_requests_total{")
                && l.contains("path=\"/api/v1/customers/{customer_no}\"")
                && l.contains("status=\"200\"")
        })
        .unwrap_or_else(|| panic!("no request counter in:\n{text}"));
    let n: f64 = line
        .rsplit(' ')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("value");
    assert!(n >= 3.0, "{line}");
    assert!(text.lines().any(|l| l.starts_with("griddesk_http_requests_total{") && l.contains("status=\"400\"")));
    assert!(
        text.contains("griddesk_http_request_duration_seconds_bucket"),
        "latency histogram"
    );
    // Raw paths are not labels (cardinality).
    assert!(!text.contains(&format!("path=\"/api/v1/customers/{}\"", c.customer_no)));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for p in [
        "/healthz",
        "/api/v1/customers/123",
        "/api/v1/no-route",
        "/console",
        "/console/nothing",
        "/assets/app.css",
        "/api/docs",
    ] {
        let resp = app.get(p).await;
        let h = resp.headers();
        assert_eq!(
            h["content-security-policy"],
            griddesk_server::CONTENT_SECURITY_POLICY,
            "{p}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{p}");
        assert_eq!(h["referrer-policy"], "same-origin", "{p}");
    }
}

#[tokio::test]
async fn openapi_document_and_docs_page() {
    let app = spawn_app().await;
    let (s, v) = app.get_json("/api/openapi.json").await;
    assert_eq!(s, 200);
    assert!(v["openapi"].as_str().expect("openapi").starts_with("3."));
    assert!(
        v["paths"]["/api/v1/customers"]["get"]["parameters"]
            .as_array()
            .expect("params")
            .iter()
            .any(|p| p["name"] == "tariff")
    );
    assert!(v["components"]["schemas"]["Problem"].is_object());
    let (s, html) = app.get_text("/api/docs").await;
    assert_eq!(s, 200);
    assert!(html.contains("swagger-ui-bundle.js"));
    assert!(html.contains("docs.js"));
    assert!(!html.contains("<script>"), "no inline script");
    let resp = app.get("/assets/docs.js").await;
    assert_eq!(resp.status(), 200);
}

/// Route paths registered with plain axum `.route(` in the server's sources.
fn plain_routes_in_sources() -> Vec<(String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../griddesk-server/src");
    let mut out = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("server sources") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            // Unit-test modules (at the end of a file) build throwaway routers; skip them.
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            // `.get("/…"` and `.post("/…"` are the console's route registry.
            for call in [
                ".route(",
                ".route_service(",
                ".nest(",
                ".nest_service(",
                ".get(",
                ".post(",
            ] {
                for (i, _) in text.match_indices(call) {
                    let rest = text[i + call.len()..].trim_start();
                    if let Some(lit) = rest.strip_prefix('"').and_then(|r| r.split('"').next())
                        && lit.starts_with('/')
                    {
                        out.push((lit.to_owned(), path.display().to_string()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_api_route_in_the_sources_is_documented() {
    let doc = griddesk_server::openapi();
    let routes = plain_routes_in_sources();
    assert!(
        routes.iter().any(|(p, _)| p == "/console"),
        "the scan sees the console's routes, so it would see API ones: {routes:?}"
    );
    for (path, file) in routes {
        let api = path.starts_with("/api")
            || path.starts_with("/healthz")
            || path.starts_with("/metrics");
        if api {
            assert!(
                doc.paths.paths.contains_key(&path),
                "{path} is registered in {file} without OpenAPI documentation (#[utoipa::path] + routes!)"
            );
        }
    }
    for required in [
        "/healthz",
        "/metrics",
        "/api/v1/customers",
        "/api/v1/customers/{customer_no}",
    ] {
        assert!(doc.paths.paths.contains_key(required), "{required}");
    }
}

#[tokio::test]
async fn the_demo_company_is_served_masked_and_complete() {
    let app = spawn_demo_app().await;
    let hv: Vec<&Customer> = app
        .customers
        .iter()
        .filter(|c| c.is_high_voltage())
        .take(5)
        .collect();
    assert!(!hv.is_empty(), "the demo company has HV customers");
    for c in app.customers.iter().take(25).chain(hv) {
        let (s, v) = app
            .get_json(&format!("/api/v1/customers/{}", c.customer_no))
            .await;
        assert_eq!(s, 200, "{v}");
        let body = v.to_string();
        for secret in secrets(c) {
            assert!(
                !body.contains(&secret),
                "{secret} leaked for {}",
                c.customer_no
            );
        }
        let (s, v) = app
            .get_json(&format!("/api/v1/customers/{}/history", c.customer_no))
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["monthly"].as_array().expect("monthly").len(), 36);
        assert!(
            !v["bills"].as_array().expect("bills").is_empty(),
            "{} has bills",
            c.customer_no
        );
        let (s, svg) = app
            .get_text(&format!("/api/v1/customers/{}/plate.svg", c.customer_no))
            .await;
        assert_eq!(s, 200);
        assert!(
            !svg.contains(&c.name) && !svg.contains(&c.address),
            "{}",
            c.customer_no
        );
        let (s, html) = app
            .get_text(&format!("/console/customers/{}", c.customer_no))
            .await;
        assert_eq!(s, 200);
        for secret in secrets(c) {
            assert!(
                !html.contains(&secret),
                "{secret} shown for {}",
                c.customer_no
            );
        }
    }
    let c = &app.customers[5];
    let (s, v) = app
        .get_json(&format!("/api/v1/customers?q={}&limit=100", c.name))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(
        hits(&v).contains(&c.customer_no.to_string()),
        "{}: {v}",
        c.name
    );
}

#[tokio::test]
async fn the_api_works_on_postgres() {
    let Some(app) = spawn_postgres_app().await else {
        return;
    };
    let (s, v) = app.get_json("/healthz").await;
    assert_eq!(s, 200);
    assert_eq!(v["backend"], "postgres");
    let c = app.resident().clone();
    let (s, v) = app
        .get_json(&format!("/api/v1/customers?q={}", c.name))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(hits(&v).contains(&c.customer_no.to_string()));
    let phone = c.primary_phone().expect("phone").as_str().to_owned();
    let (_, v) = app.get_json(&format!("/api/v1/customers?q={phone}")).await;
    assert_eq!(hits(&v), [c.customer_no.to_string()]);
    let (_, v) = app.get_json("/api/v1/customers?dual_supply=true").await;
    assert_eq!(hits(&v).len(), 1);
    let (s, v) = app
        .get_json(&format!("/api/v1/customers/{}", c.customer_no))
        .await;
    assert_eq!(s, 200);
    for secret in secrets(&c) {
        assert!(!v.to_string().contains(&secret));
    }
    let (s, v) = app
        .get_json(&format!("/api/v1/customers/{}/history", c.customer_no))
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["monthly"].as_array().expect("monthly").len(), 36);
    assert_problem(
        &app,
        "/api/v1/customers/0999999999",
        404,
        Some("customer_no"),
    )
    .await;
    let (s, _) = app
        .get_text("/api/v1/customers?q=%22%3B%20DROP%20TABLE%20x%3B--")
        .await;
    assert_eq!(s, 200);
}
