/* square.c - goes into an archive for the hermit-cc round trip. */
#include "shapes.h"

int square(int x)
{
    return x * x;
}
