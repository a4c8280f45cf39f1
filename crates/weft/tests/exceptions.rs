//! Exception handling through the API, in every tier: tags defined,
//! imported and exported; exceptions thrown by Wasm and by host functions,
//! caught on either side of host and compiled frames; traps never caught;
//! the legacy instructions; the collector keeping exceptions and their
//! payloads alive.

use weft::*;

fn engine(strategy: Strategy, stress: bool) -> Engine {
    let mut config = Config::new();
    config
        .features(Features::from_name("3.0,legacy-exceptions").unwrap())
        .strategy(strategy)
        .gc_stress(stress);
    Engine::new(&config)
}

const STRATEGIES: [Strategy; 3] = [Strategy::Interpreter, Strategy::Compiler, Strategy::Auto];

/// `$host` throws the imported tag with its argument; `$call_host` is a
/// plain function (compiled under the compiler tier) between the catching
/// function and the host.
const MODULE: &str = r#"(module
    (import "env" "tag" (tag $t (param i32)))
    (import "env" "host" (func $host (param i32)))
    (tag $own (export "own") (param i64 f64))
    (func $call_host (param i32) (call $host (local.get 0)))
    ;; Lets what the host throws through, from a frame below.
    (func (export "via") (param i32) (call $call_host (local.get 0)))
    (func $deep (param $n i32) (param $v i32)
        (if (i32.eqz (local.get $n))
            (then (throw $t (local.get $v))))
        (call $deep (i32.sub (local.get $n) (i32.const 1)) (local.get $v)))
    ;; Catches what the host throws, through a compiled frame.
    (func (export "catch_host") (param i32) (result i32)
        (block $h (result i32)
            (try_table (catch $t $h)
                (call $call_host (local.get 0)))
            (i32.const -1)))
    ;; Catches a throw `n` frames down.
    (func (export "catch_deep") (param $n i32) (param $v i32) (result i32)
        (block $h (result i32)
            (try_table (catch $t $h)
                (call $deep (local.get $n) (local.get $v)))
            (i32.const -1)))
    (func (export "throw_own") (param i64 f64) (throw $own (local.get 0) (local.get 1)))
    (func (export "throw_deep") (param $n i32) (param $v i32) (call $deep (local.get $n) (local.get $v)))
    ;; A trap is not an exception: `catch_all` lets it through.
    (func (export "trap_in_catch_all") (result i32)
        (block $h
            (try_table (catch_all $h) (unreachable)))
        (i32.const 1))
    ;; catch_ref, then rethrow the same exception with throw_ref.
    (func (export "rethrow_ref") (param i32)
        (local $e exnref)
        (block $h (result i32 exnref)
            (try_table (catch_ref $t $h) (call $call_host (local.get 0)))
            (unreachable))
        (local.set $e)
        (drop)
        (throw_ref (local.get $e)))
    (func (export "null_throw_ref") (throw_ref (ref.null exn)))
    ;; A tail call replaces the frame, and its handlers: what the host
    ;; callee throws is caught by the caller's caller.
    (func $tail_host (param i32)
        (drop
            (block $inner (result i32)
                (try_table (catch $t $inner) (return_call $host (local.get 0)))
                (i32.const 0))))
    (func (export "tail_host") (param i32) (result i32)
        (block $h (result i32)
            (try_table (catch $t $h) (call $tail_host (local.get 0)))
            (i32.const -1)))
    ;; Legacy: catch, rethrow to an outer catch, catch_all, delegate.
    (func (export "legacy") (param i32) (result i32)
        (try (result i32)
            (do
                (try (result i32)
                    (do (call $host (local.get 0)) (i32.const 0))
                    (catch $t (drop) (rethrow 0))))
            (catch $t (i32.add (i32.const 100)))
            (catch_all (i32.const -2))))
    (func (export "legacy_delegate") (param i32) (result i32)
        (try (result i32)
            (do
                (try (result i32)
                    (do (call $host (local.get 0)) (i32.const 0))
                    (delegate 0)))
            (catch $t (i32.add (i32.const 200)))))
)"#;

struct Setup {
    store: Store<()>,
    tag: Tag,
    instance: Instance,
}

fn setup(strategy: Strategy) -> Setup {
    let engine = engine(strategy, false);
    let mut store = Store::new(&engine, ());
    let tag = Tag::new(&mut store, &TagType::new([ValType::I32])).unwrap();
    let host = Func::wrap(
        &mut store,
        move |mut caller: Caller<'_, ()>, x: i32| -> Result<()> {
            if x < 0 {
                return Err(Error::msg("negative"));
            }
            let exn = ExnRef::new(&mut caller, tag, &[Val::I32(x)])?;
            Err(Error::throw(exn))
        },
    );
    let module = Module::new(&engine, MODULE).unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("env", "tag", tag).unwrap();
    linker.define("env", "host", host).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    Setup {
        store,
        tag,
        instance,
    }
}

