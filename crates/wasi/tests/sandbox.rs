//! The sandbox suite: tests/c/sandbox.c tries every route out of its
//! preopened directory we know of; each must be refused with the errno
//! wasmtime gives (the routes with pointers outside memory: `fault`, where
//! wasmtime traps), and nothing outside may be read, written, created,
//! removed or listed. Meanwhile a host thread swaps a directory inside the
//! sandbox with a symbolic link to the outside, atomically, as fast as it
//! can, while the guest opens a file below it: the guest must never see
//! the outside file.

mod common;
use common::{fixture, run, Run, TempDir};
use std::collections::BTreeMap;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use weft_wasi::Errno;

/// Every route and the errno it must end with.
const ROUTES: &[(&str, Errno)] = &[
    ("dotdot", Errno::Perm),
    ("dotdot nested", Errno::Perm),
    ("dotdot many", Errno::Perm),
    ("dotdot alone", Errno::Perm),
    ("absolute", Errno::Perm),
    ("absolute inside name", Errno::Perm),
    ("symlink absolute", Errno::Perm),
    ("symlink relative", Errno::Perm),
    ("symlink to root", Errno::Perm),
    ("symlink dir component", Errno::Perm),
    ("symlink up component", Errno::Perm),
    ("symlink chain", Errno::Perm),
    ("stat through symlink", Errno::Perm),
    ("stat symlink follow", Errno::Perm),
    // The link itself lies inside: stat-ing it without following is fine.
    ("stat symlink nofollow", Errno::Success),
    ("symlink loop", Errno::Loop),
    ("symlink self loop", Errno::Loop),
    ("stat loop", Errno::Loop),
    // A link is text: making one is allowed, following it outside is not.
    ("guest symlink outward", Errno::Success),
    ("follow guest symlink", Errno::Perm),
    ("guest symlink absolute", Errno::Perm),
    ("guest symlink deep", Errno::Success),
    ("follow guest deep symlink", Errno::Perm),
    ("guest dangling outward", Errno::Success),
    ("create through dangling", Errno::Perm),
    ("mkdir outside", Errno::Perm),
    ("mkdir through symlink", Errno::Perm),
    ("rename out", Errno::Perm),
    ("rename through symlink", Errno::Perm),
    ("rename outside in", Errno::Perm),
    ("rename dir out", Errno::Perm),
    ("hard link out", Errno::Perm),
    ("hard link in", Errno::Perm),
    ("hard link follow", Errno::Inval),
    // A hard link to the symbolic link itself, inside; following it fails.
    ("hard link of link", Errno::Success),
    ("follow hard link of link", Errno::Perm),
    ("unlink through symlink", Errno::Perm),
    ("rmdir through symlink", Errno::Perm),
    ("rmdir symlink", Errno::Notdir),
    ("set times through symlink", Errno::Perm),
    ("readlink outward", Errno::Success),
    ("open sub", Errno::Success),
    ("dotdot above dir fd", Errno::Perm),
    ("readdir through symlink", Errno::Perm),
    ("open inside", Errno::Success),
    // fd_renumber onto the preopen replaces it with the file: no paths
    // through it any more, and it is no preopen.
    ("renumber onto preopen", Errno::Success),
    ("path_open on renumbered", Errno::Notdir),
    ("prestat on renumbered", Errno::Badf),
    // A subdirectory renumbered onto fd 3 confines to itself.
    ("renumber dir fd onto preopen", Errno::Success),
    ("dotdot after renumber", Errno::Perm),
    ("open in renumbered dir", Errno::Loop),
    ("path huge length", Errno::Fault),
    ("path negative length", Errno::Fault),
    ("path pointer outside", Errno::Fault),
    ("path wrapping pointer", Errno::Fault),
    ("result pointer outside", Errno::Fault),
    ("read huge iovec", Errno::Fault),
    ("write negative pointer", Errno::Fault),
    ("write negative count", Errno::Fault),
    ("random huge", Errno::Fault),
    ("readdir huge", Errno::Fault),
    ("args huge pointer", Errno::Fault),
    ("poll huge", Errno::Fault),
    ("symlink huge target", Errno::Fault),
];

