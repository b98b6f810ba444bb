//! The model manifest (`models/models.toml`, compiled into the binary): the three roles, and where each one's
//! files are expected under the models folder. Also reports whether a role is installed.
use crate::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The manifest shipped with tandem.
pub const BUILTIN_MANIFEST: &str = include_str!("../../models/models.toml");

/// What a model role does in the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Marian French → English.
    TranslateFrEn,
    /// Marian English → French.
    TranslateEnFr,
    /// BART summarizer of English text.
    SummarizeEn,
}

impl Role {
    /// All roles, in pipeline order.
    pub const ALL: [Role; 3] = [Role::TranslateFrEn, Role::SummarizeEn, Role::TranslateEnFr];

    /// The role's name as written in the manifest and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Role::TranslateFrEn => "translate-fr-en",
            Role::TranslateEnFr => "translate-en-fr",
            Role::SummarizeEn => "summarize-en",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Model architectures tandem can load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    Marian,
    Bart,
}

/// One `[[model]]` entry of the manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelSpec {
    pub role: String,
    pub architecture: Architecture,
    pub dir: String,
    pub repo: String,
    pub revision: String,
    pub license: String,
    pub files: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct ManifestFile {
    model: Vec<ModelSpec>,
}

/// The parsed manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub models: Vec<ModelSpec>,
}

impl Manifest {
    /// The manifest compiled into tandem.
    pub fn builtin() -> Manifest {
        // The built-in manifest is checked by a unit test; parsing it cannot fail at run time.
        Self::parse(BUILTIN_MANIFEST).unwrap_or(Manifest { models: Vec::new() })
    }

    /// Parses manifest text and checks that every role appears exactly once.
    pub fn parse(text: &str) -> Result<Manifest> {
        let file: ManifestFile =
            toml::from_str(text).map_err(|e| Error::Manifest(e.to_string()))?;
        for role in Role::ALL {
            let n = file.model.iter().filter(|m| m.role == role.name()).count();
            if n != 1 {
                return Err(Error::Manifest(format!(
                    "role `{role}` must appear exactly once, found {n} times"
                )));
            }
        }
        if let Some(m) = file.model.iter().find(|m| Role::parse(&m.role).is_none()) {
            return Err(Error::Manifest(format!("unknown role `{}`", m.role)));
        }
        Ok(Manifest { models: file.model })
    }

    /// The entry of `role`.
    pub fn spec(&self, role: Role) -> Result<&ModelSpec> {
        self.models
            .iter()
            .find(|m| m.role == role.name())
            .ok_or_else(|| Error::Manifest(format!("no entry for role `{role}`")))
    }
}

/// Where a role stands on this machine.
#[derive(Debug, Clone)]
pub struct ModelStatus {
    pub role: Role,
    pub spec: ModelSpec,
    /// The role's folder.
    pub path: PathBuf,
    /// Required files that are not there.
    pub missing: Vec<String>,
    /// Total size in bytes of the files present.
    pub size_bytes: u64,
}

impl ModelStatus {
    /// True when every required file is present.
    pub fn installed(&self) -> bool {
        self.missing.is_empty()
    }

    /// The command that installs this role.
    pub fn install_command(&self) -> String {
        format!("scripts/fetch-models.sh {}", self.role)
    }

    /// One paragraph saying what is missing and how to fix it.
    pub fn missing_message(&self) -> String {
        format!(
            "model `{}` ({}) is not installed: {} missing in {}. Install it on a machine with internet with \
             `{}` (downloads {} and converts it with `tandem models import`), or import a local Hugging Face \
             checkpoint with `tandem models import <dir> --role {}`.",
            self.role,
            self.spec.repo,
            self.missing.join(", "),
            self.path.display(),
            self.install_command(),
            self.spec.repo,
            self.role
        )
    }
}

/// Checks which files of `role` are present under `models_dir`.
pub fn status(manifest: &Manifest, models_dir: &Path, role: Role) -> Result<ModelStatus> {
    let spec = manifest.spec(role)?.clone();
    let path = models_dir.join(&spec.dir);
    let mut missing = Vec::new();
    let mut size_bytes = 0;
    for file in &spec.files {
        match std::fs::metadata(path.join(file)) {
            Ok(meta) if meta.is_file() => size_bytes += meta.len(),
            _ => missing.push(file.clone()),
        }
    }
    Ok(ModelStatus {
        role,
        spec,
        path,
        missing,
        size_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_names_the_three_roles() {
        let m = Manifest::parse(BUILTIN_MANIFEST).unwrap();
        assert_eq!(
            m.spec(Role::TranslateFrEn).unwrap().repo,
            "Helsinki-NLP/opus-mt-fr-en"
        );
        assert_eq!(
            m.spec(Role::TranslateEnFr).unwrap().repo,
            "Helsinki-NLP/opus-mt-en-fr"
        );
        assert_eq!(
            m.spec(Role::SummarizeEn).unwrap().architecture,
            Architecture::Bart
        );
    }

    #[test]
    fn duplicate_or_missing_roles_are_rejected() {
        let one = "[[model]]\nrole = \"summarize-en\"\narchitecture = \"bart\"\ndir = \"x\"\nrepo = \"r\"\nrevision = \"main\"\nlicense = \"l\"\nfiles = []\n";
        let err = Manifest::parse(one).unwrap_err().to_string();
        assert!(err.contains("translate-fr-en"), "{err}");
    }

    #[test]
    fn status_lists_missing_files_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let m = Manifest::builtin();
        let st = status(&m, dir.path(), Role::SummarizeEn).unwrap();
        assert!(!st.installed());
        assert_eq!(st.missing.len(), 4);
        let msg = st.missing_message();
        assert!(
            msg.contains("scripts/fetch-models.sh summarize-en"),
            "{msg}"
        );
        assert!(msg.contains("model.safetensors"), "{msg}");
    }
}
