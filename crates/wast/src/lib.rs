//! Runner for WebAssembly spec scripts (`.wast`).
//!
//! Each command of a script counts once: as passed, failed or skipped. The
//! runner executes scripts against the public API of the `weft` crate only
//! (no engine internals), as an embedder would:
//!
//! - `module` compiles and instantiates (named modules `$M` are remembered;
//!   the last one is the default target of actions); `register "name" $M?`
//!   makes a module's exports importable under `name`.
//! - `invoke` / `get` actions; `assert_return` compares exact bits for
//!   numbers, `nan:canonical` / `nan:arithmetic` per float and per `v128`
//!   lane, `v128` per lane in the shape the script wrote, and references by
//!   kind (`ref.extern N` by its number `N`).
//! - `assert_trap` (on an action, or on a module: instantiation traps),
//!   `assert_exhaustion`, `assert_unlinkable` and `assert_uninstantiable`
//!   check the error's kind and match its message by prefix
//!   ([`messages`] holds the one alias table).
//! - `assert_malformed` / `assert_invalid`: `weft::Module` must reject the
//!   module in the right phase ([`weft::ErrorKind`] `Malformed` or
//!   `Invalid`) with the expected message. Text and quoted modules are
//!   parsed by `weft-text` first and handed over with
//!   `weft::Module::from_parsed`, so that text errors keep script lines.
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

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Summary {
    fn add(&mut self, other: Summary) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
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
}

impl RunOptions {
    /// The given features, no fuel.
    pub fn new(features: Features) -> Self {
        RunOptions {
            features,
            fuel: None,
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
    /// Any other error kind (a runtime bug).
    Other(ErrorKind, String),
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Malformed(m) => write!(f, "malformed: \"{m}\""),
            Rejection::Invalid(m) => write!(f, "invalid: \"{m}\""),
            Rejection::Other(k, m) => write!(f, "{k:?}: \"{m}\""),
        }
    }
}

/// What happened to one command.
enum Outcome {
    Pass,
    Fail(String),
}

fn command_name(kind: &CommandKind) -> &'static str {
    match kind {
        CommandKind::Module { .. } => "module",
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
        | CommandKind::AssertTrap {
            target: TrapTarget::Action(a),
            ..
        } => match kind {
            CommandKind::Action(_) => show_action(a),
            _ => format!("{name} {}", show_action(a)),
        },
        CommandKind::Module { name: Some(m), .. } => format!("module {m}"),
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
    /// Named module instances.
    named: HashMap<String, Instance>,
    /// The last module instantiated: the default target of actions.
    current: Option<Instance>,
}

fn other(e: weft::Error) -> ScriptError {
    format!("runner set-up failed: {e}")
}

