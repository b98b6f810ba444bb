//! `brief.json` follows the versioned JSON Schema in `src/brief/schema.json`: the schema itself is well formed and
//! strict, briefs made in Rust and by the binary validate, and broken briefs are rejected.
mod common;

use serde_json::{json, Value};
use tandem::brief::{render, Brief, SCHEMA_VERSION};

fn to_value(brief: &Brief) -> Value {
    serde_json::from_str(&render::to_json(brief)).unwrap()
}

#[test]
fn the_schema_is_versioned_like_the_types() {
    let schema = common::brief_schema();
    assert_eq!(
        schema["properties"]["schema_version"]["const"],
        json!(SCHEMA_VERSION)
    );
    let id = schema["$id"].as_str().unwrap();
    assert!(
        id.contains(&format!("/v{SCHEMA_VERSION}/")),
        "$id {id} should carry version {SCHEMA_VERSION}"
    );
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn the_schema_is_valid_against_its_meta_schema() {
    let schema = common::brief_schema();
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("schema.json breaks the draft 2020-12 meta-schema: {e}");
    }
}

/// Walks every subschema: objects are closed (`additionalProperties: false`, every property required unless
/// serde leaves it out) and every property is described.
fn check_strict(path: &str, schema: &Value, problems: &mut Vec<String>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        if schema.get("additionalProperties") != Some(&Value::Bool(false)) {
            problems.push(format!("{path}: additionalProperties is not false"));
        }
        for (name, sub) in props {
            if sub.get("description").and_then(Value::as_str).is_none() {
                problems.push(format!("{path}.{name}: no description"));
            }
            check_strict(&format!("{path}.{name}"), sub, problems);
        }
    }
    if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
        for (name, sub) in defs {
            if sub.get("description").and_then(Value::as_str).is_none() {
                problems.push(format!("$defs.{name}: no description"));
            }
            check_strict(&format!("$defs.{name}"), sub, problems);
        }
    }
    if let Some(items) = schema.get("items") {
        check_strict(&format!("{path}[]"), items, problems);
    }
}

#[test]
fn every_object_is_closed_and_every_field_described() {
    let mut problems = Vec::new();
    check_strict("", &common::brief_schema(), &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_brief_using_every_field_is_valid() {
    let brief = common::sample_brief();
    let value = to_value(&brief);
    // every optional part is present, so a field missing from the schema would be caught by
    // additionalProperties: false
    assert!(value["period"].is_object());
    assert!(value["items"][0]["grouping"].is_object());
    common::assert_valid_brief(&value);
    // and the JSON reads back into the same brief
    let back: Brief = serde_json::from_value(value).unwrap();
    assert_eq!(back, brief);
}

#[test]
fn a_brief_without_items_period_or_grouping_is_valid() {
    let mut brief = common::sample_brief();
    brief.period = None;
    brief.items.clear();
    brief.skipped.clear();
    brief.models.translate_fr_en = None;
    common::assert_valid_brief(&to_value(&brief));

    let mut open = common::sample_brief();
    open.period.as_mut().unwrap().until = None;
    common::assert_valid_brief(&to_value(&open));
}

#[test]
fn broken_briefs_are_rejected_with_the_place_named() {
    let good = to_value(&common::sample_brief());
    type Breaker = fn(&mut Value);
    let cases: &[(&str, Breaker, &str)] = &[
        (
            "schema_version as a string",
            |b| b["schema_version"] = json!("2"),
            "/schema_version",
        ),
        (
            "an older schema_version",
            |b| b["schema_version"] = json!(1),
            "/schema_version",
        ),
        (
            "an unknown top-level field",
            |b| b["generated_at"] = json!("now"),
            "",
        ),
        (
            "an unknown item field",
            |b| b["items"][0]["score"] = json!(1.0),
            "/items/0",
        ),
        (
            "an unknown status",
            |b| b["items"][1]["en"]["status"] = json!("machine"),
            "/items/1/en/status",
        ),
        (
            "an unsupported language",
            |b| b["items"][0]["original_language"] = json!("de"),
            "/items/0/original_language",
        ),
        (
            "a date not in YYYY-MM-DD",
            |b| b["items"][0]["published"] = json!("10/11/2025"),
            "/items/0/published",
        ),
        (
            "a bad period date",
            |b| b["period"]["since"] = json!("2025-13-01"),
            "/period/since",
        ),
        (
            "a missing French title side",
            |b| {
                b["items"][0]["title"].as_object_mut().unwrap().remove("fr");
            },
            "/items/0/title",
        ),
        (
            "sentences that are strings",
            |b| b["items"][0]["sentences"] = json!(["one", "two"]),
            "/items/0/sentences/0",
        ),
        (
            "an item without sources",
            |b| b["items"][2]["sources"] = json!([]),
            "/items/2/sources",
        ),
        (
            "a source without its path",
            |b| {
                b["items"][1]["sources"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("path");
            },
            "/items/1/sources/0",
        ),
        (
            "a similarity as text",
            |b| b["items"][0]["grouping"]["links"][0]["similarity"] = json!("0.6"),
            "/items/0/grouping/links/0/similarity",
        ),
        (
            "a skipped file without reason",
            |b| b["skipped"][0] = json!({"path": "x.txt"}),
            "/skipped/0",
        ),
        (
            "models missing",
            |b| {
                b.as_object_mut().unwrap().remove("models");
            },
            "",
        ),
    ];
    common::assert_valid_brief(&good);
    for (what, break_it, place) in cases {
        let mut bad = good.clone();
        break_it(&mut bad);
        let errors = common::brief_schema_errors(&bad);
        assert!(!errors.is_empty(), "{what}: accepted");
        assert!(
            errors.iter().any(|e| e.starts_with(&format!("{place}:"))),
            "{what}: errors {errors:?} do not name {place:?}"
        );
        let caught = std::panic::catch_unwind(|| common::assert_valid_brief(&bad));
        assert!(caught.is_err(), "{what}: assert_valid_brief did not fail");
    }
}

#[test]
fn the_brief_json_the_binary_writes_is_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let brief = common::offline_brief(&tmp.path().join("out"));
    assert_eq!(brief["schema_version"], json!(SCHEMA_VERSION));
    assert!(!brief["items"].as_array().unwrap().is_empty());
    common::assert_valid_brief(&brief);
}
