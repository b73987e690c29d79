// `weft run`: compile a module with the baseline tier, instantiate it, and
// call one export with arguments from the command line. WASI programs (a
// `_start` with wasi_snapshot_preview1 imports) come with the WASI host.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <algorithm>

#include "cli/commands.h"
#include "runtime/code_cache.h"
#include "host/wasi/wasi.h"
#include "runtime/instance.h"

namespace weft::cli {
namespace {

constexpr const char* kRunUsage =
    "usage: weft run [--invoke FUNC] [--dir HOST[::GUEST]] [--env K=V] [--memory guard|bounds-checked]\n"
    "                [--tier baseline|optimizing] [--cache DIR] FILE.wasm|FILE.cwasm [ARGS...]\n"
    "  A WASI program (imports from wasi_snapshot_preview1) runs its _start with ARGS\n"
    "  as its arguments; it sees only the directories given with --dir (HOST, visible\n"
    "  as GUEST, by default the same path) and the variables given with --env; its\n"
    "  exit code is weft's. Otherwise:\n"
    "  Compiles FILE.wasm (or maps FILE.cwasm, made by weft compile), instantiates it\n"
    "  (running its start function) and, with --invoke, calls the export FUNC with ARGS\n"
    "  (decimal integers or floats, one per parameter) and prints its results, one per\n"
    "  line. A trap prints its kind and a wasm backtrace and exits 1.\n"
    "  --cache DIR keeps compiled code in DIR, keyed by the module's hash, the engine\n"
    "  build and the memory strategy, so the next run of the same module skips compiling.\n";

bool isCodeCacheFile(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kCodeCacheMagic, 8) == 0;
}

// Parses one command-line argument as a value of {type}.
std::optional<Value> parseArgument(const std::string& text, ValType type) {
  errno = 0;
  char* end = nullptr;
  switch (type) {
    case ValType::I32: {
      long long v = std::strtoll(text.c_str(), &end, 0);
      if (*end || errno || v < INT32_MIN || v > UINT32_MAX) return std::nullopt;
      return Value::i32(static_cast<uint32_t>(v));
    }
    case ValType::I64: {
      bool negative = !text.empty() && text[0] == '-';
      uint64_t v = negative ? static_cast<uint64_t>(std::strtoll(text.c_str(), &end, 0))
                            : std::strtoull(text.c_str(), &end, 0);
      if (*end || errno) return std::nullopt;
      return Value::i64(v);
    }
    case ValType::F32: {
      float v = std::strtof(text.c_str(), &end);
      if (*end) return std::nullopt;
      return Value::f32(v);
    }
    case ValType::F64: {
      double v = std::strtod(text.c_str(), &end);
      if (*end) return std::nullopt;
      return Value::f64(v);
    }
    default: return std::nullopt;
  }
}

std::string formatResult(const Value& value) {
  char text[64];
  switch (value.type) {
    case ValType::I32: std::snprintf(text, sizeof text, "%d", static_cast<int32_t>(value.asI32())); break;
    case ValType::I64: std::snprintf(text, sizeof text, "%lld", static_cast<long long>(value.asI64())); break;
    case ValType::F32: std::snprintf(text, sizeof text, "%.9g", static_cast<double>(value.asF32())); break;
    case ValType::F64: std::snprintf(text, sizeof text, "%.17g", value.asF64()); break;
    default: return value.describe();
  }
  return text;
}

}  // namespace

