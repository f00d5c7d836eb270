/* main.c - hermit-cc round trip: several sources, an archive, -I, -D, -lm. */
#include <math.h>
#include <stdio.h>

#include "shapes.h"

int main(void)
{
    printf("%s: area %.2f, hypot %.1f\n", GREETING, circle_area(2.0), hypot(3.0, 4.0));
    return square(3) == 9 ? 0 : 1;
}
