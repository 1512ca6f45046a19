#include "simplex_rt.h"

int main(void) {
    print_i64(-5);
    println("");
    return -1;
}
