// File I/O inside the preopened directory /data, then every way out of it
// that a guest might try; each must fail.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures = 0;
static void check(int ok, const char* what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

int main(void) {
  FILE* out = fopen("/data/notes.txt", "w");
  check(out != NULL, "create a file");
  if (out) {
    fprintf(out, "line one\nline two\n");
    fclose(out);
  }
  char buffer[64] = {0};
  FILE* in = fopen("/data/notes.txt", "r");
  check(in && fgets(buffer, sizeof buffer, in) && strcmp(buffer, "line one\n") == 0, "read it back");
  if (in) {
    check(fseek(in, 0, SEEK_END) == 0 && ftell(in) == 18, "seek and tell");
    fclose(in);
  }
  struct stat st;
  check(stat("/data/notes.txt", &st) == 0 && st.st_size == 18, "stat size");
  check(mkdir("/data/sub", 0755) == 0, "make a directory");
  check(rename("/data/notes.txt", "/data/sub/moved.txt") == 0, "rename into it");
  DIR* dir = opendir("/data/sub");
  int seen = 0;
  if (dir) {
    struct dirent* entry;
    while ((entry = readdir(dir))) seen += strcmp(entry->d_name, "moved.txt") == 0;
    closedir(dir);
  }
  check(seen == 1, "list the directory");
  check(unlink("/data/sub/moved.txt") == 0, "unlink the file");
  check(rmdir("/data/sub") == 0, "remove the directory");

  // Escapes.
  check(fopen("/data/../escape.txt", "w") == NULL, "refuse .. out of the preopen");
  check(fopen("/etc/passwd", "r") == NULL, "refuse an absolute path outside every preopen");
  check(fopen("/data/outside/passwd", "r") == NULL, "refuse a symlink to an absolute path");
  check(fopen("/data/up/escape.txt", "w") == NULL, "refuse a symlink to ..");
  check(symlink("/etc", "/data/newlink") != 0, "refuse to create an absolute symlink");
  check(mkdir("/data/../escape-dir", 0755) != 0, "refuse mkdir through ..");
  printf("failures=%d\n", failures);
  return failures;
}
