//! Capability confinement: every guest path is resolved relative to an
//! open directory handle, one component at a time, by this module, and
//! never by the host kernel.
//!
//! The walk holds a file descriptor for each directory it has entered
//! (opened with `O_PATH | O_DIRECTORY | O_NOFOLLOW`, so the kernel never
//! follows a symbolic link for us). `..` returns to the descriptor it came
//! from; `..` at the starting directory, an absolute path, or a symbolic
//! link whose target is absolute is an escape attempt and fails with
//! `perm` (what wasmtime answers). Symbolic links are read with
//! `readlinkat` on the directory descriptor and their targets spliced into
//! the walk, at most 40 times (then `loop`).
//!
//! The result is a directory descriptor and one final component, and the
//! operations (`openat`, `unlinkat`, `renameat`, `linkat`, `symlinkat`,
//! `mkdirat`, `statat`, `utimensat`, `readlinkat`) are applied to that pair
//! with `O_NOFOLLOW` / `AT_SYMLINK_NOFOLLOW`. A component that changes
//! between our check and the operation (a race with another process or the
//! guest itself) can therefore make the operation fail, but never lead it
//! outside: the kernel only ever resolves a single name inside a directory
//! we hold, and refuses to follow a link there.
//!
//! The descriptors of deep walks are capped ([`MAX_OPEN_LEVELS`]); a `..`
//! back into a level whose descriptor was dropped reopens it by name from
//! the nearest held ancestor, with the same no-follow rules.

use crate::mem::R;
use crate::Errno;
use rustix::fs::{openat, readlinkat, statat, AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno as E;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

/// Symbolic links followed in one resolution before `loop`.
pub(crate) const MAX_SYMLINKS: usize = 40;
/// Directory descriptors a walk keeps open at once.
pub(crate) const MAX_OPEN_LEVELS: usize = 32;
/// Longest path accepted (Linux's `PATH_MAX`).
pub(crate) const PATH_MAX: usize = 4096;

/// A directory: the descriptor the walk started from, or one it opened.
pub(crate) enum DirRef<'a> {
    Borrowed(BorrowedFd<'a>),
    Owned(OwnedFd),
}

impl AsFd for DirRef<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            DirRef::Borrowed(fd) => *fd,
            DirRef::Owned(fd) => fd.as_fd(),
        }
    }
}

/// A resolved path: a directory inside the sandbox and a single name in
/// it (`"."` for the directory itself).
pub(crate) struct Resolved<'a> {
    pub(crate) dir: DirRef<'a>,
    pub(crate) name: String,
    /// The path (or the target of its final symbolic link) ended in `/`
    /// or `/.`: it must name a directory.
    pub(crate) trailing_slash: bool,
}

/// Whether `path` must name a directory (it ends in `/`, `/.` or `/..`).
pub(crate) fn dir_syntax(path: &str) -> bool {
    path.ends_with('/')
        || path == "."
        || path == ".."
        || path.ends_with("/.")
        || path.ends_with("/..")
}

