/* What a native build of the benchmark programs needs in place of the Wasm
 * memory: `malloc.c` finds its heap at `__heap_base` and grows it with
 * `memory.grow`. Here the heap is a static arena aligned to a Wasm page,
 * and the builtins (redefined on the command line by native.sh) count
 * pages of it, so that the program computes the same addresses relative to
 * its heap, and the same checksums. */
#define ARENA_PAGES 4096 /* 256 MiB */
#define PAGE 65536ul

__attribute__((aligned(65536))) unsigned char __heap_base[ARENA_PAGES * PAGE];
static unsigned long pages_in_use = 16;

/* The memory's size in pages, counted from address 0 as a Wasm memory's
 * are: the arena's end in use, divided by the page size. */
unsigned long native_memory_size(void) {
    return ((unsigned long)__heap_base) / PAGE + pages_in_use;
}

long native_memory_grow(unsigned long pages) {
    unsigned long old = native_memory_size();
    if (pages_in_use + pages > ARENA_PAGES) return -1;
    pages_in_use += pages;
    return (long)old;
}
