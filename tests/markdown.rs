//! `brief.en.md` / `brief.fr.md`: the period in the heading, the lead story first and labelled, every source with
//! its outlet, link and date, and the not-translated sides said so.
mod common;

use tandem::brief::render::to_markdown;
use tandem::brief::{Bilingual, Period};
use tandem::lang::Lang;

#[test]
fn the_heading_carries_the_period_once() {
    let mut brief = common::sample_brief();
    let en = to_markdown(&brief, Lang::En);
    let fr = to_markdown(&brief, Lang::Fr);
    assert!(
        en.starts_with("# News brief — 2025-11-08 to 2025-11-10\n\n"),
        "{en}"
    );
    assert!(
        fr.starts_with("# Synthèse de presse — du 2025-11-08 au 2025-11-10\n\n"),
        "{fr}"
    );

    // a title that already shows the period (as `--date` makes it) does not get it twice
    brief.title = Bilingual {
        en: Some("News brief — 2025-11-10".into()),
        fr: Some("Synthèse de presse — 2025-11-10".into()),
    };
    brief.period = Some(Period {
        since: Some("2025-11-10".into()),
        until: Some("2025-11-10".into()),
    });
    assert!(to_markdown(&brief, Lang::En).starts_with("# News brief — 2025-11-10\n\n"));
    brief.period = Some(Period {
        since: Some("2025-11-01".into()),
        until: None,
    });
    assert!(to_markdown(&brief, Lang::Fr)
        .starts_with("# Synthèse de presse — 2025-11-10 — depuis le 2025-11-01\n\n"));
    brief.period = None;
    assert!(to_markdown(&brief, Lang::En).starts_with("# News brief — 2025-11-10\n\n"));
}

#[test]
fn the_lead_story_comes_first_with_its_label_and_every_source() {
    let brief = common::sample_brief();
    let en = to_markdown(&brief, Lang::En);
    let fr = to_markdown(&brief, Lang::Fr);
    let lead_en = "## Port strike ends: \"deal\" \\<script>alert('x')\\</script> & more\n\n**Lead story** · 2025-11-10\n\n";
    assert!(en.contains(lead_en), "{en}");
    assert!(fr.contains("\n\n**À la une** · 2025-11-10\n\n"), "{fr}");
    assert_eq!(en.matches("Lead story").count(), 1);
    // items in order, the lead first
    let at = |s: &str| en.find(s).unwrap_or_else(|| panic!("{s} missing:\n{en}"));
    assert!(at("## Port strike") < at("## The new bridge"));
    assert!(at("## The new bridge") < at("## Council approves"));
    assert!(en.contains(
        "Sources:\n\n\
         - The Harbour \\<Times> & \"Co\" — [Dock workers end strike \\<at> the port](https://example.test/en/port?a=1&b=\"2\"&c='3') — published 2025-11-10\n\
         - Le Quotidien — [Fin de la grève au port](https://example.test/fr/grève-du-port) — published 2025-11-09\n"
    ), "{en}");
    assert!(fr.contains(
        "- Le Quotidien — [Fin de la grève au port](https://example.test/fr/grève-du-port) — publié le 2025-11-09\n"
    ), "{fr}");
    // a source without URL is shown by its path
    assert!(
        en.contains("Source:\n\n- Le nouveau pont ouvrira en mars — `/data/in/fr pont #1.txt`\n"),
        "{en}"
    );
    // why grouped: the threshold and best score, then each link with its evidence
    assert!(
        en.contains(
            "_Same story in 2 articles (tfidf+evidence, score ≥ 0.4; max 0.62)_\n\n\
             - The Harbour \\<Times> & \"Co\" ↔ Le Quotidien: score 0.62; similarity 0.41; names: marseille, cgt; \
             numbers: 4%; dates: 11-06\n"
        ),
        "{en}"
    );
    assert!(
        fr.contains(
            "- The Harbour \\<Times> & \"Co\" ↔ Le Quotidien\u{a0}: score 0,62\u{a0}; similarité 0,41\u{a0}; \
             noms\u{a0}: marseille, cgt\u{a0}; nombres\u{a0}: 4%\u{a0}; dates\u{a0}: 11-06\n"
        ),
        "{fr}"
    );
    // coverage of each item
    assert!(en.contains("_Coverage: 2 outlets, 2 articles_"), "{en}");
    assert!(en.contains("_Coverage: 1 outlet, 1 article_"), "{en}");
    assert!(
        fr.contains("_Couverture\u{a0}: 2 médias, 2 articles_"),
        "{fr}"
    );
    // a developing story: first seen, with a link to the earlier day's brief
    assert!(
        en.contains(
            "**Developing story** — first seen 2025-11-06; earlier: \
             [2025-11-07](history/2025-11-07/brief.html) Dockers \\<walk out>\n"
        ),
        "{en}"
    );
    assert!(
        fr.contains(
            "**Sujet en développement** — vu pour la première fois le 2025-11-06\u{a0}; avant\u{a0}: \
             [2025-11-07](history/2025-11-07/brief.html) Les dockers en grève\n"
        ),
        "{fr}"
    );
    assert_eq!(
        en.matches("Developing story").count(),
        1,
        "only the lead continues a story"
    );
    assert!(en.contains("_2025-11-08_\n\n"), "a later item's date: {en}");
    // a sentence with "<" stays text
    assert!(en.contains("The deal raises wages by 4% \\<over> two years."));
    assert!(
        en.ends_with("- `/data/in/empty <1>.txt`: empty file\n"),
        "{en}"
    );
}

