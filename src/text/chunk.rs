//! Token-budget chunking: groups consecutive sentences into model inputs that fit the model's budget, so no
//! input is ever truncated. A single sentence over the budget is split between words.

/// Groups `sentences` into chunks whose token count (as measured by `count`) stays within `budget`.
/// A sentence longer than the budget on its own is cut between words into pieces that fit
/// (a single word over the budget becomes its own piece; the model then sees it whole or split by the caller).
pub fn chunk_to_budget(
    sentences: &[String],
    budget: usize,
    count: &dyn Fn(&str) -> usize,
) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for sentence in sentences {
        for piece in fit_sentence(sentence, budget, count) {
            let candidate = if current.is_empty() {
                piece.clone()
            } else {
                format!("{current} {piece}")
            };
            if count(&candidate) <= budget || current.is_empty() {
                current = candidate;
            } else {
                chunks.push(std::mem::take(&mut current));
                current = piece;
            }
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

fn fit_sentence(sentence: &str, budget: usize, count: &dyn Fn(&str) -> usize) -> Vec<String> {
    if count(sentence) <= budget {
        return vec![sentence.to_string()];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    for word in sentence.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if count(&candidate) <= budget || current.is_empty() {
            current = candidate;
        } else {
            pieces.push(std::mem::take(&mut current));
            current = word.to_string();
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> usize {
        s.split_whitespace().count()
    }

    #[test]
    fn groups_sentences_within_budget() {
        let s: Vec<String> = ["a b c.", "d e.", "f g h i.", "j."]
            .iter()
            .map(|x| x.to_string())
            .collect();
        let chunks = chunk_to_budget(&s, 5, &words);
        assert_eq!(chunks, vec!["a b c. d e.", "f g h i. j."]);
    }

    #[test]
    fn long_sentence_is_split_not_truncated() {
        let long = (0..23)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let chunks = chunk_to_budget(std::slice::from_ref(&long), 10, &words);
        assert_eq!(chunks.len(), 3);
        assert!(chunks.iter().all(|c| words(c) <= 10));
        assert_eq!(chunks.join(" "), long);
    }
}
