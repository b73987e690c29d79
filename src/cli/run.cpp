// `weft run`: compile a module (tiered by default) or map its code-cache
// file, instantiate it, and run it: a WASI command's _start, a WASI reactor's
// _initialize then the export named by --invoke, or any export of a module
// without imports.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "cli/commands.h"
#include "cli/load_module.h"
#include "cli/terminal_debugger.h"
#include "cli/values.h"
#include "cli/watchdog.h"
#include "host/wasi/wasi.h"
#include "host/wasi/wasi_threads.h"
#include "runtime/background_compile.h"
#include "runtime/instance.h"
#include "support/quantities.h"

namespace weft::cli {
namespace {

constexpr const char* kRunUsage =
    "usage: weft run [OPTIONS] [--] FILE.wasm|FILE.cwasm [ARGS...]\n"
    "  A WASI program (imports from wasi_snapshot_preview1) runs its _start with ARGS\n"
    "  as its arguments; it sees only the directories given with --dir and the\n"
    "  variables given with --env; its exit code is weft's. A threaded one\n"
    "  (wasm32-wasip1-threads: it imports a shared memory and \"wasi\" \"thread-spawn\")\n"
    "  runs each thread as an instance of the module, all over one memory; weft\n"
    "  ends with its main thread, or when any thread traps or calls proc_exit.\n"
    "  A WASI reactor (it exports\n"
    "  _initialize) is initialized, then --invoke calls one of its exports. Any other\n"
    "  module is instantiated (running its start function) and, with --invoke, the\n"
    "  export FUNC is called with ARGS and its results printed, one per line.\n"
    "  A trap prints its kind and a wasm backtrace (exit 134 for a WASI program's\n"
    "  _start, 1 otherwise).\n"
    "options:\n"
    "  --invoke FUNC           call the export FUNC with ARGS: i32/i64 (decimal or 0x hex),\n"
    "                          f32/f64 (1.5, -inf, nan, 0x1p-3), v128 (0x + 32 hex digits,\n"
    "                          or lanes: i8x16:, i16x8:, i32x4:, i64x2:, f32x4:, f64x2:\n"
    "                          then comma-separated values); v128 results print as 0x...\n"
    "  --dir HOST[::GUEST]     let the guest see directory HOST as GUEST (default: HOST)\n"
    "  --env KEY=VALUE         set a variable in the guest's environment\n"
    "  --max-threads N         threads a wasi-threads program may have running at once,\n"
    "                          besides its main thread (default 1024); past it\n"
    "                          thread-spawn fails with EAGAIN\n"
    "  --tcplisten HOST:PORT   listen on HOST:PORT and give the socket to the guest\n"
    "                          (sock_accept); HOST is an IPv4/IPv6 literal or localhost\n"
    "  --memory guard|bounds-checked\n"
    "                          the linear-memory strategy (default: guard; a .cwasm\n"
    "                          file's own unless given)\n"
    "  --tier baseline|optimizing|tiered\n"
    "                          which compiler's code runs (default: tiered; a .cwasm\n"
    "                          file's own unless given); tiered starts in baseline code\n"
    "                          and swaps in optimized code as background compiles finish\n"
    "                          (a call already running, such as _start, stays in its code)\n"
    "  --specialize            compile the instance its own copy of the code with the\n"
    "                          optimizing tier, its memory's base and size as constants\n"
    "                          (never shared, never cached; slower to start; for the\n"
    "                          last percent, and to measure what sharing code costs)\n"
    "  --timeout DURATION      interrupt the guest after DURATION (500ms, 2s, 1m, 1h) of\n"
    "                          instantiating and running: it traps \"interrupted\" with its\n"
    "                          backtrace (exit 134); a guest blocked in a WASI call for\n"
    "                          2 s more ends the process\n"
    "  --max-memory SIZE       a linear memory may grow to SIZE bytes at most (K, M, G\n"
    "                          suffixes: 64M; rounded down to 64 KiB pages): past it\n"
    "                          memory.grow returns -1 and a larger minimum fails to\n"
    "                          instantiate (default: 4G, all of wasm32)\n"
    "  --max-table-elements N  a table may grow to N elements at most (default 10000000)\n"
    "  --max-wasm-stack SIZE   stack the guest may use (K, M suffixes): deeper calls trap\n"
    "                          \"call stack exhausted\" (default: the thread's stack but a\n"
    "                          margin for the host)\n"
    "  --fuel N                count the operators the guest runs (one unit each but end\n"
    "                          and else) against N: past it, it traps \"out of fuel\" before\n"
    "                          the straight-line run that would overspend; deterministic.\n"
    "                          Code compiled to count fuel (a .cwasm needs weft compile\n"
    "                          --count-fuel); --timings then prints the fuel used\n"
    "  --profile perfmap|jitdump\n"
    "                          name the generated code for perf: every function of\n"
    "                          every tier in /tmp/perf-PID.map (perf record, then perf\n"
    "                          report shows wasm function names), or with its code in\n"
    "                          /tmp/jit-PID.dump (perf record -k mono, perf inject --jit,\n"
    "                          then perf report and perf annotate see inside functions)\n"
    "  --timings               print to stderr, at the end, the seconds spent compiling\n"
    "                          (or loading), instantiating and running, and the peak\n"
    "                          resident memory\n"
    "  --cache DIR             keep compiled code in DIR (yours alone: see README), keyed by\n"
    "                          the module's hash, the engine build, the memory strategy and\n"
    "                          the tier; tiered stores its optimized code once the\n"
    "                          background compile is done (the first run waits for it\n"
    "                          before exiting), so later runs start in optimized code\n"
    "  --                      the next argument is FILE, even if it starts with -\n";

int usageError(const char* format, const std::string& value) {
  std::fprintf(stderr, "weft run: ");
  std::fprintf(stderr, format, value.c_str());
  std::fprintf(stderr, "\n%s", kRunUsage);
  return 2;
}

using Clock = std::chrono::steady_clock;

// --timings: where the time went, printed at exit.
struct Timings {
  bool wanted = false;
  Clock::time_point start = Clock::now(), loaded, instantiated;
  std::optional<uint64_t> fuelGiven, fuelLeft;  // --fuel, and what the instance had left
  void print() const {
    if (!wanted) return;
    auto seconds = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
    Clock::time_point end = Clock::now();
    Clock::time_point ranFrom = instantiated == Clock::time_point{} ? end : instantiated;
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    std::fprintf(stderr, "weft: timings: compile %.3f s, instantiate %.3f s, run %.3f s, peak memory %.1f MiB\n",
                 seconds(start, loaded), seconds(loaded, ranFrom), seconds(ranFrom, end),
                 static_cast<double>(usage.ru_maxrss) / 1024.0);  // KiB on Linux
    if (fuelGiven && fuelLeft)
      std::fprintf(stderr, "weft: fuel: %llu used, %llu left\n", static_cast<unsigned long long>(*fuelGiven - *fuelLeft),
                   static_cast<unsigned long long>(*fuelLeft));
  }
};

struct RunOptions {
  std::string invoke;
  Timings timings;
  std::string cacheDir;
  std::optional<std::chrono::milliseconds> timeout;
  std::string timeoutText;  // as given, for messages
  bool strategyGiven = false;
  bool tierGiven = false;
  EngineConfig config;
  WasiConfig wasi;
  WasiThreadsConfig threadsConfig;
  std::shared_ptr<WasiThreads> threads;  // a WASI program's, once linked
  std::string file;
  std::vector<std::string> rest;  // the guest's arguments, or FUNC's
  std::shared_ptr<TerminalDebugger> debugger;  // weft debug
};

// Returns an exit code when the command line is wrong (or --help).
std::optional<int> parseRunOptions(const std::vector<std::string>& args, RunOptions& options) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    bool hasValue = i + 1 < args.size();
    if (arg == "--") {
      ++i;
      break;
    } else if (arg == "--invoke" && hasValue) {
      options.invoke = args[++i];
    } else if (arg == "--dir" && hasValue) {
      std::string spec = args[++i];
      size_t split = spec.find("::");
      options.wasi.preopens.push_back(
          {spec.substr(0, split), split == std::string::npos ? spec : spec.substr(split + 2)});
    } else if (arg == "--env" && hasValue) {
      if (args[i + 1].find('=') == std::string::npos) return usageError("--env needs KEY=VALUE, got '%s'", args[i + 1]);
      options.wasi.env.push_back(args[++i]);
    } else if (arg == "--max-threads" && hasValue) {
      std::optional<uint64_t> count = parseCount(args[++i]);
      if (!count || *count > 1000000)
        return usageError("--max-threads needs a count up to 1000000, got '%s'", args[i]);
      options.threadsConfig.maxThreads = static_cast<uint32_t>(*count);
    } else if (arg == "--tcplisten" && hasValue) {
      if (args[i + 1].rfind(':') == std::string::npos)
        return usageError("--tcplisten needs HOST:PORT, got '%s'", args[i + 1]);
      options.wasi.tcpListen.push_back(args[++i]);
    } else if (arg == "--tier" && hasValue) {
      std::optional<Tier> tier = parseTier("run", args[++i]);
      if (!tier) return 2;
      options.config.tier = *tier;
      options.tierGiven = true;
    } else if (arg == "--timeout" && hasValue) {
      options.timeoutText = args[++i];
      options.timeout = parseDuration(options.timeoutText);
      if (!options.timeout)
        return usageError("--timeout needs a whole number and a unit (500ms, 2s, 1m, 1h), got '%s'", options.timeoutText);
    } else if (arg == "--max-memory" && hasValue) {
      std::optional<uint64_t> bytes = parseByteSize(args[++i]);
      if (!bytes) return usageError("--max-memory needs a size in bytes (65536, 64K, 64M, 2G), got '%s'", args[i]);
      options.config.maxMemoryPages = std::min<uint64_t>(*bytes / kPageSize, kMaxMemory32Pages);
    } else if (arg == "--max-table-elements" && hasValue) {
      std::optional<uint64_t> count = parseCount(args[++i]);
      if (!count || *count > UINT32_MAX)
        return usageError("--max-table-elements needs a count up to 4294967295, got '%s'", args[i]);
      options.config.maxTableElements = static_cast<uint32_t>(*count);
    } else if (arg == "--max-wasm-stack" && hasValue) {
      std::optional<uint64_t> bytes = parseByteSize(args[++i]);
      if (!bytes || *bytes == 0) return usageError("--max-wasm-stack needs a size above 0 (64K, 1M), got '%s'", args[i]);
      options.config.maxWasmStackBytes = *bytes;
    } else if (arg == "--fuel" && hasValue) {
      std::optional<uint64_t> fuel = parseCount(args[++i]);
      if (!fuel)
        return usageError("--fuel needs a whole number of operators, got '%s'", args[i]);
      options.config.consumeFuel = true;
      options.config.initialFuel = *fuel;
      options.timings.fuelGiven = std::min<uint64_t>(*fuel, INT64_MAX);  // what an instance can hold
    } else if (arg == "--profile" && hasValue) {
      const std::string& kind = args[++i];
      if (kind == "perfmap")
        options.config.perfMap = true;
      else if (kind == "jitdump")
        options.config.perfJitDump = true;
      else
        return usageError("--profile takes perfmap or jitdump, got '%s'", kind);
    } else if (arg == "--timings") {
      options.timings.wanted = true;
    } else if (arg == "--specialize") {
      options.config.specializeInstances = true;
    } else if (arg == "--cache" && hasValue) {
      options.cacheDir = args[++i];
    } else if (arg == "--memory" && hasValue) {
      options.strategyGiven = true;
      std::optional<MemoryStrategy> strategy = parseMemoryStrategy("run", args[++i]);
      if (!strategy) return 2;
      options.config.memoryStrategy = *strategy;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kRunUsage, stdout);
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return usageError("unknown option or missing value: %s", arg);
    } else {
      break;
    }
  }
  if (i >= args.size()) {
    std::fputs(kRunUsage, stderr);
    return 2;
  }
  options.file = args[i++];
  options.rest.assign(args.begin() + static_cast<long>(i), args.end());
  options.config.cacheDirectory = options.cacheDir;
  return std::nullopt;
}

