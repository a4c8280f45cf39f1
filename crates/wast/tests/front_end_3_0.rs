//! The front end (text, binary, validation) on Wasm 3.0 constructs the
//! engine cannot run yet, so that they are checked without instantiation:
//! each case is parsed from text with the given features, encoded, decoded
//! again, re-encoded (the bytes must agree), printed and re-parsed (the
//! bytes must agree again) and validated; the verdict must be the expected
//! one. Under `--features 2.0` the same text must not be accepted.

use weft_syntax::Features;

/// What a case must give.
enum Expect {
    /// Decodes and validates.
    Valid,
    /// Parses and encodes but fails validation with this message prefix.
    Invalid(&'static str),
    /// Fails to parse from text with this message prefix.
    Malformed(&'static str),
}
use Expect::*;

fn check(features: &str, wat: &str, expect: Expect) {
    let features = Features::from_name(features).expect("a feature set");
    let module = match (weft_text::parse_wat(wat, features), &expect) {
        (Ok(m), Valid | Invalid(_)) => m,
        (Err(e), Malformed(prefix)) => {
            let e = e.to_string();
            assert!(
                e.contains(prefix),
                "{wat}: expected malformed {prefix:?}, got {e}"
            );
            return;
        }
        (Ok(_), Malformed(prefix)) => panic!("{wat}: parsed, expected malformed {prefix:?}"),
        (Err(e), _) => panic!("{wat}: does not parse: {e}"),
    };
    let bytes = round_trip(features, wat, &module);
    let decoded = weft_binary::decode(&bytes, features).expect("decoded once already");
    match (weft_valid::validate(&decoded, features), expect) {
        (Ok(()), Valid) => {}
        (Err(e), Invalid(prefix)) => {
            assert!(
                e.message.starts_with(prefix),
                "{wat}: expected invalid {prefix:?}, got {e}"
            )
        }
        (Ok(()), _) => panic!("{wat}: valid, expected invalid"),
        (Err(e), _) => panic!("{wat}: expected valid, got {e}"),
    }
    // Nothing of this file is Wasm 2.0.
    let as_2_0 = weft_text::parse_wat(wat, Features::WASM2)
        .map_err(|e| e.to_string())
        .and_then(|m| {
            let bytes = weft_binary::encode(&m);
            let m = weft_binary::decode(&bytes, Features::WASM2).map_err(|e| e.to_string())?;
            weft_valid::validate(&m, Features::WASM2).map_err(|e| e.to_string())
        });
    assert!(as_2_0.is_err(), "{wat}: accepted as Wasm 2.0");
}

/// Encodes `module` (parsed from `wat`), decodes it, re-encodes it (the
/// bytes must agree), prints it and re-parses the text (the bytes must
/// agree again); returns the bytes.
fn round_trip(features: Features, wat: &str, module: &weft_syntax::Module<'_>) -> Vec<u8> {
    let bytes = weft_binary::encode(module);
    let decoded = weft_binary::decode(&bytes, features)
        .unwrap_or_else(|e| panic!("{wat}: own encoding does not decode: {e}"));
    assert_eq!(
        weft_binary::encode(&decoded),
        bytes,
        "{wat}: binary round trip"
    );
    for folded in [false, true] {
        let opts = weft_text::PrintOptions {
            features: features.union(Features::WASM3),
            folded,
            ..Default::default()
        };
        let printed = weft_text::print_with(&decoded, &opts);
        let reparsed = weft_text::parse_wat(&printed, features)
            .unwrap_or_else(|e| panic!("{wat}: printed text does not parse: {e}\n{printed}"));
        assert_eq!(
            weft_binary::encode(&reparsed),
            bytes,
            "{wat}: text round trip\n{printed}"
        );
    }
    bytes
}

#[test]
fn memory64_and_table64() {
    check("3.0", "(module (memory i64 1 0x1_0000_0000_0000))", Valid);
    check(
        "3.0",
        "(module (memory i64 0x1_0000_0000_0001))",
        Invalid("memory size must be at most 281474976710656 pages"),
    );
    check(
        "3.0",
        "(module (memory 0x1_0001))",
        Invalid("memory size must be at most 65536 pages"),
    );
    check(
        "3.0",
        "(module (table i64 0 0xffff_ffff_ffff_ffff funcref))",
        Valid,
    );
    check(
        "3.0",
        "(module (table i64 2 1 funcref))",
        Invalid("size minimum must not be greater than maximum"),
    );
    check(
        "3.0",
        "(module (memory i64 1) (func (param i64) (result i32)
           (drop (i32.load offset=0x1_0000_0000 (local.get 0)))
           (i64.store (local.get 0) (i64.const 1))
           (drop (memory.grow (i64.const 1)))
           (memory.fill (local.get 0) (i32.const 0) (i64.const 1))
           (i32.wrap_i64 (memory.size))))",
        Valid,
    );
    check(
        "3.0",
        "(module (memory i64 1) (func (drop (i32.load (i32.const 0)))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (memory 1) (func (drop (i32.load offset=0x1_0000_0000 (i32.const 0)))))",
        Invalid("offset out of range"),
    );
    check(
        "3.0",
        "(module (memory i64 (data \"hi\")) (func (result i64) (memory.size)))",
        Valid,
    );
    check(
        "3.0",
        "(module (memory i64 1) (data (i32.const 0) \"\"))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (table $t i64 1 funcref) (type $f (func))
           (func (param i64)
             (call_indirect $t (type $f) (local.get 0))
             (drop (table.get $t (local.get 0)))
             (drop (table.grow $t (ref.null func) (i64.const 1)))
             (table.fill $t (i64.const 0) (ref.null func) (table.size $t))))",
        Valid,
    );
    check(
        "3.0",
        "(module (table i64 funcref (elem)) (func (drop (table.get 0 (i32.const 0)))))",
        Invalid("type mismatch"),
    );
}

