#include "simplex_rt.h"

int main(void) {
    print("a");
    print("b");
    println("c");
    println("");
    print_i64(0);
    print(" ");
    print_i64(-42);
    print(" ");
    print_i64(INT64_MAX);
    print(" ");
    print_i64(INT64_MIN);
    println("");
    for (int64_t k = 1; k <= 3; k++) {
        print("  ");
        print_i64(k);
        print("    ");
        print_f64((double)k * 0.5);
        print("   ");
        print_f64((double)(k * k));
    }
    print("done");
    return 0;
}
