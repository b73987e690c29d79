// wasi-threads (wasi_threads.h): thread-spawn makes the new thread's instance
// on the spawning thread, so every failure is an error code the guest sees at
// once, then runs wasi_thread_start on a detached OS thread.
#include "host/wasi/wasi_threads.h"

#include <unistd.h>

#include <cstdio>
#include <system_error>
#include <thread>

#include "runtime/engine.h"
#include "runtime/func.h"

namespace weft {
namespace {

constexpr uint32_t kMaxTid = 0x1FFFFFFF;  // the ABI's range of thread ids

const FuncType kSpawnType{{ValType::I32}, {ValType::I32}};
const FuncType kStartType{{ValType::I32, ValType::I32}, {}};

std::optional<Func> threadStart(Instance& instance) {
  std::optional<Func> start = instance.exportedFunction("wasi_thread_start");
  if (!start || start->type != kStartType) return std::nullopt;
  return start;
}

}  // namespace

std::shared_ptr<WasiThreads> WasiThreads::create(std::shared_ptr<const Module> module, std::shared_ptr<WasiContext> wasi,
                                                 WasiThreadsConfig config, OnEnd onEnd) {
  std::shared_ptr<WasiThreads> threads(new WasiThreads());
  threads->module_ = std::move(module);
  threads->wasi_ = std::move(wasi);
  threads->config_ = config;
  threads->onEnd_ = onEnd ? std::move(onEnd) : OnEnd([](const WasiThreadEnd& end) { endProcess(end); });
  return threads;
}

bool WasiThreads::claimProcessEnd() {
  static std::atomic<bool> claimed{false};
  return !claimed.exchange(true);
}

void WasiThreads::endProcess(const WasiThreadEnd& end, const std::function<void()>& report) {
  if (!claimProcessEnd()) {
    for (;;) pause();  // another thread is ending the process
  }
  if (report)
    report();
  else if (!end.exitCode && end.trap)
    std::fprintf(stderr, "wasi thread %u: trap: %s\n", end.tid, end.trap->describe().c_str());
  std::fflush(nullptr);
  _exit(end.exitCode ? static_cast<int>(*end.exitCode & 0xff) : 134);
}

std::optional<Extern> WasiThreads::other(const Import& import) {
  const ModuleInfo& info = module_->info();
  if (import.kind == ExternKind::Func && import.module == "wasi" && import.name == "thread-spawn") {
    if (info.functionType(import.index) != kSpawnType) return std::nullopt;
    std::weak_ptr<WasiThreads> weak = weak_from_this();
    return Extern::of(makeHostFunction(module_->engine(), kSpawnType,
                                       [weak](Caller&, std::span<const Value> args, std::span<Value> results) {
                                         std::shared_ptr<WasiThreads> self = weak.lock();
                                         if (!self) {  // the program is being torn down
                                           results[0] = Value::i32(static_cast<uint32_t>(kErrorAgain));
                                           return HostOutcome::ok();
                                         }
                                         return self->spawnCall(args[0].asI32(), results[0]);
                                       }));
  }
  if (import.kind == ExternKind::Memory) {
    // The one memory threads share; a second memory import is not ours to
    // give (it would alias the first), so it stays a link error.
    if (memory_ && import.index != memoryIndex_) return std::nullopt;
    if (!memory_) {
      const EngineConfig& config = module_->engine().config();
      Result<std::shared_ptr<LinearMemory>> made =
          LinearMemory::create(info.memories[import.index].type, module_->memoryStrategy(), config.maxMemoryPages,
                               module_->engine().resourceBudget());
      if (!made) {
        linkError_ = made.error();
        linkError_->message = "memory \"" + import.module + "\" \"" + import.name + "\": " + linkError_->message;
        return std::nullopt;
      }
      memory_ = made.value();
      memoryIndex_ = import.index;
    }
    return Extern::of(memory_);
  }
  return std::nullopt;
}

Result<std::vector<Extern>> WasiThreads::imports() {
  std::lock_guard lock(lock_);
  if (imports_) return *imports_;
  Result<std::vector<Extern>> made =
      wasi_->imports(module_->engine(), module_->info(), [this](const Import& import) { return other(import); });
  if (linkError_) return *linkError_;
  if (!made) return made.error();
  for (const Export& exp : module_->info().exports)
    if (exp.kind == ExternKind::Func && exp.name == "wasi_thread_start")
      exportsStart_ = module_->info().functionType(exp.index) == kStartType;
  imports_ = made.value();
  return made;
}

HostOutcome WasiThreads::spawnCall(uint32_t startArg, Value& result) {
  auto answer = [&](int32_t value) {
    result = Value::i32(static_cast<uint32_t>(value));
    return HostOutcome::ok();
  };
  if (!memory_ || !memory_->currentType().limits.shared) return answer(kErrorNotsup);
  // Checked on the module (once, at link time), before anything is made: a
  // program that cannot start threads at all is told so, at the spawn, not
  // by an error code it may ignore.
  if (!exportsStart_)
    return HostOutcome::trapWith(
        "wasi-threads: thread-spawn needs the module to export \"wasi_thread_start\" (param i32 i32); it does not");
  {
    std::lock_guard lock(running_->lock);
    if (running_->live >= config_.maxThreads) return answer(kErrorAgain);
    ++running_->live;
  }
  auto countOut = [](Running& running) {
    {
      std::lock_guard lock(running.lock);
      --running.live;
    }
    running.ended.notify_all();
  };
  auto release = [&] { countOut(*running_); };
  // Ids are never reused, and stop at the ABI's last one: the counter never
  // wraps to 0 or to an id in use, however often a guest spawns.
  uint32_t tid = nextTid_.load();
  do {
    if (tid > kMaxTid) {
      release();
      return answer(kErrorAgain);
    }
  } while (!nextTid_.compare_exchange_weak(tid, tid + 1));
  // The imports were made before the first instance, and never change.
  InstantiateOutcome outcome = Instance::create(module_, *imports_);
  std::optional<Func> start = outcome.ok() ? threadStart(*outcome.instance) : std::nullopt;
  if (!start) {  // the engine's instance limit, its resource budget, the host's memory
    release();
    return answer(kErrorAgain);
  }
  try {
    std::thread([self = shared_from_this(), running = running_, instance = outcome.instance, start = *start, tid,
                 startArg, countOut]() mutable {
      self->run(std::move(instance), std::move(start), tid, startArg);
      self.reset();
      countOut(*running);
    }).detach();
  } catch (const std::system_error&) {
    release();
    return answer(kErrorAgain);
  }
  spawned_.fetch_add(1);
  return answer(static_cast<int32_t>(tid));
}

void WasiThreads::run(std::shared_ptr<Instance> instance, Func start, uint32_t tid, uint32_t startArg) {
  Value args[2] = {Value::i32(tid), Value::i32(startArg)};
  CallOutcome outcome = call(start, args);
  start = {};
  instance.reset();
  if (!outcome.trap) return;
  WasiThreadEnd end;
  end.tid = tid;
  end.exitCode = wasi_->exitCode();
  if (!end.exitCode) end.trap = std::move(outcome.trap);
  onEnd_(end);
}

void WasiThreads::join() {
  std::unique_lock lock(running_->lock);
  running_->ended.wait(lock, [&] { return running_->live == 0; });
}

uint32_t WasiThreads::liveThreads() const {
  std::lock_guard lock(running_->lock);
  return running_->live;
}

}  // namespace weft
