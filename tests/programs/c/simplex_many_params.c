#include "simplex_rt.h"

static double dot8(double a0, double a1, double a2, double a3, double a4, double a5,
                   double a6, double a7, double b0, double b1, double b2, double b3,
                   double b4, double b5, double b6, double b7) {
    return a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3 + a4 * b4 + a5 * b5 + a6 * b6 + a7 * b7;
}

static double train_with_noise(double t0, double t1, double t2, double t3, double u0,
                               double u1, double u2, double u3, double v0, double v1,
                               double v2, double v3, double w0, double w1, double w2,
                               double w3, int64_t steps, double lr, double noise,
                               int64_t seed, double scale, double bias, int verbose,
                               int64_t tag) {
    double x0 = w0, x1 = w1, x2 = w2, x3 = w3;
    uint64_t rng = (uint64_t)seed;
    for (int64_t step = 0; step < steps; step++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        double jitter = (double)((((int64_t)rng) >> 33) % 1000) / 1000.0 * noise;
        x0 = x0 - lr * ((x0 - t0) + (x0 - u0) + (x0 - v0) + jitter);
        x1 = x1 - lr * ((x1 - t1) + (x1 - u1) + (x1 - v1) + jitter);
        x2 = x2 - lr * ((x2 - t2) + (x2 - u2) + (x2 - v2) + jitter);
        x3 = x3 - lr * ((x3 - t3) + (x3 - u3) + (x3 - v3) + jitter);
    }
    if (verbose) {
        print("run ");
        print_i64(tag);
        println("");
    }
    return (x0 + x1 + x2 + x3) * scale + bias;
}

int main(void) {
    print_f64(dot8(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0,
                   0.5, 0.25, 0.125, 0.0625, 2.0, 4.0, 8.0, 16.0));
    double r = train_with_noise(1.0, 2.0, 3.0, 4.0, 1.5, 2.5, 3.5, 4.5,
                                0.5, 1.5, 2.5, 3.5, 0.0, 0.0, 0.0, 0.0,
                                200, 0.05, 0.01, 12345, 2.0, -1.0, 1, 7);
    print_f64(r);
    return 0;
}
