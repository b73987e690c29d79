// The engine's background threads (DESIGN 8: a second tier compiles in the
// background after Module::compile has returned). A FIFO of jobs run by up to
// {threads} threads, started when the first job arrives, so an engine that
// never compiles in the background has none.
//
// Cancellation belongs to the jobs: each gets a flag that turns true when the
// queue is being destroyed, and checks its own reasons (its Module died) too.
// Destroying the queue drops the jobs that have not started (destroying them,
// which is how they learn) and waits for the running ones to return. It must
// not be destroyed from one of its own threads; jobs therefore never hold what
// owns the queue (the Engine).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace weft {

class JobQueue {
 public:
  using Job = std::function<void(const std::atomic<bool>& stopping)>;

  explicit JobQueue(uint32_t threads) : maxThreads_(threads ? threads : 1) {}
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  void submit(Job job);
  // Blocks until no job is queued or running (for tests and orderly shutdown).
  void waitIdle();

 private:
  void work();

  const uint32_t maxThreads_;
  std::mutex lock_;
  std::condition_variable wake_;   // a job arrived, or stopping
  std::condition_variable idle_;   // a job finished
  std::deque<Job> queued_;
  uint32_t running_ = 0;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace weft
