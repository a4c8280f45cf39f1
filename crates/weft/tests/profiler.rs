//! The guest profiler and what it stands on: the epoch deadline callback
//! and the Wasm call stack seen from inside it, in every tier, across
//! tiers and through host functions.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use weft::{
    AsContext, Config, Engine, GuestProfiler, Linker, Module, SamplingHandle, Store, Strategy,
    TrapCode, UpdateDeadline,
};

const TIERS: [Strategy; 3] = [Strategy::Interpreter, Strategy::Compiler, Strategy::Auto];

/// `$main` calls `$hot` (a loop of `n` iterations) and `$cold` (`n / 16`).
const PROGRAM: &str = weft_testkit::PROFILE_PROGRAM;

/// A store whose epoch deadline callback samples into a profiler and
/// continues `ticks` epochs later.
fn profiled(engine: &Engine, ticks: u64) -> Store<Option<GuestProfiler>> {
    let mut store = Store::new(
        engine,
        Some(GuestProfiler::new("test", Duration::from_millis(1))),
    );
    store.set_epoch_deadline(ticks);
    store.epoch_deadline_callback(move |store| {
        let mut p = store.data_mut().take().expect("profiler");
        p.sample(&*store);
        *store.data_mut() = Some(p);
        Ok(UpdateDeadline::Continue(ticks))
    });
    store
}

fn folded(p: &GuestProfiler) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    p.write_folded(&mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| {
            let (stack, n) = l.rsplit_once(' ').unwrap();
            (stack.to_string(), n.parse().unwrap())
        })
        .collect()
}

/// A thread that advances the engine's epoch every millisecond (and, with
/// a handle, sends the sampling signal) until stopped.
struct Ticker {
    done: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Ticker {
    fn start(engine: &Engine, handle: Option<SamplingHandle>) -> Ticker {
        let done = Arc::new(AtomicBool::new(false));
        let (engine, stop) = (engine.clone(), done.clone());
        let thread = std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(1));
                engine.increment_epoch();
                if let Some(h) = &handle {
                    h.signal();
                }
            }
        });
        Ticker { done, thread }
    }

    fn stop(self) {
        self.done.store(true, Ordering::Relaxed);
        self.thread.join().unwrap();
    }
}

/// A time-sampled profile of `PROGRAM`: enough samples, `$hot` (16 times
/// the work of `$cold`) with most of them, every stack under `$main`.
fn assert_finds_hot(tier: Strategy, p: &GuestProfiler) {
    let stacks = folded(p);
    let count = |s: &str| stacks.iter().filter(|x| x.0 == s).map(|x| x.1).sum::<u64>();
    let (hot, cold) = (count("main;hot;spin"), count("main;cold;spin"));
    let total: u64 = stacks.iter().map(|x| x.1).sum();
    assert!(total >= 20, "{tier:?}: {stacks:?}");
    assert!(hot * 10 >= total * 8, "{tier:?}: {stacks:?}");
    assert!(hot > 4 * cold, "{tier:?}: {stacks:?}");
    assert!(
        stacks.iter().all(|(s, _)| s.starts_with("main")),
        "{tier:?}: {stacks:?}"
    );
}

/// With a deadline 0 epochs away every check samples: the profile counts
/// function entries and loop iterations exactly, with their stacks, in
/// every tier (compiled frames walked by frame pointer).
#[test]
fn every_check_is_counted_with_its_stack_in_every_tier() -> weft::Result<()> {
    for tier in TIERS {
        let engine = Engine::new(Config::new().strategy(tier).epoch_interruption(true));
        let module = Module::new(&engine, PROGRAM)?;
        let mut store = profiled(&engine, 0);
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let main = instance.get_typed_func::<i32, i32>(&mut store, "main")?;
        let n = 1600;
        assert_eq!(
            main.call(&mut store, n)?,
            3 * (n * (n + 1) / 2 + 100 * 101 / 2)
        );
        let p = store.data_mut().take().unwrap();
        let mut got = folded(&p);
        got.sort();
        let want = [
            // Entries of main, hot and cold, then spin's entry, each
            // iteration of its loop and the point after the loop (the
            // points where fuel is counted).
            ("main", 1),
            ("main;cold", 1),
            ("main;cold;spin", 1 + 100 + 1),
            ("main;hot", 1),
            ("main;hot;spin", 1 + 1600 + 1),
        ];
        let want: Vec<(String, u64)> = want.iter().map(|&(s, n)| (s.to_string(), n)).collect();
        assert_eq!(got, want, "{tier:?}");
        assert_eq!(p.sample_count(), 1 + 1 + 102 + 1 + 1602, "{tier:?}");
    }
    Ok(())
}

