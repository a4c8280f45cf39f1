//! Differential validation: Weft's verdict (decode, then validate) against
//! wasmparser's on random modules.
//!
//! Modules come from wasm-smith, configured for exactly WebAssembly 2.0, and
//! fed from fixed seeds through a small xorshift generator, so every run
//! checks the same modules. wasm-smith only produces valid modules, so a
//! share of them is mutated (a flipped bit, a replaced, inserted or deleted
//! byte or instruction, inside a function body with its sizes fixed up, inside
//! another section, or anywhere in the raw file) so that about half of the
//! verdicts are "invalid or malformed". Only the verdict is compared:
//! wasmparser does not tell malformed from invalid, and its messages are its
//! own.
//!
//! wasmparser departs from the 2.0 spec in two known ways, each shown on a
//! small module by `known_wasmparser_divergences`:
//! - implementation limits the spec does not have (the JS API's limits: at
//!   most 50,000 locals per function, 1,000 parameters or results, 100,000
//!   bytes in a name, 10,000,000 elements in a segment, ...; see
//!   `WASMPARSER_LIMITS`): Weft accepts, wasmparser rejects;
//! - the 3.0 long forms `0x63 0x70` / `0x63 0x6f` of `funcref` / `externref`
//!   (see `long_form_ref_type`): wasmparser accepts them under 2.0, Weft
//!   rejects them as malformed, as the reference interpreter does.
//!
//! A disagreement explained by one of these is printed as a "known
//! divergence" and is not a failure. Every other disagreement fails the
//! test, after printing the seed, the mutation, both verdicts and both
//! messages, and writing the module to the test's scratch directory.
//!
//! `WEFT_DIFF_MODULES=N` checks N modules instead of the default 20,000;
//! `WEFT_DIFF_SEED=S` checks only the module of seed S and prints it.

use arbitrary::Unstructured;
use std::fmt::Write as _;
use std::time::Instant;
use weft_syntax::Features;
use weft_testkit::{assemble, code_bodies, env_u64, hex, sections, write_leb, XorShift};

/// Modules checked by a plain `cargo test`.
const DEFAULT_MODULES: u64 = 20_000;

/// Messages (substrings) of wasmparser's implementation limits, which the
/// spec does not have (`wasmparser/src/limits.rs`).
const WASMPARSER_LIMITS: &[&str] = &[
    // Counts of types, functions, imports, exports, globals, tables,
    // memories, element and data segments.
    "count exceeds limit of",
    // `read_size` limits: function params and results (1,000), br_table
    // targets, typed select arity, rec group sizes.
    "size is out of bounds",
    // 50,000 locals per function (the spec allows up to 2^32 - 1).
    "too many locals: locals exceed maximum",
    // Names of at most 100,000 bytes.
    "string size out of bounds",
    // Element segments of at most 10,000,000 entries.
    "number of elements is out of bounds",
    "effective type size exceeds the limit",
];

/// A wasm-smith configuration for exactly WebAssembly 2.0, with the shape
/// knobs drawn from `rng`.
fn config(rng: &mut XorShift) -> wasm_smith::Config {
    let mut c = weft_testkit::wasm2_config();
    // Reference types allow several tables.
    c.max_tables = 1 + rng.below(4);
    c.max_instructions = [10, 50, 100, 300][rng.below(4)];
    c.max_funcs = [5, 20, 100][rng.below(3)];
    c.min_funcs = rng.below(4);
    c.max_imports = [0, 5, 100][rng.below(3)];
    c.min_uleb_size = if rng.chance(1, 8) {
        1 + rng.below(5) as u8
    } else {
        1
    };
    c.allow_floats = !rng.chance(1, 8);
    c.canonicalize_nans = rng.chance(1, 8);
    c.disallow_traps = rng.chance(1, 8);
    c.export_everything = rng.chance(1, 8);
    c.generate_custom_sections = rng.chance(1, 4);
    c.memory_max_size_required = rng.chance(1, 4);
    c.table_max_size_required = rng.chance(1, 4);
    c.bulk_memory_enabled = !rng.chance(1, 16);
    c.reference_types_enabled = !rng.chance(1, 16);
    c.simd_enabled = !rng.chance(1, 16);
    // Raw input bytes as some function bodies: mostly invalid, sometimes
    // malformed, occasionally valid.
    c.allow_invalid_funcs = rng.chance(1, 16);
    c
}

