// Opening cache files only when nobody but you or root could have written
// them, and writing them without ever opening an existing name (the rule is
// in cache_trust.h).
#include "runtime/cache_trust.h"

#include <fcntl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace weft {

namespace {

constexpr const char* kRefusal = "; refusing to run code from it";

Error trustError(const std::string& what, const std::string& why, ErrorKind kind = ErrorKind::Invalid) {
  Error error;
  error.kind = kind;
  error.message = what + ": " + why;
  return error;
}

std::string describeErrno(const char* action, int error) { return std::string(action) + ": " + std::strerror(error); }

// A name nobody can predict, so that nobody can occupy it in advance. (Being
// unpredictable is not what makes the writer safe, O_EXCL and linkat's refusal
// to replace are; it only keeps a squatter from making every attempt fail.)
std::string randomTemporaryName() {
  static std::atomic<uint64_t> serial{0};
  uint64_t random = 0;
  if (getrandom(&random, sizeof random, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof random)) {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    random = (static_cast<uint64_t>(now.tv_nsec) << 20) ^ static_cast<uint64_t>(getpid()) ^
             (serial.fetch_add(1) * 0x9e3779b97f4a7c15ull);
  }
  char name[40];
  std::snprintf(name, sizeof name, ".weft.tmp.%016llx", static_cast<unsigned long long>(random));
  return name;
}

// Writes all of {bytes}, makes the file 0444 (umask may not widen it, and an
// in-place edit then needs a chmod first) and puts it on disk before any name
// can point at it: a crash leaves the old file or the whole new one, and the
// page-cache pages are clean (hence Shared_Clean between processes).
Status fill(int fd, std::span<const uint8_t> bytes, const std::string& shownPath) {
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return trustError(shownPath, describeErrno("cannot write", n < 0 ? errno : ENOSPC), ErrorKind::LimitExceeded);
    written += static_cast<size_t>(n);
  }
  if (fchmod(fd, 0444) != 0) return trustError(shownPath, describeErrno("cannot chmod", errno), ErrorKind::LimitExceeded);
  if (fsync(fd) != 0) return trustError(shownPath, describeErrno("cannot sync", errno), ErrorKind::LimitExceeded);
  return Ok{};
}

// O_CREAT | O_EXCL | O_NOFOLLOW: fails with EEXIST on anything already at
// {name}, a dangling symlink included. Returns the descriptor or -errno.
int openExclusively(int directory, const std::string& name) {
  int fd = openat(directory, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
  return fd >= 0 ? fd : -errno;
}

// Gives the anonymous file {fd} a fresh random name in {directory}. linkat
// never replaces an existing entry. nullopt: this kernel or filesystem cannot
// link it (no /proc, no CAP_DAC_READ_SEARCH for AT_EMPTY_PATH).
std::optional<std::string> linkUnderRandomName(int fd, int directory) {
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string name = randomTemporaryName();
    if (linkat(AT_FDCWD, self.c_str(), directory, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return name;
    if (errno == EEXIST) continue;
    if (linkat(fd, "", directory, name.c_str(), AT_EMPTY_PATH) == 0) return name;
    if (errno == EEXIST) continue;
    return std::nullopt;
  }
  return std::nullopt;
}

// Writes {bytes} to a file created exclusively under a random name; returns the name.
Result<std::string> writeNamedTemporary(int directory, std::span<const uint8_t> bytes, const std::string& shownPath) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string name = randomTemporaryName();
    int fd = openExclusively(directory, name);
    if (fd == -EEXIST) continue;
    if (fd < 0) return trustError(shownPath, describeErrno("cannot create a temporary file beside it", -fd),
                                  ErrorKind::LimitExceeded);
    FileDescriptor file(fd);
    Status filled = fill(file.get(), bytes, shownPath);
    if (!filled) {
      unlinkat(directory, name.c_str(), 0);
      return filled.error();
    }
    return name;
  }
  return trustError(shownPath, "cannot create a temporary file beside it: every random name was taken",
                    ErrorKind::LimitExceeded);
}

// The same, through an O_TMPFILE that has no name until it is complete.
// nullopt: not possible here (old kernel, filesystem without O_TMPFILE, no
// way to link); the caller falls back to a named temporary.
std::optional<Result<std::string>> writeAnonymousTemporary(int directory, std::span<const uint8_t> bytes,
                                                           const std::string& shownPath) {
  int fd = openat(directory, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0444);
  if (fd < 0) return std::nullopt;
  FileDescriptor file(fd);
  Status filled = fill(file.get(), bytes, shownPath);
  if (!filled) return Result<std::string>(filled.error());
  std::optional<std::string> name = linkUnderRandomName(file.get(), directory);
  if (!name) return std::nullopt;
  return Result<std::string>(std::move(*name));
}

}  // namespace

