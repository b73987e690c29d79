// Runtime benchmarks (not tests): compile throughput of either tier, instantiation
// cost, and call overhead across the host/wasm boundary. One line of
// key=value figures per measurement; bench/runtime-compare.sh puts them beside
// node's in one run.
//
//   weft_bench_runtime compile FILE [--threads N] [--runs R] [--tier baseline|optimizing]
//   weft_bench_runtime instantiate FILE [--count N] [--memory guard|bounds-checked]
//   weft_bench_runtime churn FILE [--count N] [--memory S]   create and drop N instances, one at a time
//   (instantiate and churn: --pool SLOTS sets the engine's memory pool, 0 turns it off)
//   weft_bench_runtime calls CALLS.wasm [--iterations N] [--runs R]
//   weft_bench_runtime cache FILE [--runs R]      compile vs load from the code cache
//   weft_bench_runtime slowest FILE [--count N] [--tier T] [--function F]   the N functions slowest to compile
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "driver/compile_driver.h"
#include "runtime/instance.h"
#include "support/file.h"

namespace weft {
namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Options {
  std::string command;
  std::string file;
  uint32_t threads = 1;
  uint32_t runs = 5;
  uint32_t count = 10000;
  uint64_t iterations = 10'000'000;
  MemoryStrategy strategy = MemoryStrategy::BoundsChecked;
  Tier tier = Tier::Baseline;
  int64_t only = -1;  // slowest: time just this function
  int64_t poolSlots = -1;  // instantiate, churn: EngineConfig::memoryPoolSlots (-1: the default)
};

// Resident set size from /proc/self/statm, in bytes.
uint64_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * 4096;
}

std::vector<uint8_t> load(const std::string& path) {
  std::vector<uint8_t> bytes;
  std::string error;
  if (!readWholeFile(path, bytes, error)) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), error.c_str());
    std::exit(1);
  }
  return bytes;
}

int compileBench(const Options& options) {
  std::vector<uint8_t> bytes = load(options.file);
  auto engine = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, options.threads, options.tier));
  std::vector<double> times;
  uint64_t codeBytes = 0;
  for (uint32_t run = 0; run < options.runs; ++run) {
    auto start = Clock::now();
    Result<std::shared_ptr<const Module>> module = Module::compile(engine, bytes);
    auto end = Clock::now();
    if (!module) {
      std::fprintf(stderr, "%s: %s\n", options.file.c_str(), module.error().describe().c_str());
      return 1;
    }
    codeBytes = module.value()->codeBytes();
    times.push_back(seconds(start, end));
  }
  double t = median(times);
  double best = *std::min_element(times.begin(), times.end());
  std::printf("compile file=%s tier=%s bytes=%zu threads=%u seconds=%.4f mb_per_s=%.3f code_bytes=%llu min_seconds=%.4f\n",
              options.file.c_str(), tierName(options.tier), bytes.size(), options.threads, t, bytes.size() / t / 1e6,
              static_cast<unsigned long long>(codeBytes), best);
  return 0;
}

// Satisfies every import with a matching stub, as node-instantiate.mjs does.
std::vector<Extern> stubImports(Engine& engine, const ModuleInfo& info) {
  std::vector<Extern> imports;
  for (const Import& import : info.imports) {
    ExternType type = importType(info, import);
    switch (import.kind) {
      case ExternKind::Func:
        imports.push_back(Extern::of(makeHostFunction(engine, type.func, [](Caller&, auto, std::span<Value> results) {
          for (Value& v : results) v.bits = 0;
          return HostOutcome::ok();
        })));
        break;
      case ExternKind::Memory:
        imports.push_back(Extern::of(LinearMemory::create(type.memory, engine.config().memoryStrategy).value()));
        break;
      case ExternKind::Table: imports.push_back(Extern::of(Table::create(type.table).value())); break;
      case ExternKind::Global: imports.push_back(Extern::of(Global::create(type.global, Value{type.global.type, 0}))); break;
    }
  }
  return imports;
}

// The module of {options}, compiled by the baseline for instantiation
// benchmarks in its engine (memory strategy and pool from the options), and
// stub imports for it; exits on an error.
std::pair<Result<std::shared_ptr<const Module>>, std::vector<Extern>> moduleToInstantiate(const Options& options) {
  std::vector<uint8_t> bytes = load(options.file);
  EngineConfig config = EngineConfig::with(options.strategy, 0, Tier::Baseline);
  if (options.poolSlots >= 0) config.memoryPoolSlots = static_cast<uint32_t>(options.poolSlots);
  auto engine = std::make_shared<Engine>(config);
  Result<std::shared_ptr<const Module>> module = Module::compile(engine, bytes);
  if (!module) {
    std::fprintf(stderr, "%s: %s\n", options.file.c_str(), module.error().describe().c_str());
    std::exit(1);
  }
  std::vector<Extern> imports = stubImports(*engine, module.value()->info());
  return {std::move(module), std::move(imports)};
}

int instantiateBench(const Options& options) {
  // Named members, not a structured binding: clang 14 cannot capture those.
  auto prepared = moduleToInstantiate(options);
  Result<std::shared_ptr<const Module>>& module = prepared.first;
  std::vector<Extern>& imports = prepared.second;
  std::vector<std::shared_ptr<Instance>> live;
  live.reserve(options.count);
  uint64_t rssBefore = residentBytes();
  auto start = Clock::now();
  for (uint32_t i = 0; i < options.count; ++i) {
    InstantiateOutcome outcome = Instance::create(module.value(), imports);
    if (!outcome.ok()) {
      std::fprintf(stderr, "instance %u: %s\n", i,
                   outcome.error ? outcome.error->describe().c_str() : outcome.trap->describe().c_str());
      return 1;
    }
    live.push_back(std::move(outcome.instance));
  }
  auto end = Clock::now();
  uint64_t rssAfter = residentBytes();
  EngineMemoryUsage usage = module.value()->engine().memoryUsage();
  std::printf("instantiate file=%s memory=%s instances=%u us_per_instance=%.2f rss_bytes_per_instance=%lld "
              "accounted_bytes_per_instance=%llu instance_data_bytes=%llu code_bytes_once=%llu\n",
              options.file.c_str(), memoryStrategyName(options.strategy), options.count,
              seconds(start, end) * 1e6 / options.count,
              static_cast<long long>((static_cast<int64_t>(rssAfter) - static_cast<int64_t>(rssBefore)) /
                                     static_cast<int64_t>(options.count)),
              static_cast<unsigned long long>((usage.instanceData + usage.linearMemory + usage.tables) /
                                              options.count),
              static_cast<unsigned long long>(usage.instanceData / options.count),
              static_cast<unsigned long long>(usage.code));
  return 0;
}

// Short-lived instances, as a server making one per request: each made,
// its start function run, then dropped, {count} times after a warm-up (the
// steady state a pool of reservations serves). Median of {runs} runs of the
// microseconds per create-and-drop.
int churnBench(const Options& options) {
  // Named members, not a structured binding: clang 14 cannot capture those.
  auto prepared = moduleToInstantiate(options);
  Result<std::shared_ptr<const Module>>& module = prepared.first;
  std::vector<Extern>& imports = prepared.second;
  auto cycle = [&](uint32_t count) {
    for (uint32_t i = 0; i < count; ++i) {
      InstantiateOutcome outcome = Instance::create(module.value(), imports);
      if (!outcome.ok()) {
        std::fprintf(stderr, "instance %u: %s\n", i,
                     outcome.error ? outcome.error->describe().c_str() : outcome.trap->describe().c_str());
        std::exit(1);
      }
    }
  };
  cycle(std::min<uint32_t>(options.count, 100));
  std::vector<double> times;
  for (uint32_t run = 0; run < options.runs; ++run) {
    auto start = Clock::now();
    cycle(options.count);
    times.push_back(seconds(start, Clock::now()) * 1e6 / options.count);
  }
  std::printf("churn file=%s memory=%s instances=%u us_per_create_and_drop=%.2f\n", options.file.c_str(),
              memoryStrategyName(options.strategy), options.count, median(times));
  return 0;
}

// The module in {file}, compiled by the baseline with the guard strategy on
// one thread; exits with the error otherwise.
std::shared_ptr<const Module> compileBaseline(const std::string& file, std::span<const uint8_t> bytes) {
  auto engine = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline));
  Result<std::shared_ptr<const Module>> module = Module::compile(engine, bytes);
  if (!module) {
    std::fprintf(stderr, "%s: %s\n", file.c_str(), module.error().describe().c_str());
    std::exit(1);
  }
  return module.value();
}

