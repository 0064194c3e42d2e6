//! The knowledge base through the API and the console: editors write articles (versioned, unique
//! titles, fields validated), everyone who works on orders searches them in Chinese, the
//! new-order form suggests them, and a reply carries the ticked ones to the customer as the
//! one-time complete notice (SMS, order history, contact timeline).

use crate::app::{SendJson, TestApp, spawn_app};
use griddesk_domain::org::Role;
use serde_json::{Value, json};

async fn starter(app: &TestApp) {
    let drafts = griddesk_server::api_knowledge::parse_articles(
        "knowledge.toml",
        griddesk_server::api_knowledge::STARTER,
    )
    .unwrap();
    let (created, skipped) =
        griddesk_server::api_knowledge::import_articles(app.store.as_ref(), &drafts, "system:test")
            .await
            .unwrap();
    assert_eq!((created, skipped), (drafts.len(), 0));
    // A re-import changes nothing.
    let again =
        griddesk_server::api_knowledge::import_articles(app.store.as_ref(), &drafts, "system:test")
            .await
            .unwrap();
    assert_eq!(again, (0, drafts.len()));
}

fn titles(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn editors_write_articles_and_agents_find_them_by_chinese_words() {
    let app = spawn_app().await;
    starter(&app).await;
    let editor = app.client_as(Role::Supervisor, "C01").await;
    let agent = app.client_as(Role::Agent, "C01").await;
    let url = app.url("/api/v1/knowledge");

    let found: Value = agent
        .get(format!("{url}?q=新装需要什么资料"))
        .json_body()
        .await;
    assert_eq!(titles(&found)[0], "低压居民新装资料清单", "{found}");
    let found: Value = agent
        .get(format!("{url}?q=停电&order_type=fault_repair"))
        .json_body()
        .await;
    assert!(titles(&found).contains(&"计划停电告知答复口径".to_owned()));
    assert!(found.as_array().unwrap().iter().all(|a| {
        let types = a["order_types"].as_array().unwrap();
        types.is_empty() || types.iter().any(|t| t["code"] == "fault_repair")
    }));

    let body = json!({
        "kind": "answer", "title": "临时用电办理答复", "body": "临时用电期限一般不超过六个月，需提供用电地址证明。",
        "order_types": ["business_application"], "tags": ["临时用电"]
    });
    // Agents read; only editors write.
    let r = agent.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = editor.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["kind"]["zh"], "标准答复");
    // 用电 is in many articles; the one with 临时用电 in its title and tags leads.
    let found: Value = agent.get(format!("{url}?q=临时用电")).json_body().await;
    assert_eq!(titles(&found)[0], "临时用电办理答复");

    // Bad input names the field and stores nothing.
    for (patch, field) in [
        (json!({"title": ""}), "title"),
        (json!({"kind": "poem"}), "kind"),
        (json!({"order_types": ["meter"]}), "order_types"),
        (json!({"tags": ["a,b"]}), "tags"),
        (json!({"body": "x".repeat(20_001)}), "body"),
    ] {
        let mut b = body.clone();
        b["title"] = json!("另一篇");
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = editor.post(&url).json(&b).send().await.unwrap();
        assert_eq!(r.status(), 400, "{field}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["field"], field);
    }
    let r = editor.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 422, "titles are unique");
    let found: Value = agent.get(format!("{url}?limit=100")).json_body().await;
    assert!(
        !titles(&found).contains(&"另一篇".to_owned()),
        "nothing invalid was stored"
    );
    let r = agent.get(format!("{url}?limit=0")).send().await.unwrap();
    assert_eq!(r.status(), 400);

    // Updates need the version read: none 428, stale 409 (nothing changes), fresh 200.
    let item = app.url(&format!("/api/v1/knowledge/{id}"));
    let mut changed = body.clone();
    changed["body"] = json!("临时用电期限不超过六个月，逾期须办理延期手续。");
    let r = editor.put(&item).json(&changed).send().await.unwrap();
    assert_eq!(r.status(), 428);
    let r = editor
        .put(&item)
        .header("if-match", "\"1\"")
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let r = editor
        .put(&item)
        .header("if-match", "\"1\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let now: Value = agent.get(&item).json_body().await;
    assert_eq!(now["version"], 2);
    assert!(now["body"].as_str().unwrap().contains("延期"));
    let found: Value = agent.get(format!("{url}?q=延期手续")).json_body().await;
    assert_eq!(
        titles(&found)[0],
        "临时用电办理答复",
        "the edit is reindexed"
    );
    let r = agent
        .get(app.url("/api/v1/knowledge/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Every save is audited.
    let audit = app
        .store
        .search_audit(&griddesk_store::access::AuditQuery {
            action: Some(griddesk_domain::access::AuditAction::ArticleSaved),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
}

#[tokio::test]
async fn a_reply_carries_the_ticked_articles_to_the_customer_as_one_notice() {
    let app = spawn_app().await;
    starter(&app).await;
    let c = app.resident().clone();
    let phone = c.contacts[0].phones[0].to_string();
    let o: Value = app
        .client
        .post(app.url("/api/v1/work-orders"))
        .json(&json!({
            "order_type": "consultation", "channel": "phone", "customer_no": c.customer_no.as_str(),
            "contact_name": "李先生", "contact_phone": phone, "subject": "咨询新装需要的资料",
        }))
        .json_body()
        .await;
    let id = o["id"].as_i64().unwrap();
    let q: Value = app
        .client
        .get(app.url("/api/v1/knowledge?q=新装资料&order_type=consultation"))
        .json_body()
        .await;
    let checklist = q[0]["id"].as_i64().unwrap();
    let fees = app
        .client
        .get(app.url("/api/v1/knowledge?q=电费缴纳"))
        .json_body()
        .await[0]["id"]
        .as_i64()
        .unwrap();

    let step = |body: Value| {
        let app = &app;
        async move {
            let v = app.store.work_order(id).await.unwrap().unwrap().version;
            app.client
                .post(app.url(&format!("/api/v1/work-orders/{id}/actions")))
                .header("if-match", format!("\"{v}\""))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // Articles belong to a reply, and must exist.
    let r = step(json!({"action": "handle", "articles": [checklist]})).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "articles");
    assert_eq!(step(json!({"action": "handle"})).await.status(), 200);
    let r = step(json!({"action": "reply", "articles": [checklist, 999_999]})).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        app.store
            .work_order(id)
            .await
            .unwrap()
            .unwrap()
            .status
            .code(),
        "handled",
        "a refused reply changes nothing"
    );
    let r = step(json!({"action": "reply", "articles": [1, 2, 3, 4, 5, 6]})).await;
    assert_eq!(r.status(), 400);
    let sent_before = app.notifier.sent.lock().unwrap().len();

    let r = step(json!({
        "action": "reply", "note": "您好，新装需要以下资料。", "articles": [checklist, fees, checklist]
    }))
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let reply = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "reply")
        .unwrap();
    let data: Value = serde_json::from_str(reply["data"].as_str().unwrap()).unwrap();
    let notice = data["notice"].as_str().unwrap();
    assert!(
        notice.starts_with("您好，新装需要以下资料。\n\n一次性告知："),
        "{notice}"
    );
    assert!(notice.contains("1. 低压居民新装资料清单") && notice.contains("2. 电费缴纳渠道"));
    assert!(notice.contains("房屋产权证明"), "the checklist in full");
    assert_eq!(
        data["articles"].as_array().unwrap().len(),
        2,
        "each article once"
    );

    // The customer gets it by SMS and the timeline shows it.
    let sent = app.notifier.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), sent_before + 1);
    let sms = sent.last().unwrap();
    assert_eq!(sms.to, phone);
    assert!(sms.text.contains(notice));
    let timeline = app.store.contacts(&c.customer_no, 50).await.unwrap();
    assert!(
        timeline
            .iter()
            .any(|k| k.kind.code() == "sms" && !k.inbound && k.order_id == Some(id))
    );
}

#[tokio::test]
async fn the_console_suggests_articles_while_typing_and_attaches_them_to_the_reply() {
    let app = spawn_app().await;
    starter(&app).await;
    let s = app.login("agent01").await;
    // The new-order form carries the suggestions box, fed by what the agent types.
    let form = app
        .get_in(&s, "/console/workbench/lookup")
        .await
        .text()
        .await
        .unwrap();
    assert!(form.contains("id=\"new-order-form-kb\""), "{form}");
    assert!(form.contains("hx-get=\"/console/knowledge/suggest\""));
    let frag = app
        .get_in(
            &s,
            "/console/knowledge/suggest?subject=更名过户&order_type=service_request",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(frag.contains("更名过户资料清单"), "{frag}");
    assert!(
        !frag.contains("type=\"checkbox\""),
        "suggestions only, nothing to tick"
    );
    let none = app
        .get_in(&s, "/console/knowledge/suggest?subject=&order_type=")
        .await
        .text()
        .await
        .unwrap();
    assert!(none.contains("data-count=\"0\""));

    // A handled consultation: the reply form offers ticks for matching articles.
    let c = app.resident().clone();
    let o: Value = app
        .client
        .post(app.url("/api/v1/work-orders"))
        .json(&json!({
            "order_type": "consultation", "channel": "phone", "customer_no": c.customer_no.as_str(),
            "contact_name": "李先生", "contact_phone": c.contacts[0].phones[0].to_string(),
            "subject": "电能表走得快，想申请校验",
        }))
        .json_body()
        .await;
    let id = o["id"].as_i64().unwrap();
    let handle = app
        .post_in(
            &s,
            &format!("/console/orders/{id}/actions"),
            &[("version", "1"), ("action", "handle")],
        )
        .await;
    assert_eq!(handle.status(), 303);
    let page = app
        .get_in(&s, &format!("/console/orders/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let reply_form = &page[page.find("id=\"action-reply\"").expect("a reply form")..];
    assert!(
        reply_form.contains("电能表校验申请须知"),
        "suggested for the order"
    );
    let article = app
        .store
        .search_articles(&griddesk_store::knowledge::ArticleQuery {
            text: "电能表校验".into(),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    assert!(reply_form.contains(&format!("name=\"articles\" value=\"{article}\"")));
    let fees = app
        .store
        .search_articles(&griddesk_store::knowledge::ArticleQuery {
            text: "违约金".into(),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let version = app
        .store
        .work_order(id)
        .await
        .unwrap()
        .unwrap()
        .version
        .to_string();
    let (article, fees) = (article.to_string(), fees.to_string());
    let r = app
        .post_in(
            &s,
            &format!("/console/orders/{id}/actions"),
            &[
                ("version", version.as_str()),
                ("action", "reply"),
                ("note", "已为您登记校验。"),
                ("articles", article.as_str()),
                ("articles", fees.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = app
        .get_in(&s, &format!("/console/orders/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("一次性告知内容"),
        "the history shows the notice"
    );
    assert!(page.contains("1. 电能表校验申请须知") && page.contains("2. 电费违约金计算规则"));

    // Editors' pages: the list searches, the editor saves with the version shown.
    let list = app
        .get_in(&s, "/console/knowledge?q=光伏")
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("分布式光伏并网办理流程"));
    assert!(
        !list.contains("/console/knowledge/new"),
        "agents do not edit"
    );
    let sup = app.login("supervisor01").await;
    let r = app
        .post_in(
            &sup,
            "/console/knowledge",
            &[
                ("kind", "guide"),
                ("title", "充电桩报装流程"),
                ("tags", "充电桩，新能源"),
                ("type_business_application", "1"),
                ("body", "个人充电桩报装：提交车位产权或使用证明、身份证明。"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let new_id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();
    let a = app.store.article(new_id).await.unwrap().unwrap();
    assert_eq!(a.draft.tags, ["充电桩", "新能源"]);
    assert_eq!(a.draft.order_types.len(), 1);
    let stale = app
        .post_in(
            &sup,
            &loc,
            &[
                ("version", "7"),
                ("kind", "guide"),
                ("title", "充电桩报装流程"),
                ("body", "改"),
            ],
        )
        .await;
    assert_eq!(stale.status(), 409);
    assert_eq!(app.store.article(new_id).await.unwrap().unwrap(), a);
}
