#include "simplex_rt.h"

static double my_sqrt(double x) {
    if (x <= 0.0) return 0.0;
    double g = x;
    for (int i = 0; i < 30; i++) g = 0.5 * (g + x / g);
    return g;
}

int main(void) {
    print_f64(4.5);
    print_f64(my_sqrt(2.0));
    print_f64(my_sqrt(-9.0));
    print_f64(exp(1.0));
    print_i64(300);
    println("");
    return 0;
}
