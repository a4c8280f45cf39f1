/* Shared helpers for the benchmark programs: no libc, no imports.
 * Every program exports `int run(int n)`, which does work proportional to n
 * and returns a checksum of everything it computed. */
#ifndef BENCH_H
#define BENCH_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long long i64;
typedef unsigned long usize;

#define EXPORT __attribute__((visibility("default")))
#define NOINLINE __attribute__((noinline))

/* The compiler may emit calls to these for struct copies and loops; with
 * -mbulk-memory they become memory.copy / memory.fill anyway. */
void *memcpy(void *dst, const void *src, usize n);
void *memset(void *dst, int c, usize n);
void *memmove(void *dst, const void *src, usize n);

/* xorshift32: the programs' only source of "random" data. */
static inline u32 xorshift32(u32 *s) {
    u32 x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static inline u32 rotl32(u32 x, int r) { return (x << r) | (x >> (32 - r)); }
static inline u32 rotr32(u32 x, int r) { return (x >> r) | (x << (32 - r)); }

#endif