std::string importList(const std::vector<Import>& imports) {
  std::string text;
  for (const Import& import : imports) {
    if (!text.empty()) text += ", ";
    text += "\"" + import.module + "\" \"" + import.name + "\" (" + externKindName(import.kind) + ")";
  }
  return text;
}

bool exportsFunction(const ModuleInfo& info, const char* name) {
  return std::any_of(info.exports.begin(), info.exports.end(),
                     [&](const Export& e) { return e.kind == ExternKind::Func && e.name == name; });
}

// Calls FUNC with arguments parsed from the command line; prints the results.
int invokeExport(const std::string& file, Instance& instance, const std::string& name,
                 const std::vector<std::string>& rest, const WasiContext* wasi, const TerminalDebugger* debugger) {
  std::optional<Func> func = instance.exportedFunction(name);
  if (!func) {
    std::fprintf(stderr, "%s: error: no exported function \"%s\"\n", file.c_str(), name.c_str());
    return 1;
  }
  if (rest.size() != func->type.params.size()) {
    std::fprintf(stderr, "%s: error: \"%s\" takes %zu arguments, %zu given\n", file.c_str(), name.c_str(),
                 func->type.params.size(), rest.size());
    return 2;
  }
  std::vector<Value> values;
  for (size_t a = 0; a < rest.size(); ++a) {
    std::optional<Value> value = parseValue(rest[a], func->type.params[a]);
    if (!value) {
      std::fprintf(stderr, "%s: error: argument %zu: '%s' is not a valid %s\n", file.c_str(), a + 1, rest[a].c_str(),
                   valTypeName(func->type.params[a]));
      return 2;
    }
    values.push_back(*value);
  }
  std::fflush(stdout);
  CallOutcome result = call(*func, values);
  if (wasi && wasi->exitCode()) return static_cast<int>(*wasi->exitCode() & 0xff);
  if (debugger && debugger->quitRequested()) return 0;
  if (result.trap) {
    std::fprintf(stderr, "%s: trap: %s\n", file.c_str(), result.trap->describe().c_str());
    return 1;
  }
  for (const Value& value : result.results) std::printf("%s\n", formatValue(value).c_str());
  return 0;
}

}  // namespace

