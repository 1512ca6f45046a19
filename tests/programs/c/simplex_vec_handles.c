#include "simplex_rt.h"

int main(void) {
    double a[20], b[20];
    for (int i = 0; i < 20; i++) {
        a[i] = (double)i * 0.5 - 3.0;
        b[i] = 1.25;
    }
    print_i64(20);
    println("");
    double dot = 0.0, aa = 0.0, bb = 0.0;
    for (int i = 0; i < 20; i++) dot = dot + a[i] * b[i];
    for (int i = 0; i < 20; i++) aa = aa + a[i] * a[i];
    for (int i = 0; i < 20; i++) bb = bb + b[i] * b[i];
    print_f64(dot);
    print_f64(dot / (sqrt(aa) * sqrt(bb)));
    a[0] = 100.0;
    print_f64(a[0]);
    print_i64(0);
    print(" ");
    print_i64(0);
    println("");
    print_f64(a[19]);
    print_i64(19);
    println("");
    print_i64(5 + -8 * 13);
    println("");
    print_i64(0);
    print(" ");
    print_i64(0);
    println("");
    print_i64(1);
    println("");
    return 0;
}
