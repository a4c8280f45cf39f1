//! Runner for WebAssembly spec scripts (`.wast`).
//!
//! Each command of a script counts once: as passed, failed or skipped, and
//! either as a *front-end* command (`assert_malformed`, `assert_invalid`,
//! `assert_malformed_custom`, `assert_invalid_custom`, `module definition`)
//! or as an *execution* command (everything else). Front-end commands are
//! checked with the decoder, text parser and validator directly; execution
//! goes through the public API of the `weft` crate only (no engine
//! internals), as an embedder would:
//!
//! - `module` compiles and instantiates (named modules `$M` are remembered
//!   as a definition and an instance; the last instance is the default
//!   target of actions); `module definition $M` compiles only, `module
//!   instance $I $M` instantiates a definition; `register "name" $I?` makes
//!   an instance's exports importable under `name`.
//! - `invoke` / `get` actions; `assert_return` compares exact bits for
//!   numbers, `nan:canonical` / `nan:arithmetic` per float and per `v128`
//!   lane, `v128` per lane in the shape the script wrote, and references by
//!   kind (`ref.extern N` by its number `N`).
//! - `assert_trap` (on an action, or on a module: instantiation traps),
//!   `assert_exhaustion`, `assert_unlinkable` and `assert_uninstantiable`
//!   check the error's kind and match its message by prefix
//!   ([`messages`] holds the one alias table).
//! - `assert_malformed` / `assert_invalid`: decoding (or text parsing) or
//!   validation must reject the module, in that phase, with the expected
//!   message. Text and quoted modules are parsed by `weft-text` (so that
//!   text errors keep script lines). `assert_malformed_custom` /
//!   `assert_invalid_custom` expect the annotations that make custom
//!   sections (`@custom`, `@name`, branch hints) to be rejected with the
//!   message; Weft checks them, targets included, while parsing the text.
//! - `assert_exception`: the action must end in an uncaught Wasm exception.
//! - Results: `(either r*)` matches any alternative; `(ref.null ht?)`,
//!   `(ref.struct)`, `(ref.array)`, `(ref.i31)`, `(ref.eq)`, `(ref.any)`,
//!   `(ref.exn)` and `(ref.host n)` match references of that kind.
//!
//! Skipped, never passed: a command the engine cannot execute yet. That is
//! a module the engine refuses with [`ErrorKind::Unsupported`], every
//! command that needs its instance (or a module that imports from it), an
//! argument or expected result the runner cannot build or check with the
//! values of [`weft::Val`] (GC and exception references), and, with
//! [`RunOptions::execute`] off, every execution command that needs an
//! instance.
//!
//! Imports resolve against the `spectest` host module ([`spectest`]) and
//! the registered modules. With [`RunOptions::fuel`], every action and
//! every instantiation starts with that much fuel. A panic of the runtime
//! in one command is reported as that command's failure and the script goes
//! on.
#![forbid(unsafe_code)]

pub mod messages;
pub mod spectest;
mod values;

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use weft::{Engine, ErrorKind, Extern, Instance, Linker, Store, Val};
use weft_syntax::Features;
use weft_text::wast::{
    parse_module_source, parse_wast, Action, CommandKind, Expected, ModuleSource, TrapTarget,
};

/// Passed, failed and skipped commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Counts of a run: front-end commands and execution commands apart (see
/// the crate documentation for which is which). A script that does not
/// parse counts as one failed front-end command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub front_end: Counts,
    pub execution: Counts,
}

impl Summary {
    /// Adds another run's counts.
    pub fn add(&mut self, other: Summary) {
        self.front_end.add(other.front_end);
        self.execution.add(other.execution);
    }

    /// Passed commands of both kinds.
    pub fn passed(&self) -> usize {
        self.total().passed
    }

    /// Failed commands of both kinds.
    pub fn failed(&self) -> usize {
        self.total().failed
    }

    /// Skipped commands of both kinds.
    pub fn skipped(&self) -> usize {
        self.total().skipped
    }

    /// Both kinds of command together.
    pub fn total(&self) -> Counts {
        let mut t = self.front_end;
        t.add(self.execution);
        t
    }
}

impl fmt::Display for Summary {
    /// The totals, as `N passed, M failed, K skipped`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.total().fmt(f)
    }
}

