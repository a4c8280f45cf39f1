//! Validation of the custom-descriptors proposal: each new construct
//! validates with `3.0,custom-descriptors`, and each new rule rejects at
//! least one module with the reference interpreter's message. Modules are
//! encoded by the `wast` crate (the oracle), decoded by `weft_binary` and
//! validated.

use weft_syntax::Features;

fn cd() -> Features {
    Features::from_name("3.0,custom-descriptors").expect("a feature set")
}

fn verdict(src: &str, features: Features) -> Result<(), String> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lexes");
    let mut wat = wast::parser::parse::<wast::Wat>(&buf).expect("wast parses");
    let bytes = wat.encode().expect("wast encodes");
    let m = weft_binary::decode(&bytes, features).map_err(|e| format!("malformed: {e:?}"))?;
    weft_valid::validate(&m, features).map_err(|e| e.message)
}

#[track_caller]
fn valid(src: &str) {
    if let Err(e) = verdict(src, cd()) {
        panic!("{src}\nis invalid: {e}");
    }
}

#[track_caller]
fn invalid(src: &str, prefix: &str) {
    match verdict(src, cd()) {
        Ok(()) => panic!("{src}\nvalidates; expected {prefix:?}"),
        Err(e) => assert!(e.starts_with(prefix), "{src}\n{e}, expected {prefix:?}"),
    }
}

const PAIR: &str = "(rec (type $a (sub (descriptor $b) (struct (field i32))))
                         (type $b (sub (describes $a) (struct))))";

#[test]
fn descriptor_clauses() {
    valid(&format!("(module {PAIR})"));
    // A chain of three, and subtypes with their own descriptors.
    valid(
        "(module (rec (type (descriptor 1) (struct)) (type (describes 0) (descriptor 2) (struct))
                      (type (describes 1) (struct))))",
    );
    valid(&format!(
        "(module {PAIR} (rec (type (sub $a (descriptor 3) (struct (field i32))))
                             (type (sub $b (describes 2) (struct)))))"
    ));
    invalid(
        "(module (type (descriptor 1) (struct)) (type (describes 0) (struct)))",
        "descriptor type is outside rec group",
    );
    invalid(
        "(module (rec (type (describes 1) (struct)) (type (descriptor 0) (struct))))",
        "forward use of described type",
    );
    invalid(
        "(module (rec (type (descriptor 1) (struct)) (type (struct))))",
        "type is not described by its descriptor",
    );
    invalid(
        "(module (rec (type (struct)) (type (describes 0) (struct))))",
        "described type is not described by descriptor",
    );
    invalid(
        "(module (rec (type (descriptor 1) (array i8)) (type (describes 0) (struct))))",
        "descriptor type must be a struct",
    );
    invalid(
        "(module (rec (type (descriptor 1) (struct)) (type (describes 0) (func))))",
        "described type must be a struct",
    );
    // A supertype with a descriptor needs one on the subtype, naming a
    // subtype of its descriptor.
    invalid(
        &format!("(module {PAIR} (type (sub $a (struct (field i32)))))"),
        "sub type 2 does not match super type 0",
    );
    invalid(
        &format!(
            "(module {PAIR} (rec (type (sub $a (descriptor 3) (struct (field i32))))
                                 (type (describes 2) (struct))))"
        ),
        "descriptor type 3 does not match 1",
    );
    // Without the feature the clauses do not decode.
    assert!(verdict(&format!("(module {PAIR})"), Features::WASM3).is_err());
}

