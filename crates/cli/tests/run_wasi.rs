//! `weft run` with WASI: the README's main job, arguments, environment,
//! preopened directories, stdio, exit statuses, traps and `--max-memory`,
//! through the built binary.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;

/// Writes a module to a temporary file and returns its path.
fn module(name: &str, wat: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-run-wasi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, wat).unwrap();
    p
}

const EXIT: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (i32.const CODE))))"#;

#[test]
fn main_job() {
    let o = weft(&["run", "examples/hello_wasi.wasm"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.starts_with("Hello from WebAssembly (WASI preview1)!\n"),
        "{out}"
    );
    assert!(out.contains("no directory preopened"), "{out}");
}

#[test]
fn arguments_environment_and_directories() {
    let o = weft(&[
        "run",
        "--dir",
        "examples::/",
        "--env",
        "GREETING=Hi",
        "examples/hello_wasi.wasm",
        "you",
        "--not-an-option",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("Hi from WebAssembly"), "{out}");
    assert!(
        out.contains("and hello to you\n  and hello to --not-an-option\n"),
        "{out}"
    );
    let entries = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .filter(|e| {
            !e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert!(out.contains(&format!("has {entries} entries")), "{out}");
}

#[test]
fn exit_status_is_the_guests() {
    for (code, status) in [(0, 0), (3, 3), (255, 255), (300, 44)] {
        let p = module(
            &format!("exit{code}.wat"),
            &EXIT.replace("CODE", &code.to_string()),
        );
        let o = weft(&["run", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(status), "proc_exit({code})");
        assert_eq!(text(&o.stderr), "");
    }
}

#[test]
fn proc_exit_in_the_start_function() {
    let p = module(
        "start.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $s (call $exit (i32.const 5)))
  (start $s))"#,
    );
    let o = weft(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(5));
}

#[test]
fn stdio_is_the_processs() {
    // cat: stdin to stdout, through fd_read and fd_write.
    let cat = module(
        "cat.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l
      (i32.store (i32.const 0) (i32.const 64))
      (i32.store (i32.const 4) (i32.const 1000))
      (drop (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
      (if (i32.load (i32.const 8))
        (then
          (i32.store (i32.const 4) (i32.load (i32.const 8)))
          (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (br $l))))))"#,
    );
    let o = weft_with_stdin(&["run", cat.to_str().unwrap()], b"through the guest\n");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "through the guest\n");
}

#[test]
fn trap_in_start_prints_backtrace_and_exits_134() {
    let p = module(
        "trap.wat",
        r#"(module $prog
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $deep (unreachable))
  (func (export "_start") (call $deep)))"#,
    );
    let o = weft(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error: unreachable\nwasm backtrace:\n  0: prog!deep\n"),
        "{err}"
    );
}

#[test]
fn invoke_a_wasi_export() {
    let p = module(
        "greet.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func (export "greet") (param i32) (result i32)
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (i32.add (local.get 0) (i32.const 1))))"#,
    );
    let o = weft(&["run", "--invoke", "greet", p.to_str().unwrap(), "41"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "hi\n42\n");
}

#[test]
fn max_memory_caps_growth() {
    // Exit status: memory.grow's result + 1 (0 when the grow failed).
    let p = module(
        "grow.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (i32.add (memory.grow (i32.const 3)) (i32.const 1)))))"#,
    );
    let o = weft(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "grows without a cap");
    let o = weft(&["run", "--max-memory", "196608", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "3 pages cap: growing to 4 fails");
    let o = weft(&["run", "--max-memory", "262144", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "4 pages cap: growing to 4 works");
    let o = weft(&["run", "--max-memory", "1000", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("--max-memory"),
        "{err}"
    );
}

#[test]
fn max_memory_takes_units_and_clamps_to_the_address_space() {
    let p = module(
        "grow-units.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (i32.add (memory.grow (i32.const 3)) (i32.const 1)))))"#,
    );
    let path = p.to_str().unwrap();
    for (size, status) in [("192KiB", 0), ("256KiB", 2), ("64MiB", 2), ("1M", 2)] {
        let o = weft(&["run", "--max-memory", size, path]);
        assert_eq!(o.status.code(), Some(status), "{size}: {}", text(&o.stderr));
    }
    // Above a 32-bit memory's 4 GiB: no cap, and the module stays valid.
    for size in ["4GiB", "8GiB", "1TiB", "18446744073709551615"] {
        let o = weft(&["run", "--max-memory", size, path]);
        assert_eq!(o.status.code(), Some(2), "{size}: {}", text(&o.stderr));
    }
    for size in ["12XB", "64 MB", "", "99999999999TiB"] {
        let o = weft(&["run", "--max-memory", size, path]);
        assert_ne!(o.status.code(), Some(0), "{size}");
        assert!(text(&o.stderr).contains("number of bytes"), "{size}");
    }
}

#[test]
fn env_without_value_inherits_from_the_host() {
    let run = |extra: &[&str]| {
        let mut args = vec!["run"];
        args.extend_from_slice(extra);
        args.push("examples/hello_wasi.wasm");
        Command::new(env!("CARGO_BIN_EXE_weft"))
            .current_dir(root())
            .args(&args)
            .env("GREETING", "Howdy")
            .env_remove("WEFT_UNSET_VARIABLE")
            .output()
            .unwrap()
    };
    let o = run(&["--env", "GREETING"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).starts_with("Howdy from WebAssembly"));
    // Without --env the guest sees nothing of the host's environment, and an
    // unset NAME passes nothing.
    for extra in [&[][..], &["--env", "WEFT_UNSET_VARIABLE"]] {
        let o = run(extra);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert!(text(&o.stdout).starts_with("Hello from WebAssembly"));
    }
}

#[test]
fn bad_options_are_one_line_and_status_1() {
    for args in [
        &["run", "--dir", "no/such/dir", "examples/hello_wasi.wasm"][..],
        &["run", "examples/missing.wasm"],
    ] {
        let o = weft(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = text(&o.stderr);
        assert!(
            err.starts_with("error: ") && err.lines().count() == 1,
            "{args:?}: {err}"
        );
    }
    // An import WASI does not have.
    let p = module(
        "unknown.wat",
        r#"(module (import "wasi_snapshot_preview1" "no_such" (func)))"#,
    );
    let o = weft(&["run", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("unknown import"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_readonly_dir_refuses_changes_with_eperm() {
    // Exit status: the errno of path_create_directory("sub") in fd 3.
    let p = module(
        "mkdir.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "sub")
  (func (export "_start")
    (call $exit (call $mkdir (i32.const 3) (i32.const 0) (i32.const 3)))))"#,
    );
    let dir = std::env::temp_dir().join(format!("weft-run-ro-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = format!("{}::/:readonly", dir.display());
    let o = weft(&["run", "--dir", &spec, p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(63), "EPERM: {}", text(&o.stderr));
    assert!(!dir.join("sub").exists());
    let spec = format!("{}::/", dir.display());
    let o = weft(&["run", "--dir", &spec, p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(dir.join("sub").is_dir());
    let _ = std::fs::remove_dir_all(&dir);
}
