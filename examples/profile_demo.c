// A program for `weft run --profile`: four kernels of different cost,
// kept as separate functions (noinline), called from main. The work is
// scaled by the first argument (default 1). Built by examples/build_wasi.sh
// without -s, so that the name section names the functions, then without
// its DWARF sections:
//   zig cc -target wasm32-wasi -O2 examples/profile_demo.c -o examples/profile_demo.wasm
//   wasm-tools strip examples/profile_demo.wasm -o examples/profile_demo.wasm
// and natively, to compare with perf on the same source:
//   zig cc -O2 -fno-omit-frame-pointer examples/profile_demo.c -o profile_demo
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 96
static double a[N][N], b[N][N], c[N][N];
static uint8_t sieve_flags[1 << 20];
static uint8_t buf[1 << 16];

// Dense matrix product: the most work per call.
__attribute__((noinline)) static double matmul(void) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++) s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
    return c[N / 2][N / 3];
}

// Sieve of Eratosthenes up to 2^20.
__attribute__((noinline)) static int sieve(void) {
    int n = sizeof sieve_flags, count = 0;
    memset(sieve_flags, 1, n);
    for (int i = 2; i < n; i++) {
        if (!sieve_flags[i]) continue;
        count++;
        for (int j = 2 * i; j < n; j += i) sieve_flags[j] = 0;
    }
    return count;
}

// CRC-32 of a buffer, bit by bit.
__attribute__((noinline)) static uint32_t crc32(const uint8_t *p, size_t len) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}

// A little work: fills the inputs.
__attribute__((noinline)) static void fill(unsigned seed) {
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            seed = seed * 1103515245u + 12345u;
            a[i][j] = (seed >> 16) / 65536.0;
            b[j][i] = (seed & 0xffff) / 65536.0;
        }
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)((seed = seed * 1664525u + 1013904223u) >> 24);
}

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    double m = 0;
    int primes = 0;
    uint32_t crc = 0;
    for (int r = 0; r < scale; r++) {
        fill(r + 1);
        for (int i = 0; i < 12; i++) m += matmul();
        primes += sieve();
        crc ^= crc32(buf, sizeof buf);
    }
    printf("matmul %.6f primes %d crc %08x\n", m, primes, (unsigned)crc);
    return 0;
}