#[test]
fn multi_memory() {
    check(
        "3.0",
        "(module (memory $a 1) (memory $b i64 1)
           (func (param i32 i64)
             (memory.copy $a $b (local.get 0) (local.get 1) (i32.const 1))
             (memory.copy $b $a (local.get 1) (local.get 0) (i32.const 1))
             (drop (v128.load8_lane $b 1 (local.get 1) (v128.const i64x2 0 0)))
             (drop (v128.load8_lane 1 (local.get 0) (v128.const i64x2 0 0)))
             (i64.store $b offset=8 (local.get 1) (i64.load8_u 1 (local.get 1)))))",
        Valid,
    );
    check(
        "3.0",
        "(module (memory $a 1) (memory $b i64 1)
           (func (param i32 i64) (memory.copy $a $b (local.get 0) (local.get 1) (i64.const 1))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (memory 1) (func (drop (i32.load 1 (i32.const 0)))))",
        Invalid("unknown memory 1"),
    );
}

#[test]
fn shared_memories_and_page_sizes() {
    check("3.0,threads", "(module (memory 1 2 shared))", Valid);
    check(
        "3.0,threads",
        "(module (memory 1 shared))",
        Invalid("shared memory must have maximum"),
    );
    check(
        "3.0,custom-page-sizes",
        "(module (memory 0xffff_ffff (pagesize 1)))",
        Valid,
    );
    check(
        "3.0,custom-page-sizes",
        "(module (memory 0x1_0000_0000 (pagesize 1)))",
        Invalid("memory size must be at most"),
    );
    check(
        "3.0,custom-page-sizes",
        "(module (memory i64 0 (pagesize 65536)))",
        Valid,
    );
    check(
        "3.0,custom-page-sizes",
        "(module (memory 0 (pagesize 2)))",
        Invalid("invalid custom page size"),
    );
    check(
        "3.0,custom-page-sizes",
        "(module (memory 0 (pagesize 3)))",
        Malformed("invalid custom page size"),
    );
    check(
        "3.0,custom-page-sizes",
        "(module (memory (pagesize 1) (data \"xyz\")) (func (result i32) (memory.size)))",
        Valid,
    );
}