int runLoaded(RunOptions& options, const LoadedModule& loaded);

int runWith(RunOptions& options);

int runCommand(const std::vector<std::string>& args) {
  RunOptions options;
  if (std::optional<int> exit = parseRunOptions(args, options)) return *exit;
  return runWith(options);
}

constexpr const char* kDebugUsage =
    "usage: weft debug [RUN OPTIONS] [--] FILE.wasm [ARGS...]\n"
    "  Runs FILE as weft run does (a WASI program's _start, or --invoke FUNC), in\n"
    "  debug code and under a gdb-like debugger that reads commands from stdin:\n"
    "  set breakpoints, then `run`; at a stop, step, look at the backtrace, the\n"
    "  locals, the operand stack, globals and memory (`help` lists the commands).\n"
    "  A trap stops at the trapping operator. The program's own stdin is the\n"
    "  debugger's: a program that reads it sees what the debugger did not read.\n"
    "  weft run --help lists the options.\n";

int debugCommand(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(kDebugUsage, stdout);
    return 0;
  }
  RunOptions options;
  if (std::optional<int> exit = parseRunOptions(args, options)) return *exit;
  if (options.config.specializeInstances) {
    std::fprintf(stderr, "weft debug: --specialize cannot be debugged (debug code is the baseline's)\n");
    return 2;
  }
  options.config.debugging = true;
  options.config.tier = Tier::Baseline;
  options.tierGiven = true;
  options.cacheDir.clear();  // debug code is never cached
  options.config.cacheDirectory.clear();
  // Unbuffered: what the debugger does not read stays for the program.
  std::setvbuf(stdin, nullptr, _IONBF, 0);
  options.debugger = std::make_shared<TerminalDebugger>(stdin, stdout);
  int exitCode = runWith(options);
  if (!options.debugger->quitRequested())
    options.debugger->programEnded("exited with code " + std::to_string(exitCode));
  return options.debugger->quitRequested() ? 0 : exitCode;
}

