//! Console pages of the knowledge base, a child module of the console: search and read articles
//! (everyone who works on orders), write them (knowledge editors), and the suggestions fragment
//! that the new-order form and the reply form load with htmx as the agent types. In the reply
//! form the suggestions are checkboxes named `articles`: the ticked ones go out with the reply
//! as the one-time complete notice.

use super::orders::{auth_of, fail, path_id};
use super::{ConsoleError, Ctx, label, page};
use crate::AppState;
use crate::api_knowledge::{self, ArticleRequest, ArticleView, article_query, article_view};
use crate::auth::ClientAddr;
use crate::error::ApiError;
use crate::i18n::T;
use axum::extract::rejection::PathRejection;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use griddesk_domain::access::Permission;
use griddesk_domain::knowledge::ArticleKind;
use griddesk_domain::workorder::OrderType;
use griddesk_store::knowledge::Article;
use maud::{Markup, html};
use serde::Deserialize;

type PageResult = Result<Markup, ConsoleError>;

#[derive(Debug, Default, Deserialize)]
pub struct KnowledgeParams {
    q: Option<String>,
    kind: Option<String>,
    order_type: Option<String>,
    /// Suggestions from the order forms: what the caller said.
    subject: Option<String>,
    description: Option<String>,
    /// The reply form's extra search.
    kb_q: Option<String>,
    /// Render the suggestions as checkboxes to attach (the reply form).
    pick: Option<String>,
}

/// The `articles` ticked already (a repeated query parameter, which the typed parameters above
/// cannot hold).
fn ticked(uri: &Uri) -> Vec<i64> {
    let mut out: Vec<i64> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.strip_prefix("articles="))
        .filter_map(|v| v.parse().ok())
        .collect();
    out.dedup();
    out.truncate(griddesk_domain::knowledge::MAX_ATTACHED);
    out
}

fn params(ctx: &Ctx, uri: &Uri) -> Result<KnowledgeParams, ConsoleError> {
    crate::extract::parse_query(uri.query().unwrap_or_default()).map_err(fail(ctx))
}

/// The first characters of an article body, for a result list.
fn snippet(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s: String = flat.chars().take(90).collect();
    if flat.chars().count() > 90 {
        s.push('…');
    }
    s
}

fn kind_badge(ctx: &Ctx, a: &ArticleView) -> Markup {
    html! { span.badge data-kind=(a.kind.code) { (label(ctx, &a.kind)) } }
}

/// One suggestion: title and kind, the body folded away; with a checkbox when `pick`.
fn suggestion(ctx: &Ctx, a: &ArticleView, pick: bool, checked: bool) -> Markup {
    html! {
        li.kb-item data-article=(a.id) {
            @if pick {
                label.kb-pick {
                    input type="checkbox" name="articles" value=(a.id) checked[checked];
                    " " (kind_badge(ctx, a)) " " strong { (a.title) }
                }
            } @else {
                (kind_badge(ctx, a)) " " a href=(format!("/console/knowledge/{}", a.id)) target="_blank" { strong { (a.title) } }
            }
            details.kb-body { summary { (snippet(&a.body)) } pre.kb-text { (a.body) } }
        }
    }
}

/// The list of suggestions: the ticked articles first (still ticked), then the others found.
fn suggestions(ctx: &Ctx, head: T, kept: &[Article], found: &[Article], pick: bool) -> Markup {
    let rest: Vec<&Article> = found
        .iter()
        .filter(|a| !kept.iter().any(|k| k.id == a.id))
        .collect();
    html! {
        div.kb-suggest data-count=(kept.len() + rest.len()) {
            h3.kb-head { (ctx.t(head)) }
            @if kept.is_empty() && rest.is_empty() { p.hint { (ctx.t(T::KbNoSuggestions)) } } @else {
                ul.kb-list {
                    @for a in kept { (suggestion(ctx, &article_view(a), pick, true)) }
                    @for a in rest { (suggestion(ctx, &article_view(a), pick, false)) }
                }
            }
        }
    }
}

/// GET /console/knowledge/suggest: the htmx fragment of suggestions for what was typed.
pub async fn suggest(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let p = params(&ctx, &uri)?;
    let text: Vec<&str> = [&p.q, &p.kb_q, &p.subject, &p.description]
        .into_iter()
        .filter_map(|s| s.as_deref())
        .collect();
    // The query is bounded; a long description is cut, not refused.
    let text: String = text.join(" ").chars().take(200).collect();
    let q =
        article_query(Some(&text), p.order_type.as_deref(), None, Some(5)).map_err(fail(&ctx))?;
    let err = |e: griddesk_store::StoreError| fail(&ctx)(e.into());
    let found = if q.text.is_empty() && q.order_type.is_none() {
        Vec::new()
    } else {
        state.store.search_articles(&q).await.map_err(err)?
    };
    let pick = p.pick.is_some();
    let mut kept = Vec::new();
    if pick {
        for id in ticked(&uri) {
            if let Some(a) = state.store.article(id).await.map_err(err)? {
                kept.push(a);
            }
        }
    }
    let head = if pick { T::KbAttach } else { T::KbSuggestions };
    Ok(suggestions(&ctx, head, &kept, &found, pick))
}

