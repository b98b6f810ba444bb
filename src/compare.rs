//! `tandem compare`: scores one set of summaries against another — two briefs (`brief.json`) or two folders of
//! summary files — per item and overall, for the English and the French sides, with minimum bars for CI.
//!
//! Items are paired by id (a brief item's `id`; a file's name without its language suffix). English uses
//! rouge-score's tokenizer (no stemming, its default); French the Unicode tokenizer (see [`crate::metrics`]).
//! Overall ROUGE is the mean of the items' F1; overall chrF and BLEU are corpus scores, as sacreBLEU computes them.
use crate::brief::Brief;
use crate::lang::Lang;
use crate::metrics::{bleu_corpus, bleu_sentence, chrf_corpus, chrf_sentence, rouge, RougeOptions};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Summaries of one side of a comparison: item id → language → text (sentences separated by newlines).
pub type Summaries = BTreeMap<String, BTreeMap<Lang, String>>;

/// ROUGE F1 (0–1), chrF and BLEU (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    pub rouge1: f64,
    pub rouge2: f64,
    pub rouge_l: f64,
    pub rouge_lsum: f64,
    pub chrf: f64,
    pub bleu: f64,
}

impl Scores {
    fn values(&self) -> [f64; 6] {
        [
            self.rouge1,
            self.rouge2,
            self.rouge_l,
            self.rouge_lsum,
            self.chrf,
            self.bleu,
        ]
    }
}

/// Scores of one item in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScores {
    pub id: String,
    pub lang: Lang,
    #[serde(flatten)]
    pub scores: Scores,
}

/// Overall scores for one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overall {
    pub lang: Lang,
    pub items: usize,
    #[serde(flatten)]
    pub scores: Scores,
}

impl Overall {
    /// The value of a metric by its command-line name.
    pub fn metric(&self, name: &str) -> Option<f64> {
        let index = METRICS.iter().position(|m| *m == name)?;
        Some(self.scores.values()[index])
    }
}

/// The result of comparing A (candidates) with B (references).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub items: Vec<ItemScores>,
    pub overall: Vec<Overall>,
    /// Ids present in only one of the two sides.
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
}

/// Metric names accepted by `--min`.
pub const METRICS: [&str; 6] = ["rouge1", "rouge2", "rougeL", "rougeLsum", "chrf", "bleu"];

/// Parses `rougeL=0.4,chrf=50`. ROUGE bars are in [0, 1], chrF and BLEU in [0, 100].
pub fn parse_minimums(spec: &str) -> Result<Vec<(String, f64)>> {
    let mut out = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = part
            .split_once('=')
            .ok_or_else(|| Error::Usage(format!("--min: `{part}` is not metric=value")))?;
        if !METRICS.contains(&name) {
            return Err(Error::Usage(format!(
                "--min: unknown metric `{name}` (use {})",
                METRICS.join(", ")
            )));
        }
        let value: f64 = value
            .parse()
            .map_err(|_| Error::Usage(format!("--min: `{value}` is not a number")))?;
        out.push((name.to_string(), value));
    }
    Ok(out)
}

