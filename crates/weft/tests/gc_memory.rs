//! 100,000,000 short-lived structs with a small live set keep the process
//! under 64 MB resident: the collector runs as the heap grows and gives
//! the memory back (its own test binary, so that the peak is its own).

use weft::*;

/// The peak resident set of this process, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn short_lived_structs_keep_memory_bounded() {
    let mut config = Config::new();
    config
        .features(Features::WASM3)
        .strategy(Strategy::Interpreter);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module
            (type $pair (struct (field i64) (field (ref null $pair))))
            ;; A live list of 1,000 pairs (well under 1 MB) while `n` pairs
            ;; come and go.
            (func (export "run") (param $n i32) (result i64)
                (local $live (ref null $pair)) (local $sum i64) (local $i i32)
                (loop $l
                    (local.set $live (struct.new $pair (i64.extend_i32_u (local.get $i)) (local.get $live)))
                    (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000))))
                (loop $m
                    (local.set $sum (i64.add (local.get $sum)
                        (struct.get $pair 0 (struct.new $pair (i64.extend_i32_u (local.get $n)) (ref.null $pair)))))
                    (br_if $m (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                (i64.add (local.get $sum) (struct.get $pair 0 (ref.as_non_null (local.get $live))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance
        .get_typed_func::<i32, i64>(&mut store, "run")
        .unwrap();
    let n: u64 = 100_000_000;
    let sum = run.call(&mut store, n as i32).unwrap();
    assert_eq!(sum as u64, n * (n + 1) / 2 + 999);
    let (_, collections) = store.gc_stats();
    assert!(collections > 10, "{collections} collections");
    if let Some(peak) = peak_rss() {
        eprintln!(
            "{n} structs, {collections} collections, peak resident set {} KiB",
            peak >> 10
        );
        assert!(peak < 64 << 20, "peak resident set {} MiB", peak >> 20);
    }
}
