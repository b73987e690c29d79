// The file calls of WASI preview 1 beyond open/read/write, through wasi-libc,
// inside the preopened directory /data: fd_advise, fd_allocate, fd_datasync,
// fd_filestat_set_size, fd_filestat_set_times, path_filestat_set_times and
// path_link, then every way a link might leave the preopen. wasi_test.sh
// prepares the symlinks, passes the name of a directory next to the preopen as
// argv[1], and checks sizes, times and link counts from the host afterwards.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>
#include <wasi/api.h>

static int failures = 0;
static void check(int ok, const char* what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

static off_t sizeOf(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? st.st_size : -1;
}

static void touch(const char* path) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd >= 0) {
    write(fd, "x", 1);
    close(fd);
  }
}

int main(int argc, char** argv) {
  const char* outsideName = argc > 1 ? argv[1] : "missing-argument";

  // ---- sizes, advice, allocation, syncing ----
  int fd = open("/data/sized.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  check(fd >= 0, "create sized.bin");
  check(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0, "posix_fadvise sequential");
  check(posix_fadvise(fd, 4096, 8192, POSIX_FADV_DONTNEED) == 0, "posix_fadvise dontneed on a range");
  check(__wasi_fd_advise(fd, 0, 0, 6) == __WASI_ERRNO_INVAL, "fd_advise refuses an unknown advice");
  check(__wasi_fd_advise(fd, UINT64_MAX, 0, __WASI_ADVICE_NORMAL) == __WASI_ERRNO_INVAL,
        "fd_advise refuses a negative-looking offset");
  check(posix_fallocate(fd, 0, 8192) == 0 && sizeOf(fd) == 8192, "posix_fallocate grows the file to 8192");
  check(posix_fallocate(fd, 0, 100) == 0 && sizeOf(fd) == 8192, "posix_fallocate never shrinks");
  check(__wasi_fd_allocate(fd, INT64_MAX, 1) == __WASI_ERRNO_FBIG, "fd_allocate: offset + len overflow is EFBIG");
  check(__wasi_fd_allocate(fd, UINT64_MAX, 1) == __WASI_ERRNO_INVAL, "fd_allocate: negative-looking offset");
  check(__wasi_fd_allocate(fd, 0, (uint64_t)1 << 63) == __WASI_ERRNO_INVAL, "fd_allocate: negative-looking length");
  check(__wasi_fd_allocate(fd, 0, 0) == __WASI_ERRNO_INVAL, "fd_allocate: empty range");
  check(sizeOf(fd) == 8192, "refused allocations left the size alone");
  check(write(fd, "payload", 7) == 7, "write");
  check(fdatasync(fd) == 0, "fdatasync");
  check(fsync(fd) == 0, "fsync");
  check(ftruncate(fd, 20000) == 0 && sizeOf(fd) == 20000, "ftruncate grows to 20000");
  check(ftruncate(fd, 1234) == 0 && sizeOf(fd) == 1234, "ftruncate shrinks to 1234");
  check(__wasi_fd_filestat_set_size(fd, UINT64_MAX) == __WASI_ERRNO_INVAL, "fd_filestat_set_size: 2^64-1");
  check(__wasi_fd_filestat_set_size(fd, (uint64_t)1 << 63) == __WASI_ERRNO_INVAL, "fd_filestat_set_size: 2^63");
  check(sizeOf(fd) == 1234, "refused sizes left it at 1234");

  // ---- times through the descriptor ----
  struct timespec times[2] = {{1000000000, 5}, {1500000000, 250}};
  check(futimens(fd, times) == 0, "futimens sets both times");
  struct stat st;
  check(fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 250 &&
            st.st_atim.tv_sec == 1000000000,
        "futimens: fstat sees them");
  // (This wasi-libc refuses UTIME_OMIT in futimens itself, so call WASI.)
  check(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW) == 0, "fd_filestat_set_times: mtime now only");
  check(fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec > 1600000000,
        "futimens: atime kept, mtime is now");
  check(futimens(fd, times) == 0, "futimens back to the fixed times (checked by the host)");
  check(__wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW) ==
            __WASI_ERRNO_INVAL,
        "fd_filestat_set_times: ATIM with ATIM_NOW is EINVAL");
  check(__wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW) ==
            __WASI_ERRNO_INVAL,
        "fd_filestat_set_times: MTIM with MTIM_NOW is EINVAL");
  check(__wasi_fd_filestat_set_times(fd, 1, 1, 0x10) == __WASI_ERRNO_INVAL, "fd_filestat_set_times: unknown flag");
  check(__wasi_fd_filestat_set_times(fd, 0, UINT64_MAX, __WASI_FSTFLAGS_MTIM) != __WASI_ERRNO_FAULT,
        "fd_filestat_set_times: the largest timestamp is an answer, not a crash");
  check(futimens(fd, times) == 0, "and back again");
  close(fd);

  // ---- times by path ----
  touch("/data/stamped.txt");
  struct timespec stamp[2] = {{1234567890, 0}, {1234567890, 0}};
  check(utimensat(AT_FDCWD, "/data/stamped.txt", stamp, 0) == 0, "utimensat on a path");
  check(stat("/data/stamped.txt", &st) == 0 && st.st_mtim.tv_sec == 1234567890, "utimensat: stat sees it");
  struct utimbuf old = {1111111111, 1111111111};
  touch("/data/utime.txt");
  check(utime("/data/utime.txt", &old) == 0, "utime");
  touch("/data/target.txt");
  struct timespec linkStamp[2] = {{1300000000, 0}, {1300000000, 0}};
  check(utimensat(AT_FDCWD, "/data/target-link", linkStamp, AT_SYMLINK_NOFOLLOW) == 0,
        "utimensat AT_SYMLINK_NOFOLLOW stamps the link itself");
  struct timespec followStamp[2] = {{1400000000, 0}, {1400000000, 0}};
  check(utimensat(AT_FDCWD, "/data/followed-link", followStamp, 0) == 0, "utimensat follows a link");
  check(utimensat(AT_FDCWD, "/data", stamp, 0) == 0, "utimensat on the preopen itself");
  check(__wasi_path_filestat_set_times(3, 0, "stamped.txt", 0, 0,
                                       __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW) == __WASI_ERRNO_INVAL,
        "path_filestat_set_times: ATIM with ATIM_NOW is EINVAL");
  check(__wasi_path_filestat_set_times(3, 2, "stamped.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW) == __WASI_ERRNO_INVAL,
        "path_filestat_set_times: unknown lookup flag");
  check(utimensat(AT_FDCWD, "/data/../stamp-escape", stamp, 0) != 0 && errno == ENOTCAPABLE,
        "utimensat refuses ..");
  check(utimensat(AT_FDCWD, "/data/outside-file-link", stamp, 0) != 0, "utimensat refuses to follow out");
  check(__wasi_path_filestat_set_times(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "/etc/hostname", 0, 0,
                                       __WASI_FSTFLAGS_MTIM_NOW) == __WASI_ERRNO_NOTCAPABLE,
        "path_filestat_set_times refuses an absolute path");

  // ---- hard links ----
  touch("/data/original.txt");
  check(link("/data/original.txt", "/data/hard.txt") == 0, "link");
  check(stat("/data/original.txt", &st) == 0 && st.st_nlink == 2, "link: two names");
  check(linkat(AT_FDCWD, "/data/original-link", AT_FDCWD, "/data/hard-followed.txt", AT_SYMLINK_FOLLOW) == 0,
        "linkat AT_SYMLINK_FOLLOW links the target");
  check(stat("/data/original.txt", &st) == 0 && st.st_nlink == 3, "linkat: three names");
  check(linkat(AT_FDCWD, "/data/original-link", AT_FDCWD, "/data/link-to-link", 0) == 0,
        "linkat without follow links the symlink itself");
  check(lstat("/data/link-to-link", &st) == 0 && S_ISLNK(st.st_mode), "the new name is a symlink");
  check(link("/data/original.txt", "/data/hard.txt") != 0 && errno == EEXIST, "link onto an existing name");
  check(link("/data/no-such-file", "/data/x.txt") != 0 && errno == ENOENT, "link from a missing file");
  mkdir("/data/sub", 0755);
  check(link("/data/original.txt", "/data/sub/deeper.txt") == 0, "link into a subdirectory");
  int sub = open("/data/sub", O_RDONLY | O_DIRECTORY);
  check(sub >= 0 && __wasi_path_link(sub, 0, "deeper.txt", 3, "from-sub.txt") == 0,
        "path_link between two directory descriptors");
  close(sub);

  // Escapes: each must fail, and the host checks nothing appeared outside.
  char path[256];
  check(link("/data/original.txt", "/data/../escaped-link") != 0, "link: new name through ..");
  check(link("/data/original.txt", "/data/up/escaped-link") != 0, "link: new name through a symlink to ..");
  snprintf(path, sizeof path, "/data/up/%s/secret", outsideName);
  check(link(path, "/data/stolen-up") != 0, "link: old name through a symlink to ..");
  snprintf(path, sizeof path, "/data/../%s/secret", outsideName);
  check(link(path, "/data/stolen-dotdot") != 0, "link: old name through ..");
  check(linkat(AT_FDCWD, "/data/secret-absolute", AT_FDCWD, "/data/stolen-absolute", AT_SYMLINK_FOLLOW) != 0,
        "linkat: following an absolute symlink out");
  check(linkat(AT_FDCWD, "/data/secret-relative", AT_FDCWD, "/data/stolen-relative", AT_SYMLINK_FOLLOW) != 0,
        "linkat: following a relative symlink out");
  check(__wasi_path_link(3, 0, "/etc/hostname", 3, "stolen-etc") == __WASI_ERRNO_NOTCAPABLE,
        "path_link: absolute old path");
  check(__wasi_path_link(3, 0, "original.txt", 3, "/tmp/escaped-link") == __WASI_ERRNO_NOTCAPABLE,
        "path_link: absolute new path");
  check(__wasi_path_link(3, 0, "original.txt", 3, "..") == __WASI_ERRNO_NOTCAPABLE, "path_link: new name ..");
  check(__wasi_path_link(3, 4, "original.txt", 3, "bad-flags") == __WASI_ERRNO_INVAL, "path_link: unknown flag");
  check(__wasi_path_link(1, 0, "original.txt", 3, "from-stdout") == __WASI_ERRNO_NOTDIR,
        "path_link: old directory is not a directory");
  check(__wasi_path_link(3, 0, "original.txt", 99, "bad-fd") == __WASI_ERRNO_BADF, "path_link: bad new fd");

  printf("failures=%d\n", failures);
  return failures;
}
