//! Helpers shared by Weft's tests (a dev-dependency only, never published):
//! where the Wasm 2.0 and 3.0 spec testsuites are, its `.wast` scripts, a small
//! fixed-seed random number generator, a wasm-smith configuration for
//! exactly WebAssembly 2.0, LEB128 for hand-built modules, and small
//! reporting helpers.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// The Wasm 2.0 spec testsuite directory: `$WEFT_TESTSUITE_2_0`, or
/// `shared/testsuite-2.0` beside the repository (`../../../shared/testsuite-2.0`
/// from a crate's `CARGO_MANIFEST_DIR`).
///
/// Panics if it is missing: a silently skipped testsuite is a test that
/// passes for the wrong reason.
pub fn testsuite_2_0() -> PathBuf {
    let dir = match std::env::var_os("WEFT_TESTSUITE_2_0") {
        Some(d) => PathBuf::from(d),
        // This crate sits beside the others in `crates/`, so the path
        // from its manifest directory is the same as from theirs.
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testsuite-2.0"),
    };
    assert!(
        dir.is_dir(),
        "spec testsuite not found at {} (set WEFT_TESTSUITE_2_0)",
        dir.display()
    );
    dir
}

/// The Wasm 3.0 spec testsuite directory (3.0 at its root, with
/// `spec-core-extra/`, `custom/`, `proposals/` and `legacy/`):
/// `$WEFT_TESTSUITE_3_0`, or `shared/testsuite` beside the repository.
///
/// Panics if it is missing, like [`testsuite_2_0`].
pub fn testsuite_3_0() -> PathBuf {
    let dir = match std::env::var_os("WEFT_TESTSUITE_3_0") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testsuite"),
    };
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "3.0 spec testsuite (with its MANIFEST.tsv) not found at {} (set WEFT_TESTSUITE_3_0)",
        dir.display()
    );
    dir
}

/// Folders of the 3.0 testsuite whose scripts need another feature set than
/// `3.0,PROPOSAL`, with it: the threads proposal branched from Wasm 1.0 and
/// was never rebased, so its copies of `imports.wast` and `memory.wast`
/// expect a second table or memory to be invalid ("multiple tables",
/// "multiple memories") and memory sizes beyond 32 bits to be malformed.
pub const FOLDER_FEATURES: &[(&str, &str)] = &[("proposals/threads", "1.0,threads")];

/// The name of the feature set a script of the 3.0 testsuite runs with, by
/// its path relative to the testsuite: the folders of [`FOLDER_FEATURES`]
/// with theirs, `proposals/NAME/` with `3.0,NAME`, `legacy/` with
/// `3.0,legacy-exceptions`, everything else (the root, `spec-core-extra/`,
/// `custom/`) with `3.0`. The name may have no switch yet (see
/// `Features::from_name`).
pub fn feature_name_for(rel: &str) -> String {
    let parts: Vec<&str> = rel.split('/').collect();
    let folder = rel.rsplit_once('/').map_or("", |(f, _)| f);
    let listed = FOLDER_FEATURES.iter().find(|(f, _)| *f == folder);
    match (listed, &parts[..]) {
        (Some((_, name)), _) => name.to_string(),
        (None, ["proposals", proposal, _]) => format!("3.0,{proposal}"),
        (None, ["legacy", _]) => "3.0,legacy-exceptions".to_string(),
        (None, _) => "3.0".to_string(),
    }
}

/// Every `.wast` file under `dir`, recursively, sorted by path (each
/// directory's entries in order, subdirectories walked where they sort).
///
/// Panics if a directory cannot be read.
pub fn wast_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| {
                e.unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                    .path()
            })
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "wast") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

