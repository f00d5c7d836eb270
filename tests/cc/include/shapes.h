/* shapes.h - found through -I in the hermit-cc round trip. */
double circle_area(double r);
int square(int x);
