//! `brief.html`: the brief as one self-contained page (inline CSS and a few lines of inline JS; no fonts,
//! scripts or images from elsewhere), English and French side by side.
//!
//! Each item is a two-column grid: the English column (`lang="en"`) and the French column (`lang="fr"`) hold the
//! title, then one element per summary sentence, so that sentence `i` of both languages sits on the same row.
//! Sentences are focusable (`tabindex="0"`) and carry `data-pair="i"` (from 1, per item); hovering or focusing one
//! highlights it and its partner (class `hl`, set by the inline script, which also marks `<html data-js="ready">`).
//! At 600px wide or less the columns become one, each English sentence followed by its French one. All text is
//! HTML-escaped; the output is deterministic (no timestamps).
use super::render::{heading, words, Words};
use super::{Brief, BriefItem, SideInfo, SideStatus, Source};
use crate::lang::Lang;
use std::fmt::Write as _;

const CSS: &str = r#":root{color-scheme:light;--ink:#1d1d1f;--muted:#5b5f66;--line:#d8d9de;--accent:#8a4b00;--hl:#fff0a0;--link:#0b57d0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:72rem;padding:1rem 1.25rem 3rem;font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:#fff;overflow-wrap:anywhere}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1.5rem}
h1>span{display:block}
h1>[lang=fr]{color:var(--muted)}
.item{border-top:1px solid var(--line);padding:1.25rem 0}
.item.lead{border-top:4px solid var(--accent)}
.label{display:inline-block;margin:0 0 .5rem;padding:.1rem .5rem;border-radius:.25rem;background:var(--accent);color:#fff;font-size:.8rem;font-weight:700;letter-spacing:.03em;text-transform:uppercase}
.meta{color:var(--muted);font-size:.9rem;margin:0 0 .5rem}
.pairs{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);column-gap:2rem;row-gap:.2rem}
.col{display:contents}
.col>*{grid-row:var(--r)}
.col-en>*{grid-column:1}
.col-fr>*{grid-column:2}
.head h2{font-size:1.2rem;line-height:1.3;margin:0 0 .4rem}
.s{margin:0;padding:.2rem .4rem;border-radius:.25rem;border-left:3px solid transparent}
.s:hover,.s:focus,.s.hl{background:var(--hl);border-left-color:var(--accent)}
.s:focus{outline:2px solid var(--accent);outline-offset:1px}
.missing,.notice{color:var(--muted);font-style:italic}
.notice{margin:0 0 .4rem;font-size:.9rem}
.prov{color:var(--muted);font-size:.8rem;margin:.4rem 0 0}
.sources{font-size:.9rem;margin-top:.75rem}
.sources h3,.grouping summary{font-size:.9rem;margin:.5rem 0 .25rem;font-weight:700}
.sources ul,.grouping ul,.skipped ul{margin:0;padding-left:1.25rem}
.outlet{font-weight:600}
.lang-tag{font-size:.75rem;color:var(--muted);text-transform:uppercase}
.grouping{font-size:.85rem;color:var(--muted);margin-top:.5rem}
.coverage,.developing{font-size:.85rem;color:var(--muted);margin:.25rem 0}
.developing{font-weight:600}
a{color:var(--link)}
code{font-size:.85em;word-break:break-all}
time{white-space:nowrap}
.models,.skipped{font-size:.85rem;color:var(--muted);border-top:1px solid var(--line);margin-top:1rem;padding-top:.75rem}
@media (max-width:600px){
body{padding:.75rem}
h1{font-size:1.3rem}
.pairs{grid-template-columns:minmax(0,1fr)}
.col-en>*,.col-fr>*{grid-column:1;grid-row:var(--m)}
.col-fr>.s{margin-bottom:.5rem;color:#34373c}
.col-fr>.head{margin-bottom:.5rem}
.col-en .title::before{content:"EN";font-size:.7rem;color:var(--muted);margin-right:.4rem}
.col-fr .title::before{content:"FR";font-size:.7rem;color:var(--muted);margin-right:.4rem}
}
"#;

const JS: &str = r#"(function(){
var d=document;
function mark(e,on){
var s=e.target&&e.target.closest?e.target.closest('.s[data-pair]'):null;if(!s)return;
var it=s.closest('.item');if(!it)return;
it.querySelectorAll('.s[data-pair="'+s.getAttribute('data-pair')+'"]').forEach(function(x){x.classList.toggle('hl',on);});
}
d.addEventListener('mouseover',function(e){mark(e,true);});
d.addEventListener('mouseout',function(e){mark(e,false);});
d.addEventListener('focusin',function(e){mark(e,true);});
d.addEventListener('focusout',function(e){mark(e,false);});
d.documentElement.setAttribute('data-js','ready');
})();"#;

