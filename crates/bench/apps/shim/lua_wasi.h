/* WASI has no temporary names, tmpfile or system(): give Lua's os/io
 * libraries failing stand-ins (the benchmarks do not use them). */
#include <stdio.h>
#include <stdlib.h>
#define LUA_TMPNAMBUFSIZE 32
#define lua_tmpnam(b, e) ((e) = 1)
#define tmpfile() ((FILE *)0)
#define system(c) (-1)
