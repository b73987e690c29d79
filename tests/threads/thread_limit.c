// Spawns threads that stay alive until released, until thread-spawn fails;
// prints how many it got and the error, then releases and joins them.
#include "tlib.h"

static _Atomic int32_t released;

static void* holder(void* unused) {
  (void)unused;
  while (!tl_load(&released)) tl_wait(&released, 0, -1);
  return 0;
}

int tl_main(int argc, char** argv) {
  (void)argc, (void)argv;
  enum { kTry = 64 };
  tl_thread* threads[kTry];
  int spawned = 0, error = 0;
  while (spawned < kTry && (error = tl_thread_create(&threads[spawned], holder, 0)) == 0) ++spawned;
  tl_store(&released, 1);
  tl_notify(&released, UINT32_MAX);
  for (int i = 0; i < spawned; ++i) tl_thread_join(threads[i]);
  tl_put("spawned=");
  tl_put_u64(spawned);
  tl_put(" error=");
  tl_put_i64(error);
  tl_line_end();
  return 0;
}
