//! The WASI preview1 conformance tests (`../shared/wasi-testsuite`, 72
//! tests: AssemblyScript, C and Rust programs) through the built `weft
//! run`, one Rust test each, with the checks of the suite's `run.py`:
//! the command line `weft run [--env K=V]... [--dir ROOT::/] NAME.wasm
//! ARGS...` (each test with each of `--tier interp`, `compile` and
//! `auto`), stdin empty, the exit status, and stdout and stderr by prefix,
//! within 5 s. Unlike `run.py`, each test gets a fresh copy of its root
//! directory, so that the tests can run in parallel and the shared folder
//! is never written.
//!
//! The suite is read from `../shared/wasi-testsuite` (or the directory in
//! `WEFT_WASI_TESTSUITE`); a missing suite fails the tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn suite_dir() -> PathBuf {
    match std::env::var_os("WEFT_WASI_TESTSUITE") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/wasi-testsuite"),
    }
}

/// A JSON value, as much of JSON as the tests' `.json` files use.
#[derive(Debug)]
enum Json {
    Str(String),
    Num(f64),
    Arr(Vec<Json>),
    Obj(BTreeMap<String, Json>),
    Other,
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(
            self.s.get(self.at),
            Some(&c),
            "JSON: expected {}",
            c as char
        );
        self.at += 1;
    }

    fn string(&mut self) -> String {
        self.eat(b'"');
        let mut out = Vec::new();
        loop {
            let c = self.s[self.at];
            self.at += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.s[self.at];
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = std::str::from_utf8(&self.s[self.at..self.at + 4]).unwrap();
                            self.at += 4;
                            let ch = char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap();
                            out.extend_from_slice(ch.to_string().as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
        String::from_utf8(out).unwrap()
    }

    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.at] {
            b'"' => Json::Str(self.string()),
            b'[' => {
                self.at += 1;
                let mut v = Vec::new();
                self.ws();
                if self.s[self.at] == b']' {
                    self.at += 1;
                    return Json::Arr(v);
                }
                loop {
                    v.push(self.value());
                    self.ws();
                    self.at += 1;
                    if self.s[self.at - 1] == b']' {
                        return Json::Arr(v);
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut m = BTreeMap::new();
                self.ws();
                if self.s[self.at] == b'}' {
                    self.at += 1;
                    return Json::Obj(m);
                }
                loop {
                    let k = self.string();
                    self.eat(b':');
                    m.insert(k, self.value());
                    self.ws();
                    self.at += 1;
                    if self.s[self.at - 1] == b'}' {
                        return Json::Obj(m);
                    }
                }
            }
            c if c == b'-' || c.is_ascii_digit() => {
                let start = self.at;
                while self.at < self.s.len()
                    && (self.s[self.at] == b'-'
                        || self.s[self.at] == b'.'
                        || self.s[self.at].is_ascii_alphanumeric())
                {
                    self.at += 1;
                }
                Json::Num(
                    std::str::from_utf8(&self.s[start..self.at])
                        .unwrap()
                        .parse()
                        .unwrap(),
                )
            }
            _ => {
                while self.at < self.s.len() && self.s[self.at].is_ascii_alphabetic() {
                    self.at += 1;
                }
                Json::Other
            }
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = e.file_type().unwrap();
        let dst = to.join(e.file_name());
        if t.is_dir() {
            copy_tree(&e.path(), &dst);
        } else if t.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(e.path()).unwrap(), dst).unwrap();
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// Runs one test of the suite as `run.py` does, with `weft run --tier
/// tier`.
fn check(name: &str, tier: &str) {
    let suite = suite_dir();
    assert!(
        suite.join("run.py").exists(),
        "the WASI testsuite is missing: {} (set WEFT_WASI_TESTSUITE)",
        suite.display()
    );
    let wasm = suite.join(format!("{name}.wasm"));
    let cfg_path = suite.join(format!("{name}.json"));
    let cfg = match std::fs::read_to_string(&cfg_path) {
        Ok(text) => Parser {
            s: text.as_bytes(),
            at: 0,
        }
        .value(),
        Err(_) => Json::Obj(BTreeMap::new()),
    };
    let Json::Obj(cfg) = cfg else {
        panic!("{name}.json is not an object")
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.arg("run").arg("--tier").arg(tier);
    if let Some(Json::Obj(env)) = cfg.get("env") {
        for (k, v) in env {
            let Json::Str(v) = v else { panic!("env value") };
            cmd.arg("--env").arg(format!("{k}={v}"));
        }
    }
    // One directory per test and tier: both tiers' tests run in parallel.
    let scratch = std::env::temp_dir().join(format!(
        "weft-wasi-testsuite-{}-{tier}-{}",
        std::process::id(),
        name.replace('/', "-")
    ));
    let _ = std::fs::remove_dir_all(&scratch);
    if let Some(Json::Str(root)) = cfg.get("root") {
        let from = wasm.parent().unwrap().join(root);
        copy_tree(&from, &scratch);
        cmd.arg("--dir").arg(format!("{}::/", scratch.display()));
    }
    cmd.arg(&wasm);
    if let Some(Json::Arr(args)) = cfg.get("args") {
        for a in args {
            let Json::Str(a) = a else { panic!("arg") };
            cmd.arg(a);
        }
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("weft runs");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = std::fs::remove_dir_all(&scratch);
            panic!("{name}: timeout");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&scratch);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let want = match cfg.get("exit_code") {
        Some(Json::Num(n)) => *n as i32,
        _ => 0,
    };
    assert_eq!(
        out.status.code(),
        Some(want),
        "{name}: exit status; stderr:\n{stderr}"
    );
    for (stream, got) in [("stdout", &stdout), ("stderr", &stderr)] {
        if let Some(Json::Str(exp)) = cfg.get(stream) {
            assert!(
                got.starts_with(exp.as_str()),
                "{name}: {stream} {got:?} does not start with {exp:?}"
            );
        }
    }
}

macro_rules! suite {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($name, "interp");
            }
        )*

        /// The same under the compiler tier.
        mod compiled {
            $(
                #[test]
                fn $test() {
                    super::check($name, "compile");
                }
            )*
        }

        /// The same with compilation on first call.
        mod auto {
            $(
                #[test]
                fn $test() {
                    super::check($name, "auto");
                }
            )*
        }

        /// The list above is the whole suite.
        #[test]
        fn all_72_tests_are_listed() {
            let listed: Vec<&str> = vec![$($name),*];
            let mut found = Vec::new();
            for dir in ["assemblyscript", "c", "rust"] {
                for e in std::fs::read_dir(suite_dir().join(dir)).unwrap() {
                    let p = e.unwrap().path();
                    if p.extension().is_some_and(|x| x == "wasm") {
                        found.push(format!("{dir}/{}", p.file_stem().unwrap().to_string_lossy()));
                    }
                }
            }
            found.sort();
            let mut listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
            listed.sort();
            assert_eq!(listed, found);
            assert_eq!(found.len(), 72);
        }
    };
}

suite! {
    assemblyscript_args_get_multiple_arguments => "assemblyscript/args_get-multiple-arguments",
    assemblyscript_args_sizes_get_multiple_arguments => "assemblyscript/args_sizes_get-multiple-arguments",
    assemblyscript_args_sizes_get_no_arguments => "assemblyscript/args_sizes_get-no-arguments",
    assemblyscript_environ_get_multiple_variables => "assemblyscript/environ_get-multiple-variables",
    assemblyscript_environ_sizes_get_multiple_variables => "assemblyscript/environ_sizes_get-multiple-variables",
    assemblyscript_environ_sizes_get_no_variables => "assemblyscript/environ_sizes_get-no-variables",
    assemblyscript_fd_write_to_invalid_fd => "assemblyscript/fd_write-to-invalid-fd",
    assemblyscript_fd_write_to_stdout => "assemblyscript/fd_write-to-stdout",
    assemblyscript_proc_exit_failure => "assemblyscript/proc_exit-failure",
    assemblyscript_proc_exit_success => "assemblyscript/proc_exit-success",
    assemblyscript_random_get_non_zero_length => "assemblyscript/random_get-non-zero-length",
    assemblyscript_random_get_zero_length => "assemblyscript/random_get-zero-length",
    c_clock_getres_monotonic => "c/clock_getres-monotonic",
    c_clock_getres_realtime => "c/clock_getres-realtime",
    c_clock_gettime_monotonic => "c/clock_gettime-monotonic",
    c_clock_gettime_realtime => "c/clock_gettime-realtime",
    c_fdopendir_with_access => "c/fdopendir-with-access",
    c_fopen_with_access => "c/fopen-with-access",
    c_fopen_with_no_access => "c/fopen-with-no-access",
    c_lseek => "c/lseek",
    c_pread_with_access => "c/pread-with-access",
    c_pwrite_with_access => "c/pwrite-with-access",
    c_pwrite_with_append => "c/pwrite-with-append",
    c_sock_shutdown_invalid_fd => "c/sock_shutdown-invalid_fd",
    c_sock_shutdown_not_sock => "c/sock_shutdown-not_sock",
    c_stat_dev_ino => "c/stat-dev-ino",
    rust_big_random_buf => "rust/big_random_buf",
    rust_clock_time_get => "rust/clock_time_get",
    rust_close_preopen => "rust/close_preopen",
    rust_dangling_fd => "rust/dangling_fd",
    rust_dangling_symlink => "rust/dangling_symlink",
    rust_dir_fd_op_failures => "rust/dir_fd_op_failures",
    rust_directory_seek => "rust/directory_seek",
    rust_fd_advise => "rust/fd_advise",
    rust_fd_fdstat_set_rights => "rust/fd_fdstat_set_rights",
    rust_fd_filestat_set => "rust/fd_filestat_set",
    rust_fd_flags_set => "rust/fd_flags_set",
    rust_fd_readdir => "rust/fd_readdir",
    rust_file_allocate => "rust/file_allocate",
    rust_file_pread_pwrite => "rust/file_pread_pwrite",
    rust_file_seek_tell => "rust/file_seek_tell",
    rust_file_truncation => "rust/file_truncation",
    rust_file_unbuffered_write => "rust/file_unbuffered_write",
    rust_fstflags_validate => "rust/fstflags_validate",
    rust_interesting_paths => "rust/interesting_paths",
    rust_isatty => "rust/isatty",
    rust_nofollow_errors => "rust/nofollow_errors",
    rust_overwrite_preopen => "rust/overwrite_preopen",
    rust_path_exists => "rust/path_exists",
    rust_path_filestat => "rust/path_filestat",
    rust_path_link => "rust/path_link",
    rust_path_open_create_existing => "rust/path_open_create_existing",
    rust_path_open_dirfd_not_dir => "rust/path_open_dirfd_not_dir",
    rust_path_open_missing => "rust/path_open_missing",
    rust_path_open_nonblock => "rust/path_open_nonblock",
    rust_path_open_preopen => "rust/path_open_preopen",
    rust_path_open_read_write => "rust/path_open_read_write",
    rust_path_rename => "rust/path_rename",
    rust_path_rename_dir_trailing_slashes => "rust/path_rename_dir_trailing_slashes",
    rust_path_symlink_trailing_slashes => "rust/path_symlink_trailing_slashes",
    rust_poll_oneoff_stdio => "rust/poll_oneoff_stdio",
    rust_readlink => "rust/readlink",
    rust_remove_directory_trailing_slashes => "rust/remove_directory_trailing_slashes",
    rust_remove_nonempty_directory => "rust/remove_nonempty_directory",
    rust_renumber => "rust/renumber",
    rust_sched_yield => "rust/sched_yield",
    rust_stdio => "rust/stdio",
    rust_symlink_create => "rust/symlink_create",
    rust_symlink_filestat => "rust/symlink_filestat",
    rust_symlink_loop => "rust/symlink_loop",
    rust_truncation_rights => "rust/truncation_rights",
    rust_unlink_file_trailing_slashes => "rust/unlink_file_trailing_slashes",
}
