//! The incremental cache: model outputs in SQLite, so a re-run sends only new or changed text to the models.
//!
//! An entry's key is the SHA-256 of (stage, model fingerprint, settings, input text). The fingerprint is the
//! SHA-256 of the model's weights, config, generation config and tokenizer files, so a result is never served
//! for another model or other settings. Entries are written in transactions: a crash (even `kill -9`) leaves
//! whole entries or none. Fingerprints are remembered by (file, size, modification time) so the weights are
//! hashed once, not on every run.
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File name of the cache database inside the cache folder.
pub const FILE_NAME: &str = "tandem-cache.sqlite3";

/// Bumped when the meaning of stored entries changes; older entries are then never served.
const FORMAT: u32 = 1;

/// Files of a model folder that decide what it generates.
const MODEL_FILES: [&str; 10] = [
    "model.safetensors",
    "config.json",
    "generation_config.json",
    "vocab.json",
    "source.spm",
    "target.spm",
    "merges.txt",
    // What `models::tokenizer` loads besides: the converted tokenizers and transformers' tokenizer settings.
    "source.tokenizer.json",
    "tokenizer.json",
    "tokenizer_config.json",
];

/// The default cache folder: `$XDG_CACHE_HOME/tandem`, else `~/.cache/tandem`.
pub fn default_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(|v| PathBuf::from(v).join("tandem"))
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("tandem"))
        })
}

/// What a stage's results depend on, besides the input text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageKey {
    /// The stage, e.g. `translate-fr-en`.
    pub stage: String,
    /// The model's fingerprint ([`Cache::fingerprint`]).
    pub model: String,
    /// Every setting that changes the output (engine, decoding settings, input budget), as text.
    pub settings: String,
}

impl StageKey {
    fn entry_key(&self, input: &str) -> String {
        let mut h = Sha256::new();
        for part in [
            FORMAT.to_string().as_str(),
            &self.stage,
            &self.model,
            &self.settings,
            input,
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        hex(&h.finalize())
    }
}

/// Counts of what the cache holds, per stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub path: PathBuf,
    pub bytes: u64,
    pub stages: Vec<StageStats>,
}

/// Entries of one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageStats {
    pub stage: String,
    pub entries: u64,
    /// Distinct model fingerprints among them.
    pub models: u64,
    /// Bytes of stored output text.
    pub output_bytes: u64,
}

/// An open cache, or none (`--no-cache`): then every lookup misses and nothing is stored.
pub struct Cache {
    conn: Option<Connection>,
    path: Option<PathBuf>,
}

