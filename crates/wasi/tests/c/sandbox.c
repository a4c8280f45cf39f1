// Escape attempts: every route out of the preopened directory must be
// refused. Prints "route: errno" per attempt (0 where the operation is
// legitimate and stays inside). The host side (tests/sandbox.rs) builds
// the directory tree, checks each line, and checks that nothing outside
// the sandbox was read, written, listed or created.
//
// Layout (fd 3 is the sandbox, preopened as "/"; OUT is its sibling):
//   inside.txt  sub/  link_abs -> OUT/secret.txt (absolute host path)
//   link_rel -> ../outside/secret.txt   link_dir -> ../outside
//   sub/link_up -> ../..   chain1 -> chain2 -> sub/link_up
//   loop1 <-> loop2   self -> self   link_root -> /
//   race/ (a directory the host swaps with a link to ../outside)
// fd 4 is the same sandbox preopened again, for the race.
#include "wasi.h"
#include <stdlib.h>

static uint32_t u32s_n;
static char link_buf[64];

static int32_t try_open(const char *path, int32_t lookup, int32_t oflags) {
    int32_t fd = -1;
    int32_t e = w_path_open(3, lookup, P(path), s_len(path), oflags, R_ALL & ~R_FD_WRITE, R_ALL, 0, P(&fd));
    if (e == 0) {
        // Show what was opened: reading a secret would be a leak.
        char data[32] = {0};
        iov_t iov = {P(data), sizeof data - 1};
        uint32_t n = 0;
        if (w_fd_read(fd, P(&iov), 1, P(&n)) == 0 && strstr(data, "secret")) printf("LEAK %s\n", path);
        w_fd_close(fd);
    }
    return e;
}

static void show_open(const char *label, const char *path, int32_t lookup, int32_t oflags) {
    SHOW(label, try_open(path, lookup, oflags));
}

static int32_t stat_path(const char *path, int32_t lookup) {
    uint8_t st[64];
    return w_path_filestat_get(3, lookup, P(path), s_len(path), P(st));
}