/// Reads summaries from a brief.json file or a folder of `*.txt`/`*.md` files. In a folder, `x.fr.txt` is the
/// French summary of item `x`, `x.en.txt` or `x.txt` its English one.
pub fn load(path: &Path) -> Result<Summaries> {
    if path.is_dir() {
        return load_dir(path);
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let brief: Brief = serde_json::from_str(&text).map_err(|e| Error::Json {
        context: format!("{} is not a tandem brief.json", path.display()),
        source: e,
    })?;
    let mut out = Summaries::new();
    for item in brief.items {
        let entry = out.entry(item.id.clone()).or_default();
        for lang in [Lang::En, Lang::Fr] {
            let sentences: Vec<&str> = item.sentences.iter().filter_map(|s| s.get(lang)).collect();
            if !sentences.is_empty() {
                entry.insert(lang, sentences.join("\n"));
            }
        }
    }
    Ok(out)
}

fn load_dir(dir: &Path) -> Result<Summaries> {
    let mut out = Summaries::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for path in files {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name
            .strip_suffix(".txt")
            .or_else(|| name.strip_suffix(".md"))
        else {
            continue;
        };
        let (id, lang) = match stem.rsplit_once('.') {
            Some((id, "fr")) => (id, Lang::Fr),
            Some((id, "en")) => (id, Lang::En),
            _ => (stem, Lang::En),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        out.entry(id.to_string())
            .or_default()
            .insert(lang, text.trim().to_string());
    }
    Ok(out)
}

/// Compares candidates `a` with references `b`.
pub fn compare(a: &Summaries, b: &Summaries) -> Comparison {
    let mut items = Vec::new();
    let mut overall = Vec::new();
    for lang in [Lang::En, Lang::Fr] {
        let options = match lang {
            Lang::En => RougeOptions::english(),
            Lang::Fr => RougeOptions::unicode(),
        };
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let mut scored = Vec::new();
        for (id, sides) in a {
            let (Some(hyp), Some(reference)) =
                (sides.get(&lang), b.get(id).and_then(|s| s.get(&lang)))
            else {
                continue;
            };
            let r = rouge(hyp, reference, options);
            scored.push(ItemScores {
                id: id.clone(),
                lang,
                scores: Scores {
                    rouge1: r.rouge1.fmeasure,
                    rouge2: r.rouge2.fmeasure,
                    rouge_l: r.rouge_l.fmeasure,
                    rouge_lsum: r.rouge_lsum.fmeasure,
                    chrf: chrf_sentence(hyp, reference),
                    bleu: bleu_sentence(hyp, reference).score,
                },
            });
            pairs.push((hyp.as_str(), reference.as_str()));
        }
        if scored.is_empty() {
            continue;
        }
        let mean = |f: fn(&Scores) -> f64| {
            scored.iter().map(|s| f(&s.scores)).sum::<f64>() / scored.len() as f64
        };
        overall.push(Overall {
            lang,
            items: scored.len(),
            scores: Scores {
                rouge1: mean(|s| s.rouge1),
                rouge2: mean(|s| s.rouge2),
                rouge_l: mean(|s| s.rouge_l),
                rouge_lsum: mean(|s| s.rouge_lsum),
                chrf: chrf_corpus(&pairs),
                bleu: bleu_corpus(&pairs).score,
            },
        });
        items.extend(scored);
    }
    Comparison {
        items,
        overall,
        only_in_a: a.keys().filter(|k| !b.contains_key(*k)).cloned().collect(),
        only_in_b: b.keys().filter(|k| !a.contains_key(*k)).cloned().collect(),
    }
}

/// The bars that an overall score fell below: (language, metric, score, minimum).
pub fn shortfalls(c: &Comparison, minimums: &[(String, f64)]) -> Vec<(Lang, String, f64, f64)> {
    let mut out = Vec::new();
    for o in &c.overall {
        for (name, min) in minimums {
            if let Some(v) = o.metric(name) {
                if v < *min {
                    out.push((o.lang, name.clone(), v, *min));
                }
            }
        }
    }
    out
}

/// A plain-text table of the comparison.
pub fn table(c: &Comparison) -> String {
    let mut out = format!(
        "{:<20} {:<4} {:>7} {:>7} {:>7} {:>9} {:>6} {:>6}\n",
        "item", "lang", "rouge1", "rouge2", "rougeL", "rougeLsum", "chrF", "BLEU"
    );
    let row = |id: &str, lang: Lang, v: [f64; 6]| {
        format!(
            "{:<20} {:<4} {:>7.4} {:>7.4} {:>7.4} {:>9.4} {:>6.2} {:>6.2}\n",
            id,
            lang.code(),
            v[0],
            v[1],
            v[2],
            v[3],
            v[4],
            v[5]
        )
    };
    for s in &c.items {
        out.push_str(&row(&s.id, s.lang, s.scores.values()));
    }
    for o in &c.overall {
        out.push_str(&row(
            &format!("overall ({} items)", o.items),
            o.lang,
            o.scores.values(),
        ));
    }
    for id in &c.only_in_a {
        out.push_str(&format!("{id}: only in A\n"));
    }
    for id in &c.only_in_b {
        out.push_str(&format!("{id}: only in B\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(id: &str, lang: Lang, text: &str) -> Summaries {
        let mut s = Summaries::new();
        s.entry(id.into()).or_default().insert(lang, text.into());
        s
    }

    #[test]
    fn identical_summaries_score_full_marks() {
        let a = one("x", Lang::Fr, "Le pont ouvrira en mars.");
        let c = compare(&a, &a.clone());
        assert_eq!(c.overall.len(), 1);
        let o = &c.overall[0];
        assert_eq!((o.lang, o.items), (Lang::Fr, 1));
        assert_eq!((o.scores.rouge1, o.scores.rouge_l), (1.0, 1.0));
        assert!((o.scores.chrf - 100.0).abs() < 1e-9 && (o.scores.bleu - 100.0).abs() < 1e-9);
        assert!(shortfalls(&c, &parse_minimums("rougeL=0.99,chrf=99").unwrap()).is_empty());
    }

    #[test]
    fn drift_below_a_bar_is_reported_and_unpaired_ids_listed() {
        let a = one("x", Lang::En, "The bridge opens in March.");
        let mut b = one("x", Lang::En, "Heavy rain is expected this weekend.");
        b.entry("y".into())
            .or_default()
            .insert(Lang::En, "Other.".into());
        let c = compare(&a, &b);
        assert_eq!(c.only_in_b, vec!["y".to_string()]);
        let short = shortfalls(&c, &parse_minimums("rougeL=0.4, chrf=50").unwrap());
        assert_eq!(short.len(), 2);
        assert_eq!(short[0].1, "rougeL");
    }

    #[test]
    fn bad_minimums_are_usage_errors() {
        assert!(parse_minimums("rougeX=1")
            .unwrap_err()
            .to_string()
            .contains("unknown metric"));
        assert!(parse_minimums("chrf").is_err());
        assert!(parse_minimums("chrf=abc").is_err());
    }
}