/// Sampled by time, from a timer thread: `$hot` (16 times the work of
/// `$cold`) gets most samples, under `$main`.
#[test]
fn a_timer_sampled_profile_finds_the_hot_function_in_every_tier() -> weft::Result<()> {
    for tier in TIERS {
        let engine = Engine::new(Config::new().strategy(tier).epoch_interruption(true));
        let module = Module::new(&engine, PROGRAM)?;
        let mut store = profiled(&engine, 1);
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let main = instance.get_typed_func::<i32, i32>(&mut store, "main")?;
        let timer = Ticker::start(&engine, None);
        // Enough work for at least 100 ms in the fastest tier.
        let n = if tier == Strategy::Interpreter {
            40_000_000
        } else {
            400_000_000
        };
        main.call(&mut store, n)?;
        timer.stop();
        let p = store.data_mut().take().unwrap();
        assert_finds_hot(tier, &p);
    }
    Ok(())
}

/// `Config::sampling_signal`: compiled code has no epoch checks (the
/// deadline callback never runs in it) and is sampled from the signal
/// instead, with its stack; the profile still finds the hot function.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[test]
fn compiled_code_is_sampled_from_a_signal_without_epoch_checks() -> weft::Result<()> {
    for tier in [Strategy::Compiler, Strategy::Auto] {
        let engine = Engine::new(
            Config::new()
                .strategy(tier)
                .epoch_interruption(true)
                .sampling_signal(true),
        );
        let module = Module::new(&engine, PROGRAM)?;
        let mut store = Store::new(
            &engine,
            (
                Some(GuestProfiler::new("test", Duration::from_millis(1))),
                0u64,
            ),
        );
        store.set_epoch_deadline(1);
        // At epoch checks (none in compiled code): counted, not sampled.
        store.epoch_deadline_callback(|store| {
            store.data_mut().1 += 1;
            Ok(UpdateDeadline::Continue(1))
        });
        store.signal_sampler(|data, stack| {
            data.0.as_mut().expect("profiler").sample_stack(stack);
            1
        });
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let main = instance.get_typed_func::<i32, i32>(&mut store, "main")?;
        let timer = Ticker::start(&engine, Some(store.sampling_handle()));
        main.call(&mut store, 400_000_000)?;
        timer.stop();
        let (p, checks) = store.data_mut();
        let p = p.take().unwrap();
        assert_eq!(*checks, 0, "{tier:?}: an epoch check ran");
        assert_finds_hot(tier, &p);
    }
    Ok(())
}

/// The stack seen from a callback runs through a host function that
/// called back into Wasm, and from a host function the guest called, in
/// every tier (and in `Auto`, interpreted and compiled frames mixed).
#[test]
fn the_stack_runs_through_host_functions_and_tiers() -> weft::Result<()> {
    let wat = r#"(module
        (import "host" "reenter" (func $reenter (param i32) (result i32)))
        (import "host" "look" (func $look))
        (func $leaf (export "leaf") (param i32) (result i32)
            (call $look)
            (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (local.get 0))
        (func $middle (param i32) (result i32) (call $reenter (local.get 0)))
        (func $outer (export "outer") (param i32) (result i32) (call $middle (local.get 0))))"#;
    for tier in TIERS {
        let engine = Engine::new(Config::new().strategy(tier).epoch_interruption(true));
        let module = Module::new(&engine, wat)?;
        let seen: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
        let mut store = Store::new(&engine, None::<weft::Func>);
        let mut linker = Linker::new(&engine);
        linker.func_wrap(
            "host",
            "reenter",
            |mut caller: weft::Caller<'_, Option<weft::Func>>, n: i32| {
                let leaf = caller.data().expect("leaf");
                let leaf = leaf.typed::<i32, i32>(&caller)?;
                leaf.call(&mut caller, n)
            },
        )?;
        let looked = seen.clone();
        linker.func_wrap(
            "host",
            "look",
            move |caller: weft::Caller<'_, Option<weft::Func>>| {
                looked
                    .lock()
                    .unwrap()
                    .push(names(&caller.as_context().wasm_backtrace()));
            },
        )?;
        let sampled = seen.clone();
        store.set_epoch_deadline(0);
        store.epoch_deadline_callback(move |store| {
            sampled.lock().unwrap().push(names(&store.wasm_backtrace()));
            Ok(UpdateDeadline::Continue(0))
        });
        let instance = linker.instantiate(&mut store, &module)?;
        *store.data_mut() = instance.get_func(&mut store, "leaf");
        let outer = instance.get_typed_func::<i32, i32>(&mut store, "outer")?;
        assert_eq!(outer.call(&mut store, 3)?, 0);
        let seen = seen.lock().unwrap();
        let stack = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let want = vec![
            stack(&["outer"]),
            stack(&["middle", "outer"]),
            stack(&["leaf", "middle", "outer"]),
            // `look`, a host function, sees its caller and the callers.
            stack(&["leaf", "middle", "outer"]),
            // Three iterations of the loop, then the point after it.
            stack(&["leaf", "middle", "outer"]),
            stack(&["leaf", "middle", "outer"]),
            stack(&["leaf", "middle", "outer"]),
            stack(&["leaf", "middle", "outer"]),
        ];
        assert_eq!(*seen, want, "{tier:?}");
        // Outside of any call there is no stack.
        assert!(store.wasm_backtrace().is_empty());
    }
    Ok(())
}

