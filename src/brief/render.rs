//! Renderers: `brief.json` (the versioned schema), and `brief.en.md` / `brief.fr.md` readable as they are.
//! The self-contained `brief.html` is in [`super::html`].
use super::{
    Brief, BriefItem, Coverage, Developing, GroupLink, Period, SideInfo, SideStatus, Source,
};
use crate::lang::Lang;

/// The JSON Schema (draft 2020-12) that every `brief.json` follows; its `$id` and its `schema_version` const
/// carry [`super::SCHEMA_VERSION`].
pub const JSON_SCHEMA: &str = include_str!("schema.json");

/// The brief as pretty JSON, ending with a newline.
pub fn to_json(brief: &Brief) -> String {
    // Serializing plain structs of strings cannot fail.
    serde_json::to_string_pretty(brief).unwrap_or_default() + "\n"
}

/// The words of the renderers in one language.
pub(crate) struct Words {
    pub not_translated: &'static str,
    pub sources: &'static str,
    pub source: &'static str,
    pub summary_by: &'static str,
    pub translated_by: &'static str,
    pub no_items: &'static str,
    pub skipped: &'static str,
    pub original: &'static str,
    pub lead: &'static str,
    pub published: &'static str,
    pub same_story: &'static str,
    pub articles: &'static str,
    pub similarity: &'static str,
    pub score: &'static str,
    pub names: &'static str,
    pub numbers: &'static str,
    pub dates: &'static str,
    pub coverage: &'static str,
    pub outlets: &'static str,
    pub outlet: &'static str,
    pub article: &'static str,
    pub developing: &'static str,
    pub first_seen: &'static str,
    pub earlier: &'static str,
    /// What comes between a label and its text: `:` in English, a no-break space and `:` in French.
    pub colon: &'static str,
    /// Between two parts of a line: `;` in English, a no-break space and `;` in French.
    pub semicolon: &'static str,
    /// The decimal mark of numbers shown in the text.
    pub decimal: char,
}

pub(crate) const EN: Words = Words {
    not_translated: "not translated: the translation model is not installed",
    sources: "Sources",
    source: "Source",
    summary_by: "Summary",
    translated_by: "translation",
    no_items: "No articles.",
    skipped: "Skipped files",
    original: "from the original text",
    lead: "Lead story",
    published: "published",
    same_story: "Same story in",
    articles: "articles",
    similarity: "similarity",
    score: "score",
    names: "names",
    numbers: "numbers",
    dates: "dates",
    coverage: "Coverage",
    outlets: "outlets",
    outlet: "outlet",
    article: "article",
    developing: "Developing story",
    first_seen: "first seen",
    earlier: "earlier",
    colon: ":",
    semicolon: ";",
    decimal: '.',
};

pub(crate) const FR: Words = Words {
    not_translated: "non traduit\u{a0}: le modèle de traduction n'est pas installé",
    sources: "Sources",
    source: "Source",
    summary_by: "Résumé",
    translated_by: "traduction",
    no_items: "Aucun article.",
    skipped: "Fichiers ignorés",
    original: "à partir du texte original",
    lead: "À la une",
    published: "publié le",
    same_story: "Même sujet dans",
    articles: "articles",
    similarity: "similarité",
    score: "score",
    names: "noms",
    numbers: "nombres",
    dates: "dates",
    coverage: "Couverture",
    outlets: "médias",
    outlet: "média",
    article: "article",
    developing: "Sujet en développement",
    first_seen: "vu pour la première fois le",
    earlier: "avant",
    colon: "\u{a0}:",
    semicolon: "\u{a0};",
    decimal: ',',
};

pub(crate) fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    }
}

/// The period in words (`2025-11-10`, `2025-11-08 to 2025-11-10`, `since 2025-11-08`…); `None` when both ends
/// are open.
pub(crate) fn period_text(period: &Period, lang: Lang) -> Option<String> {
    let text = match (period.since.as_deref(), period.until.as_deref(), lang) {
        (Some(s), Some(u), _) if s == u => s.to_string(),
        (Some(s), Some(u), Lang::En) => format!("{s} to {u}"),
        (Some(s), Some(u), Lang::Fr) => format!("du {s} au {u}"),
        (Some(s), None, Lang::En) => format!("since {s}"),
        (Some(s), None, Lang::Fr) => format!("depuis le {s}"),
        (None, Some(u), Lang::En) => format!("until {u}"),
        (None, Some(u), Lang::Fr) => format!("jusqu'au {u}"),
        (None, None, _) => return None,
    };
    Some(text)
}

