//! Storage and search of the knowledge base (one-time complete notice, D2).
//!
//! Search is an inverted index in two ordinary tables, `knowledge_article` and
//! `knowledge_term`, so both backends find and rank exactly alike and the conformance suite can
//! check results, not just counts. Text is cut into words by jieba (search mode, the segmentation
//! search engines use for Chinese: "居民新装" gives 居民, 新装), not into single characters, so
//! 电费 does not match every article mentioning 电. A query ranks articles by how many of its
//! words they contain, then by where (title 3, tags 2, body up to 3 occurrences).

use crate::Result;
use crate::backend::corrupt;
use griddesk_domain::knowledge::{ArticleDraft, ArticleKind};
use griddesk_domain::workorder::OrderType;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A stored article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub id: i64,
    pub version: i64,
    pub draft: ArticleDraft,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

/// Outcome of saving an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleWrite {
    Saved(Article),
    /// Another article has this title (titles are unique, so agents can tell articles apart).
    TitleTaken {
        id: i64,
    },
    /// The article changed since the editor read it; nothing was written. The current state.
    Conflict(Article),
    NotFound,
}

/// What to search for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleQuery {
    /// Free text; empty lists articles, most recently updated first.
    pub text: String,
    /// Only articles suggested for this order type.
    pub order_type: Option<OrderType>,
    pub kind: Option<ArticleKind>,
    pub limit: u32,
}

#[async_trait::async_trait]
pub trait KnowledgeStore: Send + Sync {
    /// Creates an article at version 1.
    async fn create_article(
        &self,
        d: &ArticleDraft,
        by: &str,
        at: Timestamp,
    ) -> Result<ArticleWrite>;
    /// Replaces an article if it is still at `expected_version`; the version goes up by one.
    async fn update_article(
        &self,
        id: i64,
        expected_version: i64,
        d: &ArticleDraft,
        by: &str,
        at: Timestamp,
    ) -> Result<ArticleWrite>;
    async fn article(&self, id: i64) -> Result<Option<Article>>;
    /// Articles matching the query, best first.
    async fn search_articles(&self, q: &ArticleQuery) -> Result<Vec<Article>>;
}

static JIEBA: LazyLock<jieba_rs::Jieba> = LazyLock::new(jieba_rs::Jieba::new);

/// Words too common to tell articles apart.
const STOP: &[&str] = &[
    "的", "了", "和", "与", "及", "是", "在", "我", "您", "你", "请", "吗", "呢", "啊", "为", "对",
    "或", "等", "之", "将", "被", "由", "于", "把", "也", "都", "就", "而", "并", "其", "可", "要",
    "有", "该", "这", "那", "个", "a", "an", "the", "of", "and", "or", "to", "is", "for", "in",
];

/// The words of a text as the index and queries see them: jieba search mode, lower case,
/// without punctuation and stop words, each at most 64 characters.
pub fn words(text: &str) -> Vec<String> {
    JIEBA
        .cut_for_search(text, true)
        .into_iter()
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty() && w.chars().count() <= 64)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

/// The index terms of an article with their weights.
pub fn index_terms(d: &ArticleDraft) -> BTreeMap<String, i64> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    let mut body: BTreeMap<String, i64> = BTreeMap::new();
    for w in words(&d.body) {
        *body.entry(w).or_default() += 1;
    }
    for (w, n) in body {
        out.insert(w, n.min(3));
    }
    let mut once = |text: &str, weight: i64| {
        let mut seen = std::collections::BTreeSet::new();
        for w in words(text) {
            if seen.insert(w.clone()) {
                *out.entry(w).or_default() += weight;
            }
        }
    };
    once(&d.title, 3);
    once(&d.tags.join(" "), 2);
    out
}

/// The distinct words of a query, at most 16 (a pasted paragraph is still a query).
pub fn query_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words(text) {
        if !out.contains(&w) {
            out.push(w);
        }
        if out.len() == 16 {
            break;
        }
    }
    out
}

/// `order_types` as stored: ",code,code," or "" for all.
pub fn order_types_column(d: &ArticleDraft) -> String {
    if d.order_types.is_empty() {
        String::new()
    } else {
        let codes: Vec<&str> = d.order_types.iter().map(|t| t.code()).collect();
        format!(",{},", codes.join(","))
    }
}

