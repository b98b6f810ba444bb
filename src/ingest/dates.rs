//! Dates in scraped news: recognising them (ISO 8601, RFC 2822, "10 November 2025", "November 10, 2025",
//! "lundi 10 novembre 2025 à 12h19") and normalising them to `YYYY-MM-DD`.
use regex::Regex;
use std::sync::LazyLock;

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("janvier", 1),
    ("janv", 1),
    ("february", 2),
    ("feb", 2),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("march", 3),
    ("mar", 3),
    ("mars", 3),
    ("april", 4),
    ("apr", 4),
    ("avril", 4),
    ("avr", 4),
    ("may", 5),
    ("mai", 5),
    ("june", 6),
    ("jun", 6),
    ("juin", 6),
    ("july", 7),
    ("jul", 7),
    ("juillet", 7),
    ("juil", 7),
    ("august", 8),
    ("aug", 8),
    ("août", 8),
    ("aout", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("septembre", 9),
    ("october", 10),
    ("oct", 10),
    ("octobre", 10),
    ("november", 11),
    ("nov", 11),
    ("novembre", 11),
    ("december", 12),
    ("dec", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("déc", 12),
];

const MONTH_ALT: &str = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|janv|févr|avr|juil|déc)\.?";
const WEEKDAY_ALT: &str = r"(?:mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)";
const TIME: &str = r"(?:,?\s*(?:at|à|-)?\s*\d{1,2}(?::|h)\d{2}(?::\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?(?:\s*(?:GMT|UTC|CET|CEST|EST|EDT|PST|PDT|BST|[+-]\d{2}:?\d{2}))?)?";

/// One date expression, anywhere: the pattern shared by the functions below.
static DATE: LazyLock<String> = LazyLock::new(|| {
    format!(
        r"(?:(?:{WEEKDAY_ALT},?\s+)?(?:le\s+)?\d{{1,2}}(?:er)?\s+{MONTH_ALT}\s+\d{{4}}{TIME}|(?:{WEEKDAY_ALT},?\s+)?{MONTH_ALT}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{TIME}|\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?)"
    )
});

static TRAILING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^(?P<title>.*?\S)\s*(?:[-|–—•·]\s*)?(?P<date>{})\s*$",
        *DATE
    ))
    .expect("valid date regex")
});

static LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^(?:(?:published|posted|updated|last updated|publié|publie|mis à jour|mis a jour|date)(?:\s+(?:on|le))?\s*:?\s*)?(?P<date>{})\.?$",
        *DATE
    ))
    .expect("valid date line regex")
});

static ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{4})-(\d{2})-(\d{2})").expect("valid iso regex"));
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\d{1,2})(?:er)?\s+([\p{L}]+)\.?\s+(\d{4})").expect("valid dmy regex")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([\p{L}]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
        .expect("valid mdy regex")
});

/// Normalises a date expression to `YYYY-MM-DD`; `None` when it is not a date this module knows.
pub fn normalize(s: &str) -> Option<String> {
    let s = s.trim();
    if let Some(c) = ISO.captures(s) {
        return ymd(&c[1], month_ok(&c[2])?, &c[3]);
    }
    if let Some(c) = DAY_MONTH_YEAR.captures(s) {
        if let Some(m) = month(&c[2]) {
            return ymd(&c[3], m, &c[1]);
        }
    }
    if let Some(c) = MONTH_DAY_YEAR.captures(s) {
        if let Some(m) = month(&c[1]) {
            return ymd(&c[3], m, &c[2]);
        }
    }
    None
}

/// A title with a date glued or appended to its end ("…spy chiefMon, 10 Nov 2025 12:19:19 GMT"):
/// the title without it, and the normalised date.
pub fn split_trailing_date(title: &str) -> Option<(String, String)> {
    let c = TRAILING.captures(title)?;
    let date = normalize(&c["date"])?;
    let rest = c["title"]
        .trim_end_matches([' ', '-', '|', '–', '—', ','])
        .to_string();
    (!rest.is_empty()).then_some((rest, date))
}

/// A line that holds only a date, optionally after "Published"/"Publié le"/"Updated": the normalised date.
pub fn date_line(line: &str) -> Option<String> {
    LINE.captures(line.trim())
        .and_then(|c| normalize(&c["date"]))
}

fn month(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == lower).map(|&(_, m)| m)
}

fn month_ok(s: &str) -> Option<u32> {
    s.parse().ok().filter(|m| (1..=12).contains(m))
}

fn ymd(year: &str, month: u32, day: &str) -> Option<String> {
    let y: u32 = year.parse().ok()?;
    let d: u32 = day.parse().ok()?;
    ((1900..=2100).contains(&y) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{month:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_forms() {
        for (input, want) in [
            ("2025-11-10", "2025-11-10"),
            ("2025-11-10T12:19:19+01:00", "2025-11-10"),
            ("Mon, 10 Nov 2025 12:19:19 GMT", "2025-11-10"),
            ("10 November 2025", "2025-11-10"),
            ("November 10, 2025", "2025-11-10"),
            ("lundi 10 novembre 2025 à 12h19", "2025-11-10"),
            ("1er août 2024", "2024-08-01"),
        ] {
            assert_eq!(normalize(input).as_deref(), Some(want), "{input}");
        }
        assert_eq!(normalize("Bamako, the capital"), None);
    }

    #[test]
    fn date_glued_to_a_title_is_split_off() {
        let (t, d) = split_trailing_date(
            "Mali jihadists seeking Islamist control, not to rule themselves: French spy chiefMon, 10 Nov 2025 12:19:19 GMT",
        )
        .unwrap();
        assert_eq!(
            t,
            "Mali jihadists seeking Islamist control, not to rule themselves: French spy chief"
        );
        assert_eq!(d, "2025-11-10");
        let (t, d) = split_trailing_date("Le pont ouvrira en mars - 3 février 2025").unwrap();
        assert_eq!(
            (t.as_str(), d.as_str()),
            ("Le pont ouvrira en mars", "2025-02-03")
        );
        assert_eq!(split_trailing_date("Budget vote delayed to 2026"), None);
    }

    #[test]
    fn date_lines() {
        assert_eq!(
            date_line("Publié le 10 novembre 2025 à 14h32").as_deref(),
            Some("2025-11-10")
        );
        assert_eq!(
            date_line("Published November 10, 2025").as_deref(),
            Some("2025-11-10")
        );
        assert_eq!(date_line("The vote took place on 10 November 2025."), None);
    }
}
