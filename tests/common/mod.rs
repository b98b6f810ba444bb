//! Helpers shared by the integration tests: the tiny fixture models, imported through the same code as real ones.
#![allow(dead_code)]
pub mod parity;
use std::path::{Path, PathBuf};
use tandem::models::manifest::{Manifest, Role};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// The fixture folder (Hugging Face layout) that serves `role` in the tests.
pub fn hf_fixture(role: Role) -> PathBuf {
    fixtures().join("models").join(match role {
        Role::TranslateFrEn => "marian-fr-en",
        Role::TranslateEnFr => "marian-en-fr",
        Role::SummarizeEn => "bart-cnn",
    })
}

/// The trained natural-stop fixture (real tokenizer files and generation config; see
/// scripts/make-stopping-models.py) that serves `role`.
pub fn stopping_fixture(role: Role) -> PathBuf {
    fixtures().join("models").join(match role {
        Role::TranslateFrEn => "stop-marian-fr-en",
        Role::TranslateEnFr => "stop-marian-en-fr",
        Role::SummarizeEn => "stop-bart-cnn",
    })
}

/// Imports the trained natural-stop fixtures of `roles` into `models_dir`, as `tandem models import` would.
pub fn import_stopping_roles(models_dir: &Path, roles: &[Role]) {
    import_fixtures(models_dir, roles, stopping_fixture);
}

/// Imports the fixture models of `roles` into `models_dir`, as `tandem models import` would.
pub fn import_roles(models_dir: &Path, roles: &[Role]) {
    import_fixtures(models_dir, roles, hf_fixture);
}

fn import_fixtures(models_dir: &Path, roles: &[Role], fixture: fn(Role) -> PathBuf) {
    let manifest = Manifest::builtin();
    for &role in roles {
        let spec = manifest.spec(role).unwrap();
        tandem::models::import::import_hf(
            &fixture(role),
            spec.architecture,
            &models_dir.join(&spec.dir),
            None,
        )
        .unwrap();
    }
}

/// `out/<name>` parsed as JSON.
pub fn read_json(out: &Path, name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join(name)).unwrap()).unwrap()
}

/// The `brief.json` in `out`, checked against the schema.
pub fn read_brief(out: &Path) -> serde_json::Value {
    let brief = read_json(out, "brief.json");
    assert_valid_brief(&brief);
    brief
}

/// The `tandem` binary with `args`, on the models in `models_dir` and a cache of its own beside them.
pub fn tandem(args: &[&str], models_dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .args(args)
        .arg("--models-dir")
        .arg(models_dir)
        .env_remove("TANDEM_MODELS")
        .env("TANDEM_CACHE_DIR", models_dir.with_extension("cache"))
        .output()
        .unwrap()
}

/// Where `role` lives under `models_dir`.
pub fn role_path(models_dir: &Path, role: Role) -> PathBuf {
    models_dir.join(&Manifest::builtin().spec(role).unwrap().dir)
}

/// The `brief.json` JSON Schema (`src/brief/schema.json`), parsed.
pub fn brief_schema() -> serde_json::Value {
    serde_json::from_str(tandem::brief::render::JSON_SCHEMA)
        .expect("src/brief/schema.json is not JSON")
}

/// Every way `brief` breaks the `brief.json` schema, one `instance path: message` line each; empty when it
/// follows it.
pub fn brief_schema_errors(brief: &serde_json::Value) -> Vec<String> {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        jsonschema::draft202012::new(&brief_schema())
            .unwrap_or_else(|e| panic!("src/brief/schema.json is not a valid schema: {e}"))
    });
    validator
        .iter_errors(brief)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Panics, listing every violation, unless `brief` follows the `brief.json` schema.
pub fn assert_valid_brief(brief: &serde_json::Value) {
    let errors = brief_schema_errors(brief);
    assert!(
        errors.is_empty(),
        "brief.json does not follow src/brief/schema.json:\n  {}\nbrief: {}",
        errors.join("\n  "),
        serde_json::to_string_pretty(brief).unwrap_or_default()
    );
}

