// `weft run --timeout`: interrupts the engine (runtime/interruption.h) once
// the guest has run for the given time, so it traps "interrupted" with its
// backtrace. An interrupt does not wake a host call blocked in the kernel (a
// WASI read of a terminal, say), so if the guest has still not stopped after
// a grace period the watchdog calls {onStuck}, which ends the process.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "runtime/engine.h"

namespace weft::cli {

class Watchdog {
 public:
  static constexpr std::chrono::seconds kGrace{2};

  Watchdog(Engine& engine, std::chrono::milliseconds timeout, std::function<void()> onStuck);
  ~Watchdog();  // stops it; the guest has finished
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // The timeout passed and the engine was interrupted.
  bool fired() const { return fired_.load(); }

 private:
  void watch(std::chrono::milliseconds timeout);

  Engine& engine_;
  std::function<void()> onStuck_;
  std::mutex lock_;
  std::condition_variable wake_;
  bool stopped_ = false;  // under lock_
  std::atomic<bool> fired_{false};
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace weft::cli
