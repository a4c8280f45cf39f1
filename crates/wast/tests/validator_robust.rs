//! No input makes the decoder or the validator panic, recurse without bound,
//! allocate from an unchecked count, or take long.
//!
//! Inputs, all from fixed seeds: wasm-smith modules (Wasm 2.0) truncated,
//! bit-flipped and with vector counts replaced by huge ones; random bytes
//! with and without a valid header; and hand-made extremes: 100,000 nested
//! blocks, loops and ifs, deep nesting in constant expressions, huge local
//! counts, a million operands on the stack. Each input must give `Ok` or
//! `Err`; a panic is caught, reported with the input that caused it, and
//! fails the test once every input has been tried.
//!
//! `WEFT_ROBUST_MODULES=N` mutates N wasm-smith modules instead of 600.

use arbitrary::Unstructured;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};
use weft_syntax::Features;
use weft_testkit::{
    assemble as module, code_bodies, read_leb, sections, write_leb as leb, XorShift,
};

/// What decoding and validating gave.
#[derive(Debug, PartialEq)]
enum Outcome {
    Valid,
    Rejected(String),
}

/// Decodes and validates `wasm` under Wasm 2.0; a panic becomes `Err` with
/// its message.
fn run(wasm: &[u8]) -> Result<Outcome, String> {
    catch_unwind(AssertUnwindSafe(|| {
        match weft_binary::decode(wasm, Features::WASM2) {
            Err(e) => Outcome::Rejected(format!("malformed: {e}")),
            Ok(m) => match weft_valid::validate(&m, Features::WASM2) {
                Ok(()) => Outcome::Valid,
                Err(e) => Outcome::Rejected(e.to_string()),
            },
        }
    }))
    .map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "(non-string panic)".to_string())
    })
}

/// Inputs tried and panics met, with what caused them.
#[derive(Default)]
struct Log {
    inputs: u64,
    slowest: (Duration, String),
    panics: Vec<String>,
    /// Error messages longer than `LONG_MESSAGE` (not a failure, but a
    /// message should not grow with the input).
    long_messages: Vec<String>,
}

/// Messages longer than this are reported.
const LONG_MESSAGE: usize = 1000;

/// At most `n` characters of `s`.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!(
            "{}... ({} bytes)",
            s.chars().take(n).collect::<String>(),
            s.len()
        )
    }
}

impl Log {
    fn check(&mut self, what: impl Fn() -> String, wasm: &[u8]) -> Option<Outcome> {
        self.inputs += 1;
        let start = Instant::now();
        let r = run(wasm);
        let took = start.elapsed();
        if took > self.slowest.0 {
            self.slowest = (took, what());
        }
        match r {
            Ok(o) => {
                if let Outcome::Rejected(m) = &o {
                    if m.len() > LONG_MESSAGE {
                        self.long_messages.push(format!(
                            "NOTE: {} bytes of message for {}: {}",
                            m.len(),
                            what(),
                            clip(m, 150)
                        ));
                    }
                }
                Some(o)
            }
            Err(p) => {
                let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("robust-panic-{}.wasm", self.panics.len()));
                let _ = std::fs::write(&path, wasm);
                self.panics.push(format!(
                    "PANIC on {}: {p}\n  input: {}",
                    what(),
                    path.display()
                ));
                None
            }
        }
    }

    fn finish(self, name: &str) {
        for p in self.panics.iter().chain(&self.long_messages) {
            eprintln!("{p}");
        }
        eprintln!(
            "{name}: {} inputs, {} panics; slowest {:.1} ms ({})",
            self.inputs,
            self.panics.len(),
            self.slowest.0.as_secs_f64() * 1e3,
            self.slowest.1
        );
        assert!(
            self.panics.is_empty(),
            "{name}: {} inputs panicked (listed above)",
            self.panics.len()
        );
    }
}

// ----- binary helpers ---------------------------------------------------

/// A vector section: count, then the items' bytes.
fn vec_section(count: u64, items: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    leb(&mut out, count);
    out.extend_from_slice(items);
    out
}

