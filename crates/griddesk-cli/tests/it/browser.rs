//! A real headless-Chromium test of the console, driven through WebDriver (chromedriver): log in
//! through the login form, search a customer, open the customer 360 page, check that ECharts drew
//! the consumption chart from the JSON API (which proves app.js, the embedded assets, the session
//! cookie and the Content-Security-Policy work together), unmask the personal data with a reason,
//! and log out. Fails, not skips, when Chromium or chromedriver is missing.

use crate::app::{STAFF_PASSWORD, spawn_demo_app};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn chromium_path() -> PathBuf {
    let p = std::env::var_os("GRIDDESK_CHROMIUM")
        .map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    assert!(
        p.exists(),
        "Chromium not found at {} (set GRIDDESK_CHROMIUM); the console browser test needs it",
        p.display()
    );
    p
}

/// chromedriver on a free port, killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver() -> Driver {
    let bin = std::env::var_os("GRIDDESK_CHROMEDRIVER")
        .map_or_else(|| PathBuf::from(CHROMEDRIVER), PathBuf::from);
    assert!(
        bin.exists(),
        "chromedriver not found at {} (Debian package chromium-driver; or set GRIDDESK_CHROMEDRIVER)",
        bin.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver { child, port };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not listen on port {port}");
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": chromium_path(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update",
                "--hide-scrollbars", "--lang=zh-CN", "--window-size=1280,1600",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session with chromium")
}

async fn path_of(c: &Client) -> String {
    let u = c.current_url().await.expect("url");
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_login_search_chart_and_unmask_in_chromium() {
    let app = spawn_demo_app().await;
    app.set_password("agent01").await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(&driver, profile.path()).await;
    // The demo company's first customer: the lowest number, so first among the hits.
    let cust = app.customers[0].clone();
    let fragment: String = cust.name.chars().take(2).collect();
    let wait = Duration::from_secs(30);

    // 1. Not logged in: the search sends us to the login form, which brings us back.
    c.goto(&app.url(&format!("/console/search?q={fragment}")))
        .await
        .expect("open search");
    assert!(path_of(&c).await.starts_with("/login?next="));
    c.find(Locator::Css("input[name=login]"))
        .await
        .expect("login field")
        .send_keys("agent01")
        .await
        .expect("type login");
    c.find(Locator::Css("input[name=password]"))
        .await
        .expect("password field")
        .send_keys(STAFF_PASSWORD)
        .await
        .expect("type password");
    c.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("log in");
    let href = format!("/console/customers/{}", cust.customer_no);
    let link = c
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(&format!("a[href='{href}']")))
        .await
        .unwrap_or_else(|e| panic!("customer link not found after login: {e}"));
    assert!(path_of(&c).await.starts_with("/console/search"));

    // 2. The customer 360 page: app.js draws the chart from the API with the session cookie.
    link.click().await.expect("open customer");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#history-chart[data-rendered='true'] canvas"))
        .await
        .unwrap_or_else(|e| panic!("chart not rendered: {e}"));
    let dom = c.source().await.expect("dom");
    assert!(dom.contains("_echarts_instance_"), "ECharts initialised");
    assert!(dom.contains(&cust.name));
    let phones: Vec<String> = cust
        .contacts
        .iter()
        .flat_map(|k| &k.phones)
        .map(ToString::to_string)
        .collect();
    assert!(!phones.is_empty());
    for p in &phones {
        assert!(
            !dom.contains(p.as_str()),
            "raw phone in the DOM before unmasking"
        );
    }

    // 3. A screenshot of the page, non-trivial.
    let png = c.screenshot().await.expect("screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    assert!(
        png.len() > 40_000,
        "screenshot suspiciously small: {} bytes",
        png.len()
    );
    if let Some(dir) = std::env::var_os("GRIDDESK_KEEP_SCREENSHOT") {
        std::fs::write(Path::new(&dir).join("customer360.png"), &png).expect("keep screenshot");
    }

    // 4. Unmask with a reason: the page shows the phone and says the read was recorded.
    c.find(Locator::Css("#unmask summary"))
        .await
        .expect("unmask")
        .click()
        .await
        .expect("open");
    c.find(Locator::Css("#unmask input[name=reason]"))
        .await
        .expect("reason")
        .send_keys("客户来电核实联系电话")
        .await
        .expect("type reason");
    c.find(Locator::Css("#unmask button[type=submit]"))
        .await
        .expect("show")
        .click()
        .await
        .expect("submit");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#unmasked"))
        .await
        .unwrap_or_else(|e| panic!("no unmasked notice: {e}"));
    let dom = c.source().await.expect("dom");
    assert!(
        dom.contains(phones[0].as_str()),
        "phone shown after unmasking"
    );

    // 5. Log out: back to the login form; the console is closed again.
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("log out");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("form[action='/login']"))
        .await
        .expect("login form after logout");
    c.goto(&app.url(&href)).await.expect("reopen");
    assert!(path_of(&c).await.starts_with("/login?next="));
    c.close().await.expect("close browser");
}

