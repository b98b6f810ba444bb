//! Language-independent evidence that two articles tell the same story, found without any translation: names
//! (people, places, organisations, acronyms), numbers and dates, as a French and an English article write them.
//!
//! [`extract`] reads one article's text (title, blank line, body) into an [`Evidence`]:
//!
//! - **names**: capitalised words that do not open a sentence (a sentence-opening or title word counts when the
//!   text also writes it capitalised elsewhere), and acronyms. Accents are folded and case dropped (`Lerner`,
//!   `Bamako`, `JNIM`); French elisions (`l'ONU`, `d'Abidjan`) and English possessives are cut; known
//!   equivalents become one key ([`EQUIVALENTS`]: ONU/UN, OTAN/NATO, BCE/ECB, Londres/London…, and spelled-out
//!   names such as "Banque centrale européenne" → ECB); calendar words, titles and function words are not names.
//! - **numbers**: `1,200`, `1 200` and `1.200` are 1200; `3.5`, `3,5` are 3.5; `3.5%`, `3,5 %`, `3.5 per cent`,
//!   `3,5 pour cent` are `3.5%`; `1.2 million`, `1,2 million` are 1200000 (`milliard` and `billion` 10⁹).
//!   Integers below 10 say too little to count, and four-digit years are kept apart.
//! - **dates**: `March 12`, `12 March`, `12 mars`, `1er mars`, `2025-03-12` are the day `03-12`; years
//!   (1900–2099) are kept apart, so that two articles about the same people a year apart disagree.
//!
//! Two texts' names are compared with cognates matched ([`names_match`]: the same key, one a prefix of the other
//! from four letters, or the same first five letters: `Tunisie`/`Tunisia`, `Ukraine`/`Ukrainian`).
//! [`compare`] says what two articles share and where they disagree; [`crate::brief::cluster`] turns that into a
//! score.
use std::collections::{BTreeMap, BTreeSet};

/// What one article says that does not depend on its language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Name keys (folded, lower case, equivalents mapped) and how often each is mentioned.
    pub names: BTreeMap<String, u32>,
    /// Numbers, normalised (`1200`, `3.5`, `3.5%`, `1200000`).
    pub numbers: BTreeSet<String>,
    /// Days of the year, `MM-DD`.
    pub dates: BTreeSet<String>,
    /// Years mentioned (1900–2099).
    pub years: BTreeSet<u32>,
}

/// What two articles share, and whether their dates disagree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shared {
    /// Names both mention (the first article's key; a cognate pair is shown `a/b`), most mentioned first.
    pub names: Vec<String>,
    /// Weighted cosine of the two name sets (each name weighs 1 + ln(mentions); cognates matched), with
    /// [`PSEUDO_NAMES`] added to each side so that one shared place among few names is not a match.
    pub name_score: f64,
    pub numbers: Vec<String>,
    /// Shared days (`MM-DD`).
    pub dates: Vec<String>,
    /// Both mention days of the year and share none.
    pub dates_disagree: bool,
    /// Both mention years and share none.
    pub years_disagree: bool,
}

/// The weight of the pseudo-names added to each side of the names' cosine ([`Shared::name_score`]).
pub const PSEUDO_NAMES: f64 = 6.0;