/// The brief as one self-contained HTML page, English and French side by side (see the module docs for its
/// structure). Deterministic: the same brief gives the same bytes.
pub fn to_html(brief: &Brief) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let (h_en, h_fr) = (heading(brief, Lang::En), heading(brief, Lang::Fr));
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"tandem\">\n");
    let _ = writeln!(out, "<title>{} · {}</title>", esc(&h_en), esc(&h_fr));
    let _ = writeln!(out, "<style>\n{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(
        out,
        "<header class=\"brief-head\">\n<h1><span lang=\"en\">{}</span> <span lang=\"fr\">{}</span></h1>\n</header>",
        esc(&h_en),
        esc(&h_fr)
    );
    out.push_str("<main>\n");
    if brief.items.is_empty() {
        let _ = writeln!(out, "<p class=\"empty\">{}</p>", both(|w| w.no_items));
    }
    for (i, item) in brief.items.iter().enumerate() {
        render_item(&mut out, item, i == 0);
    }
    out.push_str("</main>\n");
    if !brief.skipped.is_empty() {
        let _ = writeln!(
            out,
            "<section class=\"skipped\">\n<h2>{}</h2>\n<ul>",
            both(|w| w.skipped)
        );
        for s in &brief.skipped {
            let _ = writeln!(
                out,
                "<li><code>{}</code>: {}</li>",
                esc(&s.path.display().to_string()),
                esc(&s.reason)
            );
        }
        out.push_str("</ul>\n</section>\n");
    }
    let m = &brief.models;
    let _ = writeln!(
        out,
        "<footer class=\"models\"><p>{}; fr→en: <span class=\"model\">{}</span>; en→fr: <span class=\"model\">{}</span></p></footer>",
        summarizer_label(&m.summarizer),
        esc(m.translate_fr_en.as_deref().unwrap_or("—")),
        esc(m.translate_en_fr.as_deref().unwrap_or("—"))
    );
    let _ = writeln!(out, "<script>\n{JS}\n</script>\n</body>\n</html>");
    out
}

fn render_item(out: &mut String, item: &BriefItem, lead: bool) {
    let id = esc(&item.id);
    let _ = writeln!(
        out,
        "<article class=\"item{}\" id=\"item-{id}\" data-item=\"{id}\">",
        if lead { " lead" } else { "" }
    );
    if lead {
        let _ = writeln!(out, "<p class=\"label\">{}</p>", both(|w| w.lead));
    }
    if let Some(d) = &item.published {
        let d = esc(d);
        let _ = writeln!(
            out,
            "<p class=\"meta\"><time datetime=\"{d}\">{d}</time></p>"
        );
    }
    if let Some(d) = &item.developing {
        render_developing(out, d);
    }
    let _ = writeln!(out, "<div class=\"pairs\">");
    for lang in [Lang::En, Lang::Fr] {
        render_column(out, item, lang);
    }
    out.push_str("</div>\n");
    render_sources(out, item);
    out.push_str("</article>\n");
}

