//! The host state of a WASI guest: arguments, environment, and the table
//! of descriptors with their rights.

use crate::mem::R;
use crate::types::{filetype, rights};
use crate::Errno;
use rustix::fs::{FileType, Mode, OFlags};
use std::collections::BTreeMap;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

/// What a descriptor is; decides which functions apply to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file (or any other seekable thing opened by path).
    File,
    /// A directory; `preopen` is its guest name if it was preopened.
    Dir { preopen: Option<String> },
    /// Standard input, output or error (a pipe, a terminal, a file):
    /// read and written as a stream, no seeking.
    Stream,
    /// A socket the host handed in, or one accepted from it.
    Socket,
}

/// A cached directory listing for `fd_readdir` cookies.
pub(crate) struct DirEntryInfo {
    pub(crate) name: Vec<u8>,
    pub(crate) ino: u64,
    pub(crate) filetype: u8,
}

/// An open descriptor of the guest.
pub(crate) struct Descriptor {
    pub(crate) fd: OwnedFd,
    pub(crate) kind: Kind,
    pub(crate) filetype: u8,
    pub(crate) base: u64,
    pub(crate) inheriting: u64,
    /// Rights withheld by the permissions of a preopen ([`DirPerms`],
    /// [`FilePerms`]): asking for one is `perm` (as wasmtime answers), not
    /// `notcapable`. `denied_inheriting` is what descriptors opened
    /// through this one get as theirs.
    pub(crate) denied: u64,
    pub(crate) denied_inheriting: u64,
    pub(crate) listing: Option<Vec<DirEntryInfo>>,
}

impl Descriptor {
    pub(crate) fn new(fd: OwnedFd, kind: Kind, filetype: u8, base: u64, inheriting: u64) -> Self {
        Descriptor {
            fd,
            kind,
            filetype,
            base,
            inheriting,
            denied: 0,
            denied_inheriting: 0,
            listing: None,
        }
    }

    /// The descriptor with rights withheld by permissions (see
    /// [`Descriptor::denied`]).
    pub(crate) fn withholding(mut self, denied: u64, denied_inheriting: u64) -> Self {
        self.base &= !denied;
        self.inheriting &= !denied_inheriting;
        self.denied = denied;
        self.denied_inheriting = denied_inheriting;
        self
    }

    /// Checks the rights an operation needs: `badf` for a descriptor not
    /// open for reading or writing (as POSIX and wasmtime say), otherwise
    /// `notcapable`.
    pub(crate) fn need(&self, needed: u64) -> R<()> {
        let missing = needed & !self.base;
        if missing == 0 {
            Ok(())
        } else if missing & self.denied != 0 {
            Err(Errno::Perm)
        } else if missing & (rights::FD_READ | rights::FD_WRITE) != 0 {
            Err(Errno::Badf)
        } else {
            Err(Errno::Notcapable)
        }
    }

    pub(crate) fn is_dir(&self) -> bool {
        matches!(self.kind, Kind::Dir { .. })
    }
}

/// The WASI filetype of a host file mode.
pub(crate) fn filetype_of(mode: u32) -> u8 {
    match FileType::from_raw_mode(mode) {
        FileType::RegularFile => filetype::REGULAR_FILE,
        FileType::Directory => filetype::DIRECTORY,
        FileType::Symlink => filetype::SYMBOLIC_LINK,
        FileType::CharacterDevice => filetype::CHARACTER_DEVICE,
        FileType::BlockDevice => filetype::BLOCK_DEVICE,
        FileType::Socket => filetype::SOCKET_STREAM,
        _ => filetype::UNKNOWN,
    }
}

/// The descriptor table: guest numbers to descriptors.
#[derive(Default)]
pub(crate) struct Table {
    fds: BTreeMap<u32, Descriptor>,
}

/// Most descriptors a guest may hold at once.
const MAX_FDS: usize = 1 << 20;

