#include <stdlib.h>
#include "simplex_rt.h"

int main(void) {
    println("Hello, Simplex");
    print_i64(14);
    println("");
    println("ababab");
    println("0");
    printf("%lld\n", (long long)INT64_MIN);
    println("1234");
    println("H");
    print_i64('z');
    print(" ");
    print_i64(-1);
    print(" ");
    print_i64(-1);
    println("");
    println("plex");
    println("sim");
    println("");
    println("lex");
    print_i64(strtoll("12345", NULL, 10));
    print(" ");
    print_i64(strtoll("  -77 apples", NULL, 10));
    print(" ");
    print_i64(strtoll("+8", NULL, 10));
    print(" ");
    print_i64(strtoll("abc", NULL, 10));
    print(" ");
    print_i64(strtoll("-99999999999999999999", NULL, 10));
    println("");
    print_i64(1 + 2 + 2 + 3 + 3 + 3);
    println("");
    println("equal");
    println("different");
    return 0;
}
