//! Renderers: `brief.json` (the versioned schema), and `brief.en.md` / `brief.fr.md` readable as they are.
use super::{Brief, BriefItem, SideStatus};
use crate::lang::Lang;

/// The brief as pretty JSON, ending with a newline.
pub fn to_json(brief: &Brief) -> String {
    // Serializing plain structs of strings cannot fail.
    serde_json::to_string_pretty(brief).unwrap_or_default() + "\n"
}

struct Words {
    not_translated: &'static str,
    sources: &'static str,
    source: &'static str,
    summary_by: &'static str,
    translated_by: &'static str,
    no_items: &'static str,
    skipped: &'static str,
    original: &'static str,
}

const EN: Words = Words {
    not_translated: "not translated: the translation model is not installed",
    sources: "Sources",
    source: "Source",
    summary_by: "Summary",
    translated_by: "translation",
    no_items: "No articles.",
    skipped: "Skipped files",
    original: "from the original text",
};

const FR: Words = Words {
    not_translated: "non traduit : le modèle de traduction n'est pas installé",
    sources: "Sources",
    source: "Source",
    summary_by: "Résumé",
    translated_by: "traduction",
    no_items: "Aucun article.",
    skipped: "Fichiers ignorés",
    original: "à partir du texte original",
};

/// The brief in one language as Markdown. Sides that could not be translated say so instead of being left out.
pub fn to_markdown(brief: &Brief, lang: Lang) -> String {
    let w = match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
    };
    let mut out = String::new();
    let title = brief.title.get(lang).unwrap_or("Brief");
    out.push_str(&format!("# {title}\n\n"));
    if brief.items.is_empty() {
        out.push_str(w.no_items);
        out.push('\n');
    }
    for item in &brief.items {
        render_item(&mut out, item, lang, w);
    }
    if !brief.skipped.is_empty() {
        out.push_str(&format!("## {}\n\n", w.skipped));
        for s in &brief.skipped {
            out.push_str(&format!("- `{}`: {}\n", s.path.display(), s.reason));
        }
        out.push('\n');
    }
    out
}

fn render_item(out: &mut String, item: &BriefItem, lang: Lang, w: &Words) {
    let side = match lang {
        Lang::En => &item.en,
        Lang::Fr => &item.fr,
    };
    let title = match item.title.get(lang) {
        Some(t) => t.to_string(),
        None => format!(
            "{} _({})_",
            item.title.get(item.original_language).unwrap_or(""),
            w.not_translated
        ),
    };
    out.push_str(&format!("## {title}\n\n"));
    if side.status == SideStatus::NotTranslated {
        out.push_str(&format!("_{}._\n\n", capitalize(w.not_translated)));
    } else {
        let text: Vec<&str> = item.sentences.iter().filter_map(|s| s.get(lang)).collect();
        out.push_str(&text.join(" "));
        out.push_str("\n\n");
    }
    let label = if item.sources.len() == 1 {
        w.source
    } else {
        w.sources
    };
    let links: Vec<String> = item
        .sources
        .iter()
        .map(|s| match &s.url {
            Some(url) => format!("[{}]({url})", s.title.replace(['[', ']'], "")),
            None => format!("`{}`", s.path),
        })
        .collect();
    out.push_str(&format!("{label}: {}  \n", links.join(", ")));
    let mut provenance = format!("{}: {}", w.summary_by, side.summarized_by);
    if side.translated_by.is_empty() && side.status == SideStatus::Original {
        provenance.push_str(&format!(", {}", w.original));
    }
    for t in &side.translated_by {
        provenance.push_str(&format!("; {}: {t}", w.translated_by));
    }
    out.push_str(&format!("_{provenance}_\n\n"));
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
