//! Helpers shared by the integration tests: the tiny fixture models, imported through the same code as real ones.
#![allow(dead_code)]
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

/// Imports the fixture models of `roles` into `models_dir`, as `tandem models import` would.
pub fn import_roles(models_dir: &Path, roles: &[Role]) {
    let manifest = Manifest::builtin();
    for &role in roles {
        let spec = manifest.spec(role).unwrap();
        tandem::models::import::import_hf(
            &hf_fixture(role),
            spec.architecture,
            &models_dir.join(&spec.dir),
            None,
        )
        .unwrap();
    }
}

/// Where `role` lives under `models_dir`.
pub fn role_path(models_dir: &Path, role: Role) -> PathBuf {
    models_dir.join(&Manifest::builtin().spec(role).unwrap().dir)
}
