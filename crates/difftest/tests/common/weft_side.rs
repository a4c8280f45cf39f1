//! Weft's engines, one per tier (observing a module with one is
//! `weft_difftest::diff::weft_observe`).

use super::{MAX_CALL_DEPTH, MAX_WASM_STACK};
use weft::{Config, Engine, Features, Module, Strategy};

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