/// The components of a relative path, last first (a stack), without the
/// empty and `.` ones.
fn components_rev(path: &str) -> Vec<String> {
    path.rsplit('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
        .collect()
}

fn check_path(path: &str) -> R<()> {
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.len() > PATH_MAX {
        return Err(Errno::Nametoolong);
    }
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    if path.starts_with('/') {
        return Err(Errno::Perm);
    }
    Ok(())
}

fn open_dir_step(dir: BorrowedFd<'_>, name: &str) -> Result<OwnedFd, E> {
    openat(
        dir,
        name,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

struct Level {
    name: String,
    fd: Option<OwnedFd>,
}

/// The directories entered so far, below the starting one.
struct Walker<'a> {
    start: BorrowedFd<'a>,
    levels: Vec<Level>,
}

impl<'a> Walker<'a> {
    /// Makes sure the innermost level has a descriptor, reopening dropped
    /// ones by name from the nearest ancestor that has one.
    fn ensure_top(&mut self) -> R<()> {
        let n = self.levels.len();
        if n == 0 || self.levels[n - 1].fd.is_some() {
            return Ok(());
        }
        let first_missing = self
            .levels
            .iter()
            .rposition(|l| l.fd.is_some())
            .map_or(0, |k| k + 1);
        for j in first_missing..n {
            let fd = {
                let parent = if j == 0 {
                    self.start
                } else {
                    match &self.levels[j - 1].fd {
                        Some(fd) => fd.as_fd(),
                        None => return Err(Errno::Io),
                    }
                };
                open_dir_step(parent, &self.levels[j].name)?
            };
            self.levels[j].fd = Some(fd);
        }
        self.trim();
        Ok(())
    }

    /// Drops the outermost descriptors beyond the cap.
    fn trim(&mut self) {
        let mut open = self.levels.iter().filter(|l| l.fd.is_some()).count();
        for l in &mut self.levels {
            if open <= MAX_OPEN_LEVELS {
                break;
            }
            if l.fd.take().is_some() {
                open -= 1;
            }
        }
    }

    fn current(&mut self) -> R<BorrowedFd<'_>> {
        self.ensure_top()?;
        Ok(match self.levels.last() {
            Some(l) => l.fd.as_ref().ok_or(Errno::Io)?.as_fd(),
            None => self.start,
        })
    }

    fn push(&mut self, name: String, fd: OwnedFd) {
        self.levels.push(Level { name, fd: Some(fd) });
        self.trim();
    }

    /// `..`: leaving the starting directory is an escape.
    fn pop(&mut self) -> R<()> {
        self.levels.pop().map(|_| ()).ok_or(Errno::Perm)
    }

    fn into_dir(mut self) -> R<DirRef<'a>> {
        self.ensure_top()?;
        match self.levels.pop() {
            Some(l) => Ok(DirRef::Owned(l.fd.ok_or(Errno::Io)?)),
            None => Ok(DirRef::Borrowed(self.start)),
        }
    }
}

