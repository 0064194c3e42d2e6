//! HTTP-level tests of the console pages: Chinese by default, English by switch, masked
//! contacts, the search fragment versus the full page, and no inline script or style.

use crate::app::spawn_app;
use griddesk_domain::customer::Customer;

/// No inline `<script>` and no `style` attributes (the CSP would block them).
fn assert_csp_clean(html: &str) {
    for (i, _) in html.match_indices("<script") {
        let tag = &html[i..html[i..].find('>').map_or(html.len(), |e| i + e)];
        assert!(tag.contains(" src="), "inline script: {tag}");
    }
    assert!(!html.contains(" style=\""), "inline style attribute");
    assert!(!html.contains("<style"), "inline style element");
    assert!(!html.contains(" onclick="), "inline handler");
}

#[tokio::test]
async fn root_redirects_to_the_console() {
    let app = spawn_app().await;
    let resp = app.get("/").await;
    assert!(resp.status().is_redirection());
    assert_eq!(resp.headers()["location"], "/console");
}

#[tokio::test]
async fn console_is_chinese_by_default_and_switches_to_english() {
    let app = spawn_app().await;
    let (s, html) = app.get_text("/console").await;
    assert_eq!(s, 200);
    assert!(html.contains("<html lang=\"zh-CN\">"), "{html}");
    assert!(html.contains("客户查询"));
    assert!(html.contains("档案概况"));
    assert!(html.contains("hx-get=\"/console/search\""));
    assert!(html.contains("keyup changed delay:300ms"));
    assert!(
        html.contains("居民生活"),
        "tariff filter options in Chinese"
    );
    assert!(
        html.contains("href=\"/console?lang=en\""),
        "language switch link"
    );
    assert!(html.contains(crate::app::COMPANY));
    assert_csp_clean(&html);

    let resp = app.get("/console?lang=en").await;
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    let html = resp.text().await.expect("html");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Customer search"));
    assert!(html.contains("Residential"));
    assert!(!html.contains("档案概况"));
    assert!(html.contains("href=\"/console?lang=zh\""));

    // The cookie keeps the language on later pages.
    let c = app.resident().clone();
    let html = app
        .client
        .get(app.url(&format!("/console/customers/{}", c.customer_no)))
        .header("cookie", "lang=en")
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Classification"), "English via cookie");
    assert!(html.contains("Supply path"));

    // ?lang=zh switches back and overrides the cookie.
    let resp = app
        .client
        .get(app.url("/console?lang=zh"))
        .header("cookie", "lang=en")
        .send()
        .await
        .expect("get");
    assert!(
        resp.headers()["set-cookie"]
            .to_str()
            .expect("c")
            .starts_with("lang=zh")
    );
    assert!(resp.text().await.expect("html").contains("客户查询"));
}

#[tokio::test]
async fn search_returns_a_fragment_for_htmx_and_a_page_otherwise() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    let path = format!("/console/search?q={}", c.name);

    let resp = app
        .client
        .get(app.url(&path))
        .header("HX-Request", "true")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["vary"]
            .to_str()
            .expect("vary")
            .contains("HX-Request")
    );
    let fragment = resp.text().await.expect("html");
    assert!(!fragment.contains("<html"), "fragment only");
    assert!(fragment.contains(&format!("href=\"/console/customers/{}\"", c.customer_no)));
    assert!(fragment.contains(&c.name));
    assert!(!fragment.contains(&c.address), "address masked");

    let (s, page) = app.get_text(&path).await;
    assert_eq!(s, 200);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(&format!("href=\"/console/customers/{}\"", c.customer_no)));
    assert!(
        page.contains(&format!("value=\"{}\"", c.name)),
        "query kept in the search box"
    );
    assert_csp_clean(&page);

    // Filters from the selects work in the plain URL too; empty selects mean "any".
    let (s, page) = app
        .get_text("/console/search?q=&tariff=commercial&important_grade=&area_type=&high_voltage=")
        .await;
    assert_eq!(s, 200);
    for x in app
        .customers
        .iter()
        .filter(|x| x.tariff.code() == "commercial")
    {
        assert!(page.contains(x.customer_no.as_str()));
    }
    assert!(page.contains("<option value=\"commercial\" selected>"));

    // Too short a query is a hint, not an error.
    let (s, page) = app.get_text("/console/search?q=张").await;
    assert_eq!(s, 200);
    assert!(page.contains("class=\"hint\""));
    // A bad filter value is reported, naming the field.
    let (s, page) = app.get_text("/console/search?tariff=nuclear").await;
    assert_eq!(s, 400);
    assert!(page.contains("tariff"));
}

fn masked(p: &str) -> String {
    format!("{}****{}", &p[..3], &p[p.len() - 4..])
}

