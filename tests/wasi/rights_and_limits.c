// Descriptor rights (fd_fdstat_set_rights can only drop them, and dropped
// rights are enforced), proc_raise's ENOSYS, ENOTSOCK from the sock_* calls on
// anything that is not a socket, and every guest-controlled number at its
// extremes: iovec counts and lengths, pointers at and past the end of memory,
// 2^32-1, negative-looking 64-bit offsets. Each must be an errno, never a
// crash. Runs with /data preopened as descriptor 3 and no sockets granted.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

// The imports themselves, so that any 32-bit value can be passed where
// wasi-libc's wrappers would take a pointer or compute a length.
#define RAW(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
RAW(fd_write) int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t count, int32_t written);
RAW(fd_read) int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t count, int32_t read);
RAW(fd_pread) int32_t raw_fd_pread(int32_t fd, int32_t iovs, int32_t count, int64_t offset, int32_t read);
RAW(fd_seek) int32_t raw_fd_seek(int32_t fd, int64_t delta, int32_t whence, int32_t position);
RAW(fd_fdstat_get) int32_t raw_fd_fdstat_get(int32_t fd, int32_t stat);
RAW(fd_filestat_get) int32_t raw_fd_filestat_get(int32_t fd, int32_t stat);
RAW(fd_readdir) int32_t raw_fd_readdir(int32_t fd, int32_t buffer, int32_t length, int64_t cookie, int32_t used);
RAW(path_open)
int32_t raw_path_open(int32_t fd, int32_t lookup, int32_t path, int32_t length, int32_t oflags, int64_t base,
                      int64_t inheriting, int32_t fdflags, int32_t opened);
RAW(random_get) int32_t raw_random_get(int32_t buffer, int32_t length);
RAW(args_get) int32_t raw_args_get(int32_t pointers, int32_t buffer);
RAW(clock_time_get) int32_t raw_clock_time_get(int32_t clock, int64_t precision, int32_t time);
RAW(poll_oneoff) int32_t raw_poll_oneoff(int32_t in, int32_t out, int32_t count, int32_t events);
RAW(proc_raise) int32_t raw_proc_raise(int32_t signal);
RAW(sock_accept) int32_t raw_sock_accept(int32_t fd, int32_t flags, int32_t accepted);
RAW(sock_recv)
int32_t raw_sock_recv(int32_t fd, int32_t iovs, int32_t count, int32_t flags, int32_t length, int32_t oflags);
RAW(sock_send) int32_t raw_sock_send(int32_t fd, int32_t iovs, int32_t count, int32_t flags, int32_t length);
RAW(sock_shutdown) int32_t raw_sock_shutdown(int32_t fd, int32_t how);

