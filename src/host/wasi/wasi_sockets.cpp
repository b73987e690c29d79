// Sockets for WASI preview 1. Preview 1 has no call to create, bind or connect
// a socket, so a guest's network is exactly what the embedder grants: the
// listening sockets of WasiConfig::tcpListen (wasmtime's --tcplisten), opened
// here before the guest starts, and the connections it accepts on them.
//
// sock_accept / sock_recv / sock_send / sock_shutdown work on socket
// descriptors only (ENOTSOCK otherwise); fd_read and fd_write reach the same
// transfers through receiveVectors / sendVectors. Sends use MSG_NOSIGNAL: a
// peer that hung up is EPIPE for the guest, never a SIGPIPE for the host.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "host/wasi/wasi_internal.h"

namespace weft {

using namespace wasi;

namespace {

using Descriptor = WasiContext::Descriptor;
using DescriptorRef = std::shared_ptr<Descriptor>;

Error listenError(const std::string& address, const std::string& why) {
  Error error;
  error.kind = ErrorKind::Invalid;
  error.message = "cannot listen on " + address + ": " + why;
  return error;
}

// The socket descriptor at {index} holding {needed}: kBadf, then kNotsock,
// then kNotcapable.
uint32_t socketWith(WasiContext& c, uint32_t index, uint64_t needed, DescriptorRef& d) {
  d = WasiCalls::fd(c, index);
  if (!d) return kBadf;
  if (!d->isSocket()) return kNotsock;
  return d->has(needed) ? uint32_t{kSuccess} : uint32_t{kNotcapable};
}

}  // namespace

ssize_t wasi::receiveVectors(int hostFd, std::vector<iovec>& vecs, int flags, int* messageFlags) {
  msghdr message{};
  message.msg_iov = vecs.data();
  message.msg_iovlen = vecs.size();
  ssize_t n = recvmsg(hostFd, &message, flags);
  if (messageFlags) *messageFlags = message.msg_flags;
  return n;
}

ssize_t wasi::sendVectors(int hostFd, std::vector<iovec>& vecs) {
  msghdr message{};
  message.msg_iov = vecs.data();
  message.msg_iovlen = vecs.size();
  return sendmsg(hostFd, &message, MSG_NOSIGNAL);
}

// "HOST:PORT": an IPv4 literal, an IPv6 literal in brackets ("[::1]:8080"), or
// "localhost" (127.0.0.1). Names are not looked up: what the guest may reach
// must not depend on DNS.
Result<int> wasi::openTcpListener(const std::string& address) {
  std::string host, port;
  if (!address.empty() && address[0] == '[') {
    size_t close = address.find(']');
    if (close == std::string::npos || close + 1 >= address.size() || address[close + 1] != ':')
      return listenError(address, "expected [IPV6]:PORT");
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string::npos) return listenError(address, "expected HOST:PORT");
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != std::string::npos)
      return listenError(address, "write an IPv6 address in brackets, as [" + host + "]:" + port);
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535)
    return listenError(address, "the port is not a number from 0 to 65535");
  auto portNumber = static_cast<uint16_t>(std::stoul(port));

  sockaddr_storage storage{};
  socklen_t length = 0;
  bool bracketed = address[0] == '[';
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (!bracketed && (host == "localhost" || inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1)) {
    if (host == "localhost") v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(portNumber);
    length = sizeof(sockaddr_in);
  } else if (bracketed && inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(portNumber);
    length = sizeof(sockaddr_in6);
  } else {
    return listenError(address, "\"" + host + "\" is not an IP address or localhost");
  }

  int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return listenError(address, std::string("socket: ") + std::strerror(errno));
  int yes = 1;
  // Lets a restarted host bind again while old connections sit in TIME_WAIT.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0 || listen(fd, SOMAXCONN) != 0) {
    int error = errno;
    close(fd);
    return listenError(address, std::strerror(error));
  }
  return fd;
}