/// Everything observable about a tree: per path, its kind, size, content
/// or link target, permissions and modification time.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let md = std::fs::symlink_metadata(&path).unwrap();
            let what = if md.file_type().is_symlink() {
                format!("link {}", std::fs::read_link(&path).unwrap().display())
            } else if md.is_dir() {
                stack.push(path.clone());
                "dir".to_string()
            } else {
                format!("file {:?}", std::fs::read(&path).unwrap())
            };
            out.insert(
                rel,
                format!(
                    "{what} mode={:o} mtime={}.{}",
                    md.mode(),
                    md.mtime(),
                    md.mtime_nsec()
                ),
            );
        }
    }
    out
}

#[test]
fn every_escape_is_refused() {
    let t = TempDir::new("sandbox");
    let root = t.path();
    let outside = root.join("outside");
    let sandbox = root.join("sandbox");
    std::fs::create_dir_all(outside.join("dir")).unwrap();
    std::fs::create_dir_all(sandbox.join("sub")).unwrap();
    std::fs::create_dir_all(sandbox.join("race")).unwrap();
    std::fs::write(outside.join("secret.txt"), "top secret").unwrap();
    std::fs::write(sandbox.join("inside.txt"), "inside").unwrap();
    std::fs::write(sandbox.join("race/secret.txt"), "race inside").unwrap();
    symlink(outside.join("secret.txt"), sandbox.join("link_abs")).unwrap();
    symlink("../outside/secret.txt", sandbox.join("link_rel")).unwrap();
    symlink("../outside", sandbox.join("link_dir")).unwrap();
    symlink("../..", sandbox.join("sub/link_up")).unwrap();
    symlink("chain2", sandbox.join("chain1")).unwrap();
    symlink("sub/link_up", sandbox.join("chain2")).unwrap();
    symlink("loop2", sandbox.join("loop1")).unwrap();
    symlink("loop1", sandbox.join("loop2")).unwrap();
    symlink("self", sandbox.join("self")).unwrap();
    symlink("/", sandbox.join("link_root")).unwrap();
    // The other side of the race: a link that leads outside.
    symlink("../outside", sandbox.join("race_alt")).unwrap();

    let outside_before = snapshot(&outside);
    let top_before: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = {
        let stop = stop.clone();
        let sandbox = sandbox.clone();
        std::thread::spawn(move || {
            let dir = rustix::fs::open(
                &sandbox,
                rustix::fs::OFlags::DIRECTORY,
                rustix::fs::Mode::empty(),
            )
            .unwrap();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                rustix::fs::renameat_with(
                    &dir,
                    "race",
                    &dir,
                    "race_alt",
                    rustix::fs::RenameFlags::EXCHANGE,
                )
                .unwrap();
                n += 1;
            }
            n
        })
    };
    let out = run(
        &fixture("sandbox.wasm"),
        Run {
            args: vec!["3000".into()],
            dirs: vec![
                (sandbox.clone(), "/".into()),
                (sandbox.clone(), "/again".into()),
            ],
            ..Run::default()
        },
    );
    stop.store(true, Ordering::Relaxed);
    let swaps = swaps.join().unwrap();
    assert_eq!(out.error, None, "{}", out.stderr);
    assert_eq!(out.status, Some(0));
    assert!(!out.stdout.contains("LEAK"), "{}", out.stdout);
    // Both sides of the race were seen.
    eprintln!("{} ({swaps} swaps)", out.stderr.trim());
    assert!(swaps > 0);

    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), ROUTES.len() + 1, "{}", out.stdout);
    for (line, (route, errno)) in lines.iter().zip(ROUTES) {
        let (name, code) = line.rsplit_once(": ").expect("route: errno");
        assert_eq!(name, *route);
        let got = Errno::from_raw(code.parse().unwrap()).unwrap();
        assert_eq!(got, *errno, "{route}: got {got}, expected {errno}");
    }
    assert_eq!(lines.last(), Some(&"race: done"));
    assert!(ROUTES.iter().filter(|(_, e)| *e != Errno::Success).count() >= 15);

    // Nothing outside changed, nothing appeared next to the sandbox.
    assert_eq!(snapshot(&outside), outside_before);
    let top_after: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(top_after, top_before);
    // The links the guest made are inside, as links.
    assert_eq!(
        std::fs::read_link(sandbox.join("mine")).unwrap(),
        Path::new("../outside/secret.txt")
    );
    assert!(!outside.join("created.txt").exists());
}
