// The pieces every part of the WASI preview 1 host shares (src/host/wasi/):
// WASI's numeric constants, the descriptor table entry with its rights,
// bounds-checked access to guest memory, and the table of calls that each
// wasi_*.cpp file fills with its own concern:
//
//   wasi.cpp              the context (stdio, preopens, listeners) and linking
//   wasi_environment.cpp  args, environ, clocks, random, sched_yield, proc_raise
//   wasi_descriptors.cpp  fd_* calls
//   wasi_paths.cpp        path_* calls, every path resolved beneath a preopen
//   wasi_sockets.cpp      the granted listeners and sock_* calls
//   wasi_poll.cpp         poll_oneoff
//
// Trust (DESIGN 11): every number a guest passes is checked here or in its call
// before it reaches memory, an allocation or a system call: pointers and sizes
// through {Guest} (64-bit arithmetic, so "pointer + size" never wraps), counts
// against host limits, and 64-bit offsets and sizes against INT64_MAX before
// they become an off_t. A failed check is a WASI errno, never a crash.
//
// Threads: a context serves every thread of a program at once (wasi-threads):
// calls take their descriptor by reference (DescriptorRef) from the locked
// table, so they run concurrently, and only the table's changes serialize.
// Two threads changing one descriptor's flags or rights at once is the
// guest's race; the outcome is one of the two (the fields are atomic).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "format/types.h"
#include "host/wasi/wasi.h"
#include "runtime/value.h"

