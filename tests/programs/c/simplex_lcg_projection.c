#include "simplex_rt.h"

static double abs_f64(double x) { return x >= 0.0 ? x : 0.0 - x; }

static int64_t lcg_next(int64_t state) {
    return (int64_t)((uint64_t)state * 1664525u + 1013904223u);
}

static double lcg_f64(int64_t state) {
    int64_t s = state;
    if (s < 0) s = (int64_t)(0u - (uint64_t)s);
    int64_t r = s % 2147483647;
    return (double)r / 2147483647.0;
}

static double train(double t0, double t1, double t2, double t3, double noise_amp,
                    int64_t steps, double lr, int64_t seed) {
    double w0 = 0.0, w1 = 0.0, w2 = 0.0, w3 = 0.0;
    int64_t rng = seed;
    for (int64_t step = 0; step < steps; step++) {
        rng = lcg_next(rng);
        double noise = (lcg_f64(rng) - 0.5) * 2.0 * noise_amp;
        w0 = w0 - lr * (2.0 * (w0 - t0) + noise);
        w1 = w1 - lr * (2.0 * (w1 - t1) + noise);
        w2 = w2 - lr * (2.0 * (w2 - t2) + noise);
        w3 = w3 - lr * (2.0 * (w3 - t3) + noise);
    }
    double d0 = w0 - t0, d1 = w1 - t1, d2 = w2 - t2, d3 = w3 - t3;
    return d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
}

int main(void) {
    println("============================================================");
    println("  STOCHASTIC PROJECTION: does noise move the fixed point?");
    println("============================================================");
    println("");
    println("  amp      loss");
    double worst = 0.0;
    for (int64_t k = 0; k < 6; k++) {
        double amp = (double)k * 0.2;
        double loss = train(1.0, -2.0, 0.5, 3.0, amp, 400, 0.05, 42 + k);
        print("  ");
        print_f64(amp);
        print("   ");
        print_f64(loss);
        if (abs_f64(loss) > worst) worst = abs_f64(loss);
    }
    println("");
    print("  worst loss = ");
    print_f64(worst);
    if (worst < 0.01) {
        println("  → noise is harmless ✓");
    } else {
        println("  → noise matters ✗");
    }
    return 0;
}
