//! Every function of `wasi_snapshot_preview1`, success and error paths
//! (tests/c/calls.c), against the output recorded under the reference
//! runtime, wasmtime (tests/c/calls.expected): the same errno, case by
//! case. The cases wasmtime traps on (pointers outside memory, invalid
//! enum values) are checked against tests/c/calls-faults.expected.
//!
//! The test programs are C (tests/c/), compiled with zig to the committed
//! tests/wasm/*.wasm by `examples/build_wasi.sh`; calls.expected was
//! recorded with `tests/wasmtime_run.py --dir EMPTY::/ --env A=1 --env
//! B=two calls.wasm one two` run in tests/wasm/.

mod common;
use common::{fixture, run, Run, TempDir};

fn run_calls(extra: &[&str]) -> common::Output {
    let dir = TempDir::new("calls");
    let mut args = vec!["one".to_string(), "two".to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = run(
        &fixture("calls.wasm"),
        Run {
            args,
            env: vec![("A".into(), "1".into()), ("B".into(), "two".into())],
            dirs: vec![(dir.path().to_path_buf(), "/".into())],
            ..Run::default()
        },
    );
    assert_eq!(out.error, None, "{}", out.stderr);
    assert_eq!(out.status, Some(7), "{}", out.stderr);
    // The sandbox is left empty.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    out
}

/// Compares line by line, naming the first case that differs.
fn compare(got: &str, expected: &str) {
    let expected: Vec<&str> = expected
        .lines()
        .filter(|l| !l.starts_with("exit "))
        .collect();
    let got: Vec<&str> = got.lines().collect();
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "line {}: weft says `{g}`, expected `{e}`", i + 1);
    }
    assert_eq!(got.len(), expected.len(), "number of lines");
}

#[test]
fn same_errno_as_wasmtime() {
    let out = run_calls(&[]);
    compare(&out.stdout, include_str!("c/calls.expected"));
}

#[test]
fn faults_are_errors_not_crashes() {
    let out = run_calls(&["faults"]);
    compare(&out.stdout, include_str!("c/calls-faults.expected"));
}

/// Every function of preview1 is defined by `add_to_linker` and called by
/// at least one of the test programs.
#[test]
fn every_function_is_covered() {
    const ALL: [&str; 46] = [
        "args_get",
        "args_sizes_get",
        "environ_get",
        "environ_sizes_get",
        "clock_res_get",
        "clock_time_get",
        "fd_advise",
        "fd_allocate",
        "fd_close",
        "fd_datasync",
        "fd_fdstat_get",
        "fd_fdstat_set_flags",
        "fd_fdstat_set_rights",
        "fd_filestat_get",
        "fd_filestat_set_size",
        "fd_filestat_set_times",
        "fd_pread",
        "fd_prestat_get",
        "fd_prestat_dir_name",
        "fd_pwrite",
        "fd_read",
        "fd_readdir",
        "fd_renumber",
        "fd_seek",
        "fd_sync",
        "fd_tell",
        "fd_write",
        "path_create_directory",
        "path_filestat_get",
        "path_filestat_set_times",
        "path_link",
        "path_open",
        "path_readlink",
        "path_remove_directory",
        "path_rename",
        "path_symlink",
        "path_unlink_file",
        "poll_oneoff",
        "proc_exit",
        "proc_raise",
        "sched_yield",
        "random_get",
        "sock_accept",
        "sock_recv",
        "sock_send",
        "sock_shutdown",
    ];
    let engine = weft::Engine::default();
    let mut linker = weft::Linker::<weft_wasi::WasiCtx>::new(&engine);
    weft_wasi::add_to_linker(&mut linker, |c| c).unwrap();
    let mut store = weft::Store::new(&engine, weft_wasi::WasiCtx::default());
    let mut imported = std::collections::BTreeSet::new();
    for f in std::fs::read_dir(fixture("")).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        let module = weft::Module::new(&engine, bytes).unwrap();
        for i in module.imports() {
            assert_eq!(i.module(), weft_wasi::MODULE);
            imported.insert(i.name().to_string());
        }
    }
    for name in ALL {
        assert!(
            linker.get(&mut store, weft_wasi::MODULE, name).is_some(),
            "{name} not defined"
        );
        assert!(
            imported.contains(name),
            "{name} is called by no test program"
        );
    }
    assert_eq!(imported.len(), ALL.len());
}
