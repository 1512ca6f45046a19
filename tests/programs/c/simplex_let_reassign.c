#include "simplex_rt.h"

int main(void) {
    /* [x, 2x] . [3, 1] at x = 2, x a variable: value 3x + 2x = 10, derivative 5 */
    int64_t pairs_a[4] = {2, 1, 4, 2};
    int64_t pairs_b[4] = {3, 0, 1, 0};
    int64_t val = 0, deriv = 0;
    for (int i = 0; i < 2; i++) {
        int64_t av = pairs_a[2 * i], ad = pairs_a[2 * i + 1];
        int64_t bv = pairs_b[2 * i], bd = pairs_b[2 * i + 1];
        val += av * bv;
        deriv += ad * bv + av * bd;
    }
    print_i64(val);
    print(" ");
    print_i64(deriv);
    println("");
    int64_t failed = 0;
    if (val != 10) failed++;
    if (deriv != 5) failed++;
    if (4 != 5) failed++; /* the vector of a holds two pairs: four numbers */
    int64_t sum = 0;
    for (int k = 0; k < 5; k++) sum += k;
    if (sum != 10) failed++;
    print_i64(failed);
    println("");
    return (int)failed;
}