#[test]
fn wasm_catches_what_the_host_throws() {
    for strategy in STRATEGIES {
        let Setup {
            mut store,
            instance,
            ..
        } = setup(strategy);
        let f = instance
            .get_typed_func::<i32, i32>(&mut store, "catch_host")
            .unwrap();
        assert_eq!(f.call(&mut store, 42).unwrap(), 42, "{strategy:?}");
        // A host error that is not an exception is not caught.
        let e = f.call(&mut store, -1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Host, "{strategy:?}");
        // The store stays usable.
        assert_eq!(f.call(&mut store, 7).unwrap(), 7, "{strategy:?}");
    }
}

#[test]
fn throws_are_caught_many_frames_up() {
    for strategy in STRATEGIES {
        let Setup {
            mut store,
            instance,
            ..
        } = setup(strategy);
        let f = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "catch_deep")
            .unwrap();
        for n in [0, 1, 10, 10_000] {
            assert_eq!(
                f.call(&mut store, (n, n + 5)).unwrap(),
                n + 5,
                "{strategy:?} {n}"
            );
        }
    }
}

#[test]
fn an_uncaught_exception_reaches_the_host_with_tag_payload_and_backtrace() {
    for strategy in STRATEGIES {
        let Setup {
            mut store,
            instance,
            tag,
        } = setup(strategy);
        let f = instance
            .get_typed_func::<(i32, i32), ()>(&mut store, "throw_deep")
            .unwrap();
        let e = f.call(&mut store, (3, 9)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Exception, "{strategy:?}");
        assert!(
            e.to_string()
                .starts_with("uncaught exception: tag `env`.`tag`"),
            "{e}"
        );
        // `$deep` four times, then `throw_deep`.
        assert_eq!(e.backtrace().len(), 5, "{strategy:?}: {e}");
        let exn = e.as_exception().unwrap();
        assert_eq!(exn.tag(&store).unwrap(), tag);
        assert_eq!(exn.fields(&store).unwrap(), vec![Val::I32(9)]);

        // A tag the module defines and exports.
        let own = instance.get_tag(&mut store, "own").unwrap();
        assert_eq!(own.ty(&store).params(), &[ValType::I64, ValType::F64][..]);
        let f = instance
            .get_typed_func::<(i64, f64), ()>(&mut store, "throw_own")
            .unwrap();
        let e = f.call(&mut store, (-3, 2.5)).unwrap_err();
        let exn = e.as_exception().unwrap();
        assert_eq!(exn.tag(&store).unwrap(), own);
        assert_eq!(
            exn.fields(&store).unwrap(),
            vec![Val::I64(-3), Val::F64(2.5f64.to_bits())]
        );
        assert!(e.to_string().contains("tag `own`"), "{e}");
    }
}

#[test]
fn traps_are_never_caught() {
    for strategy in STRATEGIES {
        let Setup {
            mut store,
            instance,
            ..
        } = setup(strategy);
        let f = instance
            .get_typed_func::<(), i32>(&mut store, "trap_in_catch_all")
            .unwrap();
        let e = f.call(&mut store, ()).unwrap_err();
        assert_eq!(e.trap_code(), Some(TrapCode::Unreachable), "{strategy:?}");
        let f = instance
            .get_typed_func::<(), ()>(&mut store, "null_throw_ref")
            .unwrap();
        let e = f.call(&mut store, ()).unwrap_err();
        assert_eq!(
            e.trap_code(),
            Some(TrapCode::NullExceptionReference),
            "{strategy:?}"
        );
    }
}

#[test]
fn a_tail_call_leaves_the_handlers_of_the_replaced_frame() {
    for strategy in STRATEGIES {
        let Setup {
            mut store,
            instance,
            ..
        } = setup(strategy);
        let f = instance
            .get_typed_func::<i32, i32>(&mut store, "tail_host")
            .unwrap();
        assert_eq!(f.call(&mut store, 5).unwrap(), 5, "{strategy:?}");
    }
}

#[test]
fn throw_ref_rethrows_the_same_exception() {
    let Setup {
        mut store,
        instance,
        tag,
    } = setup(Strategy::Auto);
    let f = instance
        .get_typed_func::<i32, ()>(&mut store, "rethrow_ref")
        .unwrap();
    let e = f.call(&mut store, 5).unwrap_err();
    let exn = e.as_exception().expect("an exception");
    assert_eq!(exn.tag(&store).unwrap(), tag);
    assert_eq!(exn.fields(&store).unwrap(), vec![Val::I32(5)]);
}

#[test]
fn legacy_try_catch_rethrow_and_delegate() {
    for strategy in STRATEGIES {
        let Setup {
            mut store,
            instance,
            ..
        } = setup(strategy);
        let legacy = instance
            .get_typed_func::<i32, i32>(&mut store, "legacy")
            .unwrap();
        assert_eq!(legacy.call(&mut store, 4).unwrap(), 104, "{strategy:?}");
        let delegate = instance
            .get_typed_func::<i32, i32>(&mut store, "legacy_delegate")
            .unwrap();
        assert_eq!(delegate.call(&mut store, 4).unwrap(), 204, "{strategy:?}");
    }
}

