// The path_* calls. Every path is resolved beneath the directory descriptor it
// is relative to, by the kernel: openat2 with RESOLVE_BENEATH refuses "..",
// absolute paths and symlinks that would leave it (EXDEV → ENOTCAPABLE). Calls
// that act on a name (mkdir, unlink, rename, link, symlink, readlink) open its
// parent that way and then name only the last component, which the *at()
// system calls never follow. Calls that follow the last symlink open the final
// object with openat2 itself and act on that descriptor.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "host/wasi/wasi_internal.h"

namespace weft {

using namespace wasi;

namespace {

using Descriptor = WasiContext::Descriptor;
using DescriptorRef = std::shared_ptr<Descriptor>;

int openBeneath(int directory, const std::string& path, uint64_t flags, mode_t mode, bool followLast) {
  open_how how{};
  how.flags = flags | O_CLOEXEC | (followLast ? 0 : O_NOFOLLOW);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, directory, path.c_str(), &how, sizeof how));
}

// Closes a host descriptor on every way out of a call, keeping errno intact.
struct ScopedFd {
  int fd = -1;
  ScopedFd() = default;
  explicit ScopedFd(int f) : fd(f) {}
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() {
    int saved = errno;
    if (fd >= 0) close(fd);
    errno = saved;
  }
};

// Splits "a/b/c" into the directory "a/b" (opened beneath {root}) and "c".
struct ParentAndName {
  ScopedFd parent;
  std::string name;
};
uint32_t openParent(int root, const std::string& path, ParentAndName& out) {
  if (path.empty()) return kNoent;
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  size_t slash = trimmed.rfind('/');
  std::string directory = slash == std::string::npos ? "." : trimmed.substr(0, slash == 0 ? 1 : slash);
  out.name = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  if (out.name == ".." || out.name == "." || out.name.empty()) return kNotcapable;
  out.parent.fd = openBeneath(root, directory, O_PATH | O_DIRECTORY, 0, true);
  if (out.parent.fd < 0) return fromErrno(errno);
  return kSuccess;
}

// The directory descriptor at a[fdAt], holding {needed}, and the path at
// a[pathAt], a[pathAt + 1].
uint32_t pathArg(WasiContext& c, Guest& g, std::span<const Value> a, size_t fdAt, size_t pathAt, uint64_t needed,
                 DescriptorRef& d, std::string& path) {
  d = WasiCalls::fd(c, u32(a[fdAt]));
  if (!d) return kBadf;
  if (!d->isDirectory()) return kNotdir;
  if (!d->has(needed)) return kNotcapable;
  return g.path(u32(a[pathAt]), u32(a[pathAt + 1]), path);
}

// lookupflags: SYMLINK_FOLLOW is the only bit WASI defines.
bool lookupFollows(uint32_t flags, uint32_t& error) {
  error = (flags & ~kLookupSymlinkFollow) ? uint32_t{kInval} : uint32_t{kSuccess};
  return flags & kLookupSymlinkFollow;
}

// A genuine cross-device error from rename/link (the paths themselves were
// already resolved beneath their preopens, so EXDEV here is not an escape).
uint32_t fromCrossDeviceErrno(int error) { return error == EXDEV ? uint32_t{kXdev} : fromErrno(error); }