/// One language's column: title (row 1), the sentences (rows 2…), how the side was made (last row). `--r` is the
/// row side by side, `--m` the row when the columns stack (English then French for each row).
fn render_column(out: &mut String, item: &BriefItem, lang: Lang) {
    let w = words(lang);
    let side: &SideInfo = match lang {
        Lang::En => &item.en,
        Lang::Fr => &item.fr,
    };
    let code = lang.code();
    let rows = |r: usize| {
        let m = match lang {
            Lang::En => 2 * r - 1,
            Lang::Fr => 2 * r,
        };
        format!("--r:{r};--m:{m}")
    };
    let _ = writeln!(
        out,
        "<div class=\"col col-{code}\" lang=\"{code}\" data-status=\"{}\">",
        status_code(side.status)
    );
    let not_translated = side.status == SideStatus::NotTranslated;
    let _ = write!(out, "<div class=\"head\" style=\"{}\">", rows(1));
    match item.title.get(lang) {
        Some(t) => {
            let _ = write!(out, "<h2 class=\"title\">{}</h2>", esc(t));
        }
        None => {
            let _ = write!(out, "<h2 class=\"title missing\">—</h2>");
        }
    }
    if not_translated {
        let _ = write!(
            out,
            "<p class=\"notice\">{}.</p>",
            esc(&capitalize(w.not_translated))
        );
    }
    out.push_str("</div>\n");
    for (i, s) in item.sentences.iter().enumerate() {
        let pair = i + 1;
        let style = rows(pair + 1);
        match s.get(lang) {
            Some(text) => {
                let _ = writeln!(
                    out,
                    "<p class=\"s\" tabindex=\"0\" data-pair=\"{pair}\" style=\"{style}\">{}</p>",
                    esc(text)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<p class=\"s missing\" tabindex=\"0\" data-pair=\"{pair}\" style=\"{style}\" title=\"{}\">—</p>",
                    esc(w.not_translated)
                );
            }
        }
    }
    let provenance = super::render::provenance(side, lang);
    let _ = writeln!(
        out,
        "<p class=\"prov\" style=\"{}\">{}</p>\n</div>",
        rows(item.sentences.len() + 2),
        esc(&provenance)
    );
}

fn render_sources(out: &mut String, item: &BriefItem) {
    let _ = writeln!(
        out,
        "<footer class=\"sources\">\n<h3>{}</h3>\n<ul>",
        if item.sources.len() == 1 {
            "Source"
        } else {
            "Sources"
        }
    );
    for s in &item.sources {
        render_source(out, s);
    }
    out.push_str("</ul>\n");
    let c = &item.coverage;
    let _ = writeln!(
        out,
        "<p class=\"coverage\" data-outlets=\"{}\" data-articles=\"{}\"><span lang=\"en\">{}</span> · <span lang=\"fr\">{}</span></p>",
        c.outlets,
        c.articles,
        esc(&super::render::coverage_text(c, &super::render::EN)),
        esc(&super::render::coverage_text(c, &super::render::FR))
    );
    if let Some(g) = &item.grouping {
        let _ = writeln!(
            out,
            "<details class=\"grouping\">\n<summary><span lang=\"en\">{} {} {}</span> · <span lang=\"fr\">{} {} {}</span> ({}, ≥ {:.2})</summary>\n<ul>",
            crate::brief::render::EN.same_story,
            item.sources.len(),
            crate::brief::render::EN.articles,
            crate::brief::render::FR.same_story,
            item.sources.len(),
            crate::brief::render::FR.articles,
            esc(&g.method),
            g.threshold
        );
        for l in &g.links {
            let mut why = format!("{:.2}", l.score);
            if !l.shared_terms.is_empty() {
                why.push_str(" — ");
                why.push_str(&l.shared_terms.join(", "));
            }
            why.push_str(&format!(
                "; {}",
                super::render::link_evidence(l, &super::render::EN)
            ));
            let _ = writeln!(
                out,
                "<li>{} ↔ {}: {}</li>",
                esc(&super::render::source_name(item, &l.a)),
                esc(&super::render::source_name(item, &l.b)),
                esc(&why)
            );
        }
        out.push_str("</ul>\n</details>\n");
    }
    out.push_str("</footer>\n");
}

