// 200 threads over the program's life, in waves of 8 (more threads than
// cores, and more than are ever alive at once): each records the id
// thread-spawn gave it; all must run, with distinct positive ids.
//   many_threads.wasm [TOTAL] [WAVE]
#include "tlib.h"

enum { kMaxTotal = 4096 };
static int32_t ids[kMaxTotal];

static void* worker(void* slot) {
  *(int32_t*)slot = tl_thread_id();
  return 0;
}

int tl_main(int argc, char** argv) {
  int total = argc > 1 ? (int)tl_parse_u64(argv[1]) : 200;
  int wave = argc > 2 ? (int)tl_parse_u64(argv[2]) : 8;
  if (total < 1 || total > kMaxTotal || wave < 1 || wave > 64) return 2;
  tl_thread* threads[64];
  for (int done = 0; done < total;) {
    int n = total - done < wave ? total - done : wave;
    for (int i = 0; i < n; ++i)
      if (tl_thread_create(&threads[i], worker, &ids[done + i]) != 0) return 3;
    for (int i = 0; i < n; ++i) tl_thread_join(threads[i]);
    done += n;
  }
  int distinct = 0, positive = 0;
  for (int i = 0; i < total; ++i) {
    positive += ids[i] > 0;
    int seen = 0;
    for (int j = 0; j < i && !seen; ++j) seen = ids[j] == ids[i];
    distinct += !seen;
  }
  tl_put("threads=");
  tl_put_u64(total);
  tl_put(" distinct=");
  tl_put_u64(distinct);
  tl_put(" positive=");
  tl_put_u64(positive);
  tl_line_end();
  return 0;
}
