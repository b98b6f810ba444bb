//! Stories across languages and days with no model installed, end to end through the binary: a French and an
//! English article on one event make one item (with its evidence and coverage); three consecutive daily runs
//! into one output folder link a developing story to the earlier days' briefs (first seen, links to the kept
//! pages), leave new stories alone, and a run with no history, or `--history-days 0`, links nothing.
mod common;

use serde_json::Value;
use std::path::Path;

/// An article file with front matter.
fn article(
    dir: &Path,
    name: &str,
    title: &str,
    outlet: &str,
    published: &str,
    lang: &str,
    body: &str,
) {
    std::fs::create_dir_all(dir).unwrap();
    let text = format!(
        "---\ntitle: \"{title}\"\nsource: \"{outlet}\"\npublished: {published}\nlang: {lang}\n---\n\n{body}\n"
    );
    std::fs::write(dir.join(name), text).unwrap();
}

/// `tandem brief DIR --out OUT --date DAY` with no models and no cache, plus `extra`; the brief it wrote.
fn daily(articles: &Path, out: &Path, day: &str, extra: &[&str]) -> Value {
    let args: Vec<&str> = ["--date", day]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    common::offline_brief_with(articles, out, &args)
}

fn item_with<'a>(brief: &'a Value, source_title_part: &str) -> &'a Value {
    brief["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["title"].as_str().unwrap().contains(source_title_part))
        })
        .unwrap_or_else(|| panic!("no item with {source_title_part}: {brief:#}"))
}

const FLOOD_EN: &str = "The Rhone burst its banks in Lyon on Monday after four days of rain, flooding the quays and \
the basements of the Confluence district. Mayor Gregoire Doucet said 1,200 residents had been moved to shelters and \
that the river had risen to 6.3 metres, its highest level since 1957. Trains between Lyon and Grenoble were halted, \
and the prefecture of the Rhone kept its red flood alert for Tuesday.";
const FLOOD_FR: &str = "Le Rhône est sorti de son lit lundi à Lyon après quatre jours de pluie, inondant les quais et \
les sous-sols du quartier de la Confluence. Le maire Grégoire Doucet indique que 1 200 habitants ont été hébergés \
dans des gymnases et que le fleuve a atteint 6,3 mètres, du jamais-vu depuis 1957. Les trains entre Lyon et Grenoble \
sont interrompus et la préfecture du Rhône maintient la vigilance rouge pour mardi.";
const FLOOD_DAY2: &str = "La décrue du Rhône a commencé mardi à Lyon, mais 1 500 habitants de la Confluence restent \
hébergés dans des gymnases, a précisé le maire Grégoire Doucet. Le fleuve est redescendu à 5,1 mètres. La préfecture \
du Rhône a levé la vigilance rouge et la circulation des trains entre Lyon et Grenoble doit reprendre mercredi. Les \
assureurs estiment les dégâts à plusieurs dizaines de millions d'euros.";
const FLOOD_DAY3: &str = "Residents of the Confluence district in Lyon began returning home on Wednesday as the \
Rhone fell below 4 metres. Mayor Gregoire Doucet said 1,500 people had spent two nights in shelters and that the city \
would ask the state to declare a natural disaster. Trains between Lyon and Grenoble ran again in the afternoon.";
const CHESS: &str = "A twelve-year-old from Rennes, Maelle Kerbrat, won the national junior chess championship in \
Vichy on Sunday, beating the defending champion in the final round. She is the youngest winner in the tournament's \
history, the federation said.";
const BAKERY: &str = "La boulangerie Martin, à Nantes, a remporté samedi le concours de la meilleure baguette de la \
région. Le jury a salué une croûte dorée et une mie alvéolée. Le boulanger, installé depuis 2009, fournira l'hôtel de \
ville pendant un an.";

#[test]
fn a_french_and_an_english_article_on_one_event_are_one_item_with_their_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let (articles, out) = (dir.path().join("in"), dir.path().join("out"));
    article(
        &articles,
        "flood-en.md",
        "Rhone floods Lyon quays, 1,200 moved to shelters",
        "Lyon Post",
        "2025-11-03",
        "en",
        FLOOD_EN,
    );
    article(
        &articles,
        "flood-fr.md",
        "Crue du Rhône : 1 200 Lyonnais évacués",
        "Le Progrès du Rhône",
        "2025-11-03",
        "fr",
        FLOOD_FR,
    );
    article(
        &articles,
        "chess.md",
        "Rennes girl, 12, wins junior chess title",
        "Lyon Post",
        "2025-11-03",
        "en",
        CHESS,
    );
    let brief = daily(&articles, &out, "2025-11-03", &[]);
    let items = brief["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{brief:#}");
    let flood = item_with(&brief, "Rhone floods");
    assert_eq!(flood["sources"].as_array().unwrap().len(), 2);
    assert_eq!(
        flood["coverage"],
        serde_json::json!({"outlets": 2, "articles": 2})
    );
    let link = &flood["grouping"]["links"][0];
    assert_eq!(flood["grouping"]["method"], "tfidf+evidence");
    assert!(link["score"].as_f64().unwrap() >= flood["grouping"]["threshold"].as_f64().unwrap());
    let names: Vec<&str> = link["shared_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    for name in ["lyon", "doucet", "rhone", "grenoble", "confluence"] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    assert_eq!(link["shared_numbers"], serde_json::json!(["1200", "6.3"]));
    let chess = item_with(&brief, "chess");
    assert_eq!(
        chess["coverage"],
        serde_json::json!({"outlets": 1, "articles": 1})
    );
    assert!(chess.get("grouping").is_none());
    // no history yet: nothing developing, today's brief kept for tomorrow
    assert!(items.iter().all(|i| i.get("developing").is_none()));
    assert!(out.join("history/2025-11-03/brief.json").is_file());
    assert!(out.join("history/2025-11-03/brief.html").is_file());
    // shown in the Markdown and the page
    let md = std::fs::read_to_string(out.join("brief.en.md")).unwrap();
    assert!(md.contains("_Coverage: 2 outlets, 2 articles_"), "{md}");
    assert!(
        md.contains("names: lyon") || md.contains("names: rhone") || md.contains("names: doucet"),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("brief.html")).unwrap();
    assert!(
        html.contains("class=\"coverage\" data-outlets=\"2\" data-articles=\"2\""),
        "{html}"
    );
    assert!(html.contains("numbers: 1200, 6.3"), "{html}");
}