/// How to run scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// The feature set modules are decoded, validated and run with.
    pub features: Features,
    /// Run with fuel metering on, giving every action and every
    /// instantiation this much fuel.
    pub fuel: Option<u64>,
    /// Execute: instantiate modules and perform actions. When off, only the
    /// front end runs: every module of the script (those of `module`,
    /// `assert_trap`, `assert_unlinkable` and `assert_uninstantiable`
    /// included) is decoded and validated, counted as a front-end command,
    /// and commands that need an instance are skipped.
    pub execute: bool,
    /// Print a line for every skipped command, with the reason.
    pub show_skipped: bool,
    /// The execution tier.
    pub strategy: weft::Strategy,
    /// Whether Cranelift's verifier checks compiled functions (see
    /// `weft::Config::cranelift_debug_verifier`).
    pub cranelift_debug_verifier: bool,
    /// Collect the GC heap at every allocation (see
    /// `weft::Config::gc_stress`).
    pub gc_stress: bool,
}

impl RunOptions {
    /// The given features, no fuel, executing, in the interpreter.
    pub fn new(features: Features) -> Self {
        RunOptions {
            features,
            fuel: None,
            execute: true,
            show_skipped: false,
            strategy: weft::Strategy::Interpreter,
            cranelift_debug_verifier: cfg!(debug_assertions),
            gc_stress: false,
        }
    }

    /// The given features, front end only.
    pub fn front_end_only(features: Features) -> Self {
        RunOptions {
            execute: false,
            ..RunOptions::new(features)
        }
    }
}

/// Why a module did not compile, by phase.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Rejection {
    /// Decoding or text parsing failed (`assert_malformed`).
    Malformed(String),
    /// Validation failed (`assert_invalid`).
    Invalid(String),
    /// The engine cannot execute the (valid) module yet.
    Unsupported(String),
    /// Any other error kind (a runtime bug).
    Other(ErrorKind, String),
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Malformed(m) => write!(f, "malformed: \"{m}\""),
            Rejection::Invalid(m) => write!(f, "invalid: \"{m}\""),
            Rejection::Unsupported(m) => write!(f, "unsupported: \"{m}\""),
            Rejection::Other(k, m) => write!(f, "{k:?}: \"{m}\""),
        }
    }
}

impl From<weft::Error> for Rejection {
    fn from(e: weft::Error) -> Self {
        match e.kind() {
            ErrorKind::Malformed => Rejection::Malformed(e.message()),
            ErrorKind::Invalid => Rejection::Invalid(e.message()),
            ErrorKind::Unsupported => Rejection::Unsupported(e.message()),
            kind => Rejection::Other(kind, e.message()),
        }
    }
}

/// What happened to one command.
enum Outcome {
    Pass,
    Fail(String),
    /// The engine (or the runner) cannot do this yet; the reason.
    Skip(String),
}

/// Something the runner holds by name that may be missing because the
/// engine could not provide it: the reason is kept for the commands that
/// need it, which are then skipped.
#[derive(Clone)]
enum Slot<T> {
    Ready(T),
    Unavailable(String),
}

/// Whether a command is a front-end command (see the crate documentation).
fn is_front_end(kind: &CommandKind, execute: bool) -> bool {
    match kind {
        CommandKind::AssertMalformed { .. }
        | CommandKind::AssertInvalid { .. }
        | CommandKind::AssertMalformedCustom { .. }
        | CommandKind::AssertInvalidCustom { .. }
        | CommandKind::ModuleDefinition { .. } => true,
        CommandKind::Module { .. }
        | CommandKind::AssertTrap {
            target: TrapTarget::Module(_),
            ..
        }
        | CommandKind::AssertUnlinkable { .. }
        | CommandKind::AssertUninstantiable { .. } => !execute,
        CommandKind::ModuleInstance { .. }
        | CommandKind::Register { .. }
        | CommandKind::Action(_)
        | CommandKind::AssertReturn { .. }
        | CommandKind::AssertTrap {
            target: TrapTarget::Action(_),
            ..
        }
        | CommandKind::AssertExhaustion { .. }
        | CommandKind::AssertException { .. } => false,
    }
}

fn command_name(kind: &CommandKind) -> &'static str {
    match kind {
        CommandKind::Module { .. } => "module",
        CommandKind::ModuleDefinition { .. } => "module definition",
        CommandKind::ModuleInstance { .. } => "module instance",
        CommandKind::AssertException { .. } => "assert_exception",
        CommandKind::AssertMalformedCustom { .. } => "assert_malformed_custom",
        CommandKind::AssertInvalidCustom { .. } => "assert_invalid_custom",
        CommandKind::Register { .. } => "register",
        CommandKind::Action(Action::Invoke { .. }) => "invoke",
        CommandKind::Action(Action::Get { .. }) => "get",
        CommandKind::AssertReturn { .. } => "assert_return",
        CommandKind::AssertTrap { .. } => "assert_trap",
        CommandKind::AssertExhaustion { .. } => "assert_exhaustion",
        CommandKind::AssertInvalid { .. } => "assert_invalid",
        CommandKind::AssertMalformed { .. } => "assert_malformed",
        CommandKind::AssertUnlinkable { .. } => "assert_unlinkable",
        CommandKind::AssertUninstantiable { .. } => "assert_uninstantiable",
    }
}

