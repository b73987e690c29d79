// What a thread costs a wasi-threads program under Weft (bench/threads.sh):
// spawn + join of a thread that does nothing, an uncontended tl_mutex
// lock/unlock pair, and a wait/notify round trip between two threads.
// thread_costs_native.c measures the same on the host.
#include "tlib.h"

static void* nothing(void* unused) { return unused; }

static _Atomic int32_t turn;
enum { kRoundTrips = 20000 };

// Two threads take turns on {turn}: each waits for its value, then hands over.
static void* partner(void* unused) {
  (void)unused;
  for (int32_t i = 0; i < kRoundTrips; ++i) {
    while (tl_load(&turn) != 2 * i + 1) tl_wait(&turn, 2 * i, -1);
    tl_store(&turn, 2 * i + 2);
    tl_notify(&turn, 1);
  }
  return 0;
}

int tl_main(int argc, char** argv) {
  (void)argc, (void)argv;
  enum { kSpawns = 2000, kLocks = 20000000 };
  uint64_t start = tl_now_ns();
  for (int i = 0; i < kSpawns; ++i) {
    tl_thread* thread;
    if (tl_thread_create(&thread, nothing, 0) != 0) return 3;
    tl_thread_join(thread);
  }
  uint64_t spawn = (tl_now_ns() - start) / kSpawns;

  static tl_mutex lock;
  static volatile int counter;
  start = tl_now_ns();
  for (int i = 0; i < kLocks; ++i) {
    tl_mutex_lock(&lock);
    counter = counter + 1;
    tl_mutex_unlock(&lock);
  }
  uint64_t lockPair = (tl_now_ns() - start) * 1000 / kLocks;  // picoseconds

  tl_thread* other;
  if (tl_thread_create(&other, partner, 0) != 0) return 3;
  start = tl_now_ns();
  for (int32_t i = 0; i < kRoundTrips; ++i) {
    tl_store(&turn, 2 * i + 1);
    tl_notify(&turn, 1);
    while (tl_load(&turn) != 2 * i + 2) tl_wait(&turn, 2 * i + 1, -1);
  }
  uint64_t roundTrip = (tl_now_ns() - start) / kRoundTrips;
  tl_thread_join(other);

  tl_put("spawn_join_us=");
  tl_put_u64(spawn / 1000);
  tl_put(".");
  tl_put_u64(spawn / 100 % 10);
  tl_put(" mutex_pair_ns=");
  tl_put_u64(lockPair / 1000);
  tl_put(".");
  tl_put_u64(lockPair / 100 % 10);
  tl_put(" wait_notify_round_trip_us=");
  tl_put_u64(roundTrip / 1000);
  tl_put(".");
  tl_put_u64(roundTrip / 100 % 10);
  tl_line_end();
  return 0;
}
