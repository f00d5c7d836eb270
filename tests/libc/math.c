/*
 * math.c - libm against known values (a few ulp of tolerance: newlib and
 * glibc need not round the last bit alike).
 */
#include <math.h>
#include <stdio.h>

static int failures;

static void near(const char *what, double got, double want)
{
    double tol = 4e-15 * (fabs(want) > 1 ? fabs(want) : 1);

    if (!(fabs(got - want) <= tol)) {
        printf("FAIL %s: got %.17g want %.17g\n", what, got, want);
        failures++;
    }
}

int main(void)
{
    near("sin(pi/6)", sin(M_PI / 6), 0.5);
    near("cos(0)", cos(0.0), 1.0);
    near("tan(pi/4)", tan(M_PI / 4), 1.0);
    near("exp(1)", exp(1.0), 2.718281828459045);
    near("log(e)", log(M_E), 1.0);
    near("log10(1000)", log10(1000.0), 3.0);
    near("pow(2,10)", pow(2.0, 10.0), 1024.0);
    near("pow(9,0.5)", pow(9.0, 0.5), 3.0);
    near("sqrt(2)", sqrt(2.0), 1.4142135623730951);
    near("cbrt(27)", cbrt(27.0), 3.0);
    near("atan2(1,1)", atan2(1.0, 1.0), M_PI / 4);
    near("fmod(7,3)", fmod(7.0, 3.0), 1.0);
    near("floor(-1.5)", floor(-1.5), -2.0);
    near("ceil(1.2)", ceil(1.2), 2.0);
    near("round(2.5)", round(2.5), 3.0);
    near("hypot(3,4)", hypot(3.0, 4.0), 5.0);
    if (fabsf(sinf(1.0f) - 0.84147098f) > 1e-6f) {
        printf("FAIL sinf\n");
        failures++;
    }
    if (!isnan(sqrt(-1.0)) || !isinf(1.0 / 0.0) || isfinite(HUGE_VAL)) {
        printf("FAIL special values\n");
        failures++;
    }
    if (failures)
        return 1;
    puts("ok math");
    return 0;
}