async fn log_in(c: &Client, app: &crate::app::TestApp, login: &str) {
    c.goto(&app.url("/login")).await.expect("open login");
    c.find(Locator::Css("input[name=login]"))
        .await
        .expect("login field")
        .send_keys(login)
        .await
        .expect("type login");
    c.find(Locator::Css("input[name=password]"))
        .await
        .expect("password field")
        .send_keys(STAFF_PASSWORD)
        .await
        .expect("type password");
    c.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("log in");
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .expect("logged in");
}

/// The agent workbench taking a call end to end in a real browser: the caller's number brings
/// up the customer (htmx), the agent takes a complaint with the form and dispatches it, the
/// order page shows it with a ticking countdown, the agent records the cause; then a
/// supervisor's complaint ledger draws the Pareto chart of causes (ECharts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_workbench_takes_a_call_end_to_end_in_chromium() {
    let app = spawn_demo_app().await;
    app.set_password("agent01").await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(&driver, profile.path()).await;
    let wait = Duration::from_secs(30);
    // A caller whose number belongs to exactly one customer.
    let phone_of = |x: &griddesk_domain::customer::Customer| {
        x.contacts
            .iter()
            .flat_map(|k| &k.phones)
            .next()
            .map(ToString::to_string)
    };
    let cust = app
        .customers
        .iter()
        .find(|x| {
            phone_of(x).is_some_and(|p| {
                app.customers
                    .iter()
                    .filter(|y| {
                        y.contacts
                            .iter()
                            .flat_map(|k| &k.phones)
                            .any(|q| q.to_string() == p)
                    })
                    .count()
                    == 1
            })
        })
        .expect("a customer with a phone of their own")
        .clone();
    let phone = phone_of(&cust).expect("phone");

    let starter = griddesk_server::api_knowledge::parse_articles(
        "knowledge.toml",
        griddesk_server::api_knowledge::STARTER,
    )
    .expect("starter articles");
    griddesk_server::api_knowledge::import_articles(app.store.as_ref(), &starter, "system:test")
        .await
        .expect("import articles");
    log_in(&c, &app, "agent01").await;
    c.goto(&app.url("/console/workbench"))
        .await
        .expect("workbench");
    c.find(Locator::Css("#call-lookup input[name=q]"))
        .await
        .expect("lookup field")
        .send_keys(&phone)
        .await
        .expect("type phone");
    c.find(Locator::Css("#call-lookup button[type=submit]"))
        .await
        .expect("lookup button")
        .click()
        .await
        .expect("look up");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css(&format!(
            "#caller[data-customer='{}']",
            cust.customer_no
        )))
        .await
        .unwrap_or_else(|e| panic!("the caller was not recognised: {e}"));
    assert_eq!(
        path_of(&c).await,
        "/console/workbench",
        "htmx swapped the panel in place"
    );
    let dom = c.source().await.expect("dom");
    assert!(dom.contains(&cust.name));

    // The new-order form, prefilled with the customer and the caller's number.
    let form = c
        .find(Locator::Css("#new-order form"))
        .await
        .expect("order form");
    form.find(Locator::Css(
        "select[name=order_type] option[value=complaint]",
    ))
    .await
    .expect("type option")
    .click()
    .await
    .expect("choose complaint");
    form.find(Locator::Css("input[name=contact_name]"))
        .await
        .expect("contact")
        .send_keys("王女士")
        .await
        .expect("type name");
    form.find(Locator::Css("input[name=subject]"))
        .await
        .expect("subject")
        .send_keys("停电前未收到通知")
        .await
        .expect("type subject");
    // The knowledge base suggests what to tell the caller while the agent types.
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#new-order-form-kb .kb-item"))
        .await
        .unwrap_or_else(|e| panic!("no knowledge-base suggestions appeared: {e}"));
    let dom = c.source().await.expect("dom");
    assert!(
        dom.contains("计划停电告知答复口径"),
        "the outage answer is suggested"
    );
    let unit = app
        .store
        .list_org_units()
        .await
        .expect("units")
        .into_iter()
        .find(|u| u.parent.is_some())
        .expect("a unit")
        .code
        .to_string();
    form.find(Locator::Css(&format!(
        "select[name=org_unit] option[value='{unit}']"
    )))
    .await
    .expect("unit option")
    .click()
    .await
    .expect("choose unit");
    form.find(Locator::Css("button[type=submit]"))
        .await
        .expect("accept")
        .click()
        .await
        .expect("submit order");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#order-status[data-status='dispatched']"))
        .await
        .unwrap_or_else(|e| panic!("the order page did not show a dispatched order: {e}"));
    let id: i64 = path_of(&c)
        .await
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("order id in the URL");
    let o = app
        .store
        .work_order(id)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(o.owner, "staff:agent01");
    assert_eq!(o.customer_no.as_ref(), Some(&cust.customer_no));
    assert_eq!(
        o.contact_phone.as_ref().map(ToString::to_string),
        Some(phone.clone())
    );
    // The countdown ticks in the browser (app.js), in Chinese.
    let first = c
        .find(Locator::Css("#deadlines .countdown"))
        .await
        .expect("countdown")
        .text()
        .await
        .expect("text");
    assert!(first.starts_with("剩余"), "{first}");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let later = c
        .find(Locator::Css("#deadlines .countdown"))
        .await
        .expect("countdown")
        .text()
        .await
        .expect("text");
    assert_ne!(first, later, "the countdown ticks");
    // Record the cause in the complaint panel.
    c.find(Locator::Css(
        "#complaint select[name=cause] option[value=communication]",
    ))
    .await
    .expect("cause option")
    .click()
    .await
    .expect("choose cause");
    c.find(Locator::Css("#complaint form button[type=submit]"))
        .await
        .expect("save cause")
        .click()
        .await
        .expect("save");
    c.wait()
        .at_most(wait)
        .for_element(Locator::XPath(
            "//td[@id='complaint-cause'][contains(., '语言沟通')]",
        ))
        .await
        .unwrap_or_else(|e| panic!("cause not recorded: {e}"));
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .expect("logout")
        .click()
        .await
        .expect("log out");

    // The supervisor's ledger draws the Pareto chart from the API.
    app.set_password("supervisor01").await;
    log_in(&c, &app, "supervisor01").await;
    c.goto(&app.url("/console/complaints"))
        .await
        .expect("ledger");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#pareto-chart[data-rendered='true'] canvas"))
        .await
        .unwrap_or_else(|e| panic!("pareto chart not rendered: {e}"));
    let total = c
        .find(Locator::Css("#complaints-total"))
        .await
        .expect("total")
        .text()
        .await
        .expect("text");
    assert_eq!(total, "1");
    // The outage board draws the reliability of the last 12 months per area type and unit,
    // and its topology tree loads a substation's feeders when expanded (htmx).
    let area = app
        .customers
        .iter()
        .find_map(|x| match &x.connection {
            griddesk_domain::customer::Connection::Area { area } => Some(area.clone()),
            _ => None,
        })
        .expect("a customer behind an area");
    let now = jiff::Timestamp::now();
    app.store
        .create_outage(&griddesk_store::outage::NewOutage {
            kind: griddesk_domain::outage::OutageKind::Fault,
            title: "台区故障".into(),
            cause: "低压线路断线".into(),
            scope: griddesk_domain::outage::OutageScope::Areas(vec![area]),
            start: now,
            eta: None,
            created_by: "system:test".into(),
            created_at: now,
        })
        .await
        .expect("outage");
    c.goto(&app.url("/console/outages")).await.expect("board");
    for id in ["reliability-types", "reliability-units"] {
        c.wait()
            .at_most(wait)
            .for_element(Locator::Css(&format!("#{id}[data-rendered='true'] canvas")))
            .await
            .unwrap_or_else(|e| panic!("{id} chart not rendered: {e}"));
    }
    c.find(Locator::Css("#tree-root > li > button.tree-toggle"))
        .await
        .expect("a substation to expand")
        .click()
        .await
        .expect("expand");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            "#tree-root > li > ul.tree-children > li[data-node^='feeder=']",
        ))
        .await
        .unwrap_or_else(|e| panic!("feeders not loaded: {e}"));
    // The orderly-use page draws its plan's reduction per measure from the page's own data.
    let kw = |s: &str| griddesk_domain::values::parse_decimal("kw", s).expect("kw");
    app.store
        .replace_orderly_sequence(&[griddesk_domain::orderly::SequenceEntry {
            customer_no: app.customers[0].customer_no.clone(),
            sequence: 1,
            expected_load_kw: kw("100"),
            security_load_kw: kw("0"),
            shift_peak_kw: kw("20"),
            avoid_peak_kw: kw("0"),
            limit_kw: kw("50"),
            can_disconnect: false,
        }])
        .await
        .expect("sequence");
    c.goto(&app.url("/console/orderly?target_mw=0.05&start=2099-01-01T10:00&end=2099-01-01T12:00"))
        .await
        .expect("orderly page");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            "#orderly-measures[data-rendered='true'] canvas",
        ))
        .await
        .unwrap_or_else(|e| panic!("orderly chart not rendered: {e}"));
    c.close().await.expect("close browser");
}