int callsBench(const Options& options) {
  std::vector<uint8_t> bytes = load(options.file);
  std::shared_ptr<const Module> module = compileBaseline(options.file, bytes);
  uint64_t hostCalls = 0;
  std::vector<Extern> imports{Extern::of(makeHostFunction(module->engine(), FuncType{{}, {}}, [&](Caller&, auto, auto) {
    ++hostCalls;
    return HostOutcome::ok();
  }))};
  InstantiateOutcome outcome = Instance::create(module, imports);
  if (!outcome.ok()) return 1;
  Func nothing = *outcome.instance->exportedFunction("nothing");
  Func callHost = *outcome.instance->exportedFunction("call_host");
  Func loop = *outcome.instance->exportedFunction("loop");

  std::vector<double> hostToWasm, hostToWasmTyped, hostToWasmOutcome, wasmToHost, wasmLoop;
  uint64_t n = options.iterations;
  for (uint32_t run = 0; run < options.runs; ++run) {
    auto outcomeStart = Clock::now();
    for (uint64_t i = 0; i < n; ++i)
      if (!call(nothing, {}).ok()) return 1;
    auto typedStart = Clock::now();
    Trap trap;
    for (uint64_t i = 0; i < n; ++i)
      if (call(nothing, {}, {}, trap) != CallStatus::Returned) return 1;
    auto start = Clock::now();
    uint64_t slot = 0;
    for (uint64_t i = 0; i < n; ++i)
      if (!callUnchecked(nothing, &slot, 0, trap)) return 1;
    auto mid = Clock::now();
    // The loop's own cost, measured without the host call, is subtracted.
    if (!call(loop, std::vector{Value::i32(static_cast<uint32_t>(n))}).ok()) return 1;
    auto loopEnd = Clock::now();
    if (!call(callHost, std::vector{Value::i32(static_cast<uint32_t>(n))}).ok()) return 1;
    auto end = Clock::now();
    hostToWasmOutcome.push_back(seconds(outcomeStart, typedStart) * 1e9 / n);
    hostToWasmTyped.push_back(seconds(typedStart, start) * 1e9 / n);
    hostToWasm.push_back(seconds(start, mid) * 1e9 / n);
    wasmLoop.push_back(seconds(mid, loopEnd) * 1e9 / n);
    wasmToHost.push_back(seconds(loopEnd, end) * 1e9 / n);
  }
  if (hostCalls != n * options.runs) {
    std::fprintf(stderr, "host function ran %llu times, expected %llu\n",
                 static_cast<unsigned long long>(hostCalls), static_cast<unsigned long long>(n * options.runs));
    return 1;
  }
  std::printf("calls host_to_wasm_ns=%.1f host_to_wasm_checked_ns=%.1f host_to_wasm_outcome_ns=%.1f "
              "wasm_to_host_ns=%.1f loop_ns_per_iteration=%.2f\n",
              median(hostToWasm), median(hostToWasmTyped), median(hostToWasmOutcome),
              median(wasmToHost) - median(wasmLoop), median(wasmLoop));
  return 0;
}

// Where a tier's compile time goes: every defined function compiled alone,
// timed; the slowest printed with their bytecode size.
int slowestBench(const Options& options) {
  std::vector<uint8_t> bytes = load(options.file);
  std::shared_ptr<const Module> module = compileBaseline(options.file, bytes);
  const Module& m = *module;
  const TierCompiler& tier = *tierCompiler(options.tier);
  CompileInput input{m.info(), m.bytes(), m.layout(), m.memoryStrategy()};
  std::vector<std::pair<double, uint32_t>> times;
  double total = 0;
  for (auto f = static_cast<uint32_t>(m.info().numImportedFunctions); f < m.info().functions.size(); ++f) {
    if (options.only >= 0 && f != options.only) continue;
    auto start = Clock::now();
    Result<std::vector<CompiledFunction>> compiled = compileFunctions(tier, input, {f}, 1);
    double t = seconds(start, Clock::now());
    if (!compiled) std::fprintf(stderr, "function %u: %s\n", f, compiled.error().describe().c_str());
    times.emplace_back(t, f);
    total += t;
  }
  std::sort(times.rbegin(), times.rend());
  std::printf("slowest file=%s tier=%s functions=%zu total_seconds=%.3f\n", options.file.c_str(), tierName(options.tier),
              times.size(), total);
  for (size_t i = 0; i < std::min<size_t>(options.count, times.size()); ++i)
    std::printf("  function %u: %.3f s, %u bytes of bytecode\n", times[i].second, times[i].first,
                m.info().functions[times[i].second].body.size);
  return 0;
}

