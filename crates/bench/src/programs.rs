//! The benchmark programs: C programs compiled with zig
//! (`benches/programs/*.c`, rebuilt by `benches/build.sh`) and hand-written
//! WAT kernels (`benches/kernels/*.wat`). Each exports `run(i32) -> i32`.
//!
//! `n` is chosen so that one call takes a few hundred milliseconds under
//! wasmi on the reference machine; `expected` is `run(n)` as computed by
//! wasmtime 50 (`benches/checksums.py`), an engine independent of both.
//! `test_n` and `test_expected` are the same for a quick run, which the
//! crate's test checks under every engine.

use std::borrow::Cow;

/// The module's source.
pub enum Source {
    /// A compiled binary module.
    Binary(&'static [u8]),
    /// A module in the text format.
    Text(&'static str),
}

/// One benchmark program.
pub struct Program {
    /// Name in the table (the file's stem).
    pub name: &'static str,
    /// What it exercises.
    pub about: &'static str,
    /// The argument of `run`.
    pub n: i32,
    /// What `run(n)` returns.
    pub expected: i32,
    /// A small argument for the test that checks every engine's result.
    pub test_n: i32,
    /// What `run(test_n)` returns.
    pub test_expected: i32,
    /// The proposals beyond Wasm 2.0 it uses (names as `weft --features`
    /// spells them): only engines that support them run it, and it stays
    /// out of the geometric means of the 2.0 programs.
    pub needs: &'static [&'static str],
    source: Source,
}

impl Program {
    /// Whether `engine` runs this program: it supports every proposal the
    /// program needs, and runs this kind of program ([`Engine::runs_program`]).
    ///
    /// [`Engine::runs_program`]: crate::engines::Engine::runs_program
    pub fn runs_in(&self, engine: &dyn crate::engines::Engine) -> bool {
        let c_program = matches!(self.source, Source::Binary(_));
        self.needs.iter().all(|n| engine.supports(n)) && engine.runs_program(self.name, c_program)
    }

    /// The module in the binary format.
    pub fn wasm(&self) -> Cow<'static, [u8]> {
        match self.source {
            Source::Binary(b) => Cow::Borrowed(b),
            Source::Text(t) => match crate::engines::wat(t) {
                Ok(b) => Cow::Owned(b),
                // The kernels are part of this repository.
                Err(e) => panic!("benches/kernels/{}.wat: {e}", self.name),
            },
        }
    }
}

macro_rules! c_program {
    ($name:literal, $n:expr, $expected:expr, $test_n:expr, $test_expected:expr, $about:literal) => {
        Program {
            name: $name,
            about: $about,
            n: $n,
            expected: $expected,
            test_n: $test_n,
            test_expected: $test_expected,
            needs: &[],
            source: Source::Binary(include_bytes!(concat!(
                "../../../benches/programs/",
                $name,
                ".wasm"
            ))),
        }
    };
}

macro_rules! kernel {
    ($name:literal, $n:expr, $expected:expr, $test_n:expr, $test_expected:expr, $about:literal $(, needs $($need:literal)+)?) => {
        Program {
            name: $name,
            about: $about,
            n: $n,
            expected: $expected,
            test_n: $test_n,
            test_expected: $test_expected,
            needs: &[$($($need),+)?],
            source: Source::Text(include_str!(concat!(
                "../../../benches/kernels/",
                $name,
                ".wat"
            ))),
        }
    };
}

/// Every program, in table order.
#[rustfmt::skip] // a table
pub fn all() -> Vec<Program> {
    vec![
        //         name             n           expected     test_n   test_expected
        c_program!("fib",           36,         14930352,    20,      6765,        "calls: doubly recursive Fibonacci"),
        c_program!("collatz",       700_000,    215836245,   10_000,  1371399,     "tight i64 loop: Collatz stopping times"),
        c_program!("sieve",         30,         -730775349,  1,       82025,       "byte loops: sieve of Eratosthenes to 2^20"),
        c_program!("matmul",        40,         1247132498,  1,       938913296,   "memory-heavy: 128x128 i32 matrix multiply"),
        c_program!("nbody",         700_000,    510873,      1_000,   521134,      "f64 numerics: n-body simulation"),
        c_program!("mandelbrot",    1200,       -331691046,  100,     206883348,   "f64 numerics: Mandelbrot set"),
        c_program!("vm",            7000,       1794608014,  50,      -1292014218, "branchy dispatch: register bytecode VM (switch)"),
        c_program!("sha256",        400,        1424049696,  5,       354001251,   "hashing: SHA-256 of 16 KiB"),
        c_program!("sort",          15,         -1617048290, 1,       828948846,   "sorting: quicksort and heapsort of 50,000 words"),
        c_program!("lz77",          36,         -400476064,  1,       554334909,   "compression: LZSS with hash chains, round trip"),
        c_program!("malloc",        150,        2016604953,  2,       177268279,   "malloc-heavy: free-list allocator, binary trees"),
        c_program!("coremark",      1500,       1246936846,  20,      -1269192748, "mixed: list, matrix, state machine, CRC-16"),
        kernel!("i64_arith",        50_000_000, 2026307349,  100_000, -444753340,  "WAT: i64 mix, rotate, divide loop"),
        kernel!("br_table",         30_000_000, 1278959428,  100_000, 632611311,   "WAT: br_table over 9 targets in a loop"),
        kernel!("call_indirect",    15_000_000, 595129818,   100_000, -2003774540, "WAT: call_indirect through 8 functions"),
        // Wasm 3.0: only for the engines that support what they need.
        kernel!("binary_trees",     14,         3156655,     10,      131759,      "WAT, GC: binary trees of structs", needs "gc"),
        kernel!("structs",          3_000,      511096259,   10,      -322112948,  "WAT, GC: 1,000 mutable structs in an array", needs "gc"),
        kernel!("tail_calls",       50_000_000, -1864809630, 1_000,   -1415895273, "WAT: a loop as mutual return_call", needs "tail-call"),
        kernel!("throw_catch",      1_000_000,  -318342645,  1_000,   -966745485,  "WAT: a throw caught 10 frames up, in a loop", needs "exceptions"),
    ]
}