/// Makes a wasm-smith module from `rng`, and whether some of its bodies may
/// be raw bytes.
fn generate(rng: &mut XorShift) -> (Vec<u8>, bool) {
    loop {
        if let Some(m) = try_generate(rng) {
            return m;
        }
    }
}

/// `None` if wasm-smith gave up on its input.
fn try_generate(rng: &mut XorShift) -> Option<(Vec<u8>, bool)> {
    let config = config(rng);
    let raw_funcs = config.allow_invalid_funcs;
    let len = if rng.chance(1, 10) {
        8192 + rng.below(32768)
    } else {
        64 + rng.below(8192)
    };
    let mut data = vec![0u8; len];
    rng.fill(&mut data);
    let mut u = Unstructured::new(&data);
    let m = wasm_smith::Module::new(config, &mut u).ok()?;
    Some((m.to_bytes(), raw_funcs))
}

// ----- mutations ------------------------------------------------------------

/// Byte values that tend to matter: `end`, `else`, LEB continuation, the
/// prefixes, type codes, block types.
const INTERESTING: &[u8] = &[
    0x00, 0x01, 0x02, 0x05, 0x0b, 0x0f, 0x1a, 0x40, 0x6f, 0x70, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80,
    0xfc, 0xfd, 0xff,
];

/// Short instruction sequences whose insertion usually keeps a body
/// well-formed but often breaks typing.
const SNIPPETS: &[&[u8]] = &[
    &[0x1a],                                                       // drop
    &[0x41, 0x00],                                                 // i32.const 0
    &[0x42, 0x7f],                                                 // i64.const -1
    &[0x43, 0, 0, 0x80, 0x3f],                                     // f32.const 1
    &[0x20, 0x00],                                                 // local.get 0
    &[0x21, 0x01],                                                 // local.set 1
    &[0x23, 0x00],                                                 // global.get 0
    &[0x24, 0x00],                                                 // global.set 0
    &[0x6a],                                                       // i32.add
    &[0x7c],                                                       // i64.add
    &[0x10, 0x00],                                                 // call 0
    &[0x11, 0x00, 0x00],                                           // call_indirect 0 0
    &[0x0c, 0x00],                                                 // br 0
    &[0x0d, 0x01],                                                 // br_if 1
    &[0x0f],                                                       // return
    &[0x00],                                                       // unreachable
    &[0x02, 0x40],                                                 // block
    &[0x0b],                                                       // end
    &[0x05],                                                       // else
    &[0x1b],                                                       // select
    &[0x1c, 0x01, 0x7f],                                           // select (result i32)
    &[0xd0, 0x70],                                                 // ref.null func
    &[0xd1],                                                       // ref.is_null
    &[0xd2, 0x00],                                                 // ref.func 0
    &[0x25, 0x00],                                                 // table.get 0
    &[0x28, 0x02, 0x00],                                           // i32.load
    &[0x36, 0x02, 0x00],                                           // i32.store
    &[0x3f, 0x00],                                                 // memory.size
    &[0xfc, 0x08, 0x00, 0x00],                                     // memory.init 0
    &[0xfc, 0x09, 0x00],                                           // data.drop 0
    &[0xfc, 0x0c, 0x00, 0x00],                                     // table.init 0 0
    &[0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // v128.const
    &[0xfd, 0x15, 0x03],                                           // i8x16.extract_lane_s 3
    &[0xfd, 0x6e],                                                 // i8x16.add
    &[0xfd, 0x00, 0x04, 0x00],                                     // v128.load
    &[0xfd, 0x54, 0x00, 0x00, 0x0f],                               // v128.load8_lane 15
    &[0x02, 0x7f],                                                 // block (result i32)
    &[0x02, 0x00],                                                 // block (type 0)
    &[0x03, 0x40],                                                 // loop
    &[0x04, 0x40],                                                 // if
    &[0x0e, 0x02, 0x00, 0x01, 0x00],                               // br_table 0 1 0
    &[0x11, 0x01, 0x01],                                           // call_indirect 1 1
    &[0x1c, 0x01, 0x70],                                           // select (result funcref)
    &[0xd2, 0x03],                                                 // ref.func 3
    &[0x20, 0x03],                                                 // local.get 3
    &[0x22, 0x02],                                                 // local.tee 2
    &[0x24, 0x01],                                                 // global.set 1
    &[0x26, 0x01],                                                 // table.set 1
    &[0x40, 0x00],                                                 // memory.grow
    &[0xfc, 0x0a, 0x00, 0x00],                                     // memory.copy
    &[0xfc, 0x0b, 0x00],                                           // memory.fill
    &[0xfc, 0x0d, 0x00],                                           // elem.drop 0
    &[0xfc, 0x0e, 0x01, 0x00],                                     // table.copy 1 0
    &[0xfc, 0x0f, 0x00],                                           // table.grow 0
    &[0xfc, 0x10, 0x01],                                           // table.size 1
    &[0xfc, 0x11, 0x00],                                           // table.fill 0
    &[0xfc, 0x01],                                                 // i32.trunc_sat_f32_u
    &[0xc0],                                                       // i32.extend8_s
];

/// One random change to `bytes` (never empty afterwards unless it was).
fn mutate_bytes(rng: &mut XorShift, bytes: &mut Vec<u8>, log: &mut String) {
    let len = bytes.len();
    let kind = if len == 0 { 4 } else { rng.below(7) };
    match kind {
        0 => {
            let i = rng.below(len);
            let bit = rng.below(8);
            bytes[i] ^= 1 << bit;
            let _ = write!(log, " flip@{i}.{bit}");
        }
        1 => {
            let i = rng.below(len);
            bytes[i] = rng.next_u64() as u8;
            let _ = write!(log, " set@{i}={:#x}", bytes[i]);
        }
        2 => {
            let i = rng.below(len);
            bytes[i] = INTERESTING[rng.below(INTERESTING.len())];
            let _ = write!(log, " set@{i}={:#x}", bytes[i]);
        }
        3 => {
            let i = rng.below(len);
            let b = bytes.remove(i);
            let _ = write!(log, " del@{i}({b:#x})");
        }
        4 => {
            let i = rng.below(len + 1);
            let b = if rng.chance(1, 2) {
                rng.next_u64() as u8
            } else {
                INTERESTING[rng.below(INTERESTING.len())]
            };
            bytes.insert(i, b);
            let _ = write!(log, " ins@{i}={b:#x}");
        }
        5 => {
            let i = rng.below(len + 1);
            let s = SNIPPETS[rng.below(SNIPPETS.len())];
            bytes.splice(i..i, s.iter().copied());
            let _ = write!(log, " ins@{i}={s:02x?}");
        }
        _ => {
            // Overwrite with a snippet (same length where it fits).
            let i = rng.below(len);
            let s = SNIPPETS[rng.below(SNIPPETS.len())];
            let end = (i + s.len()).min(len);
            bytes.splice(i..end, s.iter().copied());
            let _ = write!(log, " put@{i}={s:02x?}");
        }
    }
}

/// The offsets in `body` (a function body: locals, then instructions) where
/// instructions start, and its length; `None` unless wasmparser reads the
/// body.
fn instr_starts(body: &[u8]) -> Option<Vec<usize>> {
    let fb = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(body, 0));
    let mut ops = fb.get_operators_reader().ok()?;
    let mut starts = Vec::new();
    while !ops.eof() {
        starts.push(usize::try_from(ops.original_position()).ok()?);
        ops.read().ok()?;
    }
    starts.push(body.len());
    Some(starts)
}