impl Table {
    pub(crate) fn get(&self, fd: u32) -> R<&Descriptor> {
        self.fds.get(&fd).ok_or(Errno::Badf)
    }

    /// The non-directory descriptor `fd`, if it holds the `needed` rights
    /// (`badf` for a directory, as the leading runtimes answer).
    pub(crate) fn file(&self, fd: u32, needed: u64) -> R<&Descriptor> {
        let d = self.get(fd)?;
        if d.is_dir() {
            return Err(Errno::Badf);
        }
        d.need(needed)?;
        Ok(d)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> R<&mut Descriptor> {
        self.fds.get_mut(&fd).ok_or(Errno::Badf)
    }

    /// A directory descriptor for the `path_*` functions: `notdir` if the
    /// descriptor is something else.
    pub(crate) fn dir(&self, fd: u32, needed: u64) -> R<&Descriptor> {
        let d = self.get(fd)?;
        match d.kind {
            Kind::Dir { .. } => {}
            Kind::File => return Err(Errno::Notdir),
            Kind::Stream | Kind::Socket => return Err(Errno::Badf),
        }
        d.need(needed)?;
        Ok(d)
    }

    /// Adds a descriptor under the lowest free number.
    pub(crate) fn insert(&mut self, d: Descriptor) -> R<u32> {
        if self.fds.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        let mut n = 0u32;
        for &k in self.fds.keys() {
            if k != n {
                break;
            }
            n += 1;
        }
        self.fds.insert(n, d);
        Ok(n)
    }

    pub(crate) fn insert_at(&mut self, n: u32, d: Descriptor) {
        self.fds.insert(n, d);
    }

    pub(crate) fn remove(&mut self, fd: u32) -> R<Descriptor> {
        self.fds.remove(&fd).ok_or(Errno::Badf)
    }

    pub(crate) fn contains(&self, fd: u32) -> bool {
        self.fds.contains_key(&fd)
    }
}

/// The state of one WASI guest: put it in the store's data and hand
/// [`crate::add_to_linker`] a way to reach it.
#[derive(Default)]
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) table: Table,
}

impl WasiCtx {
    /// A builder.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }
}

impl std::fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args.len())
            .field("env", &self.env.len())
            .field("fds", &self.table.fds.keys().collect::<Vec<_>>())
            .finish()
    }
}

enum Stdio {
    Null,
    Inherit,
    Fd(OwnedFd),
}

/// What a guest may do with a preopened directory (and the directories
/// below it), as in wasmtime: `READ` to look up, list and open what is in
/// it, `MUTATE` to create, rename, link and remove entries and set times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirPerms(u8);

impl DirPerms {
    /// Look up, list and open entries.
    pub const READ: DirPerms = DirPerms(1);
    /// Create, rename, link and remove entries; set times and sizes.
    pub const MUTATE: DirPerms = DirPerms(2);

    /// Both.
    pub const fn all() -> DirPerms {
        DirPerms(3)
    }

    /// Whether every permission of `other` is in `self`.
    pub const fn contains(self, other: DirPerms) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for DirPerms {
    type Output = DirPerms;
    fn bitor(self, rhs: DirPerms) -> DirPerms {
        DirPerms(self.0 | rhs.0)
    }
}

/// What a guest may do with the files of a preopened directory: `READ`
/// and `WRITE` (opening a file for writing, truncating, resizing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilePerms(u8);

impl FilePerms {
    /// Open files for reading.
    pub const READ: FilePerms = FilePerms(1);
    /// Open files for writing, resize them, set their times.
    pub const WRITE: FilePerms = FilePerms(2);

    /// Both.
    pub const fn all() -> FilePerms {
        FilePerms(3)
    }

