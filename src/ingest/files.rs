//! Reading one file of an articles folder without trusting it: symlinks are followed by hand (so a loop or a
//! dangling link is named, not hit), only regular files are opened (a FIFO would block the run forever), and
//! nothing over the size limit is read into memory.
use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Symlinks followed in a row before giving up (the kernel's own limit is 40).
const MAX_SYMLINK_HOPS: usize = 32;

/// The bytes of `path` when it is, or links to, a regular file of at most `max_bytes`; else a one-line reason.
pub fn read_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    let meta = resolve(path)?;
    check_type(&meta)?;
    if meta.len() > max_bytes {
        return Err(too_large(meta.len(), max_bytes));
    }
    let file = fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    // The file may have grown since it was measured.
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(bytes.len() as u64, max_bytes));
    }
    Ok(bytes)
}

/// Whether anything (a file, a directory, a link, even a dangling one) is at `path`.
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Why a text of `len` bytes is refused with the limit `max`.
pub fn too_large(len: u64, max: u64) -> String {
    format!(
        "too large for one article: {} is over the {} limit (max_article_bytes); raise it with --max-article-bytes if this really is one article",
        human_size(len),
        human_size(max)
    )
}

/// `5.2 MB`, `812 KB`, `17 bytes` (decimal units, as file managers show them).
pub fn human_size(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else if n >= 1_000 {
        format!("{} KB", n / 1_000)
    } else {
        format!("{n} bytes")
    }
}

/// The metadata of what `path` finally points to, following symlinks one by one.
fn resolve(path: &Path) -> Result<fs::Metadata, String> {
    let mut current = normalize(path);
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut chain = vec![name(path)];
    for _ in 0..MAX_SYMLINK_HOPS {
        let meta = fs::symlink_metadata(&current).map_err(|e| match chain.len() {
            1 => format!("cannot read: {e}"),
            _ => format!("cannot follow symlink {}: {e}", chain.join(" → ")),
        })?;
        if !meta.file_type().is_symlink() {
            return Ok(meta);
        }
        if !seen.insert(current.clone()) {
            return Err(format!(
                "symlink loop: {}; the link never reaches a file",
                chain.join(" → ")
            ));
        }
        let target = fs::read_link(&current).map_err(|e| format!("cannot read symlink: {e}"))?;
        chain.push(target.display().to_string());
        let next = match current.parent() {
            Some(parent) if target.is_relative() => normalize(&parent.join(&target)),
            _ => normalize(&target),
        };
        if !exists(&next) {
            return Err(format!(
                "broken symlink: points to {}, which does not exist",
                target.display()
            ));
        }
        current = next;
    }
    Err(format!(
        "symlink loop: more than {MAX_SYMLINK_HOPS} links followed ({} …)",
        chain[..3.min(chain.len())].join(" → ")
    ))
}

fn check_type(meta: &fs::Metadata) -> Result<(), String> {
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    if kind.is_dir() {
        return Err("a directory, not a file (its name looks like an article's)".to_string());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Err(
                "a named pipe (FIFO), not a regular file; not opened, since reading it could block the run"
                    .to_string(),
            );
        }
        if kind.is_socket() {
            return Err("a socket, not a regular file".to_string());
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Err("a device file, not a regular file; not opened".to_string());
        }
    }
    Err("not a regular file".to_string())
}

/// `a/./b` → `a/b`, `a/x/../b` → `a/b`: enough to recognise a path seen before (a link chain that leaves
/// through a symlinked folder and comes back ends at the hop limit instead).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(5_242_880), "5.2 MB");
        assert_eq!(human_size(2_000_000), "2.0 MB");
        assert_eq!(human_size(812_400), "812 KB");
        assert_eq!(human_size(17), "17 bytes");
    }

    #[test]
    fn normalize_drops_dots() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.txt")),
            PathBuf::from("a/c.txt")
        );
    }

    #[test]
    fn size_limit_is_checked_before_reading() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("a.txt");
        fs::write(&p, vec![b'a'; 2_000]).unwrap();
        assert_eq!(read_limited(&p, 2_000).unwrap().len(), 2_000);
        let err = read_limited(&p, 1_999).unwrap_err();
        assert!(
            err.starts_with("too large for one article: 2 KB is over the 1 KB limit"),
            "{err}"
        );
    }
}