int main(int argc, char **argv) {
    // Parent paths.
    show_open("dotdot", "../outside/secret.txt", 1, 0);
    show_open("dotdot nested", "sub/../../outside/secret.txt", 1, 0);
    show_open("dotdot many", "sub/./../sub/../../../../../../etc/passwd", 1, 0);
    show_open("dotdot alone", "..", 1, O_DIRECTORY_);
    // Absolute paths.
    show_open("absolute", "/etc/passwd", 1, 0);
    show_open("absolute inside name", "/inside.txt", 1, 0);
    // Symbolic links the host left pointing outside.
    show_open("symlink absolute", "link_abs", 1, 0);
    show_open("symlink relative", "link_rel", 1, 0);
    show_open("symlink to root", "link_root", 1, O_DIRECTORY_);
    show_open("symlink dir component", "link_dir/secret.txt", 0, 0);
    show_open("symlink up component", "sub/link_up/outside/secret.txt", 0, 0);
    show_open("symlink chain", "chain1/outside/secret.txt", 0, 0);
    SHOW("stat through symlink", stat_path("link_dir/secret.txt", 0));
    SHOW("stat symlink follow", stat_path("link_rel", 1));
    SHOW("stat symlink nofollow", stat_path("link_rel", 0));
    // Loops.
    show_open("symlink loop", "loop1", 1, 0);
    show_open("symlink self loop", "self", 1, 0);
    SHOW("stat loop", stat_path("loop1/x", 0));
    // Links the guest makes.
    SHOW("guest symlink outward", w_path_symlink(P("../outside/secret.txt"), 21, 3, P("mine"), 4));
    show_open("follow guest symlink", "mine", 1, 0);
    SHOW("guest symlink absolute", w_path_symlink(P("/etc/passwd"), 11, 3, P("mine_abs"), 8));
    SHOW("guest symlink deep", w_path_symlink(P("../../x"), 7, 3, P("sub/deep"), 8));
    show_open("follow guest deep symlink", "sub/deep", 1, 0);
    SHOW("guest dangling outward", w_path_symlink(P("../outside/created.txt"), 22, 3, P("dangle"), 6));
    show_open("create through dangling", "dangle", 1, O_CREAT_);
    SHOW("mkdir outside", w_path_create_directory(3, P("../outside/newdir"), 17));
    SHOW("mkdir through symlink", w_path_create_directory(3, P("link_dir/newdir"), 15));
    // Renames and hard links out of the preopen.
    SHOW("rename out", w_path_rename(3, P("inside.txt"), 10, 3, P("../outside/stolen.txt"), 21));
    SHOW("rename through symlink", w_path_rename(3, P("inside.txt"), 10, 3, P("link_dir/stolen.txt"), 19));
    SHOW("rename outside in", w_path_rename(3, P("link_dir/secret.txt"), 19, 3, P("got.txt"), 7));
    SHOW("rename dir out", w_path_rename(3, P("sub"), 3, 3, P("sub/link_up/moved"), 17));
    SHOW("hard link out", w_path_link(3, 0, P("inside.txt"), 10, 3, P("../outside/hard.txt"), 19));
    SHOW("hard link in", w_path_link(3, 0, P("link_dir/secret.txt"), 19, 3, P("hard.txt"), 8));
    SHOW("hard link follow", w_path_link(3, 1, P("link_rel"), 8, 3, P("hard2.txt"), 9));
    SHOW("hard link of link", w_path_link(3, 0, P("link_rel"), 8, 3, P("hard3.txt"), 9));
    show_open("follow hard link of link", "hard3.txt", 1, 0);
    SHOW("unlink through symlink", w_path_unlink_file(3, P("link_dir/secret.txt"), 19));
    SHOW("rmdir through symlink", w_path_remove_directory(3, P("link_dir/dir"), 12));
    SHOW("rmdir symlink", w_path_remove_directory(3, P("link_dir"), 8));
    SHOW("set times through symlink", w_path_filestat_set_times(3, 1, P("link_rel"), 8, 0, 0, 2 | 8));
    SHOW("readlink outward", w_path_readlink(3, P("link_rel"), 8, P(link_buf), 64, P(&u32s_n)));
    // A directory descriptor confines too: ".." above it is outside it.
    int32_t sub = -1;
    SHOW("open sub", w_path_open(3, 0, P("sub"), 3, O_DIRECTORY_, R_ALL & ~R_FD_WRITE, R_ALL, 0, P(&sub)));
    int32_t fd = -1;
    SHOW("dotdot above dir fd", w_path_open(sub, 0, P("../inside.txt"), 13, 0, R_FD_READ, 0, 0, P(&fd)));
    uint8_t dirent[256];
    int32_t up = -1;
    SHOW("readdir through symlink", w_path_open(3, 1, P("sub/link_up"), 11, O_DIRECTORY_, R_ALL & ~R_FD_WRITE, R_ALL, 0, P(&up)));
    (void)dirent;
    // fd_renumber onto the preopen: the preopen is replaced, not widened.
    int32_t file = -1;
    SHOW("open inside", w_path_open(3, 0, P("inside.txt"), 10, 0, R_FD_READ, 0, 0, P(&file)));
    SHOW("renumber onto preopen", w_fd_renumber(file, 3));
    SHOW("path_open on renumbered", w_path_open(3, 0, P("sub"), 3, 0, 0, 0, 0, P(&fd)));
    SHOW("prestat on renumbered", w_fd_prestat_get(3, P(dirent)));
    SHOW("renumber dir fd onto preopen", w_fd_renumber(sub, 3));
    SHOW("dotdot after renumber", w_path_open(3, 0, P(".."), 2, O_DIRECTORY_, 0, 0, 0, P(&fd)));
    SHOW("open in renumbered dir", w_path_open(3, 0, P("deep"), 4, 0, 0, 0, 0, P(&fd)));
#ifndef NO_FAULTS
    // Lengths and pointers outside memory (wasmtime traps on these).
    SHOW("path huge length", w_path_open(3, 0, P("x"), 0x7fffffff, 0, 0, 0, 0, P(&fd)));
    SHOW("path negative length", w_path_open(3, 0, P("x"), -1, 0, 0, 0, 0, P(&fd)));
    SHOW("path pointer outside", w_path_open(3, 0, BAD, 4, 0, 0, 0, 0, P(&fd)));
    SHOW("path wrapping pointer", w_path_open(3, 0, -2, 4, 0, 0, 0, 0, P(&fd)));
    SHOW("result pointer outside", w_path_open(3, 0, P("x"), 1, 0, 0, 0, 0, -4));
    iov_t huge = {P(dirent), 0x7fffffff};
    SHOW("read huge iovec", w_fd_read(0, P(&huge), 1, P(&u32s_n)));
    iov_t neg = {(uint32_t)-16, 64};
    SHOW("write negative pointer", w_fd_write(1, P(&neg), 1, P(&u32s_n)));
    SHOW("write negative count", w_fd_write(1, P(&huge), -1, P(&u32s_n)));
    SHOW("random huge", w_random_get(P(dirent), 0x7fffffff));
    SHOW("readdir huge", w_fd_readdir(3, P(dirent), -1, 0, P(&u32s_n)));
    SHOW("args huge pointer", w_args_get(-4, -4));
    SHOW("poll huge", w_poll_oneoff(P(dirent), P(dirent), -1, P(&u32s_n)));
    SHOW("symlink huge target", w_path_symlink(P("x"), 0x7fffffff, 3, P("y"), 1));
#endif

    // Races: the host swaps race/ between a directory and a link to
    // ../outside while we open race/secret.txt over and over.
    int rounds = argc > 1 ? atoi(argv[1]) : 0;
    int opened = 0, refused = 0;
    // fd 3 was renumbered away above: the race goes through fd 4, the
    // same sandbox preopened a second time.
    for (int i = 0; i < rounds; i++) {
        int32_t rfd = -1;
        int32_t e = w_path_open(4, 1, P("race/secret.txt"), 15, 0, R_FD_READ, 0, 0, P(&rfd));
        if (e == 0) {
            char data[32] = {0};
            iov_t iov = {P(data), sizeof data - 1};
            uint32_t n = 0;
            w_fd_read(rfd, P(&iov), 1, P(&n));
            if (strstr(data, "top secret")) printf("LEAK race\n");
            w_fd_close(rfd);
            opened++;
        } else {
            refused++;
        }
    }
    printf("race: %s\n", opened + refused == rounds ? "done" : "lost");
    fprintf(stderr, "race: %d opened inside, %d refused\n", opened, refused);
    fflush(stdout);
    return 0;
}
