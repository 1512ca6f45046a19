#include "simplex_rt.h"

static double series(double x, int64_t terms) {
    double total = 0.0;
    for (int64_t n = 0; n < terms; n++) total = total + pow(x, (double)n) / pow(2.0, (double)(n + 1));
    return total;
}

int main(void) {
    print_f64(pow(2.0, 10.0));
    print_f64(pow(1.5, 3.0));
    print_f64(pow(10.0, -2.0));
    print_f64(pow(2.0, 0.5));
    print("series: ");
    print_f64(series(0.9, 40));
    return 0;
}
