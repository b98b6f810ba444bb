//! `brief.html` in a real browser: Debian's chromium, headless, loads the rendered file from disk (no network),
//! runs its inline script and a probe script appended by this test, and dumps the DOM, which is checked here:
//! aligned sentence pairs in both columns, escaped text, links, languages, the not-translated notice, focus and
//! hover highlighting of a pair, and no horizontal overflow at a phone's width (390px) with the pairs stacked.
//! Chromium comes from `scripts/install-test-deps.sh` (run by `make test`); without it these tests fail.
mod common;

use dom_query::Document;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tandem::brief::{html::to_html, Brief};

/// Measures the layout and exercises focus and hover, before anything is added to the page, then writes the
/// result as JSON into `<pre id="probe">`.
const PROBE: &str = r#"<script>
(function(){
var de=document.documentElement, out={js:de.getAttribute('data-js'), scrollWidth:de.scrollWidth,
  clientWidth:de.clientWidth, bodyScrollWidth:document.body.scrollWidth, items:[]};
function box(e){var r=e.getBoundingClientRect();return {top:r.top,bottom:r.bottom,left:r.left,right:r.right};}
// Moves keyboard focus from `from` to `to` (either may be null). Chromium dispatches focus events only while the
// page itself has focus, which a headless window on a loaded machine may not have yet: then the events a focused
// browser would dispatch are dispatched here, in the same order (focusout, then focusin).
out.pageFocused=document.hasFocus();
function focusOn(to, from){
  if(to)to.focus(); else if(from)from.blur();
  if(!document.hasFocus()){
    if(from)from.dispatchEvent(new FocusEvent('focusout',{bubbles:true,relatedTarget:to}));
    if(to)to.dispatchEvent(new FocusEvent('focusin',{bubbles:true,relatedTarget:from}));
  }
}
document.querySelectorAll('.item').forEach(function(it){
  var en=it.querySelector('.col-en .s[data-pair="1"]'), fr=it.querySelector('.col-fr .s[data-pair="1"]');
  var fr2=it.querySelector('.col-fr .s[data-pair="2"]');
  var r={id:it.id, en:box(en), fr:box(fr), frBgBefore:getComputedStyle(fr).backgroundColor};
  focusOn(en, null);
  r.focused=document.activeElement===en;
  r.frHlOnFocus=fr.classList.contains('hl'); r.enHlOnFocus=en.classList.contains('hl');
  r.frBgOnFocus=getComputedStyle(fr).backgroundColor; r.fr2HlOnFocus=fr2?fr2.classList.contains('hl'):null;
  focusOn(fr, en);
  r.enHlOnPartnerFocus=en.classList.contains('hl');
  focusOn(null, fr);
  r.frHlAfterBlur=fr.classList.contains('hl'); r.enHlAfterBlur=en.classList.contains('hl');
  en.dispatchEvent(new MouseEvent('mouseover',{bubbles:true}));
  r.frHlOnHover=fr.classList.contains('hl');
  en.dispatchEvent(new MouseEvent('mouseout',{bubbles:true}));
  r.frHlAfterHover=fr.classList.contains('hl');
  out.items.push(r);
});
var pre=document.createElement('pre'); pre.id='probe'; pre.hidden=true; pre.textContent=JSON.stringify(out);
document.body.appendChild(pre);
if(window.parent!==window)window.parent.postMessage(pre.textContent,'*');
})();
</script>
"#;

fn chromium() -> PathBuf {
    let candidates = [
        std::env::var_os("TANDEM_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
        Some(PathBuf::from("/usr/bin/chromium-browser")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "chromium is not installed: the brief.html browser test needs it. Run `scripts/install-test-deps.sh` \
                 (as root; `make test` does it), or point TANDEM_CHROMIUM at a chromium binary."
            )
        })
}

/// The page as chromium leaves it after its scripts ran, in a window `width` pixels wide.
fn rendered_dom(brief: &Brief, width: u32) -> (Document, Value) {
    let tmp = tempfile::tempdir().unwrap();
    let page = write_probed_page(tmp.path(), brief);
    let dom = run_chromium(
        tmp.path(),
        &[
            &format!("--window-size={width},900"),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ],
    );
    let doc = Document::from(dom.as_str());
    let probe = probe_result(&doc, &dom);
    (doc, probe)
}

