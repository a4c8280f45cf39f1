//! `path_readlink` never reveals a host path: a link whose target is
//! absolute is refused with EPERM (as wasmtime does), a relative one is
//! read.

mod common;
use common::{run, Run, TempDir};
use std::os::unix::fs::symlink;
use weft_wasi::Errno;

/// Reads link `rel`, then `abs`, writes the 64-byte buffer to stdout and
/// exits with `errno(abs) * 1000 + errno(rel)`.
const GUEST: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_readlink"
    (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "abs")
  (data (i32.const 8) "rel")
  (func (export "_start") (local $rel i32) (local $abs i32)
    (local.set $rel (call $readlink (i32.const 3) (i32.const 8) (i32.const 3)
      (i32.const 100) (i32.const 64) (i32.const 200)))
    (local.set $abs (call $readlink (i32.const 3) (i32.const 0) (i32.const 3)
      (i32.const 100) (i32.const 64) (i32.const 200)))
    (i32.store (i32.const 300) (i32.const 100))
    (i32.store (i32.const 304) (i32.const 64))
    (drop (call $write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 308)))
    (call $exit (i32.add (i32.mul (local.get $abs) (i32.const 1000)) (local.get $rel)))))"#;

#[test]
fn absolute_link_target_is_refused() {
    let dir = TempDir::new("readlink");
    let sandbox = dir.path().join("sandbox");
    std::fs::create_dir(&sandbox).unwrap();
    let secret = dir.path().join("host-secret");
    std::fs::write(&secret, "outside").unwrap();
    symlink(&secret, sandbox.join("abs")).unwrap();
    symlink("file", sandbox.join("rel")).unwrap();
    let guest = dir.path().join("readlink.wat");
    std::fs::write(&guest, GUEST).unwrap();
    let out = run(
        &guest,
        Run {
            dirs: vec![(sandbox, "/".into())],
            ..Run::default()
        },
    );
    assert_eq!(out.error, None);
    let perm = Errno::Perm as i32;
    assert_eq!(
        out.status,
        Some(perm * 1000),
        "EPERM for abs, success for rel"
    );
    // The relative target was read; nothing of the host path was written.
    let expected = format!("file{}", "\0".repeat(60));
    assert_eq!(out.stdout, expected);
}
