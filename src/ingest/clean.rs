//! Cleaning scraped article text: drops navigation and boilerplate lines (share buttons, comment forms, author
//! bios, "You Might Also Like", reading times, URL slugs, stray words) in English and French, finds the title,
//! `url:` and date lines, joins the rest into paragraphs and repairs glued sentences and one-sided quotes.
use super::dates;
use regex::Regex;
use std::sync::LazyLock;

/// A line left out of the article, with its (1-based) line number and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// What cleaning found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleaned {
    /// The title line, when one was asked for and found (a date glued to it already removed).
    pub title: Option<String>,
    /// True when the title was taken from the first sentence of the body (no title line).
    pub title_from_body: bool,
    /// From a `url:` line.
    pub url: Option<String>,
    /// `YYYY-MM-DD`, from a date glued to the title or a date line.
    pub published: Option<String>,
    pub paragraphs: Vec<String>,
    pub dropped: Vec<Dropped>,
    /// Text repairs made to kept lines (spaces after glued sentences, quotes).
    pub repairs: Vec<String>,
}

/// Lines equal (ignoring case, trailing `»`, `*`, `:`, `→`) to one of these are boilerplate.
const EXACT: &[(&str, &[&str])] = &[
    (
        "share button",
        &[
            "facebook",
            "twitter",
            "x",
            "linkedin",
            "whatsapp",
            "email",
            "e-mail",
            "mail",
            "telegram",
            "pinterest",
            "reddit",
            "print",
            "imprimer",
            "tumblr",
            "messenger",
            "flipboard",
            "bluesky",
            "threads",
            "pocket",
            "copy link",
            "copier le lien",
            "share",
            "partager",
            "share this",
            "share this article",
            "partager cet article",
            "partager sur facebook",
            "partager sur twitter",
            "share on facebook",
            "share on twitter",
            "tweet",
            "shared with",
            "translate",
            "traduire",
            "envoyer",
            "send",
            "copy",
            "copier",
        ],
    ),
    (
        "comment form",
        &[
            "leave a reply",
            "leave a comment",
            "laisser un commentaire",
            "laisser une réponse",
            "répondre",
            "reply",
            "cancel reply",
            "annuler la réponse",
            "comment",
            "comments",
            "commentaire",
            "commentaires",
            "name",
            "nom",
            "website",
            "site web",
            "post comment",
            "publier le commentaire",
            "laisser un commentaire annuler la réponse",
        ],
    ),
    (
        "navigation",
        &[
            "ligne",
            "menu",
            "home",
            "accueil",
            "search",
            "rechercher",
            "recherche",
            "skip to content",
            "aller au contenu",
            "next",
            "previous",
            "suivant",
            "précédent",
            "back to top",
            "retour en haut",
            "read more",
            "lire la suite",
            "en savoir plus",
            "learn more",
            "voir plus",
            "see more",
            "tags",
            "mots-clés",
            "mots clés",
            "topics",
            "sections",
            "newsletter",
            "login",
            "log in",
            "sign in",
            "se connecter",
            "connexion",
            "close",
            "fermer",
            "live",
            "direct",
            "en direct",
        ],
    ),
    (
        "advertisement",
        &[
            "advertisement",
            "publicité",
            "sponsored",
            "sponsorisé",
            "ad",
            "pub",
        ],
    ),
    (
        "subscription prompt",
        &[
            "subscribe",
            "s'abonner",
            "abonnez-vous",
            "je m'abonne",
            "sign up",
            "inscrivez-vous",
            "s’abonner",
            "je m’abonne",
        ],
    ),
];

