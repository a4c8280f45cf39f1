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
            listing: None,
        }
    }

    /// Checks the rights an operation needs: `badf` for a descriptor not
    /// open for reading or writing (as POSIX and wasmtime say), otherwise
    /// `notcapable`.
    pub(crate) fn need(&self, needed: u64) -> R<()> {
        let missing = needed & !self.base;
        if missing == 0 {
            Ok(())
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
    preopens: Vec<(PathBuf, String)>,
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
        self.preopens
            .push((host.as_ref().to_path_buf(), guest.as_ref().to_string()));
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
        for (host, guest) in std::mem::take(&mut self.preopens) {
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
            table
                .insert(Descriptor::new(
                    fd,
                    Kind::Dir {
                        preopen: Some(guest),
                    },
                    filetype::DIRECTORY,
                    rights::DIRECTORY_BASE,
                    rights::DIRECTORY_INHERITING,
                ))
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