    /// Whether every permission of `other` is in `self`.
    pub const fn contains(self, other: FilePerms) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for FilePerms {
    type Output = FilePerms;
    fn bitor(self, rhs: FilePerms) -> FilePerms {
        FilePerms(self.0 | rhs.0)
    }
}

/// The rights withheld from a preopen and from what is opened through it.
fn withheld(dir: DirPerms, file: FilePerms) -> (u64, u64) {
    let mut denied = 0;
    if !dir.contains(DirPerms::READ) {
        denied |= rights::DIR_READ;
    }
    if !dir.contains(DirPerms::MUTATE) {
        denied |= rights::DIR_MUTATE;
    }
    let mut inheriting = denied;
    if !file.contains(FilePerms::READ) {
        inheriting |= rights::FILE_READ;
    }
    if !file.contains(FilePerms::WRITE) {
        inheriting |= rights::FILE_WRITE;
    }
    (denied, inheriting)
}

/// Output a guest writes to memory, for the host to read afterwards
/// (captured stdout or stderr, as wasmtime's `MemoryOutputPipe`): an
/// anonymous in-memory file, written through the descriptor that
/// [`WasiCtxBuilder::stdout`] takes.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use weft_wasi::{OutputPipe, WasiCtxBuilder};
/// let out = OutputPipe::new()?;
/// let ctx = WasiCtxBuilder::new().stdout(out.writer()?).build()?;
/// // ... run a guest with `ctx` ...
/// assert_eq!(out.contents()?, b"");
/// # drop(ctx); Ok(()) }
/// ```
pub struct OutputPipe {
    file: OwnedFd,
}

impl OutputPipe {
    /// An empty pipe.
    pub fn new() -> std::io::Result<OutputPipe> {
        let file = rustix::fs::memfd_create("weft-wasi-output", rustix::fs::MemfdFlags::CLOEXEC)?;
        Ok(OutputPipe { file })
    }

    /// A descriptor writing to the pipe, for [`WasiCtxBuilder::stdout`] or
    /// [`WasiCtxBuilder::stderr`].
    pub fn writer(&self) -> std::io::Result<OwnedFd> {
        self.file.try_clone()
    }

    /// Everything written so far.
    pub fn contents(&self) -> std::io::Result<Vec<u8>> {
        let len = rustix::fs::fstat(&self.file)?.st_size as usize;
        let mut buf = vec![0; len];
        let mut at = 0;
        while at < len {
            match rustix::io::pread(&self.file, &mut buf[at..], at as u64)? {
                0 => break,
                n => at += n,
            }
        }
        buf.truncate(at);
        Ok(buf)
    }
}

/// Input a guest reads from memory (stdin given as bytes, as wasmtime's
/// `MemoryInputPipe`).
fn input_pipe(bytes: &[u8]) -> std::io::Result<OwnedFd> {
    let file = rustix::fs::memfd_create("weft-wasi-input", rustix::fs::MemfdFlags::CLOEXEC)?;
    let mut at = 0;
    while at < bytes.len() {
        at += rustix::io::write(&file, &bytes[at..])?;
    }
    rustix::fs::seek(&file, rustix::fs::SeekFrom::Start(0))?;
    Ok(file)
}

/// Builds a [`WasiCtx`]: arguments, environment, standard streams,
/// preopened directories and sockets.
///
/// ```no_run
/// # fn main() -> std::io::Result<()> {
/// use weft_wasi::WasiCtxBuilder;
/// let ctx = WasiCtxBuilder::new()
///     .args(["prog.wasm", "input.txt"])
///     .envs([("HOME", "/")])
///     .preopened_dir("/tmp/sandbox", "/")
///     .inherit_stdio()
///     .build()?;
/// # let _ = ctx; Ok(()) }
/// ```
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    stdin: Stdio,
    stdout: Stdio,
    stderr: Stdio,
    preopens: Vec<(PathBuf, String, DirPerms, FilePerms)>,
    sockets: Vec<OwnedFd>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl WasiCtxBuilder {
    /// No arguments, no environment, stdio connected to nothing (reads
    /// see end of file, writes are discarded), no preopens.
    pub fn new() -> Self {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Stdio::Null,
            stdout: Stdio::Null,
            stderr: Stdio::Null,
            preopens: Vec::new(),
            sockets: Vec::new(),
        }
    }

