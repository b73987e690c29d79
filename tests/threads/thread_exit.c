// One thread calls proc_exit(3) while the main thread and three others are
// blocked in memory.atomic.wait: the program must end at once with code 3.
#include "tlib.h"

static _Atomic int32_t blocked, never;

static void* sleeper(void* unused) {
  (void)unused;
  tl_add(&blocked, 1);
  tl_notify(&blocked, 1);
  for (;;) tl_wait(&never, 0, -1);
  return 0;
}

static void* exiter(void* unused) {
  (void)unused;
  for (int32_t seen; (seen = tl_load(&blocked)) < 3;) tl_wait(&blocked, seen, -1);
  tl_sleep_ns(10 * 1000 * 1000);  // let them park
  tl_put("exiting with 3");
  tl_line_end();
  tl_exit(3);
}

int tl_main(int argc, char** argv) {
  (void)argc, (void)argv;
  tl_thread* threads[4];
  for (int i = 0; i < 3; ++i)
    if (tl_thread_create(&threads[i], sleeper, 0) != 0) return 10;
  if (tl_thread_create(&threads[3], exiter, 0) != 0) return 10;
  tl_thread_join(threads[0]);
  return 0;
}