/// The probe's findings for the page shown in a frame `width` CSS pixels wide: headless chromium's window is at
/// least 500px wide, so a phone's width is had with an iframe, whose own viewport the page's media queries see.
fn framed_probe(brief: &Brief, width: u32) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    write_probed_page(tmp.path(), brief);
    let frame = tmp.path().join("frame.html");
    std::fs::write(
        &frame,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\">\
             <iframe src=\"brief.html\" style=\"width:{width}px;height:800px;border:0;display:block\"></iframe>\
             <script>addEventListener('message',function(e){{var p=document.createElement('pre');\
             p.id='probe';p.textContent=e.data;document.body.appendChild(p);}});</script></body></html>"
        ),
    )
    .unwrap();
    let dom = run_chromium(
        tmp.path(),
        &[
            "--window-size=800,900",
            "--virtual-time-budget=10000",
            "--allow-file-access-from-files",
            "--dump-dom",
            &format!("file://{}", frame.display()),
        ],
    );
    probe_result(&Document::from(dom.as_str()), &dom)
}

/// Writes the page with the probe appended into `dir` as `brief.html`.
fn write_probed_page(dir: &Path, brief: &Brief) -> PathBuf {
    let html = to_html(brief);
    let probed = html.replacen("</body>", &format!("{PROBE}</body>"), 1);
    assert_ne!(probed, html, "the page has a </body>");
    let page = dir.join("brief.html");
    std::fs::write(&page, probed).unwrap();
    page
}

fn probe_result(doc: &Document, dom: &str) -> Value {
    let probe = doc.select("pre#probe").text().to_string();
    serde_json::from_str(&probe)
        .unwrap_or_else(|e| panic!("no probe result ({e}) in the dumped DOM:\n{dom}"))
}

