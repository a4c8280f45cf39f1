/* Compression: LZSS (LZ77 with a 4 KiB window and hash chains) of 64 KiB of
 * generated text, then decompression and a check, n rounds. */
#include "bench.h"

#define LEN 65536
#define WINDOW 4096
#define MIN_MATCH 3
#define MAX_MATCH 18
#define HASH_BITS 12
#define MAX_CHAIN 32

static u8 input[LEN];
static u8 packed[LEN + LEN / 8 + 16];
static u8 unpacked[LEN];
static i32 head[1 << HASH_BITS];
static i32 prev[LEN];

static const char *const words[] = {
    "the ", "of ", "and ", "a ", "to ", "in ", "is ", "you ", "that ", "it ", "he ", "was ", "for ",
    "on ", "are ", "as ", "with ", "his ", "they ", "at ", "be ", "this ", "have ", "from ", "or ",
    "one ", "had ", "by ", "word ", "but ", "not ", "what ", "all ", "were ", "we ", "when ", "your ",
    "can ", "said ", "there ", "use ", "an ", "each ", "which ", "she ", "do ", "how ", "their ",
    "if ", "will ", "up ", "other ", "about ", "out ", "many ", "then ", "them ", "these ", "so ",
    "some ", "her ", "would ", "make ", "like ", "him ", "into ", "time ", "has ", "look ", "two ",
};

static void generate(u32 seed) {
    u32 s = seed | 1, i = 0;
    while (i < LEN) {
        u32 r = xorshift32(&s);
        const char *w = words[r % (sizeof words / sizeof words[0])];
        if ((r >> 16) % 11 == 0) input[i++] = (u8)('A' + (r >> 8) % 26);
        for (; *w && i < LEN; w++) input[i++] = (u8)*w;
        if ((r >> 24) % 13 == 0 && i < LEN) input[i++] = '\n';
    }
}

static inline u32 hash3(const u8 *p) {
    return ((u32)p[0] << 16 ^ (u32)p[1] << 8 ^ p[2]) * 2654435761u >> (32 - HASH_BITS);
}

static u32 compress(void) {
    for (u32 i = 0; i < (1 << HASH_BITS); i++) head[i] = -1;
    u32 in = 0, out = 0;
    while (in < LEN) {
        u32 flags_at = out++;
        u8 flags = 0;
        for (int bit = 0; bit < 8 && in < LEN; bit++) {
            u32 best_len = 0, best_dist = 0;
            if (in + MIN_MATCH <= LEN) {
                u32 h = hash3(input + in);
                i32 cand = head[h];
                u32 limit = LEN - in < MAX_MATCH ? LEN - in : MAX_MATCH;
                for (int chain = 0; cand >= 0 && in - (u32)cand < WINDOW && chain < MAX_CHAIN; chain++) {
                    u32 len = 0;
                    while (len < limit && input[(u32)cand + len] == input[in + len]) len++;
                    if (len > best_len) {
                        best_len = len;
                        best_dist = in - (u32)cand;
                        if (len == limit) break;
                    }
                    cand = prev[cand];
                }
            }
            u32 step = best_len >= MIN_MATCH ? best_len : 1;
            if (best_len >= MIN_MATCH) {
                flags |= (u8)(1 << bit);
                u32 code = (best_dist - 1) << 4 | (best_len - MIN_MATCH);
                packed[out++] = (u8)code;
                packed[out++] = (u8)(code >> 8);
            } else {
                packed[out++] = input[in];
            }
            for (u32 k = 0; k < step; k++, in++) {
                if (in + MIN_MATCH <= LEN) {
                    u32 h = hash3(input + in);
                    prev[in] = head[h];
                    head[h] = (i32)in;
                }
            }
        }
        packed[flags_at] = flags;
    }
    return out;
}

static u32 decompress(u32 len) {
    u32 in = 0, out = 0;
    while (in < len) {
        u8 flags = packed[in++];
        for (int bit = 0; bit < 8 && in < len; bit++) {
            if (flags & (1 << bit)) {
                u32 code = packed[in] | (u32)packed[in + 1] << 8;
                in += 2;
                u32 dist = (code >> 4) + 1, n = (code & 15) + MIN_MATCH;
                for (u32 k = 0; k < n; k++, out++) unpacked[out] = unpacked[out - dist];
            } else {
                unpacked[out++] = packed[in++];
            }
        }
    }
    return out;
}

EXPORT int run(int n) {
    u32 sum = 0;
    for (int r = 0; r < n; r++) {
        generate(0xC0FFEEu + (u32)r);
        u32 size = compress();
        u32 back = decompress(size);
        u32 ok = back == LEN;
        for (u32 i = 0; ok && i < LEN; i++) ok = unpacked[i] == input[i];
        u32 h = 2166136261u;
        for (u32 i = 0; i < size; i++) h = (h ^ packed[i]) * 16777619u;
        sum = sum * 31 + (ok ? size ^ h : 0xbad);
    }
    return (int)sum;
}