// A hard link to the object {source} refers to (an O_PATH descriptor), named
// {name} in {directory}. linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH on
// kernels before 6.10; linkat(2) documents /proc/self/fd/N with
// AT_SYMLINK_FOLLOW as the unprivileged way, which follows the descriptor's
// magic link to the very object it holds, never a path.
int linkDescriptor(int source, int directory, const std::string& name) {
  if (linkat(source, "", directory, name.c_str(), AT_EMPTY_PATH) == 0) return 0;
  if (errno != ENOENT && errno != EPERM) return -1;
  int saved = errno;
  char self[40];
  std::snprintf(self, sizeof self, "/proc/self/fd/%d", source);
  if (linkat(AT_FDCWD, self, directory, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return 0;
  if (errno == ENOENT && access("/proc/self/fd", F_OK) != 0) errno = saved;  // no /proc: the first answer stands
  return -1;
}

}  // namespace

void WasiCalls::addPathCalls(CallTable& t) {
  define(t, "path_open", {I, I, I, I, I, L, L, I, I}, [](WasiContext& c, Guest& g, auto a) {
    constexpr uint32_t kCreat = 1, kDirectoryFlag = 2, kExcl = 4, kTrunc = 8;
    uint32_t oflags = u32(a[4]);
    uint64_t needed = right::kPathOpen | ((oflags & kCreat) ? right::kPathCreateFile : 0) |
                      ((oflags & kTrunc) ? right::kPathFilestatSetSize : 0);
    DescriptorRef d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 2, needed, d, path)) return e;
    uint32_t error;
    bool follow = lookupFollows(u32(a[1]), error);
    if (error) return error;
    uint32_t fdflags = u32(a[7]);
    if ((oflags & ~uint32_t{15}) || (fdflags & ~uint32_t{kAllFdflags})) return uint32_t{kInval};
    // A derived descriptor gets at most what its directory passes on. Bits
    // WASI does not define carry no meaning and are dropped.
    uint64_t base = u64(a[5]) & right::kAll, inheriting = u64(a[6]) & right::kAll;
    if ((base | inheriting) & ~d->rightsInheriting) return uint32_t{kNotcapable};
    uint64_t resultAt = u32(a[8]);
    if (!g.fits(resultAt, 4)) return uint32_t{kFault};  // before anything is created
    bool wantsRead = base & (right::kFdRead | right::kFdReaddir);
    bool wantsWrite = base & (right::kFdWrite | right::kFdAllocate | right::kFdFilestatSetSize);
    uint64_t flags = (oflags & kDirectoryFlag) ? O_DIRECTORY | O_RDONLY
                   : wantsWrite                ? (wantsRead ? O_RDWR : O_WRONLY)
                                               : O_RDONLY;
    if (oflags & kCreat) flags |= O_CREAT;
    if (oflags & kExcl) flags |= O_EXCL;
    if (oflags & kTrunc) flags |= O_TRUNC;
    if (fdflags & kFdflagAppend) flags |= O_APPEND;
    if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
    if (fdflags & kFdflagDsync) flags |= O_DSYNC;
    if (fdflags & kFdflagRsync) flags |= O_RSYNC;
    if (fdflags & kFdflagSync) flags |= O_SYNC;
    int host = openBeneath(d->hostFd, path, flags, 0644, follow);
    if (host < 0 && errno == EISDIR && !(oflags & kDirectoryFlag))
      host = openBeneath(d->hostFd, path, O_RDONLY | O_DIRECTORY, 0, follow);
    if (host < 0) return fromErrno(errno);
    struct stat st {};
    fstat(host, &st);
    auto opened = std::make_unique<Descriptor>();
    opened->hostFd = host;
    opened->fileType = fileTypeOf(st.st_mode);
    opened->fdFlags = static_cast<uint16_t>(fdflags);
    // Rights that cannot apply to what was opened are left out, as WASI allows.
    opened->rightsBase = base & (opened->isDirectory() ? right::kDirectory : right::kRegularFile);
    opened->rightsInheriting = inheriting;
    g.write<uint32_t>(resultAt, install(c, std::move(opened)));
    return uint32_t{kSuccess};
  });
  define(t, "path_create_directory", {I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 1, right::kPathCreateDirectory, d, path)) return e;
    ParentAndName target;
    if (uint32_t e = openParent(d->hostFd, path, target)) return e;
    return mkdirat(target.parent.fd, target.name.c_str(), 0755) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
  auto unlinkIn = [](uint64_t needed, int flags) {
    return [=](WasiContext& c, Guest& g, std::span<const Value> a) {
      DescriptorRef d;
      std::string path;
      if (uint32_t e = pathArg(c, g, a, 0, 1, needed, d, path)) return e;
      ParentAndName target;
      if (uint32_t e = openParent(d->hostFd, path, target)) return e;
      return unlinkat(target.parent.fd, target.name.c_str(), flags) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
    };
  };
  define(t, "path_unlink_file", {I, I, I}, unlinkIn(right::kPathUnlinkFile, 0));
  define(t, "path_remove_directory", {I, I, I}, unlinkIn(right::kPathRemoveDirectory, AT_REMOVEDIR));
  define(t, "path_rename", {I, I, I, I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef from, to;
    std::string fromPath, toPath;
    if (uint32_t e = pathArg(c, g, a, 0, 1, right::kPathRenameSource, from, fromPath)) return e;
    if (uint32_t e = pathArg(c, g, a, 3, 4, right::kPathRenameTarget, to, toPath)) return e;
    ParentAndName source, target;
    if (uint32_t e = openParent(from->hostFd, fromPath, source)) return e;
    if (uint32_t e = openParent(to->hostFd, toPath, target)) return e;
    return renameat(source.parent.fd, source.name.c_str(), target.parent.fd, target.name.c_str()) == 0
               ? uint32_t{kSuccess}
               : fromCrossDeviceErrno(errno);
  });
  // path_link(old_fd, old_flags, old_path, old_len, new_fd, new_path, new_len):
  // both paths beneath their own directories. Without SYMLINK_FOLLOW a final
  // symlink is linked itself (and following it later is still confined);
  // with it, the link's target is resolved beneath old_fd by openat2.
  define(t, "path_link", {I, I, I, I, I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef from, to;
    std::string fromPath, toPath;
    if (uint32_t e = pathArg(c, g, a, 0, 2, right::kPathLinkSource, from, fromPath)) return e;
    if (uint32_t e = pathArg(c, g, a, 4, 5, right::kPathLinkTarget, to, toPath)) return e;
    uint32_t error;
    bool follow = lookupFollows(u32(a[1]), error);
    if (error) return error;
    ParentAndName target;
    if (uint32_t e = openParent(to->hostFd, toPath, target)) return e;
    if (follow) {
      ScopedFd source(openBeneath(from->hostFd, fromPath, O_PATH, 0, true));
      if (source.fd < 0) return fromErrno(errno);
      return linkDescriptor(source.fd, target.parent.fd, target.name) == 0 ? uint32_t{kSuccess}
                                                                         : fromCrossDeviceErrno(errno);
    }
    ParentAndName source;
    if (uint32_t e = openParent(from->hostFd, fromPath, source)) return e;
    return linkat(source.parent.fd, source.name.c_str(), target.parent.fd, target.name.c_str(), 0) == 0
               ? uint32_t{kSuccess}
               : fromCrossDeviceErrno(errno);
  });
  define(t, "path_filestat_get", {I, I, I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 2, right::kPathFilestatGet, d, path)) return e;
    uint32_t error;
    bool follow = lookupFollows(u32(a[1]), error);
    if (error) return error;
    ScopedFd target(openBeneath(d->hostFd, path, O_PATH, 0, follow));
    if (target.fd < 0) return fromErrno(errno);
    struct stat st {};
    if (fstatat(target.fd, "", &st, AT_EMPTY_PATH) != 0) return fromErrno(errno);
    return writeFilestat(g, u32(a[4]), st);
  });
  // path_filestat_set_times(fd, flags, path, len, atim, mtim, fstflags): the
  // final object is opened beneath fd (O_PATH, O_NOFOLLOW unless following,
  // so a symlink is then the link itself) and its times are set through that
  // descriptor with AT_EMPTY_PATH (Linux 5.8+, after openat2's 5.6).
  define(t, "path_filestat_set_times", {I, I, I, I, L, L, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 2, right::kPathFilestatSetTimes, d, path)) return e;
    uint32_t error;
    bool follow = lookupFollows(u32(a[1]), error);
    if (error) return error;
    timespec times[2];
    if (uint32_t e = timesFromFlags(u64(a[4]), u64(a[5]), u32(a[6]), times)) return e;
    ScopedFd target(openBeneath(d->hostFd, path, O_PATH, 0, follow));
    if (target.fd < 0) return fromErrno(errno);
    int flags = AT_EMPTY_PATH | (follow ? 0 : AT_SYMLINK_NOFOLLOW);
    return utimensat(target.fd, "", times, flags) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
  define(t, "path_readlink", {I, I, I, I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 1, right::kPathReadlink, d, path)) return e;
    uint64_t buffer = u32(a[3]), resultAt = u32(a[5]);
    uint32_t length = u32(a[4]);
    if (!g.fits(buffer, length) || !g.fits(resultAt, 4)) return uint32_t{kFault};
    ParentAndName target;
    if (uint32_t e = openParent(d->hostFd, path, target)) return e;
    ssize_t n = readlinkat(target.parent.fd, target.name.c_str(), reinterpret_cast<char*>(g.at(buffer)), length);
    if (n < 0) return fromErrno(errno);
    g.write<uint32_t>(resultAt, static_cast<uint32_t>(n));
    return uint32_t{kSuccess};
  });
  define(t, "path_symlink", {I, I, I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    std::string contents;
    if (uint32_t e = g.path(u32(a[0]), u32(a[1]), contents)) return e;
    // A link's target is resolved beneath the preopen when followed, but an
    // absolute target could still mislead host tools: refuse it.
    if (!contents.empty() && contents[0] == '/') return uint32_t{kNotcapable};
    DescriptorRef d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 2, 3, right::kPathSymlink, d, path)) return e;
    ParentAndName target;
    if (uint32_t e = openParent(d->hostFd, path, target)) return e;
    return symlinkat(contents.c_str(), target.parent.fd, target.name.c_str()) == 0 ? uint32_t{kSuccess}
                                                                                   : fromErrno(errno);
  });
}

}  // namespace weft
