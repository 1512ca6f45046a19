#include "simplex_rt.h"

static double abs_f64(double x) { return x >= 0.0 ? x : 0.0 - x; }
static double poly(double x) { return x * x * x - 2.0 * x - 5.0; }
static double dpoly(double x) { return 3.0 * x * x - 2.0; }

static double newton(double x0, double tol, int64_t max_iter) {
    double x = x0;
    for (int64_t i = 0; i < max_iter; i++) {
        double fx = poly(x);
        if (abs_f64(fx) < tol) {
            print("  converged after ");
            print_i64(i);
            println(" steps");
            return x;
        }
        x = x - fx / dpoly(x);
    }
    println("  no convergence");
    return x;
}

int main(void) {
    double starts[4] = {2.0, 10.0, -3.0, 0.5};
    for (int k = 0; k < 4; k++) {
        print("start ");
        print_f64(starts[k]);
        double root = newton(starts[k], 1e-12, 60);
        print_f64(root);
        print_f64(poly(root));
    }
    return 0;
}
