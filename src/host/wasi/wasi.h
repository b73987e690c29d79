// WASI preview 1 (wasi_snapshot_preview1) for programs built with wasi-libc:
// host functions over a per-run context of arguments, environment, and a file
// descriptor table whose only roots are the preopened directories.
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

#include <cstdint>
#include <memory>
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
  // context. Any other import, an unknown WASI name or a WASI function imported
  // with the wrong signature is a link error; one error lists them all. The
  // context must outlive the instances that use these functions.
  Result<std::vector<Extern>> imports(Engine& engine, const ModuleInfo& module);

  // Set when the guest called proc_exit (its trap then means "exited").
  std::optional<uint32_t> exitCode() const { return exitCode_; }

  struct Descriptor;

 private:
  WasiContext() = default;
  friend struct WasiCalls;
  WasiConfig config_;
  std::vector<std::unique_ptr<Descriptor>> fds_;  // index = guest fd; null = closed
  std::optional<uint32_t> exitCode_;
};

// The trap message proc_exit raises to stop the program.
constexpr const char* kWasiExitMessage = "wasi: proc_exit";

}  // namespace weft
