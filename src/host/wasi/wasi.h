// WASI preview 1 (wasi_snapshot_preview1) for programs built with wasi-libc:
// host functions over a per-run context of arguments, environment, and a file
// descriptor table whose only roots are the preopened directories. One
// context serves all the threads of a program (wasi_threads.h) at once.
//
// Capability safety: every path a guest names is resolved with openat2
// RESOLVE_BENEATH relative to a preopen's descriptor, so "..", absolute paths
// and symlinks cannot leave it (the kernel refuses with EXDEV, reported as
// ENOTCAPABLE). Each descriptor carries WASI rights that gate its calls and
// that the guest can only drop. The only network a guest sees is the listening
// sockets the embedder grants (tcpListen); preview 1 cannot create sockets.
//
// The implementation is split by concern; src/host/wasi/wasi_internal.h maps it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/extern.h"
#include "runtime/module.h"
#include "support/error.h"

namespace weft {

struct WasiConfig {
  std::vector<std::string> args;  // argv, the program name first
  std::vector<std::string> env;   // "KEY=VALUE"
  struct Preopen {
    std::string hostPath;
    std::string guestPath;
  };
  std::vector<Preopen> preopens;
  std::vector<std::string> tcpListen;  // "HOST:PORT" listening sockets granted to the guest, as wasmtime's --tcplisten
};

class WasiContext {
 public:
  // Opens the preopened directories, then binds and listens on each tcpListen
  // address; an error names the one that failed. Guest descriptors: 0-2 stdio,
  // then the preopens in order, then the listeners in order.
  static Result<std::shared_ptr<WasiContext>> create(WasiConfig config);
  ~WasiContext();

  // The module's imports, in order: wasi_snapshot_preview1 functions from this
  // context, and what {other} gives for the rest (wasi_threads.h gives
  // thread-spawn and the shared memory). An import neither provides, an
  // unknown WASI name or a WASI function imported with the wrong signature is
  // a link error; one error lists them all. The context must outlive the
  // instances that use these functions.
  using OtherImports = std::function<std::optional<Extern>(const Import&)>;
  Result<std::vector<Extern>> imports(Engine& engine, const ModuleInfo& module, const OtherImports& other = nullptr);

  // Set when the guest called proc_exit (its trap then means "exited"); the
  // first call's code when several threads call it.
  std::optional<uint32_t> exitCode() const {
    int64_t code = exitCode_.load(std::memory_order_acquire);
    return code < 0 ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(code));
  }

  struct Descriptor;

 private:
  WasiContext() = default;
  friend struct WasiCalls;
  WasiConfig config_;
  // Index = guest fd; null = closed. Threads of one program (wasi-threads)
  // share the context: the table changes only under {fdsLock_}, and a call
  // holds its descriptor by reference, so a close on another thread never
  // frees one that is in use (its host fd closes when the last user is done).
  std::vector<std::shared_ptr<Descriptor>> fds_;
  mutable std::mutex fdsLock_;
  std::atomic<int64_t> exitCode_{-1};
};

// The trap message proc_exit raises to stop the program.
constexpr const char* kWasiExitMessage = "wasi: proc_exit";

}  // namespace weft
