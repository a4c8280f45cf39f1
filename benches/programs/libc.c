/* memcpy/memset/memmove for the programs (linked into each one). Compiled with
 * -fno-builtin so the loops are not turned back into calls to themselves. */
#include "bench.h"

void *memcpy(void *dst, const void *src, usize n) {
    return __builtin_memcpy(dst, src, n);
}
void *memmove(void *dst, const void *src, usize n) {
    return __builtin_memmove(dst, src, n);
}
void *memset(void *dst, int c, usize n) {
    return __builtin_memset(dst, c, n);
}
