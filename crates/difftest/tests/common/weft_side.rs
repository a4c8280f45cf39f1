//! Weft, through its public API, in one of its tiers.

use super::{
    Any, Observed, Outcome, Plan, Value, XorShift, FUEL, MAX_CALL_DEPTH, MAX_WASM_STACK, NULL_REF,
    TABLE_OOB,
};
use weft::{
    AnyKind, Config, Engine, Error, ExternKind, Features, Linker, Module, Store, Strategy,
    TrapCode, Val,
};

/// The three tiers, named as `weft run --tier` names them.
pub const TIERS: [(&str, Strategy); 3] = [
    ("interpreter", Strategy::Interpreter),
    ("compiler", Strategy::Compiler),
    ("auto", Strategy::Auto),
];

/// An engine for Wasm 3.0 and wide arithmetic in `strategy`.
pub fn engine(strategy: Strategy) -> Engine {
    let mut config = Config::new();
    config
        .features(Features::from_name("3.0,wide-arithmetic").expect("a feature set"))
        .strategy(strategy)
        .consume_fuel(true)
        .max_call_depth(MAX_CALL_DEPTH)
        .max_wasm_stack(MAX_WASM_STACK);
    Engine::new(&config)
}

/// Whether Weft executes modules with tags (exception handling): the
/// exception tests turn themselves on once it does.
pub fn runs_exceptions() -> bool {
    Module::new(&engine(Strategy::Interpreter), "(module (tag))").is_ok()
}

fn value(store: &Store<()>, v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(*x),
        Val::F64(x) => Value::F64(*x),
        Val::V128(x) => Value::V128(*x),
        Val::FuncRef(r) => Value::Func { null: r.is_none() },
        Val::ExternRef(r) => Value::Extern { null: r.is_none() },
        Val::ExnRef(r) => Value::Exn { null: r.is_none() },
        Val::AnyRef(None) => Value::Any(Any::Null),
        Val::AnyRef(Some(r)) => Value::Any(match r.kind(store) {
            AnyKind::I31(i) => Any::I31(i),
            AnyKind::Struct => Any::Struct,
            AnyKind::Array(n) => Any::Array(n),
            AnyKind::Host(_) => Any::Host,
        }),
    }
}

fn to_val(v: &Value) -> Val {
    match *v {
        Value::I32(x) => Val::I32(x),
        Value::I64(x) => Val::I64(x),
        Value::F32(x) => Val::F32(x),
        Value::F64(x) => Val::F64(x),
        Value::V128(x) => Val::V128(x),
        Value::Func { .. } => Val::FuncRef(None),
        Value::Extern { .. } => Val::ExternRef(None),
        Value::Any(_) => Val::AnyRef(None),
        Value::Exn { .. } => Val::ExnRef(None),
    }
}

fn outcome(store: &Store<()>, e: &Error) -> Outcome {
    if let Some(exn) = e.as_exception() {
        let fields = exn.fields(store).expect("an exception of this store");
        return Outcome::Thrown(fields.iter().map(|v| value(store, v)).collect());
    }
    let Some(trap) = e.as_trap() else {
        return Outcome::Error(format!("{:?}: {e}", e.kind()));
    };
    Outcome::Trapped(match trap.code() {
        TrapCode::StackOverflow | TrapCode::OutOfFuel => {
            return Outcome::Exhausted(trap.code().message())
        }
        TrapCode::GcHeapExhausted => return Outcome::Exhausted("GC heap"),
        TrapCode::UndefinedElement | TrapCode::TableOutOfBounds => TABLE_OOB,
        TrapCode::NullReference
        | TrapCode::NullFunctionReference
        | TrapCode::NullStructReference
        | TrapCode::NullArrayReference
        | TrapCode::NullI31Reference
        | TrapCode::NullExceptionReference => NULL_REF,
        code => code.message(),
    })
}

/// Runs `wasm` in Weft with `engine`.
pub fn observe(engine: &Engine, wasm: &[u8], plan: &Plan, rng: &mut XorShift) -> Observed {
    let mut o = Observed::default();
    let module = match Module::from_binary(engine, wasm) {
        Ok(m) => m,
        Err(e) => {
            o.rejected = Some(e.to_string());
            return o;
        }
    };
    for e in module.exports() {
        let kind = match e.ty().kind() {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        };
        o.exports.push((e.name().to_string(), kind));
    }
    o.exports.sort();
    let mut store = Store::new(engine, ());
    let linker = Linker::<()>::new(engine);
    let fuel = |store: &mut Store<()>| store.set_fuel(FUEL).expect("fuel is on");
    fuel(&mut store);
    let instance = match linker.instantiate(&mut store, &module) {
        Ok(i) => i,
        Err(e) => {
            o.instantiation = Some(outcome(&store, &e));
            return o;
        }
    };
    o.instantiation = Some(Outcome::Returned(Vec::new()));
    let exports = o.exports.clone();
    'calls: for round in 0..2 {
        for (name, params) in plan {
            let func = instance.get_func(&store, name).expect("exported function");
            let fty = func.ty(&store);
            let Some(args) = super::arguments(params, round, rng) else {
                continue;
            };
            let wargs: Vec<Val> = args.iter().map(to_val).collect();
            let mut results: Vec<Val> = vec![Val::I32(0); fty.results.len()];
            fuel(&mut store);
            let out = match func.call(&mut store, &wargs, &mut results) {
                Ok(()) => Outcome::Returned(results.iter().map(|v| value(&store, v)).collect()),
                Err(e) => outcome(&store, &e),
            };
            let stop = out.is_exhausted();
            o.calls.push((name.clone(), args, out));
            if stop {
                break 'calls;
            }
        }
    }
    for (name, kind) in &exports {
        match *kind {
            "memory" => {
                let m = instance.get_memory(&store, name).expect("exported memory");
                o.memories
                    .push((name.clone(), m.size(&store), m.data(&store).to_vec()));
            }
            "global" => {
                let g = instance.get_global(&store, name).expect("exported global");
                o.globals
                    .push((name.clone(), value(&store, &g.get(&store))));
            }
            "table" => {
                let t = instance.get_table(&store, name).expect("exported table");
                let elems = (0..t.size(&store))
                    .map(|i| value(&store, &t.get(&store, i).expect("in bounds")))
                    .collect();
                o.tables.push((name.clone(), elems));
            }
            _ => {}
        }
    }
    o
}
