#include "simplex_rt.h"

int main(void) {
    println("Set {1, 2, 3}");
    println("{}");
    println("{{x}}");
    print("{");
    print("}\n");
    println("{a}");
    return 0;
}
