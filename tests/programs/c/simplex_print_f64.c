#include "simplex_rt.h"

int main(void) {
    volatile double zero = 0.0;
    print_f64(0.0);
    print_f64(1.0);
    print_f64(-2.5);
    print_f64(1.0 / 3.0);
    print_f64(2.0 / 3.0);
    print_f64(100000.0);
    print_f64(1000000.0);
    print_f64(999999.5);
    print_f64(123456789.0);
    print_f64(0.0001);
    print_f64(0.00001234567);
    print_f64(1e21);
    print_f64(1.5e-300);
    print_f64(1.7976931348623157e308);
    print_f64(5e-324);
    print_f64(0.1 + 0.2);
    print_f64(3.14159265358979);
    print_f64(-0.000123456789);
    print_f64(1.0 / zero);
    print_f64(-1.0 / zero);
    print_f64(zero / zero);
    print_f64(0.0 - zero / zero);
    print_f64(-0.0);
    print_f64(0.0 - 0.0);
    print_f64(2.5 * 4.0);
    print_f64(7.0);
    return 0;
}
