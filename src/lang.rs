//! Languages tandem handles (English and French) and detection of an article's language.
use serde::{Deserialize, Serialize};

/// A language tandem can read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// ISO 639-1 code: `en` or `fr`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// Parses `en`/`english`/`fr`/`french`/`français` (any case).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_lowercase().as_str() {
            "en" | "eng" | "english" | "anglais" => Some(Lang::En),
            "fr" | "fra" | "fre" | "french" | "français" | "francais" => Some(Lang::Fr),
            _ => None,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What language detection found in a text.
#[derive(Debug, Clone, PartialEq)]
pub enum Detected {
    /// English or French, with the detector's confidence in [0, 1].
    Supported { lang: Lang, confidence: f64 },
    /// Another language (ISO 639-3 code from the detector), or none found.
    Unsupported { code: String },
}

/// Detects the language of `text` among all the languages `whatlang` knows, so that Spanish or German text is
/// reported as unsupported rather than forced into English or French.
pub fn detect(text: &str) -> Detected {
    let words = linguistic_text(text);
    match whatlang::detect(if words.trim().is_empty() {
        text
    } else {
        &words
    }) {
        Some(info) => match info.lang() {
            whatlang::Lang::Eng => Detected::Supported {
                lang: Lang::En,
                confidence: info.confidence(),
            },
            whatlang::Lang::Fra => Detected::Supported {
                lang: Lang::Fr,
                confidence: info.confidence(),
            },
            other => Detected::Unsupported {
                code: other.code().to_string(),
            },
        },
        None => Detected::Unsupported {
            code: "unknown".to_string(),
        },
    }
}

/// The text's words, without what is not language: runs of 30 or more characters without a space (base64 images,
/// long URLs and hashes left in scraped pages) and anything with `://`. A short article carrying such a blob
/// would otherwise be detected from the blob's letter statistics.
fn linguistic_text(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| w.chars().count() < 30 && !w.contains("://"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_english_and_french_news_sentences() {
        let en = "The government announced on Monday that the new law on public transport will be voted next week.";
        let fr = "Le gouvernement a annoncé lundi que la nouvelle loi sur les transports publics sera votée la semaine prochaine.";
        assert!(matches!(
            detect(en),
            Detected::Supported { lang: Lang::En, .. }
        ));
        assert!(matches!(
            detect(fr),
            Detected::Supported { lang: Lang::Fr, .. }
        ));
    }

    /// A short French article with a base64 image and a URL left in its text is still French.
    #[test]
    fn a_blob_in_the_text_does_not_decide_the_language() {
        // Pseudo-random base64, as an inlined image is: alone with the sentence, whatlang calls it Catalan,
        // Javanese or English.
        let mut state = 42u64;
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let blob: String = (0..3000)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                alphabet[((state >> 33) % 64) as usize] as char
            })
            .collect();
        for text in [
            format!("Le maire a inauguré le nouveau pont samedi matin. {blob}"),
            format!("Le maire a inauguré le pont. data:image/png;base64,{blob}"),
            format!("Le pont ouvre lundi. {blob} Voir https://exemple.fr/galerie/{blob}"),
        ] {
            assert!(
                matches!(detect(&text), Detected::Supported { lang: Lang::Fr, .. }),
                "{:?}",
                detect(&text)
            );
        }
    }

    #[test]
    fn reports_other_languages_as_unsupported() {
        let es = "El gobierno anunció el lunes que la nueva ley de transporte público se votará la próxima semana.";
        assert_eq!(
            detect(es),
            Detected::Unsupported {
                code: "spa".to_string()
            }
        );
    }

    #[test]
    fn parses_codes_and_names() {
        assert_eq!(Lang::parse("FR"), Some(Lang::Fr));
        assert_eq!(Lang::parse("english"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
    }
}
