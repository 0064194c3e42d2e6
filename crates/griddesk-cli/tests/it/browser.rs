//! A real headless-Chromium test of the console: search a customer, open the customer 360 page,
//! and check that ECharts drew the consumption chart from the JSON API (which proves app.js,
//! the embedded assets and the Content-Security-Policy work together). Fails, not skips, when
//! Chromium is missing.

use crate::app::spawn_demo_app;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";

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

/// Runs headless Chromium with a fresh profile and returns its stdout.
async fn chromium(profile: &Path, args: Vec<String>) -> String {
    let bin = chromium_path();
    let profile = profile.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(&bin);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-quic",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--lang=zh-CN",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start chromium");
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            match child.try_wait().expect("wait chromium") {
                Some(_) => break,
                None if Instant::now() > deadline => {
                    let _ = child.kill();
                    panic!("chromium did not finish within 120 s: {args:?}");
                }
                None => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        let out = child.wait_with_output().expect("chromium output");
        assert!(
            out.status.success(),
            "chromium failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .expect("chromium task")
}

/// The attribute value of the first element whose opening tag contains `marker`.
fn tag_containing<'a>(dom: &'a str, marker: &str) -> Option<&'a str> {
    let at = dom.find(marker)?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    Some(&dom[start..=end])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_search_and_customer_chart_render_in_chromium() {
    let app = spawn_demo_app().await;
    let profile = tempfile::tempdir().expect("profile");
    // The demo company's first customer: the lowest number, so first among the hits.
    let c = app.customers[0].clone();
    let fragment: String = c.name.chars().take(2).collect();

    // 1. Search by a name fragment and find the customer's link.
    let dom = chromium(
        profile.path(),
        vec![
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
            app.url(&format!("/console/search?q={fragment}")),
        ],
    )
    .await;
    let href = format!("/console/customers/{}", c.customer_no);
    assert!(
        dom.contains(&format!("href=\"{href}\"")),
        "customer link not found in search results:\n{dom}"
    );

    // 2. Open the customer 360 page and let app.js draw the chart.
    let dom = chromium(
        profile.path(),
        vec![
            "--virtual-time-budget=15000".into(),
            "--dump-dom".into(),
            app.url(&href),
        ],
    )
    .await;
    let chart = tag_containing(&dom, "id=\"history-chart\"")
        .unwrap_or_else(|| panic!("no chart container:\n{dom}"));
    assert!(
        chart.contains("_echarts_instance_"),
        "ECharts not initialised: {chart}"
    );
    assert!(
        chart.contains("data-rendered=\"true\""),
        "chart not rendered: {chart}"
    );
    let after = &dom[dom.find("id=\"history-chart\"").expect("chart")..];
    let section_end = after.find("</section>").unwrap_or(after.len());
    assert!(
        after[..section_end].contains("<canvas"),
        "no canvas in the chart"
    );
    assert!(dom.contains(&c.name));
    for p in c.contacts.iter().flat_map(|k| &k.phones) {
        assert!(!dom.contains(p.as_str()), "raw phone in the DOM");
    }

    // 3. A screenshot of the page, non-trivial.
    let shot = profile.path().join("p.png");
    chromium(
        profile.path(),
        vec![
            "--virtual-time-budget=15000".into(),
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600".into(),
            app.url(&href),
        ],
    )
    .await;
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let width = u32::from_be_bytes(png[16..20].try_into().expect("width"));
    let height = u32::from_be_bytes(png[20..24].try_into().expect("height"));
    assert_eq!((width, height), (1280, 1600));
    assert!(
        png.len() > 40_000,
        "screenshot suspiciously small: {} bytes",
        png.len()
    );
    if let Some(dir) = std::env::var_os("GRIDDESK_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, Path::new(&dir).join("customer360.png")).expect("keep screenshot");
    }
}