/// An action in the script's syntax, for failure reports.
fn show_action(action: &Action) -> String {
    match action {
        Action::Invoke { module, name, args } => {
            let mut s = String::from("(invoke ");
            if let Some(m) = module {
                s.push_str(m);
                s.push(' ');
            }
            s.push_str(&format!("{name:?}"));
            for a in args {
                s.push(' ');
                s.push_str(&values::show_value(a));
            }
            s.push(')');
            s
        }
        Action::Get { module, name } => match module {
            Some(m) => format!("(get {m} {name:?})"),
            None => format!("(get {name:?})"),
        },
    }
}

/// The command as shown in a failure line: its keyword, and its action if
/// it has one.
fn show_command(kind: &CommandKind) -> String {
    let name = command_name(kind);
    match kind {
        CommandKind::Action(a)
        | CommandKind::AssertReturn { action: a, .. }
        | CommandKind::AssertExhaustion { action: a, .. }
        | CommandKind::AssertException { action: a }
        | CommandKind::AssertTrap {
            target: TrapTarget::Action(a),
            ..
        } => match kind {
            CommandKind::Action(_) => show_action(a),
            _ => format!("{name} {}", show_action(a)),
        },
        CommandKind::Module { name: Some(m), .. } => format!("module {m}"),
        CommandKind::ModuleDefinition { name: Some(m), .. } => format!("module definition {m}"),
        CommandKind::ModuleInstance { instance, module } => {
            let mut s = name.to_string();
            for n in [instance, module].into_iter().flatten() {
                s.push(' ');
                s.push_str(n);
            }
            s
        }
        CommandKind::Register { as_name, module } => match module {
            Some(m) => format!("register {as_name:?} {m}"),
            None => format!("register {as_name:?}"),
        },
        _ => name.to_string(),
    }
}

/// An error in the script or the runner's use of it (not the runtime's
/// answer): an unknown module name, a missing export, a wrong argument.
type ScriptError = String;

/// The state of one script: its engine, store, linker and modules.
struct Runner {
    options: RunOptions,
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The `spectest` items, kept to rebuild the linker.
    spectest: Vec<(&'static str, Extern)>,
    /// Registered instances in order of registration.
    registered: Vec<(String, Instance)>,
    /// Names registered for instances the engine could not provide, with
    /// the reason: modules importing from them are skipped.
    registered_unavailable: Vec<(String, String)>,
    /// Named module definitions.
    definitions: HashMap<String, Slot<weft::Module>>,
    /// The last module defined: the default of `module instance`.
    last_definition: Option<Slot<weft::Module>>,
    /// Named module instances.
    named: HashMap<String, Slot<Instance>>,
    /// The last module instantiated: the default target of actions.
    current: Option<Slot<Instance>>,
}

fn other(e: weft::Error) -> ScriptError {
    format!("runner set-up failed: {e}")
}

/// Looks up a name (or the default) among slots: `Err` for a script error,
/// `Ok(Err(why))` for one the engine could not provide.
fn lookup<T: Clone>(
    map: &HashMap<String, Slot<T>>,
    default: &Option<Slot<T>>,
    name: Option<&str>,
    what: &str,
) -> Result<Result<T, String>, ScriptError> {
    let slot = match name {
        Some(n) => map.get(n).ok_or_else(|| format!("unknown {what} {n}"))?,
        None => default
            .as_ref()
            .ok_or_else(|| format!("no {what} defined yet"))?,
    };
    Ok(match slot {
        Slot::Ready(t) => Ok(t.clone()),
        Slot::Unavailable(why) => Err(why.clone()),
    })
}

impl Runner {
    fn new(options: RunOptions) -> Result<Runner, ScriptError> {
        let mut config = weft::Config::new();
        config.features(options.features);
        config.consume_fuel(options.fuel.is_some());
        config.strategy(options.strategy);
        config.gc_stress(options.gc_stress);
        config.cranelift_debug_verifier(options.cranelift_debug_verifier);
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let spectest = spectest::items(&mut store).map_err(other)?;
        let mut runner = Runner {
            options,
            linker: Linker::new(&engine),
            engine,
            store,
            spectest,
            registered: Vec::new(),
            registered_unavailable: Vec::new(),
            definitions: HashMap::new(),
            last_definition: None,
            named: HashMap::new(),
            current: None,
        };
        runner.rebuild_linker()?;
        Ok(runner)
    }

