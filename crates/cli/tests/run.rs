//! `weft run`: the README's main job, results, traps and bad input, through
//! the built binary.

use std::path::PathBuf;
use std::process::{Command, Output};

fn weft(args: &[&str]) -> Output {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .current_dir(root)
        .args(args)
        .output()
        .expect("weft runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn main_job() {
    let o = weft(&["run", "--invoke", "fac", "examples/hello.wat", "20"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2432902008176640000\n");
    let o = weft(&["run", "--invoke", "greeting_len", "examples/hello.wasm"]);
    assert_eq!(stdout(&o), "13\n");
    let o = weft(&["run", "examples/hello.wasm"]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), ""));
}

#[test]
fn setjmp_longjmp_c_program_runs_in_every_tier() {
    // examples/sjlj.c: longjmp lowered to `throw`, setjmp to `try_table`.
    for tier in ["interp", "compile", "auto"] {
        let o = weft(&[
            "run",
            "--tier",
            tier,
            "--features",
            "3.0",
            "examples/sjlj.wasm",
        ]);
        assert_eq!(o.status.code(), Some(0), "{tier}: {}", stderr(&o));
        assert_eq!(
            stdout(&o),
            "caught 500500 errors' codes, 501500 through nested handlers\n"
        );
    }
    // Without exception handling the module is refused.
    let o = weft(&["run", "--features", "2.0", "examples/sjlj.wasm"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn uncaught_exception_exits_134_naming_the_tag() {
    let dir = std::env::temp_dir().join(format!("weft-run-exn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("throw.wat");
    std::fs::write(
        &path,
        r#"(module $m (tag $e (export "oops") (param i32))
            (func $inner (export "f") (param i32) (throw $e (local.get 0)))
            (func (export "g") (call $inner (i32.const 3))))"#,
    )
    .unwrap();
    let o = weft(&[
        "run",
        "--features",
        "3.0",
        "--invoke",
        "g",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(134));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: uncaught exception: tag `oops`\nwasm backtrace:\n  0: m!inner\n  1: m!<wasm function 1>\n"),
        "{err}"
    );
}

#[test]
fn trap_exits_134_with_backtrace() {
    // fac(-1) recurses until the call stack is exhausted.
    let o = weft(&["run", "--invoke", "fac", "examples/hello.wat", "-1"]);
    assert_eq!(o.status.code(), Some(134));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: call stack exhausted\nwasm backtrace:\n  0: hello!fac\n"),
        "{err}"
    );
    let o = weft(&[
        "run",
        "--fuel",
        "1000",
        "--invoke",
        "fac",
        "examples/hello.wat",
        "1000",
    ]);
    assert_eq!(o.status.code(), Some(134));
    assert!(stderr(&o).starts_with("error: all fuel consumed\n"));
}

#[test]
fn bad_input_is_one_line_and_status_1() {
    for args in [
        &["run", "examples/missing.wasm"][..],
        &["run", "--invoke", "fac", "examples/hello.wat"],
        &["run", "--invoke", "fac", "examples/hello.wat", "x"],
        &["run", "--invoke", "nope", "examples/hello.wat"],
        &["run", "Cargo.toml"],
    ] {
        let o = weft(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ") && err.lines().count() == 1,
            "{args:?}: {err}"
        );
    }
}
