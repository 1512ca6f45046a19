#include "simplex_rt.h"

int main(void) {
    println("returning 300");
    return (int)(300 & 0xFF);
}
