// poll_oneoff: clock subscriptions sleep until the earliest one is due. File
// descriptor subscriptions (fd_read, fd_write) are reported ready at once
// without asking the host, so a guest polling a socket or pipe spins rather
// than blocks; a real readiness wait (ppoll over the subscribed descriptors,
// with the earliest clock as its timeout) is still to come.
#include <cerrno>

#include "host/wasi/wasi_internal.h"

namespace weft {

using namespace wasi;

void WasiCalls::addPollCalls(CallTable& t) {
  // A subscription is 48 bytes (userdata u64, tag u8, then the clock or fd
  // fields); an event is 32 bytes.
  define(t, "poll_oneoff", {I, I, I, I}, [](WasiContext&, Guest& g, auto a) {
    uint64_t in = u32(a[0]), out = u32(a[1]), eventsAt = u32(a[3]);
    uint32_t count = u32(a[2]);
    if (!g.fits(in, uint64_t{count} * 48) || !g.fits(out, uint64_t{count} * 32) || !g.fits(eventsAt, 4))
      return uint32_t{kFault};
    uint64_t shortest = ~uint64_t{0};
    for (uint64_t i = 0; i < count; ++i) {
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
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t userdata = 0;
      uint8_t tag = 0;
      g.read(in + 48 * i, userdata);
      g.read(in + 48 * i + 8, tag);
      std::memset(g.at(out + 32 * i), 0, 32);
      g.write(out + 32 * i, userdata);
      g.write<uint16_t>(out + 32 * i + 8, kSuccess);
      g.write<uint8_t>(out + 32 * i + 10, tag);
    }
    g.write<uint32_t>(eventsAt, count);
    return uint32_t{kSuccess};
  });
}

}  // namespace weft