    /// Defines `spectest` and every registered instance in a new linker (a
    /// later registration under the same name replaces the earlier one).
    fn rebuild_linker(&mut self) -> Result<(), ScriptError> {
        let mut linker = Linker::new(&self.engine);
        linker.allow_shadowing(true);
        for (name, item) in &self.spectest {
            linker
                .define(spectest::MODULE, name, *item)
                .map_err(other)?;
        }
        for (name, instance) in &self.registered {
            linker
                .instance(&mut self.store, name, *instance)
                .map_err(other)?;
        }
        self.linker = linker;
        Ok(())
    }

    fn refuel(&mut self) -> Result<(), ScriptError> {
        if let Some(fuel) = self.options.fuel {
            self.store.set_fuel(fuel).map_err(other)?;
        }
        Ok(())
    }

    /// The front end alone: decodes (or parses) and validates a module,
    /// without the engine.
    fn check(&self, source: &ModuleSource) -> Result<(), Rejection> {
        let features = self.options.features;
        let validate = |module: &weft_syntax::Module<'_>| {
            weft_valid::validate(module, features).map_err(|e| {
                if e.malformed {
                    Rejection::Malformed(e.to_string())
                } else {
                    Rejection::Invalid(e.to_string())
                }
            })
        };
        match source {
            ModuleSource::Binary(bytes) => {
                let module = weft_binary::decode(bytes, features)
                    .map_err(|e| Rejection::Malformed(e.to_string()))?;
                validate(&module)
            }
            ModuleSource::Text(..) | ModuleSource::Quote(_) => {
                let module = parse_module_source(source, features)
                    .map_err(|e| Rejection::Malformed(e.message))?;
                validate(&module)
            }
        }
    }

    /// Compiles a module with the runtime (`weft::Module`): binary modules
    /// directly, text and quoted modules parsed by the text crate first (so
    /// that text errors carry script lines).
    fn compile(&self, source: &ModuleSource) -> Result<weft::Module, Rejection> {
        Ok(match source {
            ModuleSource::Binary(bytes) => weft::Module::from_binary(&self.engine, bytes)?,
            ModuleSource::Text(..) | ModuleSource::Quote(_) => {
                let module = parse_module_source(source, self.options.features)
                    .map_err(|e| Rejection::Malformed(e.message))?;
                weft::Module::from_parsed(&self.engine, module)?
            }
        })
    }

    /// `assert_malformed` / `assert_invalid` (and their `_custom` forms):
    /// the front end must reject the module in the given phase with a
    /// message starting with `expected`.
    fn expect_rejection(&self, source: &ModuleSource, malformed: bool, expected: &str) -> Outcome {
        let want = if malformed {
            Rejection::Malformed(expected.to_string())
        } else {
            Rejection::Invalid(expected.to_string())
        };
        match self.check(source) {
            Ok(()) => Outcome::Fail(format!("expected {want}, but the module is valid")),
            Err(got) => {
                let ok = match (&got, malformed) {
                    (Rejection::Malformed(m), true) | (Rejection::Invalid(m), false) => {
                        messages::matches(m, expected)
                    }
                    _ => false,
                };
                if ok {
                    Outcome::Pass
                } else {
                    Outcome::Fail(format!("expected {want}, got {got}"))
                }
            }
        }
    }

    /// `assert_malformed_custom` / `assert_invalid_custom`: Weft processes
    /// the annotations that make custom sections, and checks their targets,
    /// in the text parser, so both kinds of rejection come from it.
    fn expect_custom_rejection(&self, source: &ModuleSource, expected: &str) -> Outcome {
        if let ModuleSource::Binary(_) = source {
            return Outcome::Fail(
                "custom sections of binary modules are not checked by Weft".to_string(),
            );
        }
        match parse_module_source(source, self.options.features) {
            Ok(_) => Outcome::Fail(format!(
                "expected custom-section error \"{expected}\", but the module parses"
            )),
            Err(e) if messages::matches(&e.message, expected) => Outcome::Pass,
            Err(e) => Outcome::Fail(format!(
                "expected custom-section error \"{expected}\", got malformed: \"{}\"",
                e.message
            )),
        }
    }

    /// The front end's verdict on a module that the script expects to be
    /// valid, as a command's outcome.
    fn expect_valid(&self, source: &ModuleSource) -> Outcome {
        match self.check(source) {
            Ok(()) => Outcome::Pass,
            Err(e) => Outcome::Fail(format!("module failed to compile: {e}")),
        }
    }

    /// If a link error comes from an import of a registration the engine
    /// could not provide, the reason.
    fn unavailable_import(&self, module: &weft::Module) -> Option<String> {
        module.imports().find_map(|i| {
            self.registered_unavailable
                .iter()
                .find(|(n, _)| n == i.module())
                .map(|(n, why)| format!("imports from {n:?}, which is unavailable: {why}"))
        })
    }

