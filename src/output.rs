//! Writing outputs safely. A brief's files are published as one set: written in full into a fresh folder beside
//! the previous set, then switched in by one rename of the `latest` link, so a reader (or a crash) never sees a
//! half-written file, nor a new `brief.json` beside an old `brief.html`. Other outputs (shard files, translations)
//! are written file by file: each to a temporary beside it, then renamed into place.
//!
//! The layout of a folder [`publish_set`] writes (Unix; elsewhere the files are renamed one by one):
//!
//! ```text
//! out/brief.json  -> latest/brief.json      one stable link per file, made once
//! out/latest      -> .tandem-set-<unique>   switched by one rename when a new set is complete
//! out/.tandem-set-<unique>/brief.json …     the files of the last complete set
//! ```
use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

const TEMP_PREFIX: &str = ".tandem-";
const TEMP_SUFFIX: &str = ".tmp";
/// The folders that hold one set of files each; only the one `latest` points to is kept.
const SET_PREFIX: &str = ".tandem-set-";
/// The link in the output folder that names the folder of the last complete set.
pub const LATEST: &str = "latest";

/// Publishes `files` (file name, contents) in `dir` as one set: every file is written and synced into a fresh
/// folder `dir/.tandem-set-…`, each name in `dir` becomes (once) a link to `latest/<name>`, and the whole set
/// appears with one rename of the `latest` link, after which `dir` is synced and the previous set removed. A run
/// killed at any point leaves the previous set whole; the half-written set folder it may leave is removed by
/// [`remove_stale_temporaries`]. Plain files an older tandem wrote under these names are first moved into a set of
/// their own (each name then shows the same bytes as before), so even that first switch mixes nothing. Other
/// entries of `dir` are left alone. A reader that wants the files of one run reads them through `dir/latest/`
/// resolved once: a replaced set's folder is removed right after the switch, so such a reader may find a file
/// gone (and read again), but never a file of another run.
pub fn publish_set(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    for (name, _) in files {
        let plain = Path::new(name)
            .file_name()
            .is_some_and(|n| n == name.as_str());
        if !plain || name == LATEST || name.starts_with(TEMP_PREFIX) {
            return Err(Error::io(
                dir.join(name),
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a name an output file of a set can have",
                ),
            ));
        }
    }
    #[cfg(unix)]
    {
        sets::publish(dir, files)
    }
    #[cfg(not(unix))]
    {
        let files: Vec<(PathBuf, Vec<u8>)> = files
            .iter()
            .map(|(name, contents)| (dir.join(name), contents.clone()))
            .collect();
        write_all_atomic(&files)
    }
}

/// Writes `contents` to `path` atomically (temporary file + rename in the same folder).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    write_all_atomic(&[(path.to_path_buf(), contents.to_vec())])
}

/// Writes several files: every one is first written in full to a temporary file beside it, and only then are
/// they renamed into place, one after the other. A run killed while writing leaves no half-written file, but may
/// leave some files new and others old: for files that belong together use [`publish_set`].
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

