#include "host/wasi/wasi.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <map>

#include "runtime/func.h"

namespace weft {

struct WasiContext::Descriptor {
  int hostFd = -1;
  bool ownsFd = true;
  bool isDirectory = false;
  std::string preopenName;  // non-empty for preopened directories
  uint8_t fileType = 0;
  uint16_t fdFlags = 0;
  ~Descriptor() {
    if (ownsFd && hostFd >= 0) close(hostFd);
  }
};

namespace {

// WASI errno values.
enum Errno : uint32_t {
  kSuccess = 0, k2Big = 1, kAcces = 2, kBadf = 8, kExist = 20, kFault = 21, kInval = 28, kIo = 29, kIsdir = 31,
  kLoop = 32, kMfile = 33, kNametoolong = 37, kNoent = 44, kNospc = 51, kNosys = 52, kNotdir = 54,
  kNotempty = 55, kNotsup = 58, kPerm = 63, kRofs = 69, kSpipe = 70, kXdev = 75, kNotcapable = 76,
};
enum FileType : uint8_t {
  kUnknown = 0, kBlockDevice = 1, kCharacterDevice = 2, kDirectory = 3, kRegularFile = 4, kSocketDgram = 5,
  kSocketStream = 6, kSymbolicLink = 7,
};

uint32_t fromErrno(int error) {
  switch (error) {
    case E2BIG: return k2Big;
    case EACCES: return kAcces;
    case EBADF: return kBadf;
    case EEXIST: return kExist;
    case EFAULT: return kFault;
    case EINVAL: return kInval;
    case EISDIR: return kIsdir;
    case ELOOP: return kLoop;
    case EMFILE: return kMfile;
    case ENAMETOOLONG: return kNametoolong;
    case ENOENT: return kNoent;
    case ENOSPC: return kNospc;
    case ENOSYS: return kNosys;
    case ENOTDIR: return kNotdir;
    case ENOTEMPTY: return kNotempty;
    case EOPNOTSUPP: return kNotsup;
    case EPERM: return kPerm;
    case EROFS: return kRofs;
    case ESPIPE: return kSpipe;
    case EXDEV: return kNotcapable;  // RESOLVE_BENEATH: the path would leave the preopen
    default: return kIo;
  }
}

uint8_t fileTypeOf(mode_t mode) {
  if (S_ISREG(mode)) return kRegularFile;
  if (S_ISDIR(mode)) return kDirectory;
  if (S_ISCHR(mode)) return kCharacterDevice;
  if (S_ISBLK(mode)) return kBlockDevice;
  if (S_ISLNK(mode)) return kSymbolicLink;
  if (S_ISSOCK(mode)) return kSocketStream;
  return kUnknown;
}

uint64_t nanos(const timespec& t) { return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec); }

// Bounds-checked access to the calling instance's memory.
class Guest {
 public:
  explicit Guest(Caller& caller) : memory_(caller.memory()) {}
  bool fits(uint64_t address, uint64_t size) const { return address <= memory_.size() && size <= memory_.size() - address; }
  uint8_t* at(uint32_t address) { return memory_.data() + address; }
  template <typename T>
  bool read(uint32_t address, T& out) {
    if (!fits(address, sizeof(T))) return false;
    std::memcpy(&out, memory_.data() + address, sizeof(T));
    return true;
  }
  template <typename T>
  bool write(uint32_t address, T value) {
    if (!fits(address, sizeof(T))) return false;
    std::memcpy(memory_.data() + address, &value, sizeof(T));
    return true;
  }
  bool string(uint32_t address, uint32_t length, std::string& out) {
    if (!fits(address, length)) return false;
    out.assign(reinterpret_cast<const char*>(memory_.data() + address), length);
    return out.find('\0') == std::string::npos;
  }
  // Gathers an iovec array into host iovecs.
  bool iovecs(uint32_t address, uint32_t count, std::vector<iovec>& out) {
    if (!fits(address, uint64_t{count} * 8)) return false;
    out.resize(count);
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t buffer = 0, length = 0;
      read(address + 8 * i, buffer);
      read(address + 8 * i + 4, length);
      if (!fits(buffer, length)) return false;
      out[i] = {memory_.data() + buffer, length};
    }
    return true;
  }