std::optional<std::string> whyUntrusted(const struct stat& status, bool isDirectory) {
  const char* inIt = isDirectory ? "; refusing to run code from files in it" : kRefusal;
  if (status.st_uid != geteuid() && status.st_uid != 0)
    return "is owned by uid " + std::to_string(status.st_uid) + ", not by you or root" + inIt;
  // Sticky: others may add entries but not rename or remove yours (see the header).
  if (isDirectory && (status.st_mode & S_ISVTX)) return std::nullopt;
  if (status.st_mode & S_IWOTH) return std::string("is writable by others") + inIt;
  if (status.st_mode & S_IWGRP) return std::string("is writable by its group") + inIt;
  return std::nullopt;
}

Result<std::optional<FileDescriptor>> openTrustedDirectory(const std::string& path, DirectorySymlink symlink) {
  std::string shown = "directory " + path;
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (symlink == DirectorySymlink::Refuse ? O_NOFOLLOW : 0);
  int fd = open(path.c_str(), flags);
  if (fd < 0) {
    int error = errno;
    if (error == ENOENT) return std::optional<FileDescriptor>();
    struct stat entry {};
    if ((error == ELOOP || error == ENOTDIR) && lstat(path.c_str(), &entry) == 0) {
      if (S_ISLNK(entry.st_mode)) return trustError(shown, "is a symlink; refusing to follow it");
      if (!S_ISDIR(entry.st_mode)) return trustError(shown, "is not a directory");
    }
    return trustError(shown, describeErrno("cannot open", error));
  }
  FileDescriptor directory(fd);
  struct stat status {};
  if (fstat(directory.get(), &status) != 0) return trustError(shown, describeErrno("cannot stat", errno));
  if (!S_ISDIR(status.st_mode)) return trustError(shown, "is not a directory");
  if (std::optional<std::string> why = whyUntrusted(status, true)) return trustError(shown, *why);
  return std::optional<FileDescriptor>(std::move(directory));
}

Result<std::optional<TrustedFile>> openTrustedFile(int directory, const std::string& name,
                                                   const std::string& shownPath) {
  if (name.empty() || name.find('/') != std::string::npos)
    return trustError(shownPath, "is not a file name");
  // O_NONBLOCK: opening a FIFO or a device must not wait for a writer; such
  // a file is refused by the fstat below. O_NOCTTY: a terminal must not
  // become ours by being opened.
  int fd = openat(directory, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    if (error == ENOENT) return std::optional<TrustedFile>();
    // One component opened with O_NOFOLLOW: ELOOP means it is a symlink.
    if (error == ELOOP) return trustError(shownPath, "is a symlink; refusing to follow it");
    return trustError(shownPath, describeErrno("cannot open", error));
  }
  TrustedFile file;
  file.fd = FileDescriptor(fd);
  if (fstat(file.fd.get(), &file.opened) != 0) return trustError(shownPath, describeErrno("cannot stat", errno));
  if (!S_ISREG(file.opened.st_mode)) return trustError(shownPath, "is not a regular file");
  if (std::optional<std::string> why = whyUntrusted(file.opened, false)) return trustError(shownPath, *why);
  return std::optional<TrustedFile>(std::move(file));
}

bool unchangedSinceOpened(const TrustedFile& file) {
  struct stat now {};
  if (fstat(file.fd.get(), &now) != 0) return false;
  const struct stat& then = file.opened;
  return now.st_dev == then.st_dev && now.st_ino == then.st_ino && now.st_size == then.st_size &&
         now.st_mtim.tv_sec == then.st_mtim.tv_sec && now.st_mtim.tv_nsec == then.st_mtim.tv_nsec &&
         now.st_ctim.tv_sec == then.st_ctim.tv_sec && now.st_ctim.tv_nsec == then.st_ctim.tv_nsec &&
         now.st_mode == then.st_mode && now.st_uid == then.st_uid;
}

std::pair<std::string, std::string> splitDirectoryAndName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  std::string directory = slash == 0 ? "/" : path.substr(0, slash);
  std::string name = path.substr(slash + 1);
  // "dir/" names the directory itself: opened as "." it is refused as not a regular file.
  return {directory, name.empty() ? "." : name};
}

Result<FileDescriptor> createExclusively(int directory, const std::string& name, const std::string& shownPath) {
  int fd = openExclusively(directory, name);
  if (fd < 0) return trustError(shownPath, describeErrno("cannot create", -fd), ErrorKind::LimitExceeded);
  return FileDescriptor(fd);
}

Status replaceFile(int directory, const std::string& name, std::span<const uint8_t> bytes,
                   const std::string& shownPath, TemporaryKind kind) {
  std::optional<Result<std::string>> temporary;
  if (kind == TemporaryKind::AnonymousFirst) temporary = writeAnonymousTemporary(directory, bytes, shownPath);
  if (!temporary) temporary = writeNamedTemporary(directory, bytes, shownPath);
  if (!*temporary) return temporary->error();
  const std::string& temporaryName = temporary->value();
  // rename replaces the entry {name} itself, whatever it is (a symlink is
  // replaced, never followed), atomically for every reader.
  if (renameat(directory, temporaryName.c_str(), directory, name.c_str()) != 0) {
    int error = errno;
    unlinkat(directory, temporaryName.c_str(), 0);
    return trustError(shownPath, describeErrno("cannot rename into place", error), ErrorKind::LimitExceeded);
  }
  return Ok{};
}

}  // namespace weft