/// The atomic instructions (threads): natural alignment exactly, any memory
/// (shared or not), `atomic.fence` with its reserved byte; printed with the
/// memory index, offset and alignment they need.
#[test]
fn atomic_instructions() {
    let module = r#"(module (memory 1 1 shared) (memory $m i64 1)
        (func (param i32 i64) (result i32)
            (atomic.fence)
            (i64.atomic.store32 $m offset=8 (local.get 1) (i64.const 5))
            (drop (i64.atomic.rmw16.cmpxchg_u $m (local.get 1) (i64.const 1) (i64.const 2)))
            (drop (memory.atomic.wait64 (local.get 0) (i64.const 0) (i64.const -1)))
            (drop (i32.atomic.rmw8.xor_u offset=0xffff_ffff (local.get 0) (i32.const 3)))
            (memory.atomic.notify align=4 (local.get 0) (i32.const 1))))"#;
    check("3.0,threads", module, Valid);
    check(
        "3.0,threads",
        "(module (memory 1) (func (drop (i32.atomic.load align=2 (i32.const 0)))))",
        Invalid("atomic alignment must be natural"),
    );
    check(
        "3.0,threads",
        "(module (memory 1) (func (drop (i64.atomic.load8_u align=2 (i32.const 0)))))",
        Invalid("alignment must not be larger than natural"),
    );
    check(
        "3.0,threads",
        "(module (func (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 0)))))",
        Invalid("unknown memory"),
    );
    // The fence's reserved byte must be zero (bodies are decoded by the
    // validator).
    let verdict = |bytes: &[u8], features| {
        let m = weft_binary::decode(bytes, features).map_err(|e| e.to_string())?;
        weft_valid::validate(&m, features).map_err(|e| e.to_string())
    };
    let fence =
        b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x07\x01\x05\0\xfe\x03\x01\x0b";
    let features = Features::from_name("3.0,threads").expect("a feature set");
    let e = verdict(fence, features).expect_err("a nonzero fence byte");
    assert!(e.starts_with("zero byte expected"), "{e}");
    let mut ok = fence.to_vec();
    let n = ok.len();
    ok[n - 2] = 0;
    verdict(&ok, features).expect("a zero fence byte");
    // Without threads 0xFE is an illegal opcode.
    let e = verdict(&ok, Features::WASM3).expect_err("no threads");
    assert!(e.starts_with("illegal opcode fe"), "{e}");
}

/// The limits flags of Wasm 3.0 are bits of a byte; Wasm 2.0 reads a
/// one-bit LEB128 number.
#[test]
fn limits_flags() {
    let module = |flags: &[u8]| {
        let mut m = b"\0asm\x01\0\0\0\x05".to_vec();
        m.push(flags.len() as u8 + 1);
        m.push(1);
        m.extend_from_slice(flags);
        m
    };
    let err = |bytes: &[u8], f: Features| weft_binary::decode(bytes, f).err().map(|e| e.message);
    let w3 = Features::WASM3;
    assert_eq!(err(&module(&[0x04, 0x00]), w3), None);
    assert_eq!(
        err(&module(&[0x05, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10]), w3),
        None
    );
    assert_eq!(
        err(&module(&[0x02, 0x00, 0x00]), w3).as_deref(),
        Some("malformed limits flags")
    );
    assert_eq!(
        err(&module(&[0x08, 0x00, 0x00]), w3).as_deref(),
        Some("malformed limits flags")
    );
    assert_eq!(
        err(&module(&[0x81, 0x00]), w3).as_deref(),
        Some("malformed limits flags")
    );
    let threads = Features::from_name("3.0,threads").expect("a feature set");
    assert_eq!(err(&module(&[0x03, 0x00, 0x01]), threads), None);
    let pages = Features::from_name("3.0,custom-page-sizes").expect("a feature set");
    assert_eq!(err(&module(&[0x08, 0x00, 0x10]), pages), None);
    assert_eq!(
        err(&module(&[0x08, 0x00, 0x41]), pages).as_deref(),
        Some("invalid custom page size")
    );
    let w2 = Features::WASM2;
    assert_eq!(
        err(&module(&[0x04, 0x00]), w2).as_deref(),
        Some("integer too large")
    );
    assert_eq!(
        err(&module(&[0x81, 0x00]), w2).as_deref(),
        Some("integer representation too long")
    );
}

#[test]
fn exception_handling() {
    check(
        "3.0",
        "(module
           (import \"m\" \"t\" (tag $g (param i64)))
           (tag $e (export \"e\") (param i32))
           (tag $f)
           (func (export \"a\") (param i32) (result i32)
             (block $h (result i32)
               (try_table (result i32) (catch $e $h)
                 (throw $e (local.get 0)))))
           (func (result exnref)
             (block $h (result exnref)
               (try_table (catch_ref $f $h) (catch_all_ref $h) (call 0 (i32.const 1)) (drop))
               (unreachable)))
           (func (param exnref) (throw_ref (local.get 0))))",
        Valid,
    );
    check(
        "3.0",
        "(module (tag (param i32)) (func (throw 0)))",
        Invalid("type mismatch: instruction requires [i32] but stack has []"),
    );
    check(
        "3.0",
        "(module (tag) (func (result exnref) (try_table (catch 0 0)) (unreachable)))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (tag (result i32)))",
        Invalid("non-empty tag result type"),
    );
    check("3.0", "(module (func (throw 0)))", Invalid("unknown tag 0"));
    check(
        "3.0",
        "(module (func (catch_all)))",
        Malformed("unexpected token"),
    );
    check(
        "3.0,legacy-exceptions",
        "(module (tag $e (param i32))
           (func (result i32)
             (try (result i32) (do (i32.const 1))
               (catch $e)
               (catch_all (i32.const 2) (rethrow 0))))
           (func (try (do (throw 1)) (delegate 0)))
           (tag)
           (func (result i32)
             try (result i32) i32.const 3 catch $e catch_all i32.const 4 end))",
        Valid,
    );
    check(
        "3.0,legacy-exceptions",
        "(module (func (block (rethrow 0))))",
        Invalid("invalid rethrow label"),
    );
    check(
        "3.0,legacy-exceptions",
        "(module (func (try (do) (delegate 1))))",
        Invalid("unknown label"),
    );
}

#[test]
fn tail_calls() {
    check(
        "3.0",
        "(module (type $t (func (param i32) (result i32))) (table 1 funcref)
           (func $f (param i32) (result i32) (return_call $f (local.get 0)))
           (func (param i32) (result i32)
             (return_call_indirect (type $t) (local.get 0) (i32.const 0))))",
        Valid,
    );
    check(
        "3.0",
        "(module (func $f (result i64) (i64.const 0)) (func (result i32) (return_call $f)))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (func (return_call 7)))",
        Invalid("unknown function 7"),
    );
    check(
        "3.0",
        "(module (func (return_call_indirect (type 0) (i32.const 0))))",
        Invalid("unknown table"),
    );
}

#[test]
fn typed_function_references() {
    check(
        "3.0",
        "(module (type $t (func (param i32) (result i32)))
           (elem declare func $f)
           (func $f (param i32) (result i32) (local.get 0))
           (func (param $r (ref null $t)) (result i32)
             (call_ref $t (i32.const 1) (local.get $r)))
           (func (param $r (ref null $t)) (result i32)
             (return_call_ref $t (i32.const 1) (ref.as_non_null (local.get $r))))
           (func (param $r (ref null $t)) (result (ref $t))
             (block $l (br_on_null $l (local.get $r)) (return))
             (ref.func $f))
           (func (param $r (ref null $t)) (result (ref $t))
             (block $l (result (ref $t)) (br_on_non_null $l (local.get $r))
               (unreachable))))",
        Valid,
    );
    check(
        "3.0",
        "(module (type $t (func)) (func (param $r funcref) (call_ref $t (local.get $r))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (type $t (func)) (func (param i32) (drop (ref.as_non_null (local.get 0)))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (type $t (func)) (func (param funcref)
           (block $l (br_on_non_null $l (local.get 0)))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (type $t (func (result i32))) (func (param (ref $t)) (result i64)
           (return_call_ref $t (local.get 0))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (func (call_ref 3 (ref.null func))))",
        Invalid("unknown type 3"),
    );
    // Unreachable code pops a bottom reference.
    check(
        "3.0",
        "(module (func (result i32) (unreachable) (ref.as_non_null) (ref.is_null)))",
        Valid,
    );
    check(
        "3.0",
        "(module (func (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1))))",
        Valid,
    );
    check(
        "3.0",
        "(module (func (param anyref eqref) (result i32) (ref.eq (local.get 0) (local.get 1))))",
        Invalid("type mismatch"),
    );
}