/// A developing story: its first-seen date and a link to each earlier day's brief, in both languages.
fn render_developing(out: &mut String, d: &super::Developing) {
    let (en, fr) = (&super::render::EN, &super::render::FR);
    let _ = write!(
        out,
        "<p class=\"developing\" data-first-seen=\"{}\"><span lang=\"en\">{} — {} {}</span> · <span lang=\"fr\">{} — {} {}</span>",
        esc(&d.first_seen),
        en.developing,
        en.first_seen,
        esc(&d.first_seen),
        fr.developing,
        fr.first_seen,
        esc(&d.first_seen)
    );
    for e in &d.earlier {
        let title = e
            .title
            .en
            .as_deref()
            .or(e.title.fr.as_deref())
            .unwrap_or("");
        let _ = write!(
            out,
            " <a class=\"earlier\" href=\"{}\" title=\"{}\"><time datetime=\"{}\">{}</time></a>",
            esc(&e.brief),
            esc(title),
            esc(&e.date),
            esc(&e.date)
        );
    }
    out.push_str("</p>\n");
}

fn render_source(out: &mut String, s: &Source) {
    let lang = s.language.code();
    out.push_str("<li class=\"source\">");
    if let Some(outlet) = s.outlet.as_deref().filter(|o| !o.trim().is_empty()) {
        let _ = write!(out, "<span class=\"outlet\">{}</span> ", esc(outlet));
    }
    let title = if s.title.trim().is_empty() {
        &s.link
    } else {
        &s.title
    };
    match &s.url {
        Some(url) => {
            let _ = write!(
                out,
                "<a href=\"{}\" hreflang=\"{lang}\" lang=\"{lang}\">{}</a>",
                esc(url),
                esc(title)
            );
        }
        None => {
            let _ = write!(
                out,
                "<a href=\"{}\" hreflang=\"{lang}\" lang=\"{lang}\">{}</a> <code>{}</code>",
                esc(&path_href(&s.path)),
                esc(title),
                esc(&s.path)
            );
        }
    }
    if let Some(d) = &s.published {
        let d = esc(d);
        let _ = write!(out, " <time datetime=\"{d}\">{d}</time>");
    }
    let _ = writeln!(out, " <span class=\"lang-tag\">{lang}</span></li>");
}

/// The link to a source file: a `file://` URL for an absolute path, else the relative path; characters with a
/// meaning in URLs percent-encoded.
fn path_href(path: &str) -> String {
    let mut href = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        href.push_str("file://");
    }
    for c in path.chars() {
        match c {
            '%' => href.push_str("%25"),
            ' ' => href.push_str("%20"),
            '#' => href.push_str("%23"),
            '?' => href.push_str("%3F"),
            '"' => href.push_str("%22"),
            '<' => href.push_str("%3C"),
            '>' => href.push_str("%3E"),
            _ => href.push(c),
        }
    }
    href
}

fn status_code(status: SideStatus) -> &'static str {
    match status {
        SideStatus::Original => "original",
        SideStatus::Translated => "translated",
        SideStatus::NotTranslated => "not_translated",
    }
}

/// The summarizer in both languages, each with its own punctuation: `<span lang="en">Summary: <span
/// class="model">…</span></span> · <span lang="fr">Résumé : …</span>`.
fn summarizer_label(summarizer: &str) -> String {
    let side = |lang: Lang| {
        let w = words(lang);
        let name = crate::models::extractive::name_in(summarizer, lang)
            .unwrap_or_else(|| summarizer.to_string());
        format!(
            "<span lang=\"{}\">{}{} <span class=\"model\">{}</span></span>",
            lang.code(),
            esc(w.summary_by),
            esc(w.colon),
            esc(&name)
        )
    };
    format!("{} · {}", side(Lang::En), side(Lang::Fr))
}

/// A label in both languages: `<span lang="en">…</span> · <span lang="fr">…</span>`, or one span when the words
/// are the same.
fn both(pick: impl Fn(&Words) -> &'static str) -> String {
    let (en, fr) = (pick(words(Lang::En)), pick(words(Lang::Fr)));
    if en == fr {
        return esc(en);
    }
    format!(
        "<span lang=\"en\">{}</span> · <span lang=\"fr\">{}</span>",
        esc(en),
        esc(fr)
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// HTML-escapes text for element content and quoted attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
