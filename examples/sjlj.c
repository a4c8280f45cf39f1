/* setjmp/longjmp the way interpreters such as Lua raise errors, compiled
 * with clang's Wasm SjLj support, which lowers them to exception handling
 * (a `throw` of the `__c_longjmp` tag, caught by `try_table` in the
 * function that called setjmp): see build_wasi.sh. Run it with
 * `weft run --features 3.0 examples/sjlj.wasm`. */
#include <setjmp.h>
#include <stdio.h>

static jmp_buf *handler;

/* Raises error `code` from `depth` calls down. */
static void raise_error(int depth, int code) {
    if (depth == 0) longjmp(*handler, code);
    raise_error(depth - 1, code);
}

/* Runs `f(depth, code)` with a handler; the error code it raised, or 0. */
static int protected_call(void (*f)(int, int), int depth, int code) {
    jmp_buf buf;
    jmp_buf *saved = handler;
    handler = &buf;
    int r = setjmp(buf);
    if (r == 0) f(depth, code);
    handler = saved;
    return r;
}

/* An error inside a handler's protected call, raised again to the outer
 * handler with another code. */
static void nested(int depth, int code) {
    int inner = protected_call(raise_error, depth, code);
    raise_error(depth, inner + 1);
}

int main(void) {
    long caught = 0, nested_caught = 0;
    for (int i = 1; i <= 1000; i++) {
        caught += protected_call(raise_error, i % 17, i);
        nested_caught += protected_call(nested, i % 5, i);
    }
    printf("caught %ld errors' codes, %ld through nested handlers\n", caught, nested_caught);
    return caught == 500500 && nested_caught == 501500 ? 0 : 1;
}
