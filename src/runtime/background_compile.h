// A background compile (DESIGN 8) as its submitter sees it: queued, running,
// then installed, failed or cancelled. The compile driver runs the job; a
// Module compiled with the tiered policy keeps the handle of its tier-up.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>

#include "support/error.h"

namespace weft {

class BackgroundCompile {
 public:
  enum class State { Queued, Running, Installed, Failed, Cancelled };
  // Blocks until the job has ended: installed, failed or cancelled.
  State wait();
  State state();
  // Failed: why. Installed: the first function that could not be compiled and
  // kept its old code, if any (a tier-up installs every function it could).
  std::optional<Error> error();

  // For the job.
  void finish(State state, std::optional<Error> error = std::nullopt);
  void start();

 private:
  std::mutex lock_;
  std::condition_variable ended_;
  State state_ = State::Queued;
  std::optional<Error> error_;
};

}  // namespace weft