/// Removes temporary files a killed run left in `dir` (a run cannot remove its own after `kill -9`), and set
/// folders other than the one `latest` points to. Returns how many were removed. Only for a folder one run writes
/// at a time; see [`remove_stale_temporaries_of`] for a shared one.
pub fn remove_stale_temporaries(dir: &Path) -> Result<usize> {
    let removed = remove_matching(dir, |_| true)?;
    #[cfg(unix)]
    let removed = removed + sets::remove_stale_sets(dir)?;
    Ok(removed)
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

/// The set folders and links of [`publish_set`].
#[cfg(unix)]
mod sets {
    use super::{LATEST, SET_PREFIX, TEMP_PREFIX, TEMP_SUFFIX};
    use crate::{Error, Result};
    use std::io::{ErrorKind, Write};
    use std::os::unix::fs::symlink;
    use std::path::Path;

    pub(super) fn publish(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        let previous = adopt_plain_files(dir, &names)?;
        let set = stage(dir, files)?;
        switch(dir, &set)?;
        if let Some(old) = previous {
            remove_set(dir, &old);
        }
        Ok(())
    }

    /// Writes `files` into a fresh set folder and makes each name's link; returns the folder's name. Nothing a
    /// reader sees changes until [`switch`].
    pub(super) fn stage(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<String> {
        let set = new_set_dir(dir)?;
        let written = (|| {
            let folder = dir.join(&set);
            for (name, contents) in files {
                let path = folder.join(name);
                // created the ordinary way: 0666 less the umask, as the briefs are meant to be shared
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .map_err(|e| Error::io(&path, e))?;
                f.write_all(contents).map_err(|e| Error::io(&path, e))?;
                f.sync_all().map_err(|e| Error::io(&path, e))?;
            }
            sync(&folder)?;
            for (name, _) in files {
                link(dir, name)?;
            }
            Ok(())
        })();
        match written {
            Ok(()) => Ok(set),
            Err(e) => {
                remove_set(dir, &set);
                Err(e)
            }
        }
    }

    /// Points `latest` at the set folder `set` with one rename, and syncs `dir`.
    pub(super) fn switch(dir: &Path, set: &str) -> Result<()> {
        let latest = dir.join(LATEST);
        let tmp = dir.join(unique_name(&format!("{TEMP_PREFIX}{LATEST}-"), TEMP_SUFFIX));
        symlink(set, &tmp).map_err(|e| Error::io(&tmp, e))?;
        if let Err(e) = std::fs::rename(&tmp, &latest) {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(&latest, e));
        }
        sync(dir)
    }

    /// Removes the set folders `latest` does not point to; returns how many.
    pub(super) fn remove_stale_sets(dir: &Path) -> Result<usize> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(0);
        };
        let kept = latest_target(dir);
        if kept.is_none() && std::fs::symlink_metadata(dir.join(LATEST)).is_ok() {
            // `latest` is something else than tandem's link: no folder here can be told stale
            return Ok(0);
        }
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let is_set = name.starts_with(SET_PREFIX)
                && entry.file_type().is_ok_and(|t| t.is_dir())
                && kept.as_deref() != Some(name.as_str());
            if is_set {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The set folder `latest` names, if it is tandem's link to one.
    fn latest_target(dir: &Path) -> Option<String> {
        let target = std::fs::read_link(dir.join(LATEST)).ok()?;
        let name = target.to_str()?;
        (name.starts_with(SET_PREFIX) && !name.contains('/')).then(|| name.to_string())
    }

    /// The set folder readers see now: `None` before the first set (or when it has gone); an error when `latest`
    /// is something else than tandem's link.
    fn current_set(dir: &Path) -> Result<Option<String>> {
        let latest = dir.join(LATEST);
        match std::fs::symlink_metadata(&latest) {
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&latest, e)),
            Ok(_) => {}
        }
        let set = latest_target(dir).ok_or_else(|| in_the_way(&latest))?;
        Ok(dir.join(&set).is_dir().then_some(set))
    }

    /// Moves plain files an older tandem left under `names` into a set of their own (with what the links show
    /// of the current set for the other names) and replaces each by its link; returns the current set after.
    pub(super) fn adopt_plain_files(dir: &Path, names: &[&str]) -> Result<Option<String>> {
        let previous = current_set(dir)?;
        let plain: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| std::fs::symlink_metadata(dir.join(n)).is_ok_and(|m| m.is_file()))
            .collect();
        if plain.is_empty() {
            return Ok(previous);
        }
        let set = new_set_dir(dir)?;
        let folder = dir.join(&set);
        for name in names {
            let from = if plain.contains(name) {
                dir.join(name)
            } else if let Some(p) = &previous {
                dir.join(p).join(name)
            } else {
                continue;
            };
            if !from.is_file() {
                continue;
            }
            let to = folder.join(name);
            std::fs::copy(&from, &to).map_err(|e| Error::io(&to, e))?;
            std::fs::File::open(&to)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&to, e))?;
        }
        sync(&folder)?;
        switch(dir, &set)?;
        for name in &plain {
            link(dir, name)?;
        }
        sync(dir)?;
        if let Some(p) = previous {
            remove_set(dir, &p);
        }
        Ok(Some(set))
    }

    /// Makes `dir/name` the link `latest/name` (one rename over whatever link or file had the name).
    fn link(dir: &Path, name: &str) -> Result<()> {
        let path = dir.join(name);
        let target = Path::new(LATEST).join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(m)
                if m.file_type().is_symlink()
                    && std::fs::read_link(&path).is_ok_and(|t| t == target) =>
            {
                return Ok(());
            }
            Ok(m) if !m.file_type().is_symlink() && m.is_dir() => return Err(in_the_way(&path)),
            _ => {}
        }
        let tmp = dir.join(unique_name(&format!("{TEMP_PREFIX}{name}-"), TEMP_SUFFIX));
        symlink(&target, &tmp).map_err(|e| Error::io(&tmp, e))?;
        if let Err(e) = std::fs::rename(&tmp, &path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(&path, e));
        }
        Ok(())
    }

    fn new_set_dir(dir: &Path) -> Result<String> {
        loop {
            let name = unique_name(SET_PREFIX, "");
            let path = dir.join(&name);
            // 0777 less the umask, as any folder a program creates
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(name),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
    }

    /// Removes a set folder no reader is sent to any more; a failure only leaves it for the next run's cleanup.
    fn remove_set(dir: &Path, set: &str) {
        let path = dir.join(set);
        if let Err(e) = std::fs::remove_dir_all(&path) {
            tracing::warn!(
                "could not remove the replaced outputs {}: {e}",
                path.display()
            );
        }
    }

    fn unique_name(prefix: &str, suffix: &str) -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        format!("{prefix}{}-{nanos:x}-{n}{suffix}", std::process::id())
    }

    fn sync(dir: &Path) -> Result<()> {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))
    }

    fn in_the_way(path: &Path) -> Error {
        Error::Usage(format!(
            "{} is in the way: tandem keeps this name in its output folder for the link to its last complete \
             outputs; move it away or choose another --out",
            path.display()
        ))
    }
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
    /// The five files of a brief, each saying which run wrote it.
    fn brief_set(run: &str) -> Vec<(String, Vec<u8>)> {
        [
            "brief.json",
            "brief.en.md",
            "brief.fr.md",
            "brief.html",
            "report.json",
        ]
        .iter()
        .map(|n| (n.to_string(), format!("{n} of {run}").into_bytes()))
        .collect()
    }

    /// What a reader of `dir/<name>` gets for each file of a brief.
    fn read_set(dir: &Path) -> Vec<String> {
        brief_set("")
            .iter()
            .map(|(n, _)| std::fs::read_to_string(dir.join(n)).unwrap_or_default())
            .collect()
    }

    fn runs_seen(dir: &Path) -> Vec<String> {
        read_set(dir)
            .iter()
            .map(|t| t.split(" of ").nth(1).unwrap_or("").to_string())
            .collect()
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn a_set_appears_with_one_switch_of_the_latest_link() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        publish_set(&out, &brief_set("run 1")).unwrap();
        publish_set(&out, &brief_set("run 2")).unwrap();
        assert_eq!(runs_seen(&out), vec!["run 2"; 5]);
        // every name is a link through `latest`, which names the one set folder left
        for (name, _) in brief_set("") {
            let link = std::fs::read_link(out.join(&name)).unwrap();
            assert_eq!(link, Path::new(LATEST).join(&name));
        }
        let set = std::fs::read_link(out.join(LATEST)).unwrap();
        let set = set.to_str().unwrap();
        assert!(set.starts_with(SET_PREFIX), "{set}");
        let mut expected: Vec<String> = brief_set("").into_iter().map(|(n, _)| n).collect();
        expected.push(LATEST.to_string());
        expected.push(set.to_string());
        expected.sort();
        assert_eq!(names_in(&out), expected, "one set, no temporaries");
        assert_eq!(runs_seen(&out.join(set)), vec!["run 2"; 5]);
    }

    #[cfg(unix)]
    #[test]
    fn a_run_killed_before_the_switch_leaves_the_previous_set_and_the_next_run_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        publish_set(&out, &brief_set("run 1")).unwrap();
        // run 2 wrote its whole set, then was killed before switching to it
        let staged = sets::stage(&out, &brief_set("run 2")).unwrap();
        assert_eq!(runs_seen(&out), vec!["run 1"; 5]);
        assert_eq!(remove_stale_temporaries(&out).unwrap(), 1);
        assert!(!out.join(&staged).exists());
        assert_eq!(runs_seen(&out), vec!["run 1"; 5]);
        publish_set(&out, &brief_set("run 3")).unwrap();
        assert_eq!(runs_seen(&out), vec!["run 3"; 5]);
    }

    #[cfg(unix)]
    #[test]
    fn plain_files_an_older_tandem_wrote_are_replaced_as_one_set() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for (name, contents) in brief_set("old run") {
            std::fs::write(out.join(name), contents).unwrap();
        }
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        // moving the plain files aside shows the same bytes under every name…
        assert!(sets::adopt_plain_files(out, &["brief.json", "brief.html"])
            .unwrap()
            .is_some());
        assert_eq!(runs_seen(out), vec!["old run"; 5]);
        // …and the new run replaces them all at once
        publish_set(out, &brief_set("new run")).unwrap();
        assert_eq!(runs_seen(out), vec!["new run"; 5]);
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_named_latest_in_the_way_is_an_error_that_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(LATEST)).unwrap();
        let err = publish_set(dir.path(), &brief_set("run")).unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{err}");
        assert!(err.to_string().contains("move it away"), "{err}");
        assert!(dir.path().join(LATEST).is_dir());
    }

    /// A reader that reads the five files through `latest/` resolved once gets them all from one run, while runs
    /// replace the set as fast as they can.
    #[cfg(unix)]
    #[test]
    fn readers_of_latest_never_see_two_runs_mixed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        publish_set(&out, &brief_set("run 0")).unwrap();
        let writer = {
            let out = out.clone();
            std::thread::spawn(move || {
                for run in 1..=40 {
                    publish_set(&out, &brief_set(&format!("run {run}"))).unwrap();
                }
            })
        };
        // The runs whose files one read through `latest/` found, or None when the read could not be whole (the set
        // was replaced and removed while being read: read again).
        let read_once = || -> Option<std::collections::BTreeSet<String>> {
            let set = std::fs::canonicalize(out.join(LATEST)).ok()?;
            brief_set("")
                .iter()
                .map(|(n, _)| {
                    let text = std::fs::read_to_string(set.join(n)).ok()?;
                    Some(text.split(" of ").nth(1)?.to_string())
                })
                .collect()
        };
        let mut whole_reads = 0;
        loop {
            let last = writer.is_finished();
            if let Some(runs) = read_once() {
                assert_eq!(runs.len(), 1, "files of several runs in one set: {runs:?}");
                whole_reads += 1;
            }
            if last {
                break;
            }
        }
        assert!(
            whole_reads > 0,
            "no whole set could be read through {LATEST}/"
        );
        writer.join().unwrap();
        assert_eq!(runs_seen(&out), vec!["run 40"; 5]);
    }

    /// A set's files get 0666 less the umask, as the files written one by one.
    #[cfg(unix)]
    #[test]
    fn a_set_follows_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        publish_set(dir.path(), &brief_set("run")).unwrap();
        let mode = std::fs::metadata(dir.path().join("brief.json"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let expected = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected, "mode {mode:o}, umask gives {expected:o}");
    }
}
