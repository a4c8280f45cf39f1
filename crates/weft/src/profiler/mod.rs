//! A sampling profiler of guest code: where a Wasm program spends its time,
//! by function and call stack.
//!
//! How: a timer thread advances the engine's epoch every interval, and the
//! store's epoch deadline callback ([`crate::Store::epoch_deadline_callback`])
//! calls [`GuestProfiler::sample`], which records the Wasm call stack at
//! that moment ([`crate::Store::wasm_backtrace`]'s frames, in every tier).
//! The epoch is checked where fuel is counted (function entries, loop
//! headers), so a sample lands at the next such point after the tick: a
//! function is charged for the time up to its next check, which is what
//! sampling at safe points means (wasmtime's guest profiler samples the
//! same way). Each sample stands for one interval of wall time.
//!
//! Those checks cost compiled code a load, a compare and a branch per loop
//! iteration (10-25% on loop-heavy programs), so compiled code can be
//! sampled from a signal instead ([`crate::Config::sampling_signal`]): the
//! timer thread also signals the guest's thread ([`SamplingHandle`]), and
//! if the signal interrupted compiled code, the store's signal sampler
//! ([`crate::Store::signal_sampler`]) records the stack right there
//! ([`GuestProfiler::sample_stack`]), from the interrupted instruction and
//! the frame pointer chain (`signals.rs`, `compiled.rs`). The runtime is
//! then suspended in a call into compiled code, as in a libcall, and the
//! thread holds no lock, so the sampler may allocate. A tick that lands
//! anywhere else is sampled at the interpreter's next epoch check, or, in
//! a host function compiled code called, when it returns.
//!
//! Outputs: the Firefox Profiler's processed profile format
//! ([`GuestProfiler::finish`], `firefox.rs`; open it at
//! <https://profiler.firefox.com>), a flame graph as SVG
//! ([`GuestProfiler::write_flamegraph`], `flamegraph.rs`) and the folded
//! stacks flame graph tools read ([`GuestProfiler::write_folded`]).

mod firefox;
mod flamegraph;

use crate::store::AsContext;
use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, Instant, SystemTime};

/// The Wasm call stack of a store at a sample taken from a signal (see
/// [`crate::Store::signal_sampler`]).
pub struct GuestStack<'a> {
    pub(crate) inner: &'a crate::store::StoreInner,
}

/// Sends the sampling signal to one thread (see
/// [`crate::Store::signal_sampler`]); made by
/// [`crate::Store::sampling_handle`] on the thread that runs the guest,
/// and usable from any thread.
#[derive(Clone, Copy, Debug)]
pub struct SamplingHandle {
    /// The thread's kernel id (`tgkill` reaches only this process's
    /// threads: a thread that has ended is no danger, and a thread that
    /// reuses its id gets a signal our handler ignores).
    #[cfg(all(feature = "cranelift", target_arch = "x86_64", target_os = "linux"))]
    tid: libc::pid_t,
}

impl SamplingHandle {
    pub(crate) fn for_this_thread() -> Self {
        #[cfg(all(feature = "cranelift", target_arch = "x86_64", target_os = "linux"))]
        {
            crate::signals::install_sampling();
            // SAFETY: no preconditions.
            let tid = unsafe { libc::gettid() };
            SamplingHandle { tid }
        }
        #[cfg(not(all(feature = "cranelift", target_arch = "x86_64", target_os = "linux")))]
        SamplingHandle {}
    }

    /// Interrupts the thread: if it is running compiled code of a store
    /// with a signal sampler, the sampler samples it. Does nothing where
    /// [`crate::Config::sampling_signal`] does nothing.
    pub fn signal(&self) {
        #[cfg(all(feature = "cranelift", target_arch = "x86_64", target_os = "linux"))]
        crate::signals::send_sample(self.tid);
    }
}

/// Characters of a function name kept in a profile.
const NAME_CHARS: usize = 256;

/// Samples of a guest's Wasm call stacks, written out as a Firefox
/// Profiler profile or a flame graph.
///
/// ```
/// # fn main() -> weft::Result<()> {
/// use std::time::Duration;
/// use weft::{Config, Engine, GuestProfiler, Linker, Module, Store, UpdateDeadline};
/// let engine = Engine::new(Config::new().epoch_interruption(true));
/// let module = Module::new(&engine, r#"(module
///     (func $spin (export "spin") (param i32)
///         (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#)?;
/// let mut store = Store::new(&engine, Some(GuestProfiler::new("spin", Duration::from_millis(1))));
/// // A deadline 0 ticks away samples at every check; a real profile
/// // advances the epoch from a timer thread and continues with 1.
/// store.set_epoch_deadline(0);
/// store.epoch_deadline_callback(|store| {
///     let mut profiler = store.data_mut().take().expect("profiler");
///     profiler.sample(&*store);
///     *store.data_mut() = Some(profiler);
///     Ok(UpdateDeadline::Continue(0))
/// });
/// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
/// instance.get_typed_func::<i32, ()>(&mut store, "spin")?.call(&mut store, 100)?;
/// let profiler = store.into_data().expect("profiler");
/// // The function's entry, 100 iterations and the point after the loop.
/// assert_eq!(profiler.sample_count(), 102);
/// let mut folded = Vec::new();
/// profiler.write_folded(&mut folded).unwrap();
/// assert_eq!(String::from_utf8(folded).unwrap(), "spin 102\n");
/// # Ok(()) }
/// ```
pub struct GuestProfiler {
    /// What was profiled (the module's or program's name).
    name: String,
    interval: Duration,
    start: Instant,
    /// When the profile started, in milliseconds since the Unix epoch.
    start_unix_ms: f64,
    /// Functions seen, by display name.
    funcs: Vec<String>,
    /// Function of each (store, instance, defined function) seen.
    func_ids: HashMap<(u64, u32, u32), u32>,
    /// The stack tree: each stack's caller stack (its prefix) and
    /// innermost function.
    stacks: Vec<(Option<u32>, u32)>,
    stack_ids: HashMap<(Option<u32>, u32), u32>,
    /// Each sample: milliseconds since `start`, and its stack (`None`
    /// when no Wasm function was active).
    samples: Vec<(f64, Option<u32>)>,
}