/// The brief's heading in `lang`: its title, followed by the period unless the title already shows it.
pub(crate) fn heading(brief: &Brief, lang: Lang) -> String {
    let title = brief.title.get(lang).unwrap_or(match lang {
        Lang::En => "News brief",
        Lang::Fr => "Synthèse de presse",
    });
    match brief.period.as_ref().and_then(|p| period_text(p, lang)) {
        Some(period) if !title.contains(&period) => format!("{title} — {period}"),
        _ => title.to_string(),
    }
}

/// The brief in one language as Markdown: the heading (with the period), the lead story first and labelled, each
/// item's summary, all its sources (outlet, link, published date) and how the side was made. Sides that could not be
/// translated say so instead of being left out.
pub fn to_markdown(brief: &Brief, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    out.push_str(&format!("# {}\n\n", heading(brief, lang)));
    if brief.items.is_empty() {
        out.push_str(w.no_items);
        out.push_str("\n\n");
    }
    for (i, item) in brief.items.iter().enumerate() {
        render_item(&mut out, item, i == 0, lang, w);
    }
    if !brief.skipped.is_empty() {
        out.push_str(&format!("## {}\n\n", w.skipped));
        for s in &brief.skipped {
            out.push_str(&format!(
                "- `{}`{} {}\n",
                s.path.display(),
                w.colon,
                s.reason
            ));
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn render_item(out: &mut String, item: &BriefItem, lead: bool, lang: Lang, w: &Words) {
    let side = match lang {
        Lang::En => &item.en,
        Lang::Fr => &item.fr,
    };
    let title = match item.title.get(lang) {
        Some(t) => md_text(t),
        None => format!(
            "{} _({})_",
            md_text(item.title.get(item.original_language).unwrap_or("")),
            w.not_translated
        ),
    };
    out.push_str(&format!("## {title}\n\n"));
    let date = item.published.as_deref();
    match (lead, date) {
        (true, Some(d)) => out.push_str(&format!("**{}** · {d}\n\n", w.lead)),
        (true, None) => out.push_str(&format!("**{}**\n\n", w.lead)),
        (false, Some(d)) => out.push_str(&format!("_{d}_\n\n")),
        (false, None) => {}
    }
    if let Some(d) = &item.developing {
        out.push_str(&format!("{}\n\n", markdown_developing(d, lang, w)));
    }
    let text: Vec<String> = item
        .sentences
        .iter()
        .filter_map(|s| s.get(lang))
        .map(md_text)
        .collect();
    if side.status == SideStatus::NotTranslated || (text.is_empty() && !item.sentences.is_empty()) {
        out.push_str(&format!("_{}._\n\n", capitalize(w.not_translated)));
    } else if !text.is_empty() {
        out.push_str(&text.join(" "));
        out.push_str("\n\n");
    }
    let label = if item.sources.len() == 1 {
        w.source
    } else {
        w.sources
    };
    out.push_str(&format!("{label}{}\n\n", w.colon));
    for s in &item.sources {
        out.push_str(&format!("- {}\n", markdown_source(s, w)));
    }
    out.push('\n');
    out.push_str(&format!("_{}_\n\n", coverage_text(&item.coverage, w)));
    if let Some(g) = &item.grouping {
        let best = g.links.iter().map(|l| l.score).fold(f64::NAN, f64::max);
        let mut line = format!(
            "_{} {} {} ({}, {} ≥ {}",
            w.same_story,
            item.sources.len(),
            w.articles,
            g.method,
            w.score,
            number(&g.threshold.to_string(), w)
        );
        if best.is_finite() {
            line.push_str(&format!(
                "{} max {}",
                w.semicolon,
                number(&format!("{best:.2}"), w)
            ));
        }
        line.push_str(")_\n\n");
        out.push_str(&line);
        let name = |id: &str| source_name(item, id);
        for l in &g.links {
            out.push_str(&format!(
                "- {} ↔ {}{} {}\n",
                md_text(&name(&l.a)),
                md_text(&name(&l.b)),
                w.colon,
                md_text(&link_evidence(l, w))
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!("_{}_\n\n", provenance(side, lang)));
}

/// How a side was made, in its language: `Summary: extractive (tandem, 3 sentences); translation: opus-mt-fr-en`,
/// `Résumé : extractif (tandem, 3 phrases) ; traduction : opus-mt-fr-en` (no-break spaces before `:` and `;`).
pub(crate) fn provenance(side: &SideInfo, lang: Lang) -> String {
    let w = words(lang);
    let by = crate::models::extractive::name_in(&side.summarized_by, lang)
        .unwrap_or_else(|| side.summarized_by.clone());
    let mut text = format!("{}{} {by}", w.summary_by, w.colon);
    if side.translated_by.is_empty() && side.status == SideStatus::Original {
        text.push_str(&format!(", {}", w.original));
    }
    for t in &side.translated_by {
        text.push_str(&format!(
            "{} {}{} {t}",
            w.semicolon, w.translated_by, w.colon
        ));
    }
    text
}

/// `2 outlets, 3 articles` / `2 médias, 3 articles`, after the label.
pub(crate) fn coverage_text(c: &Coverage, w: &Words) -> String {
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("{n} {one}")
        } else {
            format!("{n} {many}")
        }
    };
    format!(
        "{}{} {}, {}",
        w.coverage,
        w.colon,
        plural(c.outlets, w.outlet, w.outlets),
        plural(c.articles, w.article, w.articles)
    )
}

/// Why two sources were grouped, in words: `score 0.62; similarity 0.41; names: bamako, jnim; numbers: 14;
/// dates: 03-11` (terms when no name is shared).
pub(crate) fn link_evidence(l: &GroupLink, w: &Words) -> String {
    let mut parts = vec![
        format!("{} {}", w.score, number(&format!("{:.2}", l.score), w)),
        format!(
            "{} {}",
            w.similarity,
            number(&format!("{:.2}", l.similarity), w)
        ),
    ];
    let mut list = |label: &str, values: &[String]| {
        if !values.is_empty() {
            parts.push(format!("{label}{} {}", w.colon, values.join(", ")));
        }
    };
    list(w.names, &l.shared_names);
    list(w.numbers, &l.shared_numbers);
    list(w.dates, &l.shared_dates);
    if l.shared_names.is_empty() && !l.shared_terms.is_empty() {
        parts.push(l.shared_terms.join(", "));
    }
    parts.join(&format!("{} ", w.semicolon))
}

/// The name a source goes by in the why-grouped lines: its outlet, else its title, else its id.
pub(crate) fn source_name(item: &BriefItem, id: &str) -> String {
    item.sources
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.outlet.clone().unwrap_or_else(|| s.title.clone()))
        .unwrap_or_else(|| id.to_string())
}

/// `**Developing story** — first seen 2025-11-08; earlier: [2025-11-09](history/2025-11-09/brief.html) Title`.
fn markdown_developing(d: &Developing, lang: Lang, w: &Words) -> String {
    let earlier: Vec<String> = d
        .earlier
        .iter()
        .map(|e| {
            let title = e
                .title
                .get(lang)
                .or(e.title.en.as_deref())
                .or(e.title.fr.as_deref());
            match title {
                Some(t) => format!(
                    "[{}]({}) {}",
                    e.date,
                    markdown_url(&e.brief),
                    md_text(&t.replace(['[', ']'], ""))
                ),
                None => format!("[{}]({})", e.date, markdown_url(&e.brief)),
            }
        })
        .collect();
    format!(
        "**{}** — {} {}{} {}{} {}",
        w.developing,
        w.first_seen,
        d.first_seen,
        w.semicolon,
        w.earlier,
        w.colon,
        earlier.join(", ")
    )
}

/// A number as the text shows it: `0.35` in English, `0,35` in French.
pub(crate) fn number(digits: &str, w: &Words) -> String {
    digits.replace('.', &w.decimal.to_string())
}

/// `Outlet — [Title](url) — published 2025-11-10`, or `` Title — `path` `` for a source without a URL.
fn markdown_source(s: &Source, w: &Words) -> String {
    let title = md_text(&s.title.replace(['[', ']'], ""));
    let title = if title.trim().is_empty() {
        s.link.clone()
    } else {
        title
    };
    let mut parts = Vec::new();
    if let Some(outlet) = s.outlet.as_deref().filter(|o| !o.trim().is_empty()) {
        parts.push(md_text(outlet));
    }
    match &s.url {
        Some(url) => parts.push(format!("[{title}]({})", markdown_url(url))),
        None => parts.push(format!("{title} — `{}`", s.path.replace('`', "'"))),
    }
    if let Some(d) = &s.published {
        parts.push(format!("{} {d}", w.published));
    }
    parts.join(" — ")
}

/// Text as Markdown shows it literally: a `<` is escaped so that scraped text is never taken for HTML.
fn md_text(s: &str) -> String {
    s.replace('<', "\\<")
}

/// A URL that stays one Markdown link destination: spaces, parentheses and angle brackets percent-encoded.
fn markdown_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            _ => out.push(c),
        }
    }
    out
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
