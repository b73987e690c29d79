// wasi-threads, the thread ABI of wasm32-wasip1-threads programs: the module
// imports a shared memory and "wasi" "thread-spawn"(start_arg) -> tid, and
// exports wasi_thread_start(tid, start_arg). Each spawned thread is a new
// instance of the same Module on its own OS thread, linked to the same
// imports: the one shared memory, the one WASI context (descriptors, preopens,
// arguments, environment). So all threads run the module's one copy of the
// code (DESIGN 1-2) and each costs only its instance's data.
//
// Threads are detached: the program, like a native process, ends when its
// main thread does. A thread that traps or calls proc_exit ends the whole
// program (by default the process, as a native program would; an embedder
// can choose otherwise with onEnd), so no thread runs on in a half-dead one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "host/wasi/wasi.h"
#include "runtime/instance.h"

namespace weft {

// Spawned threads alive at once, by default: a guest asking for more gets an
// error code from thread-spawn (EAGAIN, as pthread_create reports). Each
// thread holds an OS thread with its 8 MiB stack reservation and an instance.
constexpr uint32_t kDefaultMaxWasiThreads = 1024;

struct WasiThreadsConfig {
  uint32_t maxThreads = kDefaultMaxWasiThreads;
};

// How a spawned thread ended other than by returning from wasi_thread_start.
struct WasiThreadEnd {
  uint32_t tid = 0;
  std::optional<uint32_t> exitCode;  // it called proc_exit
  std::optional<Trap> trap;          // else it trapped
};

class WasiThreads : public std::enable_shared_from_this<WasiThreads> {
 public:
  // What happens when a spawned thread traps or calls proc_exit; it runs on
  // that thread. The default, endProcess, is what a native program does.
  using OnEnd = std::function<void(const WasiThreadEnd&)>;
  static std::shared_ptr<WasiThreads> create(std::shared_ptr<const Module> module, std::shared_ptr<WasiContext> wasi,
                                             WasiThreadsConfig config = {}, OnEnd onEnd = nullptr);
  // Ends the process for {end}, once: the first caller runs {report} (by
  // default: a trap and its backtrace printed to stderr) and exits with the
  // proc_exit code, or 134 after a trap; any later caller waits for that.
  static void endProcess(const WasiThreadEnd& end, const std::function<void()>& report = nullptr);
  // Claims that end for a host that ends the process itself while threads
  // may run (weft run after its main thread returns): true for the first
  // claimant; threads that end later then only wait for the exit.
  static bool claimProcessEnd();

  // The module's imports in order, for its first instance and every thread's:
  // the WASI calls, "wasi" "thread-spawn", and for an imported memory the one
  // memory all threads share (made from the import's type the first time).
  // Anything else is a link error listing every such import.
  Result<std::vector<Extern>> imports();

  // Spawned threads still running, and spawned over the program's life.
  uint32_t liveThreads() const;
  uint32_t spawnedThreads() const { return spawned_.load(); }
  // Waits until no spawned thread runs (an embedder's orderly shutdown; weft
  // run does not wait, as a native process does not).
  void join();

  // thread-spawn's error results: negative WASI errnos.
  static constexpr int32_t kErrorAgain = -6;     // the thread limit, or the host cannot
  static constexpr int32_t kErrorNotsup = -58;   // no shared memory to run threads over

 private:
  WasiThreads() = default;
  // The running threads' count, apart from this object: a thread drops
  // everything it holds of the program (its instance, then this object with
  // the module and the imports) before it counts itself out, so an embedder
  // that joined and then destroys the engine races with nothing.
  struct Running {
    std::mutex lock;
    std::condition_variable ended;
    uint32_t live = 0;
  };
  HostOutcome spawnCall(uint32_t startArg, Value& result);
  void run(std::shared_ptr<Instance> instance, Func start, uint32_t tid, uint32_t startArg);
  std::optional<Extern> other(const Import& import);

  std::shared_ptr<const Module> module_;
  std::shared_ptr<WasiContext> wasi_;
  WasiThreadsConfig config_;
  OnEnd onEnd_;
  std::mutex lock_;  // guards imports_ and memory_ while they are made
  std::optional<std::vector<Extern>> imports_;  // set once, before any spawn
  bool exportsStart_ = false;  // wasi_thread_start (param i32 i32)
  std::shared_ptr<LinearMemory> memory_;
  uint32_t memoryIndex_ = 0;
  std::optional<Error> linkError_;
  std::shared_ptr<Running> running_ = std::make_shared<Running>();
  std::atomic<uint32_t> spawned_{0}, nextTid_{1};
};

}  // namespace weft
