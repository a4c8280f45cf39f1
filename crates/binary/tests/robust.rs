//! Hostile input never makes the decoder panic, hang or allocate without
//! bound: every truncation of the testsuite's modules, random bit flips and
//! byte changes (a fixed-seed xorshift generator, so failures reproduce),
//! and huge counts in every section. Whatever decodes must also survive
//! an encode/decode round trip.

mod common;

use common::{normalize, script_modules, wast_files};
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use weft_binary::{decode, encode, section_headers};
use weft_syntax::Features;
use weft_testkit::write_leb as leb;

/// Marsaglia's xorshift64.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Decodes `bytes` with both feature sets; a panic is reported with what
/// was decoded. A module that decodes must round-trip.
fn check(bytes: &[u8], what: &dyn Fn() -> String, failures: &mut Vec<String>) {
    for features in [Features::WASM1, Features::WASM2] {
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _ = section_headers(bytes);
            match decode(bytes, features) {
                Ok(m) => {
                    // The encoder writes the 2.0 forms of segments (a 1.0
                    // segment on memory 1 becomes form 2), so read it back
                    // as 2.0.
                    let e = encode(&m);
                    match decode(&e, Features::WASM2) {
                        Ok(m2) if normalize(&m) == normalize(&m2) => Ok(()),
                        Ok(_) => Err("round trip changed the module".to_string()),
                        Err(err) => Err(format!("round trip does not decode: {err}")),
                    }
                }
                Err(_) => Ok(()),
            }
        }));
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => failures.push(format!("{}: {e}", what())),
            Err(_) => failures.push(format!("{}: PANIC ({features:?})", what())),
        }
    }
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for file in wast_files() {
        for sm in script_modules(&file) {
            if seen.insert(sm.bytes.clone()) {
                out.push((sm.place, sm.bytes));
            }
        }
    }
    out
}

#[test]
fn truncations_and_mutations() {
    let corpus = corpus();
    let total: usize = corpus.iter().map(|(_, b)| b.len()).sum();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut failures = Vec::new();
    let mut inputs = 0usize;
    for (place, bytes) in &corpus {
        // Truncations: every boundary of small modules, a sample of big ones
        // (each decode is linear, so all boundaries would be quadratic).
        let cuts: Vec<usize> = if bytes.len() <= 512 {
            (0..bytes.len()).collect()
        } else {
            (0..256).map(|_| rng.below(bytes.len())).collect()
        };
        for cut in cuts {
            inputs += 1;
            check(
                &bytes[..cut],
                &|| format!("{place} cut at {cut}"),
                &mut failures,
            );
        }
        // Mutations: single bit flips and random bytes.
        let mut m = bytes.clone();
        let rounds = if m.is_empty() { 0 } else { 128 };
        for round in 0..rounds {
            let i = rng.below(m.len());
            let old = m[i];
            m[i] = if round % 2 == 0 {
                old ^ (1 << rng.below(8))
            } else {
                rng.next() as u8
            };
            inputs += 1;
            check(
                &m,
                &|| format!("{place} byte {i}: {old:#04x} -> {:#04x}", m[i]),
                &mut failures,
            );
            m[i] = old;
        }
    }
    println!(
        "{} distinct modules ({total} bytes), {inputs} mutated or truncated inputs, each with 1.0 and 2.0 features",
        corpus.len()
    );
    if !failures.is_empty() {
        for f in failures.iter().take(40) {
            eprintln!("{f}");
        }
        panic!("{} failures", failures.len());
    }
}

/// A section with the given id and payload, after the header.
fn module_with(sections: &[(u8, &[u8])]) -> Vec<u8> {
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    for (id, payload) in sections {
        out.push(*id);
        out.push(payload.len() as u8);
        out.extend_from_slice(payload);
    }
    out
}

#[test]
fn huge_counts() {
    const HUGE: &[u8] = &[0xFF, 0xFF, 0xFF, 0xFF, 0x0F];
    let mut failures = Vec::new();
    for id in 0..=12u8 {
        // A huge vector count as the whole payload, and followed by a
        // little content.
        for tail in [&[][..], &[0x60, 0, 0, 0x7F, 0][..]] {
            let mut payload = HUGE.to_vec();
            payload.extend_from_slice(tail);
            let bytes = module_with(&[(id, &payload)]);
            check(
                &bytes,
                &|| format!("section {id} with a huge count"),
                &mut failures,
            );
        }
    }
    // Huge counts inside items: type parameters, locals, names, data.
    let cases: &[&[(u8, &[u8])]] = &[
        &[(1, b"\x01\x60\xFF\xFF\xFF\xFF\x0F")],
        &[
            (1, b"\x01\x60\x00\x00"),
            (3, b"\x01\x00"),
            (10, b"\x01\x08\xFF\xFF\xFF\xFF\x0F\x7F\x0B"),
        ],
        &[
            (1, b"\x01\x60\x00\x00"),
            (3, b"\x01\x00"),
            (10, b"\x01\x0A\x02\xFF\xFF\xFF\xFF\x0F\x7F\x01\x7E\x0B"),
        ],
        &[(2, b"\x01\xFF\xFF\xFF\xFF\x0F")],
        &[
            (5, b"\x01\x00\x01"),
            (11, b"\x01\x00\x41\x00\x0B\xFF\xFF\xFF\xFF\x0F"),
        ],
        &[(9, b"\x01\x00\x41\x00\x0B\xFF\xFF\xFF\xFF\x0F")],
        &[(9, b"\x01\x05\x70\xFF\xFF\xFF\xFF\x0F")],
        &[
            (0, b"\x04name\x01\x05\xFF\xFF\xFF\xFF\x0F"),
            (0, b"\x04name\x02\x06\x01\x00\xFF\xFF\xFF\x0F"),
        ],
        &[(10, b"\xFF\xFF\xFF\xFF\x0F\x00")],
    ];
    for (i, sections) in cases.iter().enumerate() {
        let bytes = module_with(sections);
        check(&bytes, &|| format!("huge count case {i}"), &mut failures);
    }
    // Deep nesting in a constant expression must not recurse.
    let mut global = b"\x01\x7F\x00".to_vec();
    global.extend(std::iter::repeat_n([0x02, 0x40], 100_000).flatten());
    global.extend(std::iter::repeat_n(0x0B, 100_001));
    let mut bytes = b"\0asm\x01\0\0\0\x06".to_vec();
    let mut len = Vec::new();
    leb(&mut len, global.len() as u64);
    bytes.extend_from_slice(&len);
    bytes.extend_from_slice(&global);
    check(&bytes, &|| "deep nesting".to_string(), &mut failures);
    assert!(failures.is_empty(), "{failures:#?}");
}
