/* Oracle of simplex_lambda_escape.sx: the original lexer reads `\d` as `d` and
   `\t` as a tab; print_f64 is "%g\n". */
#include <math.h>
#include <stdio.h>

int main(void) {
    long total = 0;
    for (long i = 0; i < 5; i++) total += i * 3;
    printf("%ld\n", total);
    printf("%ld\n", 16 + 10 + 7L);
    printf("path\to%cir q%c\n", 'd', 'd');
    printf("%g\n", sqrt(2.0));
    return 0;
}
