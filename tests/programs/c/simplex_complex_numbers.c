#include "simplex_rt.h"

typedef struct { double re, im; } Complex;

#define PI 3.14159265358979323846

static Complex cnew(double re, double im) { Complex z = {re, im}; return z; }
static Complex from_polar(double r, double t) { return cnew(r * cos(t), r * sin(t)); }
static Complex cmul(Complex a, Complex b) {
    return cnew(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}
static Complex cdiv(Complex a, Complex b) {
    double d = b.re * b.re + b.im * b.im;
    return cnew((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}
static Complex cexp_(Complex z) {
    double ea = exp(z.re);
    return cnew(ea * cos(z.im), ea * sin(z.im));
}
static Complex cln(Complex z) {
    return cnew(log(sqrt(z.re * z.re + z.im * z.im)), atan2(z.im, z.re));
}
static void show(const char *label, Complex z) {
    print(label);
    print_f64(z.re);
    print("  + i ");
    print_f64(z.im);
}

int main(void) {
    Complex a = cnew(1.0, 2.0), b = cnew(3.0, -4.0);
    show("a*b = ", cmul(a, b));
    show("a/b = ", cdiv(a, b));
    show("e^(i pi) = ", cexp_(cnew(0.0, PI)));
    show("ln(a) = ", cln(a));
    show("exp(ln(b)) = ", cexp_(cln(b)));
    Complex z = from_polar(1.0, PI / 7.0);
    for (int k = 1; k < 7; k++) z = cmul(z, from_polar(1.0, PI / 7.0));
    show("w^7 = ", z);
    return 0;
}
