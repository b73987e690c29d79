#include "runtime/background_compile.h"

namespace weft {

BackgroundCompile::State BackgroundCompile::wait() {
  std::unique_lock guard(lock_);
  ended_.wait(guard, [&] { return state_ != State::Queued && state_ != State::Running; });
  return state_;
}

BackgroundCompile::State BackgroundCompile::state() {
  std::lock_guard guard(lock_);
  return state_;
}

std::optional<Error> BackgroundCompile::error() {
  std::lock_guard guard(lock_);
  return error_;
}

void BackgroundCompile::start() {
  std::lock_guard guard(lock_);
  state_ = State::Running;
}

void BackgroundCompile::finish(State state, std::optional<Error> error) {
  {
    std::lock_guard guard(lock_);
    state_ = state;
    error_ = std::move(error);
  }
  ended_.notify_all();
}

}  // namespace weft
