#include "runtime/job_queue.h"

namespace weft {

JobQueue::~JobQueue() {
  std::deque<Job> dropped;
  {
    std::lock_guard guard(lock_);
    stopping_ = true;
    dropped.swap(queued_);
  }
  wake_.notify_all();
  dropped.clear();  // outside the lock: a job's destructor may take others
  for (std::thread& thread : threads_) thread.join();
}

void JobQueue::submit(Job job) {
  {
    std::lock_guard guard(lock_);
    queued_.push_back(std::move(job));
    // Another thread only when every existing one is busy.
    if (threads_.size() < maxThreads_ && running_ + queued_.size() > threads_.size())
      threads_.emplace_back([this] { work(); });
  }
  wake_.notify_one();
}

void JobQueue::waitIdle() {
  std::unique_lock guard(lock_);
  idle_.wait(guard, [&] { return queued_.empty() && running_ == 0; });
}

void JobQueue::work() {
  std::unique_lock guard(lock_);
  while (true) {
    wake_.wait(guard, [&] { return stopping_ || !queued_.empty(); });
    if (stopping_) return;
    Job job = std::move(queued_.front());
    queued_.pop_front();
    ++running_;
    guard.unlock();
    job(stopping_);
    job = nullptr;  // its captures go before the queue may be seen idle
    guard.lock();
    --running_;
    idle_.notify_all();
  }
}

}  // namespace weft