/// Known equivalents across English and French (folded, lower case) → one key. Acronyms, spelled-out
/// organisations and the place names whose spellings share no prefix.
pub const EQUIVALENTS: &[(&str, &str)] = &[
    ("onu", "un"),
    ("nations unies", "un"),
    ("united nations", "un"),
    ("otan", "nato"),
    ("ue", "eu"),
    ("union europeenne", "eu"),
    ("european union", "eu"),
    ("bce", "ecb"),
    ("banque centrale europeenne", "ecb"),
    ("european central bank", "ecb"),
    ("fmi", "imf"),
    ("fonds monetaire international", "imf"),
    ("international monetary fund", "imf"),
    ("oms", "who"),
    ("organisation mondiale de la sante", "who"),
    ("world health organization", "who"),
    ("omc", "wto"),
    ("organisation mondiale du commerce", "wto"),
    ("world trade organization", "wto"),
    ("ocde", "oecd"),
    ("cpi", "icc"),
    ("cour penale internationale", "icc"),
    ("international criminal court", "icc"),
    ("unicef", "unicef"),
    ("hcr", "unhcr"),
    ("pam", "wfp"),
    ("programme alimentaire mondial", "wfp"),
    ("world food programme", "wfp"),
    ("etats-unis", "us"),
    ("united states", "us"),
    ("usa", "us"),
    ("royaume-uni", "uk"),
    ("united kingdom", "uk"),
    ("britain", "uk"),
    ("grande-bretagne", "uk"),
    ("londres", "london"),
    ("allemagne", "germany"),
    ("espagne", "spain"),
    ("italie", "italy"),
    ("suisse", "switzerland"),
    ("grece", "greece"),
    ("pologne", "poland"),
    ("chine", "china"),
    ("japon", "japan"),
    ("maroc", "morocco"),
    ("irlande", "ireland"),
    ("pays-bas", "netherlands"),
    ("bruxelles", "brussels"),
    ("geneve", "geneva"),
    ("pekin", "beijing"),
    ("moscou", "moscow"),
    ("varsovie", "warsaw"),
    ("lisbonne", "lisbon"),
    ("venise", "venice"),
    ("cote d'ivoire", "ivory coast"),
    ("ivory coast", "ivory coast"),
];

/// Capitalised words that are not names: function words that open sentences, calendar words, titles.
const NOT_NAMES: &[&str] = &[
    // English
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "of",
    "for",
    "and",
    "but",
    "or",
    "as",
    "by",
    "to",
    "from",
    "with",
    "after",
    "before",
    "about",
    "over",
    "under",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "i",
    "his",
    "her",
    "their",
    "our",
    "there",
    "here",
    "when",
    "while",
    "if",
    "what",
    "who",
    "which",
    "why",
    "how",
    "some",
    "many",
    "most",
    "all",
    "no",
    "not",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "mr",
    "mrs",
    "ms",
    "dr",
    "president",
    "prime",
    "minister",
    "ministers",
    "secretary",
    "general",
    "chief",
    "senator",
    "governor",
    "mayor",
    "judge",
    "police",
    "army",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "new",
    "more",
    "less",
    "also",
    "still",
    "only",
    "yet",
    "so",
    "than",
    "then",
    "now",
    "just",
    "even",
    "officials",
    "official",
    "state",
    "government",
    "street",
    "road",
    "north",
    "south",
    "east",
    "west",
    // French
    "le",
    "la",
    "les",
    "l",
    "un",
    "une",
    "des",
    "du",
    "de",
    "d",
    "en",
    "dans",
    "sur",
    "pour",
    "par",
    "avec",
    "et",
    "mais",
    "ou",
    "au",
    "aux",
    "ce",
    "cet",
    "cette",
    "ces",
    "il",
    "elle",
    "ils",
    "elles",
    "on",
    "nous",
    "son",
    "sa",
    "ses",
    "leur",
    "leurs",
    "selon",
    "apres",
    "avant",
    "depuis",
    "pendant",
    "lors",
    "alors",
    "si",
    "quand",
    "plus",
    "moins",
    "tous",
    "toutes",
    "tout",
    "aucun",
    "m",
    "mme",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "dix",
    "pres",
    "vers",
    "ici",
    "la-bas",
    "chez",
    "sous",
    "entre",
    "contre",
    "sans",
    "ni",
    "ne",
    "qui",
    "que",
    "quoi",
    "dont",
    "comme",
    "ainsi",
    "encore",
    "deja",
    "aussi",
    "etat",
    "gouvernement",
    // generic words that institutions' names capitalise
    "colonel",
    "commission",
    "conseil",
    "council",
    "finances",
    "transports",
    "defense",
    "defence",
    "agency",
    "agence",
    "social",
    "democrats",
    "union",
    "european",
    "europeenne",
    "national",
    "nationale",
    "ministry",
    "ministere",
];

