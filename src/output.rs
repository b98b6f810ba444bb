//! Writing outputs safely: every file is written to a temporary file in the same folder and renamed into place,
//! so a reader (or a crash) never sees a half-written file.
use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

const TEMP_PREFIX: &str = ".tandem-";
const TEMP_SUFFIX: &str = ".tmp";

/// Writes `contents` to `path` atomically (temporary file + rename in the same folder).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    write_all_atomic(&[(path.to_path_buf(), contents.to_vec())])
}

/// Writes several files: every one is first written in full to a temporary file beside it, and only then are
/// they renamed into place, one after the other. A run killed while writing leaves the previous files whole.
pub fn write_all_atomic(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let mut ready = Vec::with_capacity(files.len());
    for (path, contents) in files {
        let dir = parent(path);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        // the target's name in the temporary's, so a writer can clean up its own files' leftovers only
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let prefix = format!("{TEMP_PREFIX}{name}-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(TEMP_SUFFIX);
        // 0666 less the umask, as any file a program creates (0644 under 022): briefs are meant to be shared,
        // and a temporary file's default 0600 would follow them into place.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
        tmp.write_all(contents).map_err(|e| Error::io(path, e))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
        ready.push((tmp, path));
    }
    let mut dirs: Vec<&Path> = Vec::new();
    for (tmp, path) in ready {
        tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
        if !dirs.contains(&parent(path)) {
            dirs.push(parent(path));
        }
    }
    // The renames are durable only once their folder is synced.
    #[cfg(unix)]
    for dir in dirs {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

/// Removes temporary files a killed run left in `dir` (a run cannot remove its own after `kill -9`).
/// Returns how many were removed. Only for a folder one run writes at a time; see
/// [`remove_stale_temporaries_of`] for a shared one.
pub fn remove_stale_temporaries(dir: &Path) -> Result<usize> {
    remove_matching(dir, |_| true)
}

/// Removes the temporaries a killed run left for the files named `targets` in `dir`, and no others: shards
/// writing into one folder at once each clean up only their own.
pub fn remove_stale_temporaries_of(dir: &Path, targets: &[String]) -> Result<usize> {
    remove_matching(dir, |rest| {
        targets.iter().any(|t| {
            rest.strip_prefix(t.as_str())
                .is_some_and(|r| r.starts_with('-'))
        })
    })
}

fn remove_matching(dir: &Path, of_target: impl Fn(&str) -> bool) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let temporary = name
            .strip_prefix(TEMP_PREFIX)
            .filter(|rest| name.ends_with(TEMP_SUFFIX) && of_target(rest));
        if temporary.is_some() {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Outputs get 0666 less the umask (0644 under the usual 022), not a temporary file's 0600.
    #[cfg(unix)]
    #[test]
    fn outputs_follow_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("brief.json");
        write_atomic(&path, b"{}").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // The test process's umask, read back from a file created the ordinary way.
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let expected = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "mode {mode:o}, umask gives {expected:o}");
    }

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.txt")]);
    }

    #[test]
    fn stale_temporaries_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".tandem-abc.tmp"), "half").unwrap();
        std::fs::write(dir.path().join("brief.json"), "{}").unwrap();
        assert_eq!(remove_stale_temporaries(dir.path()).unwrap(), 1);
        assert!(dir.path().join("brief.json").exists());
        assert!(!dir.path().join(".tandem-abc.tmp").exists());
    }

    #[test]
    fn a_writer_in_a_shared_folder_removes_only_its_own_files_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("shard-0-of-2.jsonl");
        // a temporary as write_all_atomic names it, left by a killed writer
        let left = tempfile::Builder::new()
            .prefix(".tandem-shard-0-of-2.jsonl-")
            .suffix(".tmp")
            .tempfile_in(dir.path())
            .unwrap()
            .into_temp_path()
            .keep()
            .unwrap();
        let other = dir.path().join(".tandem-shard-1-of-2.jsonl-xyz.tmp");
        std::fs::write(&other, "another shard, still writing").unwrap();
        let targets = [mine.file_name().unwrap().to_string_lossy().to_string()];
        assert_eq!(
            remove_stale_temporaries_of(dir.path(), &targets).unwrap(),
            1
        );
        assert!(!left.exists());
        assert!(other.exists());
        write_atomic(&mine, b"done").unwrap();
        assert_eq!(std::fs::read(&mine).unwrap(), b"done");
    }
}