/// A module with one function of type `[] -> results` whose body (locals
/// then instructions) is `body`.
fn one_func(results: &[u8], body: &[u8]) -> Vec<u8> {
    let mut ty = vec![0x60, 0x00];
    leb(&mut ty, results.len() as u64);
    ty.extend_from_slice(results);
    let mut code = Vec::new();
    leb(&mut code, body.len() as u64);
    code.extend_from_slice(body);
    module(&[
        (1, vec_section(1, &ty)),
        (3, vec_section(1, &[0])),
        (10, vec_section(1, &code)),
    ])
}

/// `n` copies of `unit`.
fn repeat(unit: &[u8], n: usize) -> Vec<u8> {
    unit.repeat(n)
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

// ----- wasm-smith inputs --------------------------------------------------

fn smith_module(seed: u64) -> Vec<u8> {
    let mut rng = XorShift::new(seed);
    loop {
        // Exactly Wasm 2.0, with these shape knobs.
        let mut c = wasm_smith::Config {
            max_tables: 3,
            min_funcs: 1,
            max_instructions: 200,
            allow_invalid_funcs: rng.below(8) == 0,
            generate_custom_sections: rng.below(4) == 0,
            ..weft_testkit::wasm2_config()
        };
        c.min_uleb_size = if rng.below(8) == 0 { 5 } else { 1 };
        let mut data = vec![0u8; 256 + rng.below(8192)];
        rng.fill(&mut data);
        if let Ok(m) = wasm_smith::Module::new(c, &mut Unstructured::new(&data)) {
            return m.to_bytes();
        }
    }
}

/// Huge LEB128 values for counts.
const HUGE: &[u64] = &[u32::MAX as u64, 1 << 31, (1 << 28) + 1, 1_000_000, 100_000];

#[test]
fn mutated_wasm_smith_modules() {
    let mut log = Log::default();
    let mut rng = XorShift::new(7);
    let modules = std::env::var("WEFT_ROBUST_MODULES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600u64);
    for seed in 0..modules {
        let wasm = smith_module(seed);
        let name = |v: &str| format!("wasm-smith seed {seed}, {v}");
        log.check(|| name("as made"), &wasm);
        // Truncated: a few random lengths plus the last few bytes.
        for k in 0..12 {
            let len = if k < 4 {
                wasm.len().saturating_sub(k + 1)
            } else {
                rng.below(wasm.len())
            };
            log.check(|| name(&format!("truncated to {len}")), &wasm[..len]);
        }
        // Bit flips, one to three at a time.
        for _ in 0..12 {
            let mut w = wasm.clone();
            let mut flips = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let (i, b) = (rng.below(w.len()), rng.below(8));
                w[i] ^= 1 << b;
                flips.push((i, b));
            }
            log.check(|| name(&format!("bits flipped {flips:?}")), &w);
        }
        // Oversized counts: every section's leading count, and the locals
        // counts of every function body, replaced by huge values with the
        // enclosing sizes fixed up.
        let Some(secs) = sections(&wasm) else {
            continue;
        };
        for (s, (id, contents)) in secs.iter().enumerate() {
            if *id == 0 || *id == 8 || *id == 12 {
                continue; // custom (not a vector), start, data count
            }
            let mut pos = 0;
            if read_leb(contents, &mut pos).is_none() {
                continue;
            }
            let huge = HUGE[rng.below(HUGE.len())];
            let mut c = Vec::new();
            leb(&mut c, huge);
            c.extend_from_slice(&contents[pos..]);
            let mut secs2 = secs.clone();
            secs2[s].1 = c;
            log.check(
                || name(&format!("section {id} count {huge}")),
                &module(&secs2),
            );
        }
        if let Some(ci) = secs.iter().position(|s| s.0 == 10) {
            let code = &secs[ci].1;
            let bodies = code_bodies(code);
            for f in 0..bodies.len().min(4) {
                let body = &bodies[f];
                let mut p = 0;
                let Some(groups) = read_leb(body, &mut p) else {
                    continue;
                };
                let huge = HUGE[rng.below(HUGE.len())];
                // The locals vector's count, then the first group's count.
                let mut variants = Vec::new();
                let mut v = Vec::new();
                leb(&mut v, huge);
                v.extend_from_slice(&body[p..]);
                variants.push(v);
                if groups > 0 {
                    let mut q = p;
                    if read_leb(body, &mut q).is_some() {
                        let mut v = body[..p].to_vec();
                        leb(&mut v, huge);
                        v.extend_from_slice(&body[q..]);
                        variants.push(v);
                    }
                }
                for (k, v) in variants.into_iter().enumerate() {
                    let mut bodies2 = bodies.clone();
                    bodies2[f] = v;
                    let mut c = Vec::new();
                    leb(&mut c, bodies2.len() as u64);
                    for b in &bodies2 {
                        leb(&mut c, b.len() as u64);
                        c.extend_from_slice(b);
                    }
                    let mut secs2 = secs.clone();
                    secs2[ci].1 = c;
                    let what = if k == 0 {
                        "locals vector"
                    } else {
                        "first locals group"
                    };
                    log.check(
                        || name(&format!("body {f}: {what} count {huge}")),
                        &module(&secs2),
                    );
                }
            }
        }
        // A huge LEB written over random bytes, sizes not fixed up.
        for _ in 0..4 {
            let mut w = wasm.clone();
            let i = 8 + rng.below(w.len().saturating_sub(8).max(1));
            let mut h = Vec::new();
            leb(&mut h, HUGE[rng.below(HUGE.len())]);
            let end = (i + h.len()).min(w.len());
            w.splice(i.min(w.len())..end, h);
            log.check(|| name(&format!("huge LEB at {i}")), &w);
        }
    }
    log.finish("mutated wasm-smith modules");
}

#[test]
fn random_bytes() {
    let mut log = Log::default();
    let mut rng = XorShift::new(11);
    for i in 0..30_000u64 {
        let len = rng.below(if i % 10 == 0 { 4096 } else { 256 });
        let mut w = vec![0u8; len];
        rng.fill(&mut w);
        if i % 4 != 0 {
            // A valid header, then sections with plausible ids and sizes.
            let mut m = b"\0asm\x01\0\0\0".to_vec();
            let mut rest = &w[..];
            while rest.len() > 2 {
                let n = (rest[1] as usize % 64).min(rest.len() - 2);
                m.push(rest[0] % 14);
                leb(&mut m, n as u64);
                m.extend_from_slice(&rest[2..2 + n]);
                rest = &rest[2 + n..];
            }
            w = m;
        }
        log.check(|| format!("random input {i}"), &w);
    }
    log.finish("random bytes");
}

/// Checks a hand-made input, with its expected verdict (`None`: either).
fn extreme(log: &mut Log, what: &str, wasm: &[u8], valid: Option<bool>, limit: Duration) {
    let start = Instant::now();
    let outcome = log.check(|| what.to_string(), wasm);
    let took = start.elapsed();
    let shown = match &outcome {
        Some(Outcome::Rejected(m)) => format!("rejected: {}", clip(m, 150)),
        Some(Outcome::Valid) => "valid".to_string(),
        None => "PANIC".to_string(),
    };
    eprintln!("{what}: {shown} in {:.1} ms", took.as_secs_f64() * 1e3);
    assert!(took < limit, "{what}: took {took:?}");
    if let (Some(o), Some(v)) = (outcome, valid) {
        assert_eq!(o == Outcome::Valid, v, "{what}: {o:?}");
    }
}

#[test]
fn deep_nesting_and_huge_counts() {
    const N: usize = 100_000;
    let limit = Duration::from_secs(10);
    let mut log = Log::default();
    let log = &mut log;
    let end = &[0x0b][..];

    // 100,000 nested blocks, loops, ifs; balanced, so valid.
    let body = cat(&[&[0], &repeat(&[0x02, 0x40], N), &repeat(end, N), end]);
    extreme(
        log,
        "100,000 nested blocks",
        &one_func(&[], &body),
        Some(true),
        limit,
    );
    let body = cat(&[&[0], &repeat(&[0x03, 0x40], N), &repeat(end, N), end]);
    extreme(
        log,
        "100,000 nested loops",
        &one_func(&[], &body),
        Some(true),
        limit,
    );
    let body = cat(&[
        &[0],
        &repeat(&[0x41, 0x00, 0x04, 0x40], N),
        &repeat(end, N),
        end,
    ]);
    extreme(
        log,
        "100,000 nested ifs",
        &one_func(&[], &body),
        Some(true),
        limit,
    );
    // Nested blocks with results, and a branch out of all of them.
    let body = cat(&[
        &[0],
        &repeat(&[0x02, 0x7f], N),
        &[0x41, 0x07, 0x0c],
        &{
            let mut v = Vec::new();
            leb(&mut v, N as u64 - 1);
            v
        },
        &repeat(end, N),
        end,
    ]);
    extreme(
        log,
        "br out of 100,000 nested blocks",
        &one_func(&[0x7f], &body),
        Some(true),
        limit,
    );
    // A branch to a label one too deep.
    let body = cat(&[
        &[0],
        &repeat(&[0x02, 0x40], N),
        &[0x0c],
        &{
            let mut v = Vec::new();
            leb(&mut v, N as u64 + 1);
            v
        },
        &repeat(end, N),
        end,
    ]);
    extreme(
        log,
        "br to an unknown label under 100,000 blocks",
        &one_func(&[], &body),
        Some(false),
        limit,
    );
    // A type error at the bottom of the nesting.
    let body = cat(&[
        &[0],
        &repeat(&[0x02, 0x40], N),
        &[0x6a],
        &repeat(end, N),
        end,
    ]);
    extreme(
        log,
        "i32.add on an empty stack under 100,000 blocks",
        &one_func(&[], &body),
        Some(false),
        limit,
    );
    // Never closed: the body ends inside 100,000 blocks.
    let body = cat(&[&[0], &repeat(&[0x02, 0x40], N), end]);
    extreme(
        log,
        "100,000 unclosed blocks",
        &one_func(&[], &body),
        Some(false),
        limit,
    );
    // Deep nesting in an invalid body followed by a malformed one, so that
    // the validator's scan for malformed bodies also meets the nesting.
    {
        let b1 = cat(&[
            &[0],
            &repeat(&[0x02, 0x40], N),
            &[0x1a],
            &repeat(end, N),
            end,
        ]);
        let b2 = [0x00, 0xff, 0x0b];
        let mut code = Vec::new();
        leb(&mut code, 2);
        for b in [&b1[..], &b2[..]] {
            leb(&mut code, b.len() as u64);
            code.extend_from_slice(b);
        }
        let wasm = module(&[
            (1, vec_section(1, &[0x60, 0, 0])),
            (3, vec_section(2, &[0, 0])),
            (10, code),
        ]);
        extreme(
            log,
            "invalid deep body, then a malformed body",
            &wasm,
            Some(false),
            limit,
        );
    }
    // A million operands on the stack, then a million drops.
    let body = cat(&[
        &[0],
        &repeat(&[0x41, 0x00], 1_000_000),
        &repeat(&[0x1a], 1_000_000),
        end,
    ]);
    extreme(
        log,
        "1,000,000 operands",
        &one_func(&[], &body),
        Some(true),
        limit,
    );

    // Constant expressions: nesting and long sequences are not constant in
    // Wasm 2.0, and must be rejected quickly.
    let global = |init: &[u8]| {
        let mut g = vec![0x7f, 0x00];
        g.extend_from_slice(init);
        module(&[(6, vec_section(1, &g))])
    };
    let init = cat(&[
        &repeat(&[0x02, 0x7f], N),
        &[0x41, 0x00],
        &repeat(end, N),
        end,
    ]);
    extreme(
        log,
        "global init: 100,000 nested blocks",
        &global(&init),
        Some(false),
        limit,
    );
    let init = cat(&[&repeat(&[0x02, 0x7f], N), end]);
    extreme(
        log,
        "global init: 100,000 unclosed blocks",
        &global(&init),
        Some(false),
        limit,
    );
    let init = cat(&[&repeat(&[0x41, 0x01], N), &repeat(&[0x6a], N - 1), end]);
    extreme(
        log,
        "global init: 100,000 constants added up",
        &global(&init),
        Some(false),
        limit,
    );
    let init = cat(&[&repeat(&[0x41, 0x01], N), end]);
    extreme(
        log,
        "global init: 100,000 constants",
        &global(&init),
        Some(false),
        limit,
    );
    let init = repeat(&[0x41, 0x01], N);
    extreme(
        log,
        "global init: 100,000 constants, no end",
        &global(&init),
        Some(false),
        limit,
    );
    // An element segment of 100,000 constant expressions (valid).
    {
        let mut items = Vec::new();
        for _ in 0..N {
            items.extend_from_slice(&[0xd2, 0x00, 0x0b]);
        }
        let mut elem = vec![0x05, 0x70]; // passive, funcref, exprs
        leb(&mut elem, N as u64);
        elem.extend_from_slice(&items);
        let wasm = module(&[
            (1, vec_section(1, &[0x60, 0, 0])),
            (3, vec_section(1, &[0])),
            (9, vec_section(1, &elem)),
            (10, vec_section(1, &[2, 0, 0x0b])),
        ]);
        extreme(
            log,
            "elem segment of 100,000 expressions",
            &wasm,
            Some(true),
            limit,
        );
    }

    // Huge local counts: 2^32 - 1 locals is the most the spec allows;
    // one more is malformed. Neither may allocate per local.
    let mut body = vec![1];
    leb(&mut body, u32::MAX as u64);
    body.push(0x7e);
    body.extend_from_slice(&[0x20]);
    leb(&mut body, u32::MAX as u64 - 1);
    body.extend_from_slice(&[0x1a, 0x0b]);
    extreme(
        log,
        "2^32 - 1 locals, the last one read",
        &one_func(&[], &body),
        Some(true),
        limit,
    );
    let mut body = vec![2];
    leb(&mut body, u32::MAX as u64);
    body.push(0x7e);
    body.extend_from_slice(&[1, 0x7f, 0x0b]);
    extreme(
        log,
        "2^32 locals",
        &one_func(&[], &body),
        Some(false),
        limit,
    );
    // A huge locals vector count with few bytes behind it.
    let mut body = Vec::new();
    leb(&mut body, u32::MAX as u64);
    body.extend_from_slice(&[1, 0x7f, 0x0b]);
    extreme(
        log,
        "locals vector count 2^32 - 1",
        &one_func(&[], &body),
        Some(false),
        limit,
    );
    // br_table with a huge declared target count.
    let mut body = vec![0, 0x41, 0x00, 0x0e];
    leb(&mut body, u32::MAX as u64);
    body.extend_from_slice(&[0, 0, 0x0b]);
    extreme(
        log,
        "br_table with 2^32 - 1 targets declared",
        &one_func(&[], &body),
        Some(false),
        limit,
    );
    // br_table with 100,000 real targets.
    let mut body = vec![0, 0x02, 0x40, 0x41, 0x00, 0x0e];
    leb(&mut body, N as u64);
    body.extend_from_slice(&repeat(&[0], N + 1));
    body.extend_from_slice(&[0x0b, 0x0b]);
    extreme(
        log,
        "br_table with 100,000 targets",
        &one_func(&[], &body),
        Some(true),
        limit,
    );
    // Huge counts at module level, with nothing behind them.
    for (id, what) in [
        (1, "types"),
        (2, "imports"),
        (3, "functions"),
        (4, "tables"),
        (5, "memories"),
        (6, "globals"),
        (7, "exports"),
        (9, "elems"),
        (10, "bodies"),
        (11, "datas"),
    ] {
        for &huge in HUGE {
            let wasm = module(&[(id, vec_section(huge, &[]))]);
            extreme(
                log,
                &format!("{huge} {what}, no bytes"),
                &wasm,
                Some(false),
                limit,
            );
        }
    }
    // A data count and a function count of u32::MAX.
    let wasm = module(&[(12, vec_section(u32::MAX as u64, &[]))]);
    extreme(log, "data count 2^32 - 1", &wasm, Some(false), limit);
    // 100,000 types with 1,000 parameters each would be big; instead one
    // type with a huge parameter count and few bytes.
    let mut ty = vec![0x60];
    leb(&mut ty, u32::MAX as u64);
    ty.extend_from_slice(&[0x7f, 0x00]);
    extreme(
        log,
        "function type with 2^32 - 1 params",
        &module(&[(1, vec_section(1, &ty))]),
        Some(false),
        limit,
    );
    // A name (import module) with a huge length.
    let mut imp = Vec::new();
    leb(&mut imp, u32::MAX as u64);
    imp.extend_from_slice(b"abc");
    extreme(
        log,
        "import name of length 2^32 - 1",
        &module(&[(2, vec_section(1, &imp))]),
        Some(false),
        limit,
    );

    std::mem::take(log).finish("deep nesting and huge counts");
}
