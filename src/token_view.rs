//! `tandem inspect FILE --tokens`: how each installed model sees an article — every text a model stage is given
//! of it (the title and each sentence for a translator, the article's text for the summarizer), its token ids
//! and count, and where the model's token budget cuts it into the pieces that are generated from.
//!
//! The texts come from the same functions the runs use ([`crate::ingest::Article::translation_units`],
//! [`crate::pipeline::summary_input`]) and the ids from the same tokenizer and budget
//! ([`crate::models::inputs::ModelInputs`]), so what is shown is what a run feeds the model. Only the model
//! folders' tokenizer and config are read, never the weights. Texts a model makes during a run (the English
//! translation a French article is summarized from, the summary translated to French) cannot be shown before the
//! run: the report names them.
use crate::ingest::Article;
use crate::lang::Lang;
use crate::models::inputs::ModelInputs;
use crate::models::{Manifest, Role};
use crate::{Error, Result};
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// What the installed models are given of one article.
#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    pub file: String,
    pub lang: Lang,
    /// One entry per installed model role that reads this article's own text.
    pub roles: Vec<RoleView>,
    /// Roles not shown, each with why (not installed; reads a text the run makes).
    pub not_shown: Vec<NotShown>,
}

/// One model role and the texts it is given.
#[derive(Debug, Clone, Serialize)]
pub struct RoleView {
    pub role: String,
    /// The installed model folder.
    pub model: String,
    /// The most tokens one input may have (the model's positions).
    pub max_input_tokens: usize,
    /// What is put before every text (transformers' pipeline prefix: `" "` for distilbart-cnn); the texts below
    /// include it, so each `ids` is the tokenizer's output for its `text`.
    pub prefix: String,
    pub texts: Vec<TextView>,
}

/// One text as the stage hands it to the model.
#[derive(Debug, Clone, Serialize)]
pub struct TextView {
    /// Where it comes from: `title`, `paragraph 2, sentence 1`, `article`.
    pub source: String,
    /// The text the tokenizer reads (the prefix, then the text).
    pub text: String,
    /// Token count, special tokens included (`ids.len()`).
    pub tokens: usize,
    pub ids: Vec<i64>,
    /// Whether it fits the budget as one input.
    pub fits: bool,
    /// When it does not fit: the pieces the budget cuts it into (sentence boundaries first, then words), each
    /// generated from on its own. Empty when it fits.
    pub pieces: Vec<PieceView>,
}

/// One piece of a text cut to the budget.
#[derive(Debug, Clone, Serialize)]
pub struct PieceView {
    /// The text the tokenizer reads (the prefix, then the piece).
    pub text: String,
    pub tokens: usize,
    pub ids: Vec<i64>,
}

/// A role left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotShown {
    pub role: String,
    pub reason: String,
}

/// The roles that read an article of `lang`'s own text, each with the texts it is given. French: the fr→en
/// translator (title and sentences). English: the summarizer (the article's text) and the en→fr translator
/// (title and sentences, as `tandem translate` gives them; a brief gives it the titles and the summary).
fn roles_for(lang: Lang) -> &'static [Role] {
    match lang {
        Lang::Fr => &[Role::TranslateFrEn],
        Lang::En => &[Role::SummarizeEn, Role::TranslateEnFr],
    }
}