 private:
  std::span<uint8_t> memory_;
};

int openBeneath(int directory, const std::string& path, uint64_t flags, mode_t mode, bool followLast) {
  open_how how{};
  how.flags = flags | O_CLOEXEC;
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (followLast ? 0 : 0);
  if (!followLast) how.flags |= O_NOFOLLOW;
  return static_cast<int>(syscall(SYS_openat2, directory, path.c_str(), &how, sizeof how));
}

// Splits "a/b/c" into the directory "a/b" (opened beneath {root}) and "c".
struct ParentAndName {
  int fd = -1;
  std::string name;
  ~ParentAndName() {
    if (fd >= 0) close(fd);
  }
};
uint32_t openParent(int root, const std::string& path, ParentAndName& out) {
  if (path.empty()) return kNoent;
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  size_t slash = trimmed.rfind('/');
  std::string directory = slash == std::string::npos ? "." : trimmed.substr(0, slash == 0 ? 1 : slash);
  out.name = slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
  if (out.name == ".." || out.name == "." || out.name.empty()) return kNotcapable;
  out.fd = openBeneath(root, directory, O_PATH | O_DIRECTORY, 0, true);
  if (out.fd < 0) return fromErrno(errno);
  return kSuccess;
}

using Callback = std::function<uint32_t(WasiContext&, Guest&, std::span<const Value>)>;

}  // namespace

// The WASI functions, with access to the context's internals.
struct WasiCalls {
  using Descriptor = WasiContext::Descriptor;
  static Descriptor* fd(WasiContext& c, uint32_t index) {
    return index < c.fds_.size() ? c.fds_[index].get() : nullptr;
  }
  static uint32_t install(WasiContext& c, std::unique_ptr<Descriptor> d) {
    for (uint32_t i = 3; i < c.fds_.size(); ++i)
      if (!c.fds_[i]) {
        c.fds_[i] = std::move(d);
        return i;
      }
    c.fds_.push_back(std::move(d));
    return static_cast<uint32_t>(c.fds_.size() - 1);
  }
  static void exit(WasiContext& c, uint32_t code) { c.exitCode_ = code; }
  static const WasiConfig& config(WasiContext& c) { return c.config_; }

  static std::map<std::string, std::pair<FuncType, Callback>> table();
};

namespace {

constexpr ValType I = ValType::I32, L = ValType::I64;

uint32_t stringsSizes(const std::vector<std::string>& strings, Guest& g, uint32_t countPtr, uint32_t sizePtr) {
  uint32_t bytes = 0;
  for (const std::string& s : strings) bytes += static_cast<uint32_t>(s.size() + 1);
  if (!g.write(countPtr, static_cast<uint32_t>(strings.size())) || !g.write(sizePtr, bytes)) return kFault;
  return kSuccess;
}
uint32_t stringsGet(const std::vector<std::string>& strings, Guest& g, uint32_t pointers, uint32_t buffer) {
  for (size_t i = 0; i < strings.size(); ++i) {
    if (!g.write(pointers + 4 * static_cast<uint32_t>(i), buffer)) return kFault;
    if (!g.fits(buffer, strings[i].size() + 1)) return kFault;
    std::memcpy(g.at(buffer), strings[i].c_str(), strings[i].size() + 1);
    buffer += static_cast<uint32_t>(strings[i].size() + 1);
  }
  return kSuccess;
}

uint32_t writeFilestat(Guest& g, uint32_t address, const struct stat& st) {
  if (!g.fits(address, 64)) return kFault;
  std::memset(g.at(address), 0, 64);
  g.write<uint64_t>(address, st.st_dev);
  g.write<uint64_t>(address + 8, st.st_ino);
  g.write<uint8_t>(address + 16, fileTypeOf(st.st_mode));
  g.write<uint64_t>(address + 24, st.st_nlink);
  g.write<uint64_t>(address + 32, static_cast<uint64_t>(st.st_size));
  g.write<uint64_t>(address + 40, nanos(st.st_atim));
  g.write<uint64_t>(address + 48, nanos(st.st_mtim));
  g.write<uint64_t>(address + 56, nanos(st.st_ctim));
  return kSuccess;
}

}  // namespace