#[test]
fn exceptions_cross_host_frames_both_ways() {
    // Wasm calls the host, which calls back into Wasm, which throws; the
    // host lets the error through with `?` and the outer Wasm catches it.
    for strategy in STRATEGIES {
        let engine = engine(strategy, false);
        let mut store = Store::new(&engine, ());
        let module = Module::new(
            &engine,
            r#"(module
                (import "env" "reenter" (func $reenter (param i32) (result i32)))
                (tag $t (export "t") (param i32))
                (func (export "inner") (param i32) (result i32) (throw $t (local.get 0)))
                (func (export "outer") (param i32) (result i32)
                    (block $h (result i32)
                        (try_table (result i32) (catch $t $h) (call $reenter (local.get 0))))))"#,
        )
        .unwrap();
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("env", "reenter", |mut caller: Caller<'_, ()>, x: i32| {
                let inner = caller
                    .get_export("inner")
                    .and_then(Extern::into_func)
                    .ok_or_else(|| Error::msg("no inner"))?;
                let inner = inner.typed::<i32, i32>(&caller)?;
                inner.call(&mut caller, x + 1)
            })
            .unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let outer = instance
            .get_typed_func::<i32, i32>(&mut store, "outer")
            .unwrap();
        assert_eq!(outer.call(&mut store, 10).unwrap(), 11, "{strategy:?}");
    }
}

#[test]
fn tag_imports_must_match_exactly() {
    let engine = engine(Strategy::Interpreter, false);
    let mut store = Store::new(&engine, ());
    let tag = Tag::new(&mut store, &TagType::new([ValType::I64])).unwrap();
    let module = Module::new(&engine, r#"(module (import "env" "t" (tag (param i32))))"#).unwrap();
    let e = Instance::new(&mut store, &module, &[tag.into()]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unlinkable);
    assert!(e.to_string().starts_with("incompatible import type"), "{e}");
    // Wrong payloads are refused when the host builds an exception.
    assert!(ExnRef::new(&mut store, tag, &[Val::I32(1)]).is_err());
    assert!(ExnRef::new(&mut store, tag, &[]).is_err());
    // Tags have no results.
    let bad = TagType::from_func_type(FuncType {
        params: vec![],
        results: vec![ValType::I32],
    });
    assert!(Tag::new(&mut store, &bad).is_err());
}

#[test]
fn caught_exceptions_and_their_payloads_survive_collections() {
    // With the collector at every allocation: the payload struct is
    // reachable only from the exception while it is thrown, then from the
    // caught exnref while more allocations collect.
    let engine = engine(Strategy::Interpreter, true);
    let mut store = Store::new(&engine, ());
    let module = Module::new(
        &engine,
        r#"(module
            (type $s (struct (field i32)))
            (tag $t (param (ref $s)))
            (func (export "run") (param i32) (result i32)
                (local $e exnref) (local $i i32)
                (local.set $e
                    (block $h (result exnref)
                        (try_table (catch_all_ref $h)
                            (throw $t (struct.new $s (local.get 0))))
                        (unreachable)))
                (loop $churn
                    (drop (struct.new $s (local.get $i)))
                    (br_if $churn (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 100))))
                (block $h2 (result (ref $s))
                    (try_table (catch $t $h2) (throw_ref (local.get $e)))
                    (unreachable))
                (struct.get $s 0)))"#,
    )
    .unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance
        .get_typed_func::<i32, i32>(&mut store, "run")
        .unwrap();
    assert_eq!(run.call(&mut store, 1234).unwrap(), 1234);
    assert!(store.gc_stats().1 > 100, "{:?}", store.gc_stats());
}

#[test]
fn an_exception_through_a_function_the_host_called_names_its_frame() {
    // The host calls `via` (function 2), which calls `$call_host`
    // (function 1), which calls the host function that throws: the
    // exception leaves Wasm with the frame of `via` outermost in every
    // tier, on the first call and later ones (compiled code is then
    // entered straight from the host, without the interpreter's run
    // loop). The interpreter names both frames; compiled code names the
    // function the host called.
    for strategy in STRATEGIES {
        let Setup {
            mut store,
            instance,
            tag,
        } = setup(strategy);
        let f = instance
            .get_typed_func::<i32, ()>(&mut store, "via")
            .unwrap();
        for round in 0..2 {
            let e = f.call(&mut store, 7 + round).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Exception, "{strategy:?}: {e}");
            assert!(
                e.to_string()
                    .starts_with("uncaught exception: tag `env`.`tag`"),
                "{strategy:?}: {e}"
            );
            let exn = e.as_exception().unwrap();
            assert_eq!(exn.tag(&store).unwrap(), tag);
            assert_eq!(exn.fields(&store).unwrap(), vec![Val::I32(7 + round)]);
            let frames: Vec<u32> = e.backtrace().iter().map(|f| f.func_index).collect();
            assert_eq!(frames.last(), Some(&2), "{strategy:?}: {e}");
            if strategy == Strategy::Interpreter {
                assert_eq!(frames, [1, 2], "{e}");
            }
        }
    }
}
