// The process-level WASI calls: arguments, environment, clocks, random bytes,
// sched_yield and proc_raise. (proc_exit traps and is built in wasi.cpp.)
#include <sched.h>
#include <sys/random.h>

#include <cerrno>

#include "host/wasi/wasi_internal.h"

namespace weft {

using namespace wasi;

namespace {

uint32_t stringsSizes(const std::vector<std::string>& strings, Guest& g, uint64_t countAt, uint64_t sizeAt) {
  uint64_t bytes = 0;
  for (const std::string& s : strings) bytes += s.size() + 1;
  if (bytes > UINT32_MAX || strings.size() > UINT32_MAX) return kOverflow;  // cannot be described to the guest
  if (!g.write(countAt, static_cast<uint32_t>(strings.size())) || !g.write(sizeAt, static_cast<uint32_t>(bytes)))
    return kFault;
  return kSuccess;
}

uint32_t stringsGet(const std::vector<std::string>& strings, Guest& g, uint64_t pointers, uint64_t buffer) {
  if (!g.fits(pointers, 4 * uint64_t{strings.size()})) return kFault;
  for (size_t i = 0; i < strings.size(); ++i) {
    uint64_t bytes = strings[i].size() + 1;
    if (!g.fits(buffer, bytes)) return kFault;
    g.write(pointers + 4 * i, static_cast<uint32_t>(buffer));
    std::memcpy(g.at(buffer), strings[i].c_str(), bytes);
    buffer += bytes;
  }
  return kSuccess;
}

bool clockOf(uint32_t id, clockid_t& out) {
  switch (id) {
    case 0: out = CLOCK_REALTIME; return true;
    case 1: out = CLOCK_MONOTONIC; return true;
    case 2: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

}  // namespace

void WasiCalls::addEnvironmentCalls(CallTable& t) {
  define(t, "args_sizes_get", {I, I}, [](WasiContext& c, Guest& g, auto a) {
    return stringsSizes(config(c).args, g, u32(a[0]), u32(a[1]));
  });
  define(t, "args_get", {I, I}, [](WasiContext& c, Guest& g, auto a) {
    return stringsGet(config(c).args, g, u32(a[0]), u32(a[1]));
  });
  define(t, "environ_sizes_get", {I, I}, [](WasiContext& c, Guest& g, auto a) {
    return stringsSizes(config(c).env, g, u32(a[0]), u32(a[1]));
  });
  define(t, "environ_get", {I, I}, [](WasiContext& c, Guest& g, auto a) {
    return stringsGet(config(c).env, g, u32(a[0]), u32(a[1]));
  });
  define(t, "clock_res_get", {I, I}, [](WasiContext&, Guest& g, auto a) {
    clockid_t id;
    timespec res{};
    if (!clockOf(u32(a[0]), id) || clock_getres(id, &res) != 0) return uint32_t{kInval};
    return g.write<uint64_t>(u32(a[1]), nanos(res)) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  // The precision argument (a[1]) is a hint; the host clock is read as is.
  define(t, "clock_time_get", {I, L, I}, [](WasiContext&, Guest& g, auto a) {
    clockid_t id;
    timespec now{};
    if (!clockOf(u32(a[0]), id) || clock_gettime(id, &now) != 0) return uint32_t{kInval};
    return g.write<uint64_t>(u32(a[2]), nanos(now)) ? uint32_t{kSuccess} : uint32_t{kFault};
  });
  define(t, "random_get", {I, I}, [](WasiContext&, Guest& g, auto a) {
    uint64_t at = u32(a[0]);
    uint32_t length = u32(a[1]);
    if (!g.fits(at, length)) return uint32_t{kFault};
    for (uint32_t done = 0; done < length;) {
      ssize_t n = getrandom(g.at(at + done), length - done, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fromErrno(errno);
      done += static_cast<uint32_t>(n);
    }
    return uint32_t{kSuccess};
  });
  define(t, "sched_yield", {}, [](WasiContext&, Guest&, auto) {
    sched_yield();
    return uint32_t{kSuccess};
  });
  // proc_raise answers ENOSYS for every signal. Raising a real signal would act
  // on the host process, which runs many instances and the embedder itself, so
  // it is never done. Wasmtime traps here instead; a trap ends the program
  // without letting it choose, while ENOSYS ("no such call") is what a libc
  // expects from a missing system call: raise() fails with -1 and the program
  // decides. Later WASI snapshots drop proc_raise altogether.
  define(t, "proc_raise", {I}, [](WasiContext&, Guest&, auto) { return uint32_t{kNosys}; });
}

}  // namespace weft
