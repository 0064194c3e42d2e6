//! Conformance cases of [`crate::KnowledgeStore`]: word-based Chinese search with the same
//! ranking on every backend, filters, versioned updates that reindex, unique titles.

use crate::Store;
use crate::knowledge::{Article, ArticleQuery, ArticleWrite};
use griddesk_domain::knowledge::{ArticleDraft, ArticleKind};
use griddesk_domain::workorder::OrderType;
use jiff::Timestamp;

fn at(min: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + min * 60).expect("fixture time")
}

fn draft(
    kind: ArticleKind,
    title: &str,
    body: &str,
    types: &[OrderType],
    tags: &[&str],
) -> ArticleDraft {
    let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
    ArticleDraft::parse(kind, title, body, types.to_vec(), &tags).expect("valid draft")
}

async fn create(store: &dyn Store, d: &ArticleDraft, min: i64) -> Article {
    match store
        .create_article(d, "staff:zhangli", at(min))
        .await
        .expect("create")
    {
        ArticleWrite::Saved(a) => a,
        other => panic!("not saved: {other:?}"),
    }
}

async fn titles(store: &dyn Store, q: ArticleQuery) -> Vec<String> {
    store
        .search_articles(&q)
        .await
        .expect("search")
        .into_iter()
        .map(|a| a.draft.title)
        .collect()
}

fn text(t: &str) -> ArticleQuery {
    ArticleQuery {
        text: t.into(),
        limit: 10,
        ..ArticleQuery::default()
    }
}

async fn three_articles(store: &dyn Store) -> [Article; 3] {
    let new = create(
        store,
        &draft(
            ArticleKind::Checklist,
            "低压居民新装资料清单",
            "办理居民生活用电新装，请携带：户主身份证原件；房屋产权证明。资料齐全当场受理。",
            &[OrderType::BusinessApplication, OrderType::Consultation],
            &["新装", "一次性告知"],
        ),
        0,
    )
    .await;
    let pay = create(
        store,
        &draft(
            ArticleKind::Guide,
            "电费缴纳渠道",
            "可通过营业厅柜台、网上国网、银行代扣缴纳电费。新装用户首月电费随下月账单发行。",
            &[],
            &["缴费"],
        ),
        1,
    )
    .await;
    let outage = create(
        store,
        &draft(
            ArticleKind::Answer,
            "计划停电答复口径",
            "计划停电提前七天通过短信和公告告知，停电时间以公告为准。",
            &[OrderType::FaultRepair, OrderType::Consultation],
            &["停电"],
        ),
        2,
    )
    .await;
    [new, pay, outage]
}

pub async fn knowledge_search_cuts_chinese_into_words(store: &dyn Store) {
    three_articles(store).await;
    // Title and tags outrank a mention in the body.
    assert_eq!(
        titles(store, text("新装")).await,
        ["低压居民新装资料清单", "电费缴纳渠道"]
    );
    // Words, not characters: 电费 does not find the outage answer although it contains 电.
    assert_eq!(titles(store, text("电费")).await, ["电费缴纳渠道"]);
    // A question in plain words: the article matching more of them comes first.
    assert_eq!(
        titles(store, text("我家新装电表需要带什么资料？")).await[0],
        "低压居民新装资料清单"
    );
    assert_eq!(titles(store, text("停电时间")).await, ["计划停电答复口径"]);
    // Nothing to look for: no words left after punctuation and stop words.
    assert!(titles(store, text("？！的")).await.is_empty());
    assert!(titles(store, text("光伏并网")).await.is_empty());

    // Filters: suggested for the order type (articles for all types included), and by kind.
    let mut q = text("新装");
    q.order_type = Some(OrderType::FaultRepair);
    assert_eq!(titles(store, q).await, ["电费缴纳渠道"]);
    let mut q = text("");
    q.order_type = Some(OrderType::FaultRepair);
    assert_eq!(titles(store, q).await, ["计划停电答复口径", "电费缴纳渠道"]);
    let mut q = text("");
    q.kind = Some(ArticleKind::Checklist);
    assert_eq!(titles(store, q).await, ["低压居民新装资料清单"]);
    // No text lists the newest first, within the limit.
    let mut q = text("  ");
    q.limit = 2;
    assert_eq!(titles(store, q).await, ["计划停电答复口径", "电费缴纳渠道"]);
}

pub async fn knowledge_articles_are_versioned_with_unique_titles(store: &dyn Store) {
    let [new, pay, _] = three_articles(store).await;
    assert_eq!(new.version, 1);
    assert_eq!(new.draft.tags, ["新装", "一次性告知"]);
    assert_eq!(store.article(new.id).await.unwrap().as_ref(), Some(&new));
    assert_eq!(store.article(new.id + 1000).await.unwrap(), None);

    // A second article with a taken title is refused, and names the holder.
    let dup = store
        .create_article(&new.draft, "staff:zhangli", at(5))
        .await
        .unwrap();
    assert_eq!(dup, ArticleWrite::TitleTaken { id: new.id });

    // An update reindexes: the old words no longer find it, the new ones do.
    let mut d = new.draft.clone();
    d.title = "低压居民增容资料清单".into();
    d.body = "办理增容，请携带户主身份证原件和原用电合同。".into();
    d.tags = vec!["增容".into()];
    let saved = match store
        .update_article(new.id, 1, &d, "staff:wangqiang", at(6))
        .await
        .unwrap()
    {
        ArticleWrite::Saved(a) => a,
        other => panic!("not saved: {other:?}"),
    };
    assert_eq!(
        (saved.version, saved.updated_by.as_str()),
        (2, "staff:wangqiang")
    );
    assert_eq!(saved.updated_at, at(6));
    assert_eq!(titles(store, text("增容")).await, ["低压居民增容资料清单"]);
    assert_eq!(titles(store, text("新装")).await, ["电费缴纳渠道"]);

    // A stale version changes nothing and returns the current article.
    let mut stale = d.clone();
    stale.body = "过期的修改".into();
    assert_eq!(
        store
            .update_article(new.id, 1, &stale, "staff:zhangli", at(7))
            .await
            .unwrap(),
        ArticleWrite::Conflict(saved.clone())
    );
    assert!(titles(store, text("过期")).await.is_empty());
    // Renaming onto another article's title is refused.
    let mut clash = d.clone();
    clash.title = pay.draft.title.clone();
    assert_eq!(
        store
            .update_article(new.id, 2, &clash, "staff:zhangli", at(8))
            .await
            .unwrap(),
        ArticleWrite::TitleTaken { id: pay.id }
    );
    assert_eq!(
        store
            .update_article(new.id + 1000, 1, &d, "staff:zhangli", at(8))
            .await
            .unwrap(),
        ArticleWrite::NotFound
    );
    assert_eq!(store.article(new.id).await.unwrap(), Some(saved));
}
