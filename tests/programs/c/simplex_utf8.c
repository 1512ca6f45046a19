#include "simplex_rt.h"

int main(void) {
    println("############################################");
    println("#  T(k) < 0 at low k → forward cascade     #");
    println("#  ∑ T(k) = 0,  ε → 0,  ✓ stable           #");
    println("############################################");
    println("Größe: αβγ — ünïcödé ☃ 日本語");
    print("│ ");
    print_i64((int64_t)strlen("→"));
    print(" │ ");
    print_i64((int64_t)strlen("日本語"));
    println(" │");
    print_i64((unsigned char)"é"[0]);
    print(" ");
    print_i64((unsigned char)"é"[1]);
    println("");
    return 0;
}