void WasiCalls::addSocketCalls(CallTable& t) {
  // sock_accept(fd, fdflags, result_fd): NONBLOCK is the only flag that
  // applies to a new connection.
  define(t, "sock_accept", {I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef listener;
    if (uint32_t e = socketWith(c, u32(a[0]), right::kSockAccept, listener)) return e;
    uint32_t flags = u32(a[1]);
    if (flags & ~uint32_t{kFdflagNonblock}) return uint32_t{kInval};
    uint64_t resultAt = u32(a[2]);
    if (!g.fits(resultAt, 4)) return uint32_t{kFault};  // before accepting: a connection must not be lost
    int connection = accept4(listener->hostFd, nullptr, nullptr,
                             SOCK_CLOEXEC | ((flags & kFdflagNonblock) ? SOCK_NONBLOCK : 0));
    if (connection < 0) return fromErrno(errno);
    auto d = std::make_unique<Descriptor>();
    d->hostFd = connection;
    d->fileType = kSocketStream;
    d->fdFlags = static_cast<uint16_t>(flags);
    d->rightsBase = right::kConnection;
    g.write<uint32_t>(resultAt, install(c, std::move(d)));
    return uint32_t{kSuccess};
  });
  // sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags).
  define(t, "sock_recv", {I, I, I, I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    constexpr uint32_t kRecvPeek = 1, kRecvWaitall = 2;
    constexpr uint16_t kRecvDataTruncated = 1;
    DescriptorRef d;
    if (uint32_t e = socketWith(c, u32(a[0]), right::kFdRead, d)) return e;
    uint32_t flags = u32(a[3]);
    if (flags & ~(kRecvPeek | kRecvWaitall)) return uint32_t{kInval};
    std::vector<iovec> vecs;
    if (uint32_t e = g.iovecs(u32(a[1]), u32(a[2]), vecs)) return e;
    uint64_t lengthAt = u32(a[4]), flagsAt = u32(a[5]);
    if (!g.fits(lengthAt, 4) || !g.fits(flagsAt, 2)) return uint32_t{kFault};  // before data is consumed
    int hostFlags = ((flags & kRecvPeek) ? MSG_PEEK : 0) | ((flags & kRecvWaitall) ? MSG_WAITALL : 0);
    int messageFlags = 0;
    ssize_t n = receiveVectors(d->hostFd, vecs, hostFlags, &messageFlags);
    if (n < 0) return fromErrno(errno);
    g.write<uint32_t>(lengthAt, static_cast<uint32_t>(n));
    g.write<uint16_t>(flagsAt, (messageFlags & MSG_TRUNC) ? kRecvDataTruncated : uint16_t{0});
    return uint32_t{kSuccess};
  });
  // sock_send(fd, si_data, si_data_len, si_flags, so_datalen): WASI defines no
  // send flags.
  define(t, "sock_send", {I, I, I, I, I}, [](WasiContext& c, Guest& g, auto a) {
    DescriptorRef d;
    if (uint32_t e = socketWith(c, u32(a[0]), right::kFdWrite, d)) return e;
    if (u32(a[3]) != 0) return uint32_t{kInval};
    std::vector<iovec> vecs;
    if (uint32_t e = g.iovecs(u32(a[1]), u32(a[2]), vecs)) return e;
    uint64_t lengthAt = u32(a[4]);
    if (!g.fits(lengthAt, 4)) return uint32_t{kFault};
    ssize_t n = sendVectors(d->hostFd, vecs);
    if (n < 0) return fromErrno(errno);
    g.write<uint32_t>(lengthAt, static_cast<uint32_t>(n));
    return uint32_t{kSuccess};
  });
  // sock_shutdown(fd, sdflags): RD = 1, WR = 2, both = 3.
  define(t, "sock_shutdown", {I, I}, [](WasiContext& c, Guest&, auto a) {
    DescriptorRef d;
    if (uint32_t e = socketWith(c, u32(a[0]), right::kSockShutdown, d)) return e;
    uint32_t how = u32(a[1]);
    if (how == 0 || how > 3) return uint32_t{kInval};
    int hostHow = how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR;
    return shutdown(d->hostFd, hostHow) == 0 ? uint32_t{kSuccess} : fromErrno(errno);
  });
}

}  // namespace weft
