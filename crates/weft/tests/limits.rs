//! Resource limits (`Store::limiter`, `StoreLimits`): growth refused by
//! the limiter fails as the spec allows (-1) in every tier, instantiation
//! over a limit fails with a clear error, a limiter's error ends the call.

use weft::{
    Config, Engine, Error, Limits, Linker, MemType, Memory, Module, ResourceLimiter, Store,
    StoreLimits, StoreLimitsBuilder, Strategy, Table, TableType, Val,
};

const TIERS: [Strategy; 3] = [Strategy::Interpreter, Strategy::Compiler, Strategy::Auto];

const GROWER: &str = r#"(module
    (memory (export "memory") 1)
    (table (export "table") 1 funcref)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "grow_table") (param i32) (result i32)
        (table.grow (ref.null func) (local.get 0)))
    (func (export "size") (result i32) (memory.size)))"#;

fn engine(strategy: Strategy) -> Engine {
    Engine::new(Config::new().strategy(strategy))
}

fn limited(engine: &Engine, limits: StoreLimits) -> Store<StoreLimits> {
    let mut store = Store::new(engine, limits);
    store.limiter(|l: &mut StoreLimits| l);
    store
}

#[test]
fn memory_and_table_growth_stop_at_the_limits_in_every_tier() -> weft::Result<()> {
    for tier in TIERS {
        let engine = engine(tier);
        let module = Module::new(&engine, GROWER)?;
        let limits = StoreLimitsBuilder::new()
            .memory_size(4 << 16)
            .table_elements(10)
            .build();
        let mut store = limited(&engine, limits);
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
        let grow_table = instance.get_typed_func::<i32, i32>(&mut store, "grow_table")?;
        let size = instance.get_typed_func::<(), i32>(&mut store, "size")?;
        assert_eq!(grow.call(&mut store, 3)?, 1, "{tier:?}: to 4 pages");
        assert_eq!(grow.call(&mut store, 1)?, -1, "{tier:?}: to 5 pages");
        assert_eq!(size.call(&mut store, ())?, 4, "{tier:?}");
        assert_eq!(grow.call(&mut store, 0)?, 4, "{tier:?}: growing by 0");
        assert_eq!(grow_table.call(&mut store, 9)?, 1, "{tier:?}: to 10");
        assert_eq!(grow_table.call(&mut store, 1)?, -1, "{tier:?}: to 11");
        // The API goes through the limiter too.
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        assert!(memory.grow(&mut store, 1).is_err(), "{tier:?}");
        let table = instance.get_table(&mut store, "table").unwrap();
        assert!(table.grow(&mut store, 1, Val::FuncRef(None)).is_err());
        assert_eq!(memory.size(&store), 4);
    }
    Ok(())
}

#[test]
fn without_a_limiter_nothing_changes() -> weft::Result<()> {
    for tier in TIERS {
        let engine = engine(tier);
        let module = Module::new(&engine, GROWER)?;
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
        assert_eq!(grow.call(&mut store, 100)?, 1, "{tier:?}");
    }
    Ok(())
}

#[test]
fn a_limiter_error_ends_the_call_and_the_store_stays_usable() -> weft::Result<()> {
    for tier in TIERS {
        let engine = engine(tier);
        let module = Module::new(&engine, GROWER)?;
        let limits = StoreLimitsBuilder::new()
            .memory_size(2 << 16)
            .table_elements(2)
            .trap_on_grow_failure(true)
            .build();
        let mut store = limited(&engine, limits);
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
        let grow_table = instance.get_typed_func::<i32, i32>(&mut store, "grow_table")?;
        let e = grow.call(&mut store, 5).unwrap_err();
        assert!(
            e.to_string().starts_with("resource limit exceeded"),
            "{tier:?}: {e}"
        );
        let e = grow_table.call(&mut store, 5).unwrap_err();
        assert!(
            e.to_string().starts_with("resource limit exceeded"),
            "{tier:?}: {e}"
        );
        assert_eq!(grow.call(&mut store, 1)?, 1, "{tier:?}: usable after");
        assert_eq!(grow_table.call(&mut store, 1)?, 1, "{tier:?}");
    }
    Ok(())
}

#[test]
fn instantiation_over_a_limit_fails_with_a_clear_error() -> weft::Result<()> {
    let engine = Engine::default();
    // A minimum above the memory limit.
    let big = Module::new(&engine, "(module (memory 10))")?;
    let mut store = limited(
        &engine,
        StoreLimitsBuilder::new().memory_size(5 << 16).build(),
    );
    let e = Linker::new(&engine)
        .instantiate(&mut store, &big)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("resource limit exceeded: memory minimum size of 10 pages"),
        "{e}"
    );
    let big_table = Module::new(&engine, "(module (table 100 funcref))")?;
    let mut store = limited(
        &engine,
        StoreLimitsBuilder::new().table_elements(99).build(),
    );
    let e = Linker::new(&engine)
        .instantiate(&mut store, &big_table)
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("resource limit exceeded: table minimum size"),
        "{e}"
    );

    // Counts: instances, memories, tables.
    let one = Module::new(&engine, "(module (memory 1) (table 1 funcref))")?;
    let linker = Linker::new(&engine);
    let mut store = limited(&engine, StoreLimitsBuilder::new().instances(2).build());
    linker.instantiate(&mut store, &one)?;
    linker.instantiate(&mut store, &one)?;
    let e = linker.instantiate(&mut store, &one).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("resource limit exceeded: instance count too high at 3"),
        "{e}"
    );
    let mut store = limited(&engine, StoreLimitsBuilder::new().memories(1).build());
    linker.instantiate(&mut store, &one)?;
    let e = linker.instantiate(&mut store, &one).unwrap_err();
    assert!(e.to_string().contains("memory count too high"), "{e}");
    let e = Memory::new(&mut store, MemType::new(Limits { min: 1, max: None })).unwrap_err();
    assert!(e.to_string().contains("memory count too high"), "{e}");
    let mut store = limited(&engine, StoreLimitsBuilder::new().tables(1).build());
    linker.instantiate(&mut store, &one)?;
    let ty = TableType::new(weft::RefType::FUNCREF, Limits { min: 1, max: None });
    let e = Table::new(&mut store, ty, Val::FuncRef(None)).unwrap_err();
    assert!(e.to_string().contains("table count too high"), "{e}");
    Ok(())
}