/// Resolves `path` relative to the directory `start`. Every component but
/// the last must be a directory (symbolic links among them are followed,
/// inside the sandbox). The last one is followed too if it is a symbolic
/// link and `follow` is set; otherwise it is returned as is, whatever it
/// names, or whether it exists at all.
pub(crate) fn resolve<'a>(start: BorrowedFd<'a>, path: &str, follow: bool) -> R<Resolved<'a>> {
    check_path(path)?;
    let mut trailing = dir_syntax(path);
    let mut pending = components_rev(path);
    let mut walker = Walker {
        start,
        levels: Vec::new(),
    };
    let mut links = 0usize;
    loop {
        let Some(comp) = pending.pop() else {
            return Ok(Resolved {
                dir: walker.into_dir()?,
                name: ".".to_string(),
                trailing_slash: true,
            });
        };
        let is_final = pending.is_empty();
        if comp == ".." {
            walker.pop()?;
            continue;
        }
        if is_final && !follow {
            return Ok(Resolved {
                dir: walker.into_dir()?,
                name: comp,
                trailing_slash: trailing,
            });
        }
        if !is_final {
            let step = {
                let cur = walker.current()?;
                open_dir_step(cur, &comp)
            };
            match step {
                Ok(fd) => {
                    walker.push(comp, fd);
                    continue;
                }
                // A symbolic link (or not a directory at all): look below.
                Err(E::NOTDIR) | Err(E::LOOP) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let stat = {
            let cur = walker.current()?;
            statat(cur, comp.as_str(), AtFlags::SYMLINK_NOFOLLOW)
        };
        let stat = match stat {
            Ok(st) => st,
            Err(E::NOENT) if is_final => {
                return Ok(Resolved {
                    dir: walker.into_dir()?,
                    name: comp,
                    trailing_slash: trailing,
                })
            }
            Err(e) => return Err(e.into()),
        };
        if FileType::from_raw_mode(stat.st_mode) != FileType::Symlink {
            if is_final {
                return Ok(Resolved {
                    dir: walker.into_dir()?,
                    name: comp,
                    trailing_slash: trailing,
                });
            }
            return Err(Errno::Notdir);
        }
        links += 1;
        if links > MAX_SYMLINKS {
            return Err(Errno::Loop);
        }
        let target = {
            let cur = walker.current()?;
            readlinkat(cur, comp.as_str(), Vec::new())
        };
        let target = match target {
            Ok(t) => t,
            // No longer a symbolic link: it changed under us; look again.
            Err(E::INVAL) => {
                pending.push(comp);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let target = target.into_string().map_err(|_| Errno::Ilseq)?;
        if target.is_empty() {
            return Err(Errno::Noent);
        }
        if target.starts_with('/') {
            return Err(Errno::Perm);
        }
        if is_final && dir_syntax(&target) {
            trailing = true;
        }
        pending.extend(components_rev(&target));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::path::PathBuf;

    #[test]
    fn components() {
        assert_eq!(components_rev("a//./b/../c/"), ["c", "..", "b", "a"]);
        assert!(dir_syntax("a/"));
        assert!(dir_syntax("a/."));
        assert!(dir_syntax(".."));
        assert!(!dir_syntax("a"));
        assert!(!dir_syntax("a.."));
    }

    struct Tmp(PathBuf);
    impl Drop for Tmp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn tmp(tag: &str) -> Tmp {
        let p = std::env::temp_dir().join(format!("weft-wasi-path-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(p.join("root")).unwrap();
        Tmp(p)
    }

    fn open_root(t: &Tmp) -> OwnedFd {
        rustix::fs::open(
            t.0.join("root"),
            OFlags::RDONLY | OFlags::DIRECTORY,
            Mode::empty(),
        )
        .unwrap()
    }

    /// The file a resolution names, read through its directory.
    fn read(start: &OwnedFd, path: &str) -> R<String> {
        let r = resolve(start.as_fd(), path, true)?;
        let fd = openat(
            &r.dir,
            r.name.as_str(),
            OFlags::RDONLY | OFlags::NOFOLLOW,
            Mode::empty(),
        )?;
        Ok(std::fs::read_to_string(format!(
            "/proc/self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&fd)
        ))
        .unwrap())
    }

    #[test]
    fn deep_walks_reopen_dropped_levels() {
        // 100 levels: more than the descriptors a walk keeps open.
        let t = tmp("deep");
        let mut p = t.0.join("root");
        for _ in 0..100 {
            p = p.join("d");
        }
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(t.0.join("root/d/f"), "one below the top").unwrap();
        std::fs::write(p.join("f"), "at the bottom").unwrap();
        let root = open_root(&t);
        let down = vec!["d"; 100].join("/");
        let up = vec![".."; 99].join("/");
        assert_eq!(read(&root, &format!("{down}/f")).unwrap(), "at the bottom");
        assert_eq!(
            read(&root, &format!("{down}/{up}/f")).unwrap(),
            "one below the top"
        );
        assert_eq!(
            read(&root, &format!("{down}/{up}/../../x")).err(),
            Some(Errno::Perm)
        );
    }

    #[test]
    fn symlink_limits() {
        let t = tmp("links");
        let r = t.0.join("root");
        std::fs::write(r.join("f"), "target").unwrap();
        // A chain of 40 links resolves, 41 is a loop.
        symlink("f", r.join("l0")).unwrap();
        for i in 1..=40 {
            symlink(format!("l{}", i - 1), r.join(format!("l{i}"))).unwrap();
        }
        let root = open_root(&t);
        assert_eq!(read(&root, "l39").unwrap(), "target");
        assert_eq!(read(&root, "l40").err(), Some(Errno::Loop));
        // Links to "." and ".." resolve inside; one more ".." escapes.
        symlink(".", r.join("here")).unwrap();
        symlink("..", r.join("up")).unwrap();
        assert_eq!(read(&root, "here/here/f").unwrap(), "target");
        assert_eq!(read(&root, "up/root/f").err(), Some(Errno::Perm));
        assert_eq!(read(&root, "").err(), Some(Errno::Noent));
        assert_eq!(read(&root, "f\0").err(), Some(Errno::Inval));
        assert_eq!(
            read(&root, &"a/".repeat(3000)).err(),
            Some(Errno::Nametoolong)
        );
    }
}