/// Numbers written as words (ten and above: smaller ones are not counted), English and French.
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("ten", 10),
    ("dix", 10),
    ("eleven", 11),
    ("onze", 11),
    ("twelve", 12),
    ("douze", 12),
    ("thirteen", 13),
    ("treize", 13),
    ("fourteen", 14),
    ("quatorze", 14),
    ("fifteen", 15),
    ("quinze", 15),
    ("sixteen", 16),
    ("seize", 16),
    ("seventeen", 17),
    ("dix-sept", 17),
    ("eighteen", 18),
    ("dix-huit", 18),
    ("nineteen", 19),
    ("dix-neuf", 19),
    ("twenty", 20),
    ("vingt", 20),
    ("thirty", 30),
    ("trente", 30),
    ("forty", 40),
    ("quarante", 40),
    ("fifty", 50),
    ("cinquante", 50),
    ("sixty", 60),
    ("soixante", 60),
];

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("janvier", 1),
    ("february", 2),
    ("fevrier", 2),
    ("march", 3),
    ("mars", 3),
    ("april", 4),
    ("avril", 4),
    ("may", 5),
    ("mai", 5),
    ("june", 6),
    ("juin", 6),
    ("july", 7),
    ("juillet", 7),
    ("august", 8),
    ("aout", 8),
    ("september", 9),
    ("septembre", 9),
    ("october", 10),
    ("octobre", 10),
    ("november", 11),
    ("novembre", 11),
    ("december", 12),
    ("decembre", 12),
];

/// The evidence in one article's text.
pub fn extract(text: &str) -> Evidence {
    let folded = fold(text);
    let phrased = replace_phrases(&folded);
    let tokens = tokenize(&phrased);
    let mut ev = Evidence::default();
    names(&tokens, &mut ev);
    numbers_and_dates(&tokens, &mut ev);
    ev
}

/// What `a` and `b` share, and where they disagree.
pub fn compare(a: &Evidence, b: &Evidence) -> Shared {
    let weight = |n: u32| 1.0 + f64::from(n).ln();
    let mut matched: Vec<(f64, String)> = Vec::new();
    let mut dot = 0.0;
    let mut used_b: BTreeSet<&str> = BTreeSet::new();
    for (ka, &na) in &a.names {
        let exact = b.names.get_key_value(ka.as_str());
        let hit = exact.or_else(|| {
            b.names
                .iter()
                .find(|(kb, _)| !used_b.contains(kb.as_str()) && names_match(ka, kb))
        });
        if let Some((kb, &nb)) = hit {
            if used_b.insert(kb.as_str()) {
                let w = weight(na) * weight(nb);
                dot += w;
                let label = if ka == kb {
                    ka.clone()
                } else {
                    format!("{ka}/{kb}")
                };
                matched.push((w, label));
            }
        }
    }
    // pseudo-names on each side, so that one shared place among few names is no match
    let norm = |e: &Evidence| {
        (e.names.values().map(|&n| weight(n).powi(2)).sum::<f64>() + PSEUDO_NAMES).sqrt()
    };
    let name_score = dot / (norm(a) * norm(b));
    matched.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    Shared {
        names: matched.into_iter().map(|(_, n)| n).collect(),
        name_score,
        numbers: a.numbers.intersection(&b.numbers).cloned().collect(),
        dates: a.dates.intersection(&b.dates).cloned().collect(),
        dates_disagree: !a.dates.is_empty() && !b.dates.is_empty() && a.dates.is_disjoint(&b.dates),
        years_disagree: !a.years.is_empty() && !b.years.is_empty() && a.years.is_disjoint(&b.years),
    }
}

/// Whether two name keys are the same name: equal, one a prefix of the other from four letters on
/// (`mali`/`malian`), or the same first five letters when both have at least five (`tunisie`/`tunisia`).
pub fn names_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() >= 4 && long.starts_with(short) && short.chars().all(|c| c.is_ascii_alphabetic())
    {
        return true;
    }
    short.len() >= 5
        && short.is_char_boundary(5)
        && long.is_char_boundary(5)
        && short[..5] == long[..5]
}

