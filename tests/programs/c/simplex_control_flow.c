#include "simplex_rt.h"

static int64_t sign(int64_t x) {
    if (x > 0) return 1;
    return x < 0 ? -1 : 0;
}

static int64_t first_divisor(int64_t n) {
    for (int64_t d = 2; d * d <= n; d++) {
        if (n % d == 0) return d;
    }
    return n;
}

static int64_t collatz_steps(int64_t n) {
    int64_t steps = 0;
    while (n != 1) {
        n = n % 2 == 0 ? n / 2 : 3 * n + 1;
        steps += 1;
    }
    return steps;
}

int main(void) {
    print_i64(sign(-5) + sign(0) * 10 + sign(7) * 100);
    println("");
    int64_t primes = 0;
    for (int64_t n = 2; n < 100; n++) {
        if (first_divisor(n) == n) primes++;
    }
    print_i64(primes);
    println("");
    int64_t pairs = 0;
    for (int64_t i = 0; i < 10; i++) {
        int64_t j = 0;
        while (j < 10) {
            j = j + 1;
            if ((i + j) % 3 == 0) continue;
            if (j > i) break;
            pairs = pairs + 1;
        }
    }
    print_i64(pairs);
    println("");
    println(collatz_steps(27) > 100 ? "long" : "short");
    print_i64(collatz_steps(27));
    println("");
    return 0;
}