namespace weft {
namespace wasi {

// WASI errno values (witx `errno`), all of them.
enum Errno : uint32_t {
  kSuccess = 0, k2Big, kAcces, kAddrinuse, kAddrnotavail, kAfnosupport, kAgain, kAlready, kBadf, kBadmsg, kBusy,
  kCanceled, kChild, kConnaborted, kConnrefused, kConnreset, kDeadlk, kDestaddrreq, kDom, kDquot, kExist, kFault,
  kFbig, kHostunreach, kIdrm, kIlseq, kInprogress, kIntr, kInval, kIo, kIsconn, kIsdir, kLoop, kMfile, kMlink,
  kMsgsize, kMultihop, kNametoolong, kNetdown, kNetreset, kNetunreach, kNfile, kNobufs, kNodev, kNoent, kNoexec,
  kNolck, kNolink, kNomem, kNomsg, kNoprotoopt, kNospc, kNosys, kNotconn, kNotdir, kNotempty, kNotrecoverable,
  kNotsock, kNotsup, kNotty, kNxio, kOverflow, kOwnerdead, kPerm, kPipe, kProto, kProtonosupport, kPrototype,
  kRange, kRofs, kSpipe, kSrch, kStale, kTimedout, kTxtbsy, kXdev, kNotcapable,
};
static_assert(kNosys == 52 && kNotsock == 57 && kNotcapable == 76);

enum FileType : uint8_t {
  kUnknown = 0, kBlockDevice, kCharacterDevice, kDirectory, kRegularFile, kSocketDgram, kSocketStream,
  kSymbolicLink,
};

// fdflags
constexpr uint16_t kFdflagAppend = 1, kFdflagDsync = 2, kFdflagNonblock = 4, kFdflagRsync = 8, kFdflagSync = 16;
constexpr uint16_t kAllFdflags = 31;
// lookupflags
constexpr uint32_t kLookupSymlinkFollow = 1;

// Rights: what a descriptor may be used for. A descriptor's base rights gate
// the calls made on it; its inheriting rights bound those of the descriptors
// path_open derives from it. fd_fdstat_set_rights can only drop them.
namespace right {
constexpr uint64_t kFdDatasync = 1ull << 0, kFdRead = 1ull << 1, kFdSeek = 1ull << 2,
                   kFdFdstatSetFlags = 1ull << 3, kFdSync = 1ull << 4, kFdTell = 1ull << 5, kFdWrite = 1ull << 6,
                   kFdAdvise = 1ull << 7, kFdAllocate = 1ull << 8, kPathCreateDirectory = 1ull << 9,
                   kPathCreateFile = 1ull << 10, kPathLinkSource = 1ull << 11, kPathLinkTarget = 1ull << 12,
                   kPathOpen = 1ull << 13, kFdReaddir = 1ull << 14, kPathReadlink = 1ull << 15,
                   kPathRenameSource = 1ull << 16, kPathRenameTarget = 1ull << 17, kPathFilestatGet = 1ull << 18,
                   kPathFilestatSetSize = 1ull << 19, kPathFilestatSetTimes = 1ull << 20,
                   kFdFilestatGet = 1ull << 21, kFdFilestatSetSize = 1ull << 22, kFdFilestatSetTimes = 1ull << 23,
                   kPathSymlink = 1ull << 24, kPathRemoveDirectory = 1ull << 25, kPathUnlinkFile = 1ull << 26,
                   kPollFdReadwrite = 1ull << 27, kSockShutdown = 1ull << 28, kSockAccept = 1ull << 29;
constexpr uint64_t kAll = (1ull << 30) - 1;

// What applies to each kind of descriptor.
constexpr uint64_t kRegularFile = kFdDatasync | kFdRead | kFdSeek | kFdFdstatSetFlags | kFdSync | kFdTell |
                                  kFdWrite | kFdAdvise | kFdAllocate | kFdFilestatGet | kFdFilestatSetSize |
                                  kFdFilestatSetTimes | kPollFdReadwrite;
constexpr uint64_t kDirectory = kFdFdstatSetFlags | kFdSync | kFdDatasync | kFdAdvise | kFdReaddir |
                                kFdFilestatGet | kFdFilestatSetTimes | kPathCreateDirectory | kPathCreateFile |
                                kPathLinkSource | kPathLinkTarget | kPathOpen | kPathReadlink | kPathRenameSource |
                                kPathRenameTarget | kPathFilestatGet | kPathFilestatSetSize |
                                kPathFilestatSetTimes | kPathSymlink | kPathRemoveDirectory | kPathUnlinkFile |
                                kPollFdReadwrite;
// Terminals, pipes and other streams (stdio); seek and tell are added for the
// seekable ones, whose absence is how wasi-libc's isatty() spots a terminal.
constexpr uint64_t kStream = kFdRead | kFdWrite | kFdFdstatSetFlags | kFdSync | kFdDatasync | kFdFilestatGet |
                             kFdFilestatSetTimes | kPollFdReadwrite;
constexpr uint64_t kListener = kSockAccept | kFdFdstatSetFlags | kFdFilestatGet | kPollFdReadwrite;
constexpr uint64_t kConnection = kFdRead | kFdWrite | kSockShutdown | kFdFdstatSetFlags | kFdFilestatGet |
                                 kPollFdReadwrite;
}  // namespace right

uint32_t fromErrno(int error);

inline uint8_t fileTypeOf(mode_t mode) {
  if (S_ISREG(mode)) return kRegularFile;
  if (S_ISDIR(mode)) return kDirectory;
  if (S_ISCHR(mode)) return kCharacterDevice;
  if (S_ISBLK(mode)) return kBlockDevice;
  if (S_ISLNK(mode)) return kSymbolicLink;
  if (S_ISSOCK(mode)) return kSocketStream;
  return kUnknown;
}

inline uint64_t nanos(const timespec& t) { return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec); }

// WASI's 64-bit file sizes and offsets are unsigned; the host's off_t is signed.
// Values above INT64_MAX would turn negative: refuse them before the call.
inline bool toOffset(uint64_t value, off_t& out) {
  if (value > uint64_t{INT64_MAX}) return false;
  out = static_cast<off_t>(value);
  return true;
}

inline uint32_t u32(const Value& v) { return v.asI32(); }
inline uint64_t u64(const Value& v) { return v.asI64(); }

// Bounds-checked access to the calling instance's memory. Addresses are 64-bit
// so that "guest pointer + field offset" is computed without wrapping.
class Guest {
 public:
  explicit Guest(std::span<uint8_t> memory) : memory_(memory) {}
  bool fits(uint64_t address, uint64_t size) const {
    return address <= memory_.size() && size <= memory_.size() - address;
  }
  // Only after fits(address, n) for the n bytes used.
  uint8_t* at(uint64_t address) { return memory_.data() + address; }
  template <typename T>
  bool read(uint64_t address, T& out) const {
    if (!fits(address, sizeof(T))) return false;
    std::memcpy(&out, memory_.data() + address, sizeof(T));
    return true;
  }
  template <typename T>
  bool write(uint64_t address, T value) {
    if (!fits(address, sizeof(T))) return false;
    std::memcpy(memory_.data() + address, &value, sizeof(T));
    return true;
  }
  // A path argument: kFault outside memory, kNametoolong beyond PATH_MAX
  // (before anything is allocated), kInval with an embedded NUL.
  uint32_t path(uint64_t address, uint32_t length, std::string& out) const {
    if (!fits(address, length)) return kFault;
    if (length >= PATH_MAX) return kNametoolong;
    out.assign(reinterpret_cast<const char*>(memory_.data() + address), length);
    return out.find('\0') == std::string::npos ? uint32_t{kSuccess} : uint32_t{kInval};
  }
  // Gathers a guest iovec array (buffer u32, length u32) into host iovecs:
  // kInval for more than IOV_MAX entries (the host's own limit, checked before
  // allocating), kFault when the array or a buffer lies outside memory. The
  // total is cut at UINT32_MAX so a transfer's size always fits its u32 result.
  uint32_t iovecs(uint64_t address, uint32_t count, std::vector<iovec>& out) const {
    if (count > IOV_MAX) return kInval;
    if (!fits(address, uint64_t{count} * 8)) return kFault;
    out.resize(count);
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t buffer = 0, length = 0;
      read(address + 8ull * i, buffer);
      read(address + 8ull * i + 4, length);
      if (!fits(buffer, length)) return kFault;
      uint64_t take = std::min<uint64_t>(length, uint64_t{UINT32_MAX} - total);
      total += take;
      out[i] = {memory_.data() + buffer, static_cast<size_t>(take)};
    }
    return kSuccess;
  }

