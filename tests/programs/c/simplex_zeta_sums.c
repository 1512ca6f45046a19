#include "simplex_rt.h"

static double zeta_partial(double sigma, int64_t nterms) {
    double total = 0.0;
    for (int64_t n = 1; n <= nterms; n++) total = total + 1.0 / pow((double)n, sigma);
    return total;
}

static double eta_partial(double sigma, int64_t nterms) {
    double total = 0.0, sign = 1.0;
    for (int64_t n = 1; n <= nterms; n++) {
        total = total + sign / pow((double)n, sigma);
        sign = 0.0 - sign;
    }
    return total;
}

int main(void) {
    println("  sigma   zeta(N=1000)   eta(N=1000)   ratio");
    double sigmas[5] = {1.5, 2.0, 3.0, 4.0, 6.5};
    for (int i = 0; i < 5; i++) {
        double s = sigmas[i];
        double z = zeta_partial(s, 1000);
        double e = eta_partial(s, 1000);
        print("  ");
        print_f64(s);
        print_f64(z);
        print_f64(e);
        print_f64(e / z);
        print_f64(1.0 - pow(2.0, 1.0 - s));
    }
    double pi = 3.141592653589793;
    print("  zeta(2) - pi^2/6 = ");
    print_f64(zeta_partial(2.0, 100000) - pi * pi / 6.0);
    return 0;
}
