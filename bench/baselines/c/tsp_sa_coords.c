/* W1's 2-opt annealing on any instance: reads "n" and then n lines "x y"
 * from a coordinate file, builds TSPLIB EUC_2D distances
 * (floor(sqrt(dx*dx + dy*dy) + 0.5)) and anneals from the tour 0..n-1 with
 * splitmix64 at state 42, T0 = 100, Tend = 0.01, exactly as tsp_sa.c does.
 * usage: tsp_sa_coords FILE steps repeats [impl-label=c]
 * Prints one JSON line; only the annealing loop is timed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "splitmix.h"

static int n;
static double *D;

static double tour_length(const int *tour) {
    double L = 0.0;
    for (int k = 0; k < n; k++) L += D[tour[k] * n + tour[(k + 1) % n]];
    return L;
}

typedef struct { double final_len, best_len, cur_len; long accepted; } result_t;

static result_t anneal(int *tour, uint64_t st, long steps, double T0, double Tend) {
    for (int k = 0; k < n; k++) tour[k] = k;
    const double alpha = exp(log(Tend / T0) / (double)(steps - 1));
    double T = T0;
    double cur = tour_length(tour), best = cur;
    long accepted = 0;
    for (long step = 0; step < steps; step++) {
        int i, j;
        for (;;) {
            i = (int)(u01(&st) * n);
            j = (int)(u01(&st) * n);
            if (i > j) { int t = i; i = j; j = t; }
            if (i != j && !(i == 0 && j == n - 1)) break;
        }
        const int a = tour[(i + n - 1) % n], b = tour[i], c = tour[j], d = tour[(j + 1) % n];
        const double delta = (D[a * n + c] + D[b * n + d]) - (D[a * n + b] + D[c * n + d]);
        if (delta < 0.0 || u01(&st) < exp(-delta / T)) {
            for (int l = i, r = j; l < r; l++, r--) { int t = tour[l]; tour[l] = tour[r]; tour[r] = t; }
            cur += delta;
            accepted++;
            if (cur < best) best = cur;
        }
        T *= alpha;
    }
    result_t res = { tour_length(tour), best, cur, accepted };
    return res;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s FILE steps repeats [impl-label]\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    long steps = atol(argv[2]);
    int reps = atoi(argv[3]);
    const char *label = argc > 4 ? argv[4] : "c";
    if (fscanf(f, "%d", &n) != 1 || n < 3) { fprintf(stderr, "%s: invalid city count\n", argv[1]); return 1; }
    double *xs = malloc(sizeof(double) * (size_t)n), *ys = malloc(sizeof(double) * (size_t)n);
    for (int c = 0; c < n; c++)
        if (fscanf(f, "%lf %lf", &xs[c], &ys[c]) != 2) { fprintf(stderr, "%s: missing coordinates\n", argv[1]); return 1; }
    fclose(f);
    D = malloc(sizeof(double) * (size_t)n * (size_t)n);
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            double dx = xs[a] - xs[b], dy = ys[a] - ys[b];
            D[a * n + b] = floor(sqrt(dx * dx + dy * dy) + 0.5);
        }
    int *tour = malloc(sizeof(int) * (size_t)n);
    double *times = malloc(sizeof(double) * (size_t)reps);
    result_t r = {0};
    for (int k = 0; k < reps; k++) {
        double t0 = now_s();
        r = anneal(tour, 42, steps, 100.0, 0.01);
        times[k] = now_s() - t0;
    }
    printf("{\"impl\":\"%s\",\"cities\":%d,\"steps\":%ld,\"final_len\":%.17g,\"final_len_hex\":\"%a\","
           "\"best_len\":%.17g,\"best_len_hex\":\"%a\",\"accepted\":%ld,",
           label, n, steps, r.final_len, r.final_len, r.best_len, r.best_len, r.accepted);
    print_times(times, reps);
    printf("}\n");
    return 0;
}
