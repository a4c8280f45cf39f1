# The tag clang's Wasm SjLj lowering throws, with the jmp_buf and value as
# an i32 pointer payload; wasi-libc defines it only when it is built with
# exception handling, so the program brings its own.
.globl __c_longjmp
.tagtype __c_longjmp i32
__c_longjmp:
