//! The binary format of the custom-descriptors proposal: exact reference
//! types (`0x62 x`), `describes` and `descriptor` clauses (`0x4C x`,
//! `0x4D y`), exact function imports (kind `0x20`) and the descriptor
//! instructions (`0xFB 0x20`-`0x26`). Each decodes with the feature, is
//! refused without it, and encodes back to the same bytes.

use weft_binary::{decode, encode, encode_instr, Reader};
use weft_syntax::{
    CastFlags, Features, HeapType, ImportDesc, Instr, LabelIdx, RefType, StorageType, TypeIdx,
    ValType,
};

fn cd() -> Features {
    Features::from_name("3.0,custom-descriptors").expect("a feature set")
}

/// A module of the header and one section.
fn module(id: u8, payload: &[u8]) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.push(id);
    m.push(payload.len() as u8);
    m.extend_from_slice(payload);
    m
}

/// A type section of one recursion group of `types` (their encodings).
fn rec(types: &[&[u8]]) -> Vec<u8> {
    let mut p = vec![0x01, 0x4E, types.len() as u8];
    for t in types {
        p.extend_from_slice(t);
    }
    module(0x01, &p)
}

fn round_trips(bytes: &[u8]) {
    let m = decode(bytes, cd()).expect("decodes");
    assert_eq!(encode(&m), bytes, "encode(decode(bytes)) differs");
}

fn malformed(bytes: &[u8], features: Features, prefix: &str) {
    match decode(bytes, features) {
        Ok(_) => panic!("decoded; expected {prefix:?}"),
        Err(e) => assert!(e.message.starts_with(prefix), "{e:?}, expected {prefix:?}"),
    }
}

#[test]
fn exact_reference_types() {
    // (type (struct (field (ref (exact 0))))) and (ref null (exact 0)).
    for (byte, nullable) in [(0x64, false), (0x63, true)] {
        let bytes = module(0x01, &[0x01, 0x5F, 0x01, byte, 0x62, 0x00, 0x00]);
        let m = decode(&bytes, cd()).expect("decodes");
        let field = match &m.types.get(TypeIdx(0)).unwrap().composite {
            weft_syntax::CompositeType::Struct(s) => s.fields[0].storage,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field,
            StorageType::Val(ValType::Ref(RefType {
                nullable,
                heap: HeapType::Exact(TypeIdx(0)),
            }))
        );
        round_trips(&bytes);
        // Without the feature 0x62 is no heap type.
        malformed(&bytes, Features::WASM3, "malformed");
    }
    // 0x62 alone, and 0x62 twice, are malformed storage types.
    malformed(
        &module(0x01, &[0x01, 0x5F, 0x01, 0x62, 0x00, 0x00]),
        cd(),
        "malformed storage type",
    );
    malformed(
        &module(0x01, &[0x01, 0x5F, 0x01, 0x64, 0x62, 0x62, 0x00, 0x00]),
        cd(),
        "malformed storage type",
    );
}

#[test]
fn descriptor_clauses() {
    // (rec (type (descriptor 1) (struct)) (type (describes 0) (struct)))
    let bytes = rec(&[&[0x4D, 0x01, 0x5F, 0x00], &[0x4C, 0x00, 0x5F, 0x00]]);
    let m = decode(&bytes, cd()).expect("decodes");
    let a = m.types.get(TypeIdx(0)).unwrap();
    let b = m.types.get(TypeIdx(1)).unwrap();
    assert_eq!(a.descriptor, Some(HeapType::Concrete(TypeIdx(1))));
    assert_eq!(a.describes, None);
    assert_eq!(b.describes, Some(HeapType::Concrete(TypeIdx(0))));
    round_trips(&bytes);
    // Both clauses on one type, in the order describes, descriptor; and
    // after the supertypes of an open subtype.
    let chain = rec(&[
        &[0x50, 0x00, 0x4D, 0x01, 0x5F, 0x00],
        &[0x4C, 0x00, 0x4D, 0x02, 0x5F, 0x00],
        &[0x4C, 0x01, 0x5F, 0x00],
    ]);
    round_trips(&chain);
    // A repeated clause, or the wrong order, is malformed.
    malformed(
        &rec(&[
            &[0x4D, 0x01, 0x4D, 0x01, 0x5F, 0x00],
            &[0x4C, 0x00, 0x5F, 0x00],
        ]),
        cd(),
        "malformed definition type",
    );
    malformed(
        &rec(&[
            &[0x4D, 0x01, 0x5F, 0x00],
            &[0x4D, 0x00, 0x4C, 0x00, 0x5F, 0x00],
        ]),
        cd(),
        "malformed definition type",
    );
    // Without the feature there are no clauses.
    malformed(&bytes, Features::WASM3, "malformed definition type");
}

#[test]
fn exact_function_imports() {
    // (type (func)) (import "" "" (func (exact (type 0))))
    let mut bytes = module(0x01, &[0x01, 0x60, 0x00, 0x00]);
    bytes.extend_from_slice(&[0x02, 0x05, 0x01, 0x00, 0x00, 0x20, 0x00]);
    let m = decode(&bytes, cd()).expect("decodes");
    assert!(m.imports[0].exact);
    assert_eq!(m.imports[0].desc, ImportDesc::Func(TypeIdx(0)));
    round_trips(&bytes);
    malformed(&bytes, Features::WASM3, "malformed import kind");
}

#[test]
fn descriptor_instructions() {
    let flags = CastFlags::new(true, false);
    let instrs = [
        Instr::StructNewDesc { ty: TypeIdx(3) },
        Instr::StructNewDefaultDesc { ty: TypeIdx(3) },
        Instr::RefGetDesc { ty: TypeIdx(3) },
        Instr::RefCastDescEq {
            ty: HeapType::Exact(TypeIdx(3)),
        },
        Instr::RefCastDescEqNull {
            ty: HeapType::Concrete(TypeIdx(3)),
        },
        Instr::BrOnCastDescEq {
            flags,
            label: LabelIdx(1),
            from: HeapType::Any,
            to: HeapType::Exact(TypeIdx(3)),
        },
        Instr::BrOnCastDescEqFail {
            flags,
            label: LabelIdx(0),
            from: HeapType::Concrete(TypeIdx(2)),
            to: HeapType::Concrete(TypeIdx(3)),
        },
        Instr::RefCast {
            ty: HeapType::Exact(TypeIdx(7)),
        },
    ];
    for (i, instr) in instrs.iter().enumerate() {
        let mut bytes = Vec::new();
        encode_instr(instr, &mut bytes);
        if i < 7 {
            assert_eq!(&bytes[..2], &[0xFB, 0x20 + i as u8], "{instr:?}");
        }
        let mut r = Reader::new_at(&bytes, 0, cd());
        assert_eq!(r.read_instr().expect("decodes"), *instr);
        assert!(r.is_empty());
        // Without the feature the new rows are illegal, and exact types
        // malformed.
        let mut r = Reader::new_at(&bytes, 0, Features::WASM3);
        assert!(
            r.read_instr().is_err(),
            "{instr:?} decodes without the feature"
        );
    }
}
