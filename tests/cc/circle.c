/* circle.c - a second source file for the hermit-cc round trip. */
#include "shapes.h"

double circle_area(double r)
{
    return 3.141592653589793 * r * r;
}