    /// Instantiates a compiled module: `Ok(Err)` for the runtime's answer
    /// (unlinkable, trap), `Err(Outcome::Skip)` when the engine cannot.
    fn instantiate_module(
        &mut self,
        module: &weft::Module,
    ) -> Result<Result<Instance, weft::Error>, Outcome> {
        self.refuel().map_err(Outcome::Fail)?;
        match self.linker.instantiate(&mut self.store, module) {
            Err(e) if e.kind() == ErrorKind::Unsupported => Err(Outcome::Skip(e.message())),
            Err(e) if e.kind() == ErrorKind::Unlinkable => match self.unavailable_import(module) {
                Some(why) => Err(Outcome::Skip(why)),
                None => Ok(Err(e)),
            },
            got => Ok(got),
        }
    }

    /// Compiles and instantiates: `Err(outcome)` when the command ends
    /// before instantiation (it does not compile, or the engine cannot run
    /// it), else the runtime's answer.
    fn instantiate(
        &mut self,
        source: &ModuleSource,
    ) -> Result<Result<Instance, weft::Error>, Outcome> {
        let module = match self.compile(source) {
            Ok(m) => m,
            Err(Rejection::Unsupported(why)) => return Err(Outcome::Skip(why)),
            Err(e) => return Err(Outcome::Fail(format!("module failed to compile: {e}"))),
        };
        self.instantiate_module(&module)
    }

    /// The instance an action names: `Ok(Err(why))` when the engine could
    /// not provide it.
    fn instance(&self, name: Option<&str>) -> Result<Result<Instance, String>, ScriptError> {
        lookup(&self.named, &self.current, name, "module instance")
    }

    /// Performs an action: `Err` when the command ends without the
    /// runtime's answer (a script error, or a skip), `Ok(Err)` for the
    /// runtime's answer (a trap).
    fn perform(&mut self, action: &Action) -> Result<Result<Vec<Val>, weft::Error>, Outcome> {
        if !self.options.execute {
            return Err(Outcome::Skip("execution is off".to_string()));
        }
        let module = match action {
            Action::Invoke { module, .. } | Action::Get { module, .. } => module.as_deref(),
        };
        let instance = match self.instance(module).map_err(Outcome::Fail)? {
            Ok(i) => i,
            Err(why) => return Err(Outcome::Skip(why)),
        };
        match action {
            Action::Invoke { name, args, .. } => {
                let func = instance
                    .get_func(&mut self.store, name)
                    .ok_or_else(|| Outcome::Fail(format!("no exported function {name:?}")))?;
                let ty = func.ty(&self.store);
                if ty.params.len() != args.len() {
                    return Err(Outcome::Fail(format!(
                        "{name:?} has type {ty}, given {} arguments",
                        args.len()
                    )));
                }
                let mut params = Vec::with_capacity(args.len());
                for a in args {
                    params.push(values::to_val(&mut self.store, a).map_err(Outcome::Skip)?);
                }
                let mut results: Vec<Val> =
                    ty.results.iter().map(|&t| Val::default_for(t)).collect();
                self.refuel().map_err(Outcome::Fail)?;
                match func.call(&mut self.store, &params, &mut results) {
                    Err(e) if e.kind() == ErrorKind::Unsupported => Err(Outcome::Skip(e.message())),
                    got => Ok(got.map(|()| results)),
                }
            }
            Action::Get { name, .. } => {
                let global = instance
                    .get_global(&mut self.store, name)
                    .ok_or_else(|| Outcome::Fail(format!("no exported global {name:?}")))?;
                Ok(Ok(vec![global.get(&mut self.store)]))
            }
        }
    }

    fn show_results(&self, results: &[Val], expected: &[Expected]) -> String {
        let shown: Vec<String> = results
            .iter()
            .enumerate()
            .map(|(i, v)| values::show_val(&self.store, v, expected.get(i)))
            .collect();
        if shown.is_empty() {
            "no results".to_string()
        } else {
            shown.join(" ")
        }
    }

    /// Checks that a runtime answer is an error of `kind` whose message
    /// matches `message`.
    fn expect_error<T>(
        &self,
        got: Result<T, weft::Error>,
        kind: ErrorKind,
        message: &str,
        show_ok: impl FnOnce(&Self, T) -> String,
    ) -> Outcome {
        let what = match kind {
            ErrorKind::Trap => "trap",
            ErrorKind::Unlinkable => "link error",
            _ => "error",
        };
        match got {
            Ok(v) => Outcome::Fail(format!(
                "expected {what} \"{message}\", got {}",
                show_ok(self, v)
            )),
            Err(e) => {
                let actual = e.message();
                if e.kind() == kind && messages::matches(&actual, message) {
                    Outcome::Pass
                } else {
                    Outcome::Fail(format!(
                        "expected {what} \"{message}\", got {:?} \"{actual}\"",
                        e.kind()
                    ))
                }
            }
        }
    }