    /// Appends one argument (the first one is the program's name).
    pub fn arg(&mut self, arg: impl AsRef<str>) -> &mut Self {
        self.args.push(arg.as_ref().as_bytes().to_vec());
        self
    }

    /// Appends arguments.
    pub fn args<S: AsRef<str>>(&mut self, args: impl IntoIterator<Item = S>) -> &mut Self {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Adds an environment variable.
    pub fn env(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> &mut Self {
        self.env
            .push(format!("{}={}", name.as_ref(), value.as_ref()).into_bytes());
        self
    }

    /// Adds environment variables.
    pub fn envs<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> &mut Self {
        for (k, v) in vars {
            self.env(k, v);
        }
        self
    }

    /// The guest's arguments are the host process's (replacing any given
    /// before). Arguments that are not UTF-8 are passed on as bytes.
    pub fn inherit_args(&mut self) -> &mut Self {
        use std::os::unix::ffi::OsStrExt;
        self.args = std::env::args_os().map(|a| a.as_bytes().to_vec()).collect();
        self
    }

    /// The guest's environment is the host process's (replacing any
    /// variables given before).
    pub fn inherit_env(&mut self) -> &mut Self {
        use std::os::unix::ffi::OsStrExt;
        self.env = std::env::vars_os()
            .map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes()].concat())
            .collect();
        self
    }

    /// The guest's stdin reads `bytes`, then sees end of file.
    pub fn stdin_bytes(&mut self, bytes: impl AsRef<[u8]>) -> std::io::Result<&mut Self> {
        self.stdin = Stdio::Fd(input_pipe(bytes.as_ref())?);
        Ok(self)
    }

    /// The guest's stdin, stdout and stderr are the host process's own.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    /// The guest's stdin is the host process's own.
    pub fn inherit_stdin(&mut self) -> &mut Self {
        self.stdin = Stdio::Inherit;
        self
    }

    /// The guest's stdout is the host process's own.
    pub fn inherit_stdout(&mut self) -> &mut Self {
        self.stdout = Stdio::Inherit;
        self
    }

    /// The guest's stderr is the host process's own.
    pub fn inherit_stderr(&mut self) -> &mut Self {
        self.stderr = Stdio::Inherit;
        self
    }

    /// The guest's stdin reads from `fd` (a file, a pipe, ...).
    pub fn stdin(&mut self, fd: impl Into<OwnedFd>) -> &mut Self {
        self.stdin = Stdio::Fd(fd.into());
        self
    }

    /// The guest's stdout writes to `fd`.
    pub fn stdout(&mut self, fd: impl Into<OwnedFd>) -> &mut Self {
        self.stdout = Stdio::Fd(fd.into());
        self
    }

    /// The guest's stderr writes to `fd`.
    pub fn stderr(&mut self, fd: impl Into<OwnedFd>) -> &mut Self {
        self.stderr = Stdio::Fd(fd.into());
        self
    }

    /// Gives the guest the host directory `host` under the name `guest`
    /// (as `fd_prestat_dir_name` reports it). Everything the guest does
    /// by path stays inside the directories given here. The directory is
    /// opened by [`WasiCtxBuilder::build`].
    pub fn preopened_dir(&mut self, host: impl AsRef<Path>, guest: impl AsRef<str>) -> &mut Self {
        self.preopened_dir_with_perms(host, guest, DirPerms::all(), FilePerms::all())
    }