#[test]
fn exact_types() {
    // Allocations are exact; an exact type matches its inexact form.
    valid(
        "(module (type $s (struct))
           (func (result (ref (exact $s))) (struct.new $s))
           (func (param (ref (exact $s))) (result (ref null $s)) (local.get 0))
           (func (result (ref null (exact $s))) (ref.null none)))",
    );
    invalid(
        "(module (type $s (struct))
           (func (param (ref $s)) (result (ref (exact $s))) (local.get 0)))",
        "type mismatch",
    );
    // Exact types are not subtypes of each other's exact forms.
    invalid(
        "(module (type $s (sub (struct))) (type $t (sub $s (struct)))
           (func (param (ref (exact $t))) (result (ref (exact $s))) (local.get 0)))",
        "type mismatch",
    );
    // ref.func is exact for defined functions and exact imports only.
    valid(
        "(module (type $f (func)) (import \"m\" \"f\" (func $i (exact (type $f))))
           (global (ref (exact $f)) (ref.func $i))
           (func $g (type $f)) (global (ref (exact $f)) (ref.func $g)))",
    );
    invalid(
        "(module (type $f (func)) (import \"m\" \"f\" (func $i (type $f)))
           (global (ref (exact $f)) (ref.func $i)))",
        "type mismatch",
    );
    assert!(verdict(
        "(module (type $s (struct)) (func (param (ref (exact $s)))))",
        Features::WASM3
    )
    .is_err());
}

#[test]
fn descriptor_instructions() {
    let m = |body: &str| format!("(module {PAIR} (type $plain (struct)) {body})");
    valid(&m(
        "(func (param (ref null (exact $b))) (result (ref (exact $a)))
                (struct.new_desc $a (i32.const 1) (local.get 0)))",
    ));
    valid(&m(
        "(global (ref (exact $b)) (struct.new $b))
              (global (ref $a) (struct.new_default_desc $a (global.get 0)))",
    ));
    valid(&m(
        "(func (param (ref null (exact $a))) (result (ref (exact $b)))
                (ref.get_desc $a (local.get 0)))",
    ));
    valid(&m("(func (param (ref null $a)) (result (ref $b))
                (ref.get_desc $a (local.get 0)))"));
    valid(&m(
        "(func (param anyref (ref null (exact $b))) (result (ref null (exact $a)))
                (ref.cast_desc_eq (ref null (exact $a)) (local.get 0) (local.get 1)))",
    ));
    valid(&m(
        "(func (param anyref (ref null $b)) (result anyref)
                (br_on_cast_desc_eq 0 anyref (ref $a) (local.get 0) (local.get 1)))",
    ));
    valid(&m(
        "(func (param anyref (ref null $b)) (result anyref)
                (br_on_cast_desc_eq_fail 0 anyref (ref $a) (local.get 0) (local.get 1)))",
    ));
    invalid(
        &m("(func (param (ref null (exact $b))) (drop (struct.new $a (i32.const 1))))"),
        "type with descriptor requires descriptor allocation",
    );
    invalid(
        &m("(func (param (ref null (exact $b))) (drop (struct.new_desc $plain (local.get 0))))"),
        "type without descriptor requires non-descriptor allocation",
    );
    // The descriptor operand of an allocation is exact.
    invalid(
        &m("(func (param (ref null $b)) (drop (struct.new_default_desc $a (local.get 0))))"),
        "type mismatch",
    );
    // An inexact operand gives an inexact descriptor.
    invalid(
        &m("(func (param (ref null $a)) (result (ref (exact $b)))
              (ref.get_desc $a (local.get 0)))"),
        "type mismatch",
    );
    invalid(
        &m("(func (param (ref null $b)) (drop (ref.get_desc $b (local.get 0))))"),
        "type without descriptor",
    );
    invalid(
        &m("(func (param anyref anyref) (drop (ref.cast_desc_eq (ref $plain) (local.get 0) (local.get 1))))"),
        "type 2 does not have a descriptor",
    );
    invalid(
        &m("(func (param anyref anyref) (drop (ref.cast_desc_eq (ref any) (local.get 0) (local.get 1))))"),
        "type any does not have a descriptor",
    );
    invalid(
        &m("(func (param anyref (ref null $b)) (result anyref)
              (br_on_cast_desc_eq 0 anyref (ref $plain) (local.get 0) (local.get 1)))"),
        "type 2 does not have a descriptor",
    );
}
