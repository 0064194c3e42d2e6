//! The knowledge base in the JSON API: search (Chinese by word), read, write with If-Match, and
//! the starter articles shipped in `data/knowledge.toml`. Agents attach articles to a reply
//! (`articles` of the reply action); the order keeps the composed one-time complete notice.

use crate::api_orders::{if_match, versioned};
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::model::Label;
use crate::{AppState, time};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
use griddesk_domain::knowledge::{ArticleDraft, ArticleKind};
use griddesk_domain::workorder::OrderType;
use griddesk_store::Store;
use griddesk_store::knowledge::{Article, ArticleQuery, ArticleWrite};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const TAG_KNOWLEDGE: &str = "knowledge";

/// The starter articles shipped with GridDesk.
pub const STARTER: &str = include_str!("../../../data/knowledge.toml");

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: i64,
    pub version: i64,
    pub kind: Label,
    pub title: String,
    pub body: String,
    /// Codes of the order types it is suggested for; empty: all.
    pub order_types: Vec<Label>,
    pub tags: Vec<String>,
    pub updated_at: String,
    pub updated_by: String,
}

pub fn article_view(a: &Article) -> ArticleView {
    ArticleView {
        id: a.id,
        version: a.version,
        kind: Label::of(a.draft.kind),
        title: a.draft.title.clone(),
        body: a.draft.body.clone(),
        order_types: a.draft.order_types.iter().map(|t| Label::of(*t)).collect(),
        tags: a.draft.tags.clone(),
        updated_at: time::local_rfc3339(a.updated_at),
        updated_by: a.updated_by.clone(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct KnowledgeParams {
    /// Words to look for (Chinese is cut into words); empty lists the newest.
    pub q: Option<String>,
    /// Only articles suggested for this order type (code).
    pub order_type: Option<String>,
    /// guide, checklist, tariff or answer.
    pub kind: Option<String>,
    /// At most this many (1-100, default 20).
    pub limit: Option<u32>,
}

fn opt_code<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, griddesk_domain::ParseError>,
) -> Result<Option<T>, ApiError> {
    Ok(raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse)
        .transpose()?)
}

/// The query of a search request (shared with the console's suggestions).
pub fn article_query(
    q: Option<&str>,
    order_type: Option<&str>,
    kind: Option<&str>,
    limit: Option<u32>,
) -> Result<ArticleQuery, ApiError> {
    let text = q.unwrap_or_default().trim();
    if text.chars().count() > 200 {
        return Err(ApiError::invalid("q", "at most 200 characters"));
    }
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit", "give 1 to 100"));
    }
    Ok(ArticleQuery {
        text: text.to_owned(),
        order_type: opt_code(order_type, OrderType::parse)?,
        kind: opt_code(kind, ArticleKind::parse)?,
        limit,
    })
}

/// Searches the knowledge base: articles containing more of the query's words first, a word in
/// the title or tags counting more than one in the body.
#[utoipa::path(
    get, path = "/api/v1/knowledge", tag = TAG_KNOWLEDGE,
    params(KnowledgeParams),
    responses(
        (status = 200, description = "Matching articles, best first", body = Vec<ArticleView>),
        (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn search_knowledge(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<KnowledgeParams>,
) -> Result<Json<Vec<ArticleView>>, ApiError> {
    let q = article_query(
        p.q.as_deref(),
        p.order_type.as_deref(),
        p.kind.as_deref(),
        p.limit,
    )?;
    let found = state.store.search_articles(&q).await?;
    Ok(Json(found.iter().map(article_view).collect()))
}

async fn load(state: &AppState, id: i64) -> Result<Article, ApiError> {
    state.store.article(id).await?.ok_or(ApiError::NotFound {
        field: "id",
        value: id.to_string(),
    })
}

fn respond(status: StatusCode, a: &Article) -> Response {
    versioned(
        status,
        a.version,
        format!("/api/v1/knowledge/{}", a.id),
        article_view(a),
    )
}

/// One article, with its version as ETag.
#[utoipa::path(
    get, path = "/api/v1/knowledge/{id}", tag = TAG_KNOWLEDGE,
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article", body = ArticleView),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_article(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    Ok(respond(StatusCode::OK, &load(&state, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ArticleRequest {
    /// guide, checklist, tariff or answer.
    pub kind: String,
    /// One line, up to 100 characters; unique.
    pub title: String,
    /// Up to 20,000 characters.
    pub body: String,
    /// Order type codes it is suggested for; empty or absent: all.
    #[serde(default)]
    pub order_types: Vec<String>,
    /// Up to 10 tags of up to 20 characters.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl ArticleRequest {
    pub fn draft(&self) -> Result<ArticleDraft, ApiError> {
        let kind = ArticleKind::parse(&self.kind)?;
        let types = self
            .order_types
            .iter()
            .map(|t| OrderType::parse(t))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::invalid("order_types", e.reason))?;
        Ok(ArticleDraft::parse(
            kind,
            &self.title,
            &self.body,
            types,
            &self.tags,
        )?)
    }
}