/// A dispatcher uploads a weekly plan file on the plan page in a real browser: a bad file is
/// refused with its row and column shown next to the button and nothing stored; a good one
/// (read by the page's script and sent to the import API with the session's CSRF token) lists
/// its jobs with the warning that one area is cut twice within the window; the two jobs are
/// then issued as one planned outage from the page's form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outage_plans_are_uploaded_warned_and_issued_in_chromium() {
    use griddesk_domain::customer::Connection;
    let app = spawn_demo_app().await;
    app.set_password("dispatcher01").await;
    let (area, unit) = app
        .customers
        .iter()
        .find_map(|c| match &c.connection {
            Connection::Area { area } => Some((area.to_string(), c.org_unit.to_string())),
            Connection::Feeder { .. } => None,
        })
        .expect("a customer in a transformer area");
    let minute = |days: i64| {
        let t = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
        griddesk_server::time::local_minute(t)
    };
    let header = "job_id,kind,title,substation,feeders,areas,customers,planned_start,planned_end,work_content,responsible_unit,reason";
    let row = |job: &str, start: &str, end: &str| {
        format!("{job},weekly,{job} 配变检修,,,{area},,{start},{end},更换配变,{unit},设备检修")
    };
    let files = tempfile::tempdir().expect("files");
    let bad = files.path().join("bad-plan.csv");
    let bad_rows = [
        row("WB-01", &minute(10), &minute(11)),
        row("WB-02", "next tuesday", &minute(12)),
    ];
    std::fs::write(&bad, format!("{header}\n{}\n", bad_rows.join("\n"))).expect("write");
    let good = files.path().join("week-plan.csv");
    let good_rows = [
        row("WB-01", &minute(10), &minute(11)),
        row("WB-02", &minute(13), &minute(14)),
    ];
    std::fs::write(&good, format!("{header}\n{}\n", good_rows.join("\n"))).expect("write");

    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(&driver, profile.path()).await;
    let wait = Duration::from_secs(30);
    log_in(&c, &app, "dispatcher01").await;
    c.goto(&app.url("/console/outage-plans"))
        .await
        .expect("plan page");
    let choose = |path: PathBuf| {
        let c = c.clone();
        async move {
            c.find(Locator::Css("input[data-plan-file]"))
                .await
                .expect("file input")
                .send_keys(path.to_str().expect("utf-8 path"))
                .await
                .expect("choose file");
        }
    };
    choose(bad).await;
    let status = c
        .wait()
        .at_most(wait)
        .for_element(Locator::XPath(
            "//*[@data-plan-status][starts-with(normalize-space(.), '✗')]",
        ))
        .await
        .expect("the refusal is shown");
    let text = status.text().await.expect("status text");
    assert!(
        text.contains("bad-plan.csv:3:planned_start"),
        "names the file, its row and the column: {text}"
    );
    assert!(
        app.store
            .outage_plans(jiff::Timestamp::UNIX_EPOCH, 100)
            .await
            .expect("plans")
            .is_empty(),
        "a bad file stores nothing"
    );

    choose(good).await;
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#plan-rows tr[data-job='WB-02']"))
        .await
        .expect("the page reloads with the imported jobs");
    let warning = c
        .find(Locator::Css(
            "tr[data-job='WB-02'] li[data-advice='repeat'] a[href='/console/outage-plans/WB-01']",
        ))
        .await
        .expect("WB-02 is warned of WB-01 on the same area within the window");
    assert_eq!(warning.text().await.expect("text"), "WB-01");

    for job in ["WB-01", "WB-02"] {
        c.find(Locator::Css(&format!("#issue-form input[value='{job}']")))
            .await
            .expect("job checkbox")
            .click()
            .await
            .expect("pick the job");
    }
    c.find(Locator::Css("#issue-form input[name=title]"))
        .await
        .expect("title field")
        .send_keys("配变检修（两项工作一次停电）")
        .await
        .expect("type title");
    c.find(Locator::Css("#issue-form button[type=submit]"))
        .await
        .expect("issue button")
        .click()
        .await
        .expect("issue");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#outage[data-version]"))
        .await
        .expect("the issued outage's page");
    let path = path_of(&c).await;
    let id: i64 = path
        .strip_prefix("/console/outages/")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("redirected to the outage, not {path}"));
    let o = app
        .store
        .outage(id)
        .await
        .expect("read")
        .expect("the outage is stored");
    assert_eq!(o.title, "配变检修（两项工作一次停电）");
    let plans = app
        .store
        .outage_plans(jiff::Timestamp::UNIX_EPOCH, 100)
        .await
        .expect("plans");
    assert_eq!(plans.len(), 2);
    assert!(plans.iter().all(|p| p.outage_id == Some(id)), "{plans:?}");
    c.close().await.expect("close");
}

