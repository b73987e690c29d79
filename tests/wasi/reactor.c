// A WASI reactor (built with -mexec-model=reactor): no _start; _initialize runs
// the constructors, and wasi-libc fills its table of preopens there, so an
// export called without it would see neither.
#include <stdio.h>

static int setByConstructor;

__attribute__((constructor)) static void setUp(void) { setByConstructor = 42; }

__attribute__((export_name("constructor_ran"))) int constructorRan(void) { return setByConstructor; }

// The size of /data/greeting.txt, or -1 if it cannot be opened.
__attribute__((export_name("count_bytes"))) int countBytes(void) {
  FILE* file = fopen("/data/greeting.txt", "r");
  if (!file) {
    perror("fopen /data/greeting.txt");
    return -1;
  }
  int count = 0;
  while (fgetc(file) != EOF) ++count;
  fclose(file);
  return count;
}
