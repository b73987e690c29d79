#include "cli/watchdog.h"

namespace weft::cli {

Watchdog::Watchdog(Engine& engine, std::chrono::milliseconds timeout, std::function<void()> onStuck)
    : engine_(engine), onStuck_(std::move(onStuck)), thread_([this, timeout] { watch(timeout); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard guard(lock_);
    stopped_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::watch(std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  std::unique_lock guard(lock_);
  // A timeout past what the clock can add is no timeout.
  Clock::time_point deadline =
      timeout < std::chrono::duration_cast<std::chrono::milliseconds>(Clock::time_point::max() - Clock::now())
          ? Clock::now() + timeout
          : Clock::time_point::max();
  if (wake_.wait_until(guard, deadline, [this] { return stopped_; })) return;
  fired_.store(true);
  engine_.interrupt();
  if (wake_.wait_for(guard, kGrace, [this] { return stopped_; })) return;
  onStuck_();
}

}  // namespace weft::cli