    /// As [`WasiCtxBuilder::preopened_dir`], with what the guest may do
    /// there: `DirPerms::READ, FilePerms::READ` makes a read-only preopen.
    /// What the permissions withhold fails with `perm` (63), as in
    /// wasmtime: creating, removing, renaming or linking entries without
    /// `DirPerms::MUTATE`, opening a file for writing (or truncating it)
    /// without `FilePerms::WRITE`, for reading without `FilePerms::READ`.
    /// Directories opened below a preopen have its permissions.
    pub fn preopened_dir_with_perms(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl AsRef<str>,
        dir: DirPerms,
        file: FilePerms,
    ) -> &mut Self {
        self.preopens.push((
            host.as_ref().to_path_buf(),
            guest.as_ref().to_string(),
            dir,
            file,
        ));
        self
    }

    /// Hands the guest an open socket (listening or connected), numbered
    /// after the preopened directories, for `sock_accept`, `sock_recv`,
    /// `sock_send` and `sock_shutdown`.
    pub fn preopened_socket(&mut self, socket: impl Into<OwnedFd>) -> &mut Self {
        self.sockets.push(socket.into());
        self
    }

    fn stdio(which: &mut Stdio, n: u32) -> std::io::Result<OwnedFd> {
        match std::mem::replace(which, Stdio::Null) {
            Stdio::Null => Ok(rustix::fs::open(
                "/dev/null",
                OFlags::RDWR | OFlags::CLOEXEC,
                Mode::empty(),
            )?),
            Stdio::Fd(fd) => Ok(fd),
            Stdio::Inherit => match n {
                0 => std::io::stdin().as_fd().try_clone_to_owned(),
                1 => std::io::stdout().as_fd().try_clone_to_owned(),
                _ => std::io::stderr().as_fd().try_clone_to_owned(),
            },
        }
    }

    /// Opens the preopened directories and builds the context. Fails if a
    /// directory cannot be opened (the error names it).
    pub fn build(&mut self) -> std::io::Result<WasiCtx> {
        let mut table = Table::default();
        for (n, which) in [&mut self.stdin, &mut self.stdout, &mut self.stderr]
            .into_iter()
            .enumerate()
        {
            let fd = Self::stdio(which, n as u32)?;
            let filetype = if rustix::termios::isatty(&fd) {
                filetype::CHARACTER_DEVICE
            } else {
                filetype::UNKNOWN
            };
            let base = match n {
                0 => rights::STREAM & !rights::FD_WRITE,
                _ => rights::STREAM & !rights::FD_READ,
            };
            table.insert_at(
                n as u32,
                Descriptor::new(fd, Kind::Stream, filetype, base, 0),
            );
        }
        for (host, guest, dir_perms, file_perms) in std::mem::take(&mut self.preopens) {
            let fd = rustix::fs::open(
                &host,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| {
                std::io::Error::new(
                    std::io::Error::from(e).kind(),
                    format!("cannot open directory {}: {e}", host.display()),
                )
            })?;
            let (denied, denied_inheriting) = withheld(dir_perms, file_perms);
            table
                .insert(
                    Descriptor::new(
                        fd,
                        Kind::Dir {
                            preopen: Some(guest),
                        },
                        filetype::DIRECTORY,
                        rights::DIRECTORY_BASE,
                        rights::DIRECTORY_INHERITING,
                    )
                    .withholding(denied, denied_inheriting),
                )
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        for fd in std::mem::take(&mut self.sockets) {
            let listening = rustix::net::sockopt::socket_acceptconn(&fd).unwrap_or(false);
            let (ft, base) = match rustix::net::sockopt::socket_type(&fd) {
                Ok(rustix::net::SocketType::DGRAM) => (filetype::SOCKET_DGRAM, rights::SOCKET),
                _ if listening => (filetype::SOCKET_STREAM, rights::LISTENER),
                _ => (filetype::SOCKET_STREAM, rights::SOCKET),
            };
            table
                .insert(Descriptor::new(fd, Kind::Socket, ft, base, 0))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        Ok(WasiCtx {
            args: std::mem::take(&mut self.args),
            env: std::mem::take(&mut self.env),
            table,
        })
    }
}