/// Accents folded (é → e, ç → c, œ → oe), typographic apostrophes made plain, case kept.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' => out.push('a'),
            'À' | 'Â' | 'Ä' | 'Á' | 'Ã' => out.push('A'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'É' | 'È' | 'Ê' | 'Ë' => out.push('E'),
            'î' | 'ï' | 'í' | 'ì' => out.push('i'),
            'Î' | 'Ï' | 'Í' | 'Ì' => out.push('I'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
            'Ô' | 'Ö' | 'Ó' | 'Ò' | 'Õ' => out.push('O'),
            'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
            'Ù' | 'Û' | 'Ü' | 'Ú' => out.push('U'),
            'ç' => out.push('c'),
            'Ç' => out.push('C'),
            'ñ' => out.push('n'),
            'Ñ' => out.push('N'),
            'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'Œ' => out.push_str("Oe"),
            'æ' => out.push_str("ae"),
            'Æ' => out.push_str("Ae"),
            '\u{2019}' | '\u{2018}' | '`' => out.push('\''),
            '\u{a0}' | '\u{202f}' | '\u{2009}' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Spelled-out names of [`EQUIVALENTS`] (several words) replaced by their key written as an acronym, so they
/// are read as one name.
fn replace_phrases(text: &str) -> String {
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return text.to_string();
    }
    let mut out = text.to_string();
    let mut lower = lower;
    for (phrase, key) in EQUIVALENTS.iter().filter(|(p, _)| p.contains(' ')) {
        let replacement = format!(" {} ", key.replace(' ', "_").to_uppercase());
        while let Some(at) = find_word(&lower, phrase) {
            let end = at + phrase.len();
            out.replace_range(at..end, &replacement);
            lower.replace_range(at..end, &replacement.to_lowercase());
        }
    }
    out
}

/// The byte offset of `phrase` in `text` as whole words.
fn find_word(text: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(phrase) {
        let at = from + i;
        let end = at + phrase.len();
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return Some(at);
        }
        from = end;
    }
    None
}

/// One token of the text: a word or a number, with whether it opens a sentence (or is in the title).
#[derive(Debug)]
struct Token {
    text: String,
    opens: bool,
    /// Followed directly by `%`.
    percent: bool,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let (title, body) = text.split_once("\n\n").unwrap_or(("", text));
    // A title in Title Case capitalises every word (six in ten of its words of four letters or more, past the
    // first): none of them says it is a name. A title in sentence case (as French titles are) capitalises names
    // only, past its first word.
    let long: Vec<&str> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .skip(1)
        .collect();
    let capitalised = long
        .iter()
        .filter(|w| w.starts_with(char::is_uppercase))
        .count();
    let title_case = !long.is_empty() && capitalised * 10 >= long.len() * 6;
    for (part, in_title) in [(title, title_case), (body, false)] {
        let mut opens = true;
        let chars: Vec<char> = part.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_alphanumeric() || c == '_' {
                let start = i;
                while i < chars.len() && is_word_char(&chars, i) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let word = word.trim_end_matches(['\'', '-', '.', ',']).to_string();
                // a number "1,200", "3.5" may have taken a trailing separator
                let back = chars[start..i].len() - word.chars().count();
                i -= back;
                let mut k = i;
                while k < chars.len() && chars[k] == ' ' {
                    k += 1;
                }
                let percent = k < chars.len() && chars[k] == '%';
                tokens.push(Token {
                    text: word,
                    opens: opens || in_title,
                    percent,
                });
                opens = false;
                continue;
            }
            if matches!(c, '.' | '!' | '?' | '\n' | ':' | '"' | '«' | '»') {
                opens = true;
            }
            i += 1;
        }
    }
    tokens
}

/// Letters, digits, and inner apostrophes, hyphens, and number separators (`1,200`, `3.5`, `1 200`).
fn is_word_char(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    if c.is_alphanumeric() || c == '_' {
        return true;
    }
    let prev = i.checked_sub(1).map(|p| chars[p]);
    let next = chars.get(i + 1).copied();
    match c {
        '\'' | '-' => {
            prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric)
        }
        ',' | '.' => {
            prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit())
        }
        // a space between digit groups: "1 200" (the group after it has exactly three digits)
        ' ' => {
            prev.is_some_and(|p| p.is_ascii_digit())
                && chars.len() > i + 3
                && chars[i + 1..i + 4].iter().all(char::is_ascii_digit)
                && !chars.get(i + 4).is_some_and(|c| c.is_alphanumeric())
                && leading_group(chars, i) <= 3
        }
        _ => false,
    }
}

