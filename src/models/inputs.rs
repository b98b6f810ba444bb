//! What a model is given: [`ModelInputs`] turns the texts a stage hands over into the token ids the model reads —
//! the folder's tokenizer ([`super::tokenizer`]), the input prefix transformers' pipeline puts before each text,
//! and the model's input budget (its positions), with the cut of an overlong text into pieces that fit.
//!
//! Loading it reads the folder's tokenizer files and `config.json`, never the weights, so `tandem inspect
//! --tokens` shows exactly what a run feeds the model without loading one ([`crate::token_view`]).
use super::manifest::{Architecture, Role};
use super::tokenizer::Tokenizer;
use crate::text::{chunk_to_budget, split_sentences};
use crate::{Error, Result};
use serde_json::Value;
use std::path::Path;

/// The tokenizer, prefix and budget of one installed model.
pub struct ModelInputs {
    tokenizer: Tokenizer,
    /// Put before every input text, as transformers' `pipeline` does (`config.prefix`, or the task's
    /// `task_specific_params` prefix): distilbart-cnn's config gives `" "`, so the first word of an article is
    /// read as a word that follows a space (`ĠThe`, not `The`). Empty for the opus-mt models.
    prefix: String,
    /// Longest input the model accepts, in tokens (its position table).
    max_input_tokens: usize,
}

impl ModelInputs {
    /// Reads the tokenizer and config of the model folder `dir` serving `role`; the error names the file.
    pub fn load(role: Role, dir: &Path, architecture: Architecture) -> Result<ModelInputs> {
        let invalid = |reason: String| Error::ModelInvalid {
            role: role.name().to_string(),
            dir: dir.to_path_buf(),
            reason,
        };
        let config_path = dir.join("config.json");
        let config: Value = std::fs::read_to_string(&config_path)
            .map_err(|e| format!("{}: {e}", config_path.display()))
            .and_then(|t| {
                serde_json::from_str(&t).map_err(|e| format!("{}: {e}", config_path.display()))
            })
            .map_err(invalid)?;
        let positions = config
            .get("max_position_embeddings")
            .and_then(Value::as_i64)
            .ok_or_else(|| invalid("config.json has no `max_position_embeddings`".into()))?;
        let tokenizer = Tokenizer::load(dir, architecture).map_err(invalid)?;
        Ok(ModelInputs {
            tokenizer,
            prefix: input_prefix(&config, role),
            max_input_tokens: positions.max(2) as usize,
        })
    }

    /// The tokenizer (transformers' ids and decoded text).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The text the tokenizer reads for `text`: the prefix, then the text.
    pub fn model_text(&self, text: &str) -> String {
        format!("{}{text}", self.prefix)
    }

    /// The input prefix (see the field's docs); part of what decides a model's output.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Longest input the model accepts, in tokens.
    pub fn max_input_tokens(&self) -> usize {
        self.max_input_tokens
    }

    /// Token ids the model reads for `text`, special tokens included, never truncated: transformers'
    /// `input_ids` of the prefixed text.
    pub fn encode(&self, text: &str) -> Vec<i64> {
        self.tokenizer.encode(&self.model_text(text)).ids
    }

    /// [`ModelInputs::encode`] for each text.
    pub fn encode_batch(&self, texts: &[&str]) -> Vec<Vec<i64>> {
        let prefixed: Vec<String> = texts.iter().map(|t| self.model_text(t)).collect();
        let refs: Vec<&str> = prefixed.iter().map(String::as_str).collect();
        self.tokenizer
            .encode_batch(&refs)
            .into_iter()
            .map(|e| e.ids)
            .collect()
    }

    /// Number of tokens the model reads for `text` (special tokens included).
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer.count_tokens(&self.model_text(text))
    }

    /// Decodes generated ids to text, dropping special tokens ([`Tokenizer::decode`]).
    pub fn decode(&self, ids: &[i64]) -> String {
        self.tokenizer.decode(ids)
    }

    /// Splits `text` into pieces that each fit the model's input (sentence boundaries first, then words).
    pub fn fit_to_budget(&self, text: &str) -> Vec<String> {
        let sentences = split_sentences(text);
        chunk_to_budget(&sentences, self.max_input_tokens, &|s: &str| {
            self.count_tokens(s)
        })
    }
}

/// The prefix transformers' `pipeline` puts before each input: the task's `task_specific_params` prefix when the
/// config has one for the role's task (`summarization`, `translation_fr_to_en`, `translation_en_to_fr`), else
/// `config.prefix`, else none.
pub(crate) fn input_prefix(config: &Value, role: Role) -> String {
    let task = match role {
        Role::SummarizeEn => "summarization",
        Role::TranslateFrEn => "translation_fr_to_en",
        Role::TranslateEnFr => "translation_en_to_fr",
    };
    config
        .get("task_specific_params")
        .and_then(|t| t.get(task))
        .and_then(|t| t.get("prefix"))
        .or_else(|| config.get("prefix"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_prefix_is_read_as_transformers_pipeline_reads_it() {
        let distilbart =
            json!({"prefix": " ", "task_specific_params": {"summarization": {"num_beams": 4}}});
        assert_eq!(input_prefix(&distilbart, Role::SummarizeEn), " ");
        let t5_like = json!({"prefix": "x", "task_specific_params": {
            "summarization": {"prefix": "summarize: "},
            "translation_en_to_fr": {"prefix": "translate English to French: "}}});
        assert_eq!(input_prefix(&t5_like, Role::SummarizeEn), "summarize: ");
        assert_eq!(
            input_prefix(&t5_like, Role::TranslateEnFr),
            "translate English to French: "
        );
        assert_eq!(input_prefix(&t5_like, Role::TranslateFrEn), "x");
        assert_eq!(input_prefix(&json!({}), Role::TranslateFrEn), "");
    }
}
