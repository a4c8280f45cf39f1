//! Embedder conveniences: a read-only preopen refuses every change with
//! EPERM (as wasmtime) while reads work, and stdout captured in memory
//! (`OutputPipe`) and stdin given as bytes.

mod common;
use common::TempDir;
use weft::{Engine, Linker, Module, Store};
use weft_wasi::{DirPerms, Errno, FilePerms, OutputPipe, WasiCtx, WasiCtxBuilder};

/// Tries, in the preopen (fd 3): creating `new.txt`, opening
/// `existing.txt` for reading and reading it, opening it for writing,
/// creating directory `d`, unlinking `existing.txt`. Writes the five
/// errnos as bytes to stdout, then what it read, then what stdin gave.
const GUEST: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $unlink (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "new.txt")
  (data (i32.const 16) "existing.txt")
  (data (i32.const 32) "d")
  (func $out (param $ptr i32) (param $len i32)
    (i32.store (i32.const 300) (local.get $ptr))
    (i32.store (i32.const 304) (local.get $len))
    (drop (call $write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 308))))
  (func $in (param $fd i32) (param $ptr i32) (result i32)
    (i32.store (i32.const 300) (local.get $ptr))
    (i32.store (i32.const 304) (i32.const 64))
    (drop (call $read (local.get $fd) (i32.const 300) (i32.const 1) (i32.const 308)))
    (i32.load (i32.const 308)))
  (func (export "_start")
    ;; create new.txt for writing
    (i32.store8 (i32.const 400) (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 7)
      (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 200)))
    ;; open existing.txt for reading
    (i32.store8 (i32.const 401) (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 12)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 204)))
    (i32.store (i32.const 208) (call $in (i32.load (i32.const 204)) (i32.const 500)))
    ;; open existing.txt for writing
    (i32.store8 (i32.const 402) (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 12)
      (i32.const 0) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 212)))
    (i32.store8 (i32.const 403) (call $mkdir (i32.const 3) (i32.const 32) (i32.const 1)))
    (i32.store8 (i32.const 404) (call $unlink (i32.const 3) (i32.const 16) (i32.const 12)))
    (call $out (i32.const 400) (i32.const 5))
    (call $out (i32.const 500) (i32.load (i32.const 208)))
    (call $out (i32.const 600) (call $in (i32.const 0) (i32.const 600)))))"#;

/// Runs the guest on a fresh directory with `existing.txt`; the errnos,
/// the rest of stdout, and whether the directory changed.
fn run(dir_perms: DirPerms, file_perms: FilePerms) -> ([u8; 5], String, bool) {
    let dir = TempDir::new("perms");
    std::fs::write(dir.path().join("existing.txt"), "contents").unwrap();
    let out = OutputPipe::new().unwrap();
    let ctx = WasiCtxBuilder::new()
        .preopened_dir_with_perms(dir.path(), "/", dir_perms, file_perms)
        .stdout(out.writer().unwrap())
        .stdin_bytes(" and stdin")
        .unwrap()
        .build()
        .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).unwrap();
    let mut store = Store::new(&engine, ctx);
    let mut linker = Linker::<WasiCtx>::new(&engine);
    weft_wasi::add_to_linker(&mut linker, |c| c).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance.get_func(&mut store, "_start").unwrap();
    start.call(&mut store, &[], &mut []).unwrap();
    let bytes = out.contents().unwrap();
    let errnos: [u8; 5] = bytes[..5].try_into().unwrap();
    let rest = String::from_utf8(bytes[5..].to_vec()).unwrap();
    let changed = dir.path().join("new.txt").exists()
        || dir.path().join("d").exists()
        || !dir.path().join("existing.txt").exists();
    (errnos, rest, changed)
}

#[test]
fn a_read_only_preopen_refuses_changes_with_eperm() {
    let perm = Errno::Perm as u8;
    let (errnos, rest, changed) = run(DirPerms::READ, FilePerms::READ);
    assert_eq!(errnos, [perm, 0, perm, perm, perm]);
    assert_eq!(rest, "contents and stdin");
    assert!(!changed, "the directory must be unchanged");

    // Files read-only, directory mutable: entries can be made and removed,
    // but no file opened for writing.
    let (errnos, _, _) = run(DirPerms::all(), FilePerms::READ);
    assert_eq!(errnos, [perm, 0, perm, 0, 0]);
}

#[test]
fn a_full_preopen_allows_everything() {
    let (errnos, rest, changed) = run(DirPerms::all(), FilePerms::all());
    assert_eq!(errnos, [0; 5]);
    assert_eq!(rest, "contents and stdin");
    assert!(changed);
}

#[test]
fn captured_output_starts_empty_and_keeps_everything() {
    let out = OutputPipe::new().unwrap();
    assert_eq!(out.contents().unwrap(), b"");
    let big: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
    let w = out.writer().unwrap();
    let mut f = std::fs::File::from(w);
    std::io::Write::write_all(&mut f, &big).unwrap();
    assert_eq!(out.contents().unwrap(), big);
}
