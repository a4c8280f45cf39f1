/* Tight integer loop: total Collatz stopping times of 1..n (64-bit values,
 * since trajectories from below 2^20 overflow 32 bits). */
#include "bench.h"

EXPORT int run(int n) {
    u64 total = 0;
    u32 longest = 0, arg = 0;
    for (u32 i = 1; i <= (u32)n; i++) {
        u64 x = i;
        u32 steps = 0;
        while (x != 1) {
            x = (x & 1) ? 3 * x + 1 : x >> 1;
            steps++;
        }
        total += steps;
        if (steps > longest) {
            longest = steps;
            arg = i;
        }
    }
    return (int)(total ^ (total >> 32) ^ ((u64)arg << 8) ^ longest);
}