/// A brief that uses every part of the schema, with text that needs escaping: a lead item grouped from two
/// sources (English original, French translated), a French original whose source has no URL, an English original
/// whose French side is not translated, and a skipped file.
pub fn sample_brief() -> tandem::brief::Brief {
    use tandem::brief::*;
    use tandem::lang::Lang;
    let bi = |en: Option<&str>, fr: Option<&str>| Bilingual {
        en: en.map(str::to_string),
        fr: fr.map(str::to_string),
    };
    let side = |status, translated_by: &[&str]| SideInfo {
        status,
        summarized_by: "bart-cnn (sha256 0123456789ab)".to_string(),
        translated_by: translated_by.iter().map(|s| s.to_string()).collect(),
    };
    let source = |id: &str,
                  url: Option<&str>,
                  path: &str,
                  title: &str,
                  language,
                  published: Option<&str>,
                  outlet: Option<&str>| Source {
        id: id.to_string(),
        link: url.unwrap_or(path).to_string(),
        url: url.map(str::to_string),
        path: path.to_string(),
        title: title.to_string(),
        language,
        published: published.map(str::to_string),
        outlet: outlet.map(str::to_string),
        summary_chunks: None,
    };
    let en_fr = "marian-en-fr (sha256 aaaaaaaaaaaa)";
    let fr_en = "marian-fr-en (sha256 bbbbbbbbbbbb)";
    Brief {
        schema_version: SCHEMA_VERSION,
        title: bi(Some("News brief"), Some("Synthèse de presse")),
        period: Some(Period {
            since: Some("2025-11-08".to_string()),
            until: Some("2025-11-10".to_string()),
        }),
        items: vec![
            BriefItem {
                id: "grouped01".to_string(),
                original_language: Lang::En,
                published: Some("2025-11-10".to_string()),
                title: bi(
                    Some("Port strike ends: \"deal\" <script>alert('x')</script> & more"),
                    Some("La grève du port s'achève : « accord » <b>fin</b> & plus"),
                ),
                sentences: vec![
                    bi(
                        Some("Dock workers returned to work on Thursday."),
                        Some("Les dockers ont repris le travail jeudi."),
                    ),
                    bi(
                        Some("The deal raises wages by 4% <over> two years."),
                        Some("L'accord augmente les salaires de 4 % <sur> deux ans."),
                    ),
                    bi(
                        Some("Ships waiting offshore began to dock."),
                        Some("Les navires en attente ont commencé à accoster."),
                    ),
                ],
                en: side(SideStatus::Original, &[]),
                fr: side(SideStatus::Translated, &[en_fr]),
                sources: vec![
                    source(
                        "src-en-1",
                        Some("https://example.test/en/port?a=1&b=\"2\"&c='3'"),
                        "/data/in/en-port.txt",
                        "Dock workers end strike <at> the port",
                        Lang::En,
                        Some("2025-11-10"),
                        Some("The Harbour <Times> & \"Co\""),
                    ),
                    source(
                        "src-fr-2",
                        Some("https://example.test/fr/grève-du-port"),
                        "/data/in/fr-port.txt",
                        "Fin de la grève au port",
                        Lang::Fr,
                        Some("2025-11-09"),
                        Some("Le Quotidien"),
                    ),
                ],
                coverage: Coverage {
                    outlets: 2,
                    articles: 2,
                },
                grouping: Some(Grouping {
                    method: "tfidf+evidence".to_string(),
                    threshold: 0.4,
                    links: vec![GroupLink {
                        a: "src-en-1".to_string(),
                        b: "src-fr-2".to_string(),
                        score: 0.62,
                        similarity: 0.41,
                        shared_terms: vec!["port".to_string(), "strike".to_string()],
                        shared_names: vec!["marseille".to_string(), "cgt".to_string()],
                        shared_numbers: vec!["4%".to_string()],
                        shared_dates: vec!["11-06".to_string()],
                    }],
                }),
                developing: Some(Developing {
                    first_seen: "2025-11-06".to_string(),
                    earlier: vec![EarlierItem {
                        date: "2025-11-07".to_string(),
                        item: "strike00".to_string(),
                        title: bi(Some("Dockers <walk out>"), Some("Les dockers en grève")),
                        brief: "history/2025-11-07/brief.html".to_string(),
                        score: 0.55,
                        shared_names: vec!["marseille".to_string()],
                    }],
                }),
            },
            BriefItem {
                id: "frpont02".to_string(),
                original_language: Lang::Fr,
                published: None,
                title: bi(
                    Some("The new bridge will open in March"),
                    Some("Le nouveau pont ouvrira en mars"),
                ),
                sentences: vec![
                    bi(
                        Some("The bridge over the river will open in March."),
                        Some("Le pont sur le fleuve ouvrira en mars."),
                    ),
                    bi(
                        Some("It cost 120 million euros."),
                        Some("Il a coûté 120 millions d'euros."),
                    ),
                ],
                en: side(SideStatus::Translated, &[fr_en]),
                fr: side(SideStatus::Original, &[]),
                sources: vec![source(
                    "src-fr-3",
                    None,
                    "/data/in/fr pont #1.txt",
                    "Le nouveau pont ouvrira en mars",
                    Lang::Fr,
                    None,
                    None,
                )],
                coverage: Coverage {
                    outlets: 1,
                    articles: 1,
                },
                grouping: None,
                developing: None,
            },
            BriefItem {
                id: "ennotr03".to_string(),
                original_language: Lang::En,
                published: Some("2025-11-08".to_string()),
                title: bi(Some("Council approves the budget"), None),
                sentences: vec![
                    bi(Some("The council approved the budget on Tuesday."), None),
                    bi(Some("The vote was close."), None),
                ],
                en: side(SideStatus::Original, &[]),
                fr: side(SideStatus::NotTranslated, &[]),
                sources: vec![source(
                    "src-en-4",
                    Some("https://example.test/en/budget"),
                    "/data/in/en-budget.txt",
                    "Council approves the budget",
                    Lang::En,
                    Some("2025-11-08"),
                    Some("City Daily"),
                )],
                coverage: Coverage {
                    outlets: 1,
                    articles: 1,
                },
                grouping: None,
                developing: None,
            },
        ],
        models: ModelsUsed {
            summarizer: "bart-cnn (sha256 0123456789ab)".to_string(),
            translate_fr_en: Some(fr_en.to_string()),
            translate_en_fr: None,
        },
        skipped: vec![tandem::ingest::IngestFailure {
            path: "/data/in/empty <1>.txt".into(),
            reason: "empty file".to_string(),
        }],
    }
}

/// `tandem brief` of the fixture articles with no model installed and no cache (nothing outside `out` is
/// written), into `out`. Checks it exits 4 (written, sides untranslated) and that brief.json is valid; returns it.
pub fn offline_brief(out: &Path) -> serde_json::Value {
    offline_brief_of(&fixtures().join("articles"), out)
}

/// [`offline_brief`] of the articles in `articles`.
pub fn offline_brief_of(articles: &Path, out: &Path) -> serde_json::Value {
    offline_brief_with(articles, out, &[])
}

/// [`offline_brief_of`] with `extra` arguments (`--date`, …).
pub fn offline_brief_with(articles: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let models = out.with_extension("no-models");
    std::fs::create_dir_all(&models).unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_tandem"))
        .arg("brief")
        .arg(articles)
        .arg("--out")
        .arg(out)
        .args(extra)
        .arg("--models-dir")
        .arg(&models)
        .arg("--no-cache")
        .env_remove("TANDEM_MODELS")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let brief =
        serde_json::from_str(&std::fs::read_to_string(out.join("brief.json")).unwrap()).unwrap();
    assert_valid_brief(&brief);
    brief
}