#[test]
fn gc_instructions() {
    check(
        "3.0",
        r#"(module
           (type $s (struct (field $a (mut i32)) (field $b i8) (field $c (ref null $s))))
           (type $v (array (mut i16)))
           (type $f (array (mut funcref)))
           (type $w (array i64))
           (data $d "abcd")
           (elem $e funcref (ref.func $g))
           (global $gs (ref $s) (struct.new $s (i32.const 1) (i32.const 2) (ref.null $s)))
           (global $gv (ref $v) (array.new_fixed $v 2 (i32.const 1) (i32.const 2)))
           (global anyref (ref.i31 (i32.const 7)))
           (global externref (extern.convert_any (ref.null any)))
           (func $g (param $x (ref null $s)) (param $y (ref $v)) (result i32)
             (struct.set $s $a (local.get $x) (struct.get_s $s $b (local.get $x)))
             (drop (struct.get $s 2 (struct.new_default $s)))
             (array.set $v (local.get $y) (i32.const 0) (array.get_u $v (local.get $y) (i32.const 1)))
             (array.fill $v (local.get $y) (i32.const 0) (i32.const 9) (i32.const 2))
             (array.copy $v $v (local.get $y) (i32.const 0) (local.get $y) (i32.const 1) (i32.const 1))
             (array.init_data $v $d (local.get $y) (i32.const 0) (i32.const 0) (i32.const 2))
             (array.init_elem $f $e (array.new_default $f (i32.const 1)) (i32.const 0) (i32.const 0) (i32.const 1))
             (drop (array.new_data $w $d (i32.const 0) (i32.const 0)))
             (drop (array.new_elem $f $e (i32.const 0) (i32.const 1)))
             (drop (array.new $w (i64.const 0) (i32.const 3)))
             (drop (i31.get_s (ref.i31 (i32.const 1))))
             (drop (ref.test (ref $s) (local.get $x)))
             (drop (ref.cast (ref null $s) (local.get $x)))
             (drop (any.convert_extern (extern.convert_any (local.get $y))))
             (drop (block $l (result (ref $v))
               (br_on_cast $l anyref (ref $v) (local.get $y))
               (drop) (local.get $y)))
             (drop (block $m (result anyref)
               (br_on_cast_fail $m anyref (ref $v) (local.get $y))))
             (ref.eq (local.get $x) (local.get $y))
             (array.len (local.get $y))
             (i32.add)))"#,
        Valid,
    );
    check(
        "3.0",
        "(module (type $s (struct (field i32))) (func (param (ref $s))
           (struct.set $s 0 (local.get 0) (i32.const 1))))",
        Invalid("immutable field"),
    );
    check(
        "3.0",
        "(module (type $v (array i32)) (func (param (ref $v))
           (array.set $v (local.get 0) (i32.const 0) (i32.const 1))))",
        Invalid("immutable array"),
    );
    check(
        "3.0",
        "(module (type $a (array (mut i32))) (type $b (array i64))
           (func (param (ref $a) (ref $b))
             (array.copy $a $b (local.get 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 0))))",
        Invalid("array types do not match"),
    );
    check(
        "3.0",
        "(module (type $f (array (mut funcref))) (data $d \"\")
           (func (drop (array.new_data $f $d (i32.const 0) (i32.const 0)))))",
        Invalid("array type is not numeric or vector"),
    );
    check(
        "3.0",
        "(module (type $s (struct (field i8))) (func (param (ref $s)) (result i32)
           (struct.get $s 0 (local.get 0))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (type $s (struct (field (ref $s)))) (func (drop (struct.new_default $s))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (type $s (struct)) (func (drop (struct.get $s 0 (ref.null $s)))))",
        Invalid("unknown field"),
    );
    check(
        "3.0",
        "(module (func (param funcref) (result i32) (ref.test i31ref (local.get 0))))",
        Invalid("type mismatch"),
    );
    // br_on_cast: the target type must match the source type.
    check(
        "3.0",
        "(module (func (param anyref) (result funcref)
           (block $l (result funcref) (br_on_cast $l anyref funcref (local.get 0)) (unreachable))))",
        Invalid("type mismatch"),
    );
    // A count of 2^32-1 on an unreachable stack is cheap.
    check(
        "3.0",
        "(module (type $v (array i32)) (func (result (ref $v)) (unreachable)
           (array.new_fixed $v 4294967295)))",
        Valid,
    );
    check(
        "3.0",
        "(module (type $v (array i32)) (func (result (ref $v)) (array.new_fixed $v 3 (i32.const 1))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (type $v (array i32)) (global (ref $v) (array.new_fixed $v 4294967295)))",
        Invalid("type mismatch"),
    );
}