/// A limiter of the host's own: sees every request, with sizes in bytes.
#[derive(Default)]
struct Recorder {
    requests: Vec<(usize, usize, Option<usize>)>,
    failed: usize,
}

impl ResourceLimiter for Recorder {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        max: Option<usize>,
    ) -> weft::Result<bool> {
        self.requests.push((current, desired, max));
        Ok(true)
    }
    fn memory_grow_failed(&mut self, _: Error) -> weft::Result<()> {
        self.failed += 1;
        Ok(())
    }
    fn table_growing(&mut self, _: usize, _: usize, _: Option<usize>) -> weft::Result<bool> {
        Ok(true)
    }
}

#[test]
fn a_custom_limiter_sees_each_request_and_each_failure() -> weft::Result<()> {
    for tier in TIERS {
        let engine = engine(tier);
        let module = Module::new(
            &engine,
            r#"(module (memory 1 3)
                (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
        )?;
        let mut store = Store::new(&engine, Recorder::default());
        store.limiter(|r: &mut Recorder| r);
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let grow = instance.get_typed_func::<i32, i32>(&mut store, "grow")?;
        assert_eq!(grow.call(&mut store, 1)?, 1);
        assert_eq!(grow.call(&mut store, 5)?, -1, "beyond the maximum");
        let page = 1 << 16;
        assert_eq!(
            store.data().requests,
            [
                (0, page, Some(3 * page)),
                (page, 2 * page, Some(3 * page)),
                (2 * page, 7 * page, Some(3 * page)),
            ],
            "{tier:?}"
        );
        assert_eq!(store.data().failed, 1, "{tier:?}");
    }
    Ok(())
}

/// The GC heap is bounded by the limiter's `gc_heap_size`: live data
/// beyond it traps ("out of memory: GC heap limit reached"), garbage does
/// not count (a collection runs before any refusal), and the store stays
/// usable.
#[test]
fn gc_heap_limited_by_the_store_limits() {
    let module = r#"(module
        (type $node (struct (field i64) (field (ref null $node))))
        (global $keep (mut (ref null $node)) (ref.null $node))
        ;; `n` nodes kept alive in a list from the global.
        (func (export "keep") (param $n i32)
            (loop $l
                (global.set $keep (struct.new $node (i64.extend_i32_u (local.get $n)) (global.get $keep)))
                (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
        ;; `n` nodes dropped at once.
        (func (export "churn") (param $n i32)
            (loop $l
                (drop (struct.new $node (i64.const 0) (ref.null $node)))
                (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
        (func (export "clear") (global.set $keep (ref.null $node))))"#;
    let engine = engine(Strategy::Auto);
    let module = Module::new(&engine, module).unwrap();
    // A node is 2 slots plus the heap's per-object overhead: under 64 bytes.
    let mut store = limited(
        &engine,
        StoreLimitsBuilder::new().gc_heap_size(1 << 20).build(),
    );
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let keep = instance
        .get_typed_func::<i32, ()>(&mut store, "keep")
        .unwrap();
    let churn = instance
        .get_typed_func::<i32, ()>(&mut store, "churn")
        .unwrap();
    let clear = instance
        .get_typed_func::<(), ()>(&mut store, "clear")
        .unwrap();
    // 1,000,000 short-lived nodes: far beyond 1 MiB in all, never live.
    churn.call(&mut store, 1_000_000).unwrap();
    // 10,000 live nodes fit; 100,000 (several MiB) do not.
    keep.call(&mut store, 10_000).unwrap();
    let e = keep.call(&mut store, 100_000).unwrap_err();
    assert_eq!(e.trap_code(), Some(weft::TrapCode::GcHeapExhausted), "{e}");
    assert!(e
        .to_string()
        .starts_with("out of memory: GC heap limit reached"));
    clear.call(&mut store, ()).unwrap();
    keep.call(&mut store, 10_000).unwrap();

    // Without a GC limit the same program keeps 100,000 nodes.
    let mut store = limited(&engine, StoreLimitsBuilder::new().build());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let keep = instance
        .get_typed_func::<i32, ()>(&mut store, "keep")
        .unwrap();
    keep.call(&mut store, 100_000).unwrap();
}
