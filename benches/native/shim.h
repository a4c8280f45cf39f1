/* Declarations of shim.c's stand-ins for the Wasm memory builtins. */
unsigned long native_memory_size(void);
long native_memory_grow(unsigned long pages);
