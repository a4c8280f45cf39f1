/* Tight loops over bytes: the sieve of Eratosthenes up to 2^20, n times,
 * with a different upper bound each round. */
#include "bench.h"

#define LIMIT (1u << 20)
static u8 composite[LIMIT];

static u32 sieve(u32 limit) {
    for (u32 i = 0; i < limit; i++) composite[i] = 0;
    u32 count = 0;
    for (u32 i = 2; i < limit; i++) {
        if (composite[i]) continue;
        count++;
        for (u32 j = i * 2; j < limit; j += i) composite[j] = 1;
    }
    return count;
}

EXPORT int run(int n) {
    u32 sum = 0;
    for (int r = 0; r < n; r++) {
        u32 c = sieve(LIMIT - (u32)r * 997);
        sum = sum * 31 + c;
    }
    return (int)sum;
}