// Compiling a module vs mapping it from a code-cache file (warm: the file in
// the page cache; cold: evicted first), and the first instantiation after.
int cacheBench(const Options& options) {
  std::vector<uint8_t> bytes = load(options.file);
  auto engine = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline));
  std::string path = (std::filesystem::temp_directory_path() / ("weft-bench-cache-" + std::to_string(getpid()) + ".cwasm")).string();
  std::vector<double> compileTimes, warmLoads, coldLoads, firstInstance;
  for (uint32_t run = 0; run < options.runs; ++run) {
    auto start = Clock::now();
    Result<std::shared_ptr<const Module>> compiled = Module::compile(engine, bytes);
    auto end = Clock::now();
    if (!compiled) {
      std::fprintf(stderr, "%s: %s\n", options.file.c_str(), compiled.error().describe().c_str());
      return 1;
    }
    compileTimes.push_back(seconds(start, end));
    if (run == 0 && !compiled.value()->serialize(path)) return 1;
  }
  for (uint32_t run = 0; run < options.runs; ++run) {
    for (bool cold : {false, true}) {
      if (cold) {  // drop the file from the page cache (it was fsynced when written)
        int fd = open(path.c_str(), O_RDONLY);
        if (fd >= 0) {
          posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
          close(fd);
        }
      }
      auto start = Clock::now();
      Result<std::shared_ptr<const Module>> loaded = Module::deserialize(engine, path);
      auto end = Clock::now();
      if (!loaded) {
        std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
        return 1;
      }
      (cold ? coldLoads : warmLoads).push_back(seconds(start, end));
      if (!cold) {
        std::vector<Extern> imports = stubImports(*engine, loaded.value()->info());
        auto made = Clock::now();
        InstantiateOutcome outcome = Instance::create(loaded.value(), imports);
        auto done = Clock::now();
        if (!outcome.ok()) return 1;
        firstInstance.push_back(seconds(made, done));
      }
    }
  }
  unlink(path.c_str());
  std::printf("cache file=%s bytes=%zu compile_ms=%.1f load_warm_ms=%.2f load_cold_ms=%.2f "
              "first_instance_us=%.1f compile_over_load=%.1f\n",
              options.file.c_str(), bytes.size(), median(compileTimes) * 1e3, median(warmLoads) * 1e3,
              median(coldLoads) * 1e3, median(firstInstance) * 1e6, median(compileTimes) / median(warmLoads));
  return 0;
}

}  // namespace
}  // namespace weft

int main(int argc, char** argv) {
  using namespace weft;
  Options options;
  if (argc < 3) {
    std::fputs("usage: weft_bench_runtime compile|instantiate|churn|calls|cache|slowest FILE [options]\n", stderr);
    return 2;
  }
  options.command = argv[1];
  options.file = argv[2];
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--threads") options.threads = static_cast<uint32_t>(std::stoul(value));
    else if (flag == "--runs") options.runs = static_cast<uint32_t>(std::stoul(value));
    else if (flag == "--count") options.count = static_cast<uint32_t>(std::stoul(value));
    else if (flag == "--iterations") options.iterations = std::stoull(value);
    else if (flag == "--memory") options.strategy = value == "guard" ? MemoryStrategy::Guard : MemoryStrategy::BoundsChecked;
    else if (flag == "--function") options.only = std::stoll(value);
    else if (flag == "--pool") options.poolSlots = std::stoll(value);
    else if (flag == "--tier") options.tier = value == "optimizing" ? Tier::Optimizing : Tier::Baseline;
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (options.command == "compile") return compileBench(options);
  if (options.command == "instantiate") return instantiateBench(options);
  if (options.command == "churn") return churnBench(options);
  if (options.command == "calls") return callsBench(options);
  if (options.command == "cache") return cacheBench(options);
  if (options.command == "slowest") return slowestBench(options);
  std::fprintf(stderr, "unknown command %s\n", options.command.c_str());
  return 2;
}