fn run_chromium(profile: &Path, args: &[&str]) -> String {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--mute-audio",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium did not start");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The `file://` link expected for a source without URL (absolute paths only, as the tests use).
fn file_href(path: &str) -> String {
    assert!(path.starts_with('/'), "{path}");
    let encoded: String = path
        .chars()
        .map(|c| match c {
            '%' => "%25".to_string(),
            ' ' => "%20".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '"' => "%22".to_string(),
            '<' => "%3C".to_string(),
            '>' => "%3E".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("file://{encoded}")
}

fn texts(doc: &Document, sel: &str) -> Vec<String> {
    doc.select(sel)
        .nodes()
        .iter()
        .map(|n| n.text().to_string())
        .collect()
}

fn attrs(doc: &Document, sel: &str, name: &str) -> Vec<String> {
    doc.select(sel)
        .nodes()
        .iter()
        .map(|n| n.attr(name).map(|a| a.to_string()).unwrap_or_default())
        .collect()
}

#[test]
fn the_page_shows_every_pair_in_both_columns_with_sources_and_languages() {
    let brief = common::sample_brief();
    let (doc, probe) = rendered_dom(&brief, 1280);
    assert_eq!(probe["js"], "ready", "the page's inline script ran");
    // only the page's script and the probe: the <script> in a title stayed text
    assert_eq!(doc.select("script").length(), 2);
    assert_eq!(doc.select("b").length(), 0, "a <b> in a title stayed text");

    assert_eq!(
        texts(&doc, "h1 > [lang=en]"),
        ["News brief — 2025-11-08 to 2025-11-10"]
    );
    assert_eq!(
        texts(&doc, "h1 > [lang=fr]"),
        ["Synthèse de presse — du 2025-11-08 au 2025-11-10"]
    );
    let ids = attrs(&doc, "main > article.item", "id");
    assert_eq!(ids, ["item-grouped01", "item-frpont02", "item-ennotr03"]);
    assert!(doc.select("#item-grouped01").has_class("lead"));
    assert_eq!(
        texts(&doc, "#item-grouped01 .label"),
        ["Lead story · À la une"]
    );
    assert_eq!(
        doc.select(".label").length(),
        1,
        "only the lead is labelled"
    );

    for item in &brief.items {
        let at = |sel: &str| format!("#item-{} {sel}", item.id);
        assert_eq!(attrs(&doc, &at(".col-en"), "lang"), ["en"], "{}", item.id);
        assert_eq!(attrs(&doc, &at(".col-fr"), "lang"), ["fr"]);
        let expected_pairs: Vec<String> =
            (1..=item.sentences.len()).map(|i| i.to_string()).collect();
        assert_eq!(attrs(&doc, &at(".col-en .s"), "data-pair"), expected_pairs);
        assert_eq!(attrs(&doc, &at(".col-fr .s"), "data-pair"), expected_pairs);
        assert!(attrs(&doc, &at(".s"), "tabindex").iter().all(|t| t == "0"));
        let en: Vec<String> = item
            .sentences
            .iter()
            .map(|s| s.en.clone().unwrap())
            .collect();
        assert_eq!(texts(&doc, &at(".col-en .s")), en);
        assert_eq!(
            texts(&doc, &at(".col-en h2.title")),
            [item.title.en.clone().unwrap()]
        );
        match &item.title.fr {
            Some(fr_title) => {
                let fr: Vec<String> = item
                    .sentences
                    .iter()
                    .map(|s| s.fr.clone().unwrap())
                    .collect();
                assert_eq!(texts(&doc, &at(".col-fr .s")), fr);
                assert_eq!(texts(&doc, &at(".col-fr h2.title")), [fr_title.as_str()]);
                assert_eq!(doc.select(&at(".notice")).length(), 0);
            }
            None => {
                assert_eq!(
                    texts(&doc, &at(".col-fr .notice")),
                    ["Non traduit\u{a0}: le modèle de traduction n'est pas installé."]
                );
                assert_eq!(
                    attrs(&doc, &at(".col-fr"), "data-status"),
                    ["not_translated"]
                );
                assert_eq!(
                    doc.select(&at(".col-fr .s.missing")).length(),
                    item.sentences.len()
                );
            }
        }
        let hrefs = attrs(&doc, &at(".sources a"), "href");
        let expected: Vec<String> = item
            .sources
            .iter()
            .map(|s| match &s.url {
                Some(u) => u.clone(),
                None => file_href(&s.path),
            })
            .collect();
        assert_eq!(hrefs, expected, "{}", item.id);
        let titles: Vec<String> = item.sources.iter().map(|s| s.title.clone()).collect();
        assert_eq!(texts(&doc, &at(".sources a")), titles);
        let langs: Vec<String> = item
            .sources
            .iter()
            .map(|s| s.language.to_string())
            .collect();
        assert_eq!(attrs(&doc, &at(".sources a"), "lang"), langs);
    }
    // outlets and dates of the grouped lead's sources; the path of the source without URL
    assert_eq!(
        texts(&doc, "#item-grouped01 .outlet"),
        ["The Harbour <Times> & \"Co\"", "Le Quotidien"]
    );
    assert_eq!(
        attrs(&doc, "#item-grouped01 .sources time", "datetime"),
        ["2025-11-10", "2025-11-09"]
    );
    assert_eq!(
        texts(&doc, "#item-frpont02 .sources code"),
        ["/data/in/fr pont #1.txt"]
    );
    assert!(doc
        .select("#item-grouped01 details.grouping")
        .text()
        .contains("The Harbour <Times> & \"Co\" ↔ Le Quotidien: 0.62 — port, strike"));
    assert_eq!(texts(&doc, ".skipped code"), ["/data/in/empty <1>.txt"]);

    // side by side: a pair's two sentences on the same row, French to the right
    for it in probe["items"].as_array().unwrap() {
        let (en, fr) = (&it["en"], &it["fr"]);
        let top = |b: &Value| b["top"].as_f64().unwrap();
        assert!((top(en) - top(fr)).abs() < 1.0, "{it}");
        assert!(
            fr["left"].as_f64().unwrap() >= en["right"].as_f64().unwrap(),
            "{it}"
        );
    }
}

#[test]
fn focusing_or_hovering_a_sentence_highlights_its_partner() {
    let (_, probe) = rendered_dom(&common::sample_brief(), 1280);
    let items = probe["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for it in items {
        assert_eq!(it["focused"], true, "{it}");
        assert_eq!(it["enHlOnFocus"], true, "{it}");
        assert_eq!(it["frHlOnFocus"], true, "{it}");
        assert_eq!(it["fr2HlOnFocus"], false, "another pair stays plain: {it}");
        assert_ne!(
            it["frBgOnFocus"], it["frBgBefore"],
            "the partner's background changes: {it}"
        );
        assert_eq!(it["enHlOnPartnerFocus"], true, "{it}");
        assert_eq!(it["frHlAfterBlur"], false, "{it}");
        assert_eq!(it["enHlAfterBlur"], false, "{it}");
        assert_eq!(it["frHlOnHover"], true, "{it}");
        assert_eq!(it["frHlAfterHover"], false, "{it}");
    }
}

#[test]
fn at_a_phone_width_nothing_scrolls_sideways_and_each_english_sentence_sits_above_its_french_one() {
    let probe = framed_probe(&common::sample_brief(), 390);
    assert_eq!(probe["js"], "ready");
    assert_eq!(probe["clientWidth"], 390, "{probe}");
    assert!(
        probe["scrollWidth"].as_f64().unwrap() <= 390.0,
        "horizontal overflow: {probe}"
    );
    assert!(
        probe["bodyScrollWidth"].as_f64().unwrap() <= 390.0,
        "{probe}"
    );
    let items = probe["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for it in items {
        let (en, fr) = (&it["en"], &it["fr"]);
        assert!(
            fr["top"].as_f64().unwrap() >= en["bottom"].as_f64().unwrap() - 0.5,
            "French below English: {it}"
        );
        assert!((fr["left"].as_f64().unwrap() - en["left"].as_f64().unwrap()).abs() < 1.0);
        assert!(fr["right"].as_f64().unwrap() <= 390.0, "{it}");
    }
}

#[test]
fn the_page_is_self_contained_deterministic_and_escaped() {
    let brief = common::sample_brief();
    let html = to_html(&brief);
    assert_eq!(html, to_html(&brief.clone()), "same brief, same bytes");
    for external in [
        "<link", "<img", "src=", "@import", "url(", "http://", "//fonts",
    ] {
        assert!(!html.contains(external), "{external} in the page");
    }
    // the only https references are the sources' links
    assert_eq!(html.matches("https://").count(), 3);
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains(
        "href=\"https://example.test/en/port?a=1&amp;b=&quot;2&quot;&amp;c=&#39;3&#39;\""
    ));
    assert!(html.contains("<meta name=\"viewport\""));
    assert_eq!(html.matches("<script>").count(), 1);
}

#[test]
fn the_brief_the_binary_makes_renders_with_every_pair() {
    let tmp = tempfile::tempdir().unwrap();
    let brief: Brief =
        serde_json::from_value(common::offline_brief(&tmp.path().join("out"))).unwrap();
    assert_eq!(brief.items.len(), 3);
    let (doc, probe) = rendered_dom(&brief, 1280);
    assert_eq!(probe["js"], "ready");
    for item in &brief.items {
        let n = item.sentences.len();
        assert!(n > 0);
        for col in ["en", "fr"] {
            let sel = format!("#item-{} .col-{col} .s", item.id);
            assert_eq!(doc.select(&sel).length(), n, "{sel}");
        }
        // offline, each article keeps only its own language: the other side says it is not translated
        let missing = match item.original_language {
            tandem::lang::Lang::En => "fr",
            tandem::lang::Lang::Fr => "en",
        };
        assert_eq!(
            doc.select(&format!("#item-{} .col-{missing} .notice", item.id))
                .length(),
            1
        );
        assert_eq!(
            attrs(&doc, &format!("#item-{} .sources a", item.id), "href"),
            [match &item.sources[0].url {
                Some(u) => u.clone(),
                None => file_href(&item.sources[0].path),
            }]
        );
    }
}
