//! `poll_oneoff`: wait for clock timeouts and descriptors.
//!
//! Regular files and directories are always ready (as in wasmtime: an
//! `fd_read` event on a file reports the bytes left after the current
//! offset). Streams and sockets are waited for with `poll(2)`. Clock
//! subscriptions become timeouts; with `SUBSCRIPTION_CLOCK_ABSTIME` the
//! timeout is a time of that clock.

use crate::ctx::{Kind, WasiCtx};
use crate::mem::{GuestMem, R};
use crate::types::{
    clockid, eventtype, rights, size, EVENT_FD_READWRITE_HANGUP, SUBSCRIPTION_CLOCK_ABSTIME,
};
use crate::Errno;
use rustix::event::{PollFd, PollFlags};
use rustix::time::{ClockId, Timespec};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

enum Sub {
    Clock { userdata: u64, deadline: Instant },
    Fd { userdata: u64, kind: u8, fd: u32 },
}

fn now_ns(id: ClockId) -> u64 {
    let t = rustix::time::clock_gettime(id);
    (t.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(t.tv_nsec as u64)
}

impl WasiCtx {
    pub(crate) fn poll_oneoff(
        &mut self,
        mem: &mut GuestMem<'_>,
        subs: u32,
        events: u32,
        nsubs: u32,
        out: u32,
    ) -> R<()> {
        if nsubs == 0 {
            return Err(Errno::Inval);
        }
        mem.check(
            subs,
            nsubs.checked_mul(size::SUBSCRIPTION).ok_or(Errno::Fault)?,
            8,
        )?;
        mem.check(
            events,
            nsubs.checked_mul(size::EVENT).ok_or(Errno::Fault)?,
            8,
        )?;
        mem.check(out, 4, 4)?;
        let start = Instant::now();
        let mut ready: Vec<Event> = Vec::new();
        let mut list = Vec::with_capacity(nsubs as usize);
        for i in 0..nsubs {
            let at = subs + i * size::SUBSCRIPTION;
            let userdata = mem.read_u64(at)?;
            let tag = mem.read_u8(at + 8)?;
            match tag {
                eventtype::CLOCK => {
                    let id = mem.read_u32(at + 16)?;
                    let timeout = mem.read_u64(at + 24)?;
                    let flags = mem.read_u16(at + 40)?;
                    let clock = match id {
                        clockid::REALTIME => Some(ClockId::Realtime),
                        clockid::MONOTONIC => Some(ClockId::Monotonic),
                        _ => None,
                    };
                    let Some(clock) = clock else {
                        ready.push(Event {
                            userdata,
                            error: Errno::Inval,
                            kind: tag,
                            nbytes: 0,
                            flags: 0,
                        });
                        continue;
                    };
                    let rel = if flags & SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                        timeout.saturating_sub(now_ns(clock))
                    } else {
                        timeout
                    };
                    // A timeout too far away to represent waits forever.
                    let deadline = start
                        .checked_add(Duration::from_nanos(rel))
                        .unwrap_or(start + Duration::from_secs(86400 * 365 * 100));
                    list.push(Sub::Clock { userdata, deadline });
                }
                eventtype::FD_READ | eventtype::FD_WRITE => {
                    let fd = mem.read_u32(at + 16)?;
                    list.push(Sub::Fd {
                        userdata,
                        kind: tag,
                        fd,
                    });
                }
                _ => return Err(Errno::Inval),
            }
        }

        // Descriptors that are ready at once, or wrong.
        let mut wait = Vec::new();
        for sub in &list {
            let Sub::Fd { userdata, kind, fd } = *sub else {
                continue;
            };
            let ev = |error, nbytes| Event {
                userdata,
                error,
                kind,
                nbytes,
                flags: 0,
            };
            // An unknown descriptor fails the whole call, as in wasmtime.
            let d = self.table.get(fd)?;
            let needed = if kind == eventtype::FD_READ {
                rights::FD_READ
            } else {
                rights::FD_WRITE
            };
            if d.base & (needed | rights::POLL_FD_READWRITE) == 0 {
                ready.push(ev(Errno::Notcapable, 0));
                continue;
            }
            match d.kind {
                Kind::File | Kind::Dir { .. } => {
                    let nbytes = if kind == eventtype::FD_READ && !d.is_dir() {
                        let size = rustix::fs::fstat(&d.fd)
                            .map(|s| s.st_size as u64)
                            .unwrap_or(0);
                        let pos =
                            rustix::fs::seek(&d.fd, rustix::fs::SeekFrom::Current(0)).unwrap_or(0);
                        size.saturating_sub(pos)
                    } else {
                        0
                    };
                    ready.push(ev(Errno::Success, nbytes));
                }
                Kind::Stream | Kind::Socket => wait.push((userdata, kind, fd)),
            }
        }

        let deadline = list
            .iter()
            .filter_map(|s| match s {
                Sub::Clock { deadline, .. } => Some(*deadline),
                _ => None,
            })
            .min();

        loop {
            let now = Instant::now();
            let timeout = if !ready.is_empty() {
                Some(Duration::ZERO)
            } else {
                deadline.map(|d| d.saturating_duration_since(now))
            };
            if wait.is_empty() {
                if let Some(t) = timeout {
                    if !t.is_zero() {
                        std::thread::sleep(t);
                    }
                }
            } else {
                let mut pollfds = Vec::with_capacity(wait.len());
                let mut owners = Vec::with_capacity(wait.len());
                for &(_, kind, fd) in &wait {
                    let d = self.table.get(fd)?;
                    let flags = if kind == eventtype::FD_READ {
                        PollFlags::IN
                    } else {
                        PollFlags::OUT
                    };
                    owners.push((d.fd.as_fd(), flags));
                }
                for (fd, flags) in &owners {
                    pollfds.push(PollFd::new(fd, *flags));
                }
                let ts = timeout.map(|t| Timespec {
                    tv_sec: t.as_secs().min(i64::MAX as u64) as i64,
                    tv_nsec: t.subsec_nanos() as _,
                });
                match rustix::event::poll(&mut pollfds, ts.as_ref()) {
                    Ok(_) => {}
                    Err(rustix::io::Errno::INTR) => continue,
                    Err(e) => return Err(e.into()),
                }
                for (p, &(userdata, kind, fd)) in pollfds.iter().zip(&wait) {
                    let re = p.revents();
                    if re.is_empty() {
                        continue;
                    }
                    let mut ev = Event {
                        userdata,
                        error: Errno::Success,
                        kind,
                        nbytes: 0,
                        flags: 0,
                    };
                    if re.contains(PollFlags::NVAL) {
                        ev.error = Errno::Badf;
                    } else if re.contains(PollFlags::ERR)
                        && !re.intersects(PollFlags::IN | PollFlags::OUT)
                    {
                        ev.error = Errno::Io;
                    }
                    if re.contains(PollFlags::HUP) {
                        ev.flags |= EVENT_FD_READWRITE_HANGUP;
                    }
                    if kind == eventtype::FD_READ && ev.error == Errno::Success {
                        ev.nbytes = self
                            .table
                            .get(fd)
                            .ok()
                            .and_then(|d| rustix::io::ioctl_fionread(&d.fd).ok())
                            .unwrap_or(1);
                    }
                    ready.push(ev);
                }
            }
            // Clocks whose time has come.
            let now = Instant::now();
            if ready.is_empty() || deadline.is_some_and(|d| d <= now) {
                for s in &list {
                    if let Sub::Clock { userdata, deadline } = *s {
                        if deadline <= now {
                            ready.push(Event {
                                userdata,
                                error: Errno::Success,
                                kind: eventtype::CLOCK,
                                nbytes: 0,
                                flags: 0,
                            });
                        }
                    }
                }
            }
            if !ready.is_empty() {
                break;
            }
            if deadline.is_none() && wait.is_empty() {
                // Nothing can ever happen.
                break;
            }
        }

        ready.truncate(nsubs as usize);
        for (i, e) in ready.iter().enumerate() {
            let at = events + i as u32 * size::EVENT;
            mem.slice_mut(at, size::EVENT)?.fill(0);
            mem.write_u64(at, e.userdata)?;
            mem.write_u16(at + 8, e.error as u16)?;
            mem.write_u8(at + 10, e.kind)?;
            mem.write_u64(at + 16, e.nbytes)?;
            mem.write_u16(at + 24, e.flags)?;
        }
        mem.write_u32(out, ready.len() as u32)
    }
}