    /// `assert_return`: the results against the expected patterns.
    fn check_results(&self, results: &[Val], expected: &[Expected]) -> Outcome {
        let mut unknown = None;
        let mut ok = results.len() == expected.len();
        for (r, e) in results.iter().zip(expected) {
            match values::matches(&self.store, r, e) {
                Ok(true) => {}
                Ok(false) => ok = false,
                Err(why) => unknown = Some(why),
            }
        }
        if ok {
            match unknown {
                Some(why) => Outcome::Skip(why),
                None => Outcome::Pass,
            }
        } else {
            let want: Vec<String> = expected.iter().map(values::show_expected).collect();
            let want = if want.is_empty() {
                "no results".to_string()
            } else {
                want.join(" ")
            };
            Outcome::Fail(format!(
                "expected {want}, got {}",
                self.show_results(results, expected)
            ))
        }
    }

    /// A module command that instantiates (`module`, `module instance`):
    /// remembers the instance, or why there is none.
    fn bind_instance(&mut self, name: Option<&String>, slot: Slot<Instance>) {
        if let Some(n) = name {
            self.named.insert(n.clone(), slot.clone());
        }
        self.current = Some(slot);
    }

    fn bind_definition(&mut self, name: Option<&String>, slot: Slot<weft::Module>) {
        if let Some(n) = name {
            self.definitions.insert(n.clone(), slot.clone());
        }
        self.last_definition = Some(slot);
    }

    /// Instantiates a compiled module for `module` / `module instance`.
    fn instantiate_and_bind(&mut self, name: Option<&String>, module: &weft::Module) -> Outcome {
        match self.instantiate_module(module) {
            Ok(Ok(instance)) => {
                self.bind_instance(name, Slot::Ready(instance));
                Outcome::Pass
            }
            Ok(Err(e)) => {
                let why = format!("instantiation failed: {:?} \"{}\"", e.kind(), e.message());
                self.bind_instance(name, Slot::Unavailable(why.clone()));
                Outcome::Fail(why)
            }
            Err(outcome) => {
                let why = match &outcome {
                    Outcome::Skip(why) | Outcome::Fail(why) => why.clone(),
                    Outcome::Pass => String::new(),
                };
                self.bind_instance(name, Slot::Unavailable(why));
                outcome
            }
        }
    }

    /// `module` and `module definition`: compiles, then instantiates if
    /// `instantiate`.
    fn module_command(
        &mut self,
        name: Option<&String>,
        source: &ModuleSource,
        instantiate: bool,
    ) -> Outcome {
        if !self.options.execute || !instantiate {
            let outcome = self.expect_valid(source);
            let why = "module not compiled by the engine (front end only)".to_string();
            if !self.options.execute {
                self.bind_instance(name, Slot::Unavailable(why.clone()));
                self.bind_definition(name, Slot::Unavailable(why));
                return outcome;
            }
        }
        let module = match self.compile(source) {
            Ok(m) => m,
            Err(e) => {
                let (outcome, why) = match e {
                    Rejection::Unsupported(why) => (Outcome::Skip(why.clone()), why),
                    e => {
                        let why = format!("module failed to compile: {e}");
                        (Outcome::Fail(why.clone()), why)
                    }
                };
                self.bind_definition(name, Slot::Unavailable(why.clone()));
                if instantiate {
                    self.bind_instance(name, Slot::Unavailable(why));
                }
                return outcome;
            }
        };
        self.bind_definition(name, Slot::Ready(module.clone()));
        if instantiate {
            self.instantiate_and_bind(name, &module)
        } else {
            Outcome::Pass
        }
    }

