#include "simplex_rt.h"

static int64_t is_prime(int64_t n) {
    if (n < 2) return 0;
    for (int64_t d = 2; d * d <= n; d++) {
        if (n % d == 0) return 0;
    }
    return 1;
}

int main(void) {
    int64_t primes = 0, odd = 0;
    for (int64_t k = -3; k < 60; k++) {
        if (is_prime(k)) primes++;
        if (k % 2) odd++;
    }
    int64_t countdown = 5, steps = 0;
    while (countdown) {
        countdown--;
        steps++;
    }
    print_i64(primes);
    print(" ");
    print_i64(odd);
    print(" ");
    print_i64(steps);
    println("");
    return 0;
}
