/* Benchmark build without Wasm exception handling: Lua's error recovery
 * (LUAI_THROW/LUAI_TRY) is replaced by abort(), so this header only needs
 * the type. */
typedef int jmp_buf[1];