#[test]
fn a_side_that_is_not_translated_says_so() {
    let brief = common::sample_brief();
    let fr = to_markdown(&brief, Lang::Fr);
    assert!(fr.contains(
        "## Council approves the budget _(non traduit\u{a0}: le modèle de traduction n'est pas installé)_\n\n\
         _2025-11-08_\n\n\
         _Non traduit\u{a0}: le modèle de traduction n'est pas installé._\n\n"
    ), "{fr}");
    let en = to_markdown(&brief, Lang::En);
    assert!(en.contains("The council approved the budget on Tuesday. The vote was close.\n\n"));
    assert!(!en.contains("not translated"));
}

#[test]
fn an_empty_brief_says_there_are_no_articles() {
    let mut brief = common::sample_brief();
    brief.items.clear();
    brief.skipped.clear();
    assert_eq!(
        to_markdown(&brief, Lang::Fr),
        "# Synthèse de presse — du 2025-11-08 au 2025-11-10\n\nAucun article.\n"
    );
}

/// The French brief follows French typography: a no-break space (U+00A0) before `:` and `;`, a decimal comma,
/// and its labels in French, the extractive summarizer's name included. The English one keeps its own.
#[test]
fn the_french_brief_is_written_in_french() {
    let mut brief = common::sample_brief();
    brief.items[1].fr.summarized_by = "extractive (tandem, 3 sentences)".into();
    brief.items[1].en.summarized_by = "extractive (tandem, 3 sentences)".into();
    let fr = to_markdown(&brief, Lang::Fr);
    let nb = '\u{a0}';
    assert!(
        fr.contains(&format!("\n\nSources{nb}:\n\n- The Harbour")),
        "{fr}"
    );
    assert!(
        fr.contains(&format!("\n\nSource{nb}:\n\n- Le nouveau pont")),
        "{fr}"
    );
    assert!(
        fr.contains(&format!(
            "_Résumé{nb}: bart-cnn (sha256 0123456789ab){nb}; traduction{nb}: marian-en-fr (sha256 aaaaaaaaaaaa)_"
        )),
        "{fr}"
    );
    assert!(
        fr.contains(&format!(
            "_Résumé{nb}: extractif (tandem, 3 phrases), à partir du texte original_"
        )),
        "{fr}"
    );
    assert!(
        fr.contains(&format!(
            "_Même sujet dans 2 articles (tfidf+evidence, score ≥ 0,4{nb}; max 0,62)_"
        )),
        "{fr}"
    );
    assert!(
        fr.ends_with(&format!("- `/data/in/empty <1>.txt`{nb}: empty file\n")),
        "{fr}"
    );
    for wrong in [
        "Summary",
        "Sources:",
        "Source:",
        "sentences",
        "extractive",
        "Résumé:",
        "Résumé :",
        "traduction:",
        "traduction :",
        "0.3",
        "0.62",
    ] {
        assert!(!fr.contains(wrong), "`{wrong}` in the French brief:\n{fr}");
    }

    let en = to_markdown(&brief, Lang::En);
    assert!(
        en.contains(
            "_Summary: extractive (tandem, 3 sentences); translation: marian-fr-en (sha256 bbbbbbbbbbbb)_"
        ),
        "{en}"
    );
    assert!(
        en.contains("_Summary: bart-cnn (sha256 0123456789ab), from the original text_"),
        "{en}"
    );
    assert!(!en.contains(nb), "{en}");
}

/// brief.html's French column and footer say the same as the French Markdown.
#[test]
fn the_french_column_of_the_page_is_written_in_french() {
    let mut brief = common::sample_brief();
    brief.items[1].fr.summarized_by = "extractive (tandem, 3 sentences)".into();
    brief.models.summarizer = "extractive (tandem, 3 sentences)".into();
    let html = tandem::brief::html::to_html(&brief);
    let nb = '\u{a0}';
    assert!(
        html.contains(&format!(
            "Résumé{nb}: bart-cnn (sha256 0123456789ab){nb}; traduction{nb}: marian-en-fr (sha256 aaaaaaaaaaaa)</p>"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "Résumé{nb}: extractif (tandem, 3 phrases), à partir du texte original</p>"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<span lang=\"fr\">Résumé{nb}: <span class=\"model\">extractif (tandem, 3 phrases)</span></span>"
        )),
        "{html}"
    );
    assert!(
        html.contains(
            "<span lang=\"en\">Summary: <span class=\"model\">extractive (tandem, 3 sentences)</span></span>"
        ),
        "{html}"
    );
    assert!(!html.contains("Résumé:"), "{html}");
}