/// Builds the view of `article` with the models installed under `models_dir`.
pub fn token_view(article: &Article, models_dir: &Path) -> Result<TokenView> {
    let manifest = Manifest::builtin();
    let mut roles = Vec::new();
    let mut not_shown = Vec::new();
    for role in Role::ALL {
        let spec = manifest.spec(role)?;
        if !roles_for(article.lang).contains(&role) {
            not_shown.push(NotShown {
                role: role.name().into(),
                reason: match (role, article.lang) {
                    (Role::SummarizeEn, Lang::Fr) => {
                        "summarizes the fr→en translation, made during a run".into()
                    }
                    (Role::TranslateEnFr, Lang::Fr) => {
                        "translates the English summary, made during a run".into()
                    }
                    _ => format!("does not read {} text", article.lang),
                },
            });
            continue;
        }
        let status = crate::models::manifest::status(&manifest, models_dir, role)?;
        if !status.installed() {
            not_shown.push(NotShown {
                role: role.name().into(),
                reason: status.missing_message(),
            });
            continue;
        }
        let dir = status.path.clone();
        let inputs = ModelInputs::load(role, &dir, spec.architecture)?;
        let texts: Vec<(String, String)> = match role {
            Role::SummarizeEn => {
                let (text, _) = crate::pipeline::summary_input(article, Some(&article.body()));
                vec![("article".to_string(), text)]
            }
            _ => {
                let mut sentence_in_paragraph = 0;
                let mut last_paragraph = None;
                article
                    .translation_units()
                    .into_iter()
                    .map(|(paragraph, text)| {
                        let source = match paragraph {
                            None => "title".to_string(),
                            Some(p) => {
                                if last_paragraph != Some(p) {
                                    last_paragraph = Some(p);
                                    sentence_in_paragraph = 0;
                                }
                                sentence_in_paragraph += 1;
                                format!("paragraph {}, sentence {sentence_in_paragraph}", p + 1)
                            }
                        };
                        (source, text)
                    })
                    .collect()
            }
        };
        let texts = texts
            .into_iter()
            .map(|(source, text)| text_view(&inputs, source, text))
            .collect();
        roles.push(RoleView {
            role: role.name().into(),
            model: dir.display().to_string(),
            max_input_tokens: inputs.max_input_tokens(),
            prefix: inputs.prefix().to_string(),
            texts,
        });
    }
    Ok(TokenView {
        file: article.path.display().to_string(),
        lang: article.lang,
        roles,
        not_shown,
    })
}

fn text_view(inputs: &ModelInputs, source: String, text: String) -> TextView {
    let ids = inputs.encode(&text);
    let fits = ids.len() <= inputs.max_input_tokens();
    let pieces = if fits {
        Vec::new()
    } else {
        inputs
            .fit_to_budget(&text)
            .into_iter()
            .map(|piece| {
                let ids = inputs.encode(&piece);
                PieceView {
                    text: inputs.model_text(&piece),
                    tokens: ids.len(),
                    ids,
                }
            })
            .collect()
    };
    TextView {
        source,
        text: inputs.model_text(&text),
        tokens: ids.len(),
        ids,
        fits,
        pieces,
    }
}

impl TokenView {
    /// As JSON, for scripts.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Json {
            context: "inspect --tokens".into(),
            source: e,
        })
    }
}

/// `text` with every line after the first indented by `indent`, so a multi-paragraph text stays under its label.
fn indented(text: &str, indent: &str) -> String {
    text.replace('\n', &format!("\n{indent}"))
}

fn ids_line(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(" ")
}

impl fmt::Display for TokenView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} ({})", self.file, self.lang)?;
        for role in &self.roles {
            writeln!(
                f,
                "\n{} — {} (at most {} tokens an input)",
                role.role, role.model, role.max_input_tokens
            )?;
            for t in &role.texts {
                if t.fits {
                    writeln!(f, "  {}: {} tokens", t.source, t.tokens)?;
                } else {
                    writeln!(
                        f,
                        "  {}: {} tokens, over the budget: cut into {} pieces",
                        t.source,
                        t.tokens,
                        t.pieces.len()
                    )?;
                }
                writeln!(f, "    text: {}", indented(&t.text, "          "))?;
                if t.fits {
                    writeln!(f, "    ids:  {}", ids_line(&t.ids))?;
                }
                for (k, p) in t.pieces.iter().enumerate() {
                    writeln!(
                        f,
                        "    piece {} ({} tokens): {}",
                        k + 1,
                        p.tokens,
                        indented(&p.text, "      ")
                    )?;
                    writeln!(f, "      ids: {}", ids_line(&p.ids))?;
                }
            }
        }
        for n in &self.not_shown {
            writeln!(f, "\n{}: not shown ({})", n.role, n.reason)?;
        }
        Ok(())
    }
}