/// Lines matching one of these are boilerplate (checked after [`EXACT`]).
static PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"^(?:\d+\s*(?:min(?:utes?|s)?\.?\s*)?(?:reading time|read|to read|de lecture|min de lecture)|(?:reading time|temps de lecture|lecture)\s*:?\s*\d+\s*(?:min(?:utes?)?\.?)?)$",
            "reading time",
        ),
        (
            r"^your email address will not be published|^required fields are marked|^votre adresse (?:e-?mail|de messagerie) ne sera pas publiée|^les champs obligatoires sont indiqués|^save my name, email|^enregistrer mon nom, mon e-?mail|^(?:name|email|e-mail|nom|website|site web|comment|commentaire)\s*\*$|^you must be logged in to post a comment|^vous devez être connecté",
            "comment form",
        ),
        (
            r"^(?:read full bio|voir la bio|lire la bio|full bio|view all posts by|voir tous les articles de|more from this author|plus d'articles de cet auteur)\b",
            "author bio",
        ),
        (
            r"^(?:share (?:this|on)\b|partager (?:cet|sur)\b|follow us\b|suivez-nous\b|retrouvez-nous sur\b|click here\b|cliquez ici\b|sign up for\b|subscribe to\b|abonnez-vous à\b|inscrivez-vous à\b|download (?:our|the) app\b|téléchargez (?:notre|l'|l’)app)",
            "call to action",
        ),
        (
            r"^(?:(?:à|a) lire aussi|lire aussi|read also|see also|voir aussi|related|also read|à voir aussi|sur le même sujet)\s*[:»›>-]",
            "related-article link",
        ),
        (
            r"^(?:©|\(c\)|copyright\b)|all rights reserved\.?$|tous droits réservés\.?$",
            "copyright line",
        ),
        (r"^(?:by|par)\s+(?-i:\p{Lu}[\p{L}'’.-]*(?:\s+(?:and|et|\p{Lu}[\p{L}'’.-]*)){0,5})$", "byline"),
        (r"^(?:photo|crédit photo|credit|image|illustration)\s*:\s*\S", "photo credit"),
        (r"^[a-z0-9]+(?:-[a-z0-9]+){2,}/?$", "URL slug"),
        (r"^https?://\S+$", "bare link"),
    ]
    .into_iter()
    .map(|(p, r)| (Regex::new(&format!("(?i){p}")).expect("valid boilerplate regex"), r))
    .collect()
});

/// A line that starts a trailing block: everything from it to the end is not the article.
const TAIL_MARKERS: &[&str] = &[
    "you might also like",
    "you may also like",
    "related articles",
    "related posts",
    "related stories",
    "more stories",
    "read next",
    "recommended",
    "most read",
    "most popular",
    "vous aimerez aussi",
    "vous aimerez aussi :",
    "à lire aussi",
    "a lire aussi",
    "articles similaires",
    "sur le même sujet",
    "les plus lus",
    "nos recommandations",
    "leave a reply",
    "leave a comment",
    "laisser un commentaire",
    "laisser une réponse",
    "comments",
    "commentaires",
    "sources",
    "références",
    "references",
];

fn normalize_key(line: &str) -> String {
    line.trim()
        .trim_end_matches(['»', '*', ':', '→', '›', '>', ' ', '\u{a0}'])
        .trim_start_matches(['•', '·', '|', ' '])
        .to_lowercase()
}

/// Why `line` (trimmed, non-empty) is boilerplate, if it is.
pub fn boilerplate_reason(line: &str) -> Option<&'static str> {
    let key = normalize_key(line);
    if key.is_empty() {
        return Some("decoration");
    }
    if !key.chars().any(char::is_alphanumeric) {
        return Some("decoration");
    }
    for (reason, words) in EXACT {
        if words.contains(&key.as_str()) {
            return Some(reason);
        }
    }
    PATTERNS
        .iter()
        .find(|(re, _)| re.is_match(line.trim()))
        .map(|&(_, r)| r)
}

fn is_tail_marker(line: &str) -> bool {
    TAIL_MARKERS.contains(&normalize_key(line).as_str())
}

/// Short, capitalised, unpunctuated: how an author's name line looks.
fn looks_like_name(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || "-'’.".contains(c))
        })
}

fn ends_sentence(line: &str) -> bool {
    let t = line.trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', ' ', '\u{a0}']);
    t.ends_with(['.', '!', '?', '…'])
}

fn is_bullet(line: &str) -> Option<&str> {
    ["- ", "• ", "* ", "– ", "· "]
        .iter()
        .find_map(|b| line.strip_prefix(b))
        .map(str::trim)
}

fn strip_url_prefix(line: &str) -> Option<&str> {
    let lower = line.get(..4)?.to_ascii_lowercase();
    (lower == "url:").then(|| line[4..].trim())
}

