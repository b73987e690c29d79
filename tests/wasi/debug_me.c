// The program `weft debug` is tested on (tests/cli/debug_session.sh), built
// at -O0 so that its functions, names and calls stay as written.
#include <stdio.h>
#include <stdlib.h>

int counter = 7;

static long long factorial(int n) {
  if (n <= 1) return 1;
  return n * factorial(n - 1);
}

static int divide(int a, int b) { return a / b; }

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 5;
  long long result = factorial(n);
  printf("%d! = %lld\n", n, result);
  counter += n;
  if (argc > 2) printf("quotient %d\n", divide(n, atoi(argv[2])));
  return counter == 7 + n ? 0 : 3;
}
