#include "simplex_rt.h"

int main(void) {
    double xs[5] = {0.1, 0.5, 1.0, 2.5, 7.0};
    for (int i = 0; i < 5; i++) {
        double x = xs[i];
        print_f64(sin(x) + cos(x));
        print_f64(tan(x));
        print_f64(tanh(x) * exp(x));
        print_f64(log(x) + sqrt(x));
        print_f64(pow(x, 2.5));
        print_f64(fabs(0.0 - x));
        print_f64(floor(x * 3.7) + ceil(x * 3.7));
        print_f64(log10(x) + log2(x));
        print_f64(atan(x) + sinh(x) - cosh(x));
    }
    return 0;
}
