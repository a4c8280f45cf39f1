//! The `wasi_snapshot_preview1` ABI: constants and the layouts of the
//! structures the host writes into guest memory (as in the witx
//! definitions of preview1, `typenames.witx`).

/// `rights`: what a descriptor may be used for (a `u64` bit set).
pub mod rights {
    /// `fd_datasync`.
    pub const FD_DATASYNC: u64 = 1 << 0;
    /// `fd_read`, `sock_recv`.
    pub const FD_READ: u64 = 1 << 1;
    /// `fd_seek` (implies `FD_TELL`).
    pub const FD_SEEK: u64 = 1 << 2;
    /// `fd_fdstat_set_flags`.
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    /// `fd_sync`.
    pub const FD_SYNC: u64 = 1 << 4;
    /// `fd_seek` with offset 0 and `whence::CUR`, `fd_tell`.
    pub const FD_TELL: u64 = 1 << 5;
    /// `fd_write`, `sock_send`.
    pub const FD_WRITE: u64 = 1 << 6;
    /// `fd_advise`.
    pub const FD_ADVISE: u64 = 1 << 7;
    /// `fd_allocate`.
    pub const FD_ALLOCATE: u64 = 1 << 8;
    /// `path_create_directory`.
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    /// `path_open` with `oflags::CREAT`.
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    /// `path_link` (source directory).
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    /// `path_link` (target directory).
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    /// `path_open`.
    pub const PATH_OPEN: u64 = 1 << 13;
    /// `fd_readdir`.
    pub const FD_READDIR: u64 = 1 << 14;
    /// `path_readlink`.
    pub const PATH_READLINK: u64 = 1 << 15;
    /// `path_rename` (source directory).
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    /// `path_rename` (target directory).
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    /// `path_filestat_get`.
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    /// `path_open` with `oflags::TRUNC`.
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    /// `path_filestat_set_times`.
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    /// `fd_filestat_get`.
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    /// `fd_filestat_set_size`.
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    /// `fd_filestat_set_times`.
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    /// `path_symlink`.
    pub const PATH_SYMLINK: u64 = 1 << 24;
    /// `path_remove_directory`.
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    /// `path_unlink_file`.
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    /// `poll_oneoff` subscriptions on the descriptor.
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    /// `sock_shutdown`.
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    /// `sock_accept`.
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    /// Every right.
    pub const ALL: u64 = (1 << 30) - 1;

    /// The rights that make sense on a directory.
    pub const DIRECTORY_BASE: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_DATASYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | POLL_FD_READWRITE;
    /// The rights that make sense on a regular file.
    pub const FILE_BASE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// What changes a directory's contents or metadata: withheld from a
    /// directory without [`crate::DirPerms::MUTATE`].
    pub const DIR_MUTATE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;
    /// What looks into a directory: withheld without
    /// [`crate::DirPerms::READ`].
    pub const DIR_READ: u64 = PATH_OPEN | FD_READDIR | PATH_READLINK | PATH_FILESTAT_GET;
    /// What writes a file: withheld from files without
    /// [`crate::FilePerms::WRITE`].
    pub const FILE_WRITE: u64 =
        FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE | FD_FILESTAT_SET_TIMES | FD_DATASYNC;
    /// What reads a file: withheld without [`crate::FilePerms::READ`].
    pub const FILE_READ: u64 = FD_READ;
    /// What a preopened directory passes on to what is opened through it.
    pub const DIRECTORY_INHERITING: u64 = DIRECTORY_BASE | FILE_BASE;
    /// The rights of a stream (stdio, pipe, terminal).
    pub const STREAM: u64 = FD_READ | FD_WRITE | FD_FILESTAT_GET | POLL_FD_READWRITE;
    /// The rights of a connected socket.
    pub const SOCKET: u64 = FD_READ
        | FD_WRITE
        | FD_FDSTAT_SET_FLAGS
        | FD_FILESTAT_GET
        | POLL_FD_READWRITE
        | SOCK_SHUTDOWN;
    /// The rights of a listening socket.
    pub const LISTENER: u64 =
        FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE | SOCK_ACCEPT;
}