impl Cache {
    /// Opens (or creates) the cache in `dir`.
    pub fn open(dir: &Path) -> Result<Cache> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(FILE_NAME);
        let fail = |e: rusqlite::Error| {
            Error::Cache(format!(
                "cache {}: {e}; run `tandem cache clear` or pass --no-cache",
                path.display()
            ))
        };
        let conn = Connection::open(&path).map_err(fail)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(fail)?;
        // WAL: readers never block the writer, and a killed writer's last transaction is rolled back.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(fail)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS entries (
                 key TEXT PRIMARY KEY,
                 stage TEXT NOT NULL,
                 model TEXT NOT NULL,
                 output TEXT NOT NULL
             );
             DROP TABLE IF EXISTS fingerprints;
             CREATE TABLE IF NOT EXISTS file_hashes (
                 path TEXT NOT NULL,
                 size INTEGER NOT NULL,
                 mtime_ns INTEGER NOT NULL,
                 inode INTEGER NOT NULL,
                 ctime_ns INTEGER NOT NULL,
                 sha256 TEXT NOT NULL,
                 PRIMARY KEY (path, size, mtime_ns, inode, ctime_ns)
             );",
        )
        .map_err(fail)?;
        Ok(Cache {
            conn: Some(conn),
            path: Some(path),
        })
    }

    /// A cache that holds nothing.
    pub fn disabled() -> Cache {
        Cache {
            conn: None,
            path: None,
        }
    }

    /// The database file, when the cache is enabled.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn db_err(&self, e: rusqlite::Error) -> Error {
        Error::Cache(format!(
            "cache {}: {e}; run `tandem cache clear` or pass --no-cache",
            self.path
                .as_deref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ))
    }

    /// The fingerprint of the model in `dir`: SHA-256 over the files that decide its output.
    pub fn fingerprint(&self, dir: &Path) -> Result<String> {
        let mut h = Sha256::new();
        for name in MODEL_FILES {
            let path = dir.join(name);
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            h.update(name.as_bytes());
            h.update(self.file_sha256(&path, &meta)?.as_bytes());
        }
        Ok(hex(&h.finalize()))
    }

    fn file_sha256(&self, path: &Path, meta: &std::fs::Metadata) -> Result<String> {
        let size = meta.len() as i64;
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64);
        // A file rewritten in place with its old size and mtime (`cp -p`, `rsync -t`, tar) still gets a new
        // change time, and one replaced by a rename a new inode: either means hashing it again.
        #[cfg(unix)]
        let (inode, ctime_ns) = {
            use std::os::unix::fs::MetadataExt;
            (
                meta.ino() as i64,
                meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
            )
        };
        #[cfg(not(unix))]
        let (inode, ctime_ns) = (0i64, 0i64);
        let abs = path.canonicalize().map_err(|e| Error::io(path, e))?;
        let abs_text = abs.display().to_string();
        if let Some(conn) = &self.conn {
            let known: Option<String> = conn
                .query_row(
                    "SELECT sha256 FROM file_hashes WHERE path = ?1 AND size = ?2 AND mtime_ns = ?3 \
                     AND inode = ?4 AND ctime_ns = ?5",
                    params![abs_text, size, mtime_ns, inode, ctime_ns],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.db_err(e))?;
            if let Some(sha) = known {
                return Ok(sha);
            }
        }
        let sha = crate::models::sha256_file(path)?;
        if let Some(conn) = &self.conn {
            conn.execute(
                "INSERT OR REPLACE INTO file_hashes (path, size, mtime_ns, inode, ctime_ns, sha256) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![abs_text, size, mtime_ns, inode, ctime_ns, sha],
            )
            .map_err(|e| self.db_err(e))?;
        }
        Ok(sha)
    }

    /// The stored output for each input (`None` where there is none).
    pub fn get_many(&self, key: &StageKey, inputs: &[String]) -> Result<Vec<Option<String>>> {
        let Some(conn) = &self.conn else {
            return Ok(vec![None; inputs.len()]);
        };
        let mut stmt = conn
            .prepare_cached("SELECT output FROM entries WHERE key = ?1")
            .map_err(|e| self.db_err(e))?;
        inputs
            .iter()
            .map(|input| {
                stmt.query_row([key.entry_key(input)], |r| r.get(0))
                    .optional()
                    .map_err(|e| self.db_err(e))
            })
            .collect()
    }

    /// Stores `(input, output)` pairs in one transaction: all of them or, after a crash, none.
    pub fn put_many(&mut self, key: &StageKey, pairs: &[(&str, &str)]) -> Result<()> {
        let Some(conn) = &mut self.conn else {
            return Ok(());
        };
        let result = (|| {
            let tx = conn.transaction()?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT OR REPLACE INTO entries (key, stage, model, output) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (input, output) in pairs {
                    stmt.execute(params![key.entry_key(input), key.stage, key.model, output])?;
                }
            }
            tx.commit()
        })();
        result.map_err(|e| self.db_err(e))
    }

    /// What the cache holds.
    pub fn stats(&self) -> Result<Option<Stats>> {
        let (Some(conn), Some(path)) = (&self.conn, &self.path) else {
            return Ok(None);
        };
        let mut stmt = conn
            .prepare(
                "SELECT stage, COUNT(*), COUNT(DISTINCT model), COALESCE(SUM(LENGTH(CAST(output AS BLOB))), 0)
                 FROM entries GROUP BY stage ORDER BY stage",
            )
            .map_err(|e| self.db_err(e))?;
        let stages = stmt
            .query_map([], |r| {
                Ok(StageStats {
                    stage: r.get(0)?,
                    entries: r.get::<_, i64>(1)? as u64,
                    models: r.get::<_, i64>(2)? as u64,
                    output_bytes: r.get::<_, i64>(3)? as u64,
                })
            })
            .and_then(|rows| rows.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| self.db_err(e))?;
        let bytes = ["", "-wal", "-shm"]
            .iter()
            .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
            .map(|m| m.len())
            .sum();
        Ok(Some(Stats {
            path: path.clone(),
            bytes,
            stages,
        }))
    }

    /// Deletes every entry and remembered fingerprint; returns how many entries there were.
    pub fn clear(&mut self) -> Result<u64> {
        let Some(conn) = &self.conn else {
            return Ok(0);
        };
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
            .map_err(|e| self.db_err(e))?;
        conn.execute_batch("DELETE FROM entries; DELETE FROM file_hashes; VACUUM;")
            .map_err(|e| self.db_err(e))?;
        Ok(n as u64)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(stage: &str, model: &str, settings: &str) -> StageKey {
        StageKey {
            stage: stage.into(),
            model: model.into(),
            settings: settings.into(),
        }
    }

    #[test]
    fn stores_and_serves_only_for_the_same_stage_model_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path()).unwrap();
        let k = key("translate-fr-en", "m1", "beams=4");
        cache
            .put_many(&k, &[("Bonjour.", "Hello."), ("Merci.", "Thanks.")])
            .unwrap();
        let inputs = vec!["Merci.".to_string(), "Salut.".to_string()];
        assert_eq!(
            cache.get_many(&k, &inputs).unwrap(),
            vec![Some("Thanks.".to_string()), None]
        );
        for other in [
            key("translate-en-fr", "m1", "beams=4"),
            key("translate-fr-en", "m2", "beams=4"),
            key("translate-fr-en", "m1", "beams=1"),
        ] {
            assert_eq!(cache.get_many(&other, &inputs).unwrap(), vec![None, None]);
        }
        // survives reopening
        drop(cache);
        let mut cache = Cache::open(dir.path()).unwrap();
        assert_eq!(
            cache.get_many(&k, &inputs[..1]).unwrap(),
            vec![Some("Thanks.".to_string())]
        );
        let stats = cache.stats().unwrap().unwrap();
        assert_eq!(stats.stages.len(), 1);
        assert_eq!((stats.stages[0].entries, stats.stages[0].models), (2, 1));
        assert_eq!(cache.clear().unwrap(), 2);
        assert_eq!(cache.get_many(&k, &inputs[..1]).unwrap(), vec![None]);
    }

    #[test]
    fn key_parts_cannot_run_into_each_other() {
        assert_ne!(
            key("a", "bc", "").entry_key("x"),
            key("ab", "c", "").entry_key("x")
        );
    }

    #[test]
    fn fingerprint_changes_with_any_byte_of_the_weights() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache")).unwrap();
        let model = dir.path().join("model");
        std::fs::create_dir_all(&model).unwrap();
        std::fs::write(model.join("config.json"), "{}").unwrap();
        std::fs::write(model.join("model.safetensors"), [1u8, 2, 3]).unwrap();
        let a = cache.fingerprint(&model).unwrap();
        assert_eq!(a, cache.fingerprint(&model).unwrap());
        // same size, different content, and a different modification time
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(model.join("model.safetensors"), [1u8, 2, 4]).unwrap();
        assert_ne!(a, cache.fingerprint(&model).unwrap());
    }

    /// Weights replaced by a same-size file with the old modification time kept (`cp -p`, `rsync -t`, tar):
    /// rewritten in place (new change time) or renamed over (new inode), the fingerprint follows the content.
    #[test]
    fn fingerprint_follows_weights_replaced_with_their_mtime_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::open(&dir.path().join("cache")).unwrap();
        let model = dir.path().join("model");
        std::fs::create_dir_all(&model).unwrap();
        let weights = model.join("model.safetensors");
        std::fs::write(&weights, [1u8, 2, 3]).unwrap();
        let mtime = std::fs::metadata(&weights).unwrap().modified().unwrap();
        let first = cache.fingerprint(&model).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        // In place, then the old mtime restored.
        std::fs::write(&weights, [9u8, 9, 9]).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&weights)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_eq!(
            std::fs::metadata(&weights).unwrap().modified().unwrap(),
            mtime
        );
        let second = cache.fingerprint(&model).unwrap();
        assert_ne!(
            first, second,
            "rewritten in place with the same size and mtime"
        );
        // A new file with the same size and mtime renamed over it.
        let other = dir.path().join("other");
        std::fs::write(&other, [1u8, 2, 3]).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&other)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        std::fs::rename(&other, &weights).unwrap();
        assert_eq!(
            cache.fingerprint(&model).unwrap(),
            first,
            "the first content again"
        );
    }

    #[test]
    fn disabled_cache_misses_and_stores_nothing() {
        let mut cache = Cache::disabled();
        let k = key("s", "m", "");
        cache.put_many(&k, &[("a", "b")]).unwrap();
        assert_eq!(cache.get_many(&k, &["a".into()]).unwrap(), vec![None]);
        assert!(cache.stats().unwrap().is_none());
    }
}
