// A trap inside nested calls: weft run prints the kind and a wasm backtrace
// with function names, and exits non-zero.
#include <stdio.h>

__attribute__((noinline)) int divide(int a, int b) { return a / b; }
__attribute__((noinline)) int middle(int b) { return divide(100, b) + 1; }

int main(int argc, char** argv) {
  (void)argv;
  printf("before the trap\n");
  fflush(stdout);
  return middle(argc - 1);  // argc is 1: divides by zero
}