int runCommand(const std::vector<std::string>& args) {
  std::string invoke, file, cacheDir;
  bool strategyGiven = false;
  WasiConfig wasi;
  EngineConfig config;
  std::vector<std::string> rest;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    if (args[i] == "--invoke" && i + 1 < args.size()) {
      invoke = args[++i];
    } else if (args[i] == "--dir" && i + 1 < args.size()) {
      std::string spec = args[++i];
      size_t split = spec.find("::");
      wasi.preopens.push_back({spec.substr(0, split), split == std::string::npos ? spec : spec.substr(split + 2)});
    } else if (args[i] == "--env" && i + 1 < args.size()) {
      if (args[i + 1].find('=') == std::string::npos) {
        std::fprintf(stderr, "weft run: --env needs KEY=VALUE, got '%s'\n", args[i + 1].c_str());
        return 2;
      }
      wasi.env.push_back(args[++i]);
    } else if (args[i] == "--tier" && i + 1 < args.size()) {
      std::string tier = args[++i];
      if (tier == "baseline") config.tier = Tier::Baseline;
      else if (tier == "optimizing") config.tier = Tier::Optimizing;  // refused at compile time, with the reason
      else {
        std::fprintf(stderr, "weft run: --tier is baseline or optimizing, got '%s'\n", tier.c_str());
        return 2;
      }
    } else if (args[i] == "--cache" && i + 1 < args.size()) {
      cacheDir = args[++i];
    } else if (args[i] == "--memory" && i + 1 < args.size()) {
      strategyGiven = true;
      std::optional<MemoryStrategy> strategy = parseMemoryStrategy("run", args[++i]);
      if (!strategy) return 2;
      config.memoryStrategy = *strategy;
    } else if (args[i] == "--help" || args[i] == "-h") {
      std::fputs(kRunUsage, stdout);
      return 0;
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::fprintf(stderr, "weft run: unknown option %s\n%s", args[i].c_str(), kRunUsage);
      return 2;
    } else {
      break;
    }
  }
  if (i >= args.size()) {
    std::fputs(kRunUsage, stderr);
    return 2;
  }
  file = args[i++];
  rest.assign(args.begin() + static_cast<long>(i), args.end());
  if (file.size() > 4 && file.compare(file.size() - 4, 4, ".wat") == 0) {
    std::fprintf(stderr, "%s: error: weft reads the binary format; convert it first: wat2wasm %s -o %s.wasm\n",
                 file.c_str(), file.c_str(), file.substr(0, file.size() - 4).c_str());
    return 2;
  }
  auto bytes = readFile(file);
  if (!bytes) return 1;
  bool cacheFile = isCodeCacheFile(*bytes);
  if (cacheFile && !strategyGiven && bytes->size() >= sizeof(CodeCacheHeader)) {
    CodeCacheHeader header;
    std::memcpy(&header, bytes->data(), sizeof header);  // checked again by deserialize
    if (header.memoryStrategy <= static_cast<uint8_t>(MemoryStrategy::BoundsChecked))
      config.memoryStrategy = static_cast<MemoryStrategy>(header.memoryStrategy);
  }
  config.cacheDirectory = cacheDir;
  auto engine = std::make_shared<Engine>(config);
  Result<std::shared_ptr<const Module>> module =
      cacheFile ? Module::deserialize(engine, file) : Module::compile(engine, *bytes);
  if (!module) {
    std::fprintf(stderr, "%s:%s\n", file.c_str(), module.error().describe().c_str());
    return 1;
  }
  const ModuleInfo& info = module.value()->info();
  bool usesWasi = std::any_of(info.imports.begin(), info.imports.end(),
                              [](const Import& import) { return import.module == "wasi_snapshot_preview1"; });
  std::shared_ptr<WasiContext> context;
  std::vector<Extern> imports;
  if (!info.imports.empty()) {
    if (!usesWasi) {
      const Import& first = info.imports[0];
      std::fprintf(stderr, "%s: error: the module imports \"%s\" \"%s\" (and %zu more); weft run provides only WASI\n",
                   file.c_str(), first.module.c_str(), first.name.c_str(), info.imports.size() - 1);
      return 1;
    }
    std::string program = file.substr(file.rfind('/') == std::string::npos ? 0 : file.rfind('/') + 1);
    wasi.args.push_back(program);
    if (invoke.empty()) wasi.args.insert(wasi.args.end(), rest.begin(), rest.end());
    Result<std::shared_ptr<WasiContext>> made = WasiContext::create(wasi);
    if (!made) {
      std::fprintf(stderr, "weft run: %s\n", made.error().message.c_str());
      return 1;
    }
    context = made.value();
    Result<std::vector<Extern>> provided = context->imports(*engine, info);
    if (!provided) {
      std::fprintf(stderr, "%s: error: %s\n", file.c_str(), provided.error().message.c_str());
      return 1;
    }
    imports = std::move(provided.value());
  }
  InstantiateOutcome outcome = Instance::create(module.value(), imports);
  if (outcome.error) {
    std::fprintf(stderr, "%s: error: %s\n", file.c_str(), outcome.error->message.c_str());
    return 1;
  }
  if (outcome.trap) {
    std::fprintf(stderr, "%s: trap during instantiation: %s\n", file.c_str(), outcome.trap->describe().c_str());
    return 1;
  }
  if (invoke.empty() && usesWasi) {
    std::optional<Func> start = outcome.instance->exportedFunction("_start");
    if (!start) {
      std::fprintf(stderr, "%s: error: a WASI command exports _start; this module does not (use --invoke)\n",
                   file.c_str());
      return 1;
    }
    std::fflush(stdout);
    CallOutcome ran = call(*start, {});
    if (context->exitCode()) return static_cast<int>(*context->exitCode() & 0xff);
    if (ran.trap) {
      std::fprintf(stderr, "%s: trap: %s\n", file.c_str(), ran.trap->describe().c_str());
      return 134;
    }
    return 0;
  }
  if (invoke.empty()) {
    if (!rest.empty()) {
      std::fprintf(stderr, "weft run: arguments need --invoke FUNC\n");
      return 2;
    }
    return 0;
  }
  std::optional<Func> func = outcome.instance->exportedFunction(invoke);
  if (!func) {
    std::fprintf(stderr, "%s: error: no exported function \"%s\"\n", file.c_str(), invoke.c_str());
    return 1;
  }
  if (rest.size() != func->type.params.size()) {
    std::fprintf(stderr, "%s: error: \"%s\" takes %zu arguments, %zu given\n", file.c_str(), invoke.c_str(),
                 func->type.params.size(), rest.size());
    return 2;
  }
  std::vector<Value> values;
  for (size_t a = 0; a < rest.size(); ++a) {
    std::optional<Value> value = parseArgument(rest[a], func->type.params[a]);
    if (!value) {
      std::fprintf(stderr, "%s: error: argument %zu: '%s' is not a valid %s\n", file.c_str(), a + 1,
                   rest[a].c_str(), valTypeName(func->type.params[a]));
      return 2;
    }
    values.push_back(*value);
  }
  CallOutcome result = call(*func, values);
  if (result.trap) {
    std::fprintf(stderr, "%s: trap: %s\n", file.c_str(), result.trap->describe().c_str());
    return 1;
  }
  for (const Value& value : result.results) std::printf("%s\n", formatResult(value).c_str());
  return 0;
}

int compileCommand(const std::vector<std::string>& args) {
  std::string input, output;
  EngineConfig config;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) {
      output = args[++i];
    } else if (args[i] == "--memory" && i + 1 < args.size()) {
      std::optional<MemoryStrategy> strategy = parseMemoryStrategy("compile", args[++i]);
      if (!strategy) return 2;
      config.memoryStrategy = *strategy;
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::fprintf(stderr, "weft compile: unknown option %s\n", args[i].c_str());
      return 2;
    } else {
      input = args[i];
    }
  }
  if (input.empty() || output.empty()) {
    std::fputs("usage: weft compile [--memory guard|bounds-checked] FILE.wasm -o FILE.cwasm\n", stderr);
    return 2;
  }
  auto bytes = readFile(input);
  if (!bytes) return 1;
  auto engine = std::make_shared<Engine>(config);
  Result<std::shared_ptr<const Module>> module = Module::compile(engine, *bytes);
  if (!module) {
    std::fprintf(stderr, "%s:%s\n", input.c_str(), module.error().describe().c_str());
    return 1;
  }
  Status written = module.value()->serialize(output);
  if (!written) {
    std::fprintf(stderr, "weft compile: %s\n", written.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace weft::cli