/// `filetype` (`u8`).
pub mod filetype {
    /// Unknown (also pipes, which WASI has no name for).
    pub const UNKNOWN: u8 = 0;
    /// Block device.
    pub const BLOCK_DEVICE: u8 = 1;
    /// Character device (terminals, `/dev/null`).
    pub const CHARACTER_DEVICE: u8 = 2;
    /// Directory.
    pub const DIRECTORY: u8 = 3;
    /// Regular file.
    pub const REGULAR_FILE: u8 = 4;
    /// Datagram socket.
    pub const SOCKET_DGRAM: u8 = 5;
    /// Stream socket.
    pub const SOCKET_STREAM: u8 = 6;
    /// Symbolic link.
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `fdflags` (`u16`).
pub mod fdflags {
    /// Writes append.
    pub const APPEND: u16 = 1;
    /// Synchronized data integrity writes.
    pub const DSYNC: u16 = 2;
    /// Non-blocking.
    pub const NONBLOCK: u16 = 4;
    /// Synchronized reads.
    pub const RSYNC: u16 = 8;
    /// Synchronized file integrity writes.
    pub const SYNC: u16 = 16;
}

/// `oflags` (`u16`) of `path_open`.
pub mod oflags {
    /// Create if missing.
    pub const CREAT: u16 = 1;
    /// Fail unless a directory.
    pub const DIRECTORY: u16 = 2;
    /// With `CREAT`: fail if it exists.
    pub const EXCL: u16 = 4;
    /// Truncate to size 0.
    pub const TRUNC: u16 = 8;
}

/// `lookupflags` (`u32`).
pub mod lookupflags {
    /// Follow a symbolic link in the last component.
    pub const SYMLINK_FOLLOW: u32 = 1;
}

/// `fstflags` (`u16`) of the `*_set_times` functions.
pub mod fstflags {
    /// Set the access time to the given value.
    pub const ATIM: u16 = 1;
    /// Set the access time to now.
    pub const ATIM_NOW: u16 = 2;
    /// Set the modification time to the given value.
    pub const MTIM: u16 = 4;
    /// Set the modification time to now.
    pub const MTIM_NOW: u16 = 8;
}

/// `whence` (`u8`) of `fd_seek`.
pub mod whence {
    /// From the start.
    pub const SET: u8 = 0;
    /// From the current offset.
    pub const CUR: u8 = 1;
    /// From the end.
    pub const END: u8 = 2;
}

/// `clockid` (`u32`).
pub mod clockid {
    /// Wall clock time.
    pub const REALTIME: u32 = 0;
    /// Monotonic time.
    pub const MONOTONIC: u32 = 1;
    /// CPU time of the process.
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    /// CPU time of the thread.
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

/// `eventtype` (`u8`) of `poll_oneoff`.
pub mod eventtype {
    /// A clock timeout.
    pub const CLOCK: u8 = 0;
    /// A descriptor has data to read.
    pub const FD_READ: u8 = 1;
    /// A descriptor can be written.
    pub const FD_WRITE: u8 = 2;
}

/// `subclockflags` (`u16`).
pub const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;
/// `eventrwflags` (`u16`): the peer hung up.
pub const EVENT_FD_READWRITE_HANGUP: u16 = 1;
/// `riflags` (`u16`): peek.
pub const RECV_PEEK: u16 = 1;
/// `riflags` (`u16`): wait for all data.
pub const RECV_WAITALL: u16 = 2;
/// `roflags` (`u16`): the message was truncated.
pub const RECV_DATA_TRUNCATED: u16 = 1;
/// `sdflags` (`u8`): shut down reading.
pub const SHUT_RD: u8 = 1;
/// `sdflags` (`u8`): shut down writing.
pub const SHUT_WR: u8 = 2;
/// `fdflags` accepted by `sock_accept`.
pub const SOCK_ACCEPT_FLAGS: u16 = fdflags::NONBLOCK;
/// `preopentype` (`u8`): a directory.
pub const PREOPENTYPE_DIR: u8 = 0;

/// Sizes of the structures of the ABI.
pub mod size {
    /// `iovec` / `ciovec`: `buf: u32, buf_len: u32`.
    pub const IOVEC: u32 = 8;
    /// `fdstat`.
    pub const FDSTAT: u32 = 24;
    /// `filestat`.
    pub const FILESTAT: u32 = 64;
    /// `dirent` (the name follows it).
    pub const DIRENT: u32 = 24;
    /// `prestat`.
    pub const PRESTAT: u32 = 8;
    /// `subscription`.
    pub const SUBSCRIPTION: u32 = 48;
    /// `event`.
    pub const EVENT: u32 = 32;
}