 private:
  std::span<uint8_t> memory_;
};

using Callback = std::function<uint32_t(WasiContext&, Guest&, std::span<const Value>)>;
using CallTable = std::map<std::string, std::pair<FuncType, Callback>>;

// Registers one call returning an errno (i32).
inline void define(CallTable& table, const char* name, std::vector<ValType> params, Callback callback) {
  table[name] = {FuncType{std::move(params), {ValType::I32}}, std::move(callback)};
}

constexpr ValType I = ValType::I32, L = ValType::I64;

// Writes a WASI filestat (64 bytes) at {at}; kFault when it does not fit.
uint32_t writeFilestat(Guest& g, uint64_t at, const struct stat& st);

// fstflags for fd_filestat_set_times and path_filestat_set_times → the two
// timespecs of futimens/utimensat. Setting both a time and "now" for the same
// stamp is contradictory (EINVAL), as is any bit WASI does not define.
uint32_t timesFromFlags(uint64_t accessed, uint64_t modified, uint32_t flags, timespec out[2]);

// Socket transfers used by both sock_* and fd_read/fd_write on sockets; they
// never raise SIGPIPE in the host. Return bytes moved or -1 with errno set.
ssize_t receiveVectors(int hostFd, std::vector<iovec>& vecs, int flags, int* messageFlags);
ssize_t sendVectors(int hostFd, std::vector<iovec>& vecs);

// Opens a listening TCP socket for "HOST:PORT" (IPv4 literal, bracketed IPv6
// literal, or localhost); the error names the address and the reason.
Result<int> openTcpListener(const std::string& address);

}  // namespace wasi

struct WasiContext::Descriptor {
  int hostFd = -1;
  bool ownsFd = true;
  std::string preopenName;  // non-empty for preopened directories
  uint8_t fileType = wasi::kUnknown;
  // Atomic: another thread of the program may change them (fd_fdstat_set_*)
  // while a call reads them; it sees the old or the new value.
  std::atomic<uint16_t> fdFlags{0};
  std::atomic<uint64_t> rightsBase{0};
  std::atomic<uint64_t> rightsInheriting{0};

  bool isDirectory() const { return fileType == wasi::kDirectory; }
  bool isSocket() const { return fileType == wasi::kSocketStream || fileType == wasi::kSocketDgram; }
  bool has(uint64_t rights) const { return (rightsBase & rights) == rights; }
  ~Descriptor();
};

// The calls, with access to the context's internals.
struct WasiCalls {
  using Descriptor = WasiContext::Descriptor;
  using DescriptorRef = std::shared_ptr<Descriptor>;

  static DescriptorRef fd(WasiContext& c, uint32_t index) {
    std::lock_guard lock(c.fdsLock_);
    return index < c.fds_.size() ? c.fds_[index] : nullptr;
  }
  // The descriptor at {index} holding every right in {needed}: kBadf when
  // there is none, kNotcapable when it lacks a right.
  static uint32_t fdWith(WasiContext& c, uint32_t index, uint64_t needed, DescriptorRef& out) {
    out = fd(c, index);
    if (!out) return wasi::kBadf;
    return out->has(needed) ? uint32_t{wasi::kSuccess} : uint32_t{wasi::kNotcapable};
  }
  // Puts {d} at the lowest free descriptor above stdio.
  static uint32_t install(WasiContext& c, std::unique_ptr<Descriptor> d);
  // fd_close and fd_renumber: a preopen cannot be closed or replaced.
  static uint32_t closeDescriptor(WasiContext& c, uint32_t index);
  static uint32_t renumberDescriptor(WasiContext& c, uint32_t from, uint32_t to);
  static void exit(WasiContext& c, uint32_t code) {
    int64_t none = -1;
    c.exitCode_.compare_exchange_strong(none, code, std::memory_order_acq_rel);
  }
  static const WasiConfig& config(WasiContext& c) { return c.config_; }

  static void addEnvironmentCalls(wasi::CallTable& table);
  static void addDescriptorCalls(wasi::CallTable& table);
  static void addPathCalls(wasi::CallTable& table);
  static void addSocketCalls(wasi::CallTable& table);
  static void addPollCalls(wasi::CallTable& table);
  static wasi::CallTable table();
};

}  // namespace weft