    /// Runs one command.
    fn command(&mut self, kind: &CommandKind) -> Result<Outcome, ScriptError> {
        let execute = self.options.execute;
        Ok(match kind {
            CommandKind::Module { name, source } => {
                self.module_command(name.as_ref(), source, true)
            }
            CommandKind::ModuleDefinition { name, source } => {
                self.module_command(name.as_ref(), source, false)
            }
            CommandKind::ModuleInstance { instance, module } => {
                match lookup(
                    &self.definitions,
                    &self.last_definition,
                    module.as_deref(),
                    "module definition",
                )? {
                    Ok(m) => self.instantiate_and_bind(instance.as_ref(), &m),
                    Err(why) => {
                        self.bind_instance(instance.as_ref(), Slot::Unavailable(why.clone()));
                        Outcome::Skip(why)
                    }
                }
            }
            CommandKind::Register { as_name, module } => {
                self.registered_unavailable.retain(|(n, _)| n != as_name);
                match self.instance(module.as_deref())? {
                    Ok(instance) => {
                        if let Some(slot) = self.registered.iter_mut().find(|(n, _)| n == as_name) {
                            slot.1 = instance;
                            self.rebuild_linker()?;
                        } else {
                            self.registered.push((as_name.clone(), instance));
                            self.linker
                                .instance(&mut self.store, as_name, instance)
                                .map_err(other)?;
                        }
                        Outcome::Pass
                    }
                    Err(why) => {
                        self.registered_unavailable
                            .push((as_name.clone(), why.clone()));
                        Outcome::Skip(why)
                    }
                }
            }
            CommandKind::Action(action) => match self.perform(action) {
                Ok(Ok(_)) => Outcome::Pass,
                Ok(Err(e)) => Outcome::Fail(format!("{:?} \"{}\"", e.kind(), e.message())),
                Err(outcome) => outcome,
            },
            CommandKind::AssertReturn { action, expected } => match self.perform(action) {
                Ok(Ok(results)) => self.check_results(&results, expected),
                Ok(Err(e)) => Outcome::Fail(format!(
                    "expected results, got {:?} \"{}\"",
                    e.kind(),
                    e.message()
                )),
                Err(outcome) => outcome,
            },
            CommandKind::AssertTrap {
                target: TrapTarget::Action(action),
                message,
            }
            | CommandKind::AssertExhaustion { action, message } => match self.perform(action) {
                Ok(got) => self.expect_error(got, ErrorKind::Trap, message, |s, r| {
                    s.show_results(&r, &[])
                }),
                Err(outcome) => outcome,
            },
            CommandKind::AssertException { action } => match self.perform(action) {
                Ok(Ok(results)) => Outcome::Fail(format!(
                    "expected an exception, got {}",
                    self.show_results(&results, &[])
                )),
                Ok(Err(e)) if e.kind() == ErrorKind::Exception => Outcome::Pass,
                Ok(Err(e)) => Outcome::Fail(format!(
                    "expected an exception, got {:?} \"{}\"",
                    e.kind(),
                    e.message()
                )),
                Err(outcome) => outcome,
            },
            CommandKind::AssertTrap {
                target: TrapTarget::Module(module),
                ..
            }
            | CommandKind::AssertUninstantiable { module, .. }
            | CommandKind::AssertUnlinkable { module, .. }
                if !execute =>
            {
                self.expect_valid(module)
            }
            CommandKind::AssertTrap {
                target: TrapTarget::Module(module),
                message,
            }
            | CommandKind::AssertUninstantiable { module, message } => {
                match self.instantiate(module) {
                    Ok(got) => self.expect_error(got, ErrorKind::Trap, message, |_, _| {
                        "a module instance".to_string()
                    }),
                    Err(outcome) => outcome,
                }
            }
            CommandKind::AssertUnlinkable { module, message } => match self.instantiate(module) {
                Ok(got) => self.expect_error(got, ErrorKind::Unlinkable, message, |_, _| {
                    "a module instance".to_string()
                }),
                Err(outcome) => outcome,
            },
            CommandKind::AssertMalformed { module, message } => {
                self.expect_rejection(module, true, message)
            }
            CommandKind::AssertInvalid { module, message } => {
                self.expect_rejection(module, false, message)
            }
            CommandKind::AssertMalformedCustom { module, message }
            | CommandKind::AssertInvalidCustom { module, message } => {
                self.expect_custom_rejection(module, message)
            }
        })
    }
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string payload)".to_string()
    }
}

/// Runs one script given as text. `name` labels failure reports.
pub fn run_script_with(
    name: &str,
    src: &str,
    options: &RunOptions,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let script = match parse_wast(src) {
        Ok(s) => s,
        Err(e) => {
            writeln!(
                out,
                "{name}:{}:{}: script does not parse: {}",
                e.line, e.column, e.message
            )?;
            summary.front_end.failed += 1;
            return Ok(summary);
        }
    };
    let mut runner = match Runner::new(*options) {
        Ok(r) => r,
        Err(why) => {
            writeln!(out, "{name}: {why}")?;
            summary.execution.failed += script.commands.len().max(1);
            return Ok(summary);
        }
    };
    for command in &script.commands {
        let outcome = catch_unwind(AssertUnwindSafe(|| runner.command(&command.kind)));
        let outcome = match outcome {
            Ok(Ok(o)) => o,
            Ok(Err(script_error)) => Outcome::Fail(script_error),
            Err(payload) => Outcome::Fail(format!("panicked: {}", panic_message(&*payload))),
        };
        let counts = if is_front_end(&command.kind, options.execute) {
            &mut summary.front_end
        } else {
            &mut summary.execution
        };
        match outcome {
            Outcome::Pass => counts.passed += 1,
            Outcome::Fail(why) => {
                counts.failed += 1;
                writeln!(
                    out,
                    "{name}:{}: {}: {why}",
                    command.line,
                    show_command(&command.kind)
                )?;
            }
            Outcome::Skip(why) => {
                counts.skipped += 1;
                if options.show_skipped {
                    writeln!(
                        out,
                        "{name}:{}: {}: skipped: {why}",
                        command.line,
                        show_command(&command.kind)
                    )?;
                }
            }
        }
    }
    Ok(summary)
}

