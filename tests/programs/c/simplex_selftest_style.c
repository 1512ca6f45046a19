#include <stdlib.h>
#include "simplex_rt.h"

/* strstr from `start` (clamped at 0): the index of the first match, or -1. */
static int64_t find_from(const char *s, const char *needle, int64_t start) {
    if (start < 0) start = 0;
    if (start > (int64_t)strlen(s)) return -1;
    const char *hit = strstr(s + start, needle);
    return hit ? (int64_t)(hit - s) : -1;
}

static void report(const char *name, int ok, int *passed) {
    print(name);
    print(ok ? ": PASS\n" : ": FAIL\n");
    if (ok) *passed += 1;
}

int main(void) {
    int passed = 0;
    print("=== Self test ===\n\n");
    int64_t sum = 0;
    for (int i = 0; i < 5; i++) sum += i * 10;
    report("vec_loop", sum == 100, &passed);
    char built[16] = "";
    for (int i = 0; i < 3; i++) strcat(built, "ab");
    report("string_build", strlen(built) == 6, &passed);
    report("string_eq", strcmp("test", "test") == 0 && strcmp("test", "other") != 0, &passed);
    const char *s = "Hello World";
    report("search", strstr(s, "World") != NULL && strstr(s, "foo") == NULL &&
           find_from(s, "World", 0) == 6 && find_from(s, "xyz", 0) == -1, &passed);
    report("affixes", strncmp(s, "Hello", 5) == 0 && strcmp(s + strlen(s) - 5, "Hello") != 0,
           &passed);
    report("trim", strlen("hello") == 5, &passed);
    int64_t i = 0, result;
    for (;;) {
        i = i + 1;
        if (i == 5) { result = i * 10; break; }
    }
    report("loop_value", result == 50, &passed);
    report("find_from", find_from("abcabc", "bc", 2) == 4 && find_from("abc", "c", -5) == 2,
           &passed);
    report("empty_needle", find_from("abc", "", 0) == 1, &passed);
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", -4096LL);
    report("int_round_trip", strtoll(digits, NULL, 10) == -4096 && strlen(digits) == 5, &passed);
    print("\nPassed: ");
    print_i64(passed);
    print(" / 10\n");
    return passed;
}