/// How many digits come right before position `i` (the group a space would join).
fn leading_group(chars: &[char], i: usize) -> usize {
    chars[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

fn names(tokens: &[Token], ev: &mut Evidence) {
    let key = |t: &Token| -> Option<(String, bool)> {
        let mut w = t.text.as_str();
        // French elision: l'ONU, d'Abidjan, qu'Ankara
        if let Some((head, tail)) = w.split_once('\'') {
            if matches!(
                head.to_lowercase().as_str(),
                "l" | "d" | "qu" | "n" | "s" | "j" | "jusqu"
            ) {
                w = tail;
            } else if tail.eq_ignore_ascii_case("s") {
                w = head;
            }
        }
        let first = w.chars().next()?;
        if !first.is_uppercase() {
            return None;
        }
        let acronym = w.chars().count() >= 2
            && w.chars()
                .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '_')
            && w.chars().any(char::is_alphabetic);
        let lower = w.to_lowercase();
        if !acronym && (w.chars().count() < 2 || NOT_NAMES.contains(&lower.as_str())) {
            return None;
        }
        if acronym && lower.len() < 2 {
            return None;
        }
        let lower = lower.replace('_', " ");
        let mapped = EQUIVALENTS
            .iter()
            .find(|(k, _)| *k == lower)
            .map_or(lower, |(_, v)| v.to_string());
        Some((mapped, acronym))
    };
    // names written capitalised where no sentence opens
    let confirmed: BTreeSet<String> = tokens
        .iter()
        .filter(|t| !t.opens)
        .filter_map(|t| key(t).map(|(k, _)| k))
        .collect();
    for (i, t) in tokens.iter().enumerate() {
        if let Some((k, acronym)) = key(t) {
            // "Moussa Lerner a parlé": an opening word followed by a name is the first half of a name
            let before_name = tokens
                .get(i + 1)
                .is_some_and(|n| !n.opens && key(n).is_some_and(|(_, a)| !a));
            if !t.opens || acronym || before_name || confirmed.contains(&k) {
                *ev.names.entry(k).or_insert(0) += 1;
            }
        }
    }
}

fn numbers_and_dates(tokens: &[Token], ev: &mut Evidence) {
    let month_of = |t: &Token| {
        let lower = t.text.to_lowercase();
        MONTHS.iter().find(|(m, _)| *m == lower).map(|&(_, n)| n)
    };
    let day_of = |t: &Token| -> Option<u32> {
        let s = t.text.to_lowercase();
        let digits = s
            .strip_suffix("er")
            .or_else(|| s.strip_suffix("st"))
            .or_else(|| s.strip_suffix("nd"))
            .or_else(|| s.strip_suffix("rd"))
            .or_else(|| s.strip_suffix("th"))
            .unwrap_or(&s);
        let d: u32 = digits.parse().ok().filter(|_| digits.len() <= 2)?;
        (1..=31).contains(&d).then_some(d)
    };
    let mut in_date = vec![false; tokens.len()];
    for i in 0..tokens.len() {
        if let Some(m) = month_of(&tokens[i]) {
            // "12 March", "12 mars", "1er mars", "12th of March"
            let before = i
                .checked_sub(1)
                .filter(|&j| day_of(&tokens[j]).is_some())
                .or_else(|| {
                    i.checked_sub(2).filter(|&j| {
                        tokens[j + 1].text.eq_ignore_ascii_case("of")
                            && day_of(&tokens[j]).is_some()
                    })
                });
            // "March 12", "March 12th"
            let after = (i + 1 < tokens.len() && day_of(&tokens[i + 1]).is_some()).then_some(i + 1);
            // "may" is a verb as often as a month: only with a day
            if let Some(j) = before.or(after) {
                if let Some(d) = day_of(&tokens[j]) {
                    ev.dates.insert(format!("{m:02}-{d:02}"));
                    in_date[j] = true;
                }
            }
        }
        // ISO dates are one token "2025-03-12"
        let t = &tokens[i].text;
        let parts: Vec<&str> = t.split('-').collect();
        if parts.len() == 3 && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())) {
            if let (Ok(y), Ok(m), Ok(d)) = (
                parts[0].parse::<u32>(),
                parts[1].parse::<u32>(),
                parts[2].parse::<u32>(),
            ) {
                if (1900..2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d) {
                    ev.years.insert(y);
                    ev.dates.insert(format!("{m:02}-{d:02}"));
                    in_date[i] = true;
                }
            }
        }
    }
    for (i, t) in tokens.iter().enumerate() {
        if in_date[i] {
            continue;
        }
        let lower = t.text.to_lowercase();
        if let Some(&(_, n)) = NUMBER_WORDS.iter().find(|(w, _)| *w == lower) {
            ev.numbers.insert(n.to_string());
            continue;
        }
        if !t.text.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        // "48-hour", "10-year": the number before the hyphen
        let digits = match t.text.split_once('-') {
            Some((n, rest)) if rest.chars().all(char::is_alphabetic) => n,
            _ => t.text.as_str(),
        };
        let Some(value) = parse_number(digits) else {
            continue;
        };
        let next = tokens.get(i + 1).map(|t| t.text.to_lowercase());
        let next2 = tokens.get(i + 2).map(|t| t.text.to_lowercase());
        let is_year = t.text.len() == 4
            && t.text.chars().all(|c| c.is_ascii_digit())
            && (1900.0..2100.0).contains(&value)
            && !t.percent;
        if is_year {
            ev.years.insert(value as u32);
            continue;
        }
        let scale = match next.as_deref() {
            Some("million" | "millions") => 1e6,
            Some("billion" | "billions" | "milliard" | "milliards") => 1e9,
            _ => 1.0,
        };
        let percent = t.percent
            || matches!(next.as_deref(), Some("percent"))
            || (matches!(next.as_deref(), Some("per" | "pour"))
                && next2.as_deref() == Some("cent"));
        let value = if scale > 1.0 {
            (value * scale).round()
        } else {
            value
        };
        if !percent && value < 10.0 && value.fract() == 0.0 {
            continue;
        }
        let mut text = format_number(value);
        if percent {
            text.push('%');
        }
        ev.numbers.insert(text);
    }
}

