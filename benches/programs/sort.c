/* Sorting: quicksort (median of three, insertion sort below 16) and heapsort
 * of 50,000 pseudo-random words, n rounds. */
#include "bench.h"

#define LEN 50000
static u32 data[LEN];

static void insertion(u32 *a, i32 lo, i32 hi) {
    for (i32 i = lo + 1; i <= hi; i++) {
        u32 v = a[i];
        i32 j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void quicksort(u32 *a, i32 lo, i32 hi) {
    while (hi - lo > 16) {
        i32 mid = lo + (hi - lo) / 2;
        u32 x = a[lo], y = a[mid], z = a[hi];
        u32 pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        i32 i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                u32 t = a[i]; a[i] = a[j]; a[j] = t;
                i++;
                j--;
            }
        }
        /* Recurse into the smaller half, loop on the larger. */
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    insertion(a, lo, hi);
}

static void sift(u32 *a, u32 root, u32 len) {
    for (;;) {
        u32 child = 2 * root + 1;
        if (child >= len) return;
        if (child + 1 < len && a[child + 1] > a[child]) child++;
        if (a[root] >= a[child]) return;
        u32 t = a[root]; a[root] = a[child]; a[child] = t;
        root = child;
    }
}

static void heapsort(u32 *a, u32 len) {
    for (u32 i = len / 2; i-- > 0;) sift(a, i, len);
    for (u32 end = len - 1; end > 0; end--) {
        u32 t = a[0]; a[0] = a[end]; a[end] = t;
        sift(a, 0, end);
    }
}

static u32 check(const u32 *a) {
    u32 sum = 0;
    for (u32 i = 0; i < LEN; i++) {
        if (i > 0 && a[i - 1] > a[i]) return 0xbad;
        sum = sum * 31 + a[i];
    }
    return sum;
}

EXPORT int run(int n) {
    u32 s = 2463534242u, sum = 0;
    for (int r = 0; r < n; r++) {
        for (u32 i = 0; i < LEN; i++) data[i] = xorshift32(&s) % 1000003;
        quicksort(data, 0, LEN - 1);
        sum ^= check(data);
        for (u32 i = 0; i < LEN; i++) data[i] = xorshift32(&s);
        heapsort(data, LEN);
        sum = sum * 7 + check(data);
    }
    return (int)sum;
}
