//! The functions of `wasi_snapshot_preview1`, one method each, over a
//! [`WasiCtx`] and the guest's memory.
//!
//! Each returns `Ok(())` (`errno::success`) or the [`Errno`] to hand back.
//! The order of checks follows wasmtime's where the result is
//! observable: the descriptor must exist (`badf`), be of the right kind
//! (`badf`, `notdir`, `spipe`, `notsock`), hold the rights (`badf` for
//! reading or writing, `notcapable` otherwise); then the guest's pointers
//! are checked (`fault`, `inval`) before anything changes on the host.

use crate::ctx::{filetype_of, Descriptor, DirEntryInfo, Kind, WasiCtx};
use crate::mem::{GuestMem, R};
use crate::path::{self, resolve};
use crate::types::{
    clockid, fdflags, filetype, fstflags, lookupflags, oflags, rights, size, whence,
    PREOPENTYPE_DIR,
};
use crate::Errno;
use rustix::fs::{AtFlags, Mode, OFlags, SeekFrom, Timestamps};
use rustix::io::Errno as E;
use rustix::time::{ClockId, Timespec};
use std::io::IoSlice;
use std::os::fd::{AsFd, BorrowedFd};

/// Most iovecs passed to one host call (Linux's `IOV_MAX`); the rest make
/// the operation a short one.
const IOV_MAX: usize = 1024;

