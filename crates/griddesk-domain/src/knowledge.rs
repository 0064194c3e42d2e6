//! The knowledge base behind the one-time complete notice (一次性告知, D0/D2): application
//! guides, document checklists, tariff explanations and standard answers that agents find while
//! taking a call and attach to their reply, so the customer learns everything needed in one go
//! instead of coming back for each missing paper.
//!
//! Here: what an article is, how a draft is validated, and how the notice sent with a reply is
//! composed from the attached articles. Indexing and search live in the store.

use crate::ParseError;
use crate::workorder::OrderType;

code_enum! {
    /// What an article is for.
    ArticleKind, "kind" {
        Guide = "guide", "办事指南", "Application guide";
        Checklist = "checklist", "资料清单", "Document checklist";
        Tariff = "tariff", "电价政策", "Tariff and charges";
        Answer = "answer", "标准答复", "Standard answer";
    }
}

/// The most articles one reply may carry: a notice is read by a customer, not archived.
pub const MAX_ATTACHED: usize = 5;

/// A validated article as an editor writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDraft {
    pub kind: ArticleKind,
    pub title: String,
    pub body: String,
    /// The order types the article is suggested for; empty means all.
    pub order_types: Vec<OrderType>,
    pub tags: Vec<String>,
}

fn clean(field: &'static str, raw: &str, max: usize) -> Result<String, ParseError> {
    let t = raw.trim();
    let n = t.chars().count();
    if n == 0 || n > max {
        return Err(ParseError::new(
            field,
            format!("give 1 to {max} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ParseError::new(field, "contains control characters"));
    }
    Ok(t.to_owned())
}

impl ArticleDraft {
    /// Validates an editor's input: title up to 100 characters, body up to 20,000, at most 10
    /// tags of up to 20 characters each (duplicates dropped), order types without repeats.
    pub fn parse(
        kind: ArticleKind,
        title: &str,
        body: &str,
        order_types: Vec<OrderType>,
        tags: &[String],
    ) -> Result<Self, ParseError> {
        let title = clean("title", title, 100)?;
        if title.contains('\n') {
            return Err(ParseError::new("title", "must be one line"));
        }
        let body = clean("body", body, 20_000)?;
        let mut clean_tags: Vec<String> = Vec::new();
        for t in tags {
            let t = clean("tags", t, 20)?;
            if t.contains([',', '\n']) {
                return Err(ParseError::new("tags", "a tag cannot contain a comma"));
            }
            if !clean_tags.contains(&t) {
                clean_tags.push(t);
            }
        }
        if clean_tags.len() > 10 {
            return Err(ParseError::new("tags", "at most 10 tags"));
        }
        let mut types = order_types;
        types.sort_by_key(|t| t.code());
        types.dedup();
        Ok(Self {
            kind,
            title,
            body,
            order_types: types,
            tags: clean_tags,
        })
    }

    /// Whether the article is suggested for this order type.
    pub fn applies_to(&self, t: OrderType) -> bool {
        self.order_types.is_empty() || self.order_types.contains(&t)
    }
}

/// The one-time complete notice (一次性告知书) sent with a reply: the agent's answer followed
/// by every attached article in full, numbered, so nothing the customer needs is left out.
pub fn compose_notice(answer: Option<&str>, articles: &[(&str, &str)]) -> String {
    let mut out = String::new();
    if let Some(a) = answer.map(str::trim).filter(|a| !a.is_empty()) {
        out.push_str(a);
        out.push_str("\n\n");
    }
    if !articles.is_empty() {
        out.push_str("一次性告知：\n");
        for (i, (title, body)) in articles.iter().enumerate() {
            out.push_str(&format!("{}. {}\n{}\n", i + 1, title, body.trim()));
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_trimmed_and_deduplicated() {
        let d = ArticleDraft::parse(
            ArticleKind::Checklist,
            "  低压居民新装资料清单 ",
            "身份证\n房产证明",
            vec![
                OrderType::BusinessApplication,
                OrderType::Consultation,
                OrderType::Consultation,
            ],
            &["新装".into(), "新装".into(), "居民".into()],
        )
        .unwrap();
        assert_eq!(d.title, "低压居民新装资料清单");
        assert_eq!(d.tags, ["新装", "居民"]);
        assert_eq!(d.order_types.len(), 2);
        assert!(d.applies_to(OrderType::Consultation));
        assert!(!d.applies_to(OrderType::FaultRepair));
    }

    #[test]
    fn bad_drafts_name_the_field() {
        let bad = |title: &str, body: &str, tags: &[String]| {
            ArticleDraft::parse(ArticleKind::Answer, title, body, vec![], tags)
                .unwrap_err()
                .field
        };
        assert_eq!(bad("", "x", &[]), "title");
        assert_eq!(bad("two\nlines", "x", &[]), "title");
        assert_eq!(bad(&"长".repeat(101), "x", &[]), "title");
        assert_eq!(bad("t", "   ", &[]), "body");
        assert_eq!(bad("t", "x", &["a,b".into()]), "tags");
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(bad("t", "x", &many), "tags");
        assert!(
            ArticleDraft::parse(ArticleKind::Answer, "t", "x", vec![], &[])
                .unwrap()
                .applies_to(OrderType::Praise)
        );
    }

    #[test]
    fn the_notice_lists_every_article_after_the_answer() {
        let n = compose_notice(
            Some("您好，您的新装申请需要以下资料。"),
            &[
                ("资料清单", "1) 身份证\n2) 房产证明\n"),
                ("收费标准", "不收取任何费用"),
            ],
        );
        assert_eq!(
            n,
            "您好，您的新装申请需要以下资料。\n\n一次性告知：\n1. 资料清单\n1) 身份证\n2) 房产证明\n2. 收费标准\n不收取任何费用"
        );
        assert_eq!(compose_notice(Some("  "), &[]), "");
        assert!(compose_notice(None, &[("t", "b")]).starts_with("一次性告知"));
    }
}