#[test]
fn three_daily_runs_link_a_developing_story_to_the_earlier_briefs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let day = |n: usize| dir.path().join(format!("day{n}"));
    article(
        &day(1),
        "flood-en.md",
        "Rhone floods Lyon quays, 1,200 moved to shelters",
        "Lyon Post",
        "2025-11-03",
        "en",
        FLOOD_EN,
    );
    article(
        &day(1),
        "flood-fr.md",
        "Crue du Rhône : 1 200 Lyonnais évacués",
        "Le Progrès du Rhône",
        "2025-11-03",
        "fr",
        FLOOD_FR,
    );
    article(
        &day(1),
        "chess.md",
        "Rennes girl, 12, wins junior chess title",
        "Lyon Post",
        "2025-11-03",
        "en",
        CHESS,
    );
    article(
        &day(2),
        "flood-fr.md",
        "Lyon : la décrue du Rhône commence",
        "Le Progrès du Rhône",
        "2025-11-04",
        "fr",
        FLOOD_DAY2,
    );
    article(
        &day(2),
        "bakery.md",
        "Nantes : la meilleure baguette est chez Martin",
        "Ouest Matin",
        "2025-11-04",
        "fr",
        BAKERY,
    );
    article(
        &day(3),
        "flood-en.md",
        "Lyon residents go home as the Rhone falls",
        "Lyon Post",
        "2025-11-05",
        "en",
        FLOOD_DAY3,
    );

    let first = daily(&day(1), &out, "2025-11-03", &[]);
    let first_flood = item_with(&first, "Rhone floods")["id"]
        .as_str()
        .unwrap()
        .to_string();

    let second = daily(&day(2), &out, "2025-11-04", &[]);
    let flood = item_with(&second, "décrue");
    let developing = &flood["developing"];
    assert_eq!(developing["first_seen"], "2025-11-03", "{second:#}");
    assert_eq!(developing["earlier"].as_array().unwrap().len(), 1);
    assert_eq!(developing["earlier"][0]["item"], first_flood.as_str());
    assert_eq!(
        developing["earlier"][0]["brief"],
        "history/2025-11-03/brief.html"
    );
    assert!(
        item_with(&second, "baguette").get("developing").is_none(),
        "a new story is no developing one"
    );

    let third = daily(&day(3), &out, "2025-11-05", &[]);
    let flood = item_with(&third, "go home");
    let developing = &flood["developing"];
    // first seen carried from day 1 through day 2; both earlier days linked, most recent first
    assert_eq!(developing["first_seen"], "2025-11-03", "{third:#}");
    let dates: Vec<&str> = developing["earlier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2025-11-04", "2025-11-03"]);
    // every earlier link points at a kept page
    for e in developing["earlier"].as_array().unwrap() {
        assert!(out.join(e["brief"].as_str().unwrap()).is_file(), "{e}");
    }
    let md = std::fs::read_to_string(out.join("brief.en.md")).unwrap();
    assert!(
        md.contains("**Developing story** — first seen 2025-11-03; earlier: [2025-11-04](history/2025-11-04/brief.html)"),
        "{md}"
    );
    let html = std::fs::read_to_string(out.join("brief.html")).unwrap();
    assert!(
        html.contains("href=\"history/2025-11-03/brief.html\""),
        "{html}"
    );
    // the kept copy's links are relative to its own folder
    let kept = std::fs::read_to_string(out.join("history/2025-11-05/brief.html")).unwrap();
    assert!(kept.contains("href=\"../2025-11-03/brief.html\""), "{kept}");

    // a window of one day reaches day 2 only (first seen carried from it); 0 turns the links off
    let windowed = daily(&day(3), &out, "2025-11-05", &["--history-days", "1"]);
    let developing = &item_with(&windowed, "go home")["developing"];
    let dates: Vec<&str> = developing["earlier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2025-11-04"]);
    assert_eq!(developing["first_seen"], "2025-11-03");
    let off = daily(&day(3), &out, "2025-11-05", &["--history-days", "0"]);
    assert!(item_with(&off, "go home").get("developing").is_none());
}
