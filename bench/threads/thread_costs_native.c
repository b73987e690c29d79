// thread_costs.c's figures for native code on the host: pthread_create +
// pthread_join, an uncontended pthread mutex pair, and a futex wait/wake
// round trip between two threads (what memory.atomic.wait/notify map to).
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void* nothing(void* unused) { return unused; }

static _Atomic int32_t turn;
enum { kRoundTrips = 20000 };

static void futex_wait(_Atomic int32_t* cell, int32_t expected) {
  syscall(SYS_futex, cell, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}
static void futex_wake(_Atomic int32_t* cell) { syscall(SYS_futex, cell, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static void* partner(void* unused) {
  for (int32_t i = 0; i < kRoundTrips; ++i) {
    while (atomic_load(&turn) != 2 * i + 1) futex_wait(&turn, 2 * i);
    atomic_store(&turn, 2 * i + 2);
    futex_wake(&turn);
  }
  return unused;
}

int main(void) {
  enum { kSpawns = 2000, kLocks = 20000000 };
  uint64_t start = now_ns();
  for (int i = 0; i < kSpawns; ++i) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, nothing, NULL) != 0) return 3;
    pthread_join(thread, NULL);
  }
  double spawn = (double)(now_ns() - start) / kSpawns;

  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static volatile int counter;
  start = now_ns();
  for (int i = 0; i < kLocks; ++i) {
    pthread_mutex_lock(&lock);
    counter = counter + 1;
    pthread_mutex_unlock(&lock);
  }
  double lockPair = (double)(now_ns() - start) / kLocks;

  pthread_t other;
  if (pthread_create(&other, NULL, partner, NULL) != 0) return 3;
  start = now_ns();
  for (int32_t i = 0; i < kRoundTrips; ++i) {
    atomic_store(&turn, 2 * i + 1);
    futex_wake(&turn);
    while (atomic_load(&turn) != 2 * i + 2) futex_wait(&turn, 2 * i + 1);
  }
  double roundTrip = (double)(now_ns() - start) / kRoundTrips;
  pthread_join(other, NULL);
  printf("spawn_join_us=%.1f mutex_pair_ns=%.1f wait_notify_round_trip_us=%.1f\n", spawn / 1000, lockPair,
         roundTrip / 1000);
  return 0;
}
