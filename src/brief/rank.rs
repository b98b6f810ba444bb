//! Importance: which source leads an item, and which item leads the brief.
//!
//! Items are ordered by number of sources (a story several outlets report comes first), then by latest
//! published date (recent first; undated last), then by id, so the order is total and stable. Within an item the
//! lead source is the most recent, then the longest (the fullest account), then the lowest id.
use super::BriefItem;
use std::cmp::Ordering;

/// Orders items most important first.
pub fn order_items(items: &mut [BriefItem]) {
    items.sort_by(|a, b| {
        b.sources
            .len()
            .cmp(&a.sources.len())
            .then_with(|| recent_first(a.published.as_deref(), b.published.as_deref()))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// A candidate lead source: its published date, text length and id.
#[derive(Debug, Clone, Copy)]
pub struct LeadCandidate<'a> {
    pub published: Option<&'a str>,
    pub text_len: usize,
    pub id: &'a str,
}

/// Indices of `candidates`, lead first.
pub fn lead_first(candidates: &[LeadCandidate]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (&candidates[i], &candidates[j]);
        recent_first(a.published, b.published)
            .then_with(|| b.text_len.cmp(&a.text_len))
            .then_with(|| a.id.cmp(b.id))
    });
    order
}

fn recent_first(a: Option<&str>, b: Option<&str>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => y.cmp(x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::{Bilingual, SideInfo, SideStatus, Source};
    use crate::lang::Lang;

    fn item(id: &str, sources: usize, published: Option<&str>) -> BriefItem {
        let side = SideInfo {
            status: SideStatus::Original,
            summarized_by: String::new(),
            translated_by: Vec::new(),
        };
        let source = Source {
            id: id.into(),
            link: String::new(),
            url: None,
            path: String::new(),
            title: String::new(),
            language: Lang::En,
            published: None,
            outlet: None,
            summary_chunks: None,
        };
        BriefItem {
            id: id.into(),
            original_language: Lang::En,
            published: published.map(str::to_string),
            title: Bilingual { en: None, fr: None },
            sentences: Vec::new(),
            en: side.clone(),
            fr: side,
            coverage: crate::brief::Coverage {
                outlets: 1,
                articles: sources,
            },
            sources: vec![source; sources],
            grouping: None,
            developing: None,
        }
    }

    #[test]
    fn more_sources_first_then_recent_then_id() {
        let mut items = vec![
            item("z", 1, None),
            item("y", 1, Some("2025-11-09")),
            item("x", 2, Some("2025-11-01")),
            item("b", 1, Some("2025-11-10")),
            item("a", 1, Some("2025-11-10")),
        ];
        order_items(&mut items);
        let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["x", "a", "b", "y", "z"]);
    }

    #[test]
    fn lead_is_most_recent_then_longest_then_lowest_id() {
        let c = |published, text_len, id| LeadCandidate {
            published,
            text_len,
            id,
        };
        let order = lead_first(&[
            c(None, 900, "a"),
            c(Some("2025-11-09"), 100, "b"),
            c(Some("2025-11-10"), 50, "c"),
            c(Some("2025-11-10"), 80, "e"),
            c(Some("2025-11-10"), 80, "d"),
        ]);
        assert_eq!(order, vec![4, 3, 2, 1, 0]);
    }
}