fn looks_like_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace)
}

/// Line kinds after the first pass.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Blank,
    Keep(String),
    Drop(String),
}

/// Cleans the text of one article. `first_line` is the file line number of `text`'s first line; `want_title`
/// asks for the title to be taken from the text (plain-text files without front matter); `known_title`, when
/// given, drops lines repeating it.
pub fn clean(
    text: &str,
    first_line: usize,
    want_title: bool,
    known_title: Option<&str>,
) -> Cleaned {
    let mut out = Cleaned::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut kinds: Vec<Kind> = Vec::with_capacity(lines.len());
    let mut previous: Option<String> = None;
    let mut seen_body = false;
    let mut tail: Option<String> = None;
    let known_key = known_title.map(normalize_key);

    for raw in &lines {
        let line = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if line.is_empty() {
            kinds.push(Kind::Blank);
            continue;
        }
        if let Some(marker) = &tail {
            kinds.push(Kind::Drop(format!("after `{marker}`: end of the article")));
            continue;
        }
        if let Some(rest) = strip_url_prefix(line) {
            if out.url.is_none() && looks_like_url(rest) {
                out.url = Some(rest.to_string());
                kinds.push(Kind::Drop("url line (used as the article's URL)".into()));
                continue;
            }
        }
        if seen_body && is_tail_marker(line) {
            tail = Some(line.to_string());
            kinds.push(Kind::Drop(
                "start of a trailing block (related links, comments, sources)".into(),
            ));
            continue;
        }
        if let Some(date) = dates::date_line(line) {
            if out.published.is_none() {
                out.published = Some(date);
            }
            kinds.push(Kind::Drop("date line (used as the published date)".into()));
            continue;
        }
        if let Some(reason) = boilerplate_reason(line) {
            // A single word before the title is only noise when it is a known one; others are handled below.
            kinds.push(Kind::Drop(reason.to_string()));
            continue;
        }
        if previous.as_deref() == Some(line) {
            kinds.push(Kind::Drop("repeated line".into()));
            continue;
        }
        if known_key.as_deref() == Some(normalize_key(line).as_str()) {
            kinds.push(Kind::Drop("repeats the title".into()));
            continue;
        }
        previous = Some(line.to_string());
        if ends_sentence(line) && line.split_whitespace().count() >= 4 {
            seen_body = true;
        }
        kinds.push(Kind::Keep(line.to_string()));
    }

    drop_author_bios(&mut kinds);

    // Title: the first kept line, after any stray single word before it.
    let mut body_start = 0;
    if want_title {
        let kept: Vec<usize> = (0..kinds.len())
            .filter(|&i| matches!(kinds[i], Kind::Keep(_)))
            .collect();
        let mut k = 0;
        if kept.len() >= 2 {
            if let (Kind::Keep(first), Kind::Keep(second)) = (&kinds[kept[0]], &kinds[kept[1]]) {
                let stray = first.split_whitespace().count() == 1
                    && first.chars().count() <= 15
                    && !ends_sentence(first)
                    && second.split_whitespace().count() >= 3;
                if stray {
                    kinds[kept[0]] = Kind::Drop("stray word before the title".into());
                    k = 1;
                }
            }
        }
        if let Some(&ti) = kept.get(k) {
            if let Kind::Keep(line) = &kinds[ti] {
                let line = line.clone();
                if ends_sentence(&line) && line.split_whitespace().count() >= 15 {
                    out.title = Some(first_sentence_title(&line));
                    out.title_from_body = true;
                } else {
                    let title = match dates::split_trailing_date(&line) {
                        Some((t, d)) => {
                            out.repairs.push(format!("date `{d}` split off the title"));
                            if out.published.is_none() {
                                out.published = Some(d);
                            }
                            t
                        }
                        None => line,
                    };
                    out.title = Some(title);
                    body_start = ti + 1;
                }
            }
        }
    }

    // Paragraphs.
    let mut current: Vec<String> = Vec::new();
    let flush = |current: &mut Vec<String>, out: &mut Cleaned| {
        if !current.is_empty() {
            let (p, notes) = repair_paragraph(&current.join(" "));
            out.repairs.extend(notes);
            out.paragraphs.push(p);
            current.clear();
        }
    };
    for (i, kind) in kinds.iter().enumerate() {
        if i < body_start {
            if let Kind::Drop(reason) = kind {
                out.dropped.push(Dropped {
                    line: first_line + i,
                    text: lines[i].trim().to_string(),
                    reason: reason.clone(),
                });
            }
            continue;
        }
        match kind {
            Kind::Blank => flush(&mut current, &mut out),
            Kind::Drop(reason) => {
                flush(&mut current, &mut out);
                out.dropped.push(Dropped {
                    line: first_line + i,
                    text: lines[i].trim().to_string(),
                    reason: reason.clone(),
                });
            }
            Kind::Keep(line) => {
                if let Some(item) = is_bullet(line) {
                    flush(&mut current, &mut out);
                    current.push(item.to_string());
                    continue;
                }
                if current.last().is_some_and(|l| ends_sentence(l)) {
                    flush(&mut current, &mut out);
                }
                current.push(line.clone());
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

/// An author block ends with "Read full bio": drop it back to the author's name line (at most 4 lines up).
fn drop_author_bios(kinds: &mut [Kind]) {
    let markers: Vec<usize> = (0..kinds.len())
        .filter(|&i| matches!(&kinds[i], Kind::Drop(r) if r == "author bio"))
        .collect();
    for m in markers {
        let mut candidates = Vec::new();
        let mut name_at = None;
        for i in (0..m).rev() {
            match &kinds[i] {
                Kind::Blank => continue,
                Kind::Drop(r) if r == "repeated line" => continue,
                Kind::Drop(_) => break,
                Kind::Keep(line) => {
                    candidates.push(i);
                    if looks_like_name(line) {
                        name_at = Some(i);
                        break;
                    }
                    if candidates.len() >= 4 {
                        break;
                    }
                }
            }
        }
        if name_at.is_some() {
            for i in candidates {
                kinds[i] = Kind::Drop("author bio".into());
            }
        }
    }
    // A name line followed by a paragraph that starts with that name is a bio even without the marker.
    for i in 0..kinds.len() {
        let Kind::Keep(name) = &kinds[i] else {
            continue;
        };
        if !looks_like_name(name) {
            continue;
        }
        let name = name.clone();
        let next = (i + 1..kinds.len()).find(|&j| !matches!(kinds[j], Kind::Blank | Kind::Drop(_)));
        if let Some(j) = next {
            if let Kind::Keep(bio) = &kinds[j] {
                let rest = bio.strip_prefix(name.as_str()).map(str::trim_start);
                let is_bio = rest.is_some_and(|r| {
                    [
                        "is ", "est ", "was ", "était ", "has ", "a été ", "writes ", "écrit ",
                    ]
                    .iter()
                    .any(|v| r.starts_with(v))
                });
                if is_bio {
                    kinds[i] = Kind::Drop("author bio".into());
                    kinds[j] = Kind::Drop("author bio".into());
                }
            }
        }
    }
}

/// A title made from the first sentence of the body (at most 14 words).
pub(crate) fn first_sentence_title(line: &str) -> String {
    let sentence = crate::text::split_sentences(line)
        .into_iter()
        .next()
        .unwrap_or_else(|| line.to_string());
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() <= 14 {
        sentence
    } else {
        format!(
            "{}…",
            words[..14].join(" ").trim_end_matches([',', ';', ':'])
        )
    }
}

/// Repairs one paragraph: a space after a sentence glued to the next ("Monday.Speaking"), a `”` used as an
/// opening quote turned into `“`, and a quote left open at the end of a paragraph closed.
pub fn repair_paragraph(p: &str) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let chars: Vec<char> = p
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut depth = 0usize;
    let mut glued = 0usize;
    let mut flipped = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '“' => depth += 1,
            '”' => {
                let next_is_word = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
                let prev_is_space_or_start = i == 0 || chars[i - 1].is_whitespace();
                if depth == 0 && next_is_word {
                    if !prev_is_space_or_start && !out.ends_with(char::is_whitespace) {
                        out.push(' ');
                    }
                    out.push('“');
                    depth += 1;
                    flipped += 1;
                    i += 1;
                    continue;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        out.push(c);
        if matches!(c, '.' | '!' | '?') && glued_after(&chars, i) {
            // copy closing quotes first, then the space
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], '"' | '’' | '»' | ')') {
                out.push(chars[j]);
                j += 1;
            }
            if chars.get(j).is_some_and(|n| n.is_uppercase()) {
                out.push(' ');
                glued += 1;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    if depth > 0 && ends_sentence(&out) && !out.ends_with(['”', '"']) {
        out.push('”');
        notes.push("closed a quote left open at the end of a paragraph".to_string());
    }
    if glued > 0 {
        notes.push(format!("added a space between {glued} glued sentence(s)"));
    }
    if flipped > 0 {
        notes.push(format!("turned {flipped} opening `”` into `“`"));
    }
    (out, notes)
}

/// After the terminator at `i`: is the next sentence glued on (no space, capital next)?
fn glued_after(chars: &[char], i: usize) -> bool {
    let mut word_len = 0;
    let mut has_lower = false;
    let mut k = i;
    while k > 0 && chars[k - 1].is_alphabetic() {
        has_lower |= chars[k - 1].is_lowercase();
        word_len += 1;
        k -= 1;
    }
    if word_len < 2 || (k > 0 && chars[k - 1] == '.') {
        return false; // U.S.A, initials, "e.g."
    }
    if !has_lower && word_len < 3 {
        return false;
    }
    let word: String = chars[k..i].iter().collect();
    if crate::text::segment::is_abbreviation(&word) {
        return false;
    }
    let mut j = i + 1;
    while j < chars.len() && matches!(chars[j], '"' | '’' | '»' | ')') {
        j += 1;
    }
    chars
        .get(j)
        .is_some_and(|n| n.is_uppercase() || *n == '”' || *n == '“')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boilerplate_lines_in_both_languages() {
        for line in [
            "Facebook",
            "Translate »",
            "WhatsApp",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Votre adresse e-mail ne sera pas publiée.",
            "4 Reading time",
            "5 min de lecture",
            "Read full bio →",
            "Publicité",
            "À lire aussi : Le pont rouvre",
            "jihadiste-jnim-attaques-mali",
            "© 2025 Example Media. All rights reserved.",
            "Par Jean Dupont",
        ] {
            assert!(boilerplate_reason(line).is_some(), "{line}");
        }
        for line in [
            "The council approved the budget.",
            "Le Mali est enclavé.",
            "Fuel Blockade Choking Mali’s Economy",
            "Détails des Attaques",
            "By the end of the year, prices rose.",
        ] {
            assert_eq!(boilerplate_reason(line), None, "{line}");
        }
    }

    #[test]
    fn glued_sentences_and_quotes_are_repaired() {
        let (p, notes) = repair_paragraph("He spoke Monday.Speaking to France Inter, he warned the JNIM.”The intelligence is clear,” he said.");
        assert_eq!(p, "He spoke Monday. Speaking to France Inter, he warned the JNIM. “The intelligence is clear,” he said.");
        assert_eq!(notes.len(), 2);
        let (p, _) = repair_paragraph("It urged citizens to leave “as soon as possible.");
        assert_eq!(p, "It urged citizens to leave “as soon as possible.”");
        let (p, _) = repair_paragraph("The U.S. Army said. Gambiaj.com reports.");
        assert_eq!(p, "The U.S. Army said. Gambiaj.com reports.");
    }

    #[test]
    fn stray_word_slug_and_tail_block() {
        let text = "Ligne\n\nA real title here\n\nFirst paragraph of the article is here.\nsome-url-slug-line\n\nSecond one ends here.\n\nYou Might Also Like\n\nAnother story title\n";
        let c = clean(text, 1, true, None);
        assert_eq!(c.title.as_deref(), Some("A real title here"));
        assert_eq!(
            c.paragraphs,
            vec![
                "First paragraph of the article is here.",
                "Second one ends here."
            ]
        );
        let reasons: Vec<&str> = c.dropped.iter().map(|d| d.reason.as_str()).collect();
        assert_eq!(reasons[0], "navigation");
        assert!(reasons.contains(&"URL slug"));
        assert_eq!(c.dropped.last().map(|d| d.line), Some(12));
    }
}
