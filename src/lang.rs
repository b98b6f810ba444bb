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
    match whatlang::detect(text) {
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