/// One change at instruction granularity: the body stays well-formed more
/// often than not, so the validator's typing rules are what rejects it.
fn mutate_instrs(rng: &mut XorShift, body: &mut Vec<u8>, starts: &[usize], log: &mut String) {
    // Instruction i spans starts[i]..starts[i + 1].
    let n = starts.len() - 1;
    if n == 0 {
        return mutate_bytes(rng, body, log);
    }
    let i = rng.below(n);
    let (a, b) = (starts[i], starts[i + 1]);
    let instr = body[a..b].to_vec();
    match rng.below(5) {
        0 => {
            body.drain(a..b);
            let _ = write!(log, " del-instr@{a}={instr:02x?}");
        }
        1 => {
            let at = starts[rng.below(n + 1)];
            body.splice(at..at, instr.iter().copied());
            let _ = write!(log, " copy-instr {instr:02x?}@{at}");
        }
        2 if i + 1 < n => {
            let c = starts[i + 2];
            let next = body[b..c].to_vec();
            body.splice(a..c, next.iter().chain(&instr).copied());
            let _ = write!(log, " swap-instrs@{a}");
        }
        3 => {
            let at = starts[rng.below(n + 1)];
            let s = SNIPPETS[rng.below(SNIPPETS.len())];
            body.splice(at..at, s.iter().copied());
            let _ = write!(log, " ins-instr@{at}={s:02x?}");
        }
        _ => {
            let s = SNIPPETS[rng.below(SNIPPETS.len())];
            body.splice(a..b, s.iter().copied());
            let _ = write!(log, " replace-instr@{a}={s:02x?}");
        }
    }
}