fn names(frames: &[weft::FrameInfo]) -> Vec<String> {
    frames
        .iter()
        .map(|f| f.func_name.clone().unwrap_or_default())
        .collect()
}

/// The callback stops the guest by returning `Interrupt` (a trap with its
/// backtrace) or an error (returned as it is); without one, reaching the
/// deadline traps as before.
#[test]
fn the_callback_can_stop_the_guest() -> weft::Result<()> {
    for tier in TIERS {
        let engine = Engine::new(Config::new().strategy(tier).epoch_interruption(true));
        let module = Module::new(&engine, PROGRAM)?;
        let mut store = Store::new(&engine, 0u32);
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let main = instance.get_typed_func::<i32, i32>(&mut store, "main")?;
        store.set_epoch_deadline(0);
        store.epoch_deadline_callback(|store| {
            *store.data_mut() += 1;
            Ok(if *store.data() == 5 {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Continue(0)
            })
        });
        let e = main.call(&mut store, 100).unwrap_err();
        assert_eq!(e.trap_code(), Some(TrapCode::Interrupt), "{tier:?}: {e}");
        let frames = names(e.backtrace());
        assert_eq!(frames, ["spin", "hot", "main"], "{tier:?}: {e}");

        store.epoch_deadline_callback(|_| Err(weft::Error::msg("enough")));
        let e = main.call(&mut store, 100).unwrap_err();
        assert!(e.to_string().contains("enough"), "{tier:?}: {e}");

        store.epoch_deadline_trap();
        let e = main.call(&mut store, 100).unwrap_err();
        assert_eq!(e.trap_code(), Some(TrapCode::Interrupt), "{tier:?}: {e}");
        assert_eq!(names(e.backtrace()), ["main"], "{tier:?}: {e}");
    }
    Ok(())
}

/// The Firefox profile and the flame graph name the functions; the
/// flame graph is one SVG document with a box per call path.
#[test]
fn the_outputs_name_the_functions() -> weft::Result<()> {
    let engine = Engine::new(Config::new().epoch_interruption(true));
    let module = Module::new(&engine, PROGRAM)?;
    let mut store = profiled(&engine, 0);
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let main = instance.get_typed_func::<i32, i32>(&mut store, "main")?;
    main.call(&mut store, 160)?;
    let p = store.data_mut().take().unwrap();
    let mut svg = Vec::new();
    p.write_flamegraph(&mut svg).unwrap();
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    // all, main, hot, cold and spin twice (and the background).
    assert_eq!(svg.matches(r#"rx="2""#).count(), 6, "{svg}");
    assert!(svg.contains("<title>spin (162 samples, "), "{svg}");
    let mut json = Vec::new();
    p.finish(&mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    assert!(
        json.contains(r#""stringArray":["main","hot","spin","cold"]"#),
        "{json}"
    );
    assert!(json.contains(r#""preprocessedProfileVersion":54"#));
    Ok(())
}