impl GuestProfiler {
    /// A profiler of `name` (shown as the profile's product and the flame
    /// graph's title) that is sampled every `interval`.
    pub fn new(name: &str, interval: Duration) -> Self {
        let start_unix_ms = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        GuestProfiler {
            name: name.to_string(),
            interval,
            start: Instant::now(),
            start_unix_ms,
            funcs: Vec::new(),
            func_ids: HashMap::new(),
            stacks: Vec::new(),
            stack_ids: HashMap::new(),
            samples: Vec::new(),
        }
    }

    /// Records the Wasm call stack `store` is running now (from inside its
    /// epoch deadline callback, or a host function the guest called).
    pub fn sample(&mut self, store: impl AsContext) {
        self.sample_stack(&GuestStack {
            inner: &store.as_context().inner,
        });
    }

    /// Records a Wasm call stack given to a signal sampler
    /// ([`crate::Store::signal_sampler`]).
    pub fn sample_stack(&mut self, stack: &GuestStack<'_>) {
        let inner = stack.inner;
        let frames = crate::activation::capture(inner);
        let mut prefix = None;
        // Outermost first: the stack tree grows from the callers.
        for &(inst, def, _) in frames.iter().rev() {
            let funcs = &mut self.funcs;
            let func = *self
                .func_ids
                .entry((inner.id, inst, def))
                .or_insert_with(|| {
                    let info = crate::activation::frame_info(inner, inst, def, None);
                    funcs.push(display_name(&info));
                    (funcs.len() - 1) as u32
                });
            let stacks = &mut self.stacks;
            let stack = *self.stack_ids.entry((prefix, func)).or_insert_with(|| {
                stacks.push((prefix, func));
                (stacks.len() - 1) as u32
            });
            prefix = Some(stack);
        }
        let t = self.start.elapsed().as_secs_f64() * 1000.0;
        self.samples.push((t, prefix));
    }

    /// How many samples were taken.
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }

    /// The functions of a stack, outermost first.
    fn stack_funcs(&self, mut stack: Option<u32>) -> Vec<u32> {
        let mut out = Vec::new();
        while let Some(s) = stack {
            let (prefix, func) = self.stacks[s as usize];
            out.push(func);
            stack = prefix;
        }
        out.reverse();
        out
    }

    /// Each distinct stack with its samples, as function names outermost
    /// first, in the order stacks were first seen.
    fn stack_counts(&self) -> Vec<(Vec<&str>, u64)> {
        let mut counts: HashMap<Option<u32>, u64> = HashMap::new();
        let mut order = Vec::new();
        for &(_, stack) in &self.samples {
            let c = counts.entry(stack).or_insert_with(|| {
                order.push(stack);
                0
            });
            *c += 1;
        }
        order
            .into_iter()
            .map(|stack| {
                let names = self
                    .stack_funcs(stack)
                    .into_iter()
                    .map(|f| self.funcs[f as usize].as_str())
                    .collect();
                (names, counts[&stack])
            })
            .collect()
    }

    /// Writes the samples as folded stacks, one distinct stack a line:
    /// function names outermost first separated by `;`, a space and the
    /// number of samples (the input of `flamegraph.pl` and `inferno`).
    /// Samples outside any Wasm function are left out.
    pub fn write_folded(&self, mut out: impl Write) -> io::Result<()> {
        for (names, n) in self.stack_counts() {
            if !names.is_empty() {
                writeln!(out, "{} {n}", names.join(";"))?;
            }
        }
        Ok(())
    }

    /// Writes the samples as a flame graph in SVG: one box per function
    /// and call path, as wide as its share of the samples, callers below
    /// callees (each box's tooltip gives its samples and share).
    pub fn write_flamegraph(&self, out: impl Write) -> io::Result<()> {
        flamegraph::write(self, out)
    }

    /// Writes the profile in the Firefox Profiler's processed profile
    /// format (JSON), as wasmtime's guest profiler does; open it at
    /// <https://profiler.firefox.com>.
    pub fn finish(self, out: impl Write) -> io::Result<()> {
        firefox::write(&self, out)
    }
}

impl std::fmt::Debug for GuestProfiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuestProfiler")
            .field("name", &self.name)
            .field("interval", &self.interval)
            .field("samples", &self.samples.len())
            .finish()
    }
}

/// A function's name in a profile: its name from the name section
/// (escaped as `wasm2wat` escapes names, clipped), else wasmtime's
/// `wasm-function[N]`. `;` would split a folded stack: it becomes `,`.
fn display_name(info: &crate::FrameInfo) -> String {
    let name = match &info.func_name {
        Some(n) => weft_syntax::escape_name(n).clip(NAME_CHARS).to_string(),
        None => format!("wasm-function[{}]", info.func_index),
    };
    name.replace(';', ",")
}
