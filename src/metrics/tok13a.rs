//! sacreBLEU's `13a` tokenizer (`sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a`), the mteval-v13a
//! tokenization that WMT uses for BLEU.
//!
//! Language-independent part: drop `<skipped>`, join `-\n` line-break hyphenation, turn newlines into
//! spaces, unescape `&quot; &amp; &lt; &gt;` (in that order). Then the regexes of `TokenizerRegexp`,
//! each applied left to right without overlaps exactly as Python's `re.sub` scans:
//! 1. space around every character of ``{|}~ [\]^_` space !"#$%& ()*+ :;<=>?@ /``;
//! 2. `([^0-9])([.,])` → `\1 \2 ` (period/comma not preceded by a digit);
//! 3. `([.,])([^0-9])` → ` \1 \2` (period/comma not followed by a digit);
//! 4. `([0-9])(-)` → `\1 \2 ` (dash after a digit);
//!
//! and finally Python's `' '.join(line.split())`.

use super::tokenize::py_split_whitespace;

fn is_13a_punct(c: char) -> bool {
    matches!(c,
        '{'..='~' | '['..='`' | ' '..='&' | '('..='+' | ':'..='@' | '/')
}

/// Applies a two-character pattern the way `re.sub` does: scan left to right, and after a match
/// continue after it.
fn sub_pairs(
    input: &[char],
    matches: impl Fn(char, char) -> bool,
    replace: impl Fn(char, char, &mut Vec<char>),
) -> Vec<char> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 2);
    let mut i = 0;
    while i < input.len() {
        if i + 1 < input.len() && matches(input[i], input[i + 1]) {
            replace(input[i], input[i + 1], &mut out);
            i += 2;
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    out
}

/// Tokenizes one line with sacreBLEU's 13a tokenizer; tokens are separated by single spaces.
///
/// (BLEU right-strips the segment before calling this, see [`crate::metrics::bleu_sentence`].)
pub fn tokenize_13a(line: &str) -> String {
    let mut line = line
        .replace("<skipped>", "")
        .replace("-\n", "")
        .replace('\n', " ");
    if line.contains('&') {
        line = line
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
    }
    let padded: Vec<char> = format!(" {line} ").chars().collect();

    let mut step1 = Vec::with_capacity(padded.len() * 2);
    for c in padded {
        if is_13a_punct(c) {
            step1.extend([' ', c, ' ']);
        } else {
            step1.push(c);
        }
    }
    let is_digit = |c: char| c.is_ascii_digit();
    let is_dot_comma = |c: char| c == '.' || c == ',';
    let step2 = sub_pairs(
        &step1,
        |a, b| !is_digit(a) && is_dot_comma(b),
        |a, b, out| out.extend([a, ' ', b, ' ']),
    );
    let step3 = sub_pairs(
        &step2,
        |a, b| is_dot_comma(a) && !is_digit(b),
        |a, b, out| out.extend([' ', a, ' ', b]),
    );
    let step4 = sub_pairs(
        &step3,
        |a, b| is_digit(a) && b == '-',
        |a, b, out| out.extend([a, ' ', b, ' ']),
    );
    let joined: String = step4.into_iter().collect();
    py_split_whitespace(&joined).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::tokenize_13a;

    #[test]
    fn examples() {
        assert_eq!(tokenize_13a("Hello, world!"), "Hello , world !");
        assert_eq!(tokenize_13a("It costs $1,234.56."), "It costs $ 1,234.56 .");
        assert_eq!(tokenize_13a("1990-2000 e-mail"), "1990 - 2000 e-mail");
        assert_eq!(tokenize_13a("a &amp; b &lt;c&gt;"), "a & b < c >");
        assert_eq!(tokenize_13a("l'été"), "l'été");
        assert_eq!(tokenize_13a("co-\nop<skipped>"), "coop");
        assert_eq!(tokenize_13a("Mr. Smith..."), "Mr . Smith . . .");
    }
}