/// Where a module is mutated.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Inside one function body, with the body and section sizes fixed up.
    Body,
    /// Inside one section, with its size fixed up.
    Section,
    /// Anywhere in the file, header and sizes included.
    Raw,
}

/// Mutates a wasm-smith module. Returns a description of what was done.
fn mutate(rng: &mut XorShift, wasm: &mut Vec<u8>, mode: Mode) -> String {
    let mut log = String::new();
    let n = 1 + rng.below(3) * rng.below(2);
    let mut secs = match sections(wasm) {
        Some(secs) if mode != Mode::Raw && !secs.is_empty() => secs,
        _ => {
            log.push_str("raw:");
            for _ in 0..n {
                mutate_bytes(rng, wasm, &mut log);
            }
            return log;
        }
    };
    let code = secs.iter().position(|s| s.0 == 10);
    match code {
        Some(c) if mode == Mode::Body => {
            let code = &mut secs[c].1;
            let mut bodies = code_bodies(code);
            if bodies.is_empty() {
                log.push_str("code section (no body):");
                for _ in 0..n {
                    mutate_bytes(rng, code, &mut log);
                }
            } else {
                let f = rng.below(bodies.len());
                let _ = write!(log, "body {f}:");
                for _ in 0..n {
                    match instr_starts(&bodies[f]) {
                        Some(starts) if rng.chance(4, 5) => {
                            mutate_instrs(rng, &mut bodies[f], &starts, &mut log)
                        }
                        _ => mutate_bytes(rng, &mut bodies[f], &mut log),
                    }
                }
                let mut out = Vec::new();
                write_leb(&mut out, bodies.len() as u64);
                for b in &bodies {
                    write_leb(&mut out, b.len() as u64);
                    out.extend_from_slice(b);
                }
                *code = out;
            }
        }
        _ => {
            let i = rng.below(secs.len());
            let _ = write!(log, "section {} (id {}):", i, secs[i].0);
            for _ in 0..n {
                mutate_bytes(rng, &mut secs[i].1, &mut log);
            }
        }
    }
    *wasm = assemble(&secs);
    log
}

// ----- verdicts -------------------------------------------------------------

/// Weft's verdict: `Err` with the class and message, and the offset.
fn weft_verdict(wasm: &[u8]) -> Result<(), (String, Option<usize>)> {
    let module = weft_binary::decode(wasm, Features::WASM2)
        .map_err(|e| (format!("malformed: {e}"), Some(e.offset)))?;
    weft_valid::validate(&module, Features::WASM2).map_err(|e| {
        let class = if e.malformed { "malformed" } else { "invalid" };
        (format!("{class}: {e}"), e.offset)
    })
}

