// tlib (tlib.h): WASI preview 1 and wasi-threads imports, by hand.
#include "tlib.h"

#define WASI_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

typedef struct {
  uint32_t buffer;
  uint32_t length;
} tl_iovec;

WASI_IMPORT(fd_write) int32_t wasi_fd_write(int32_t fd, const tl_iovec* vectors, int32_t count, uint32_t* written);
WASI_IMPORT(args_sizes_get) int32_t wasi_args_sizes_get(uint32_t* count, uint32_t* bytes);
WASI_IMPORT(args_get) int32_t wasi_args_get(char** argv, char* buffer);
WASI_IMPORT(clock_time_get) int32_t wasi_clock_time_get(int32_t clock, int64_t precision, uint64_t* time);
WASI_IMPORT(proc_exit) _Noreturn void wasi_proc_exit(int32_t code);
__attribute__((import_module("wasi"), import_name("thread-spawn"))) int32_t wasi_thread_spawn(void* start_arg);

// Made by wasm-ld for a shared memory: copies the TLS image to {block} and
// points __tls_base at it.
extern void __wasm_init_tls(void* block);

struct tl_thread {
  void* stack_top;  // first: thread_start.s reads it
  void* tls;
  void* (*fn)(void*);
  void* arg;
  void* result;
  int id;
  _Atomic int32_t done;
};

enum { kStackBytes = 64 * 1024, kPage = 65536 };

static _Thread_local int current_id;  // 0 in the main thread
_Alignas(16) static char main_tls[4096];

// Memory comes from memory.grow, which threads may call at once: the engine
// serializes them, and each gets its own fresh pages.
void* tl_alloc(size_t bytes) {
  size_t pages = (bytes + kPage - 1) / kPage;
  int32_t old = __builtin_wasm_memory_grow(0, pages);
  if (old < 0) {
    tl_put("tl_alloc: memory.grow failed");
    tl_line_end();
    tl_exit(70);
  }
  return (void*)((uintptr_t)old * kPage);
}

void tl_thread_entry(int id, tl_thread* thread) {
  __wasm_init_tls(thread->tls);
  current_id = id;
  thread->result = thread->fn(thread->arg);
  tl_store(&thread->done, 1);
  tl_notify(&thread->done, UINT32_MAX);
}

int tl_thread_create(tl_thread** out, void* (*fn)(void*), void* arg) {
  size_t tls = (__builtin_wasm_tls_size() + 15) & ~(size_t)15;
  char* block = tl_alloc(sizeof(tl_thread) + 16 + tls + kStackBytes);
  tl_thread* thread = (tl_thread*)block;
  thread->tls = block + ((sizeof(tl_thread) + 15) & ~(size_t)15);
  thread->stack_top = (char*)thread->tls + tls + kStackBytes;
  thread->fn = fn;
  thread->arg = arg;
  int id = wasi_thread_spawn(thread);
  if (id < 0) return id;
  thread->id = id;
  *out = thread;
  return 0;
}

void* tl_thread_join(tl_thread* thread) {
  while (!tl_load(&thread->done)) tl_wait(&thread->done, 0, -1);
  return thread->result;
}

int tl_thread_id(void) { return current_id; }

static int32_t exchange(_Atomic int32_t* cell, int32_t value) {
  return __c11_atomic_exchange(cell, value, __ATOMIC_SEQ_CST);
}

void tl_mutex_lock(tl_mutex* mutex) {
  int32_t seen = 0;
  if (__c11_atomic_compare_exchange_strong(&mutex->state, &seen, 1, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return;
  if (seen != 2) seen = exchange(&mutex->state, 2);
  while (seen != 0) {
    tl_wait(&mutex->state, 2, -1);
    seen = exchange(&mutex->state, 2);
  }
}

void tl_mutex_unlock(tl_mutex* mutex) {
  if (__c11_atomic_fetch_sub(&mutex->state, 1, __ATOMIC_SEQ_CST) != 1) {
    tl_store(&mutex->state, 0);
    tl_notify(&mutex->state, 1);
  }
}

void tl_cond_wait(tl_cond* cond, tl_mutex* mutex) {
  int32_t sequence = tl_load(&cond->sequence);
  tl_mutex_unlock(mutex);
  tl_wait(&cond->sequence, sequence, -1);
  tl_mutex_lock(mutex);
}

void tl_cond_signal(tl_cond* cond) {
  tl_add(&cond->sequence, 1);
  tl_notify(&cond->sequence, 1);
}

void tl_cond_broadcast(tl_cond* cond) {
  tl_add(&cond->sequence, 1);
  tl_notify(&cond->sequence, UINT32_MAX);
}

static _Thread_local char line[512];
static _Thread_local size_t line_used;

void tl_put(const char* text) {
  while (*text && line_used < sizeof line) line[line_used++] = *text++;
}

void tl_put_u64(uint64_t value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  char text[24];
  for (int i = 0; i < n; ++i) text[i] = digits[n - 1 - i];
  text[n] = 0;
  tl_put(text);
}

void tl_put_i64(int64_t value) {
  if (value < 0) {
    tl_put("-");
    tl_put_u64(-(uint64_t)value);
  } else {
    tl_put_u64((uint64_t)value);
  }
}

void tl_line_end(void) {
  tl_put("\n");
  if (line_used == sizeof line) line[sizeof line - 1] = '\n';
  tl_iovec vector = {(uint32_t)(uintptr_t)line, (uint32_t)line_used};
  uint32_t written;
  wasi_fd_write(1, &vector, 1, &written);
  line_used = 0;
}

uint64_t tl_parse_u64(const char* text) {
  uint64_t value = 0;
  while (*text >= '0' && *text <= '9') value = value * 10 + (uint64_t)(*text++ - '0');
  return value;
}

uint64_t tl_now_ns(void) {
  uint64_t now = 0;
  wasi_clock_time_get(1, 1, &now);
  return now;
}

void tl_sleep_ns(uint64_t ns) {
  _Atomic int32_t never = 0;
  tl_wait(&never, 0, (int64_t)ns);
}

_Noreturn void tl_exit(int code) { wasi_proc_exit(code); }

void _start(void) {
  if (__builtin_wasm_tls_size() > sizeof main_tls) tl_exit(71);
  __wasm_init_tls(main_tls);
  uint32_t count = 0, bytes = 0;
  wasi_args_sizes_get(&count, &bytes);
  char** argv = tl_alloc((count + 1) * sizeof(char*) + bytes);
  wasi_args_get(argv, (char*)(argv + count + 1));
  argv[count] = 0;
  tl_exit(tl_main((int)count, argv));
}