/// The value of a number token: `1,200`, `1 200`, `1.200` (groups of three) → 1200; `3.5`, `3,5` → 3.5.
fn parse_number(token: &str) -> Option<f64> {
    let digits_end = token
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, ',' | '.' | ' ')))
        .map_or(token.len(), |(i, _)| i);
    let s = &token[..digits_end];
    if s.is_empty() || digits_end != token.len() {
        // "12th", "3e", "2025-03": not a plain number
        return None;
    }
    let groups: Vec<&str> = s.split([',', '.', ' ']).collect();
    let seps: Vec<char> = s.chars().filter(|c| matches!(c, ',' | '.' | ' ')).collect();
    if groups.len() == 1 {
        return s.parse().ok();
    }
    let last = groups[groups.len() - 1];
    let thousands = groups[1..].iter().all(|g| g.len() == 3)
        && (seps.len() > 1
            || seps[0] == ' '
            || (seps[0] == ',' && last.len() == 3)
            || (seps[0] == '.' && last.len() == 3 && groups[0] != "0"));
    let all_same = seps.iter().all(|&c| c == seps[0]);
    if thousands && all_same {
        return groups.concat().parse().ok();
    }
    if seps.len() == 1 {
        return format!("{}.{}", groups[0], last).parse().ok();
    }
    // "1,200.5" or "1 200,5": the last separator is the decimal mark
    let int: String = groups[..groups.len() - 1].concat();
    format!("{int}.{last}").parse().ok()
}

fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let s = format!("{value:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The day number of a `YYYY-MM-DD` date (days since 1970-01-01), for telling how far apart two dates are.
pub fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // days from civil (Howard Hinnant's algorithm)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_french_and_english_write_them_agree() {
        let fr = extract("Titre\n\nLe bilan atteint 1 200 morts et l'inflation 3,5 % selon l'institut, soit 2,4 milliards d'euros et 3,5 pour cent.");
        let en = extract("Title\n\nThe toll reached 1,200 dead and inflation 3.5% according to the institute, or 2.4 billion euros and 3.5 percent.");
        let want: BTreeSet<String> = ["1200", "3.5%", "2400000000"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(fr.numbers, want);
        assert_eq!(en.numbers, want);
    }

    #[test]
    fn dates_and_years_are_read_in_both_languages() {
        let fr = extract("Titre\n\nLe 12 mars 2025, puis le 1er avril, la réunion a eu lieu.");
        let en =
            extract("Title\n\nOn March 12, 2025, and then on 1 April, the meeting took place.");
        for ev in [&fr, &en] {
            assert_eq!(ev.dates.iter().collect::<Vec<_>>(), ["03-12", "04-01"]);
            assert_eq!(ev.years.iter().collect::<Vec<_>>(), [&2025]);
            assert!(ev.numbers.is_empty(), "{:?}", ev.numbers);
        }
        // "may" alone is no month
        assert!(extract("T\n\nThe talks may resume.").dates.is_empty());
    }

    #[test]
    fn names_fold_accents_cut_elisions_and_map_equivalents() {
        let fr = extract("Attaque près de Bamako\n\nLe JNIM a revendiqué l'attaque, selon l'ONU. La Banque centrale européenne et l'OTAN se taisent. Moussa Lerner a parlé à Genève.");
        let en = extract("Attack near Bamako\n\nJNIM claimed the attack, according to the UN. The European Central Bank and NATO were silent. Moussa Lerner's aide spoke in Geneva.");
        for key in ["bamako", "jnim", "un", "ecb", "nato", "lerner", "moussa"] {
            assert!(fr.names.contains_key(key), "fr lacks {key}: {:?}", fr.names);
            assert!(en.names.contains_key(key), "en lacks {key}: {:?}", en.names);
        }
        assert!(fr.names.contains_key("geneva") && en.names.contains_key("geneva"));
        // the title's "Attaque"/"Attack" and sentence-opening "Le"/"The" are not names
        assert!(!fr.names.contains_key("attaque") && !en.names.contains_key("attack"));
        assert!(!fr.names.contains_key("le") && !en.names.contains_key("the"));
        let shared = compare(&fr, &en);
        assert!(shared.names.len() >= 7, "{:?}", shared.names);
        assert!(shared.name_score > 0.5, "{}", shared.name_score);
    }

    #[test]
    fn cognates_match_and_short_different_names_do_not() {
        assert!(names_match("tunisie", "tunisia"));
        assert!(names_match("mali", "malian"));
        assert!(!names_match("mali", "male"));
        assert!(!names_match("paris", "parma"));
        assert!(!names_match("lyon", "lynn"));
    }

    #[test]
    fn day_numbers_count_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(
            day_number("2025-03-01")
                .zip(day_number("2025-02-28"))
                .map(|(a, b)| a - b),
            Some(1)
        );
        assert_eq!(
            day_number("2024-03-01")
                .zip(day_number("2024-02-28"))
                .map(|(a, b)| a - b),
            Some(2)
        );
        assert_eq!(day_number("2025-13-01"), None);
        assert_eq!(day_number("soon"), None);
    }

    #[test]
    fn disjoint_years_and_days_disagree() {
        let a = extract("T\n\nOn 3 May 2024 the summit opened.");
        let b = extract("T\n\nOn 9 June 2025 the summit opened.");
        let s = compare(&a, &b);
        assert!(s.dates_disagree && s.years_disagree);
        let c = extract("T\n\nThe summit opened on May 3.");
        let s = compare(&a, &c);
        assert!(!s.dates_disagree && !s.years_disagree);
        assert_eq!(s.dates, ["05-03"]);
    }
}