/// The suggestions box of an order form: reloads (htmx) as the agent types into the fields
/// marked `data-kb` (subject, request, order type, the reply's extra search), keeping the
/// articles already ticked.
pub fn suggest_box(ctx: &Ctx, id: &str, pick: bool, initial: Option<Markup>) -> Markup {
    let url = if pick {
        "/console/knowledge/suggest?pick=1"
    } else {
        "/console/knowledge/suggest"
    };
    html! {
        div.kb-box id=(id) hx-get=(url)
            hx-trigger="input delay:400ms from:[data-kb], change from:[data-kb]"
            hx-include="[data-kb], [name=articles]:checked" hx-target="this" {
            @if let Some(m) = initial { (m) } @else {
                div.kb-suggest data-count="0" { h3.kb-head { (ctx.t(T::KbSuggestions)) } p.hint { (ctx.t(T::KbTypeToSuggest)) } }
            }
        }
    }
}

/// The reply form's article picker, filled at once with suggestions for the order.
pub async fn reply_picker(
    state: &AppState,
    ctx: &Ctx,
    form: &str,
    order_type: OrderType,
    text: &str,
) -> Result<Markup, ConsoleError> {
    let text: String = text.chars().take(200).collect();
    let q =
        article_query(Some(&text), Some(order_type.code()), None, Some(5)).map_err(fail(ctx))?;
    let found = state
        .store
        .search_articles(&q)
        .await
        .map_err(|e| fail(ctx)(e.into()))?;
    let initial = suggestions(ctx, T::KbAttach, &[], &found, true);
    Ok(html! {
        label.field.grow { span.field-label { (ctx.t(T::KbSearchMore)) }
            input type="search" name="kb_q" maxlength="100" autocomplete="off" data-kb="1"; }
        input type="hidden" name="order_type" value=(order_type.code()) data-kb="1";
        (suggest_box(ctx, &format!("{form}-kb"), true, Some(initial)))
    })
}

/// GET /console/knowledge: search and browse.
pub async fn list(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let p = params(&ctx, &uri)?;
    let q = article_query(
        p.q.as_deref(),
        p.order_type.as_deref(),
        p.kind.as_deref(),
        Some(50),
    )
    .map_err(fail(&ctx))?;
    let found = state
        .store
        .search_articles(&q)
        .await
        .map_err(|e| fail(&ctx)(e.into()))?;
    let views: Vec<ArticleView> = found.iter().map(article_view).collect();
    let body = html! {
        section.card {
            h1 { (ctx.t(T::KbTitle)) }
            p.lead { (ctx.t(T::KbLead)) }
            form.search-form #kb-search method="get" action="/console/knowledge" {
                input.search-input type="search" name="q" value=(q.text) placeholder=(ctx.t(T::KbSearchHint)) aria-label=(ctx.t(T::KbSearchHint));
                select name="kind" aria-label=(ctx.t(T::KbKind)) {
                    option value="" { (ctx.t(T::All)) }
                    @for k in ArticleKind::ALL { option value=(k.code()) selected[q.kind == Some(*k)] { (k.label(ctx.lang)) } }
                }
                select name="order_type" aria-label=(ctx.t(T::OrderType)) {
                    option value="" { (ctx.t(T::All)) }
                    @for t in OrderType::ALL { option value=(t.code()) selected[q.order_type == Some(*t)] { (t.label(ctx.lang)) } }
                }
                button.btn type="submit" { (ctx.t(T::SearchButton)) }
                @if ctx.may(Permission::KnowledgeWrite) {
                    a.btn.btn-secondary href="/console/knowledge/new" { (ctx.t(T::KbNew)) }
                }
            }
        }
        section.card {
            @if views.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                table.table #kb-results {
                    thead { tr { th { (ctx.t(T::KbKind)) } th { (ctx.t(T::KbArticleTitle)) } th { (ctx.t(T::KbUpdated)) } } }
                    tbody { @for a in &views { tr {
                        td { (kind_badge(&ctx, a)) }
                        td { a href=(format!("/console/knowledge/{}", a.id)) { (a.title) } div.hint { (snippet(&a.body)) } }
                        td.mono { (a.updated_at.get(..16).unwrap_or_default()) }
                    } } }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::KbTitle), false, body))
}

