/* Compresses and decompresses generated text with zstd (level from argv[1],
 * size in MiB from argv[2]) and checks the round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zstd.h"

int main(int argc, char **argv) {
    int level = argc > 1 ? atoi(argv[1]) : 3;
    size_t n = (size_t)(argc > 2 ? atoi(argv[2]) : 8) << 20;
    static const char *words[] = {"wasm", "runtime", "weft", "compile", "the", "of", "memory",
                                  "table", "instance", "module", "trap", "function", "and", "a"};
    char *src = malloc(n), *back = malloc(n);
    unsigned x = 12345;
    size_t i = 0;
    while (i < n) {
        x = x * 1103515245u + 12345u;
        const char *w = words[(x >> 16) % 14];
        size_t l = strlen(w);
        for (size_t j = 0; j < l && i < n; j++) src[i++] = w[j];
        if (i < n) src[i++] = (x >> 8) % 7 == 0 ? '\n' : ' ';
        if ((x >> 20) % 5 == 0 && i + 4 < n) i += sprintf(src + i, "%u ", (x >> 4) % 1000);
    }
    size_t cap = ZSTD_compressBound(n);
    char *dst = malloc(cap);
    size_t c = ZSTD_compress(dst, cap, src, n, level);
    if (ZSTD_isError(c)) { fprintf(stderr, "%s\n", ZSTD_getErrorName(c)); return 1; }
    size_t d = ZSTD_decompress(back, n, dst, c);
    if (ZSTD_isError(d) || d != n || memcmp(src, back, n)) { fprintf(stderr, "round trip failed\n"); return 1; }
    printf("%zu -> %zu bytes\n", n, c);
    return 0;
}
