/* Calls and recursion: the doubly recursive Fibonacci function. */
#include "bench.h"

static NOINLINE u32 fib(u32 n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

EXPORT int run(int n) { return (int)fib((u32)n); }