/// Value segmentation in a real browser: the month before last is already segmented; an analyst
/// runs last month from the page's form; ECharts draws the value matrix and the movement sankey
/// between the two months; the grading selector switches the movement to ABC classes; a grade's
/// count opens its customers, and a customer opens its 360 page with the tier.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segmentation_matrix_movement_and_drill_down_in_chromium() {
    use griddesk_domain::billing::Period;
    let app = spawn_demo_app().await;
    app.set_password("analyst01").await;
    let last = Period::of(griddesk_server::time::today()).add_months(-1);
    let earlier = last.add_months(-1);
    crate::segment::segment_month(&app, earlier).await;

    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(&driver, profile.path()).await;
    let wait = Duration::from_secs(30);
    log_in(&c, &app, "analyst01").await;
    c.goto(&app.url("/console/segmentation"))
        .await
        .expect("open segmentation");
    // Only the earlier month: no movement to draw yet.
    assert!(
        c.find(Locator::Css("#movement-sankey")).await.is_err(),
        "no sankey with one period"
    );
    c.find(Locator::Css("#segment-run button[type=submit]"))
        .await
        .expect("run button")
        .click()
        .await
        .expect("run last month");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#value-matrix[data-rendered='true'] canvas"))
        .await
        .unwrap_or_else(|e| panic!("value matrix not drawn: {e}"));
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            "#movement-sankey[data-rendered='true'] canvas",
        ))
        .await
        .unwrap_or_else(|e| panic!("sankey not drawn: {e}"));
    assert_eq!(
        path_of(&c).await,
        format!("/console/segmentation?period={last}")
    );
    let heading = c
        .find(Locator::Css("#movement-matrix thead th"))
        .await
        .expect("matrix heading")
        .text()
        .await
        .expect("text");
    assert_eq!(heading, format!("{earlier} → {last}"));

    // Movement by ABC class: the matrix's columns become the classes.
    c.find(Locator::Css(
        "#segment-movement select[name=grading] option[value='abc']",
    ))
    .await
    .expect("abc option")
    .click()
    .await
    .expect("choose abc");
    c.find(Locator::Css("#segment-movement button[type=submit]"))
        .await
        .expect("show button")
        .click()
        .await
        .expect("show movement");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#movement-matrix td[data-to='A']"))
        .await
        .unwrap_or_else(|e| panic!("ABC matrix not shown: {e}"));
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css(
            "#movement-sankey[data-rendered='true'] canvas",
        ))
        .await
        .unwrap_or_else(|e| panic!("ABC sankey not drawn: {e}"));
    if let Some(dir) = std::env::var_os("GRIDDESK_KEEP_SCREENSHOT") {
        // Past the chart's animation.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let png = c
            .find(Locator::Css("#segment-movement"))
            .await
            .expect("movement card")
            .screenshot()
            .await
            .expect("screenshot");
        std::fs::write(Path::new(&dir).join("movement.png"), &png).expect("keep screenshot");
    }
    let cells = c
        .find_all(Locator::Css("#movement-matrix tbody td"))
        .await
        .expect("cells");
    let mut total = 0;
    for cell in cells {
        total += cell
            .text()
            .await
            .expect("text")
            .parse::<usize>()
            .unwrap_or(0);
    }
    assert_eq!(total, 300, "every demo customer counted once");

    // A grade's count opens its customers; a customer opens its page with the tier.
    c.find(Locator::Css("td.grade-count a"))
        .await
        .expect("grade count")
        .click()
        .await
        .expect("open the grade");
    let member = c
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("#segment-list tr.segment-member td a"))
        .await
        .unwrap_or_else(|e| panic!("no customer list: {e}"));
    member.click().await.expect("open the customer");
    c.wait()
        .at_most(wait)
        .for_element(Locator::Css("#segment-tier"))
        .await
        .unwrap_or_else(|e| panic!("customer page without tier: {e}"));
    c.close().await.expect("close browser");
}
