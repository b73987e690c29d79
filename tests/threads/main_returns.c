// The main thread returns while two threads are blocked in wait forever and
// one is busy in a loop: the program ends then, with the main thread's exit
// code, as a native process does; no thread keeps it alive.
#include "tlib.h"

static _Atomic int32_t started, never;
static volatile uint64_t spins;

static void* blocked(void* unused) {
  (void)unused;
  tl_add(&started, 1);
  tl_notify(&started, 1);
  for (;;) tl_wait(&never, 0, -1);
  return 0;
}

static void* busy(void* unused) {
  (void)unused;
  tl_add(&started, 1);
  tl_notify(&started, 1);
  for (;;) spins = spins + 1;
  return 0;
}

int tl_main(int argc, char** argv) {
  (void)argc, (void)argv;
  tl_thread* threads[3];
  if (tl_thread_create(&threads[0], blocked, 0) || tl_thread_create(&threads[1], blocked, 0) ||
      tl_thread_create(&threads[2], busy, 0))
    return 10;
  for (int32_t seen; (seen = tl_load(&started)) < 3;) tl_wait(&started, seen, -1);
  tl_put("main done");
  tl_line_end();
  return 5;
}