/// The text forms of 3.0 types parse to the types they name and survive
/// the round trips. (Their validation is tested apart.)
#[test]
fn type_text_forms() {
    use weft_syntax::{CompositeType, HeapType, RefType, StorageType, TypeIdx, ValType};
    let parse = |wat: &str| {
        let m = weft_text::parse_wat(wat, Features::WASM3)
            .unwrap_or_else(|e| panic!("{wat}: does not parse: {e}"));
        round_trip(Features::WASM3, wat, &m);
        m
    };
    let m = parse(
        "(module
           (rec (type $list (struct (field $head i32) (field $tail (ref null $list))))
                (type $node (sub (struct (field (mut i8)) (field i16 anyref)))))
           (type $leaf (sub final $node (struct (field (mut i8)) (field i16 anyref) (field eqref))))
           (type $a (array (mut (ref $fwd))))
           (type $fwd (func (param (ref null 0) i31ref structref arrayref exnref)
                            (result nullref nullfuncref nullexternref nullexnref)))
           (table 1 (ref null $fwd))
           (table 2 (ref func) (ref.func $f))
           (func $f))",
    );
    // Four groups written, and one for the implicit type of `$f`.
    assert_eq!(m.types.group_count(), 5);
    assert_eq!(m.types.len(), 6);
    let list = m.types.get(TypeIdx(0)).unwrap();
    let CompositeType::Struct(s) = &list.composite else {
        panic!("$list is a struct")
    };
    assert_eq!(
        s.fields[1].storage,
        StorageType::Val(ValType::Ref(RefType::null(HeapType::Concrete(TypeIdx(0)))))
    );
    let leaf = m.types.get(TypeIdx(2)).unwrap();
    assert!(leaf.is_final);
    assert_eq!(leaf.supertypes, vec![HeapType::Concrete(TypeIdx(1))]);
    let node = m.types.get(TypeIdx(1)).unwrap();
    assert!(!node.is_final);
    let CompositeType::Array(a) = &m.types.get(TypeIdx(3)).unwrap().composite else {
        panic!("$a is an array")
    };
    assert_eq!(
        a.field.storage,
        StorageType::Val(ValType::Ref(RefType::non_null(HeapType::Concrete(
            TypeIdx(4)
        ))))
    );
    let fwd = m.types.func(TypeIdx(4)).unwrap();
    assert_eq!(fwd.params.len(), 5);
    assert_eq!(fwd.results[3], ValType::Ref(RefType::null(HeapType::NoExn)));
    assert!(m.tables[1].init.is_some());

    let malformed = |wat: &str, prefix: &str| match weft_text::parse_wat(wat, Features::WASM3) {
        Ok(_) => panic!("{wat}: parsed, expected malformed {prefix:?}"),
        Err(e) => assert!(
            e.message.starts_with(prefix),
            "{wat}: expected {prefix:?}, got {e}"
        ),
    };
    malformed(
        "(module (type (struct (field $x i32) (field $x i64))))",
        "duplicate field $x",
    );
    malformed(
        "(module (type (array (ref $nowhere))))",
        "unknown type $nowhere",
    );
    malformed(
        "(module (type (sub final (struct)) (struct)))",
        "unexpected token",
    );
    malformed("(module (type (array i32 i32)))", "unexpected token");
}

