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
