/* Branchy dispatch: a small register bytecode VM (a switch over 17 opcodes,
 * which clang turns into a br_table) running a hashing loop n times. */
#include "bench.h"

enum { HALT, LI, ADD, SUB, MUL, XOR, SHR, SHL, AND, OR, JNZ, DEC, INC, LD, ST, MOV, JLT };

/* op, a, b, c; LI takes a 16-bit immediate in b | c << 8; jumps take the
 * target in b | c << 8. */
#define I(op, a, b, c) op, a, b, c
#define IMM(op, a, imm) op, a, (imm) & 255, (imm) >> 8

static const u8 program[] = {
    IMM(LI, 1, 1),          /*  0: r1 = acc = 1 */
    IMM(LI, 4, 40503),      /*  1: r4 = K */
    IMM(LI, 5, 255),        /*  2: r5 = mask */
    IMM(LI, 11, 3),         /*  3: r11 = 3 */
    IMM(LI, 2, 256),        /*  4: outer: r2 = inner count */
    IMM(LI, 6, 0),          /*  5: r6 = j */
    I(MUL, 3, 1, 4),        /*  6: inner: r3 = acc * K */
    I(ADD, 3, 3, 6),        /*  7: r3 += j */
    I(LD, 7, 6, 0),         /*  8: r7 = mem[j] */
    I(XOR, 7, 7, 3),        /*  9: r7 ^= r3 */
    I(ST, 6, 7, 0),         /* 10: mem[j] = r7 */
    I(SHR, 8, 1, 11),       /* 11: r8 = acc >> 3 */
    I(AND, 8, 8, 5),        /* 12: r8 &= 255 */
    I(LD, 9, 8, 0),         /* 13: r9 = mem[r8] */
    I(ADD, 1, 1, 9),        /* 14: acc += r9 */
    I(XOR, 1, 1, 7),        /* 15: acc ^= r7 */
    I(JLT, 9, 7, 18),       /* 16: if r9 < r7 goto 18 */
    I(INC, 12, 0, 0),       /* 17: r12++ (count the other way) */
    I(INC, 6, 0, 0),        /* 18: j++ */
    I(DEC, 2, 0, 0),        /* 19: r2-- */
    IMM(JNZ, 2, 6),         /* 20: loop inner */
    I(DEC, 0, 0, 0),        /* 21: r0-- */
    IMM(JNZ, 0, 4),         /* 22: loop outer */
    I(ADD, 1, 1, 12),       /* 23: acc += r12 */
    I(HALT, 0, 0, 0),
};

static u32 mem[256];

static NOINLINE u32 execute(const u8 *code, u32 arg) {
    u32 r[16] = {0};
    r[0] = arg;
    u32 pc = 0;
    for (;;) {
        const u8 *ins = code + pc * 4;
        u32 a = ins[1], b = ins[2], c = ins[3];
        pc++;
        switch (ins[0]) {
        case HALT: return r[1];
        case LI: r[a] = b | c << 8; break;
        case ADD: r[a] = r[b] + r[c]; break;
        case SUB: r[a] = r[b] - r[c]; break;
        case MUL: r[a] = r[b] * r[c]; break;
        case XOR: r[a] = r[b] ^ r[c]; break;
        case SHR: r[a] = r[b] >> (r[c] & 31); break;
        case SHL: r[a] = r[b] << (r[c] & 31); break;
        case AND: r[a] = r[b] & r[c]; break;
        case OR: r[a] = r[b] | r[c]; break;
        case JNZ: if (r[a]) pc = b | c << 8; break;
        case DEC: r[a]--; break;
        case INC: r[a]++; break;
        case LD: r[a] = mem[r[b] & 255]; break;
        case ST: mem[r[a] & 255] = r[b]; break;
        case MOV: r[a] = r[b]; break;
        case JLT: if (r[a] < r[b]) pc = c; break;
        default: return 0xdeadbeef;
        }
    }
}

EXPORT int run(int n) {
    for (u32 i = 0; i < 256; i++) mem[i] = i * 2654435761u;
    u32 acc = execute(program, (u32)n);
    for (u32 i = 0; i < 256; i++) acc = acc * 31 + mem[i];
    return (int)acc;
}