/// Runs one script given as text with the given features and no fuel.
pub fn run_script(
    name: &str,
    src: &str,
    features: Features,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    run_script_with(name, src, &RunOptions::new(features), out)
}

/// The largest script file read, 1 GiB: a larger one (or an endless
/// stream) is refused after reading this much, instead of taking all memory.
pub const MAX_SCRIPT_BYTES: u64 = 1 << 30;

/// Reads at most [`MAX_SCRIPT_BYTES`] of a script file.
fn read_script(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than the limit of {MAX_SCRIPT_BYTES} bytes"),
        )
    };
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() > MAX_SCRIPT_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_SCRIPT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SCRIPT_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Runs one script file (at most [`MAX_SCRIPT_BYTES`] long).
pub fn run_file_with(
    path: &Path,
    options: &RunOptions,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let bytes = read_script(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let name = path.display().to_string();
    match std::str::from_utf8(&bytes) {
        Ok(src) => run_script_with(&name, src, options, out),
        Err(e) => {
            writeln!(out, "{name}: not UTF-8 text: {e}")?;
            let mut summary = Summary::default();
            summary.front_end.failed = 1;
            Ok(summary)
        }
    }
}

/// Runs one script file with the given features and no fuel.
pub fn run_file(path: &Path, features: Features, out: &mut dyn Write) -> io::Result<Summary> {
    run_file_with(path, &RunOptions::new(features), out)
}

/// The `.wast` files under `path` (the file itself, or every `.wast` file in
/// the folder and its subfolders), sorted.
pub fn collect_scripts(path: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<_>>()?;
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                found.extend(collect_scripts(&entry)?);
            } else if entry.extension().is_some_and(|x| x == "wast") {
                found.push(entry);
            }
        }
    } else if path.exists() {
        found.push(path.to_path_buf());
    } else {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{}: no such file or directory", path.display()),
        ));
    }
    Ok(found)
}

/// Runs every script under the given paths, printing failures to `out`.
pub fn run_paths_with(
    paths: &[PathBuf],
    options: &RunOptions,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut total = Summary::default();
    for path in paths {
        for script in collect_scripts(path)? {
            total.add(run_file_with(&script, options, out)?);
        }
    }
    Ok(total)
}

/// Runs every script under the given paths, printing failures to `out`,
/// and returns the counts per folder (the folder that holds each script),
/// in the order the folders were first met.
pub fn run_paths_by_folder(
    paths: &[PathBuf],
    options: &RunOptions,
    out: &mut dyn Write,
) -> io::Result<Vec<(PathBuf, Summary)>> {
    let mut folders: Vec<(PathBuf, Summary)> = Vec::new();
    for path in paths {
        for script in collect_scripts(path)? {
            let summary = run_file_with(&script, options, out)?;
            // A script named without a folder is in `.`.
            let folder = match script.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            match folders.iter_mut().find(|(f, _)| *f == folder) {
                Some((_, s)) => s.add(summary),
                None => folders.push((folder, summary)),
            }
        }
    }
    Ok(folders)
}

/// A table of counts per folder (or per any label), front-end and
/// execution commands apart, with a total row.
pub fn summary_table(rows: &[(String, Summary)]) -> String {
    let mut total = Summary::default();
    for (_, s) in rows {
        total.add(*s);
    }
    let width = rows
        .iter()
        .map(|(l, _)| l.len())
        .chain(["folder".len(), "total".len()])
        .max()
        .unwrap_or(0);
    let mut t = format!(
        "{:<width$}  {:>27}  {:>27}\n",
        "folder", "front end: pass/fail/skip", "execution: pass/fail/skip"
    );
    let cell = |c: &Counts| format!("{}/{}/{}", c.passed, c.failed, c.skipped);
    for (label, s) in rows.iter().chain([&("total".to_string(), total)]) {
        t.push_str(&format!(
            "{label:<width$}  {:>27}  {:>27}\n",
            cell(&s.front_end),
            cell(&s.execution)
        ));
    }
    t
}

/// Runs every script under the given paths with the given features and no
/// fuel.
pub fn run_paths(
    paths: &[PathBuf],
    features: Features,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    run_paths_with(paths, &RunOptions::new(features), out)
}
