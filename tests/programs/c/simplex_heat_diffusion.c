#include "simplex_rt.h"

#define N 41

static double total_heat(const double *u) {
    double s = 0.0;
    for (int i = 0; i < N; i++) s = s + u[i];
    return s;
}

int main(void) {
    double u[N], next[N];
    for (int i = 0; i < N; i++) {
        double x = (double)i / (double)(N - 1);
        u[i] = sin(3.141592653589793 * x) + (i == 20 ? 1.0 : 0.0);
    }
    print("heat at t=0: ");
    print_f64(total_heat(u));
    for (int t = 1; t <= 200; t++) {
        next[0] = 0.0;
        for (int i = 1; i < N - 1; i++) {
            double lap = u[i - 1] - 2.0 * u[i] + u[i + 1];
            next[i] = u[i] + 0.25 * lap;
        }
        next[N - 1] = 0.0;
        for (int i = 0; i < N; i++) u[i] = next[i];
        if (t % 50 == 0) {
            print("t=");
            print_i64(t);
            print(" centre=");
            print_f64(u[20]);
        }
    }
    print("heat at t=200: ");
    print_f64(total_heat(u));
    return 0;
}
