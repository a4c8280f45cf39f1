/* malloc-heavy: a segregated free-list allocator on a heap grown with
 * memory.grow, exercised by binary trees (the Benchmarks Game's
 * binary-trees) and a pool of variable-sized blocks replaced at random. */
#include "bench.h"

extern u8 __heap_base;

#define CLASSES 12 /* 16, 32, ..., 32768 bytes */
static u8 *heap_top, *heap_end;
static void *free_lists[CLASSES];
static u32 live_blocks;

static u32 size_class(u32 size) {
    u32 c = 0;
    while ((16u << c) < size + 4) c++;
    return c;
}

static void *alloc(u32 size) {
    u32 c = size_class(size);
    if (c >= CLASSES) return 0;
    live_blocks++;
    void *p = free_lists[c];
    if (p) {
        free_lists[c] = *(void **)p;
        return p;
    }
    u32 bytes = 16u << c;
    if (heap_top + bytes > heap_end) {
        u32 pages = (bytes + 65535) / 65536 + 16;
        if (__builtin_wasm_memory_grow(0, pages) < 0) return 0;
        heap_end += pages * 65536;
    }
    u32 *block = (u32 *)heap_top;
    heap_top += bytes;
    block[0] = c;
    return block + 1;
}

static void release(void *p) {
    if (!p) return;
    live_blocks--;
    u32 c = ((u32 *)p)[-1];
    *(void **)p = free_lists[c];
    free_lists[c] = p;
}

struct node { struct node *left, *right; u32 value; };

static struct node *tree(u32 depth, u32 value) {
    struct node *n = alloc(sizeof *n);
    n->value = value;
    if (depth == 0) {
        n->left = n->right = 0;
    } else {
        n->left = tree(depth - 1, value * 2);
        n->right = tree(depth - 1, value * 2 + 1);
    }
    return n;
}

static u32 check(struct node *n) {
    u32 c = n->value & 7;
    if (n->left) c += 1 + check(n->left) + check(n->right);
    return c;
}

static void drop(struct node *n) {
    if (n->left) {
        drop(n->left);
        drop(n->right);
    }
    release(n);
}

#define POOL 1024
static u8 *pool[POOL];
static u32 pool_len[POOL];

EXPORT int run(int n) {
    /* Start from an empty heap on every call (the memory stays grown). */
    u8 *base = (u8 *)(((usize)&__heap_base + 15) & ~(usize)15);
    heap_top = base;
    heap_end = (u8 *)((usize)__builtin_wasm_memory_size(0) * 65536);
    for (int i = 0; i < CLASSES; i++) free_lists[i] = 0;
    live_blocks = 0;
    for (int i = 0; i < POOL; i++) pool[i] = 0;

    u32 sum = 0, s = 77;
    struct node *long_lived = tree(12, 1);
    for (int r = 0; r < n; r++) {
        for (u32 depth = 4; depth <= 12; depth += 2) {
            u32 count = 1u << (12 - depth);
            for (u32 i = 0; i < count; i++) {
                struct node *t = tree(depth, i);
                sum += check(t);
                drop(t);
            }
        }
        for (int i = 0; i < 4 * POOL; i++) {
            u32 r2 = xorshift32(&s);
            u32 k = r2 % POOL;
            if (pool[k]) {
                for (u32 j = 0; j < pool_len[k]; j += 64) sum += pool[k][j];
                release(pool[k]);
            }
            u32 len = 1 + (r2 >> 10) % ((r2 >> 28) == 0 ? 8000 : 200);
            pool[k] = alloc(len);
            pool_len[k] = len;
            for (u32 j = 0; j < len; j += 16) pool[k][j] = (u8)(j ^ r2);
        }
    }
    sum += check(long_lived);
    drop(long_lived);
    for (int i = 0; i < POOL; i++) release(pool[i]);
    return (int)(sum * 31 + live_blocks + (u32)(heap_top - base) / 16);
}
