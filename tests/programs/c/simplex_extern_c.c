#include "simplex_rt.h"

#define PI 3.14159265358979323846

int main(void) {
    print_f64(sin(PI / 6.0) + cos(PI / 3.0));
    print_f64(atan2(1.0, -1.0));
    print_f64(atan2(0.0 - 0.0, -1.0));
    print_f64(log(2.0) * pow(2.0, 0.5));
    print_f64(fabs(-3.25));
    print_f64(fmod(7.5, 2.0));
    print_f64(fmod(-7.5, 2.0));
    print_f64(hypot(3.0, 4.0));
    print_f64(fmin(2.0, -1.0) + fmax(2.0, -1.0));
    print_f64(floor(-2.5) + ceil(-2.5) + round(-2.5) + trunc(-2.7));
    print_f64(round(2.5));
    print_f64(exp(sqrt(2.0)));
    print_f64(cbrt(-27.0));
    print_f64(asin(0.5) + acos(0.5));
    return 0;
}
