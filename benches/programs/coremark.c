/* A CoreMark-like mix (written for this suite, not CoreMark's code): linked
 * list search, reversal and merge sort; small integer matrix kernels; a
 * state machine that classifies numbers in text; CRC-16 over every result.
 * n iterations. */
#include "bench.h"

static u16 crc16(u16 crc, u32 value, int bytes) {
    for (int b = 0; b < bytes; b++) {
        u8 data = (u8)(value >> (8 * b));
        for (int i = 0; i < 8; i++) {
            u16 mix = (crc ^ data) & 1;
            crc >>= 1;
            if (mix) crc ^= 0xA001;
            data >>= 1;
        }
    }
    return crc;
}

/* ----- list ----- */
#define NODES 256
struct item { struct item *next; i16 data; i16 idx; };
static struct item items[NODES];

static struct item *list_init(u32 seed) {
    struct item *head = 0;
    for (int i = NODES - 1; i >= 0; i--) {
        items[i].idx = (i16)i;
        items[i].data = (i16)((seed ^ (u32)i * 0x9E37u) & 0x7fff);
        items[i].next = head;
        head = &items[i];
    }
    return head;
}

static struct item *list_find(struct item *l, i16 data) {
    while (l && (l->data & 0xff) != (data & 0xff)) l = l->next;
    return l;
}

static struct item *list_reverse(struct item *l) {
    struct item *prev = 0;
    while (l) {
        struct item *next = l->next;
        l->next = prev;
        prev = l;
        l = next;
    }
    return prev;
}

static int cmp_data(const struct item *a, const struct item *b) { return a->data - b->data; }
static int cmp_idx(const struct item *a, const struct item *b) { return a->idx - b->idx; }

/* Bottom-up merge sort of a singly linked list (as in CoreMark). */
static struct item *list_sort(struct item *list, int (*cmp)(const struct item *, const struct item *)) {
    for (int insize = 1;; insize *= 2) {
        struct item *p = list, *tail = 0;
        list = 0;
        int merges = 0;
        while (p) {
            merges++;
            struct item *q = p;
            int psize = 0;
            for (int i = 0; i < insize && q; i++) {
                psize++;
                q = q->next;
            }
            int qsize = insize;
            while (psize > 0 || (qsize > 0 && q)) {
                struct item *e;
                if (psize == 0) { e = q; q = q->next; qsize--; }
                else if (qsize == 0 || !q) { e = p; p = p->next; psize--; }
                else if (cmp(p, q) <= 0) { e = p; p = p->next; psize--; }
                else { e = q; q = q->next; qsize--; }
                if (tail) tail->next = e; else list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1) return list;
    }
}

static u16 bench_list(u32 seed, u16 crc) {
    struct item *l = list_init(seed);
    for (int i = 0; i < 32; i++) {
        struct item *f = list_find(l, (i16)(i * 37));
        crc = crc16(crc, f ? (u32)f->idx : 0xffff, 2);
        l = list_reverse(l);
    }
    l = list_sort(l, cmp_data);
    crc = crc16(crc, (u32)l->data, 2);
    l = list_sort(l, cmp_idx);
    for (struct item *p = l; p; p = p->next) crc = crc16(crc, (u32)p->data, 1);
    return crc;
}

/* ----- matrix ----- */
#define M 24
static i16 ma[M * M], mb[M * M];
static i32 mc[M * M];

static u16 bench_matrix(u32 seed, u16 crc) {
    for (int i = 0; i < M * M; i++) {
        ma[i] = (i16)((seed + (u32)i * 7) % 97) - 48;
        mb[i] = (i16)((seed ^ (u32)i * 13) % 89) - 44;
    }
    for (int i = 0; i < M * M; i++) ma[i] += (i16)seed;       /* add constant */
    for (int i = 0; i < M * M; i++) mc[i] = ma[i] * (i32)(seed & 15); /* multiply by constant */
    i32 sum = 0;
    for (int i = 0; i < M; i++) {                                /* matrix times vector */
        i32 acc = 0;
        for (int j = 0; j < M; j++) acc += ma[i * M + j] * mb[j];
        sum += acc;
    }
    for (int i = 0; i < M; i++)                                  /* matrix times matrix */
        for (int j = 0; j < M; j++) {
            i32 acc = 0;
            for (int k = 0; k < M; k++) acc += ma[i * M + k] * mb[k * M + j];
            mc[i * M + j] = acc;
        }
    for (int i = 0; i < M * M; i++) sum += (mc[i] >> 2) & 0xf;   /* bit extraction */
    return crc16(crc, (u32)sum, 4);
}

/* ----- state machine ----- */
enum { START, INT, S1, FLOAT, EXPONENT, S2, SCIENTIFIC, INVALID, STATES };

static const char *const tokens[] = {"5012", "1234", "-874", "+122", "35.54", ".1234", "-110.700", "+0.64",
                                     "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12", "T0.3e-1F", "-T.T++Tq",
                                     "1T3.4e4z", "34.0e-T^"};
static char text[1024];
static u32 text_len;

static void text_init(u32 seed) {
    u32 s = seed | 1, n = 0;
    while (n + 10 < sizeof text) {
        const char *t = tokens[xorshift32(&s) & 15];
        while (*t) text[n++] = *t++;
        text[n++] = ',';
    }
    text_len = n;
}

static u32 transitions[STATES], finals[STATES];

static int next_state(int state, char c) {
    int digit = c >= '0' && c <= '9';
    switch (state) {
    case START:
        if (digit) return INT;
        if (c == '+' || c == '-') return S1;
        if (c == '.') return FLOAT;
        return INVALID;
    case S1:
        if (digit) return INT;
        if (c == '.') return FLOAT;
        return INVALID;
    case INT:
        if (c == '.') return FLOAT;
        if (!digit) return INVALID;
        return INT;
    case FLOAT:
        if (c == 'E' || c == 'e') return S2;
        if (!digit) return INVALID;
        return FLOAT;
    case S2:
        if (c == '+' || c == '-') return EXPONENT;
        return INVALID;
    case EXPONENT:
        if (digit) return SCIENTIFIC;
        return INVALID;
    case SCIENTIFIC:
        if (!digit) return INVALID;
        return SCIENTIFIC;
    default:
        return INVALID;
    }
}

static u16 bench_state(u32 seed, u16 crc) {
    text_init(seed);
    for (int i = 0; i < STATES; i++) transitions[i] = finals[i] = 0;
    u32 i = 0;
    while (i < text_len) {
        int state = START;
        while (i < text_len && text[i] != ',') {
            int next = next_state(state, text[i]);
            if (next != state) transitions[next]++;
            state = next;
            i++;
        }
        finals[state]++;
        i++;
    }
    /* Corrupt the text a little for the next round, as CoreMark does. */
    for (u32 k = 0; k < text_len; k += 7) text[k] ^= (char)(seed & 3);
    for (int s = 0; s < STATES; s++) crc = crc16(crc, transitions[s] * 3 + finals[s], 4);
    return crc;
}

EXPORT int run(int n) {
    u16 crc = 0;
    u32 sum = 0;
    for (int i = 0; i < n; i++) {
        u32 seed = (u32)i * 2654435761u ^ crc;
        crc = bench_list(seed, crc);
        crc = bench_matrix(seed, crc);
        crc = bench_state(seed, crc);
        sum = sum * 31 + crc;
    }
    return (int)sum;
}