static int failures = 0;
static void check(int ok, const char* what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

#define ADDR(p) ((int32_t)(uintptr_t)(p))
static uint32_t iov[2];  // one guest iovec: buffer, length
static uint32_t counter;
static char bytes[64];
static __wasi_fdstat_t fdstat;

static __wasi_errno_t writeErrno(int fd) {
  __wasi_ciovec_t one = {(const uint8_t*)"x", 1};
  __wasi_size_t written = 0;
  return __wasi_fd_write(fd, &one, 1, &written);
}

static __wasi_rights_t baseOf(int fd) {
  return __wasi_fd_fdstat_get(fd, &fdstat) == 0 ? fdstat.fs_rights_base : 0;
}

static void rights(void) {
  __wasi_rights_t preopen = baseOf(3), preopenInheriting = fdstat.fs_rights_inheriting;
  check((preopen & __WASI_RIGHTS_PATH_OPEN) && (preopenInheriting & __WASI_RIGHTS_FD_WRITE),
        "the preopen may open paths and pass on writing");
  int fd = open("/data/rights.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  __wasi_rights_t base = baseOf(fd), inheriting = fdstat.fs_rights_inheriting;
  check(fd >= 0 && (base & __WASI_RIGHTS_FD_READ) && (base & __WASI_RIGHTS_FD_WRITE) &&
            (base & __WASI_RIGHTS_FD_SEEK) && !(base & __WASI_RIGHTS_PATH_OPEN),
        "a read-write file: read, write, seek; no path rights");
  int readOnly = open("/data/rights.txt", O_RDONLY);
  check(readOnly >= 0 && !(baseOf(readOnly) & __WASI_RIGHTS_FD_WRITE), "a read-only file has no write right");
  check(writeErrno(readOnly) == __WASI_ERRNO_NOTCAPABLE, "so fd_write on it is ENOTCAPABLE");
  check(write(readOnly, "x", 1) == -1 && errno == EBADF, "which wasi-libc's write() reports as EBADF");
  close(readOnly);

  check(write(fd, "abc", 3) == 3, "write while the right is held");
  check(__wasi_fd_fdstat_set_rights(fd, base & ~__WASI_RIGHTS_FD_WRITE, inheriting) == 0, "drop FD_WRITE");
  check(!(baseOf(fd) & __WASI_RIGHTS_FD_WRITE) && (fdstat.fs_rights_base & __WASI_RIGHTS_FD_READ),
        "fd_fdstat_get reports the dropped right, and only it");
  check(writeErrno(fd) == __WASI_ERRNO_NOTCAPABLE, "fd_write after dropping FD_WRITE is ENOTCAPABLE");
  check(pread(fd, bytes, 3, 0) == 3 && memcmp(bytes, "abc", 3) == 0, "reading still works");
  check(__wasi_fd_fdstat_set_rights(fd, base, inheriting) == __WASI_ERRNO_NOTCAPABLE,
        "taking FD_WRITE back is ENOTCAPABLE");
  check(!(baseOf(fd) & __WASI_RIGHTS_FD_WRITE), "and changes nothing");
  check(__wasi_fd_fdstat_set_rights(fd, (base & ~__WASI_RIGHTS_FD_WRITE) | ((__wasi_rights_t)1 << 40), inheriting) ==
            __WASI_ERRNO_NOTCAPABLE,
        "an undefined right cannot be gained either");
  check(__wasi_fd_fdstat_set_rights(fd, base & ~(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK), inheriting) == 0,
        "drop FD_SEEK");
  __wasi_filesize_t position = 0;
  check(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &position) == __WASI_ERRNO_NOTCAPABLE,
        "seeking is then ENOTCAPABLE");
  check(lseek(fd, 0, SEEK_CUR) == 3, "telling still works (FD_TELL)");
  check(__wasi_fd_fdstat_set_rights(fd, 0, 0) == 0, "drop everything");
  __wasi_iovec_t into = {(uint8_t*)bytes, 1};
  __wasi_size_t moved = 0;
  check(__wasi_fd_read(fd, &into, 1, &moved) == __WASI_ERRNO_NOTCAPABLE, "reading is then ENOTCAPABLE");
  check(__wasi_fd_filestat_set_size(fd, 0) == __WASI_ERRNO_NOTCAPABLE &&
            __wasi_fd_datasync(fd) == __WASI_ERRNO_NOTCAPABLE && __wasi_fd_allocate(fd, 0, 1) == __WASI_ERRNO_NOTCAPABLE,
        "as are fd_filestat_set_size, fd_datasync and fd_allocate");
  check(__wasi_fd_fdstat_set_rights(99, 0, 0) == __WASI_ERRNO_BADF, "fd_fdstat_set_rights on no descriptor");
  close(fd);

  // A directory's inheriting rights bound what is opened through it.
  mkdir("/data/rights-dir", 0755);
  int dir = open("/data/rights-dir", O_RDONLY | O_DIRECTORY);
  __wasi_rights_t dirBase = baseOf(dir), dirInheriting = fdstat.fs_rights_inheriting;
  check(dir >= 0 && __wasi_fd_fdstat_set_rights(dir, dirBase, dirInheriting & ~__WASI_RIGHTS_FD_WRITE) == 0,
        "a directory drops FD_WRITE from what it passes on");
  int derived = openat(dir, "derived.txt", O_CREAT | O_WRONLY, 0644);
  check(derived >= 0 && !(baseOf(derived) & __WASI_RIGHTS_FD_WRITE), "a file opened through it has no FD_WRITE");
  check(writeErrno(derived) == __WASI_ERRNO_NOTCAPABLE, "and cannot be written");
  close(derived);
  __wasi_fd_t opened = 0;
  check(__wasi_path_open(dir, 0, "derived.txt", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, &opened) ==
            __WASI_ERRNO_NOTCAPABLE,
        "path_open asking for FD_WRITE through it is ENOTCAPABLE");
  dirInheriting &= ~__WASI_RIGHTS_FD_WRITE;
  check(__wasi_fd_fdstat_set_rights(dir, dirBase & ~__WASI_RIGHTS_PATH_OPEN, dirInheriting) == 0,
        "the directory drops PATH_OPEN");
  check(openat(dir, "derived.txt", O_RDONLY) == -1 && errno == ENOTCAPABLE, "opening through it is ENOTCAPABLE");
  close(dir);
}

static void processAndSockets(void) {
  check(raw_proc_raise(15) == __WASI_ERRNO_NOSYS, "proc_raise(SIGTERM) is ENOSYS");
  check(raw_proc_raise(0) == __WASI_ERRNO_NOSYS && raw_proc_raise(-1) == __WASI_ERRNO_NOSYS,
        "proc_raise(0) and proc_raise(2^32-1) are ENOSYS");

  int file = open("/data/not-a-socket.txt", O_CREAT | O_RDWR, 0644);
  iov[0] = ADDR(bytes);
  iov[1] = 4;
  check(raw_sock_accept(3, 0, ADDR(&counter)) == __WASI_ERRNO_NOTSOCK, "sock_accept on a directory: ENOTSOCK");
  check(raw_sock_accept(file, 0, ADDR(&counter)) == __WASI_ERRNO_NOTSOCK, "sock_accept on a file: ENOTSOCK");
  check(raw_sock_recv(file, ADDR(iov), 1, 0, ADDR(&counter), ADDR(&counter)) == __WASI_ERRNO_NOTSOCK,
        "sock_recv on a file: ENOTSOCK");
  check(raw_sock_send(file, ADDR(iov), 1, 0, ADDR(&counter)) == __WASI_ERRNO_NOTSOCK, "sock_send on a file: ENOTSOCK");
  check(raw_sock_shutdown(file, 3) == __WASI_ERRNO_NOTSOCK, "sock_shutdown on a file: ENOTSOCK");
  check(raw_sock_accept(99, 0, ADDR(&counter)) == __WASI_ERRNO_BADF, "sock_accept on no descriptor: EBADF");
  check(raw_sock_shutdown(-1, 3) == __WASI_ERRNO_BADF, "sock_shutdown on descriptor 2^32-1: EBADF");
  check(accept(3, NULL, NULL) == -1 && errno == ENOTSOCK, "libc accept(): ENOTSOCK");
  check(recv(file, bytes, 1, 0) == -1 && errno == ENOTSOCK, "libc recv(): ENOTSOCK");
  check(send(file, bytes, 1, 0) == -1 && errno == ENOTSOCK, "libc send(): ENOTSOCK");
  check(shutdown(file, SHUT_RDWR) == -1 && errno == ENOTSOCK, "libc shutdown(): ENOTSOCK");
  close(file);
}

static void extremes(void) {
  // A page of our own at the end of memory, so that writing its last bytes
  // cannot touch malloc's heap.
  uint32_t end = ((uint32_t)__builtin_wasm_memory_grow(0, 1) + 1) * 65536u;
  int fd = open("/data/extremes.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  memcpy(bytes, "abcdefgh", 8);
  iov[0] = ADDR(bytes);
  iov[1] = 8;

  // iovec arrays.
  check(raw_fd_write(fd, ADDR(iov), -1, ADDR(&counter)) == __WASI_ERRNO_INVAL, "fd_write: 2^32-1 iovecs");
  check(raw_fd_write(fd, ADDR(iov), 1025, ADDR(&counter)) == __WASI_ERRNO_INVAL, "fd_write: 1025 iovecs");
  check(raw_fd_write(fd, ADDR(iov), 0x20000000, ADDR(&counter)) == __WASI_ERRNO_INVAL,
        "fd_write: 2^29 iovecs (2^32 bytes of array)");
  check(raw_fd_write(fd, (int32_t)(end - 4), 1, ADDR(&counter)) == __WASI_ERRNO_FAULT,
        "fd_write: iovec array straddling the end of memory");
  check(raw_fd_write(fd, -1, 1, ADDR(&counter)) == __WASI_ERRNO_FAULT, "fd_write: iovec array at 2^32-1");
  check(raw_fd_write(fd, ADDR(iov), 0, ADDR(&counter)) == 0 && counter == 0, "fd_write: no iovecs writes 0");
  // iovec buffers.
  uint32_t bad[2] = {end - 1, 2};
  check(raw_fd_write(fd, ADDR(bad), 1, ADDR(&counter)) == __WASI_ERRNO_FAULT, "fd_write: buffer past the end");
  bad[0] = 0xffffffffu;
  bad[1] = 0xffffffffu;
  check(raw_fd_write(fd, ADDR(bad), 1, ADDR(&counter)) == __WASI_ERRNO_FAULT, "fd_write: buffer 2^32-1, length 2^32-1");
  bad[0] = 0;
  check(raw_fd_write(fd, ADDR(bad), 1, ADDR(&counter)) == __WASI_ERRNO_FAULT, "fd_write: buffer 0, length 2^32-1");
  check(raw_fd_read(fd, ADDR(bad), 1, ADDR(&counter)) == __WASI_ERRNO_FAULT, "fd_read: buffer 0, length 2^32-1");
  bad[0] = end;
  bad[1] = 0;
  check(raw_fd_write(fd, ADDR(bad), 1, ADDR(&counter)) == 0 && counter == 0,
        "fd_write: an empty buffer exactly at the end is fine");
  // Result pointers: refused before anything is written.
  check(raw_fd_write(fd, ADDR(iov), 1, (int32_t)(end - 2)) == __WASI_ERRNO_FAULT, "fd_write: result past the end");
  check(raw_fd_write(fd, ADDR(iov), 1, -1) == __WASI_ERRNO_FAULT, "fd_write: result at 2^32-1");
  struct stat st;
  check(fstat(fd, &st) == 0 && st.st_size == 0, "nothing was written by the refused calls");
  check(raw_fd_write(fd, ADDR(iov), 1, (int32_t)(end - 4)) == 0 && *(uint32_t*)(uintptr_t)(end - 4) == 8,
        "fd_write: result in the last 4 bytes of memory");
  check(raw_fd_write(-1, ADDR(iov), 1, ADDR(&counter)) == __WASI_ERRNO_BADF, "fd_write: descriptor 2^32-1");

  // 64-bit offsets that are negative as an off_t.
  check(raw_fd_pread(fd, ADDR(iov), 1, -1, ADDR(&counter)) == __WASI_ERRNO_INVAL, "fd_pread: offset 2^64-1");
  check(raw_fd_pread(fd, ADDR(iov), 1, INT64_MIN, ADDR(&counter)) == __WASI_ERRNO_INVAL, "fd_pread: offset 2^63");
  check(raw_fd_pread(fd, ADDR(iov), 1, INT64_MAX - 8, ADDR(&counter)) == 0 && counter == 0,
        "fd_pread: offset 2^63-9 (its end the largest offset) reads nothing");
  uint64_t position = 0;
  check(raw_fd_seek(fd, -1, 0, ADDR(&position)) == __WASI_ERRNO_INVAL, "fd_seek: to -1");
  check(raw_fd_seek(fd, INT64_MIN, 1, ADDR(&position)) == __WASI_ERRNO_INVAL, "fd_seek: by -2^63");
  check(raw_fd_seek(fd, 0, 3, ADDR(&position)) == __WASI_ERRNO_INVAL, "fd_seek: whence 3");
  check(raw_fd_seek(fd, 0, -1, ADDR(&position)) == __WASI_ERRNO_INVAL, "fd_seek: whence 2^32-1");
  check(raw_fd_seek(fd, 0, 0, (int32_t)(end - 7)) == __WASI_ERRNO_FAULT, "fd_seek: result past the end");

  // Structures written at the very end of memory.
  check(raw_fd_fdstat_get(fd, (int32_t)(end - 24)) == 0, "fd_fdstat_get: fits exactly at the end");
  check(raw_fd_fdstat_get(fd, (int32_t)(end - 23)) == __WASI_ERRNO_FAULT, "fd_fdstat_get: one byte over");
  check(raw_fd_fdstat_get(fd, -1) == __WASI_ERRNO_FAULT, "fd_fdstat_get: at 2^32-1");
  check(raw_fd_filestat_get(fd, (int32_t)(end - 63)) == __WASI_ERRNO_FAULT, "fd_filestat_get: one byte over");
  check(raw_random_get((int32_t)(end - 16), 16) == 0, "random_get: the last 16 bytes");
  check(raw_random_get((int32_t)(end - 16), 17) == __WASI_ERRNO_FAULT, "random_get: one byte over");
  check(raw_random_get(-1, -1) == __WASI_ERRNO_FAULT, "random_get: 2^32-1 bytes at 2^32-1");
  check(raw_random_get(0, -1) == __WASI_ERRNO_FAULT, "random_get: 2^32-1 bytes at 0");
  check(raw_args_get((int32_t)(end - 2), ADDR(bytes)) == __WASI_ERRNO_FAULT, "args_get: pointers past the end");
  check(raw_args_get(ADDR(bytes), (int32_t)(end - 1)) == __WASI_ERRNO_FAULT, "args_get: strings past the end");
  check(raw_clock_time_get(-1, 0, ADDR(&position)) == __WASI_ERRNO_INVAL, "clock_time_get: clock 2^32-1");
  check(raw_clock_time_get(0, -1, (int32_t)(end - 7)) == __WASI_ERRNO_FAULT, "clock_time_get: result past the end");
  check(raw_poll_oneoff(ADDR(bytes), ADDR(bytes), -1, ADDR(&counter)) == __WASI_ERRNO_FAULT,
        "poll_oneoff: 2^32-1 subscriptions");
  check(raw_fd_readdir(3, ADDR(bytes), -1, 0, ADDR(&counter)) == __WASI_ERRNO_FAULT, "fd_readdir: 2^32-1 bytes");
  check(raw_fd_readdir(3, ADDR(bytes), 8, -1, ADDR(&counter)) == 0 && counter == 0,
        "fd_readdir: cookie 2^64-1 lists nothing");

  // Paths.
  static char longPath[5000];
  memset(longPath, 'a', sizeof longPath);
  __wasi_fd_t opened = 0;
  check(raw_path_open(3, 0, ADDR(longPath), -1, 0, 0, 0, 0, ADDR(&opened)) == __WASI_ERRNO_FAULT,
        "path_open: path length 2^32-1");
  check(raw_path_open(3, 0, (int32_t)(end - 1), 5, 0, 0, 0, 0, ADDR(&opened)) == __WASI_ERRNO_FAULT,
        "path_open: path past the end");
  check(raw_path_open(3, 0, ADDR(longPath), sizeof longPath, 0, 0, 0, 0, ADDR(&opened)) ==
            __WASI_ERRNO_NAMETOOLONG,
        "path_open: a 5000-byte path");
  check(raw_path_open(3, 0, ADDR("a\0b"), 3, 0, 0, 0, 0, ADDR(&opened)) == __WASI_ERRNO_INVAL,
        "path_open: a NUL inside the path");
  check(raw_path_open(3, 0, ADDR("never-created.txt"), 17, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0,
                      (int32_t)(end - 3)) == __WASI_ERRNO_FAULT,
        "path_open: result past the end");
  check(access("/data/never-created.txt", F_OK) != 0, "and created nothing");
  check(raw_path_open(3, 2, ADDR("x"), 1, 0, 0, 0, 0, ADDR(&opened)) == __WASI_ERRNO_INVAL,
        "path_open: unknown lookup flag");
  check(raw_path_open(3, 0, ADDR("x"), 1, 0x10, 0, 0, 0, ADDR(&opened)) == __WASI_ERRNO_INVAL,
        "path_open: unknown oflag");
  check(__wasi_fd_fdstat_set_flags(fd, 0x20) == __WASI_ERRNO_INVAL, "fd_fdstat_set_flags: unknown flag");
  close(fd);
}

int main(void) {
  rights();
  processAndSockets();
  extremes();
  printf("failures=%d\n", failures);
  return failures;
}
