/* The output functions of the original Simplex runtime, as the oracle of the
   simplex_* test programs.  print_f64 is C's "%g" and a newline; NaN prints
   as "nan" whatever its sign, as the original runtime does on macOS, whose
   printf has no "-nan". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void print(const char *s) { printf("%s", s); }
static void println(const char *s) { printf("%s\n", s); }
static void print_i64(int64_t n) { printf("%lld", (long long)n); }
static void print_f64(double x) {
    if (isnan(x)) {
        printf("nan\n");
    } else {
        printf("%g\n", x);
    }
}
static int64_t f64_to_bits(double x) {
    int64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}
static double bits_to_f64(int64_t b) {
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}
