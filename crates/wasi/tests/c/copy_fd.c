// The fd_read benchmark (BENCHMARKS.md, "WASI: fd_read throughput"):
// copies argv[1] to argv[2] through fd_read and fd_write in 64 KiB
// chunks, and prints the number of bytes and a checksum.
#include "wasi.h"
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define CHUNK 65536
static uint8_t buf[CHUNK];

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: copy_fd IN OUT\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) {
        perror("open");
        return 1;
    }
    uint64_t total = 0;
    uint32_t sum = 0;
    for (;;) {
        iov_t iov = {P(buf), CHUNK};
        uint32_t n = 0;
        int32_t e = w_fd_read(in, P(&iov), 1, P(&n));
        if (e) {
            fprintf(stderr, "fd_read: errno %d\n", e);
            return 1;
        }
        if (n == 0) break;
        sum = sum * 31 + buf[0] + buf[n - 1];
        for (uint32_t done = 0; done < n;) {
            iov_t w = {P(buf + done), n - done};
            uint32_t m = 0;
            e = w_fd_write(out, P(&w), 1, P(&m));
            if (e) {
                fprintf(stderr, "fd_write: errno %d\n", e);
                return 1;
            }
            done += m;
        }
        total += n;
    }
    close(in);
    close(out);
    printf("%llu bytes, checksum %08x\n", (unsigned long long)total, sum);
    return 0;
}
