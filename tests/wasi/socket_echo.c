// A TCP echo server on the one socket the host grants (weft run --tcplisten
// HOST:PORT gives the listener descriptor 3 when nothing is preopened), driven
// by socket_test.sh. It checks the listener's and connections' descriptor
// stats, a non-blocking accept with nothing pending, then serves two clients:
//   1. sock_recv with RECV_PEEK and RECV_WAITALL, sock_send from two iovecs,
//      sock_shutdown(WR) so the client sees the end of the reply, then reads
//      the client's "bye" (shutting down writing left reading open);
//   2. accepted non-blocking (EAGAIN before the client speaks), then plain
//      read()/write() on the socket, shutdown(SHUT_RDWR), and a write after
//      it that must be EPIPE for the guest rather than a SIGPIPE for weft.
// Prints "ready" when the client may connect, and "failures=N" at the end.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

static int failures = 0;
static void check(int ok, const char* what) {
  printf("%s %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

enum { kListener = 3 };

static void firstClient(void) {
  __wasi_fd_t connection = 0;
  check(__wasi_sock_accept(kListener, 0, &connection) == 0, "sock_accept (blocking)");
  __wasi_fdstat_t st;
  check(__wasi_fd_fdstat_get(connection, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM &&
            st.fs_flags == 0 && (st.fs_rights_base & __WASI_RIGHTS_FD_READ) &&
            (st.fs_rights_base & __WASI_RIGHTS_SOCK_SHUTDOWN) && !(st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT),
        "a connection: a stream socket that reads, writes and shuts down");
  check(__wasi_sock_accept(connection, 0, &connection) == __WASI_ERRNO_NOTCAPABLE,
        "a connection cannot accept");

  char first = 0;
  __wasi_iovec_t peek = {(uint8_t*)&first, 1};
  __wasi_size_t received = 0;
  __wasi_roflags_t flags = 7;
  check(__wasi_sock_recv(connection, &peek, 1, __WASI_RIFLAGS_RECV_PEEK, &received, &flags) == 0 && received == 1 &&
            first == 'h' && flags == 0,
        "sock_recv RECV_PEEK sees the first byte");
  char head[5] = {0}, tail[6] = {0};
  __wasi_iovec_t parts[2] = {{(uint8_t*)head, sizeof head}, {(uint8_t*)tail, sizeof tail}};
  check(__wasi_sock_recv(connection, parts, 2, 4, &received, &flags) == __WASI_ERRNO_INVAL,
        "sock_recv: an undefined flag is EINVAL");
  check(__wasi_sock_recv(connection, parts, 2, __WASI_RIFLAGS_RECV_WAITALL, &received, &flags) == 0 &&
            received == 11 && memcmp(head, "hello", 5) == 0 && memcmp(tail, " weft\n", 6) == 0,
        "sock_recv RECV_WAITALL fills both iovecs with the peeked message");
  __wasi_ciovec_t reply[2] = {{(const uint8_t*)head, sizeof head}, {(const uint8_t*)tail, sizeof tail}};
  __wasi_size_t sent = 0;
  check(__wasi_sock_send(connection, reply, 2, 1, &sent) == __WASI_ERRNO_INVAL, "sock_send: flags are EINVAL");
  check(__wasi_sock_send(connection, reply, 2, 0, &sent) == 0 && sent == 11, "sock_send echoes 11 bytes");
  check(__wasi_sock_shutdown(connection, 0) == __WASI_ERRNO_INVAL, "sock_shutdown(0) is EINVAL");
  check(__wasi_sock_shutdown(connection, 4) == __WASI_ERRNO_INVAL, "sock_shutdown(4) is EINVAL");
  check(__wasi_sock_shutdown(connection, __WASI_SDFLAGS_WR) == 0, "sock_shutdown(WR)");
  check(__wasi_sock_recv(connection, parts, 1, __WASI_RIFLAGS_RECV_WAITALL, &received, &flags) == 0 &&
            received == 4 && memcmp(head, "bye\n", 4) == 0,
        "after shutting down writing, reading still works");
  check(__wasi_sock_recv(connection, parts, 1, 0, &received, &flags) == 0 && received == 0,
        "sock_recv sees the client close");
  check(close(connection) == 0, "close the connection");
  check(__wasi_sock_send(connection, reply, 1, 0, &sent) == __WASI_ERRNO_BADF, "sock_send after close is EBADF");
}

static void secondClient(void) {
  __wasi_fd_t connection = 0;
  check(__wasi_sock_accept(kListener, __WASI_FDFLAGS_NONBLOCK, &connection) == 0, "sock_accept NONBLOCK");
  __wasi_fdstat_t st;
  check(__wasi_fd_fdstat_get(connection, &st) == 0 && st.fs_flags == __WASI_FDFLAGS_NONBLOCK,
        "the connection reports NONBLOCK");
  char line[64] = {0};
  check(read(connection, line, sizeof line) == -1 && errno == EAGAIN, "read before the client speaks: EAGAIN");
  check(__wasi_fd_fdstat_set_flags(connection, 0) == 0, "make it blocking");
  check(write(connection, "go\n", 3) == 3, "fd_write on a socket");
  size_t used = 0;
  while (used < sizeof line - 1 && (used == 0 || line[used - 1] != '\n')) {
    ssize_t n = read(connection, line + used, sizeof line - 1 - used);
    if (n <= 0) break;
    used += (size_t)n;
  }
  check(used == 15 && memcmp(line, "second message\n", 15) == 0, "fd_read on a socket");
  check(write(connection, line, used) == (ssize_t)used, "echo it with fd_write");
  check(shutdown(connection, SHUT_RDWR) == 0, "shutdown(SHUT_RDWR)");
  check(write(connection, "late", 4) == -1 && errno == EPIPE, "writing after shutdown is EPIPE, not a signal");
  check(close(connection) == 0, "close");
}

int main(void) {
  __wasi_fdstat_t st;
  check(__wasi_fd_fdstat_get(kListener, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM &&
            (st.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT) && !(st.fs_rights_base & __WASI_RIGHTS_FD_READ),
        "descriptor 3 is the granted listener");
  if (failures) {  // no socket granted: nothing to serve
    printf("failures=%d\n", failures);
    return failures;
  }
  __wasi_prestat_t prestat;
  check(__wasi_fd_prestat_get(kListener, &prestat) == __WASI_ERRNO_BADF, "a listener is not a preopened directory");
  __wasi_fd_t connection = 0;
  check(__wasi_sock_accept(kListener, __WASI_FDFLAGS_APPEND, &connection) == __WASI_ERRNO_INVAL,
        "sock_accept: APPEND is EINVAL");
  check(__wasi_fd_fdstat_set_flags(kListener, __WASI_FDFLAGS_NONBLOCK) == 0, "make the listener non-blocking");
  check(__wasi_sock_accept(kListener, 0, &connection) == __WASI_ERRNO_AGAIN, "sock_accept with nobody waiting: EAGAIN");
  check(__wasi_fd_fdstat_set_flags(kListener, 0) == 0, "and blocking again");
  printf("ready\n");
  fflush(stdout);
  firstClient();
  secondClient();
  printf("failures=%d\n", failures);
  return failures;
}
