//! Shared by the tests: run a WASI fixture through the embedding API with
//! captured output, and temporary directories.

#![allow(dead_code)] // each test file uses part of this

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::{Engine, Linker, Module, Store};
use weft_wasi::{WasiCtx, WasiCtxBuilder};

/// A fixture under `tests/wasm/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/wasm")
        .join(name)
}

/// A directory removed (with its contents) when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "weft-wasi-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run produced.
pub struct Output {
    /// `Some(status)` of `proc_exit`, `Some(0)` if `_start` returned.
    pub status: Option<i32>,
    /// The error if the run ended otherwise (a trap, a host error).
    pub error: Option<String>,
    pub stdout: String,
    pub stderr: String,
}

/// How to run a guest.
#[derive(Default)]
pub struct Run<'a> {
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub dirs: Vec<(PathBuf, String)>,
    pub stdin: Option<File>,
    pub configure: Option<&'a mut dyn FnMut(&mut WasiCtxBuilder)>,
}

struct Host {
    wasi: WasiCtx,
}

/// Runs `module` (a path) with `run`; stdout and stderr are captured.
pub fn run(module: &Path, mut run: Run<'_>) -> Output {
    let out_dir = TempDir::new("out");
    let out_path = out_dir.path().join("stdout");
    let err_path = out_dir.path().join("stderr");
    let mut b = WasiCtxBuilder::new();
    b.arg(module.file_name().unwrap().to_string_lossy());
    b.args(&run.args);
    for (k, v) in &run.env {
        b.env(k, v);
    }
    for (host, guest) in &run.dirs {
        b.preopened_dir(host, guest);
    }
    if let Some(f) = run.stdin.take() {
        b.stdin(f);
    }
    b.stdout(File::create(&out_path).unwrap());
    b.stderr(File::create(&err_path).unwrap());
    if let Some(c) = run.configure.as_mut() {
        c(&mut b);
    }
    let wasi = b.build().expect("build the WASI context");
    let engine = Engine::default();
    let module =
        Module::new(&engine, std::fs::read(module).expect("read fixture")).expect("module");
    let mut linker = Linker::new(&engine);
    weft_wasi::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi).unwrap();
    let mut store = Store::new(&engine, Host { wasi });
    let result = linker.instantiate(&mut store, &module).and_then(|i| {
        i.get_typed_func::<(), ()>(&mut store, "_start")?
            .call(&mut store, ())
    });
    drop(store);
    let (status, error) = match result {
        Ok(()) => (Some(0), None),
        Err(e) => match weft_wasi::exit_status(&e) {
            Some(code) => (Some(code), None),
            None => (None, Some(e.to_string())),
        },
    };
    Output {
        status,
        error,
        stdout: std::fs::read_to_string(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
    }
}
