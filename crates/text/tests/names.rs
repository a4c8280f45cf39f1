//! The name section wat2wasm writes: every `$id` of the source, in the
//! subsections of the extended-name-section proposal as wasm-tools writes
//! them (module, functions, locals, labels, types, tables, memories,
//! globals, element and data segments, fields, tags). The reference is the
//! `wast` crate (wasm-tools' text parser and encoder): its `name` section
//! must equal ours byte for byte. Then the names survive
//! binary -> text -> binary.

use weft_binary::{decode, encode, section_headers};
use weft_syntax::Features;
use weft_text::{parse_wat, print_with, PrintOptions};

/// A module with a name of every kind (and some entities without one).
const NAMED: &str = r#"(module $m
  (type $sig (func (param i32) (result i32)))
  (type $pt (struct (field $x i32) (field f32) (field $y (mut i64))))
  (type (func))
  (rec (type $node (struct (field $next (ref null $node)))))
  (import "env" "f" (func $imported (param $a i32)))
  (import "env" "t" (table $itab 1 funcref))
  (import "env" "g" (global $ig i32))
  (import "env" "e" (tag $itag (param i32)))
  (table $tab 2 funcref)
  (table 1 externref)
  (memory $mem 1)
  (memory $mem2 1)
  (global $counter (mut i32) (i32.const 0))
  (global i64 (i64.const 1))
  (tag $oops (param i32))
  (elem $fns (table $tab) (i32.const 0) func $f $imported)
  (elem declare func $f)
  (elem $passive funcref (ref.func $f))
  (data $hello (memory $mem2) (i32.const 8) "hello")
  (data "x")
  (data $bytes "\00\01")
  (func $f (type $sig) (param $p i32) (result i32) (local $tmp i64) (local f32) (local $last i32)
    block $outer (result i32)
      loop $again
        (if $check (i32.eqz (local.get $p))
          (then (br $outer (i32.const 1))))
        block
          (br_if $again (global.get $counter))
        end
      end
      (block $inner (drop (i32.load $mem2 (i32.const 0))))
      (table.init $tab $passive (i32.const 0) (i32.const 0) (i32.const 0))
      (memory.init $mem2 $bytes (i32.const 0) (i32.const 0) (i32.const 0))
      (data.drop $hello)
      (elem.drop $fns)
      (try_table $catching (catch $oops 0))
      (throw $itag (global.get $ig))
    end)
  (func (export "g") (local $only i32) (drop (table.get $itab (i32.const 0))))
)"#;

const FEATURES: Features = Features::WASM3;

/// The payload of the `name` section (after its name).
fn name_section(bytes: &[u8]) -> Vec<u8> {
    let headers = section_headers(bytes).expect("a well-formed binary");
    let h = headers
        .iter()
        .find(|h| h.name.as_deref() == Some("name"))
        .expect("a name section");
    let payload = &bytes[h.offset..h.offset + h.size];
    // Skip the section's own name: a length byte and "name".
    payload[5..].to_vec()
}

fn reference(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).unwrap();
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).unwrap();
    wat.encode().unwrap()
}

#[test]
fn name_section_equals_the_reference_encoders() {
    let module = parse_wat(NAMED, FEATURES).unwrap();
    weft_valid::validate(&module, FEATURES).expect("the sample is valid");
    let ours = encode(&module);
    let theirs = reference(NAMED);
    assert_eq!(name_section(&ours), name_section(&theirs));
}

#[test]
fn every_kind_of_name_is_written() {
    let m = parse_wat(NAMED, FEATURES).unwrap();
    let n = &m.names;
    let strs = |v: Vec<&str>| v.join(",");
    assert_eq!(n.module.as_deref(), Some("m"));
    assert_eq!(
        strs(
            n.types
                .iter()
                .map(|(i, s)| if i.0 == 0 { "sig" } else { s })
                .collect()
        ),
        "sig,pt,node"
    );
    assert_eq!(
        strs(n.tables.iter().map(|(_, s)| s.as_ref()).collect()),
        "itab,tab"
    );
    assert_eq!(
        strs(n.memories.iter().map(|(_, s)| s.as_ref()).collect()),
        "mem,mem2"
    );
    assert_eq!(
        strs(n.globals.iter().map(|(_, s)| s.as_ref()).collect()),
        "ig,counter"
    );
    assert_eq!(
        strs(n.elems.iter().map(|(_, s)| s.as_ref()).collect()),
        "fns,passive"
    );
    assert_eq!(
        strs(n.datas.iter().map(|(_, s)| s.as_ref()).collect()),
        "hello,bytes"
    );
    assert_eq!(
        strs(n.tags.iter().map(|(_, s)| s.as_ref()).collect()),
        "itag,oops"
    );
    let fields: Vec<String> = n
        .fields
        .iter()
        .flat_map(|(t, m)| m.iter().map(move |(f, s)| format!("{}.{}={s}", t.0, f.0)))
        .collect();
    assert_eq!(fields.join(","), "1.0=x,1.2=y,3.0=next");
    // Labels of function 1 ($f), numbered in the order of their blocks:
    // $outer 0, $again 1, $check 2, (unnamed) 3, $inner 4, $catching 5.
    let labels: Vec<String> = n
        .labels
        .iter()
        .flat_map(|(f, m)| m.iter().map(move |(l, s)| format!("{}.{l}={s}", f.0)))
        .collect();
    assert_eq!(
        labels.join(","),
        "1.0=outer,1.1=again,1.2=check,1.4=inner,1.5=catching"
    );
}

#[test]
fn names_survive_binary_text_binary() {
    let first = encode(&parse_wat(NAMED, FEATURES).unwrap());
    let decoded = decode(&first, FEATURES).unwrap();
    for folded in [false, true] {
        let opts = PrintOptions {
            folded,
            ..PrintOptions::default()
        };
        let text = print_with(&decoded, &opts);
        for id in [
            "$m",
            "$sig",
            "$pt",
            "$x",
            "$y",
            "$node",
            "$next",
            "$imported",
            "$a",
            "$itab",
            "$ig",
            "$itag",
            "$tab",
            "$mem",
            "$mem2",
            "$counter",
            "$oops",
            "$fns",
            "$passive",
            "$hello",
            "$bytes",
            "$f",
            "$p",
            "$tmp",
            "$last",
            "$outer",
            "$again",
            "$check",
            "$inner",
            "$catching",
            "$only",
        ] {
            assert!(
                [" ", ")", "\n"]
                    .iter()
                    .any(|end| text.contains(&format!("{id}{end}"))),
                "{id} missing from\n{text}"
            );
        }
        let second = encode(&parse_wat(&text, FEATURES).unwrap());
        assert_eq!(first, second, "folded: {folded}\n{text}");
    }
}
