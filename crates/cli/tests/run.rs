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
