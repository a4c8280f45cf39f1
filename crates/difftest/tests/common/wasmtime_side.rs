//! The oracle: wasmtime (Cranelift's native code, the DRC collector).

use super::{
    call_plan, Any, Observed, Oracle, Outcome, Plan, Value, XorShift, MAX_WASM_STACK, NULL_REF,
    TABLE_OOB, WASMTIME_FUEL,
};
use wasmtime::{Config, Engine, ExternType, Linker, Module, Store, ThrownException, Trap, Val};

/// An engine with every feature the tests generate: Wasm 3.0 without
/// relaxed SIMD (whose results may differ between engines) and threads
/// (wasmtime as built here has no threads).
pub fn engine() -> Engine {
    let mut c = Config::new();
    c.consume_fuel(true)
        .max_wasm_stack(MAX_WASM_STACK)
        // Explicit bounds checks rather than guard pages and a SIGSEGV
        // handler: Weft's compiled tier installs its own handler in the
        // same process.
        .signals_based_traps(false)
        .wasm_multi_memory(true)
        .wasm_memory64(true)
        .wasm_tail_call(true)
        .wasm_extended_const(true)
        .wasm_wide_arithmetic(true)
        .wasm_function_references(true)
        .wasm_gc(true)
        .wasm_exceptions(true)
        .wasm_relaxed_simd(false);
    Engine::new(&c).expect("a wasmtime engine")
}

fn value(store: &mut Store<()>, v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(*x),
        Val::F64(x) => Value::F64(*x),
        Val::V128(x) => Value::V128(x.as_u128()),
        Val::FuncRef(r) => Value::Func { null: r.is_none() },
        Val::ExternRef(r) => Value::Extern { null: r.is_none() },
        Val::ExnRef(r) => Value::Exn { null: r.is_none() },
        Val::AnyRef(None) => Value::Any(Any::Null),
        Val::AnyRef(Some(r)) => Value::Any(if let Some(i) = r.as_i31(&*store).expect("rooted") {
            Any::I31(i.get_i32())
        } else if r.is_struct(&*store).expect("rooted") {
            Any::Struct
        } else if let Some(a) = r.as_array(&*store).expect("rooted") {
            Any::Array(a.len(&*store).expect("rooted"))
        } else {
            Any::Host
        }),
        Val::ContRef(_) => panic!("continuations are not generated"),
    }
}

fn to_val(v: &Value) -> Val {
    match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
        Value::V128(x) => Val::V128(x.into()),
        Value::Func { .. } => Val::FuncRef(None),
        Value::Extern { .. } => Val::ExternRef(None),
        Value::Any(_) => Val::AnyRef(None),
        Value::Exn { .. } => Val::ExnRef(None),
    }
}

fn outcome(store: &mut Store<()>, e: &wasmtime::Error) -> Outcome {
    if e.is::<ThrownException>() {
        let exn = store.take_pending_exception().expect("a pending exception");
        let fields: Vec<Val> = exn.fields(&mut *store).expect("rooted").collect();
        return Outcome::Thrown(fields.iter().map(|v| value(store, v)).collect());
    }
    let Some(trap) = e.downcast_ref::<Trap>() else {
        let s = format!("{e:?}");
        if s.contains("GC heap") || s.contains("out of memory") {
            return Outcome::Exhausted("GC heap");
        }
        return Outcome::Error(s);
    };
    Outcome::Trapped(match trap {
        Trap::StackOverflow => return Outcome::Exhausted("call stack exhausted"),
        Trap::OutOfFuel => return Outcome::Exhausted("all fuel consumed"),
        Trap::AllocationTooLarge => return Outcome::Exhausted("GC heap"),
        Trap::MemoryOutOfBounds => "out of bounds memory access",
        Trap::TableOutOfBounds => TABLE_OOB,
        Trap::IndirectCallToNull => "uninitialized element",
        Trap::BadSignature => "indirect call type mismatch",
        Trap::IntegerOverflow => "integer overflow",
        Trap::IntegerDivisionByZero => "integer divide by zero",
        Trap::BadConversionToInteger => "invalid conversion to integer",
        Trap::UnreachableCodeReached => "unreachable",
        Trap::NullReference => NULL_REF,
        Trap::ArrayOutOfBounds => "out of bounds array access",
        Trap::CastFailure => "cast failure",
        other => return Outcome::Error(format!("wasmtime trap {other:?}")),
    })
}

/// The oracle, with its engine.
pub struct Wasmtime(pub Engine);

impl Oracle for Wasmtime {
    const NAME: &'static str = "wasmtime";

    fn observe(&self, wasm: &[u8], plan: &Plan, rng: &mut XorShift) -> Observed {
        observe(&self.0, wasm, plan, rng)
    }
}

/// Runs `wasm` in wasmtime.
fn observe(engine: &Engine, wasm: &[u8], plan: &Plan, rng: &mut XorShift) -> Observed {
    let mut o = Observed::default();
    let module = match Module::new(engine, wasm) {
        Ok(m) => m,
        Err(e) => {
            o.rejected = Some(format!("{e:?}"));
            return o;
        }
    };
    for e in module.exports() {
        let kind = match e.ty() {
            ExternType::Func(_) => "func",
            ExternType::Table(_) => "table",
            ExternType::Memory(_) => "memory",
            ExternType::Global(_) => "global",
            ExternType::Tag(_) => "tag",
        };
        o.exports.push((e.name().to_string(), kind));
    }
    o.exports.sort();
    let mut store = Store::new(engine, ());
    let linker = Linker::<()>::new(engine);
    let fuel = |store: &mut Store<()>| store.set_fuel(WASMTIME_FUEL).expect("fuel is on");
    fuel(&mut store);
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            o.instantiation = Some(outcome(&mut store, &e));
            return o;
        }
    };
    o.instantiation = Some(Outcome::Returned(Vec::new()));
    let exports = o.exports.clone();
    o.calls = call_plan(plan, rng, |name, args| {
        let func = instance
            .get_func(&mut store, name)
            .expect("exported function");
        let wargs: Vec<Val> = args.iter().map(to_val).collect();
        let mut results = vec![Val::I32(0); func.ty(&store).results().len()];
        fuel(&mut store);
        match func.call(&mut store, &wargs, &mut results) {
            Ok(()) => Outcome::Returned(results.iter().map(|v| value(&mut store, v)).collect()),
            Err(e) => outcome(&mut store, &e),
        }
    });
    for (name, kind) in &exports {
        match *kind {
            "memory" => {
                let m = instance
                    .get_memory(&mut store, name)
                    .expect("exported memory");
                o.memories
                    .push((name.clone(), m.size(&store), m.data(&store).to_vec()));
            }
            "global" => {
                let g = instance
                    .get_global(&mut store, name)
                    .expect("exported global");
                let v = g.get(&mut store);
                o.globals.push((name.clone(), value(&mut store, &v)));
            }
            "table" => {
                let t = instance
                    .get_table(&mut store, name)
                    .expect("exported table");
                let elems = (0..t.size(&store))
                    .map(|i| {
                        let r = t.get(&mut store, i).expect("in bounds");
                        value(&mut store, &Val::from(r))
                    })
                    .collect();
                o.tables.push((name.clone(), elems));
            }
            _ => {}
        }
    }
    o
}
