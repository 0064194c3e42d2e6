//! Customer search: turning names and addresses into index terms and a search box's text into a
//! query. Chinese has no spaces between words, so runs of CJK characters are indexed as
//! overlapping bigrams and a query matches them as a phrase; this gives substring search on
//! names and address fragments through an ordinary inverted index (SQLite FTS5, PostgreSQL GIN on
//! tsvector) instead of a table scan.

use crate::ParseError;
use crate::values::{CustomerNo, PhoneNumber};

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Index terms of one text, in order: CJK runs as bigrams (a lone CJK character as itself),
/// ASCII letter/digit runs lower-cased as whole words.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_cjk = |cjk: &mut Vec<char>, out: &mut Vec<String>| {
        match cjk.len() {
            0 => {}
            1 => out.push(cjk[0].to_string()),
            _ => out.extend(cjk.windows(2).map(|w| w.iter().collect::<String>())),
        }
        cjk.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            cjk.push(c);
        } else if c.is_ascii_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.push(c.to_ascii_lowercase());
        } else {
            flush_cjk(&mut cjk, &mut out);
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    flush_cjk(&mut cjk, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The indexed document of a customer: name and address terms, space separated. Both backends
/// store exactly this string.
pub fn document(name: &str, address: &str) -> String {
    let mut t = terms(name);
    t.extend(terms(address));
    t.join(" ")
}

/// What the search box asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    CustomerNo(CustomerNo),
    Phone(PhoneNumber),
    /// All phrases must match; each phrase is a sequence of adjacent terms.
    Text(Vec<Vec<String>>),
}

impl SearchQuery {
    pub fn parse(q: &str) -> Result<Self, ParseError> {
        let t = q.trim();
        if t.is_empty() {
            return Err(ParseError::new(
                "q",
                "enter a customer number, name, phone or address",
            ));
        }
        if t.chars().count() > 60 {
            return Err(ParseError::new("q", "at most 60 characters"));
        }
        if let Ok(no) = CustomerNo::parse(t) {
            return Ok(Self::CustomerNo(no));
        }
        if t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+'))
            && let Ok(p) = PhoneNumber::parse(t)
        {
            return Ok(Self::Phone(p));
        }
        let phrases: Vec<Vec<String>> = t
            .split_whitespace()
            .map(terms)
            .filter(|p| !p.is_empty())
            .collect();
        let meaningful = phrases
            .iter()
            .any(|p| p.len() > 1 || p[0].chars().count() > 1);
        if !meaningful {
            return Err(ParseError::new(
                "q",
                "too short: give at least two characters of a name or address",
            ));
        }
        Ok(Self::Text(phrases))
    }

    /// The FTS5 MATCH expression of a text query: each phrase quoted, phrases ANDed. Terms hold
    /// only letters, digits and CJK characters, so no escaping is needed.
    pub fn fts5_match(phrases: &[Vec<String>]) -> String {
        phrases
            .iter()
            .map(|p| format!("\"{}\"", p.join(" ")))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// The PostgreSQL `to_tsquery('simple', ..)` text: terms of a phrase joined by `<->`.
    pub fn tsquery(phrases: &[Vec<String>]) -> String {
        phrases
            .iter()
            .map(|p| format!("({})", p.join(" <-> ")))
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_and_words() {
        assert_eq!(
            terms("朝阳区建国路12号"),
            ["朝阳", "阳区", "区建", "建国", "国路", "12", "号"]
        );
        assert_eq!(terms("张伟"), ["张伟"]);
        assert_eq!(terms("A栋 Room-5"), ["a", "栋", "room", "5"]);
        assert_eq!(document("王芳", "东村"), "王芳 东村");
    }

    #[test]
    fn query_kinds() {
        assert!(matches!(
            SearchQuery::parse("0100000001"),
            Ok(SearchQuery::CustomerNo(_))
        ));
        assert!(matches!(
            SearchQuery::parse("138 1234 1234"),
            Ok(SearchQuery::Phone(_))
        ));
        let SearchQuery::Text(p) = SearchQuery::parse("张伟  建国路").unwrap() else {
            panic!("text expected")
        };
        assert_eq!(SearchQuery::fts5_match(&p), "\"张伟\" AND \"建国 国路\"");
        assert_eq!(SearchQuery::tsquery(&p), "(张伟) & (建国 <-> 国路)");
        assert_eq!(SearchQuery::parse("").unwrap_err().field, "q");
        assert!(SearchQuery::parse("张").is_err());
        assert!(SearchQuery::parse("\"; DROP TABLE").is_ok_and(|q| match q {
            SearchQuery::Text(p) => SearchQuery::fts5_match(&p) == "\"drop\" AND \"table\"",
            _ => false,
        }));
    }
}
