// Raw imports of wasi_snapshot_preview1, so that the tests can pass any
// pointer or value (the libc wrappers would check or hide them).
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

IMPORT(args_get) int32_t w_args_get(int32_t argv, int32_t buf);
IMPORT(args_sizes_get) int32_t w_args_sizes_get(int32_t argc, int32_t size);
IMPORT(environ_get) int32_t w_environ_get(int32_t env, int32_t buf);
IMPORT(environ_sizes_get) int32_t w_environ_sizes_get(int32_t n, int32_t size);
IMPORT(clock_res_get) int32_t w_clock_res_get(int32_t id, int32_t out);
IMPORT(clock_time_get) int32_t w_clock_time_get(int32_t id, int64_t precision, int32_t out);
IMPORT(fd_advise) int32_t w_fd_advise(int32_t fd, int64_t off, int64_t len, int32_t advice);
IMPORT(fd_allocate) int32_t w_fd_allocate(int32_t fd, int64_t off, int64_t len);
IMPORT(fd_close) int32_t w_fd_close(int32_t fd);
IMPORT(fd_datasync) int32_t w_fd_datasync(int32_t fd);
IMPORT(fd_fdstat_get) int32_t w_fd_fdstat_get(int32_t fd, int32_t out);
IMPORT(fd_fdstat_set_flags) int32_t w_fd_fdstat_set_flags(int32_t fd, int32_t flags);
IMPORT(fd_fdstat_set_rights) int32_t w_fd_fdstat_set_rights(int32_t fd, int64_t base, int64_t inh);
IMPORT(fd_filestat_get) int32_t w_fd_filestat_get(int32_t fd, int32_t out);
IMPORT(fd_filestat_set_size) int32_t w_fd_filestat_set_size(int32_t fd, int64_t size);
IMPORT(fd_filestat_set_times) int32_t w_fd_filestat_set_times(int32_t fd, int64_t atim, int64_t mtim, int32_t flags);
IMPORT(fd_pread) int32_t w_fd_pread(int32_t fd, int32_t iovs, int32_t n, int64_t off, int32_t out);
IMPORT(fd_prestat_get) int32_t w_fd_prestat_get(int32_t fd, int32_t out);
IMPORT(fd_prestat_dir_name) int32_t w_fd_prestat_dir_name(int32_t fd, int32_t buf, int32_t len);
IMPORT(fd_pwrite) int32_t w_fd_pwrite(int32_t fd, int32_t iovs, int32_t n, int64_t off, int32_t out);
IMPORT(fd_read) int32_t w_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t out);
IMPORT(fd_readdir) int32_t w_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t out);
IMPORT(fd_renumber) int32_t w_fd_renumber(int32_t fd, int32_t to);
IMPORT(fd_seek) int32_t w_fd_seek(int32_t fd, int64_t off, int32_t whence, int32_t out);
IMPORT(fd_sync) int32_t w_fd_sync(int32_t fd);
IMPORT(fd_tell) int32_t w_fd_tell(int32_t fd, int32_t out);
IMPORT(fd_write) int32_t w_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t out);
IMPORT(path_create_directory) int32_t w_path_create_directory(int32_t fd, int32_t p, int32_t len);
IMPORT(path_filestat_get) int32_t w_path_filestat_get(int32_t fd, int32_t flags, int32_t p, int32_t len, int32_t out);
IMPORT(path_filestat_set_times) int32_t w_path_filestat_set_times(int32_t fd, int32_t flags, int32_t p, int32_t len, int64_t atim, int64_t mtim, int32_t fst);
IMPORT(path_link) int32_t w_path_link(int32_t ofd, int32_t oflags, int32_t op, int32_t ol, int32_t nfd, int32_t np, int32_t nl);
IMPORT(path_open) int32_t w_path_open(int32_t fd, int32_t dirflags, int32_t p, int32_t len, int32_t oflags, int64_t base, int64_t inh, int32_t fdflags, int32_t out);
IMPORT(path_readlink) int32_t w_path_readlink(int32_t fd, int32_t p, int32_t len, int32_t buf, int32_t buflen, int32_t out);
IMPORT(path_remove_directory) int32_t w_path_remove_directory(int32_t fd, int32_t p, int32_t len);
IMPORT(path_rename) int32_t w_path_rename(int32_t fd, int32_t op, int32_t ol, int32_t nfd, int32_t np, int32_t nl);
IMPORT(path_symlink) int32_t w_path_symlink(int32_t op, int32_t ol, int32_t fd, int32_t np, int32_t nl);
IMPORT(path_unlink_file) int32_t w_path_unlink_file(int32_t fd, int32_t p, int32_t len);
IMPORT(poll_oneoff) int32_t w_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nevents);
IMPORT(proc_raise) int32_t w_proc_raise(int32_t sig);
IMPORT(sched_yield) int32_t w_sched_yield(void);
IMPORT(random_get) int32_t w_random_get(int32_t buf, int32_t len);
IMPORT(sock_accept) int32_t w_sock_accept(int32_t fd, int32_t flags, int32_t out);
IMPORT(sock_recv) int32_t w_sock_recv(int32_t fd, int32_t iovs, int32_t n, int32_t flags, int32_t outlen, int32_t outflags);
IMPORT(sock_send) int32_t w_sock_send(int32_t fd, int32_t iovs, int32_t n, int32_t flags, int32_t out);
IMPORT(sock_shutdown) int32_t w_sock_shutdown(int32_t fd, int32_t how);
IMPORT(proc_exit) _Noreturn void w_proc_exit(int32_t code);

// Pointers as the i32 the ABI passes.
#define P(x) ((int32_t)(uintptr_t)(x))
// Far beyond any memory these programs have.
#define BAD 0x7ffffff0
// Inside memory but at the very end of the 4 GiB address space.
#define TOP ((int32_t)0xfffffff8u)

#define R_FD_READ (1ull << 1)
#define R_FD_WRITE (1ull << 6)
#define R_ALL ((1ull << 30) - 1)

#define O_CREAT_ 1
#define O_DIRECTORY_ 2
#define O_EXCL_ 4
#define O_TRUNC_ 8

typedef struct { uint32_t buf; uint32_t len; } iov_t;

// Prints one result line: the case's name and the errno.
#define SHOW(label, expr) printf("%s: %d\n", label, (int)(expr))

static inline int32_t s_len(const char *s) { return (int32_t)strlen(s); }

static inline int32_t open_path(int32_t dir, const char *path, int32_t oflags, uint64_t rights, int32_t *fd) {
    return w_path_open(dir, 0, P(path), s_len(path), oflags, (int64_t)rights, (int64_t)rights, 0, P(fd));
}