/// xorshift64*: small, fast, deterministic pseudo-random numbers, so that
/// every run of a test sees the same inputs.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator whose state is `seed` run through splitmix64 (so that
    /// nearby seeds give unrelated sequences; the state is never zero).
    pub fn new(seed: u64) -> XorShift {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        XorShift((z ^ (z >> 31)) | 1)
    }

    /// A generator whose state is `state` as is (it must not be zero, or
    /// every number is zero).
    pub fn from_state(state: u64) -> XorShift {
        XorShift(state)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0), from the high 32 bits (multiply and shift).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// In `0..n` as `next_u64() % n` (`0` for `n == 0`).
    pub fn below_mod(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `num / den` (by `below`).
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    /// Fills `buf`, eight bytes (little-endian) per number.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }

    /// `n` bytes, the low byte of one number each.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// A wasm-smith configuration for exactly WebAssembly 2.0: the proposals
/// merged into 2.0 on, everything after 2.0 off, at most one memory; every
/// other knob at wasm-smith's default. Tests set their shape knobs (and
/// e.g. `canonicalize_nans`) on top of it.
pub fn wasm2_config() -> wasm_smith::Config {
    wasm_smith::Config {
        // The proposals merged into 2.0 (mutable globals and the MVP are
        // always on in wasm-smith).
        simd_enabled: true,
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        // Everything after 2.0.
        tail_call_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        relaxed_simd_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        acquire_release_atomics_enabled: false,
        multibyte_array_access_enabled: false,
        // Wasm 2.0 has one memory.
        max_memories: 1,
        ..wasm_smith::Config::default()
    }
}

/// Appends `v` in unsigned LEB128 (minimal length).
pub fn write_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Reads an unsigned LEB128 `u32` at `*pos` and moves past it; `None` if
/// the bytes end, or the value does not fit in 32 bits within five bytes.
/// Lenient (no check of unused bits): for tests that walk modules they
/// built or mutated, not a decoder.
pub fn read_leb(bytes: &[u8], pos: &mut usize) -> Option<u32> {
    let mut result: u64 = 0;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        result |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return u32::try_from(result).ok();
        }
    }
    None
}

/// `bytes` in lowercase hexadecimal, for a failing test's report.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The number in environment variable `name`, if it is set. Panics if it
/// is set but not a number (a typo must not silently run the default).
pub fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a number")),
    )
}

/// The sections of a module with a well-formed section structure: (id,
/// contents) pairs after the 8-byte header; `None` if a size runs past the
/// end.
pub fn sections(bytes: &[u8]) -> Option<Vec<(u8, Vec<u8>)>> {
    let mut pos = 8;
    let mut out = Vec::new();
    while pos < bytes.len() {
        let id = bytes[pos];
        pos += 1;
        let size = read_leb(bytes, &mut pos)? as usize;
        out.push((id, bytes.get(pos..pos.checked_add(size)?)?.to_vec()));
        pos += size;
    }
    Some(out)
}

/// The function bodies of a code section's contents, as far as its counts
/// and sizes can be read (a body cut short by the end is kept as it is).
pub fn code_bodies(code: &[u8]) -> Vec<Vec<u8>> {
    let mut pos = 0;
    let count = read_leb(code, &mut pos).unwrap_or(0);
    let mut bodies = Vec::new();
    for _ in 0..count {
        let Some(size) = read_leb(code, &mut pos) else {
            break;
        };
        let end = (pos + size as usize).min(code.len());
        bodies.push(code[pos..end].to_vec());
        pos = end;
    }
    bodies
}

/// A module from (section id, contents) pairs, after the header.
pub fn assemble(sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for (id, contents) in sections {
        out.push(*id);
        write_leb(&mut out, contents.len() as u64);
        out.extend_from_slice(contents);
    }
    out
}

/// Runs `check(seed)` for seeds `0..n` on up to 8 worker threads (worker
/// `w` takes seeds `w`, `w + threads`, ...), each with a native stack of
/// `stack` bytes (`None`: the default), and folds the results into one
/// with `add`.
pub fn run_seeds<T: Default + Send>(
    n: u64,
    stack: Option<usize>,
    check: impl Fn(u64) -> T + Sync,
    add: impl Fn(&mut T, T) + Sync,
) -> T {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8) as u64;
    let (check, add) = (&check, &add);
    let mut total = T::default();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|w| {
                let mut b = std::thread::Builder::new();
                if let Some(size) = stack {
                    b = b.stack_size(size);
                }
                b.spawn_scoped(s, move || {
                    let mut t = T::default();
                    for seed in (w..n).step_by(threads as usize) {
                        add(&mut t, check(seed));
                    }
                    t
                })
                .expect("spawn a worker")
            })
            .collect();
        for w in workers {
            add(&mut total, w.join().expect("worker panicked"));
        }
    });
    total
}

/// The program the profiler tests sample (`crates/weft/tests/profiler.rs`,
/// `crates/cli/tests/profile.rs`): `$main` calls `$hot` (a loop of `n`
/// iterations) and `$cold` (`n / 16`), both through `$spin`.
pub const PROFILE_PROGRAM: &str = r#"(module
    (func $spin (param i32) (result i32)
        (local i32)
        (loop
            (local.set 1 (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const 3))))
            (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (local.get 1))
    (func $hot (param i32) (result i32) (call $spin (local.get 0)))
    (func $cold (param i32) (result i32)
        (call $spin (i32.div_u (local.get 0) (i32.const 16))))
    (func $main (export "main") (param i32) (result i32)
        (i32.add (call $hot (local.get 0)) (call $cold (local.get 0)))))"#;
