//! Day-one conveniences of the embedding API: `Module::from_file`, and the
//! types of public signatures reachable from `weft` itself.

use weft::{AddrType, Engine, ExternKind, ExternType, Feature, Features, Module};

fn temp(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-api-paths-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

#[test]
fn module_from_file() {
    let engine = Engine::default();
    let text = temp(
        "m.wat",
        br#"(module (memory (export "mem") 1 2) (func (export "two") (result i32) (i32.const 2)))"#,
    );
    let m = Module::from_file(&engine, &text).unwrap();
    let kinds: Vec<(&str, ExternKind)> = m.exports().map(|e| (e.name(), e.ty().kind())).collect();
    assert_eq!(
        kinds,
        [("mem", ExternKind::Memory), ("two", ExternKind::Func)]
    );
    let Some(ExternType::Memory(mem)) = m.exports().next().map(|e| e.ty().clone()) else {
        panic!("a memory export");
    };
    assert_eq!(mem.addr, AddrType::I32);

    let binary = temp("empty.wasm", b"\0asm\x01\0\0\0");
    assert_eq!(
        Module::from_file(&engine, &binary)
            .unwrap()
            .exports()
            .count(),
        0
    );

    let missing = text.with_extension("missing");
    let err = Module::from_file(&engine, &missing).unwrap_err();
    assert!(err.to_string().contains("m.missing"), "{err}");
    let truncated = temp("truncated.wasm", b"\0asm\x01\0\0");
    let err = Module::from_file(&engine, &truncated).unwrap_err();
    assert!(err.to_string().starts_with("unexpected end"), "{err}");
}

#[test]
fn syntax_types_are_reachable_from_weft() {
    assert!(!Features::WASM2.has(Feature::Gc));
    assert!(Features::WASM3.has(Feature::Gc));
    // `Module::from_parsed` takes the abstract syntax: named through `weft`.
    let parsed = weft::syntax::Module::default();
    let m = Module::from_parsed(&Engine::default(), parsed).unwrap();
    assert_eq!(m.exports().count(), 0);
}
