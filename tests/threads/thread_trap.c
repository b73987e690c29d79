// A spawned thread traps (argument: "unreachable", "out-of-bounds" or
// "divide") while the main thread waits for it: the whole program must end
// with the trap's message and a backtrace naming the function, exit 134.
#include "tlib.h"

static volatile uint32_t far_away = 0xfffffff0u;
static volatile int zero;

__attribute__((noinline)) static int thread_trips(const char* how) {
  if (how[0] == 'u') __builtin_trap();
  if (how[0] == 'o') return *(volatile int*)(uintptr_t)far_away;
  return 7 / zero;
}

static void* worker(void* how) {
  tl_put("worker started");
  tl_line_end();
  tl_sleep_ns(20 * 1000 * 1000);
  return (void*)(uintptr_t)thread_trips(how);
}

int tl_main(int argc, char** argv) {
  tl_thread* thread;
  if (tl_thread_create(&thread, worker, argc > 1 ? argv[1] : "unreachable") != 0) return 3;
  tl_thread_join(thread);  // never returns: the trap ends the program
  tl_put("main thread ran on");
  tl_line_end();
  return 0;
}