/// Raw columns of an article row.
pub type ArticleColumns = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
);

pub const ARTICLE_COLUMNS: &str =
    "a.id, a.version, a.kind, a.title, a.body, a.order_types, a.tags, a.updated_us, a.updated_by";

pub fn article_from_columns(c: ArticleColumns) -> Result<Article> {
    let (id, version, kind, title, body, types, tags, updated_us, updated_by) = c;
    let order_types = types
        .split(',')
        .filter(|s| !s.is_empty())
        .map(OrderType::parse)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| corrupt("order_types", e))?;
    let tags: Vec<String> = tags
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Article {
        id,
        version,
        draft: ArticleDraft {
            kind: ArticleKind::parse(&kind).map_err(|e| corrupt("kind", e))?,
            title,
            body,
            order_types,
            tags,
        },
        updated_at: crate::access::us_ts(updated_us)?,
        updated_by,
    })
}

/// Implements [`KnowledgeStore`] for a backend whose struct has a `pool` field; see
/// [`crate::access_store_impl`] for the arguments.
#[macro_export]
macro_rules! knowledge_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use $crate::Result;
            use $crate::access::ts_us;
            use $crate::knowledge::*;
            use ::griddesk_domain::knowledge::ArticleDraft;
            use ::jiff::Timestamp;

            async fn by_id(conn: &mut $conn, id: i64) -> Result<Option<Article>> {
                let row: Option<ArticleColumns> = ::sqlx::query_as(&format!(
                    "SELECT {ARTICLE_COLUMNS} FROM knowledge_article a WHERE a.id = $1"
                ))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err($db)?;
                row.map(article_from_columns).transpose()
            }

            /// The id of another article with this title, if any.
            async fn title_taken(conn: &mut $conn, title: &str, id: i64) -> Result<Option<i64>> {
                ::sqlx::query_scalar("SELECT id FROM knowledge_article WHERE title = $1 AND id <> $2")
                    .bind(title)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err($db)
            }

            async fn reindex(conn: &mut $conn, id: i64, d: &ArticleDraft) -> Result<()> {
                ::sqlx::query("DELETE FROM knowledge_term WHERE article_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err($db)?;
                for (term, weight) in index_terms(d) {
                    ::sqlx::query(
                        "INSERT INTO knowledge_term (term, article_id, weight) VALUES ($1, $2, $3)",
                    )
                    .bind(term)
                    .bind(id)
                    .bind(weight)
                    .execute(&mut *conn)
                    .await
                    .map_err($db)?;
                }
                Ok(())
            }

            #[::async_trait::async_trait]
            impl KnowledgeStore for $store {
                async fn create_article(
                    &self,
                    d: &ArticleDraft,
                    by: &str,
                    at: Timestamp,
                ) -> Result<ArticleWrite> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    if let Some(id) = title_taken(&mut tx, &d.title, 0).await? {
                        return Ok(ArticleWrite::TitleTaken { id });
                    }
                    let id: i64 = ::sqlx::query_scalar(
                        "INSERT INTO knowledge_article (version, kind, title, body, order_types, \
                         tags, updated_us, updated_by) VALUES (1, $1, $2, $3, $4, $5, $6, $7) \
                         RETURNING id",
                    )
                    .bind(d.kind.code())
                    .bind(&d.title)
                    .bind(&d.body)
                    .bind(order_types_column(d))
                    .bind(d.tags.join(","))
                    .bind(ts_us(at))
                    .bind(by)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($db)?;
                    reindex(&mut tx, id, d).await?;
                    let saved = by_id(&mut tx, id).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(saved.map_or(ArticleWrite::NotFound, ArticleWrite::Saved))
                }

                async fn update_article(
                    &self,
                    id: i64,
                    expected_version: i64,
                    d: &ArticleDraft,
                    by: &str,
                    at: Timestamp,
                ) -> Result<ArticleWrite> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let Some(current) = by_id(&mut tx, id).await? else {
                        return Ok(ArticleWrite::NotFound);
                    };
                    if current.version != expected_version {
                        return Ok(ArticleWrite::Conflict(current));
                    }
                    if let Some(other) = title_taken(&mut tx, &d.title, id).await? {
                        return Ok(ArticleWrite::TitleTaken { id: other });
                    }
                    ::sqlx::query(
                        "UPDATE knowledge_article SET version = version + 1, kind = $2, \
                         title = $3, body = $4, order_types = $5, tags = $6, updated_us = $7, \
                         updated_by = $8 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(d.kind.code())
                    .bind(&d.title)
                    .bind(&d.body)
                    .bind(order_types_column(d))
                    .bind(d.tags.join(","))
                    .bind(ts_us(at))
                    .bind(by)
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    reindex(&mut tx, id, d).await?;
                    let saved = by_id(&mut tx, id).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(saved.map_or(ArticleWrite::NotFound, ArticleWrite::Saved))
                }

                async fn article(&self, id: i64) -> Result<Option<Article>> {
                    let mut conn = self.pool.acquire().await.map_err($db)?;
                    by_id(&mut conn, id).await
                }

                async fn search_articles(&self, q: &ArticleQuery) -> Result<Vec<Article>> {
                    let limit = i64::from(q.limit.clamp(1, 100));
                    let order_type = q
                        .order_type
                        .map(|t| format!("%,{},%", t.code()))
                        .unwrap_or_default();
                    let kind = q.kind.map(|k| k.code()).unwrap_or_default();
                    let filter = "($1 = '' OR a.order_types = '' OR a.order_types LIKE $1) \
                                  AND ($2 = '' OR a.kind = $2)";
                    let rows: Vec<ArticleColumns> = if q.text.trim().is_empty() {
                        ::sqlx::query_as(&format!(
                            "SELECT {ARTICLE_COLUMNS} FROM knowledge_article a WHERE {filter} \
                             ORDER BY a.updated_us DESC, a.id DESC LIMIT $3"
                        ))
                        .bind(order_type)
                        .bind(kind)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err($db)?
                    } else {
                        let terms = query_terms(&q.text);
                        if terms.is_empty() {
                            return Ok(Vec::new());
                        }
                        let slots: Vec<String> =
                            (0..terms.len()).map(|i| format!("${}", i + 4)).collect();
                        let sql = format!(
                            "SELECT {ARTICLE_COLUMNS} FROM knowledge_article a JOIN ( \
                             SELECT article_id, COUNT(*) AS matched, \
                             CAST(SUM(weight) AS BIGINT) AS score FROM knowledge_term \
                             WHERE term IN ({}) GROUP BY article_id) m ON m.article_id = a.id \
                             WHERE {filter} ORDER BY m.matched DESC, m.score DESC, a.id \
                             LIMIT $3",
                            slots.join(", ")
                        );
                        let mut query = ::sqlx::query_as(&sql).bind(order_type).bind(kind).bind(limit);
                        for t in terms {
                            query = query.bind(t);
                        }
                        query.fetch_all(&self.pool).await.map_err($db)?
                    };
                    rows.into_iter().map(article_from_columns).collect()
                }
            }
        };
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_cut_into_words_not_characters() {
        let w = words("居民生活用电新装需要哪些资料？");
        assert!(w.contains(&"新装".to_owned()), "{w:?}");
        assert!(w.contains(&"资料".to_owned()), "{w:?}");
        assert!(!w.iter().any(|x| x == "？" || x == "的"), "{w:?}");
        // Search mode also yields the parts of long words, so a part finds the whole.
        let w = words("中华人民共和国");
        assert!(
            w.contains(&"中华".to_owned()) && w.contains(&"共和国".to_owned()),
            "{w:?}"
        );
        assert_eq!(words("SF6 Breaker"), ["sf6", "breaker"]);
    }

    #[test]
    fn title_words_weigh_more_than_body_words() {
        let d = ArticleDraft::parse(
            ArticleKind::Guide,
            "电费缴纳方式",
            "可以在营业厅缴纳电费，也可以通过掌上电力缴纳电费。电费电费",
            vec![],
            &["缴费".into()],
        )
        .unwrap();
        let t = index_terms(&d);
        // Title (3) plus the body's occurrences, capped at 3.
        assert!((4..=6).contains(&t["电费"]), "{t:?}");
        assert_eq!(t["营业厅"], 1);
        assert_eq!(t["缴费"], 2);
        assert!(query_terms("电费 电费 缴纳").len() == 2);
    }
}
