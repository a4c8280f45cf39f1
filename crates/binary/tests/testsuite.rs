//! The Wasm 2.0 testsuite against the module decoder and encoder.
//!
//! - Every binary `assert_malformed` module is rejected by `decode` with the
//!   expected message, unless the error is inside a function body, which
//!   `decode` leaves to the validator: those are then checked to be caught
//!   by reading the bodies with `Reader::read_instr`, as the validator does,
//!   and listed.
//! - Every module the scripts expect to decode (valid, invalid, unlinkable,
//!   trapping at instantiation) decodes, and survives `encode`: the result
//!   decodes to the same module and encodes to the same bytes again.

mod common;

use common::{normalize, script_modules, wast_files, Expect, ScriptModule};
use weft_binary::{decode, encode, section_headers, DecodeError, Reader};
use weft_syntax::{Features, Instr, Module};

const FEATURES: Features = Features::WASM2;

/// Reads every function body instruction by instruction, tracking block
/// nesting, as the validator will: the instruction-level malformed errors
/// that `decode` leaves in the bodies.
fn scan_bodies(m: &Module<'_>) -> Result<(), DecodeError> {
    for code in &m.code {
        let mut r = Reader::new_at(&code.body.bytes, code.body.offset, FEATURES);
        let mut depth = 0usize;
        loop {
            let at = r.offset();
            // Only structure and the data count rule matter here.
            match r.read_instr()? {
                Instr::Block { .. }
                | Instr::Loop { .. }
                | Instr::If { .. }
                | Instr::TryTable { .. }
                | Instr::Try { .. } => depth += 1,
                Instr::End {} | Instr::Delegate { .. } if depth == 0 => break,
                Instr::End {} | Instr::Delegate { .. } => depth -= 1,
                Instr::MemoryInit { .. } | Instr::DataDrop { .. } if m.data_count.is_none() => {
                    return Err(DecodeError::new("data count section required", at))
                }
                _ => {}
            }
        }
        if !r.is_empty() {
            return Err(r.error("section size mismatch"));
        }
    }
    Ok(())
}

fn check_round_trip(sm: &ScriptModule, m: &Module<'_>) -> Result<(), String> {
    let e1 = encode(m);
    let m2 = decode(&e1, FEATURES).map_err(|e| format!("re-decode failed: {e}"))?;
    if normalize(m) != normalize(&m2) {
        return Err(format!(
            "decode(encode(m)) != m\n  m:  {:?}\n  m2: {:?}",
            normalize(m),
            normalize(&m2)
        ));
    }
    let e2 = encode(&m2);
    if e1 != e2 {
        return Err("encode(decode(encode(m))) != encode(m)".into());
    }
    // A module that came from text was encoded by the `wast` crate; ours
    // must agree with it byte for byte, except for the name section (the
    // `wast` crate writes more subsections) and the element section (the
    // `wast` crate spells out `(table 0)` when the text does, which the
    // module structure does not record; the decoded segments are equal,
    // as checked above).
    if !sm.binary_source && without(&e1, &[9]) != without(&sm.bytes, &[9]) {
        return Err("encoding differs from the wast crate's".into());
    }
    Ok(())
}

/// The binary without its name section and the sections with the given ids.
fn without(bytes: &[u8], ids: &[u8]) -> Vec<u8> {
    let mut out = bytes[..8].to_vec();
    for h in section_headers(bytes).expect("section headers") {
        if h.name.as_deref() != Some("name") && !ids.contains(&h.id) {
            out.extend_from_slice(&bytes[h.start..h.offset + h.size]);
        }
    }
    out
}

#[test]
fn testsuite_2_0() {
    let mut failures = Vec::new();
    let mut instr_level = Vec::new();
    let (mut malformed, mut malformed_decode, mut valid, mut invalid) = (0, 0, 0, 0);
    let (mut text, mut wast_identical, mut wast_but_names) = (0, 0, 0);
    for file in wast_files() {
        for sm in script_modules(&file) {
            match &sm.expect {
                Expect::Malformed(msg) => {
                    malformed += 1;
                    match decode(&sm.bytes, FEATURES) {
                        Err(e) if e.message.starts_with(msg.as_str()) => malformed_decode += 1,
                        Err(e) => failures.push(format!("{}: expected {msg:?}, got {e}", sm.place)),
                        Ok(m) => match scan_bodies(&m) {
                            Ok(()) => failures.push(format!(
                                "{}: expected {msg:?}, but decoded and bodies read fine",
                                sm.place
                            )),
                            Err(e) => instr_level.push(format!(
                                "{} {} expected {msg:?}, read_instr gives {:?}",
                                if e.message.starts_with(msg.as_str()) {
                                    "ok  "
                                } else {
                                    "DIFF"
                                },
                                sm.place,
                                e.message
                            )),
                        },
                    }
                }
                Expect::Valid | Expect::Invalid(_) => {
                    match &sm.expect {
                        Expect::Valid => valid += 1,
                        _ => invalid += 1,
                    }
                    match decode(&sm.bytes, FEATURES) {
                        Err(e) => failures.push(format!(
                            "{}: {:?} module does not decode: {e}",
                            sm.place, sm.expect
                        )),
                        Ok(m) => {
                            if let Err(e) = check_round_trip(&sm, &m) {
                                failures.push(format!("{}: {e}", sm.place));
                            }
                            if !sm.binary_source {
                                text += 1;
                                let ours = encode(&m);
                                if ours == sm.bytes {
                                    wast_identical += 1;
                                } else if without(&ours, &[]) == without(&sm.bytes, &[]) {
                                    wast_but_names += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    println!("binary assert_malformed: {malformed}, rejected by decode with the expected message: {malformed_decode}");
    println!(
        "instruction-level (decode accepts, read_instr rejects): {}",
        instr_level.len()
    );
    for l in &instr_level {
        println!("  {l}");
    }
    println!("modules expected to decode: {valid} valid + {invalid} invalid, all round-tripped");
    println!(
        "text modules encoded by the wast crate: {text}; ours identical: {wast_identical}, \
         identical but for the name section: {wast_but_names}, \
         the rest differ only in the element section's form"
    );
    if !failures.is_empty() {
        for f in failures.iter().take(60) {
            eprintln!("{f}");
        }
        panic!("{} failures", failures.len());
    }
}