int runWith(RunOptions& options) {
  const std::string& file = options.file;
  if (file.size() > 4 && file.compare(file.size() - 4, 4, ".wat") == 0) {
    std::fprintf(stderr, "%s: error: weft reads the binary format; convert it first: wat2wasm %s -o %s.wasm\n",
                 file.c_str(), file.c_str(), file.substr(0, file.size() - 4).c_str());
    return 2;
  }
  std::optional<LoadedModule> loaded = loadModule(file, options.config, options.strategyGiven, options.tierGiven);
  if (!loaded) return 1;
  options.timings.loaded = Clock::now();
  int exitCode = runLoaded(options, *loaded);
  // A program that started threads ends with its main thread, as a native
  // process does: from here no other thread may end it or run on (they are
  // interrupted, and their ends wait), and the exit skips the process's
  // destructors, which running threads must not see.
  bool threaded = options.threads && options.threads->spawnedThreads() > 0;
  if (threaded) {
    if (!WasiThreads::claimProcessEnd())
      for (;;) pause();  // a thread's trap or proc_exit is ending it
    loaded->engine->interrupt();
  }
  options.timings.print();
  // With a cache directory, the tier-up's optimized code is worth keeping:
  // it is stored when the tier-up completes, so wait for that.
  if (!options.cacheDir.empty())
    if (std::shared_ptr<BackgroundCompile> tierUp = loaded->module->tierUp()) tierUp->wait();
  if (threaded) {
    std::fflush(nullptr);
    _exit(exitCode);
  }
  return exitCode;
}