std::map<std::string, std::pair<FuncType, Callback>> WasiCalls::table() {
  std::map<std::string, std::pair<FuncType, Callback>> t;
  auto def = [&](const char* name, std::vector<ValType> params, Callback callback) {
    t[name] = {FuncType{std::move(params), {I}}, std::move(callback)};
  };
  auto u32 = [](const Value& v) { return v.asI32(); };

  def("args_sizes_get", {I, I}, [=](WasiContext& c, Guest& g, auto a) {
    return stringsSizes(config(c).args, g, u32(a[0]), u32(a[1]));
  });
  def("args_get", {I, I}, [=](WasiContext& c, Guest& g, auto a) { return stringsGet(config(c).args, g, u32(a[0]), u32(a[1])); });
  def("environ_sizes_get", {I, I}, [=](WasiContext& c, Guest& g, auto a) {
    return stringsSizes(config(c).env, g, u32(a[0]), u32(a[1]));
  });
  def("environ_get", {I, I}, [=](WasiContext& c, Guest& g, auto a) { return stringsGet(config(c).env, g, u32(a[0]), u32(a[1])); });
  def("clock_res_get", {I, I}, [=](WasiContext&, Guest& g, auto a) {
    timespec res{};
    clockid_t id = u32(a[0]) == 0 ? CLOCK_REALTIME : u32(a[0]) == 1 ? CLOCK_MONOTONIC
                 : u32(a[0]) == 2 ? CLOCK_PROCESS_CPUTIME_ID : u32(a[0]) == 3 ? CLOCK_THREAD_CPUTIME_ID : -1;
    if (id < 0 || clock_getres(id, &res) != 0) return uint32_t{kInval};
    return g.write<uint64_t>(u32(a[1]), nanos(res)) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  def("clock_time_get", {I, L, I}, [=](WasiContext&, Guest& g, auto a) {
    timespec now{};
    clockid_t id = u32(a[0]) == 0 ? CLOCK_REALTIME : u32(a[0]) == 1 ? CLOCK_MONOTONIC
                 : u32(a[0]) == 2 ? CLOCK_PROCESS_CPUTIME_ID : u32(a[0]) == 3 ? CLOCK_THREAD_CPUTIME_ID : -1;
    if (id < 0 || clock_gettime(id, &now) != 0) return uint32_t{kInval};
    return g.write<uint64_t>(u32(a[2]), nanos(now)) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  def("random_get", {I, I}, [=](WasiContext&, Guest& g, auto a) {
    uint32_t at = u32(a[0]), length = u32(a[1]);
    if (!g.fits(at, length)) return uint32_t{kFault};
    for (uint32_t done = 0; done < length;) {
      ssize_t n = getrandom(g.at(at + done), length - done, 0);
      if (n < 0) return fromErrno(errno);
      done += static_cast<uint32_t>(n);
    }
    return uint32_t{kSuccess};
  });
  def("sched_yield", {}, [](WasiContext&, Guest&, auto) {
    sched_yield();
    return uint32_t{kSuccess};
  });

  // ---- descriptors ----
  auto rw = [=](bool write, bool positioned) {
    return [=](WasiContext& c, Guest& g, std::span<const Value> a) {
      Descriptor* d = fd(c, u32(a[0]));
      if (!d) return uint32_t{kBadf};
      if (d->isDirectory) return uint32_t{kIsdir};
      std::vector<iovec> vecs;
      if (!g.iovecs(u32(a[1]), u32(a[2]), vecs)) return uint32_t{kFault};
      ssize_t n;
      if (positioned) {
        auto offset = static_cast<off_t>(a[3].asI64());
        n = write ? pwritev(d->hostFd, vecs.data(), static_cast<int>(vecs.size()), offset)
                  : preadv(d->hostFd, vecs.data(), static_cast<int>(vecs.size()), offset);
      } else {
        n = write ? writev(d->hostFd, vecs.data(), static_cast<int>(vecs.size()))
                  : readv(d->hostFd, vecs.data(), static_cast<int>(vecs.size()));
      }
      if (n < 0) return fromErrno(errno);
      return g.write<uint32_t>(u32(a[positioned ? 4 : 3]), static_cast<uint32_t>(n)) ? uint32_t{kSuccess}
                                                                                     : uint32_t{kFault};
    };
  };
  def("fd_write", {I, I, I, I}, rw(true, false));
  def("fd_read", {I, I, I, I}, rw(false, false));
  def("fd_pwrite", {I, I, I, L, I}, rw(true, true));
  def("fd_pread", {I, I, I, L, I}, rw(false, true));
  def("fd_close", {I}, [=](WasiContext& c, Guest&, auto a) {
    uint32_t index = u32(a[0]);
    Descriptor* d = fd(c, index);
    if (!d) return uint32_t{kBadf};
    if (!d->preopenName.empty()) return uint32_t{kNotsup};  // keep the capability roots
    c.fds_[index].reset();
    return uint32_t{kSuccess};
  });
  def("fd_seek", {I, L, I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    int whence = u32(a[2]) == 0 ? SEEK_SET : u32(a[2]) == 1 ? SEEK_CUR : u32(a[2]) == 2 ? SEEK_END : -1;
    if (whence < 0) return uint32_t{kInval};
    off_t at = lseek(d->hostFd, static_cast<off_t>(a[1].asI64()), whence);
    if (at < 0) return fromErrno(errno);
    return g.write<uint64_t>(u32(a[3]), static_cast<uint64_t>(at)) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  def("fd_tell", {I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    off_t at = lseek(d->hostFd, 0, SEEK_CUR);
    if (at < 0) return fromErrno(errno);
    return g.write<uint64_t>(u32(a[1]), static_cast<uint64_t>(at)) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  def("fd_sync", {I}, [=](WasiContext& c, Guest&, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    return fsync(d->hostFd) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
  def("fd_fdstat_get", {I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    uint32_t at = u32(a[1]);
    if (!g.fits(at, 24)) return uint32_t{kFault};
    std::memset(g.at(at), 0, 24);
    g.write<uint8_t>(at, d->fileType);
    g.write<uint16_t>(at + 2, d->fdFlags);
    g.write<uint64_t>(at + 8, ~uint64_t{0});   // rights: everything the descriptor allows
    g.write<uint64_t>(at + 16, ~uint64_t{0});
    return uint32_t{kSuccess};
  });
  def("fd_fdstat_set_flags", {I, I}, [=](WasiContext& c, Guest&, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    uint32_t flags = u32(a[1]);
    int host = fcntl(d->hostFd, F_GETFL);
    if (host < 0) return fromErrno(errno);
    host = (host & ~(O_APPEND | O_NONBLOCK)) | ((flags & 1) ? O_APPEND : 0) | ((flags & 4) ? O_NONBLOCK : 0);
    if (fcntl(d->hostFd, F_SETFL, host) != 0) return fromErrno(errno);
    d->fdFlags = static_cast<uint16_t>(flags & 5);
    return uint32_t{kSuccess};
  });
  def("fd_filestat_get", {I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    struct stat st {};
    if (fstat(d->hostFd, &st) != 0) return fromErrno(errno);
    return writeFilestat(g, u32(a[1]), st);
  });
  def("fd_prestat_get", {I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    if (d->preopenName.empty()) return uint32_t{kBadf};
    uint32_t at = u32(a[1]);
    if (!g.write<uint32_t>(at, 0) || !g.write<uint32_t>(at + 4, static_cast<uint32_t>(d->preopenName.size())))
      return uint32_t{kFault};
    return uint32_t{kSuccess};
  });
  def("fd_prestat_dir_name", {I, I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d || d->preopenName.empty()) return uint32_t{kBadf};
    uint32_t at = u32(a[1]), length = u32(a[2]);
    if (length < d->preopenName.size()) return uint32_t{kNametoolong};
    if (!g.fits(at, d->preopenName.size())) return uint32_t{kFault};
    std::memcpy(g.at(at), d->preopenName.data(), d->preopenName.size());
    return uint32_t{kSuccess};
  });
  def("fd_renumber", {I, I}, [=](WasiContext& c, Guest&, auto a) {
    uint32_t from = u32(a[0]), to = u32(a[1]);
    if (!fd(c, from) || !fd(c, to)) return uint32_t{kBadf};
    if (!c.fds_[to]->preopenName.empty() || !c.fds_[from]->preopenName.empty()) return uint32_t{kNotsup};
    c.fds_[to] = std::move(c.fds_[from]);
    return uint32_t{kSuccess};
  });
  def("fd_readdir", {I, I, I, L, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    if (!d->isDirectory) return uint32_t{kNotdir};
    uint32_t buffer = u32(a[1]), length = u32(a[2]);
    uint64_t cookie = a[3].asI64();
    if (!g.fits(buffer, length)) return uint32_t{kFault};
    int copy = openat(d->hostFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (copy < 0) return fromErrno(errno);
    DIR* dir = fdopendir(copy);
    if (!dir) {
      close(copy);
      return fromErrno(errno);
    }
    uint32_t used = 0;
    uint64_t index = 0;
    while (dirent* entry = readdir(dir)) {
      if (index++ < cookie) continue;
      uint8_t header[24] = {};
      uint64_t next = index;
      uint64_t inode = entry->d_ino;
      auto nameLength = static_cast<uint32_t>(std::strlen(entry->d_name));
      uint8_t type = entry->d_type == DT_DIR ? kDirectory : entry->d_type == DT_REG ? kRegularFile
                     : entry->d_type == DT_LNK ? kSymbolicLink : entry->d_type == DT_CHR ? kCharacterDevice
                                                                                        : kUnknown;
      std::memcpy(header, &next, 8);
      std::memcpy(header + 8, &inode, 8);
      std::memcpy(header + 16, &nameLength, 4);
      header[20] = type;
      // Entries are cut at the buffer's end; a full buffer tells libc to call again.
      uint32_t take = std::min<uint32_t>(24, length - used);
      std::memcpy(g.at(buffer + used), header, take);
      used += take;
      take = std::min<uint32_t>(nameLength, length - used);
      std::memcpy(g.at(buffer + used), entry->d_name, take);
      used += take;
      if (used == length) break;
    }
    closedir(dir);
    return g.write<uint32_t>(u32(a[4]), used) ? uint32_t{kSuccess} : uint32_t{kFault};
  });

  // ---- paths, always beneath a preopen ----
  auto pathArg = [=](WasiContext& c, Guest& g, std::span<const Value> a, size_t fdAt, size_t pathAt, Descriptor*& d,
                     std::string& path) -> uint32_t {
    d = fd(c, u32(a[fdAt]));
    if (!d) return kBadf;
    if (!d->isDirectory) return kNotdir;
    if (!g.string(u32(a[pathAt]), u32(a[pathAt + 1]), path)) return kFault;
    return kSuccess;
  };
  def("path_open", {I, I, I, I, I, L, L, I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 2, d, path)) return e;
    bool follow = u32(a[1]) & 1;
    uint32_t oflags = u32(a[4]);
    uint64_t rights = a[5].asI64();
    uint32_t fdflags = u32(a[7]);
    bool wantsRead = rights & ((1ull << 1) | (1ull << 14));  // fd_read, fd_readdir
    bool wantsWrite = rights & ((1ull << 6) | (1ull << 9) | (1ull << 22));  // fd_write, fd_allocate, fd_filestat_set_size
    uint64_t flags = (oflags & 2) ? O_DIRECTORY | O_RDONLY : wantsWrite ? (wantsRead ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (oflags & 1) flags |= O_CREAT;
    if (oflags & 4) flags |= O_EXCL;
    if (oflags & 8) flags |= O_TRUNC;
    if (fdflags & 1) flags |= O_APPEND;
    if (fdflags & 4) flags |= O_NONBLOCK;
    int host = openBeneath(d->hostFd, path, flags, 0644, follow);
    if (host < 0 && errno == EISDIR && !(oflags & 2)) host = openBeneath(d->hostFd, path, O_RDONLY | O_DIRECTORY, 0, follow);
    if (host < 0) return fromErrno(errno);
    struct stat st {};
    fstat(host, &st);
    auto opened = std::make_unique<Descriptor>();
    opened->hostFd = host;
    opened->isDirectory = S_ISDIR(st.st_mode);
    opened->fileType = fileTypeOf(st.st_mode);
    opened->fdFlags = static_cast<uint16_t>(fdflags & 5);
    uint32_t index = install(c, std::move(opened));
    return g.write<uint32_t>(u32(a[8]), index) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  def("path_create_directory", {I, I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 1, d, path)) return e;
    ParentAndName parent;
    if (uint32_t e = openParent(d->hostFd, path, parent)) return e;
    return mkdirat(parent.fd, parent.name.c_str(), 0755) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
  auto unlinkIn = [=](int flags) {
    return [=](WasiContext& c, Guest& g, std::span<const Value> a) {
      Descriptor* d;
      std::string path;
      if (uint32_t e = pathArg(c, g, a, 0, 1, d, path)) return e;
      ParentAndName parent;
      if (uint32_t e = openParent(d->hostFd, path, parent)) return e;
      return unlinkat(parent.fd, parent.name.c_str(), flags) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
    };
  };
  def("path_unlink_file", {I, I, I}, unlinkIn(0));
  def("path_remove_directory", {I, I, I}, unlinkIn(AT_REMOVEDIR));
  def("path_rename", {I, I, I, I, I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor *from, *to;
    std::string fromPath, toPath;
    if (uint32_t e = pathArg(c, g, a, 0, 1, from, fromPath)) return e;
    if (uint32_t e = pathArg(c, g, a, 3, 4, to, toPath)) return e;
    ParentAndName source, target;
    if (uint32_t e = openParent(from->hostFd, fromPath, source)) return e;
    if (uint32_t e = openParent(to->hostFd, toPath, target)) return e;
    return renameat(source.fd, source.name.c_str(), target.fd, target.name.c_str()) == 0 ? uint32_t{kSuccess}
                                                                                         : fromErrno(errno);
  });
  def("path_filestat_get", {I, I, I, I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 2, d, path)) return e;
    bool follow = u32(a[1]) & 1;
    int host = openBeneath(d->hostFd, path, O_PATH, 0, follow);
    if (host < 0) return fromErrno(errno);
    struct stat st {};
    int result = fstatat(host, "", &st, AT_EMPTY_PATH);
    close(host);
    if (result != 0) return fromErrno(errno);
    return writeFilestat(g, u32(a[4]), st);
  });
  def("path_readlink", {I, I, I, I, I, I}, [=](WasiContext& c, Guest& g, auto a) {
    Descriptor* d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 0, 1, d, path)) return e;
    ParentAndName parent;
    if (uint32_t e = openParent(d->hostFd, path, parent)) return e;
    uint32_t buffer = u32(a[3]), length = u32(a[4]);
    if (!g.fits(buffer, length)) return uint32_t{kFault};
    ssize_t n = readlinkat(parent.fd, parent.name.c_str(), reinterpret_cast<char*>(g.at(buffer)), length);
    if (n < 0) return fromErrno(errno);
    return g.write<uint32_t>(u32(a[5]), static_cast<uint32_t>(n)) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  def("path_symlink", {I, I, I, I, I}, [=](WasiContext& c, Guest& g, auto a) {
    std::string target;
    if (!g.string(u32(a[0]), u32(a[1]), target)) return uint32_t{kFault};
    // A link's target is resolved beneath the preopen when followed, but an
    // absolute target could still mislead host tools: refuse it.
    if (!target.empty() && target[0] == '/') return uint32_t{kNotcapable};
    Descriptor* d;
    std::string path;
    if (uint32_t e = pathArg(c, g, a, 2, 3, d, path)) return e;
    ParentAndName parent;
    if (uint32_t e = openParent(d->hostFd, path, parent)) return e;
    return symlinkat(target.c_str(), parent.fd, parent.name.c_str()) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });

  // ---- poll_oneoff: clock subscriptions (sleeping); fd readiness reported at once ----
  def("poll_oneoff", {I, I, I, I}, [=](WasiContext&, Guest& g, auto a) {
    uint32_t in = u32(a[0]), out = u32(a[1]), count = u32(a[2]);
    if (!g.fits(in, uint64_t{count} * 48) || !g.fits(out, uint64_t{count} * 32)) return uint32_t{kFault};
    uint64_t shortest = ~uint64_t{0};
    for (uint32_t i = 0; i < count; ++i) {
      uint8_t tag = 0;
      g.read(in + 48 * i + 8, tag);
      if (tag != 0) continue;
      uint32_t clock = 0;
      uint64_t timeout = 0;
      uint16_t flags = 0;
      g.read(in + 48 * i + 16, clock);
      g.read(in + 48 * i + 24, timeout);
      g.read(in + 48 * i + 40, flags);
      if (flags & 1) {  // absolute time
        timespec now{};
        clock_gettime(clock == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
        timeout = timeout > nanos(now) ? timeout - nanos(now) : 0;
      }
      shortest = std::min(shortest, timeout);
    }
    if (shortest != ~uint64_t{0}) {
      timespec wait{static_cast<time_t>(shortest / 1000000000ull), static_cast<long>(shortest % 1000000000ull)};
      while (nanosleep(&wait, &wait) != 0 && errno == EINTR) {
      }
    }
    for (uint32_t i = 0; i < count; ++i) {
      uint64_t userdata = 0;
      uint8_t tag = 0;
      g.read(in + 48 * i, userdata);
      g.read(in + 48 * i + 8, tag);
      std::memset(g.at(out + 32 * i), 0, 32);
      g.write(out + 32 * i, userdata);
      g.write<uint16_t>(out + 32 * i + 8, kSuccess);
      g.write<uint8_t>(out + 32 * i + 10, tag);
    }
    return g.write<uint32_t>(u32(a[3]), count) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  return t;
}

Result<std::shared_ptr<WasiContext>> WasiContext::create(WasiConfig config) {
  std::shared_ptr<WasiContext> context(new WasiContext());
  context->config_ = std::move(config);
  for (int stdio = 0; stdio < 3; ++stdio) {
    auto d = std::make_unique<Descriptor>();
    d->hostFd = stdio;
    d->ownsFd = false;
    struct stat st {};
    d->fileType = fstat(stdio, &st) == 0 ? fileTypeOf(st.st_mode) : uint8_t{kCharacterDevice};
    context->fds_.push_back(std::move(d));
  }
  for (const WasiConfig::Preopen& preopen : context->config_.preopens) {
    int fd = open(preopen.hostPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      Error error;
      error.kind = ErrorKind::Invalid;
      error.message = "cannot preopen directory " + preopen.hostPath + ": " + std::strerror(errno);
      return error;
    }
    auto d = std::make_unique<Descriptor>();
    d->hostFd = fd;
    d->isDirectory = true;
    d->fileType = kDirectory;
    d->preopenName = preopen.guestPath;
    context->fds_.push_back(std::move(d));
  }
  return context;
}

WasiContext::~WasiContext() = default;

Result<std::vector<Extern>> WasiContext::imports(Engine& engine, const ModuleInfo& module) {
  static const auto calls = WasiCalls::table();
  std::vector<Extern> out;
  for (const Import& import : module.imports) {
    auto fail = [&](const std::string& why) {
      Error error;
      error.kind = ErrorKind::Invalid;
      error.message = "unknown import \"" + import.module + "\" \"" + import.name + "\"" + why;
      return error;
    };
    if (import.module != "wasi_snapshot_preview1" || import.kind != ExternKind::Func)
      return fail(": weft run provides wasi_snapshot_preview1 functions only");
    if (import.name == "proc_exit") {
      out.push_back(Extern::of(makeHostFunction(engine, FuncType{{I}, {}}, [this](Caller&, std::span<const Value> a, std::span<Value>) {
        WasiCalls::exit(*this, a[0].asI32());
        return HostOutcome::trapWith(kWasiExitMessage);
      })));
      continue;
    }
    auto found = calls.find(import.name);
    if (found == calls.end()) return fail(": not a WASI preview 1 function Weft provides");
    const FuncType& type = found->second.first;
    const Callback& callback = found->second.second;
    out.push_back(Extern::of(makeHostFunction(engine, type, [this, callback](Caller& caller, std::span<const Value> a,
                                                                            std::span<Value> results) {
      Guest guest(caller);
      results[0] = Value::i32(callback(*this, guest, a));
      return HostOutcome::ok();
    })));
  }
  return out;
}

}  // namespace weft