fn ns(ts: Timespec) -> u64 {
    (ts.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(ts.tv_nsec as u64)
}

fn timespec(ns: u64) -> Timespec {
    Timespec {
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as _,
    }
}

/// Writes a `filestat` at `ptr`.
// The `stat` fields have other types on other targets: keep the casts.
#[allow(clippy::unnecessary_cast)]
fn write_filestat(mem: &mut GuestMem<'_>, ptr: u32, st: &rustix::fs::Stat, ft: u8) -> R<()> {
    mem.check(ptr, size::FILESTAT, 8)?;
    mem.write_u64(ptr, st.st_dev as u64)?;
    mem.write_u64(ptr + 8, st.st_ino as u64)?;
    mem.write_u64(ptr + 16, u64::from(ft))?;
    mem.write_u64(ptr + 24, st.st_nlink as u64)?;
    mem.write_u64(ptr + 32, st.st_size as u64)?;
    let t = |s: i64, n: u64| (s as u64).wrapping_mul(1_000_000_000).wrapping_add(n);
    mem.write_u64(ptr + 40, t(st.st_atime as i64, st.st_atime_nsec as u64))?;
    mem.write_u64(ptr + 48, t(st.st_mtime as i64, st.st_mtime_nsec as u64))?;
    mem.write_u64(ptr + 56, t(st.st_ctime as i64, st.st_ctime_nsec as u64))?;
    Ok(())
}

/// The `Timestamps` of the `*_set_times` functions; `inval` for
/// contradictory flags.
fn timestamps(atim: u64, mtim: u64, fst: u16) -> R<Timestamps> {
    if fst & !(fstflags::ATIM | fstflags::ATIM_NOW | fstflags::MTIM | fstflags::MTIM_NOW) != 0 {
        return Err(Errno::Inval);
    }
    let one = |set: u16, now: u16, t: u64| -> R<Timespec> {
        match (fst & set != 0, fst & now != 0) {
            (true, true) => Err(Errno::Inval),
            (true, false) => Ok(timespec(t)),
            (false, true) => Ok(Timespec {
                tv_sec: 0,
                tv_nsec: rustix::fs::UTIME_NOW,
            }),
            (false, false) => Ok(Timespec {
                tv_sec: 0,
                tv_nsec: rustix::fs::UTIME_OMIT,
            }),
        }
    };
    Ok(Timestamps {
        last_access: one(fstflags::ATIM, fstflags::ATIM_NOW, atim)?,
        last_modification: one(fstflags::MTIM, fstflags::MTIM_NOW, mtim)?,
    })
}

fn clock(id: u32) -> R<ClockId> {
    Ok(match id {
        clockid::REALTIME => ClockId::Realtime,
        clockid::MONOTONIC => ClockId::Monotonic,
        // wasmtime has no CPU-time clocks and says `badf`.
        clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => return Err(Errno::Badf),
        _ => return Err(Errno::Inval),
    })
}

/// The first non-empty buffer of an iovec array (an empty range if all
/// are empty): reads fill one buffer per call, as wasmtime's do.
/// Runs a blocking call again when a signal interrupted it (`EINTR`).
fn retry_on_intr<T>(mut call: impl FnMut() -> rustix::io::Result<T>) -> rustix::io::Result<T> {
    loop {
        match call() {
            Err(E::INTR) => continue,
            r => return r,
        }
    }
}

fn first_nonempty(iovs: &[std::ops::Range<usize>]) -> std::ops::Range<usize> {
    iovs.iter().find(|r| !r.is_empty()).cloned().unwrap_or(0..0)
}

fn is_stream(d: &Descriptor) -> bool {
    matches!(d.kind, Kind::Stream | Kind::Socket)
}

/// A regular file for the operations only files have (`advise`,
/// `allocate`, `set_size`, `fdstat_set_flags`): `badf` for directories and
/// streams, as in wasmtime.
fn file_only(d: &Descriptor) -> R<()> {
    match d.kind {
        Kind::File => Ok(()),
        _ => Err(Errno::Badf),
    }
}

/// A file or directory (not a stream) for `sync`, `set_times`.
fn not_stream(d: &Descriptor) -> R<()> {
    if is_stream(d) {
        Err(Errno::Badf)
    } else {
        Ok(())
    }
}

fn host_fdflags(fl: OFlags) -> u16 {
    let mut f = 0;
    if fl.contains(OFlags::APPEND) {
        f |= fdflags::APPEND;
    }
    if fl.contains(OFlags::NONBLOCK) {
        f |= fdflags::NONBLOCK;
    }
    if fl.contains(OFlags::SYNC) {
        f |= fdflags::SYNC;
    } else if fl.contains(OFlags::DSYNC) {
        f |= fdflags::DSYNC;
    }
    f
}

impl WasiCtx {
    // ----- args and environment -------------------------------------------

    fn strings_sizes(list: &[Vec<u8>], mem: &mut GuestMem<'_>, count: u32, size: u32) -> R<()> {
        mem.check(count, 4, 4)?;
        mem.check(size, 4, 4)?;
        let bytes: usize = list.iter().map(|s| s.len() + 1).sum();
        mem.write_u32(count, list.len() as u32)?;
        mem.write_u32(size, u32::try_from(bytes).map_err(|_| Errno::Overflow)?)
    }

    fn strings_get(list: &[Vec<u8>], mem: &mut GuestMem<'_>, ptrs: u32, buf: u32) -> R<()> {
        let n = u32::try_from(list.len()).map_err(|_| Errno::Overflow)?;
        mem.check(ptrs, n.checked_mul(4).ok_or(Errno::Fault)?, 4)?;
        let bytes: usize = list.iter().map(|s| s.len() + 1).sum();
        mem.range(buf, u32::try_from(bytes).map_err(|_| Errno::Fault)?)?;
        let mut at = buf;
        for (i, s) in list.iter().enumerate() {
            mem.write_u32(ptrs + 4 * i as u32, at)?;
            let dst = mem.slice_mut(at, s.len() as u32 + 1)?;
            let (text, nul) = dst.split_at_mut(s.len());
            text.copy_from_slice(s);
            nul[0] = 0;
            at += s.len() as u32 + 1;
        }
        Ok(())
    }

    pub(crate) fn args_sizes_get(&mut self, mem: &mut GuestMem<'_>, argc: u32, size: u32) -> R<()> {
        Self::strings_sizes(&self.args, mem, argc, size)
    }

    pub(crate) fn args_get(&mut self, mem: &mut GuestMem<'_>, argv: u32, buf: u32) -> R<()> {
        Self::strings_get(&self.args, mem, argv, buf)
    }

    pub(crate) fn environ_sizes_get(&mut self, mem: &mut GuestMem<'_>, n: u32, size: u32) -> R<()> {
        Self::strings_sizes(&self.env, mem, n, size)
    }

    pub(crate) fn environ_get(&mut self, mem: &mut GuestMem<'_>, env: u32, buf: u32) -> R<()> {
        Self::strings_get(&self.env, mem, env, buf)
    }

    // ----- clocks and randomness -----------------------------------------

    pub(crate) fn clock_res_get(&mut self, mem: &mut GuestMem<'_>, id: u32, out: u32) -> R<()> {
        let id = clock(id)?;
        mem.check(out, 8, 8)?;
        mem.write_u64(out, ns(rustix::time::clock_getres(id)).max(1))
    }

    pub(crate) fn clock_time_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        id: u32,
        _precision: u64,
        out: u32,
    ) -> R<()> {
        let id = clock(id)?;
        mem.check(out, 8, 8)?;
        mem.write_u64(out, ns(rustix::time::clock_gettime(id)))
    }

    pub(crate) fn random_get(&mut self, mem: &mut GuestMem<'_>, buf: u32, len: u32) -> R<()> {
        let mut dst = mem.slice_mut(buf, len)?;
        while !dst.is_empty() {
            match rustix::rand::getrandom(&mut *dst, rustix::rand::GetRandomFlags::empty()) {
                Ok(n) => dst = &mut dst[n..],
                Err(E::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    // ----- descriptors --------------------------------------------------

    pub(crate) fn fd_advise(&mut self, fd: u32, offset: u64, len: u64, advice: u32) -> R<()> {
        let d = self.table.get(fd)?;
        file_only(d)?;
        d.need(rights::FD_ADVISE)?;
        use rustix::fs::Advice;
        let advice = match advice {
            0 => Advice::Normal,
            1 => Advice::Sequential,
            2 => Advice::Random,
            3 => Advice::WillNeed,
            4 => Advice::DontNeed,
            5 => Advice::NoReuse,
            _ => return Err(Errno::Inval),
        };
        rustix::fs::fadvise(&d.fd, offset, std::num::NonZeroU64::new(len), advice)?;
        Ok(())
    }

    pub(crate) fn fd_allocate(&mut self, fd: u32, offset: u64, len: u64) -> R<()> {
        let d = self.table.get(fd)?;
        file_only(d)?;
        d.need(rights::FD_ALLOCATE)?;
        let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
        if end > i64::MAX as u64 {
            return Err(Errno::Fbig);
        }
        match rustix::fs::fallocate(&d.fd, rustix::fs::FallocateFlags::empty(), offset, len) {
            Ok(()) => Ok(()),
            // File systems without fallocate: extend the file instead.
            Err(E::OPNOTSUPP) => {
                let st = rustix::fs::fstat(&d.fd)?;
                if (st.st_size as u64) < end {
                    rustix::fs::ftruncate(&d.fd, end)?;
                }
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) fn fd_close(&mut self, fd: u32) -> R<()> {
        self.table.remove(fd).map(drop)
    }

    pub(crate) fn fd_datasync(&mut self, fd: u32) -> R<()> {
        let d = self.table.get(fd)?;
        file_only(d)?;
        d.need(rights::FD_DATASYNC)?;
        rustix::fs::fdatasync(&d.fd)?;
        Ok(())
    }

    pub(crate) fn fd_sync(&mut self, fd: u32) -> R<()> {
        let d = self.table.get(fd)?;
        file_only(d)?;
        d.need(rights::FD_SYNC)?;
        rustix::fs::fsync(&d.fd)?;
        Ok(())
    }

    pub(crate) fn fd_fdstat_get(&mut self, mem: &mut GuestMem<'_>, fd: u32, out: u32) -> R<()> {
        let d = self.table.get(fd)?;
        let flags = match &d.kind {
            Kind::Stream => 0,
            _ => host_fdflags(rustix::fs::fcntl_getfl(&d.fd)?),
        };
        mem.check(out, size::FDSTAT, 8)?;
        mem.write_u64(out, 0)?;
        mem.write_u8(out, d.filetype)?;
        mem.write_u16(out + 2, flags)?;
        mem.write_u64(out + 8, d.base)?;
        mem.write_u64(out + 16, d.inheriting)
    }

    pub(crate) fn fd_fdstat_set_flags(&mut self, fd: u32, flags: u16) -> R<()> {
        let d = self.table.get(fd)?;
        // Only files: the host's own stdio must not turn non-blocking or
        // appending under the host's feet (wasmtime says `badf` too).
        if !matches!(d.kind, Kind::File | Kind::Socket) {
            return Err(Errno::Badf);
        }
        d.need(rights::FD_FDSTAT_SET_FLAGS)?;
        if flags & !(fdflags::APPEND | fdflags::NONBLOCK) != 0 {
            // The synchronisation flags cannot change after opening.
            return Err(Errno::Inval);
        }
        let mut fl = rustix::fs::fcntl_getfl(&d.fd)?;
        fl.set(OFlags::APPEND, flags & fdflags::APPEND != 0);
        fl.set(OFlags::NONBLOCK, flags & fdflags::NONBLOCK != 0);
        rustix::fs::fcntl_setfl(&d.fd, fl)?;
        Ok(())
    }

    pub(crate) fn fd_fdstat_set_rights(&mut self, fd: u32, base: u64, inheriting: u64) -> R<()> {
        let d = self.table.get_mut(fd)?;
        if base & !d.base != 0 || inheriting & !d.inheriting != 0 {
            return Err(Errno::Notcapable);
        }
        d.base = base;
        d.inheriting = inheriting;
        Ok(())
    }

    pub(crate) fn fd_filestat_get(&mut self, mem: &mut GuestMem<'_>, fd: u32, out: u32) -> R<()> {
        let d = self.table.get(fd)?;
        d.need(rights::FD_FILESTAT_GET)?;
        let st = rustix::fs::fstat(&d.fd)?;
        let ft = match d.kind {
            Kind::Stream => d.filetype,
            _ => filetype_of(st.st_mode),
        };
        write_filestat(mem, out, &st, ft)
    }

    pub(crate) fn fd_filestat_set_size(&mut self, fd: u32, size: u64) -> R<()> {
        let d = self.table.get(fd)?;
        file_only(d)?;
        d.need(rights::FD_FILESTAT_SET_SIZE)?;
        if size > i64::MAX as u64 {
            return Err(Errno::Inval);
        }
        rustix::fs::ftruncate(&d.fd, size)?;
        Ok(())
    }

    pub(crate) fn fd_filestat_set_times(
        &mut self,
        fd: u32,
        atim: u64,
        mtim: u64,
        fst: u16,
    ) -> R<()> {
        let d = self.table.get(fd)?;
        not_stream(d)?;
        d.need(rights::FD_FILESTAT_SET_TIMES)?;
        let ts = timestamps(atim, mtim, fst)?;
        rustix::fs::futimens(&d.fd, &ts)?;
        Ok(())
    }

    pub(crate) fn fd_pread(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        out: u32,
    ) -> R<()> {
        let d = self.table.file(fd, rights::FD_READ)?;
        if is_stream(d) {
            return Err(Errno::Spipe);
        }
        let iovs = mem.iovecs(iovs, iovs_len, IOV_MAX)?;
        mem.check(out, 4, 4)?;
        let r = first_nonempty(&iovs);
        let n = if offset > i64::MAX as u64 {
            return Err(Errno::Inval);
        } else {
            let buf = mem.slice_mut(r.start as u32, r.len() as u32)?;
            rustix::io::pread(&d.fd, buf, offset)?
        };
        mem.write_u32(out, n as u32)
    }

    pub(crate) fn fd_pwrite(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        offset: u64,
        out: u32,
    ) -> R<()> {
        let d = self.table.file(fd, rights::FD_WRITE)?;
        if is_stream(d) {
            return Err(Errno::Spipe);
        }
        if offset > i64::MAX as u64 {
            return Err(Errno::Inval);
        }
        let iovs = mem.iovecs(iovs, iovs_len, IOV_MAX)?;
        mem.check(out, 4, 4)?;
        let all = mem.all();
        let slices: Vec<IoSlice<'_>> = iovs.iter().map(|r| IoSlice::new(&all[r.clone()])).collect();
        let n = rustix::io::pwritev(&d.fd, &slices, offset)?;
        mem.write_u32(out, n as u32)
    }

    pub(crate) fn fd_read(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        out: u32,
    ) -> R<()> {
        let d = self.table.file(fd, rights::FD_READ)?;
        let iovs = mem.iovecs(iovs, iovs_len, IOV_MAX)?;
        mem.check(out, 4, 4)?;
        let r = first_nonempty(&iovs);
        let buf = mem.slice_mut(r.start as u32, r.len() as u32)?;
        let n = retry_on_intr(|| rustix::io::read(&d.fd, &mut *buf))?;
        mem.write_u32(out, n as u32)
    }

    pub(crate) fn fd_write(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        out: u32,
    ) -> R<()> {
        let d = self.table.file(fd, rights::FD_WRITE)?;
        let iovs = mem.iovecs(iovs, iovs_len, IOV_MAX)?;
        mem.check(out, 4, 4)?;
        let all = mem.all();
        let slices: Vec<IoSlice<'_>> = iovs.iter().map(|r| IoSlice::new(&all[r.clone()])).collect();
        let n = retry_on_intr(|| rustix::io::writev(&d.fd, &slices))?;
        mem.write_u32(out, n as u32)
    }

    pub(crate) fn fd_prestat_get(&mut self, mem: &mut GuestMem<'_>, fd: u32, out: u32) -> R<()> {
        let d = self.table.get(fd)?;
        let Kind::Dir {
            preopen: Some(name),
        } = &d.kind
        else {
            return Err(Errno::Badf);
        };
        mem.check(out, size::PRESTAT, 4)?;
        mem.write_u32(out, 0)?;
        mem.write_u8(out, PREOPENTYPE_DIR)?;
        mem.write_u32(out + 4, name.len() as u32)
    }

    pub(crate) fn fd_prestat_dir_name(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        buf: u32,
        len: u32,
    ) -> R<()> {
        let d = self.table.get(fd)?;
        let Kind::Dir {
            preopen: Some(name),
        } = &d.kind
        else {
            return Err(Errno::Badf);
        };
        if (len as usize) < name.len() {
            return Err(Errno::Nametoolong);
        }
        mem.slice_mut(buf, name.len() as u32)?
            .copy_from_slice(name.as_bytes());
        Ok(())
    }

    pub(crate) fn fd_readdir(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        buf: u32,
        buf_len: u32,
        cookie: u64,
        out: u32,
    ) -> R<()> {
        let d = self.table.get_mut(fd)?;
        if !d.is_dir() {
            return Err(Errno::Badf);
        }
        d.need(rights::FD_READDIR)?;
        mem.range(buf, buf_len)?;
        mem.check(out, 4, 4)?;
        if cookie == 0 || d.listing.is_none() {
            d.listing = Some(list_dir(d.fd.as_fd())?);
        }
        let listing = d.listing.as_deref().unwrap_or(&[]);
        let skip = usize::try_from(cookie).unwrap_or(usize::MAX);
        let mut bytes: Vec<u8> = Vec::new();
        for (i, e) in listing.iter().enumerate().skip(skip) {
            if bytes.len() >= buf_len as usize {
                break;
            }
            bytes.extend_from_slice(&(i as u64 + 1).to_le_bytes());
            bytes.extend_from_slice(&e.ino.to_le_bytes());
            bytes.extend_from_slice(&(e.name.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&[e.filetype, 0, 0, 0]);
            bytes.extend_from_slice(&e.name);
        }
        // A last entry that does not fit is cut off: the guest sees a full
        // buffer and asks again with a larger one or the cookie.
        bytes.truncate(buf_len as usize);
        mem.slice_mut(buf, bytes.len() as u32)?
            .copy_from_slice(&bytes);
        mem.write_u32(out, bytes.len() as u32)
    }

    pub(crate) fn fd_renumber(&mut self, from: u32, to: u32) -> R<()> {
        if !self.table.contains(from) || !self.table.contains(to) {
            return Err(Errno::Badf);
        }
        if from == to {
            return Ok(());
        }
        let d = self.table.remove(from)?;
        self.table.insert_at(to, d);
        Ok(())
    }

    pub(crate) fn fd_seek(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        offset: i64,
        whence: u8,
        out: u32,
    ) -> R<()> {
        let d = self.table.get(fd)?;
        if is_stream(d) {
            return Err(Errno::Spipe);
        }
        if d.is_dir() {
            return Err(Errno::Badf);
        }
        // `fd_tell`'s right suffices for asking the position.
        let needed = if offset == 0 && whence == whence::CUR {
            rights::FD_TELL
        } else {
            rights::FD_SEEK
        };
        if d.base & (needed | rights::FD_SEEK) == 0 {
            return Err(Errno::Notcapable);
        }
        let pos = match whence {
            whence::SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
            whence::CUR => SeekFrom::Current(offset),
            whence::END => SeekFrom::End(offset),
            _ => return Err(Errno::Inval),
        };
        mem.check(out, 8, 8)?;
        let n = rustix::fs::seek(&d.fd, pos)?;
        mem.write_u64(out, n)
    }

    pub(crate) fn fd_tell(&mut self, mem: &mut GuestMem<'_>, fd: u32, out: u32) -> R<()> {
        let d = self.table.get(fd)?;
        if is_stream(d) {
            return Err(Errno::Spipe);
        }
        if d.is_dir() {
            return Err(Errno::Badf);
        }
        if d.base & (rights::FD_TELL | rights::FD_SEEK) == 0 {
            return Err(Errno::Notcapable);
        }
        mem.check(out, 8, 8)?;
        let n = rustix::fs::seek(&d.fd, SeekFrom::Current(0))?;
        mem.write_u64(out, n)
    }

    // ----- paths --------------------------------------------------------

    pub(crate) fn path_create_directory(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        p: u32,
        len: u32,
    ) -> R<()> {
        let d = self.table.dir(fd, rights::PATH_CREATE_DIRECTORY)?;
        let path = mem.str(p, len)?;
        let r = resolve(d.fd.as_fd(), path, false)?;
        if r.name == "." {
            return Err(Errno::Exist);
        }
        rustix::fs::mkdirat(&r.dir, r.name.as_str(), Mode::from_raw_mode(0o777))?;
        Ok(())
    }

    pub(crate) fn path_filestat_get(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        flags: u32,
        p: u32,
        len: u32,
        out: u32,
    ) -> R<()> {
        let d = self.table.dir(fd, rights::PATH_FILESTAT_GET)?;
        let path = mem.str(p, len)?;
        let follow = flags & lookupflags::SYMLINK_FOLLOW != 0 || path::dir_syntax(path);
        let r = resolve(d.fd.as_fd(), path, follow)?;
        let st = rustix::fs::statat(&r.dir, r.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
        let ft = filetype_of(st.st_mode);
        if r.trailing_slash && ft != filetype::DIRECTORY {
            return Err(Errno::Notdir);
        }
        write_filestat(mem, out, &st, ft)
    }

    #[allow(clippy::too_many_arguments)] // the ABI's parameter list
    pub(crate) fn path_filestat_set_times(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        flags: u32,
        p: u32,
        len: u32,
        atim: u64,
        mtim: u64,
        fst: u16,
    ) -> R<()> {
        let d = self.table.dir(fd, rights::PATH_FILESTAT_SET_TIMES)?;
        let path = mem.str(p, len)?;
        let ts = timestamps(atim, mtim, fst)?;
        let follow = flags & lookupflags::SYMLINK_FOLLOW != 0 || path::dir_syntax(path);
        let r = resolve(d.fd.as_fd(), path, follow)?;
        if r.trailing_slash {
            let st = rustix::fs::statat(&r.dir, r.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
            if filetype_of(st.st_mode) != filetype::DIRECTORY {
                return Err(Errno::Notdir);
            }
        }
        rustix::fs::utimensat(&r.dir, r.name.as_str(), &ts, AtFlags::SYMLINK_NOFOLLOW)?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // the ABI's parameter list
    pub(crate) fn path_link(
        &mut self,
        mem: &mut GuestMem<'_>,
        old_fd: u32,
        old_flags: u32,
        old_p: u32,
        old_len: u32,
        new_fd: u32,
        new_p: u32,
        new_len: u32,
    ) -> R<()> {
        let od = self.table.dir(old_fd, rights::PATH_LINK_SOURCE)?;
        let nd = self.table.dir(new_fd, rights::PATH_LINK_TARGET)?;
        let old_path = mem.str(old_p, old_len)?;
        let new_path = mem.str(new_p, new_len)?;
        if old_flags & lookupflags::SYMLINK_FOLLOW != 0 {
            // As wasmtime: hard links are made to the link itself only.
            return Err(Errno::Inval);
        }
        let o = resolve(od.fd.as_fd(), old_path, false)?;
        let n = resolve(nd.fd.as_fd(), new_path, false)?;
        if o.trailing_slash {
            let st = rustix::fs::statat(&o.dir, o.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
            return Err(if filetype_of(st.st_mode) == filetype::DIRECTORY {
                Errno::Perm
            } else {
                Errno::Notdir
            });
        }
        if n.trailing_slash {
            return Err(
                match rustix::fs::statat(&n.dir, n.name.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(_) => Errno::Exist,
                    Err(_) => Errno::Noent,
                },
            );
        }
        rustix::fs::linkat(
            &o.dir,
            o.name.as_str(),
            &n.dir,
            n.name.as_str(),
            AtFlags::empty(),
        )?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // the ABI's parameter list
    pub(crate) fn path_open(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        dirflags: u32,
        p: u32,
        len: u32,
        oflags: u16,
        base: u64,
        inheriting: u64,
        fdflags: u16,
        out: u32,
    ) -> R<()> {
        let mut needed = rights::PATH_OPEN;
        if oflags & oflags::CREAT != 0 {
            needed |= rights::PATH_CREATE_FILE;
        }
        if oflags & oflags::TRUNC != 0 {
            needed |= rights::PATH_FILESTAT_SET_SIZE;
        }
        let d = self.table.dir(fd, needed)?;
        let path = mem.str(p, len)?;
        mem.check(out, 4, 4)?;
        if oflags & !(oflags::CREAT | oflags::DIRECTORY | oflags::EXCL | oflags::TRUNC) != 0
            || fdflags
                & !(fdflags::APPEND
                    | fdflags::DSYNC
                    | fdflags::NONBLOCK
                    | fdflags::RSYNC
                    | fdflags::SYNC)
                != 0
        {
            return Err(Errno::Inval);
        }
        let want_dir = oflags & oflags::DIRECTORY != 0;
        if want_dir && oflags & (oflags::CREAT | oflags::TRUNC) != 0 {
            return Err(Errno::Inval);
        }
        // Asking to write (or read) what the preopen's permissions withhold
        // is refused; other withheld rights are just not granted (libc asks
        // for every right an open might use).
        let wants = base
            & (rights::FD_WRITE
                | rights::FD_ALLOCATE
                | rights::FD_FILESTAT_SET_SIZE
                | rights::FD_READ);
        if wants & d.denied_inheriting != 0 {
            return Err(Errno::Perm);
        }
        let denied = d.denied_inheriting;
        let base = base & d.inheriting;
        let inheriting = inheriting & d.inheriting;
        let read = base & (rights::FD_READ | rights::FD_READDIR) != 0;
        // A directory opened for writing is `isdir` (from the kernel), but
        // only the write right itself asks for that.
        let write = if want_dir {
            base & rights::FD_WRITE != 0
        } else {
            base & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE) != 0
        };
        let mut fl = OFlags::CLOEXEC | OFlags::NOFOLLOW | OFlags::NOCTTY;
        fl |= match (read, write) {
            (_, false) => OFlags::RDONLY,
            (false, true) => OFlags::WRONLY,
            (true, true) => OFlags::RDWR,
        };
        let excl = oflags & oflags::CREAT != 0 && oflags & oflags::EXCL != 0;
        if oflags & oflags::CREAT != 0 {
            fl |= OFlags::CREATE;
        }
        if excl {
            fl |= OFlags::EXCL;
        }
        if oflags & oflags::TRUNC != 0 {
            fl |= OFlags::TRUNC;
        }
        if want_dir {
            fl |= OFlags::DIRECTORY;
        }
        if fdflags & fdflags::APPEND != 0 {
            fl |= OFlags::APPEND;
        }
        if fdflags & fdflags::NONBLOCK != 0 {
            fl |= OFlags::NONBLOCK;
        }
        if fdflags & (fdflags::SYNC | fdflags::RSYNC) != 0 {
            fl |= OFlags::SYNC;
        } else if fdflags & fdflags::DSYNC != 0 {
            fl |= OFlags::DSYNC;
        }
        let follow =
            (dirflags & lookupflags::SYMLINK_FOLLOW != 0 || path::dir_syntax(path)) && !excl;
        let mut attempts = 0;
        let host = loop {
            let r = resolve(d.fd.as_fd(), path, follow)?;
            let mut fl = fl;
            if r.trailing_slash {
                if oflags & oflags::CREAT != 0 {
                    return Err(Errno::Isdir);
                }
                fl |= OFlags::DIRECTORY;
            }
            match rustix::fs::openat(&r.dir, r.name.as_str(), fl, Mode::from_raw_mode(0o666)) {
                Ok(fd) => break fd,
                // The final component turned into a symbolic link after we
                // resolved it: resolve again.
                Err(E::LOOP) if follow && attempts < 8 => attempts += 1,
                // Opened for writing only because the guest asked for some
                // write-side right it may never use, on a directory.
                Err(E::ISDIR) if !want_dir && write && oflags & oflags::CREAT == 0 => {
                    let fl =
                        (fl & !(OFlags::WRONLY | OFlags::RDWR | OFlags::TRUNC)) | OFlags::DIRECTORY;
                    match rustix::fs::openat(&r.dir, r.name.as_str(), fl, Mode::empty()) {
                        Ok(fd) if base & rights::FD_WRITE == 0 => break fd,
                        Ok(_) => return Err(Errno::Isdir),
                        Err(e) => return Err(e.into()),
                    }
                }
                Err(e) => return Err(e.into()),
            }
        };
        let st = rustix::fs::fstat(&host)?;
        let ft = filetype_of(st.st_mode);
        let (kind, base) = if ft == filetype::DIRECTORY {
            (Kind::Dir { preopen: None }, base & rights::DIRECTORY_BASE)
        } else {
            (Kind::File, base & rights::FILE_BASE)
        };
        let n = self.table.insert(
            Descriptor::new(host, kind, ft, base, inheriting).withholding(denied, denied),
        )?;
        mem.write_u32(out, n)
    }

    #[allow(clippy::too_many_arguments)] // the ABI's parameter list
    pub(crate) fn path_readlink(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        p: u32,
        len: u32,
        buf: u32,
        buf_len: u32,
        out: u32,
    ) -> R<()> {
        let d = self.table.dir(fd, rights::PATH_READLINK)?;
        let path = mem.str(p, len)?;
        mem.range(buf, buf_len)?;
        mem.check(out, 4, 4)?;
        let r = resolve(d.fd.as_fd(), path, path::dir_syntax(path))?;
        let target = rustix::fs::readlinkat(&r.dir, r.name.as_str(), Vec::new())?;
        let bytes = target.as_bytes();
        // An absolute target names a host path, which the guest must not
        // learn (and could not follow: resolution refuses it too): refuse
        // with EPERM as wasmtime does.
        if bytes.starts_with(b"/") {
            return Err(Errno::Perm);
        }
        let n = bytes.len().min(buf_len as usize);
        mem.slice_mut(buf, n as u32)?.copy_from_slice(&bytes[..n]);
        mem.write_u32(out, n as u32)
    }

    pub(crate) fn path_remove_directory(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        p: u32,
        len: u32,
    ) -> R<()> {
        let d = self.table.dir(fd, rights::PATH_REMOVE_DIRECTORY)?;
        let path = mem.str(p, len)?;
        let r = resolve(d.fd.as_fd(), path, false)?;
        rustix::fs::unlinkat(&r.dir, r.name.as_str(), AtFlags::REMOVEDIR)?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // the ABI's parameter list
    pub(crate) fn path_rename(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        old_p: u32,
        old_len: u32,
        new_fd: u32,
        new_p: u32,
        new_len: u32,
    ) -> R<()> {
        let od = self.table.dir(fd, rights::PATH_RENAME_SOURCE)?;
        let nd = self.table.dir(new_fd, rights::PATH_RENAME_TARGET)?;
        let old_path = mem.str(old_p, old_len)?;
        let new_path = mem.str(new_p, new_len)?;
        let o = resolve(od.fd.as_fd(), old_path, false)?;
        let n = resolve(nd.fd.as_fd(), new_path, false)?;
        if o.trailing_slash || n.trailing_slash {
            let st = rustix::fs::statat(&o.dir, o.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
            if filetype_of(st.st_mode) != filetype::DIRECTORY {
                return Err(Errno::Notdir);
            }
        }
        rustix::fs::renameat(&o.dir, o.name.as_str(), &n.dir, n.name.as_str())?;
        Ok(())
    }

    pub(crate) fn path_symlink(
        &mut self,
        mem: &mut GuestMem<'_>,
        old_p: u32,
        old_len: u32,
        fd: u32,
        new_p: u32,
        new_len: u32,
    ) -> R<()> {
        let d = self.table.dir(fd, rights::PATH_SYMLINK)?;
        let target = mem.str(old_p, old_len)?;
        let new_path = mem.str(new_p, new_len)?;
        if target.contains('\0') {
            return Err(Errno::Inval);
        }
        if target.starts_with('/') {
            // A link that could only ever point outside the sandbox.
            return Err(Errno::Perm);
        }
        let n = resolve(d.fd.as_fd(), new_path, false)?;
        if n.trailing_slash || n.name == "." {
            return Err(
                match rustix::fs::statat(&n.dir, n.name.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(_) => Errno::Exist,
                    Err(_) => Errno::Noent,
                },
            );
        }
        rustix::fs::symlinkat(target, &n.dir, n.name.as_str())?;
        Ok(())
    }

    pub(crate) fn path_unlink_file(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        p: u32,
        len: u32,
    ) -> R<()> {
        let d = self.table.dir(fd, rights::PATH_UNLINK_FILE)?;
        let path = mem.str(p, len)?;
        let r = resolve(d.fd.as_fd(), path, false)?;
        if r.trailing_slash {
            let st = rustix::fs::statat(&r.dir, r.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
            return Err(if filetype_of(st.st_mode) == filetype::DIRECTORY {
                Errno::Isdir
            } else {
                Errno::Notdir
            });
        }
        rustix::fs::unlinkat(&r.dir, r.name.as_str(), AtFlags::empty())?;
        Ok(())
    }

    // ----- process ------------------------------------------------------

    pub(crate) fn proc_raise(&mut self, _sig: u32) -> R<()> {
        // Signals would reach the host process: not supported, as in
        // wasmtime.
        Err(Errno::Notsup)
    }

    pub(crate) fn sched_yield(&mut self) -> R<()> {
        rustix::thread::sched_yield();
        Ok(())
    }

    // ----- sockets ------------------------------------------------------

    fn socket(&self, fd: u32, needed: u64) -> R<&Descriptor> {
        let d = self.table.get(fd)?;
        if d.kind != Kind::Socket {
            return Err(Errno::Notsock);
        }
        d.need(needed)?;
        Ok(d)
    }

    pub(crate) fn sock_accept(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        flags: u16,
        out: u32,
    ) -> R<()> {
        let d = self.socket(fd, rights::SOCK_ACCEPT)?;
        if flags & !fdflags::NONBLOCK != 0 {
            return Err(Errno::Inval);
        }
        mem.check(out, 4, 4)?;
        let mut sf = rustix::net::SocketFlags::CLOEXEC;
        if flags & fdflags::NONBLOCK != 0 {
            sf |= rustix::net::SocketFlags::NONBLOCK;
        }
        let conn = retry_on_intr(|| rustix::net::accept_with(&d.fd, sf))?;
        let n = self.table.insert(Descriptor::new(
            conn,
            Kind::Socket,
            filetype::SOCKET_STREAM,
            rights::SOCKET,
            0,
        ))?;
        mem.write_u32(out, n)
    }

    #[allow(clippy::too_many_arguments)] // the ABI's parameter list
    pub(crate) fn sock_recv(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        flags: u16,
        out_len: u32,
        out_flags: u32,
    ) -> R<()> {
        let d = self.socket(fd, rights::FD_READ)?;
        if flags & !(crate::types::RECV_PEEK | crate::types::RECV_WAITALL) != 0 {
            return Err(Errno::Inval);
        }
        let iovs = mem.iovecs(iovs, iovs_len, IOV_MAX)?;
        mem.check(out_len, 4, 4)?;
        mem.check(out_flags, 2, 2)?;
        let mut rf = rustix::net::RecvFlags::empty();
        if flags & crate::types::RECV_PEEK != 0 {
            rf |= rustix::net::RecvFlags::PEEK;
        }
        if flags & crate::types::RECV_WAITALL != 0 {
            rf |= rustix::net::RecvFlags::WAITALL;
        }
        let r = first_nonempty(&iovs);
        let buf = mem.slice_mut(r.start as u32, r.len() as u32)?;
        let (n, _) = retry_on_intr(|| rustix::net::recv(&d.fd, &mut *buf, rf))?;
        mem.write_u32(out_len, n as u32)?;
        mem.write_u16(out_flags, 0)
    }

    pub(crate) fn sock_send(
        &mut self,
        mem: &mut GuestMem<'_>,
        fd: u32,
        iovs: u32,
        iovs_len: u32,
        flags: u16,
        out: u32,
    ) -> R<()> {
        let d = self.socket(fd, rights::FD_WRITE)?;
        if flags != 0 {
            return Err(Errno::Inval);
        }
        let iovs = mem.iovecs(iovs, iovs_len, IOV_MAX)?;
        mem.check(out, 4, 4)?;
        let r = first_nonempty(&iovs);
        let buf = mem.slice(r.start as u32, r.len() as u32)?;
        let n = retry_on_intr(|| rustix::net::send(&d.fd, buf, rustix::net::SendFlags::NOSIGNAL))?;
        mem.write_u32(out, n as u32)
    }

    pub(crate) fn sock_shutdown(&mut self, fd: u32, how: u8) -> R<()> {
        let d = self.socket(fd, rights::SOCK_SHUTDOWN)?;
        let how = match how {
            crate::types::SHUT_RD => rustix::net::Shutdown::Read,
            crate::types::SHUT_WR => rustix::net::Shutdown::Write,
            3 => rustix::net::Shutdown::Both,
            _ => return Err(Errno::Inval),
        };
        rustix::net::shutdown(&d.fd, how)?;
        Ok(())
    }
}

/// Reads a whole directory for `fd_readdir`: `.` and `..` first, then the
/// entries in the host's order.
fn list_dir(fd: BorrowedFd<'_>) -> R<Vec<DirEntryInfo>> {
    let st = rustix::fs::fstat(fd)?;
    // `..` of a preopened directory lies outside the sandbox: it is
    // described by the directory itself, never by a look outside.
    let mut out = vec![
        DirEntryInfo {
            name: b".".to_vec(),
            ino: st.st_ino as u64,
            filetype: filetype::DIRECTORY,
        },
        DirEntryInfo {
            name: b"..".to_vec(),
            ino: st.st_ino as u64,
            filetype: filetype::DIRECTORY,
        },
    ];
    let mut dir = rustix::fs::Dir::read_from(fd)?;
    while let Some(entry) = dir.read() {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let ft = match entry.file_type() {
            rustix::fs::FileType::Unknown => {
                match rustix::fs::statat(fd, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => filetype_of(st.st_mode),
                    Err(_) => filetype::UNKNOWN,
                }
            }
            t => filetype_of(t.as_raw_mode()),
        };
        out.push(DirEntryInfo {
            name: name.to_vec(),
            ino: entry.ino(),
            filetype: ft,
        });
    }
    Ok(out)
}