/// §3 of 3.0 on types: recursion groups, declared subtypes, equivalence of
/// rolled groups, and matching of reference types.
#[test]
fn type_validation() {
    // Declared subtypes: not final, defined before, composite types match.
    check(
        "3.0",
        "(module (type $a (sub (struct (field i32))))
                 (type $b (sub $a (struct (field i32) (field (mut i64)))))
                 (type $f (sub (func (param (ref $b)) (result (ref null $a)))))
                 (type $g (sub $f (func (param (ref null $a)) (result (ref $b))))))",
        Valid,
    );
    check(
        "3.0",
        "(module (type $a (struct)) (type $b (sub $a (struct))))",
        Invalid("sub type"),
    );
    check(
        "3.0",
        "(module (type $a (sub (struct (field (mut i32))))) (type (sub $a (struct (field i32)))))",
        Invalid("sub type"),
    );
    check(
        "3.0",
        "(module (type $a (sub (array i8))) (type (sub $a (array i16))))",
        Invalid("sub type"),
    );
    check(
        "3.0",
        "(module (rec (type (sub 1 (struct))) (type (sub (struct)))))",
        Invalid("sub type"),
    );
    check(
        "3.0",
        "(module (type (func (param (ref 1)))) (type (func)))",
        Invalid("unknown type"),
    );
    // Equivalent groups are the same types; different positions are not.
    check(
        "3.0",
        "(module (rec (type $s1 (struct (field (ref null $t1)))) (type $t1 (struct)))
                 (rec (type $s2 (struct (field (ref null $t2)))) (type $t2 (struct)))
                 (func (param (ref $s1)) (result (ref $s2)) (local.get 0)))",
        Valid,
    );
    check(
        "3.0",
        "(module (rec (type $s1 (struct)) (type (struct (field i32))))
                 (rec (type (struct (field i32))) (type $s2 (struct)))
                 (func (param (ref $s1)) (result (ref $s2)) (local.get 0)))",
        Invalid("type mismatch"),
    );
    // Matching: concrete below abstract, nullability, bottom types.
    check(
        "3.0",
        "(module (type $s (struct)) (type $f (func))
           (func (param (ref $s) (ref null $f) nullref nullfuncref nullexternref i31ref)
                 (result eqref funcref (ref null $s) (ref null $f) externref anyref)
             (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
             (local.get 5)))",
        Valid,
    );
    check(
        "3.0",
        "(module (type $s (struct)) (func (param (ref null $s)) (result (ref $s)) (local.get 0)))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (func (param nullfuncref) (result anyref) (local.get 0)))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (type $f (func)) (func (param (ref $f)) (result structref) (local.get 0)))",
        Invalid("type mismatch"),
    );
    // `ref.func` has the function's concrete type.
    check(
        "3.0",
        "(module (type $f (func)) (func $g (type $f)) (elem declare func $g)
           (func (result (ref $f)) (ref.func $g)))",
        Valid,
    );
    // Structural types of calls: the type must be a function type.
    check(
        "3.0",
        "(module (type $s (struct)) (table 1 funcref)
           (func (call_indirect (type $s) (i32.const 0))))",
        Invalid("type mismatch"),
    );
}

/// Locals of non-defaultable types (§3.3.5 of 3.0): set before read, and
/// forgotten at the end of the block that set them.
#[test]
fn local_initialisation() {
    check(
        "3.0",
        "(module (type $f (func)) (func $g) (elem declare func $g)
           (func (local (ref $f))
             (local.set 0 (ref.func $g))
             (block (drop (local.get 0)))))",
        Valid,
    );
    check(
        "3.0",
        "(module (func (local (ref func)) (drop (local.get 0))))",
        Invalid("uninitialized local"),
    );
    check(
        "3.0",
        "(module (func $g) (elem declare func $g) (func (local (ref func))
           (block (local.set 0 (ref.func $g)))
           (drop (local.get 0))))",
        Invalid("uninitialized local"),
    );
    check(
        "3.0",
        "(module (func (param (ref func)) (local (ref null func))
           (drop (local.get 0)) (drop (local.get 1))))",
        Valid,
    );
}