fn editor(ctx: &Ctx, a: Option<&ArticleView>) -> Markup {
    let action = a.map_or("/console/knowledge".to_owned(), |a| {
        format!("/console/knowledge/{}", a.id)
    });
    let has = |t: OrderType| a.is_some_and(|a| a.order_types.iter().any(|l| l.code == t.code()));
    html! {
        form.order-form #kb-editor method="post" action=(action) {
            input type="hidden" name="csrf" value=(ctx.csrf());
            @if let Some(a) = a { input type="hidden" name="version" value=(a.version); }
            div.form-grid {
                label.field { span.field-label { (ctx.t(T::KbKind)) }
                    select name="kind" required {
                        @for k in ArticleKind::ALL { option value=(k.code()) selected[a.is_some_and(|a| a.kind.code == k.code())] { (k.label(ctx.lang)) } }
                    }
                }
                label.field { span.field-label { (ctx.t(T::KbArticleTitle)) }
                    input type="text" name="title" required maxlength="100" value=(a.map(|a| a.title.as_str()).unwrap_or_default()); }
                label.field { span.field-label { (ctx.t(T::KbTags)) }
                    input type="text" name="tags" maxlength="230" value=(a.map(|a| a.tags.join("，")).unwrap_or_default()); }
            }
            fieldset.kb-types { legend { (ctx.t(T::KbForTypes)) }
                @for t in OrderType::ALL {
                    label.kb-pick { input type="checkbox" name=(format!("type_{}", t.code())) value="1" checked[has(*t)]; " " (t.label(ctx.lang)) }
                }
            }
            label.field { span.field-label { (ctx.t(T::KbBody)) }
                textarea name="body" rows="12" required maxlength="20000" { (a.map(|a| a.body.as_str()).unwrap_or_default()) } }
            button.btn type="submit" #save-article { (ctx.t(T::Save)) }
        }
    }
}

/// GET /console/knowledge/new
pub async fn new_page(ctx: Ctx) -> PageResult {
    let body = html! { section.card { h1 { (ctx.t(T::KbNew)) } (editor(&ctx, None)) } };
    Ok(page(&ctx, ctx.t(T::KbNew), false, body))
}

/// GET /console/knowledge/{id}
pub async fn article(
    State(state): State<AppState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
) -> PageResult {
    let id = path_id(&ctx, path)?;
    let a = state
        .store
        .article(id)
        .await
        .map_err(|e| fail(&ctx)(e.into()))?
        .ok_or_else(|| {
            fail(&ctx)(ApiError::NotFound {
                field: "id",
                value: id.to_string(),
            })
        })?;
    let v = article_view(&a);
    let body = html! {
        section.card #article data-version=(v.version) {
            p { (kind_badge(&ctx, &v)) @for t in &v.tags { " " span.badge.badge-muted { (t) } } }
            h1 { (v.title) }
            pre.kb-text { (v.body) }
            p.hint {
                (ctx.t(T::KbForTypes)) ": "
                @if v.order_types.is_empty() { (ctx.t(T::All)) }
                @for (i, t) in v.order_types.iter().enumerate() { @if i > 0 { "、" } (label(&ctx, t)) }
                " · " (ctx.t(T::KbUpdated)) " " (v.updated_at.get(..16).unwrap_or_default()) " · " (v.updated_by) " · v" (v.version)
            }
        }
        @if ctx.may(Permission::KnowledgeWrite) {
            section.card { h2 { (ctx.t(T::KbEdit)) } (editor(&ctx, Some(&v))) }
        }
    };
    Ok(page(&ctx, &v.title, false, body))
}

/// The editor's form as posted: tags comma-separated, one checkbox per order type.
fn request_of(fields: &[(String, String)]) -> ArticleRequest {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ArticleRequest {
        kind: get("kind"),
        title: get("title"),
        body: get("body"),
        order_types: fields
            .iter()
            .filter_map(|(n, _)| n.strip_prefix("type_"))
            .map(str::to_owned)
            .collect(),
        tags: get("tags")
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}

/// POST /console/knowledge: a new article.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let auth = auth_of(&ctx)?;
    let d = request_of(&fields).draft().map_err(&f)?;
    let a = api_knowledge::save_article(&state, &auth.actor, &addr, None, &d)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/knowledge/{}", a.id)).into_response())
}

/// POST /console/knowledge/{id}: saves an edit of the version shown (409 page when stale).
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<i64>, PathRejection>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    let version = fields
        .iter()
        .find(|(n, _)| n == "version")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .ok_or_else(|| f(ApiError::invalid("version", "missing")))?;
    let d = request_of(&fields).draft().map_err(&f)?;
    api_knowledge::save_article(&state, &auth.actor, &addr, Some((id, version)), &d)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/knowledge/{id}")).into_response())
}
