//! Word tokenizers for ROUGE, and the Python string primitives the reference implementations rely on.
//!
//! * [`Tokenizer::Ascii`] is rouge-score's `tokenize.tokenize`: lowercase (full Unicode lowercase
//!   mapping, like Python's `str.lower`), replace every run of characters outside `[a-z0-9]` by a
//!   space, split, and (optionally) Porter-stem the tokens longer than three characters.
//! * [`Tokenizer::Unicode`] is tandem's French-friendly variant: lowercase the same way, then tokens
//!   are maximal runs of Unicode alphanumerics ([`char::is_alphanumeric`]: Alphabetic or general
//!   category N), stemmed under the same rule. rouge-score has no such tokenizer; see the module
//!   documentation of [`crate::metrics`].
//!
//! [`is_py_whitespace`] / [`py_split_whitespace`] reproduce Python's `str.isspace` / `str.split()`,
//! which sacreBLEU uses to split words and to strip whitespace before chrF.

use super::porter::porter_stem;

/// Which word tokenizer ROUGE uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tokenizer {
    /// rouge-score's tokenizer: tokens are runs of ASCII `[a-z0-9]` after lowercasing. Exact for
    /// English; splits words at every accented letter (`été` gives `t`).
    #[default]
    Ascii,
    /// Tokens are runs of Unicode alphanumerics after lowercasing (`été` stays `été`). Use it for
    /// French and any other non-ASCII text.
    Unicode,
}

/// Python's `str.isspace` for one character.
///
/// Python treats U+001C..U+001F (information separators) as whitespace on top of Unicode's
/// `White_Space` property, which is what [`char::is_whitespace`] implements.
pub fn is_py_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.split()` (no argument): split on runs of whitespace, dropping empty pieces.
pub fn py_split_whitespace(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_py_whitespace).filter(|w| !w.is_empty())
}

/// Python's `str.rstrip()` (no argument).
pub fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(is_py_whitespace)
}

/// Tokenizes `text` for ROUGE the way rouge-score does, with the given tokenizer.
///
/// With `stem`, tokens longer than three characters go through [`porter_stem`] (rouge-score's rule).
pub fn rouge_tokens(text: &str, tokenizer: Tokenizer, stem: bool) -> Vec<String> {
    let lower = text.to_lowercase();
    let keep: fn(char) -> bool = match tokenizer {
        Tokenizer::Ascii => |c| c.is_ascii_lowercase() || c.is_ascii_digit(),
        Tokenizer::Unicode => char::is_alphanumeric,
    };
    lower
        .split(|c: char| !keep(c))
        .filter(|t| !t.is_empty())
        .map(|t| {
            if stem && t.chars().count() > 3 {
                porter_stem(t)
            } else {
                t.to_string()
            }
        })
        // rouge-score's final check drops any token that is no longer valid; the Porter stemmer
        // only removes or appends letters, so for the ASCII tokenizer this never fires, but keep it.
        .filter(|t| !t.is_empty() && t.chars().all(keep))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_tokenizer_splits_at_accents_and_punctuation() {
        assert_eq!(
            rouge_tokens("L'été, c'est FINI!", Tokenizer::Ascii, false),
            ["l", "t", "c", "est", "fini"]
        );
    }

    #[test]
    fn unicode_tokenizer_keeps_accented_words() {
        assert_eq!(
            rouge_tokens("L'été, c'est FINI! Œuvre n°3", Tokenizer::Unicode, false),
            ["l", "été", "c", "est", "fini", "œuvre", "n", "3"]
        );
    }

    #[test]
    fn stemming_only_applies_to_long_tokens() {
        // "runs" has four characters and is stemmed; "ies" (three) is not.
        assert_eq!(
            rouge_tokens("runs ies running", Tokenizer::Ascii, true),
            ["run", "ies", "run"]
        );
    }

    #[test]
    fn python_whitespace() {
        assert!(is_py_whitespace('\u{1f}'));
        assert!(is_py_whitespace('\u{a0}'));
        assert!(!is_py_whitespace('\u{200b}'));
        assert_eq!(
            py_split_whitespace(" a\u{1c}b \t c\n").collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(py_rstrip("ab \n\u{3000}"), "ab");
    }
}
