// 8 threads increment one plain counter 125,000 times each under a tl_mutex:
// exactly 1,000,000 only if the mutex excludes. Each thread also checks that
// its thread-local copy kept its own value throughout (one TLS block each).
//   counter.wasm [THREADS] [INCREMENTS_PER_THREAD]
#include "tlib.h"

static tl_mutex lock;
static uint64_t counter;
static int per_thread = 125000;
static _Thread_local int mine;
static _Atomic int32_t tls_failures;

static void* worker(void* arg) {
  int id = (int)(uintptr_t)arg;
  mine = id;
  for (int i = 0; i < per_thread; ++i) {
    tl_mutex_lock(&lock);
    ++counter;
    tl_mutex_unlock(&lock);
    if (mine != id) tl_add(&tls_failures, 1);
  }
  return 0;
}

int tl_main(int argc, char** argv) {
  int threads = argc > 1 ? (int)tl_parse_u64(argv[1]) : 8;
  if (argc > 2) per_thread = (int)tl_parse_u64(argv[2]);
  if (threads < 1 || threads > 64) return 2;
  tl_thread* spawned[64];
  for (int i = 0; i < threads; ++i)
    if (tl_thread_create(&spawned[i], worker, (void*)(uintptr_t)(i + 100)) != 0) return 3;
  for (int i = 0; i < threads; ++i) tl_thread_join(spawned[i]);
  tl_put("counter=");
  tl_put_u64(counter);
  tl_put(" tls_failures=");
  tl_put_u64((uint64_t)tl_load(&tls_failures));
  tl_line_end();
  return 0;
}
