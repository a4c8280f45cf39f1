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
fn gc_results_are_printed_by_kind_and_contents() {
    let dir = std::env::temp_dir().join(format!("weft-run-gc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gc.wat");
    std::fs::write(
        &path,
        r#"(module
            (type $p (struct (field i32) (field (mut f64)) (field i8)))
            (type $a (array i16))
            (func (export "p") (result anyref) (struct.new $p (i32.const -5) (f64.const 1.5) (i32.const 200)))
            (func (export "a") (param i32) (result anyref) (array.new $a (i32.const 7) (local.get 0)))
            (func (export "i") (result anyref) (ref.i31 (i32.const 42))))"#,
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let run = |args: &[&str]| {
        let o = weft(&[&["run", "--invoke"], args].concat());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    assert_eq!(run(&["p", path]), "struct {-5, 1.5, 200}\n");
    assert_eq!(run(&["a", path, "2"]), "array [7, 7]\n");
    assert_eq!(
        run(&["a", path, "17"]),
        "array [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, ... (17 in all)]\n"
    );
    assert_eq!(run(&["i", path]), "i31 42\n");
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