/// Whether Weft's error at `offset` is about the 3.0 long form of a 2.0
/// reference type: `0x63 0x70` (`ref null func`, the same type as
/// `funcref`) or `0x63 0x6f` (`ref null extern`, i.e. `externref`).
/// wasmparser decodes reference types with the 3.0 grammar and then checks
/// only that the *type* is allowed under the enabled features, so it accepts
/// these encodings under Wasm 2.0; the 2.0 binary format (§5.3.3) has only
/// the one-byte forms, and the reference interpreter rejects them as
/// malformed. The offset is that of the type, or of the block instruction
/// whose block type it is.
fn long_form_ref_type(wasm: &[u8], offset: Option<usize>) -> bool {
    let Some(at) = offset else { return false };
    (at..at + 2).any(|p| wasm.get(p) == Some(&0x63) && matches!(wasm.get(p + 1), Some(0x6f | 0x70)))
}

/// A known divergence of wasmparser from the spec behind a disagreement,
/// if there is one.
fn known_divergence(
    wasm: &[u8],
    weft: &Result<(), (String, Option<usize>)>,
    wp: &Result<(), String>,
) -> Option<&'static str> {
    match (weft, wp) {
        (Ok(()), Err(m)) if WASMPARSER_LIMITS.iter().any(|l| m.contains(l)) => {
            Some("wasmparser implementation limit")
        }
        (Err((_, offset)), Ok(())) if long_form_ref_type(wasm, *offset) => {
            Some("wasmparser accepts a long-form reference type")
        }
        _ => None,
    }
}

fn wasmparser_verdict(wasm: &[u8]) -> Result<(), String> {
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::WASM2);
    v.validate_all(wasm).map(|_| ()).map_err(|e| e.to_string())
}

/// What checking one seed found.
#[derive(Default)]
struct Tally {
    modules: u64,
    mutated: u64,
    valid: u64,
    invalid: u64,
    weft_malformed: u64,
    /// Disagreements explained by a known wasmparser divergence.
    divergences: Vec<String>,
    mismatches: Vec<String>,
    /// Weft's rejection messages, numbers and offsets left out, and how
    /// often each was seen.
    messages: std::collections::BTreeMap<String, u64>,
    /// Per kind of mutation ("unmutated", "body", "section", "raw"): how
    /// many modules, and how many of them Weft rejected.
    kinds: std::collections::BTreeMap<&'static str, (u64, u64)>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.modules += other.modules;
        self.mutated += other.mutated;
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.weft_malformed += other.weft_malformed;
        self.divergences.extend(other.divergences);
        self.mismatches.extend(other.mismatches);
        for (m, n) in other.messages {
            *self.messages.entry(m).or_default() += n;
        }
        for (k, (n, r)) in other.kinds {
            let e = self.kinds.entry(k).or_default();
            e.0 += n;
            e.1 += r;
        }
    }
}

