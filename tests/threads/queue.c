// Producers and consumers over a bounded queue (16 slots) guarded by a
// tl_mutex with "not full" and "not empty" condition variables. Every item
// must be consumed exactly once: the consumed count and sum are exact.
//   queue.wasm [PRODUCERS] [CONSUMERS] [ITEMS_PER_PRODUCER]
#include "tlib.h"

enum { kSlots = 16 };
static uint32_t slots[kSlots];
static int head, count;
static tl_mutex lock;
static tl_cond not_full, not_empty;
static uint32_t items = 50000;

static void push(uint32_t value) {
  tl_mutex_lock(&lock);
  while (count == kSlots) tl_cond_wait(&not_full, &lock);
  slots[(head + count++) % kSlots] = value;
  tl_cond_signal(&not_empty);
  tl_mutex_unlock(&lock);
}

static uint32_t pop(void) {
  tl_mutex_lock(&lock);
  while (count == 0) tl_cond_wait(&not_empty, &lock);
  uint32_t value = slots[head];
  head = (head + 1) % kSlots;
  --count;
  tl_cond_signal(&not_full);
  tl_mutex_unlock(&lock);
  return value;
}

typedef struct {
  uint64_t consumed, sum;
} tally;

static void* producer(void* unused) {
  (void)unused;
  for (uint32_t i = 1; i <= items; ++i) push(i);
  return 0;
}

static void* consumer(void* result) {
  tally* t = result;
  for (uint32_t value; (value = pop()) != 0;) {
    ++t->consumed;
    t->sum += value;
  }
  return 0;
}

int tl_main(int argc, char** argv) {
  int producers = argc > 1 ? (int)tl_parse_u64(argv[1]) : 2;
  int consumers = argc > 2 ? (int)tl_parse_u64(argv[2]) : 2;
  if (argc > 3) items = (uint32_t)tl_parse_u64(argv[3]);
  if (producers < 1 || consumers < 1 || producers + consumers > 32) return 2;
  tl_thread* threads[32];
  tally tallies[32] = {{0, 0}};
  for (int i = 0; i < consumers; ++i)
    if (tl_thread_create(&threads[i], consumer, &tallies[i]) != 0) return 3;
  for (int i = 0; i < producers; ++i)
    if (tl_thread_create(&threads[consumers + i], producer, 0) != 0) return 3;
  for (int i = 0; i < producers; ++i) tl_thread_join(threads[consumers + i]);
  for (int i = 0; i < consumers; ++i) push(0);  // one end mark per consumer
  uint64_t consumed = 0, sum = 0;
  for (int i = 0; i < consumers; ++i) {
    tl_thread_join(threads[i]);
    consumed += tallies[i].consumed;
    sum += tallies[i].sum;
  }
  tl_put("consumed=");
  tl_put_u64(consumed);
  tl_put(" sum=");
  tl_put_u64(sum);
  tl_line_end();
  return 0;
}
