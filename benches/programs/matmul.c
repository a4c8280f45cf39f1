/* Memory-heavy loop: i32 matrix multiplication, 128 x 128, n times. */
#include "bench.h"

#define N 128
static i32 a[N * N], b[N * N], c[N * N];

static void fill(u32 seed) {
    u32 s = seed | 1;
    for (u32 i = 0; i < N * N; i++) {
        a[i] = (i32)(xorshift32(&s) % 201) - 100;
        b[i] = (i32)(xorshift32(&s) % 201) - 100;
    }
}

static void multiply(void) {
    for (u32 i = 0; i < N; i++) {
        for (u32 j = 0; j < N; j++) c[i * N + j] = 0;
        for (u32 k = 0; k < N; k++) {
            i32 aik = a[i * N + k];
            for (u32 j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
        }
    }
}

EXPORT int run(int n) {
    u32 sum = 0;
    for (int r = 0; r < n; r++) {
        fill(0x9e3779b9u + (u32)r);
        multiply();
        for (u32 i = 0; i < N * N; i++) sum = sum * 33 + (u32)c[i];
    }
    return (int)sum;
}