/// Checks the module of `seed`.
fn check_seed(seed: u64, verbose: bool) -> Tally {
    let mut rng = XorShift::new(seed);
    // Mutate a bit over half of the modules (some mutations keep the module
    // valid, which brings the invalid verdicts to about half), mostly inside
    // function bodies, where the validator does most of its work.
    let mode = match rng.below(100) {
        0..=44 => None,
        45..=84 => Some(Mode::Body),
        85..=94 => Some(Mode::Section),
        _ => Some(Mode::Raw),
    };
    let (mut wasm, mut raw_funcs) = generate(&mut rng);
    // A body mutation wants a module with code: give wasm-smith a few
    // more tries to make one.
    for _ in 0..8 {
        if mode != Some(Mode::Body) || sections(&wasm).is_some_and(|s| s.iter().any(|s| s.0 == 10))
        {
            break;
        }
        (wasm, raw_funcs) = generate(&mut rng);
    }
    let mut t = Tally {
        modules: 1,
        ..Tally::default()
    };
    let what = if let Some(mode) = mode {
        t.mutated = 1;
        mutate(&mut rng, &mut wasm, mode)
    } else {
        String::from("unmutated")
    };
    let weft_at = weft_verdict(&wasm);
    let weft = weft_at.clone().map_err(|e| e.0);
    let wp = wasmparser_verdict(&wasm);
    if verbose {
        eprintln!("seed {seed}: {what}\n  weft:       {weft:?}\n  wasmparser: {wp:?}\n  module ({} bytes): {}", wasm.len(), hex(&wasm));
    }
    if let Err(e) = &weft {
        let m = e.split(" (at offset").next().unwrap_or(e);
        t.messages.insert(message_shape(m), 1);
    }
    let kind = ["unmutated", "body", "code section", "section", "raw"]
        .into_iter()
        .find(|k| what.starts_with(k))
        .unwrap_or("other");
    t.kinds.insert(kind, (1, u64::from(weft.is_err())));
    if weft.is_ok() {
        t.valid = 1;
    } else {
        t.invalid = 1;
        if weft.as_ref().is_err_and(|e| e.starts_with("malformed")) {
            t.weft_malformed = 1;
        }
    }
    let report = |kind: &str| {
        let path =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("diff-{seed}.wasm"));
        let _ = std::fs::write(&path, &wasm);
        format!(
            "{kind} seed {seed} ({what}; wasm-smith raw bodies: {raw_funcs})\n  weft:       {}\n  wasmparser: {}\n  module: {} (again: WEFT_DIFF_SEED={seed} cargo test -p weft-wast --test differential)",
            verdict(&weft),
            verdict(&wp),
            path.display()
        )
    };
    if weft.is_ok() != wp.is_ok() {
        match known_divergence(&wasm, &weft_at, &wp) {
            Some(why) => t
                .divergences
                .push(report(&format!("known divergence ({why}):"))),
            None => t.mismatches.push(report("MISMATCH")),
        }
    }
    // An unmutated wasm-smith module must be valid under 2.0, or the
    // configuration lets something newer in.
    if t.mutated == 0 && !raw_funcs && wp.is_err() {
        t.mismatches.push(report(
            "CONFIG (wasm-smith made a module wasmparser rejects under WASM2)",
        ));
    }
    t
}

/// A message with its numbers (not those in type names such as `i32`)
/// replaced by `N`, cut to 70 characters: messages of one kind group
/// together.
fn message_shape(m: &str) -> String {
    let mut out = String::new();
    let mut prev = ' ';
    for c in m.chars() {
        if c.is_ascii_digit() && !prev.is_ascii_alphanumeric() {
            out.push('N');
        } else if !(c.is_ascii_digit() && prev.is_ascii_digit() && out.ends_with('N')) {
            out.push(c);
        }
        prev = c;
    }
    out.chars().take(70).collect()
}

fn verdict(v: &Result<(), String>) -> String {
    match v {
        Ok(()) => "valid".to_string(),
        Err(m) => format!("rejected: {m}"),
    }
}

#[test]
fn config_is_exactly_wasm2() {
    // wasm-smith's own account of the features its configuration needs.
    let mut rng = XorShift::new(0);
    let mut c = config(&mut rng);
    c.bulk_memory_enabled = true;
    c.reference_types_enabled = true;
    c.simd_enabled = true;
    assert_eq!(c.features(), wasmparser::WasmFeatures::WASM2);
}