impl Runner {
    fn new(options: RunOptions) -> Result<Runner, ScriptError> {
        let mut config = weft::Config::new();
        config.features(options.features);
        config.consume_fuel(options.fuel.is_some());
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

    /// Compiles a module with the runtime (`weft::Module`): binary modules
    /// directly, text and quoted modules parsed by the text crate first (so
    /// that text errors carry script lines).
    fn compile(&self, source: &ModuleSource) -> Result<weft::Module, Rejection> {
        let compiled = match source {
            ModuleSource::Binary(bytes) => weft::Module::from_binary(&self.engine, bytes),
            ModuleSource::Text(..) | ModuleSource::Quote(_) => {
                let module = parse_module_source(source, self.options.features)
                    .map_err(|e| Rejection::Malformed(e.message))?;
                weft::Module::from_parsed(&self.engine, module)
            }
        };
        compiled.map_err(|e| match e.kind() {
            ErrorKind::Malformed => Rejection::Malformed(e.message()),
            ErrorKind::Invalid => Rejection::Invalid(e.message()),
            kind => Rejection::Other(kind, e.message()),
        })
    }

    /// `assert_malformed` / `assert_invalid`: the module must be rejected
    /// in the given phase with a message starting with `expected`.
    fn expect_rejection(&self, source: &ModuleSource, malformed: bool, expected: &str) -> Outcome {
        let want = if malformed {
            Rejection::Malformed(expected.to_string())
        } else {
            Rejection::Invalid(expected.to_string())
        };
        match self.compile(source) {
            Ok(_) => Outcome::Fail(format!("expected {want}, but the module is valid")),
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

    /// Compiles and instantiates: `Err` for a script error, `Ok(Err)` for
    /// the runtime's answer (unlinkable, trap).
    fn instantiate(
        &mut self,
        source: &ModuleSource,
    ) -> Result<Result<Instance, weft::Error>, ScriptError> {
        let module = self
            .compile(source)
            .map_err(|e| format!("module failed to compile: {e}"))?;
        self.refuel()?;
        Ok(self.linker.instantiate(&mut self.store, &module))
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, ScriptError> {
        match name {
            Some(n) => self
                .named
                .get(n)
                .copied()
                .ok_or_else(|| format!("unknown module {n}")),
            None => self
                .current
                .ok_or_else(|| "no module defined yet".to_string()),
        }
    }

    /// Performs an action: `Err` for a script error, `Ok(Err)` for the
    /// runtime's answer (a trap).
    fn perform(&mut self, action: &Action) -> Result<Result<Vec<Val>, weft::Error>, ScriptError> {
        match action {
            Action::Invoke { module, name, args } => {
                let instance = self.instance(module.as_deref())?;
                let func = instance
                    .get_func(&mut self.store, name)
                    .ok_or_else(|| format!("no exported function {name:?}"))?;
                let ty = func.ty(&self.store);
                if ty.params.len() != args.len() {
                    return Err(format!(
                        "{name:?} has type {ty}, given {} arguments",
                        args.len()
                    ));
                }
                let params: Vec<Val> = args
                    .iter()
                    .map(|a| values::to_val(&mut self.store, a))
                    .collect();
                let mut results: Vec<Val> =
                    ty.results.iter().map(|&t| Val::default_for(t)).collect();
                self.refuel()?;
                Ok(func
                    .call(&mut self.store, &params, &mut results)
                    .map(|()| results))
            }
            Action::Get { module, name } => {
                let instance = self.instance(module.as_deref())?;
                let global = instance
                    .get_global(&mut self.store, name)
                    .ok_or_else(|| format!("no exported global {name:?}"))?;
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

    /// Runs one command.
    fn command(&mut self, kind: &CommandKind) -> Result<Outcome, ScriptError> {
        Ok(match kind {
            CommandKind::Module { name, source } => match self.instantiate(source)? {
                Ok(instance) => {
                    if let Some(n) = name {
                        self.named.insert(n.clone(), instance);
                    }
                    self.current = Some(instance);
                    Outcome::Pass
                }
                Err(e) => Outcome::Fail(format!(
                    "instantiation failed: {:?} \"{}\"",
                    e.kind(),
                    e.message()
                )),
            },
            CommandKind::Register { as_name, module } => {
                let instance = self.instance(module.as_deref())?;
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
            CommandKind::Action(action) => match self.perform(action)? {
                Ok(_) => Outcome::Pass,
                Err(e) => Outcome::Fail(format!("{:?} \"{}\"", e.kind(), e.message())),
            },
            CommandKind::AssertReturn { action, expected } => match self.perform(action)? {
                Ok(results) => {
                    let ok = results.len() == expected.len()
                        && results
                            .iter()
                            .zip(expected)
                            .all(|(r, e)| values::matches(&self.store, r, e));
                    if ok {
                        Outcome::Pass
                    } else {
                        let want: Vec<String> =
                            expected.iter().map(values::show_expected).collect();
                        let want = if want.is_empty() {
                            "no results".to_string()
                        } else {
                            want.join(" ")
                        };
                        Outcome::Fail(format!(
                            "expected {want}, got {}",
                            self.show_results(&results, expected)
                        ))
                    }
                }
                Err(e) => Outcome::Fail(format!(
                    "expected results, got {:?} \"{}\"",
                    e.kind(),
                    e.message()
                )),
            },
            CommandKind::AssertTrap {
                target: TrapTarget::Action(action),
                message,
            }
            | CommandKind::AssertExhaustion { action, message } => {
                let got = self.perform(action)?;
                self.expect_error(got, ErrorKind::Trap, message, |s, r| {
                    s.show_results(&r, &[])
                })
            }
            CommandKind::AssertTrap {
                target: TrapTarget::Module(module),
                message,
            }
            | CommandKind::AssertUninstantiable { module, message } => {
                let got = self.instantiate(module)?;
                self.expect_error(got, ErrorKind::Trap, message, |_, _| {
                    "a module instance".to_string()
                })
            }
            CommandKind::AssertUnlinkable { module, message } => {
                let got = self.instantiate(module)?;
                self.expect_error(got, ErrorKind::Unlinkable, message, |_, _| {
                    "a module instance".to_string()
                })
            }
            CommandKind::AssertMalformed { module, message } => {
                self.expect_rejection(module, true, message)
            }
            CommandKind::AssertInvalid { module, message } => {
                self.expect_rejection(module, false, message)
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
            summary.failed += 1;
            return Ok(summary);
        }
    };
    let mut runner = match Runner::new(*options) {
        Ok(r) => r,
        Err(why) => {
            writeln!(out, "{name}: {why}")?;
            summary.failed += script.commands.len().max(1);
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
        match outcome {
            Outcome::Pass => summary.passed += 1,
            Outcome::Fail(why) => {
                summary.failed += 1;
                writeln!(
                    out,
                    "{name}:{}: {}: {why}",
                    command.line,
                    show_command(&command.kind)
                )?;
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

/// Runs one script file.
pub fn run_file_with(
    path: &Path,
    options: &RunOptions,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let bytes = std::fs::read(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let name = path.display().to_string();
    match std::str::from_utf8(&bytes) {
        Ok(src) => run_script_with(&name, src, options, out),
        Err(e) => {
            writeln!(out, "{name}: not UTF-8 text: {e}")?;
            Ok(Summary {
                failed: 1,
                ..Summary::default()
            })
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

/// Runs every script under the given paths with the given features and no
/// fuel.
pub fn run_paths(
    paths: &[PathBuf],
    features: Features,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    run_paths_with(paths, &RunOptions::new(features), out)
}
