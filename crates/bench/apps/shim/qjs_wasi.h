/* WASI's fenv.h has only round-to-nearest: QuickJS's directed rounding
 * (Number.prototype.toPrecision edge cases) then rounds to nearest. */
#include <fenv.h>
#ifndef FE_DOWNWARD
#define FE_DOWNWARD 0x400
#define FE_UPWARD 0x800
#endif
