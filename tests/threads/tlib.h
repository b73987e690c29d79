// tlib: the smallest runtime a threaded test program needs, since Debian's
// wasi-libc is built without threads. Programs are freestanding C (clang-14
// --target=wasm32 -nostdlib -matomics -mbulk-memory, linked with
// --shared-memory --import-memory) and define tl_main instead of main.
//   threads   tl_thread_create / tl_thread_join over wasi-threads' thread-spawn,
//             each with its own stack and TLS block (thread_start.s sets the
//             stack pointer; tl_thread_entry the TLS base)
//   locks     a mutex and a condition variable on memory.atomic.wait32/notify
//   the rest  arguments, whole-line output, a clock, memory, exit
#pragma once

#include <stddef.h>
#include <stdint.h>

int tl_main(int argc, char** argv);

typedef struct tl_thread tl_thread;
// 0 and *out set, or thread-spawn's negative error.
int tl_thread_create(tl_thread** out, void* (*fn)(void*), void* arg);
void* tl_thread_join(tl_thread* thread);
int tl_thread_id(void);  // the caller's: 0 for the main thread

// 0 unlocked, 1 locked, 2 locked with (maybe) waiters.
typedef struct {
  _Atomic int32_t state;
} tl_mutex;
void tl_mutex_lock(tl_mutex* mutex);
void tl_mutex_unlock(tl_mutex* mutex);

// Waiters sleep on a sequence number that every signal advances.
typedef struct {
  _Atomic int32_t sequence;
} tl_cond;
void tl_cond_wait(tl_cond* cond, tl_mutex* mutex);  // may wake spuriously: loop on the condition
void tl_cond_signal(tl_cond* cond);
void tl_cond_broadcast(tl_cond* cond);

// Output is assembled in a per-thread line and written with one fd_write, so
// lines of different threads never mix.
void tl_put(const char* text);
void tl_put_u64(uint64_t value);
void tl_put_i64(int64_t value);
void tl_line_end(void);  // writes the line to stdout

uint64_t tl_parse_u64(const char* text);
uint64_t tl_now_ns(void);  // monotonic
void tl_sleep_ns(uint64_t ns);
void* tl_alloc(size_t bytes);  // zeroed, 16-aligned, never freed
_Noreturn void tl_exit(int code);

// The atomics the programs use, by name.
#define tl_load(p) __c11_atomic_load((p), __ATOMIC_SEQ_CST)
#define tl_store(p, v) __c11_atomic_store((p), (v), __ATOMIC_SEQ_CST)
#define tl_add(p, v) __c11_atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
static inline int tl_wait(_Atomic int32_t* cell, int32_t expected, int64_t timeout_ns) {
  return __builtin_wasm_memory_atomic_wait32((int32_t*)cell, expected, timeout_ns);
}
static inline uint32_t tl_notify(_Atomic int32_t* cell, uint32_t count) {
  return __builtin_wasm_memory_atomic_notify((int32_t*)cell, count);
}
