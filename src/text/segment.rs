//! Sentence segmentation for English and French news text.
//!
//! A sentence ends at `.`, `!`, `?` or `…` (and any closing quotes or brackets after it) when whitespace and then
//! the start of a new sentence follow (a capital letter, a digit or an opening quote). A period after a known
//! abbreviation (M., Mme, Dr., St., U.S., …) or a single capital initial does not end a sentence; decimals
//! (3.5, 3,5) and thousands separators never contain whitespace and so are never split.

const ABBREVIATIONS: &[&str] = &[
    // French
    "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Me", "Mgr", "Dr", "Pr", "St", "Ste", "av", "bd",
    "env", "cf", "etc", "p", "pp", "n°", "No", "janv", "févr", "avr", "juil", "sept", "oct", "nov",
    "déc", "Gal", "Cdt", // English
    "Mr", "Mrs", "Ms", "Prof", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Capt", "Sgt", "Jr", "Sr",
    "Inc", "Ltd", "Co", "Corp", "vs", "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct",
    "Nov", "Dec", "Mt", "Ft", "e.g", "i.e", "U.S", "U.K", "U.N", "E.U", "a.m", "p.m", "approx",
    "dept", "est", "fig", "Nos", "Vol",
];

const CLOSERS: &[char] = &['"', '\'', '”', '’', '»', ')', ']'];
const OPENERS: &[char] = &['"', '\'', '“', '‘', '«', '(', '[', '—', '–', '-', '¿', '¡'];

/// Splits `text` into sentences, trimmed, in order. Paragraph breaks (blank lines) always end a sentence.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.split("\n\n") {
        split_paragraph(paragraph, &mut out);
    }
    out
}

