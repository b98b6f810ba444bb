//! Token-budget chunking: groups consecutive sentences into model inputs that fit the model's budget, so no
//! input is ever truncated. A single sentence over the budget is split between words, and a single "word" over
//! it (a base64 image or a long URL left in scraped text) between characters, at the longest prefix that fits.

/// Groups `sentences` into chunks whose token count (as measured by `count`) stays within `budget`.
/// A sentence longer than the budget on its own is cut between words into pieces that fit, and a word longer
/// than the budget into pieces of characters that fit; every character is kept, in order.
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
        if count(word) > budget {
            if !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
            }
            pieces.extend(split_word(word, budget, count));
            continue;
        }
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

/// Cuts a whitespace-free `word` into the longest character prefixes that fit `budget` (binary search on the
/// number of characters, the count being monotone in practice); a prefix of one character always goes through.
fn split_word(word: &str, budget: usize, count: &dyn Fn(&str) -> usize) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let piece = |n: usize| chars[start..start + n].iter().collect::<String>();
        let (mut lo, mut hi) = (1, chars.len() - start);
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if count(&piece(mid)) <= budget {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        pieces.push(piece(lo));
        start += lo;
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

    /// A 6,000-character run without spaces (a base64 image in a scraped page) inside a sentence: cut into pieces
    /// within the budget, the words around it kept whole, every character kept in order.
    #[test]
    fn a_word_over_the_budget_is_cut_between_characters() {
        let blob: String = (0..6000)
            .map(|i| char::from(b'A' + (i % 26) as u8))
            .collect();
        let sentence = format!("Voir l'image {blob} ci-dessous.");
        // about 4 characters a token, as a subword tokenizer gives on such text
        let tokens = |s: &str| {
            s.split_whitespace()
                .map(|w| w.chars().count().div_ceil(4))
                .sum::<usize>()
                + 1
        };
        let chunks = chunk_to_budget(std::slice::from_ref(&sentence), 512, &tokens);
        assert!(chunks.len() >= 3, "{} chunks", chunks.len());
        assert!(chunks.iter().all(|c| tokens(c) <= 512));
        assert!(chunks[0].starts_with("Voir l'image"));
        assert!(chunks.last().unwrap().ends_with("ci-dessous."));
        let rejoined: String = chunks.concat().split_whitespace().collect();
        let original: String = sentence.split_whitespace().collect();
        assert_eq!(rejoined, original);
    }
}