/// Saves a draft (`id` None: a new article) and audits it; the article as saved.
pub async fn save_article(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    id: Option<(i64, i64)>,
    d: &ArticleDraft,
) -> Result<Article, ApiError> {
    let now = time::now();
    let by = actor.audit_id();
    let before = match id {
        Some((id, _)) => Some(load(state, id).await?),
        None => None,
    };
    let outcome = match id {
        None => state.store.create_article(d, &by, now).await?,
        Some((id, version)) => state.store.update_article(id, version, d, &by, now).await?,
    };
    let saved = match outcome {
        ArticleWrite::Saved(a) => a,
        ArticleWrite::TitleTaken { id } => {
            return Err(ApiError::Unprocessable {
                field: "title",
                detail: format!("article {id} already has this title"),
            });
        }
        ArticleWrite::Conflict(current) => {
            return Err(ApiError::Conflict {
                current: current.version,
            });
        }
        ArticleWrite::NotFound => {
            return Err(ApiError::NotFound {
                field: "id",
                value: id.map(|(i, _)| i).unwrap_or_default().to_string(),
            });
        }
    };
    let summary = |a: &Article| format!("v{} {}", a.version, a.draft.title);
    let audit = AuditEntry::new(
        actor,
        AuditAction::ArticleSaved,
        "knowledge_article",
        saved.id.to_string(),
        addr,
        now,
    )
    .change(before.as_ref().map(summary), Some(summary(&saved)));
    state.store.append_audit(&audit).await?;
    Ok(saved)
}

/// Creates an article (knowledge editors).
#[utoipa::path(
    post, path = "/api/v1/knowledge", tag = TAG_KNOWLEDGE,
    request_body = ArticleRequest,
    responses(
        (status = 201, description = "Created; ETag is its version", body = ArticleView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The title is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_article(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(r): ApiJson<ArticleRequest>,
) -> Result<Response, ApiError> {
    let a = save_article(&state, &auth.actor, &addr, None, &r.draft()?).await?;
    Ok(respond(StatusCode::CREATED, &a))
}

/// Replaces an article. Requires If-Match with the version read; a stale version gets 409 and
/// changes nothing.
#[utoipa::path(
    put, path = "/api/v1/knowledge/{id}", tag = TAG_KNOWLEDGE,
    params(
        ("id" = i64, Path, description = "Article id"),
        ("If-Match" = String, Header, description = "The article's ETag"),
    ),
    request_body = ArticleRequest,
    responses(
        (status = 200, description = "Saved; ETag is the new version", body = ArticleView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The title is taken", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_article(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<ArticleRequest>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let d = r.draft()?;
    let a = save_article(&state, &auth.actor, &addr, Some((id, expected)), &d).await?;
    Ok(respond(StatusCode::OK, &a))
}

#[derive(Debug, Deserialize)]
struct StarterFile {
    article: Vec<ArticleRequest>,
}

/// Parses a knowledge file in the layout of `data/knowledge.toml`.
pub fn parse_articles(name: &str, text: &str) -> Result<Vec<ArticleDraft>, String> {
    let f: StarterFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    f.article
        .iter()
        .enumerate()
        .map(|(i, a)| {
            a.draft()
                .map_err(|e| format!("{name}: article {}: {e}", i + 1))
        })
        .collect()
}

/// Loads articles whose titles are not in the knowledge base yet (so editors' changes survive
/// a re-import); (created, skipped).
pub async fn import_articles(
    store: &dyn Store,
    drafts: &[ArticleDraft],
    by: &str,
) -> griddesk_store::Result<(usize, usize)> {
    let now = time::now();
    let (mut created, mut skipped) = (0, 0);
    for d in drafts {
        match store.create_article(d, by, now).await? {
            ArticleWrite::Saved(_) => created += 1,
            _ => skipped += 1,
        }
    }
    Ok((created, skipped))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_starter_articles_are_valid() {
        let a = super::parse_articles("knowledge.toml", super::STARTER).unwrap();
        assert!(a.len() >= 10);
        let mut titles: Vec<&str> = a.iter().map(|a| a.title.as_str()).collect();
        titles.sort_unstable();
        titles.dedup();
        assert_eq!(titles.len(), a.len(), "titles are unique");
    }
}
