// The fd_* calls: reading and writing (files, streams and sockets alike), seek,
// sync, advice and allocation, sizes and times, descriptor flags and rights,
// preopen names, renumbering and directory listing. Each checks the rights its
// descriptor holds before touching the host descriptor.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "host/wasi/wasi_internal.h"

namespace weft {

using namespace wasi;

namespace {

using Descriptor = WasiContext::Descriptor;
using DescriptorRef = std::shared_ptr<Descriptor>;

// fd_read, fd_write, fd_pread, fd_pwrite.
Callback transfer(bool write, bool positioned) {
  return [=](WasiContext& c, Guest& g, std::span<const Value> a) -> uint32_t {
    DescriptorRef d = WasiCalls::fd(c, u32(a[0]));
    if (!d) return kBadf;
    if (d->isDirectory()) return kIsdir;
    if (!d->has((write ? right::kFdWrite : right::kFdRead) | (positioned ? right::kFdSeek : 0))) return kNotcapable;
    std::vector<iovec> vecs;
    if (uint32_t e = g.iovecs(u32(a[1]), u32(a[2]), vecs)) return e;
    // Checked before the transfer: bytes that moved must be reported.
    uint64_t resultAt = u32(a[positioned ? 4 : 3]);
    if (!g.fits(resultAt, 4)) return kFault;
    auto count = static_cast<int>(vecs.size());
    ssize_t n;
    if (positioned) {
      off_t offset;
      if (!toOffset(u64(a[3]), offset)) return kInval;
      if (d->isSocket()) return kSpipe;
      n = write ? pwritev(d->hostFd, vecs.data(), count, offset) : preadv(d->hostFd, vecs.data(), count, offset);
    } else if (d->isSocket()) {
      n = write ? sendVectors(d->hostFd, vecs) : receiveVectors(d->hostFd, vecs, 0, nullptr);
    } else {
      n = write ? writev(d->hostFd, vecs.data(), count) : readv(d->hostFd, vecs.data(), count);
    }
    if (n < 0) return fromErrno(errno);
    g.write<uint32_t>(resultAt, static_cast<uint32_t>(n));
    return kSuccess;
  };
}

// A WASI timestamp (nanoseconds since the epoch) as a timespec.
timespec timespecOf(uint64_t nanoseconds) {
  return {static_cast<time_t>(nanoseconds / 1000000000ull), static_cast<long>(nanoseconds % 1000000000ull)};
}

}  // namespace

uint32_t wasi::writeFilestat(Guest& g, uint64_t at, const struct stat& st) {
  if (!g.fits(at, 64)) return kFault;
  std::memset(g.at(at), 0, 64);
  g.write<uint64_t>(at, st.st_dev);
  g.write<uint64_t>(at + 8, st.st_ino);
  g.write<uint8_t>(at + 16, fileTypeOf(st.st_mode));
  g.write<uint64_t>(at + 24, st.st_nlink);
  g.write<uint64_t>(at + 32, static_cast<uint64_t>(st.st_size));
  g.write<uint64_t>(at + 40, nanos(st.st_atim));
  g.write<uint64_t>(at + 48, nanos(st.st_mtim));
  g.write<uint64_t>(at + 56, nanos(st.st_ctim));
  return kSuccess;
}

uint32_t wasi::timesFromFlags(uint64_t accessed, uint64_t modified, uint32_t flags, timespec out[2]) {
  constexpr uint32_t kAtim = 1, kAtimNow = 2, kMtim = 4, kMtimNow = 8;
  if (flags & ~uint32_t{15}) return kInval;
  if ((flags & kAtim) && (flags & kAtimNow)) return kInval;
  if ((flags & kMtim) && (flags & kMtimNow)) return kInval;
  timespec omit{0, UTIME_OMIT}, now{0, UTIME_NOW};
  out[0] = (flags & kAtimNow) ? now : (flags & kAtim) ? timespecOf(accessed) : omit;
  out[1] = (flags & kMtimNow) ? now : (flags & kMtim) ? timespecOf(modified) : omit;
  return kSuccess;
}

void WasiCalls::addDescriptorCalls(CallTable& t) {
  define(t, "fd_write", {I, I, I, I}, transfer(true, false));
  define(t, "fd_read", {I, I, I, I}, transfer(false, false));
  define(t, "fd_pwrite", {I, I, I, L, I}, transfer(true, true));
  define(t, "fd_pread", {I, I, I, L, I}, transfer(false, true));

  define(t, "fd_close", {I}, [](WasiContext& c, Guest&, auto a) {
    return closeDescriptor(c, u32(a[0]));
  });
  define(t, "fd_seek", {I, L, I, I}, [](WasiContext& c, Guest& g, auto a) {
    auto delta = static_cast<int64_t>(u64(a[1]));  // a signed delta: negative values are meant
    uint32_t whenceCode = u32(a[2]);
    int whence = whenceCode == 0 ? SEEK_SET : whenceCode == 1 ? SEEK_CUR : whenceCode == 2 ? SEEK_END : -1;
    // Asking where we are is a tell; moving is a seek.
    uint64_t needed = (whence == SEEK_CUR && delta == 0) ? right::kFdTell : right::kFdSeek;
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), needed, d)) return e;
    if (whence < 0) return uint32_t{kInval};
    uint64_t resultAt = u32(a[3]);
    if (!g.fits(resultAt, 8)) return uint32_t{kFault};
    off_t at = lseek(d->hostFd, static_cast<off_t>(delta), whence);
    if (at < 0) return fromErrno(errno);
    g.write<uint64_t>(resultAt, static_cast<uint64_t>(at));
    return uint32_t{kSuccess};
  });
  define(t, "fd_tell", {I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdTell, d)) return e;
    off_t at = lseek(d->hostFd, 0, SEEK_CUR);
    if (at < 0) return fromErrno(errno);
    return g.write<uint64_t>(u32(a[1]), static_cast<uint64_t>(at)) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  define(t, "fd_sync", {I}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdSync, d)) return e;
    return fsync(d->hostFd) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
  define(t, "fd_datasync", {I}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdDatasync, d)) return e;
    return fdatasync(d->hostFd) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
  // fd_advise(fd, offset, len, advice). A length of 0 means "to the end", and
  // the kernel clamps offset + len past the largest offset the same way, so
  // only values that would turn negative as an off_t are refused here.
  define(t, "fd_advise", {I, L, L, I}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdAdvise, d)) return e;
    off_t offset, length;
    if (!toOffset(u64(a[1]), offset) || !toOffset(u64(a[2]), length)) return uint32_t{kInval};
    static constexpr int kAdvice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                      POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    uint32_t advice = u32(a[3]);
    if (advice >= std::size(kAdvice)) return uint32_t{kInval};
    // posix_fadvise returns the error rather than setting errno.
    return fromErrno(posix_fadvise(d->hostFd, offset, length, kAdvice[advice]));
  });
  // fd_allocate(fd, offset, len): the range must be non-empty and end at a
  // representable offset; posix_fallocate itself would only see a negative
  // length or a wrapped end.
  define(t, "fd_allocate", {I, L, L}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdAllocate, d)) return e;
    if (d->isDirectory()) return uint32_t{kIsdir};
    off_t offset, length;
    if (!toOffset(u64(a[1]), offset) || !toOffset(u64(a[2]), length) || length == 0) return uint32_t{kInval};
    if (offset > INT64_MAX - length) return uint32_t{kFbig};
    return fromErrno(posix_fallocate(d->hostFd, offset, length));
  });
  define(t, "fd_filestat_set_size", {I, L}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdFilestatSetSize, d)) return e;
    if (d->isDirectory()) return uint32_t{kIsdir};
    off_t size;
    if (!toOffset(u64(a[1]), size)) return uint32_t{kInval};
    return ftruncate(d->hostFd, size) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
  define(t, "fd_filestat_set_times", {I, L, L, I}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdFilestatSetTimes, d)) return e;
    timespec times[2];
    if (uint32_t e = timesFromFlags(u64(a[1]), u64(a[2]), u32(a[3]), times)) return e;
    return futimens(d->hostFd, times) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
  define(t, "fd_fdstat_get", {I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    uint64_t at = u32(a[1]);
    if (!g.fits(at, 24)) return uint32_t{kFault};
    std::memset(g.at(at), 0, 24);
    g.write<uint8_t>(at, d->fileType);
    g.write<uint16_t>(at + 2, d->fdFlags);
    g.write<uint64_t>(at + 8, d->rightsBase);
    g.write<uint64_t>(at + 16, d->rightsInheriting);
    return uint32_t{kSuccess};
  });
  // APPEND and NONBLOCK can change on an open descriptor; Linux ignores the
  // sync flags in F_SETFL, so changing those is unsupported rather than
  // silently dropped.
  define(t, "fd_fdstat_set_flags", {I, I}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdFdstatSetFlags, d)) return e;
    uint32_t flags = u32(a[1]);
    if (flags & ~uint32_t{kAllFdflags}) return uint32_t{kInval};
    constexpr uint16_t kSyncFlags = kFdflagDsync | kFdflagRsync | kFdflagSync;
    if ((flags & kSyncFlags) != (d->fdFlags & kSyncFlags)) return uint32_t{kNotsup};
    int host = fcntl(d->hostFd, F_GETFL);
    if (host < 0) return fromErrno(errno);
    host = (host & ~(O_APPEND | O_NONBLOCK)) | ((flags & kFdflagAppend) ? O_APPEND : 0) |
           ((flags & kFdflagNonblock) ? O_NONBLOCK : 0);
    if (fcntl(d->hostFd, F_SETFL, host) != 0) return fromErrno(errno);
    d->fdFlags = static_cast<uint16_t>(flags);
    return uint32_t{kSuccess};
  });
  // Rights only ever shrink: asking for one the descriptor lacks (or for an
  // undefined bit) is ENOTCAPABLE and changes nothing.
  define(t, "fd_fdstat_set_rights", {I, L, L}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    uint64_t base = u64(a[1]), inheriting = u64(a[2]);
    if ((base & ~d->rightsBase) || (inheriting & ~d->rightsInheriting)) return uint32_t{kNotcapable};
    d->rightsBase = base;
    d->rightsInheriting = inheriting;
    return uint32_t{kSuccess};
  });
  define(t, "fd_filestat_get", {I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d;
    if (uint32_t e = fdWith(c, u32(a[0]), right::kFdFilestatGet, d)) return e;
    struct stat st {};
    if (fstat(d->hostFd, &st) != 0) return fromErrno(errno);
    return writeFilestat(g, u32(a[1]), st);
  });
  define(t, "fd_prestat_get", {I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d = fd(c, u32(a[0]));
    if (!d || d->preopenName.empty()) return uint32_t{kBadf};
    uint64_t at = u32(a[1]);
    if (!g.fits(at, 8)) return uint32_t{kFault};
    g.write<uint32_t>(at, 0);  // tag: a directory
    g.write<uint32_t>(at + 4, static_cast<uint32_t>(d->preopenName.size()));
    return uint32_t{kSuccess};
  });
  define(t, "fd_prestat_dir_name", {I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d = fd(c, u32(a[0]));
    if (!d || d->preopenName.empty()) return uint32_t{kBadf};
    uint64_t at = u32(a[1]);
    if (u32(a[2]) < d->preopenName.size()) return uint32_t{kNametoolong};
    if (!g.fits(at, d->preopenName.size())) return uint32_t{kFault};
    std::memcpy(g.at(at), d->preopenName.data(), d->preopenName.size());
    return uint32_t{kSuccess};
  });
  define(t, "fd_renumber", {I, I}, [](WasiContext& c, Guest&, auto a) {
    return renumberDescriptor(c, u32(a[0]), u32(a[1]));
  });
  define(t, "fd_readdir", {I, I, I, L, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d = fd(c, u32(a[0]));
    if (!d) return uint32_t{kBadf};
    if (!d->isDirectory()) return uint32_t{kNotdir};
    if (!d->has(right::kFdReaddir)) return uint32_t{kNotcapable};
    uint64_t buffer = u32(a[1]), resultAt = u32(a[4]);
    uint32_t length = u32(a[2]);
    uint64_t cookie = u64(a[3]);
    if (!g.fits(buffer, length) || !g.fits(resultAt, 4)) return uint32_t{kFault};
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
                   : entry->d_type == DT_BLK ? kBlockDevice : entry->d_type == DT_SOCK ? kSocketStream
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
    g.write<uint32_t>(resultAt, used);
    return uint32_t{kSuccess};
  });
}

}  // namespace weft
