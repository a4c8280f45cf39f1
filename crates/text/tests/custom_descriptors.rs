//! The text format of the custom-descriptors proposal: `(exact x)` heap
//! types, `(describes x)` and `(descriptor y)` clauses, `(exact typeuse)`
//! function imports and the descriptor instructions parse, encode as the
//! reference encoder (the `wast` crate) does, print, and read back to the
//! same bytes; the malformed forms are refused.

use weft_syntax::Features;
use weft_text::{parse_wat, print};

fn cd() -> Features {
    Features::from_name("3.0,custom-descriptors").expect("a feature set")
}

const MODULE: &str = r#"(module
  (type $f (func))
  (rec
    (type $a (sub (descriptor $b) (struct (field i32))))
    (type $b (sub (describes $a) (struct (field (ref null (exact $f))))))
    (type $c (sub $a (descriptor $d) (struct (field i32))))
    (type $d (sub $b (describes $c) (struct (field (ref null (exact $f)))))))
  (import "m" "f" (func $imp (exact (type $f))))
  (global $g (ref (exact $b)) (struct.new_default $b))
  (elem declare func $imp)
  (func $x (param (ref null $a) (ref null (exact $b)) anyref) (result (ref null $a))
    (drop (struct.new_desc $a (i32.const 1) (global.get $g)))
    (drop (struct.new_default_desc $a (global.get $g)))
    (drop (ref.get_desc $a (local.get 0)))
    (drop (ref.cast_desc_eq (ref $a) (local.get 2) (local.get 1)))
    (drop (ref.cast_desc_eq (ref null (exact $a)) (local.get 2) (local.get 1)))
    (drop (ref.cast (ref (exact $a)) (local.get 2)))
    (drop (ref.test (ref null (exact $a)) (local.get 2)))
    (drop (ref.null (exact $a)))
    (drop (ref.func $imp))
    (block (result anyref)
      (br_on_cast_desc_eq 0 anyref (ref $a) (local.get 2) (local.get 1))
      (br_on_cast_desc_eq_fail 0 anyref (ref null (exact $a)) (local.get 1))
      (br_on_cast 0 anyref (ref (exact $c)))
      (drop)
      (ref.null none))
    (drop)
    (local.get 0)))"#;

/// What the `wast` crate encodes `src` to.
fn reference(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lexes");
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).expect("wast parses");
    wat.encode().expect("wast encodes")
}

/// The module without its custom sections (the name section differs).
fn code_sections(bytes: &[u8]) -> Vec<u8> {
    let m = weft_binary::decode(bytes, cd()).expect("decodes");
    let mut m = m.clone();
    m.customs.clear();
    m.names = Default::default();
    weft_binary::encode(&m)
}

#[test]
fn parses_and_agrees_with_the_reference_encoder() {
    let m = parse_wat(MODULE, cd()).expect("parses");
    let ours = weft_binary::encode(&m);
    assert_eq!(code_sections(&ours), code_sections(&reference(MODULE)));
}

#[test]
fn round_trips_through_the_printer() {
    let m = parse_wat(MODULE, cd()).expect("parses");
    let first = weft_binary::encode(&m);
    let text = print(&m);
    for needle in [
        "(sub (descriptor 2) (struct",
        "(sub 2 (describes 3) (struct (field (ref null (exact 0)))))",
        "(exact (type 0))",
        "ref.cast_desc_eq (ref null (exact 1))",
        "br_on_cast_desc_eq_fail 0 anyref (ref null (exact 1))",
        "struct.new_default_desc 1",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    let again = parse_wat(&text, cd()).expect("the printed text parses");
    assert_eq!(weft_binary::encode(&again), first);
}

#[test]
fn malformed_forms() {
    let fails = |src: &str, prefix: &str| match parse_wat(src, cd()) {
        Ok(_) => panic!("{src} parsed"),
        Err(e) => {
            let m = e.to_string();
            assert!(m.contains(prefix), "{src}: {m}");
        }
    };
    // No exact abstract types; `exact` needs its parentheses and `ref`.
    fails(
        "(module (type (struct (field (ref (exact any))))))",
        "unexpected token",
    );
    fails(
        "(module (type (struct (field (ref (exact))))))",
        "unexpected token",
    );
    fails(
        "(module (type (struct (field (ref exact 0)))))",
        "unexpected token",
    );
    fails(
        "(module (type (struct (field (exact 0)))))",
        "unexpected token",
    );
    // `describes` comes before `descriptor`, each at most once.
    fails(
        "(module (rec (type (descriptor 1) (struct)) (type (descriptor 0) (describes 0) (struct))))",
        "unexpected token",
    );
    fails(
        "(module (rec (type (descriptor 1) (descriptor 1) (struct)) (type (describes 0) (struct))))",
        "unexpected token",
    );
    // Without the feature the instructions are unknown.
    assert!(parse_wat(
        "(module (rec (type (descriptor 1) (struct)) (type (describes 0) (struct))) \
         (func (param (ref 1)) (drop (struct.new_desc 0 (local.get 0)))))",
        Features::WASM3
    )
    .is_err());
}