fn split_paragraph(paragraph: &str, out: &mut Vec<String>) {
    let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
    let mut start = 0usize; // byte offset of the current sentence
    let mut i = 0usize;
    while i < chars.len() {
        let (_, c) = chars[i];
        if matches!(c, '.' | '!' | '?' | '…') {
            // swallow runs of terminators ("?!", "...") and closers, possibly separated by spaces (French « … . »)
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, '.' | '!' | '?' | '…') {
                j += 1;
            }
            let mut end = j; // char index just after the sentence's last char
            let mut saw_space = false;
            let mut k = j;
            while k < chars.len() {
                let ch = chars[k].1;
                if ch.is_whitespace() {
                    saw_space = true;
                    k += 1;
                } else if CLOSERS.contains(&ch)
                    && !(saw_space && is_opening_quote_context(&chars, k))
                {
                    k += 1;
                    end = k;
                    saw_space = false;
                } else {
                    break;
                }
            }
            let next = chars.get(k).map(|&(_, ch)| ch);
            let starts_sentence = next
                .is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || OPENERS.contains(&n));
            let ends_here = (saw_space || k == chars.len())
                && (next.is_none() || starts_sentence)
                && !(c == '.'
                    && j == i + 1
                    && is_abbreviation_before(paragraph, &chars, i)
                    && !ends_after_time_abbreviation(paragraph, &chars, i, k));
            if ends_here {
                let end_byte = chars.get(end).map_or(paragraph.len(), |&(b, _)| b);
                push_trimmed(&paragraph[start..end_byte], out);
                start = chars.get(k).map_or(paragraph.len(), |&(b, _)| b);
                i = k;
                continue;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push_trimmed(&paragraph[start..], out);
}

/// A `"` or `'` after a space opens the next sentence's quote rather than closing this one.
fn is_opening_quote_context(chars: &[(usize, char)], k: usize) -> bool {
    matches!(chars[k].1, '"' | '\'') && chars.get(k + 1).is_some_and(|&(_, n)| n.is_alphanumeric())
}

fn is_abbreviation_before(paragraph: &str, chars: &[(usize, char)], dot: usize) -> bool {
    // the word before the period: back to whitespace or an opening bracket/quote
    let mut s = dot;
    while s > 0 {
        let ch = chars[s - 1].1;
        if ch.is_whitespace() || OPENERS.contains(&ch) {
            break;
        }
        s -= 1;
    }
    let word = &paragraph[chars.get(s).map_or(0, |&(b, _)| b)..chars[dot].0];
    if word.is_empty() {
        return false;
    }
    let mut letters = word.chars();
    let single_initial =
        matches!((letters.next(), letters.next()), (Some(c), None) if c.is_uppercase());
    single_initial || ABBREVIATIONS.contains(&word)
}

/// Whether `word` (without its period) is an abbreviation the segmenter never ends a sentence after.
pub fn is_abbreviation(word: &str) -> bool {
    ABBREVIATIONS.contains(&word)
}

/// "a.m."/"p.m."/"etc." end a sentence when an ordinary capitalised word follows ("at 10 p.m. Trucks …"), not
/// a time zone ("p.m. EST"), a weekday or a month ("p.m. Monday").
fn ends_after_time_abbreviation(
    paragraph: &str,
    chars: &[(usize, char)],
    dot: usize,
    next: usize,
) -> bool {
    let before: String = chars[..dot]
        .iter()
        .rev()
        .take_while(|&&(_, c)| !c.is_whitespace())
        .map(|&(_, c)| c)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if !matches!(before.as_str(), "a.m" | "p.m" | "etc") {
        return false;
    }
    let Some(&(start, _)) = chars.get(next) else {
        return false;
    };
    let word: String = paragraph[start..]
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect();
    const NOT_STARTERS: &[&str] = &[
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    word.chars().count() > 1
        && word.chars().skip(1).any(char::is_lowercase)
        && !NOT_STARTERS.contains(&word.as_str())
}

fn push_trimmed(s: &str, out: &mut Vec<String>) {
    let normalized: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !normalized.is_empty() {
        out.push(normalized);
    }
}

#[cfg(test)]
mod tests {
    use super::split_sentences;

    fn check(text: &str, expected: &[&str]) {
        assert_eq!(split_sentences(text), expected, "segmenting {text:?}");
    }

    #[test]
    fn tricky_time_abbreviations_table() {
        for (text, expected) in [
            (
                "The shift starts at 10 p.m. Trucks may enter until 4 a.m.",
                &[
                    "The shift starts at 10 p.m.",
                    "Trucks may enter until 4 a.m.",
                ][..],
            ),
            (
                "It opens at 9 a.m. Monday in Paris.",
                &["It opens at 9 a.m. Monday in Paris."][..],
            ),
            (
                "The call is at 3 p.m. EST today.",
                &["The call is at 3 p.m. EST today."][..],
            ),
            (
                "Bread, milk, etc. The shop closes.",
                &["Bread, milk, etc.", "The shop closes."][..],
            ),
            (
                "Le magasin ferme à 20 h. Les clients partent.",
                &["Le magasin ferme à 20 h.", "Les clients partent."][..],
            ),
        ] {
            check(text, expected);
        }
    }

    #[test]
    fn english_cases() {
        check("He left. She stayed.", &["He left.", "She stayed."]);
        check(
            "Mr. Smith met Dr. Jones in the U.S. capital. Then he left.",
            &[
                "Mr. Smith met Dr. Jones in the U.S. capital.",
                "Then he left.",
            ],
        );
        check(
            "Growth was 3.5 percent. It cost $1,200.50 in all.",
            &["Growth was 3.5 percent.", "It cost $1,200.50 in all."],
        );
        check(
            "J. K. Rowling spoke. \"It is over,\" she said. \"Really?\" Yes.",
            &[
                "J. K. Rowling spoke.",
                "\"It is over,\" she said.",
                "\"Really?\"",
                "Yes.",
            ],
        );
        check(
            "Wait... What happened? Nothing!",
            &["Wait...", "What happened?", "Nothing!"],
        );
        check(
            "He said “no.” Then he went.",
            &["He said “no.”", "Then he went."],
        );
        check(
            "It ends with a lowercase e.g. this one.",
            &["It ends with a lowercase e.g. this one."],
        );
    }

    #[test]
    fn french_cases() {
        check(
            "M. Dupont et Mme Martin sont arrivés. Ils ont parlé.",
            &["M. Dupont et Mme Martin sont arrivés.", "Ils ont parlé."],
        );
        check(
            "Le taux est de 3,5 %. La dette atteint 1 200,50 euros.",
            &["Le taux est de 3,5 %.", "La dette atteint 1 200,50 euros."],
        );
        check(
            "« C'est fini. » Il est parti. « Vraiment ? » Oui !",
            &[
                "« C'est fini. »",
                "Il est parti.",
                "« Vraiment ? »",
                "Oui !",
            ],
        );
        check(
            "MM. Durand et Petit ont signé. Qui paiera ?",
            &["MM. Durand et Petit ont signé.", "Qui paiera ?"],
        );
        check(
            "Il hésita… Puis il partit.",
            &["Il hésita…", "Puis il partit."],
        );
    }

    #[test]
    fn paragraphs_always_end_sentences() {
        check(
            "A title without a period\n\nBody text.",
            &["A title without a period", "Body text."],
        );
    }
}