#[tokio::test]
async fn customer_page_shows_the_360_view_with_masked_contacts() {
    let app = spawn_app().await;
    let c: Customer = app.resident().clone();
    let (s, html) = app
        .get_text(&format!("/console/customers/{}", c.customer_no))
        .await;
    assert_eq!(s, 200);
    assert_csp_clean(&html);
    assert!(html.contains(c.customer_no.as_str()));
    assert!(html.contains(&c.name));
    let phone = c.contacts[0].phones[0].as_str();
    assert!(!html.contains(phone), "raw phone shown");
    assert!(html.contains(&masked(phone)), "masked phone shown");
    assert!(
        !html.contains(c.id_number.as_ref().expect("id").as_str()),
        "raw ID shown"
    );
    assert!(!html.contains(&c.address), "exact address shown");
    for label in [
        "客户分类",
        "供用电关系",
        "电价类别",
        "用电性质",
        "负荷重要性",
        "重要客户等级",
        "地区类型",
        "行业",
        "机构类别",
        "合同容量",
    ] {
        assert!(html.contains(label), "{label}");
    }
    assert!(html.contains(c.tariff.label(griddesk_domain::values::Lang::Zh)));
    for hop in [
        "东郊110kV变电站",
        "10kV东一线",
        "东村1号台区",
        c.meters[0].meter_no.as_str(),
    ] {
        assert!(html.contains(hop), "topology {hop}");
    }
    assert!(html.contains(&format!(
        "data-src=\"/api/v1/customers/{}/history?months=36\"",
        c.customer_no
    )));
    assert!(html.contains("echarts.min.js"));
    assert!(html.contains("缴费记录"));
    assert!(html.contains("欠费情况"));
    assert!(html.contains("近期日抄表"));
    assert!(html.contains("工单"));
    assert!(html.contains("停电"));
    assert!(html.contains(&format!("/api/v1/customers/{}/plate.svg", c.customer_no)));
    assert!(html.contains("/console/areas/TA-001/plates"));

    // A late payer's payments are marked.
    let late = &app.customers[1];
    let (_, html) = app
        .get_text(&format!("/console/customers/{}", late.customer_no))
        .await;
    assert!(html.contains("badge-warn"), "late marker");

    // The dual-supply hospital: backup feeder, customer manager, load-curve chart.
    let h = app.customer(Customer::is_dual_supply).clone();
    let (s, html) = app
        .get_text(&format!("/console/customers/{}?lang=en", h.customer_no))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Backup feeder"));
    assert!(html.contains("10kV东二线"));
    assert!(html.contains("李经理"));
    assert!(html.contains("data-chart=\"load\""));
    assert!(html.contains("Work orders"));
    assert!(html.contains("Outages"));
    assert!(html.contains("Grade 1"));
    for p in h.contacts.iter().flat_map(|k| &k.phones) {
        assert!(!html.contains(p.as_str()), "raw phone {p}");
    }
    assert!(!html.contains("dianqi@hospital.example.cn"), "raw e-mail");

    // The bounced cheque of the industrial customer is marked.
    let ind = app.customers.last().expect("industrial");
    let (_, html) = app
        .get_text(&format!("/console/customers/{}", ind.customer_no))
        .await;
    assert!(html.contains("退票"));
}

#[tokio::test]
async fn console_errors_are_pages() {
    let app = spawn_app().await;
    let (s, html) = app.get_text("/console/customers/0999999999").await;
    assert_eq!(s, 404);
    assert!(html.contains("未找到该客户"));
    let (s, html) = app.get_text("/console/customers/12?lang=en").await;
    assert_eq!(s, 400);
    assert!(html.contains("customer_no"));
    let (s, html) = app.get_text("/console/no/such/page").await;
    assert_eq!(s, 404);
    assert!(html.contains("<!DOCTYPE html>"));
    let (s, _) = app.get_text("/console/areas/NOPE/plates").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn area_plate_print_page() {
    let app = spawn_app().await;
    let (s, html) = app.get_text("/console/areas/TA-002/plates").await;
    assert_eq!(s, 200);
    assert_csp_clean(&html);
    assert_eq!(
        html.matches("class=\"sheet\"").count(),
        2,
        "12 plates on 2 A4 sheets"
    );
    assert_eq!(html.matches("class=\"plate\"").count(), 12);
    assert!(html.contains("data-print"));
    assert!(html.contains("/api/v1/areas/TA-002/plates.svg"));
    for c in app
        .customers
        .iter()
        .filter(|c| c.address.contains("建国路"))
    {
        assert!(html.contains(c.customer_no.as_str()));
        assert!(!html.contains(&c.name), "name printed: {}", c.name);
        assert!(!html.contains(&c.address));
    }
}

#[tokio::test]
async fn assets_are_embedded_and_cacheable() {
    let app = spawn_app().await;
    for (path, ct) in [
        ("/assets/app.css", "text/css"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/vendor/htmx.min.js", "text/javascript"),
        ("/assets/vendor/echarts.min.js", "text/javascript"),
        ("/assets/vendor/swagger-ui.css", "text/css"),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .expect("ct")
                .starts_with(ct)
        );
        assert!(
            resp.headers()["cache-control"]
                .to_str()
                .expect("cc")
                .contains("max-age")
        );
        let etag = resp.headers()["etag"].clone();
        assert!(resp.bytes().await.expect("body").len() > 100);
        let again = app
            .client
            .get(app.url(path))
            .header("if-none-match", etag)
            .send()
            .await
            .expect("get");
        assert_eq!(again.status(), 304, "{path}");
    }
    let (s, _) = app.get_text("/assets/nope.js").await;
    assert_eq!(s, 404);
}
