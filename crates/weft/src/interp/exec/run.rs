//! The run loop around the handlers: entry from the host, host calls,
//! growth requests, traps and uncaught exceptions, which need the host
//! state's type that the handlers do not know.

use super::*;

/// Runs `code` (store function `func` of instance `inst`), whose frame is
/// at the bottom of `stack` with its parameters and initial locals in
/// place, until it returns. Host functions are called from here, outside
/// the handlers, which do not know the store's host-state type.
pub(super) fn run<T>(
    store: &mut Store<T>,
    stack: &mut Stack,
    inst: u32,
    def: u32,
    code: &CompiledFunc,
) -> Result<()> {
    let max_depth = store.inner.engine.config().max_call_depth;
    let (mb, ml) = mem_view(&mut store.inner, inst);
    let mut regs = Regs {
        ip: code.code.as_ptr(),
        fp: stack.slots.as_mut_ptr(),
        mb,
        ml,
        acc: 0,
        facc: 0.0,
    };
    let (mut inst, mut def, mut code) = (inst, def, code as *const CompiledFunc);
    loop {
        let (module, tables, type_ids) = instance_view(&store.inner, inst);
        let mut cx = Cx {
            inner: &mut store.inner,
            stack: &mut *stack,
            inst,
            def,
            module,
            tables,
            type_ids,
            code,
            max_depth,
            host: (0, 0),
            resume: regs,
        };
        let why = if cx.stack.rare.pending.is_some() && !exn::resume_unwind(&mut cx) {
            Stop::Throw
        } else {
            enter(cx.resume, &mut cx)
        };
        (inst, def, code) = (cx.inst, cx.def, cx.code);
        let (host, resume) = (cx.host, cx.resume);
        match why {
            Stop::Return => return Ok(()),
            Stop::Trap(c) => {
                return Err(trapped(
                    &store.inner,
                    stack,
                    (inst, def, code),
                    resume.ip,
                    c,
                ))
            }
            Stop::Throw => return Err(uncaught(&store.inner, stack, (inst, def, code), resume.ip)),
            Stop::Error => {
                let error = std::mem::take(&mut stack.rare.error);
                return Err(Error::other(if error.is_empty() {
                    "internal error: invalid instruction".to_string()
                } else {
                    error
                }));
            }
            Stop::Native => {
                // SAFETY: `code` is the current function's stub, kept alive
                // by its module, whose frame at `resume.fp` has
                // `frame_size` slots (the larger of the parameter and result
                // slots), and the value stack does not move during the call
                // (re-entries use another stack).
                let args = unsafe { std::slice::from_raw_parts_mut(resume.fp, (*code).frame_size) };
                // The compiled function's own frames are walked from its
                // side; the interpreted callers from here.
                stack.rare.current = None;
                let r = native(store, inst, def, args);
                if let Err(mut e) = r {
                    // Compiled functions have no handlers: unwinding goes
                    // on from the stub's `Ret` to the callers.
                    if catch_later(&store.inner, stack, &e, resume.ip, resume.fp) {
                        continue;
                    }
                    add_callers(&store.inner, stack, (inst, def, code), &mut e);
                    return Err(e);
                }
                let (mb, ml) = mem_view(&mut store.inner, inst);
                regs = Regs { mb, ml, ..resume };
            }
            Stop::Grow => regs = grow(store, inst, resume)?,
            Stop::Host => {
                let (sf, base) = host;
                let FuncKind::Host(h) = store.inner.funcs[sf as usize].kind else {
                    return Err(Error::other("internal error: not a host function"));
                };
                let host = &store.hosts[h as usize];
                let n = host.param_slots.max(host.result_slots);
                let f = host.f.clone();
                // SAFETY: the translator sized the caller's frame to hold
                // the larger of the argument and result lists at `base`,
                // and the value stack does not move during the host call
                // (re-entries use another stack).
                let args =
                    unsafe { std::slice::from_raw_parts_mut(resume.fp.add(base as usize), n) };
                // The call is the instruction before the one to resume at.
                stack.rare.current = Some((inst, def, code, resume.ip.wrapping_sub(1)));
                let r = f(
                    Caller {
                        store: &mut *store,
                        instance: Some(inst),
                    },
                    args,
                );
                if let Err(e) = r {
                    // Unwinding goes on from the call.
                    if catch_later(
                        &store.inner,
                        stack,
                        &e,
                        resume.ip.wrapping_sub(1),
                        resume.fp,
                    ) {
                        continue;
                    }
                    return Err(e);
                }
                let (mb, ml) = mem_view(&mut store.inner, inst);
                regs = Regs { mb, ml, ..resume };
            }
        }
    }
}

/// The trap `c` at instruction `ip` of the current function (`def` of
/// instance `inst`, code `code`), with its backtrace. Out of line, as is
/// [`add_callers`], so that the run loop's native frame (one per re-entry
/// into Wasm, which bounds recursion across tiers) stays small.
#[cold]
#[inline(never)]
pub(super) fn trapped(
    inner: &StoreInner,
    stack: &Stack,
    current: (u32, u32, *const CompiledFunc),
    ip: *const Inst,
    c: TrapCode,
) -> Error {
    let mut t = Trap::new(c);
    t.set_backtrace(backtrace(inner, current, Some(ip), &stack.frames));
    // The current frame and every caller.
    let active = stack.frames.len() + 1;
    t.add_frames_elided(active.saturating_sub(Trap::MAX_FRAMES));
    t.into()
}

/// Adds the interpreted callers to the backtrace of a trap of compiled
/// code (whose frames are in), called from the current function's stub.
#[cold]
#[inline(never)]
pub(super) fn add_callers(
    inner: &StoreInner,
    stack: &Stack,
    current: (u32, u32, *const CompiledFunc),
    e: &mut Error,
) {
    if let Some(t) = e.trap_mut() {
        let callers = backtrace(inner, current, None, &stack.frames);
        t.extend_backtrace(callers.into_iter().skip(1));
        let active = stack.frames.len() + 1;
        t.add_frames_elided(active.saturating_sub(Trap::MAX_FRAMES));
    }
}

/// If `e` is an exception of this store, makes it the stack's pending
/// exception, to unwind from instruction `at` of the frame at `fp` (and
/// keeps the frames it came through): the Wasm frames of this execution
/// may catch it.
#[inline(never)]
pub(super) fn catch_later(
    inner: &StoreInner,
    stack: &mut Stack,
    e: &Error,
    at: *const Inst,
    fp: *mut u64,
) -> bool {
    let Some(exn) = e.as_exception().and_then(|x| x.bits(inner).ok()) else {
        return false;
    };
    stack.rare.pending = Some((exn, at, fp));
    stack.rare.frames = e.backtrace().to_vec();
    true
}

/// The error of an exception no frame of this execution caught: the
/// tag's name, and the backtrace of the frames it came through, then the
/// current function (`def` of instance `inst`, code `code`, at `ip`) and
/// its callers.
#[inline(never)]
pub(super) fn uncaught(
    inner: &StoreInner,
    stack: &mut Stack,
    (inst, def, code): (u32, u32, *const CompiledFunc),
    ip: *const Inst,
) -> Error {
    let exn = stack.rare.thrown;
    let name = crate::exception::tag_name(inner, exn);
    let mut bt = std::mem::take(&mut stack.rare.frames);
    bt.extend(backtrace(inner, (inst, def, code), Some(ip), &stack.frames));
    bt.truncate(Trap::MAX_FRAMES);
    Error::exception(
        crate::ExnRef::from_bits(inner, exn),
        format!("uncaught exception: tag {name}"),
        bt,
    )
}
