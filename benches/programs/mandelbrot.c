/* f64 numerics: the Mandelbrot set on an n x n grid, at most 64 iterations
 * per point. */
#include "bench.h"

EXPORT int run(int n) {
    u32 inside = 0, iters = 0;
    for (int py = 0; py < n; py++) {
        double ci = 2.0 * py / n - 1.0;
        for (int px = 0; px < n; px++) {
            double cr = 2.5 * px / n - 2.0;
            double zr = 0, zi = 0, tr = 0, ti = 0;
            int k = 0;
            for (; k < 64 && tr + ti <= 4.0; k++) {
                zi = 2.0 * zr * zi + ci;
                zr = tr - ti + cr;
                tr = zr * zr;
                ti = zi * zi;
            }
            iters += (u32)k;
            if (k == 64) inside++;
        }
    }
    return (int)(inside * 65599u + iters);
}
