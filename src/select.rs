//! Daily mode: which articles a brief covers, by published date (`--date`, or `--since` / `--until`).
//!
//! Dates are `YYYY-MM-DD` and compared as such, both ends inclusive. An article whose published date is unknown
//! cannot be placed in a period: it is left out (and listed in the run report) unless the user asks to keep
//! undated articles.
use crate::brief::Period;
use crate::ingest::Article;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// An article not in the brief because of its date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    pub path: PathBuf,
    pub published: Option<String>,
    pub reason: String,
}

/// The period from the command line: `--date D` is `D..=D`; `--since`/`--until` may each be open.
pub fn period(
    date: Option<&str>,
    since: Option<&str>,
    until: Option<&str>,
) -> Result<Option<Period>> {
    for (flag, value) in [("--date", date), ("--since", since), ("--until", until)] {
        if let Some(v) = value {
            if !is_date(v) {
                return Err(Error::Usage(format!(
                    "{flag} {v}: expected a date as YYYY-MM-DD, e.g. 2025-11-10"
                )));
            }
        }
    }
    if date.is_some() && (since.is_some() || until.is_some()) {
        return Err(Error::Usage(
            "--date cannot be combined with --since/--until: use one or the other".into(),
        ));
    }
    if let (Some(s), Some(u)) = (since, until) {
        if s > u {
            return Err(Error::Usage(format!(
                "--since {s} is after --until {u}: the period would be empty"
            )));
        }
    }
    Ok(match (date, since, until) {
        (Some(d), _, _) => Some(Period {
            since: Some(d.to_string()),
            until: Some(d.to_string()),
        }),
        (None, None, None) => None,
        (None, s, u) => Some(Period {
            since: s.map(str::to_string),
            until: u.map(str::to_string),
        }),
    })
}

/// Splits `articles` into those in `period` and those left out, with the reason.
pub fn select(
    articles: Vec<Article>,
    period: Option<&Period>,
    keep_undated: bool,
) -> (Vec<Article>, Vec<LeftOut>) {
    let Some(period) = period else {
        return (articles, Vec::new());
    };
    let mut kept = Vec::new();
    let mut left = Vec::new();
    for a in articles {
        let reason = match a.published.as_deref() {
            None if keep_undated => None,
            None => Some(
                "no published date (pass --include-undated to keep undated articles)".to_string(),
            ),
            Some(d) if period.since.as_deref().is_some_and(|s| d < s) => {
                Some(format!("published {d}, before the period"))
            }
            Some(d) if period.until.as_deref().is_some_and(|u| d > u) => {
                Some(format!("published {d}, after the period"))
            }
            Some(_) => None,
        };
        match reason {
            None => kept.push(a),
            Some(reason) => left.push(LeftOut {
                path: a.path.clone(),
                published: a.published.clone(),
                reason,
            }),
        }
    }
    (kept, left)
}

/// A plausible calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(1900..=2100), Some(1..=12), Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::lang::Lang;

    fn article(name: &str, published: Option<&str>) -> Article {
        let mut a = Article::for_test(name, Lang::En, &["Body text."]);
        a.published = published.map(str::to_string);
        a
    }

    #[test]
    fn period_from_flags() {
        assert_eq!(period(None, None, None).unwrap(), None);
        let p = period(Some("2025-11-10"), None, None).unwrap().unwrap();
        assert_eq!(
            (p.since.as_deref(), p.until.as_deref()),
            (Some("2025-11-10"), Some("2025-11-10"))
        );
        let p = period(None, Some("2025-11-08"), None).unwrap().unwrap();
        assert_eq!((p.since.as_deref(), p.until), (Some("2025-11-08"), None));
        for (d, s, u) in [
            (Some("10/11/2025"), None, None),
            (Some("2025-13-01"), None, None),
            (Some("2025-11-10"), Some("2025-11-01"), None),
            (None, Some("2025-11-10"), Some("2025-11-01")),
        ] {
            assert!(period(d, s, u).is_err(), "{d:?} {s:?} {u:?}");
        }
    }

    #[test]
    fn selects_inclusive_range_and_says_why_others_are_left_out() {
        let p = period(None, Some("2025-11-09"), Some("2025-11-10")).unwrap();
        let articles = vec![
            article("a.txt", Some("2025-11-08")),
            article("b.txt", Some("2025-11-09")),
            article("c.txt", Some("2025-11-10")),
            article("d.txt", Some("2025-11-11")),
            article("e.txt", None),
        ];
        let (kept, left) = select(articles.clone(), p.as_ref(), false);
        let names: Vec<_> = kept.iter().map(|a| a.path.display().to_string()).collect();
        assert_eq!(names, ["b.txt", "c.txt"]);
        let reasons: Vec<_> = left.iter().map(|l| l.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "published 2025-11-08, before the period",
                "published 2025-11-11, after the period",
                "no published date (pass --include-undated to keep undated articles)"
            ]
        );
        let (kept, left) = select(articles.clone(), p.as_ref(), true);
        assert_eq!((kept.len(), left.len()), (3, 2));
        let (kept, left) = select(articles, None, false);
        assert_eq!((kept.len(), left.len()), (5, 0));
    }
}
