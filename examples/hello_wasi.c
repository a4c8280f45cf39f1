// A small WASI program for `weft run` (README's main job):
//
//   weft run examples/hello_wasi.wasm [NAME...]
//   weft run --dir examples::/ --env GREETING=hi examples/hello_wasi.wasm you
//
// It greets its arguments, shows an environment variable, the time, and,
// when a directory is preopened as "/", what is in it.
// Rebuild with examples/build_wasi.sh (zig, see ../shared/TOOLCHAIN.md).
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    const char *greeting = getenv("GREETING");
    printf("%s from WebAssembly (WASI preview1)!\n", greeting ? greeting : "Hello");
    for (int i = 1; i < argc; i++) printf("  and hello to %s\n", argv[i]);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    printf("seconds since 1970: %lld\n", (long long)ts.tv_sec);
    DIR *d = opendir("/");
    if (d) {
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] != '.') n++;
        }
        closedir(d);
        printf("the preopened directory / has %d entries\n", n);
    } else {
        printf("no directory preopened (try --dir .::/)\n");
    }
    return 0;
}
