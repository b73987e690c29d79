// Threads share one WASI context: the main thread opens a file in the
// preopened directory (fd 3) and four threads write to that descriptor; each
// thread reads the environment itself. The host checks the file.
//   shared_state.wasm   (run with --dir DIR --env WHO=...)
#include "tlib.h"

#define WASI_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
WASI_IMPORT(path_open) int32_t wasi_path_open(int32_t fd, int32_t dirflags, const char* path, int32_t path_len,
                                              int32_t oflags, int64_t rights, int64_t inheriting, int32_t fdflags,
                                              int32_t* opened);
WASI_IMPORT(environ_sizes_get) int32_t wasi_environ_sizes_get(uint32_t* count, uint32_t* bytes);
WASI_IMPORT(environ_get) int32_t wasi_environ_get(char** environ, char* buffer);
WASI_IMPORT(fd_write) int32_t wasi_fd_write(int32_t fd, const uint32_t* vectors, int32_t count, uint32_t* written);

static int32_t file = -1;

static void* writer(void* arg) {
  uint32_t count = 0, bytes = 0;
  wasi_environ_sizes_get(&count, &bytes);
  char** environ = tl_alloc((count + 1) * sizeof(char*) + bytes);
  wasi_environ_get(environ, (char*)(environ + count + 1));
  const char* who = "?";
  for (uint32_t i = 0; i < count; ++i)
    if (environ[i][0] == 'W' && environ[i][1] == 'H' && environ[i][2] == 'O' && environ[i][3] == '=')
      who = environ[i] + 4;
  char text[64];
  int n = 0;
  for (const char* p = "thread "; *p;) text[n++] = *p++;
  text[n++] = (char)('0' + (int)(uintptr_t)arg);
  text[n++] = ' ';
  for (const char* p = who; *p && n < 60;) text[n++] = *p++;
  text[n++] = '\n';
  uint32_t vector[2] = {(uint32_t)(uintptr_t)text, (uint32_t)n}, written;
  return (void*)(uintptr_t)wasi_fd_write(file, vector, 1, &written);
}

int tl_main(int argc, char** argv) {
  (void)argc, (void)argv;
  const char name[] = "threads.txt";
  int32_t error = wasi_path_open(3, 0, name, sizeof name - 1, 1 | 8, 1 << 6, 0, 1, &file);
  if (error) return 10 + error;
  tl_thread* threads[4];
  for (int i = 0; i < 4; ++i)
    if (tl_thread_create(&threads[i], writer, (void*)(uintptr_t)(i + 1)) != 0) return 3;
  int failures = 0;
  for (int i = 0; i < 4; ++i) failures += tl_thread_join(threads[i]) != 0;
  return failures;
}