/// Constant expressions of 3.0: extended-const arithmetic, `global.get` of
/// earlier immutable globals, tables with initialisers.
#[test]
fn constant_expressions() {
    check(
        "3.0",
        "(module (global $a i32 (i32.const 1))
                 (global i32 (i32.mul (i32.add (global.get $a) (i32.const 2)) (i32.const 3)))
                 (global i64 (i64.sub (i64.const 1) (i64.const 2))))",
        Valid,
    );
    check(
        "3.0",
        "(module (global i32 (i32.add (i32.const 1) (i64.const 2))))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (global i32 (i32.div_s (i32.const 1) (i32.const 2))))",
        Invalid("constant expression required"),
    );
    check(
        "3.0",
        "(module (global $a (mut i32) (i32.const 1)) (global i32 (global.get $a)))",
        Invalid("constant expression required"),
    );
    check(
        "3.0",
        "(module (global i32 (global.get 1)) (global i32 (i32.const 1)))",
        Invalid("unknown global"),
    );
    check(
        "3.0",
        "(module (func $f) (table 2 (ref func) (ref.func $f)))",
        Valid,
    );
    check(
        "3.0",
        "(module (table 2 (ref func)))",
        Invalid("type mismatch"),
    );
    check(
        "3.0",
        "(module (global (ref null func) (ref.null func)) (table 1 funcref (global.get 0)))",
        Invalid("unknown global"),
    );
}

/// Hostile type sections end in an error or validate in linear time:
/// subtype chains deeper than 63 (the bound wasmparser and wasmtime share)
/// are refused, a recursion group of 20,000 mutually recursive structs and
/// 20,000 equivalent groups validate.
#[test]
fn hostile_types() {
    let chain = |n: usize| {
        let mut wat = String::from("(module (type (sub (struct)))");
        for i in 1..n {
            wat.push_str(&format!(" (type (sub {} (struct)))", i - 1));
        }
        wat.push(')');
        wat
    };
    check("3.0", &chain(64), Valid);
    check("3.0", &chain(65), Invalid("sub type hierarchy too deep"));

    let n = 20_000;
    let mut wat = String::from("(module (rec");
    for i in 0..n {
        wat.push_str(&format!(
            " (type (struct (field (ref null {}))))",
            (i + 1) % n
        ));
    }
    wat.push_str("))");
    check("3.0", &wat, Valid);

    let mut wat = String::from("(module");
    for _ in 0..n {
        wat.push_str(" (rec (type (sub (struct (field (mut i32))))) (type (func)))");
    }
    wat.push_str(" (func (param (ref 0)) (result (ref 39998)) (local.get 0)))");
    check("3.0", &wat, Valid);
}

/// Custom descriptors: exact types, descriptor clauses, the descriptor
/// instructions and exact imports through text, binary, printer and
/// validator; rejected without the feature.
#[test]
fn custom_descriptors() {
    let pair =
        "(rec (type $a (descriptor $b) (struct (field i32))) (type $b (describes $a) (struct)))";
    check(
        "3.0,custom-descriptors",
        &format!(
            "(module {pair} (type $f (func)) (import \"m\" \"f\" (func $i (exact (type $f))))
               (global $d (ref (exact $b)) (struct.new $b))
               (global (ref (exact $f)) (ref.func $i))
               (func (param anyref) (result (ref null (exact $a)))
                 (drop (ref.get_desc $a (struct.new_desc $a (i32.const 7) (global.get $d))))
                 (ref.cast_desc_eq (ref null (exact $a)) (local.get 0) (global.get $d))))"
        ),
        Valid,
    );
    check(
        "3.0,custom-descriptors",
        &format!("(module {pair} (func (drop (struct.new_default $a))))"),
        Invalid("type with descriptor requires descriptor allocation"),
    );
    check(
        "3.0,custom-descriptors",
        "(module (rec (type (descriptor 1) (struct)) (type (struct))))",
        Invalid("type is not described by its descriptor"),
    );
    check(
        "3.0,custom-descriptors",
        "(module (type (struct (field (ref exact 0)))))",
        Malformed("unexpected token"),
    );
    // Without the feature none of it is accepted.
    for wat in [
        "(module (type $s (struct)) (func (param (ref (exact $s)))))",
        "(module (rec (type (descriptor 1) (struct)) (type (describes 0) (struct))))",
        "(module (type $f (func)) (import \"m\" \"f\" (func (exact (type $f)))))",
    ] {
        let as_3_0 = weft_text::parse_wat(wat, Features::WASM3)
            .map_err(|e| e.to_string())
            .and_then(|m| {
                let bytes = weft_binary::encode(&m);
                weft_binary::decode(&bytes, Features::WASM3)
                    .map(|_| ())
                    .map_err(|e| e.message)
            });
        assert!(as_3_0.is_err(), "{wat}: accepted as Wasm 3.0");
    }
}
