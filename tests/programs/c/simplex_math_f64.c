#include "simplex_rt.h"

int main(void) {
    for (double x = 0.25; x < 4.0; x = x * 2.0) {
        print_f64(sqrt(x));
        print_f64(exp(x));
        print_f64(log(x));
        print_f64(sin(x));
        print_f64(cos(x));
        print_f64(tanh(x));
        print_f64(pow(x, 1.5));
    }
    volatile double minus_one = -1.0, zero = 0.0, big = 1000.0, minus_eight = -8.0;
    print_f64(sqrt(minus_one));
    print_f64(log(zero));
    print_f64(exp(big));
    print_f64(pow(minus_eight, 1.0 / 3.0));
    print_f64(pow(zero, zero));
    print_f64(tanh(30.0));
    return 0;
}
