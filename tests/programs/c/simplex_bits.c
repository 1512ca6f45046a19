#include "simplex_rt.h"

int main(void) {
    double xs[6] = {0.0, -0.0, 1.0, -2.5, 1e300, 0.1};
    for (int i = 0; i < 6; i++) {
        int64_t b = f64_to_bits(xs[i]);
        print_i64(b);
        print(" ");
        print_f64(bits_to_f64(b));
    }
    print_f64(bits_to_f64(4607182418800017408LL));
    print_f64(bits_to_f64(-4616189618054758400LL));
    print_f64(bits_to_f64(9218868437227405312LL));
    print_i64(f64_to_bits(1.0) + 1);
    println("");
    print_f64(bits_to_f64(f64_to_bits(1.0) + 1) - 1.0);
    return 0;
}