int runLoaded(RunOptions& options, const LoadedModule& loaded) {
  const std::string& file = options.file;
  const std::shared_ptr<const Module>& module = loaded.module;
  const ModuleInfo& info = module->info();
  bool usesWasi = std::any_of(info.imports.begin(), info.imports.end(), [](const Import& import) {
    return import.module == "wasi_snapshot_preview1" || (import.module == "wasi" && import.name == "thread-spawn");
  });
  std::shared_ptr<WasiContext> context;
  std::vector<Extern> imports;
  if (!info.imports.empty() && !usesWasi) {
    std::fprintf(stderr, "%s: error: weft run provides only WASI (wasi_snapshot_preview1); the module imports %s\n",
                 file.c_str(), importList(info.imports).c_str());
    return 1;
  }
  bool reactor = usesWasi && exportsFunction(info, "_initialize");
  if (usesWasi) {
    bool exportsMemory = std::any_of(info.exports.begin(), info.exports.end(), [](const Export& e) {
      return e.kind == ExternKind::Memory && e.name == "memory";
    });
    if (!exportsMemory && info.numImportedMemories == 0) {
      std::fprintf(stderr,
                   "%s: error: a WASI program must export its linear memory as \"memory\" (or import it, as a "
                   "threaded one does); this one does neither\n",
                   file.c_str());
      return 1;
    }
    std::string program = file.substr(file.rfind('/') == std::string::npos ? 0 : file.rfind('/') + 1);
    options.wasi.args.push_back(program);
    if (options.invoke.empty()) options.wasi.args.insert(options.wasi.args.end(), options.rest.begin(), options.rest.end());
    Result<std::shared_ptr<WasiContext>> made = WasiContext::create(options.wasi);
    if (!made) {
      std::fprintf(stderr, "weft run: %s\n", made.error().message.c_str());
      return 1;
    }
    context = made.value();
    // Threads end the program as they end: a trap's message names the file
    // and the thread, as the main thread's does.
    options.threads = WasiThreads::create(module, context, options.threadsConfig, [file](const WasiThreadEnd& end) {
      WasiThreads::endProcess(end, [&] {
        if (!end.exitCode && end.trap)
          std::fprintf(stderr, "%s: trap in thread %u: %s\n", file.c_str(), end.tid, end.trap->describe().c_str());
      });
    });
    Result<std::vector<Extern>> provided = options.threads->imports();
    if (!provided) {
      std::fprintf(stderr, "%s: error: %s\n", file.c_str(), provided.error().message.c_str());
      return 1;
    }
    imports = std::move(provided.value());
  }
  // From here the guest runs (its start function first).
  std::unique_ptr<Watchdog> watchdog;
  if (options.timeout)
    watchdog = std::make_unique<Watchdog>(*loaded.engine, *options.timeout, [&] {
      std::fprintf(stderr,
                   "%s: trap: interrupted by --timeout %s, but the guest is blocked in a host call that has not "
                   "returned in %lld s more; exiting\n",
                   file.c_str(), options.timeoutText.c_str(), static_cast<long long>(Watchdog::kGrace.count()));
      std::fflush(nullptr);
      std::_Exit(134);
    });
  InstanceOptions instanceOptions;
  instanceOptions.debugHandler = options.debugger;
  // A start function runs as the instance is made: stop at its first
  // operator, since no breakpoint can be set before.
  instanceOptions.stopAtFirstOperator = options.debugger && info.startFunction.has_value();
  InstantiateOutcome outcome = Instance::create(module, imports, instanceOptions);
  options.timings.instantiated = Clock::now();
  if (outcome.error) {
    std::fprintf(stderr, "%s: error: %s\n", file.c_str(), outcome.error->message.c_str());
    return 1;
  }
  if (outcome.trap) {
    std::fprintf(stderr, "%s: trap during instantiation: %s\n", file.c_str(), outcome.trap->describe().c_str());
    return 1;
  }
  Instance& instance = *outcome.instance;
  struct FuelReport {  // however the run ends
    Timings& timings;
    Instance& instance;
    ~FuelReport() {
      if (timings.fuelGiven) timings.fuelLeft = instance.fuel();
    }
  } fuelReport{options.timings, instance};
  if (options.debugger && !options.debugger->beforeRun(instance)) return 0;
  if (reactor) {
    // The reactor ABI: _initialize runs the constructors (wasi-libc fills its
    // table of preopens there) once, before any other export.
    std::fflush(stdout);
    CallOutcome initialized = call(*instance.exportedFunction("_initialize"), {});
    if (context->exitCode()) return static_cast<int>(*context->exitCode() & 0xff);
    if (initialized.trap) {
      std::fprintf(stderr, "%s: trap in _initialize: %s\n", file.c_str(), initialized.trap->describe().c_str());
      return 134;
    }
  }
  if (!options.invoke.empty()) return invokeExport(file, instance, options.invoke, options.rest, context.get(),
                                                        options.debugger.get());
  if (usesWasi) {
    std::optional<Func> start = instance.exportedFunction("_start");
    if (!start) {
      if (reactor)
        std::fprintf(stderr, "%s: error: a WASI reactor (it exports _initialize, no _start): name the export to call "
                     "with --invoke\n", file.c_str());
      else
        std::fprintf(stderr, "%s: error: a WASI command exports _start; this one does not (use --invoke)\n",
                     file.c_str());
      return 2;
    }
    std::fflush(stdout);
    CallOutcome ran = call(*start, {});
    if (context->exitCode()) return static_cast<int>(*context->exitCode() & 0xff);
    if (options.debugger && options.debugger->quitRequested()) return 0;
    if (ran.trap) {
      std::fprintf(stderr, "%s: trap: %s\n", file.c_str(), ran.trap->describe().c_str());
      return 134;
    }
    return 0;
  }
  if (!options.rest.empty()) {
    std::fprintf(stderr, "weft run: arguments need --invoke FUNC\n");
    return 2;
  }
  return 0;
}

}  // namespace weft::cli
