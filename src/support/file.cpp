#include "support/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "support/file_descriptor.h"

namespace weft {
namespace {

const char* fileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return nullptr;
}

}  // namespace

bool readWholeFile(const std::string& path, std::vector<uint8_t>& out, std::string& error, uint64_t maxBytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) {
    error = std::strerror(errno);
    return false;
  }
  struct stat info;
  if (fstat(fd.get(), &info) != 0) {
    error = std::strerror(errno);
    return false;
  }
  if (!S_ISREG(info.st_mode)) {
    const char* kind = fileKind(info.st_mode);
    error = kind ? std::string("is ") + kind + ", not a regular file" : "is not a regular file";
    return false;
  }
  auto size = static_cast<uint64_t>(info.st_size);
  if (size > maxBytes) {
    error = "is " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(maxBytes);
    return false;
  }
  try {
    out.resize(static_cast<size_t>(size));
  } catch (const std::bad_alloc&) {
    error = "out of memory reading " + std::to_string(size) + " bytes";
    return false;
  }
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = n < 0 ? std::strerror(errno) : "file shrank while reading";
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace weft
