//! The extractive summarizer: picks the article's most central sentences, in their original order.
//! It needs no weights, works for English and French, and is what tandem uses when no neural summarizer is
//! installed. Deterministic: ties are broken by position.
use super::Summarizer;
use crate::lang::Lang;
use crate::text::split_sentences;
use crate::Result;
use std::collections::HashMap;

/// Extractive summarizer keeping at most `max_sentences` sentences.
#[derive(Debug, Clone)]
pub struct ExtractiveSummarizer {
    pub max_sentences: usize,
}

impl Default for ExtractiveSummarizer {
    fn default() -> Self {
        ExtractiveSummarizer { max_sentences: 3 }
    }
}

const STOP_EN: &[&str] = &[
    "the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "as", "is", "was", "are", "were", "be", "been", "it", "its", "this", "that", "these",
    "those", "he", "she", "they", "we", "you", "i", "his", "her", "their", "our", "has", "have",
    "had", "not", "no", "will", "would", "said", "says", "after", "before", "over", "into", "than",
    "also", "which", "who", "what", "when", "there", "about",
];
const STOP_FR: &[&str] = &[
    "le", "la", "les", "un", "une", "des", "du", "de", "d", "l", "et", "ou", "mais", "à", "au",
    "aux", "en", "dans", "sur", "pour", "par", "avec", "sans", "est", "sont", "été", "a", "ont",
    "il", "elle", "ils", "elles", "on", "nous", "vous", "je", "son", "sa", "ses", "leur", "leurs",
    "ce", "cette", "ces", "qui", "que", "qu", "ne", "pas", "se", "s", "n", "plus", "comme",
    "selon", "a-t-il", "dit", "y",
];

fn words(sentence: &str) -> Vec<String> {
    sentence
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

impl ExtractiveSummarizer {
    /// Summarizes one text.
    pub fn summarize_one(&self, text: &str, lang: Lang) -> String {
        let sentences = split_sentences(text);
        if sentences.len() <= self.max_sentences {
            return sentences.join(" ");
        }
        let stop = match lang {
            Lang::En => STOP_EN,
            Lang::Fr => STOP_FR,
        };
        let content: Vec<Vec<String>> = sentences
            .iter()
            .map(|s| {
                words(s)
                    .into_iter()
                    .filter(|w| !stop.contains(&w.as_str()) && w.chars().count() > 1)
                    .collect()
            })
            .collect();
        let mut freq: HashMap<&str, f64> = HashMap::new();
        for ws in &content {
            for w in ws {
                *freq.entry(w.as_str()).or_default() += 1.0;
            }
        }
        let n = sentences.len() as f64;
        let mut scored: Vec<(usize, f64)> = content
            .iter()
            .enumerate()
            .map(|(i, ws)| {
                let sum: f64 = ws.iter().map(|w| freq[w.as_str()]).sum();
                let centrality = if ws.is_empty() {
                    0.0
                } else {
                    sum / (ws.len() as f64).sqrt()
                };
                // a light lead bias: news puts the essentials first
                let lead = 1.0 + 0.5 * (1.0 - i as f64 / n);
                (i, centrality * lead)
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut keep: Vec<usize> = scored
            .iter()
            .take(self.max_sentences)
            .map(|&(i, _)| i)
            .collect();
        keep.sort_unstable();
        keep.iter()
            .map(|&i| sentences[i].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The extractive summarizer's name as [`Summarizer::model_name`] gives it, in `lang`: the brief records it in
/// English, the French outputs show it in French. `None` for another model's name.
pub fn name_in(name: &str, lang: Lang) -> Option<String> {
    let n: usize = name
        .strip_prefix("extractive (tandem, ")?
        .strip_suffix(" sentences)")?
        .parse()
        .ok()?;
    Some(match lang {
        Lang::En => name.to_string(),
        Lang::Fr => format!("extractif (tandem, {n} phrases)"),
    })
}

impl Summarizer for ExtractiveSummarizer {
    fn model_name(&self) -> String {
        format!("extractive (tandem, {} sentences)", self.max_sentences)
    }

    fn summarize(&mut self, texts: &[String], lang: Lang) -> Result<Vec<String>> {
        Ok(texts.iter().map(|t| self.summarize_one(t, lang)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_name_reads_in_french_in_the_french_outputs() {
        let name = ExtractiveSummarizer { max_sentences: 4 }.model_name();
        assert_eq!(
            name_in(&name, Lang::Fr).unwrap(),
            "extractif (tandem, 4 phrases)"
        );
        assert_eq!(name_in(&name, Lang::En).unwrap(), name);
        assert_eq!(name_in("distilbart-cnn-6-6 [int8]", Lang::Fr), None);
    }

    #[test]
    fn keeps_short_texts_whole() {
        let s = ExtractiveSummarizer::default();
        assert_eq!(s.summarize_one("One. Two.", Lang::En), "One. Two.");
    }

    #[test]
    fn picks_central_sentences_in_original_order() {
        let text = "The dam on the river broke after heavy rain. \
                    A cat slept on a sofa. \
                    Water from the broken dam flooded the river valley. \
                    Someone baked a cake yesterday. \
                    Rescue teams reached the valley below the dam by boat.";
        let s = ExtractiveSummarizer { max_sentences: 3 };
        assert_eq!(
            s.summarize_one(text, Lang::En),
            "The dam on the river broke after heavy rain. \
             Water from the broken dam flooded the river valley. \
             Rescue teams reached the valley below the dam by boat."
        );
    }

    #[test]
    fn french_stopwords_do_not_drive_the_choice() {
        let text = "Le barrage a cédé après les pluies. \
                    Il est de la et le de la. \
                    L'eau du barrage a inondé la vallée. \
                    Les secours ont atteint la vallée sous le barrage.";
        let s = ExtractiveSummarizer { max_sentences: 2 };
        let out = s.summarize_one(text, Lang::Fr);
        assert!(!out.contains("Il est de la"), "{out}");
    }
}