/// The divergences `known_divergence` explains, each shown on a small
/// module: Weft follows the spec, wasmparser does not, and the test says so
/// if that ever changes.
#[test]
fn known_wasmparser_divergences() {
    fn module(sections: &[(u8, &[u8])]) -> Vec<u8> {
        let s: Vec<_> = sections.iter().map(|(id, c)| (*id, c.to_vec())).collect();
        assemble(&s)
    }
    let ty = (1, &[1, 0x60, 0, 0][..]);
    let func = (3, &[1, 0][..]);
    let code = |body: &[u8]| {
        let mut c = vec![1];
        write_leb(&mut c, body.len() as u64);
        c.extend_from_slice(body);
        c
    };
    // Long-form reference types (rejected by Weft as malformed).
    let long_forms: Vec<(&str, Vec<u8>)> = vec![
        (
            "table of (ref null func)",
            module(&[(4, &[1, 0x63, 0x70, 0, 1])]),
        ),
        (
            "global of (ref null extern)",
            module(&[(6, &[1, 0x63, 0x6f, 0, 0xd0, 0x6f, 0x0b])]),
        ),
        (
            "local of (ref null extern)",
            module(&[ty, func, (10, &code(&[1, 1, 0x63, 0x6f, 0x0b]))]),
        ),
        (
            "block (result (ref null func))",
            module(&[
                ty,
                func,
                (
                    10,
                    &code(&[0, 0x02, 0x63, 0x70, 0xd0, 0x70, 0x0b, 0x1a, 0x0b]),
                ),
            ]),
        ),
        (
            "elem segment of (ref null extern)",
            module(&[(9, &[1, 0x05, 0x63, 0x6f, 0])]),
        ),
    ];
    // Implementation limits (accepted by Weft as valid).
    let mut many_locals = vec![1];
    write_leb(&mut many_locals, 50_001);
    many_locals.extend_from_slice(&[0x7f, 0x0b]);
    let mut many_params = vec![1, 0x60];
    write_leb(&mut many_params, 1001);
    many_params.extend_from_slice(&[0x7f; 1001]);
    many_params.push(0);
    let limits: Vec<(&str, Vec<u8>)> = vec![
        (
            "50,001 locals",
            module(&[ty, func, (10, &code(&many_locals))]),
        ),
        ("1,001 parameters", module(&[(1, &many_params)])),
    ];
    for (what, wasm) in long_forms.iter().chain(&limits) {
        let weft = weft_verdict(wasm);
        let wp = wasmparser_verdict(wasm);
        eprintln!("{what}: weft {weft:?}, wasmparser {wp:?}");
        assert_ne!(weft.is_ok(), wp.is_ok(), "{what}: the divergence is gone");
        assert!(
            known_divergence(wasm, &weft, &wp).is_some(),
            "{what}: not recognised"
        );
    }
}

#[test]
fn same_verdict_as_wasmparser() {
    if let Some(seed) = env_u64("WEFT_DIFF_SEED") {
        let t = check_seed(seed, true);
        assert!(t.mismatches.is_empty(), "{}", t.mismatches.join("\n"));
        return;
    }
    let wanted = env_u64("WEFT_DIFF_MODULES").unwrap_or(DEFAULT_MODULES);
    let start = Instant::now();
    let total = weft_testkit::run_seeds(wanted, None, |seed| check_seed(seed, false), Tally::add);
    let secs = start.elapsed().as_secs_f64();
    let mut messages: Vec<_> = total.messages.iter().collect();
    messages.sort_by(|a, b| b.1.cmp(a.1));
    eprintln!("Weft's most frequent rejections:");
    for (m, n) in messages.iter().take(25) {
        eprintln!("{n:>8}  {m}");
    }
    for d in &total.divergences {
        eprintln!("{d}");
    }
    for m in &total.mismatches {
        eprintln!("{m}");
    }
    for (k, (n, r)) in &total.kinds {
        eprintln!("{k:>12}: {n:>7} modules, {r:>7} rejected by Weft");
    }
    eprintln!(
        "differential: {} modules ({} mutated) in {secs:.1} s: {} valid, {} invalid or malformed \
         ({} rejected as malformed by Weft); {} known wasmparser divergences; {} mismatches",
        total.modules,
        total.mutated,
        total.valid,
        total.invalid,
        total.weft_malformed,
        total.divergences.len(),
        total.mismatches.len()
    );
    assert!(
        total.mismatches.is_empty(),
        "{} of {} modules got a different verdict from Weft and wasmparser (listed above)",
        total.mismatches.len(),
        total.modules
    );
}
