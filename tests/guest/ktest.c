#include "console.h"
int main(int argc, char **argv) { (void)argc; (void)argv; kprintf("ktest\n"); return 0; }
