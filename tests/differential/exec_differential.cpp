// Differential execution: random valid modules (binaryen's generator, wasm-opt
// -ttf, from random bytes) run in Weft in both tiers and both memory
// strategies, and in binaryen's interpreter (wasm-opt --fuzz-exec-before), the
// reference. Every exported function is called in export order with zero
// arguments on one instance; what each call logs (the generator's
// "fuzzing-support" imports), returns or traps must agree; so must the
// memory and every mutable global at the end, read by exports the harness
// appends (withEndStateExports). Floats are compared as values
// (binaryen prints the shortest decimal); trap kinds exactly between Weft's
// runs, against binaryen's by their words where they are known (its messages
// are its own); a run that exhausts the stack in either engine is compared up
// to that call (their depth limits differ). NaNs: the generator's --denan
// turns each into 0 as it arises, so payloads (which the spec leaves open in
// most places) never need comparing; any left are compared as NaN or not.
// --denan cannot reach into vectors: a module whose vector float arithmetic
// can make a NaN may store its payload or read it as integers, so there a
// difference against binaryen is counted as inconclusive, not a finding. So
// is one between Weft's two tiers: LLVM's algebra may change a NaN's sign
// (x * -1 becomes -x; x - C becomes x + -C), which the spec allows. Runs of
// the same tier must still agree exactly.
//
// As a test:   weft_exec_differential [--wasm-opt PATH] [--keep DIR] SEED.bin|MODULE.wasm...
//              weft_exec_differential --seeds FIRST COUNT     (seed i: 8 KiB from a PRNG seeded by i)
// As a libFuzzer target (fuzz/, -DWEFT_LIBFUZZER): the input is the seed;
// a difference aborts, so libFuzzer keeps the input.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "format/module_decoder.h"
#include "validation/operator_iterator.h"
#include "runtime/instance.h"
#include "runtime/module.h"

namespace weft::differential {
namespace {

// The 2.0 features Weft and binaryen 108 agree on (not reference types:
// binaryen then emits typed-reference encodings outside WebAssembly 2.0).
const char* const kFeatures[] = {"--enable-simd",   "--enable-bulk-memory",         "--enable-sign-ext",
                                 "--enable-threads", "--enable-nontrapping-float-to-int", "--enable-multivalue",
                                 "--enable-mutable-globals"};

std::string gWasmOpt = "wasm-opt";

// Runs {argv}; its stdout and stderr together into {output}. Returns the exit
// status, or -1 if it could not run or ran past {limit} (then it is killed:
// binaryen's interpreter can spin on a module whose hang limit a reduction
// removed).
int runTool(const std::vector<std::string>& argv, std::string& output,
            std::chrono::seconds limit = std::chrono::seconds(120)) {
  int pipeEnds[2];
  if (pipe(pipeEnds) != 0) return -1;
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    dup2(pipeEnds[1], 1);
    dup2(pipeEnds[1], 2);
    close(pipeEnds[0]);
    close(pipeEnds[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipeEnds[1]);
  auto deadline = std::chrono::steady_clock::now() + limit;
  bool overran = false;
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd readable{pipeEnds[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&readable, 1, static_cast<int>(left.count())) == 0) {
      overran = true;
      kill(child, SIGKILL);
      break;
    }
    ssize_t got = read(pipeEnds[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    output.append(buffer, static_cast<size_t>(got));
  }
  close(pipeEnds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return !overran && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string temporaryPath(const char* suffix) {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("weft-exec-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + suffix))
      .string();
}

bool writeFile(const std::string& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return static_cast<bool>(out);
}

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) result.push_back(line);
  return result;
}

// ---- Weft's side, printed as binaryen prints ----

std::string formatFloat(double value) {
  if (std::isnan(value)) return "nan";
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string formatValue(const Value& value) {
  char text[96];
  switch (value.type) {
    case ValType::I32: return std::to_string(static_cast<int32_t>(value.asI32()));
    case ValType::I64: return std::to_string(static_cast<int64_t>(value.asI64()));
    case ValType::F32: return formatFloat(value.asF32());
    case ValType::F64: return formatFloat(value.asF64());
    case ValType::V128:
      std::snprintf(text, sizeof text, "i32x4 0x%08x 0x%08x 0x%08x 0x%08x", static_cast<uint32_t>(value.bits),
                    static_cast<uint32_t>(value.bits >> 32), static_cast<uint32_t>(value.high),
                    static_cast<uint32_t>(value.high >> 32));
      return text;
    default: return value.bits ? "ref" : "null";
  }
}

// The logging imports print as binaryen's do (an i64 as its two halves).
std::string formatLogged(const Value& value) {
  if (value.type == ValType::I64)
    return std::to_string(static_cast<int32_t>(value.asI64())) + " " +
           std::to_string(static_cast<int32_t>(value.asI64() >> 32));
  return formatValue(value);
}

Value zeroOf(ValType type) {
  Value value;
  value.type = type;
  return value;
}

struct Config {
  const char* name;
  MemoryStrategy strategy;
  Tier tier;
};
const Config kConfigs[] = {{"baseline guard", MemoryStrategy::Guard, Tier::Baseline},
                           {"baseline bounds-checked", MemoryStrategy::BoundsChecked, Tier::Baseline},
                           {"optimizing guard", MemoryStrategy::Guard, Tier::Optimizing},
                           {"optimizing bounds-checked", MemoryStrategy::BoundsChecked, Tier::Optimizing}};

// Stops a run that takes too long (a miscompiled loop that never ends) by
// interrupting its engine: the difference then shows as an "interrupted" trap.
class Deadline {
 public:
  Deadline(Engine& engine, std::chrono::seconds limit) : thread_([this, &engine, limit] {
      std::unique_lock guard(lock_);
      if (!wake_.wait_for(guard, limit, [this] { return done_; })) engine.interrupt();
    }) {}
  ~Deadline() {
    {
      std::lock_guard guard(lock_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex lock_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

// One run: the lines binaryen would print, then (Weft only) the end state.
struct Run {
  std::vector<std::string> events;
  std::vector<std::string> endState;
  std::string failure;  // compile or instantiate error: the module is valid, so a finding
};

Run runInWeft(const std::vector<uint8_t>& bytes, const Config& config) {
  Run run;
  EngineConfig engineConfig = EngineConfig::with(config.strategy, 1, config.tier);
  auto engine = std::make_shared<Engine>(engineConfig);
  Result<std::shared_ptr<const Module>> module = Module::compile(engine, bytes);
  if (!module) {
    run.failure = "compile: " + module.error().describe();
    return run;
  }
  const ModuleInfo& info = module.value()->info();
  std::vector<Extern> imports;
  for (const Import& import : info.imports) {
    if (import.kind != ExternKind::Func || import.module != "fuzzing-support") {
      run.failure = "unexpected import " + import.module + "." + import.name;
      return run;
    }
    FuncType type = info.functionType(import.index);
    imports.push_back(Extern::of(makeHostFunction(
        *engine, type, [&run](Caller&, std::span<const Value> args, std::span<Value>) {
          std::string line = "[LoggingExternalInterface logging";
          for (const Value& arg : args) line += " " + formatLogged(arg);
          run.events.push_back(line + "]");
          return HostOutcome::ok();
        })));
  }
  Deadline deadline(*engine, std::chrono::seconds(20));
  InstantiateOutcome instance = Instance::create(module.value(), imports);
  if (instance.error) {
    run.failure = "instantiate: " + instance.error->describe();
    return run;
  }
  if (instance.trap) {
    run.events.push_back("[trap " + instance.trap->message + "]");
    return run;
  }
  // As binaryen's runner: the generator's hang limit is reset before each
  // call (its loops and calls count down a global and return at zero).
  std::optional<Func> resetHangLimit = instance.instance->exportedFunction("hangLimitInitializer");
  for (const Export& exp : info.exports) {
    if (exp.kind != ExternKind::Func) continue;
    run.events.push_back("[fuzz-exec] calling " + exp.name);
    if (resetHangLimit) {
      CallOutcome reset = call(*resetHangLimit, {});
      if (!reset.ok()) {
        run.events.push_back("[trap in hangLimitInitializer " + (reset.trap ? reset.trap->message : "") + "]");
        break;
      }
    }
    const FuncType& type = info.functionType(exp.index);
    std::vector<Value> args;
    for (ValType param : type.params) args.push_back(zeroOf(param));
    CallOutcome outcome = call(*instance.instance->exportedFunction(exp.name), args);
    if (outcome.trap) {
      run.events.push_back("[trap " + outcome.trap->message + "]");
      if (outcome.trap->kind == TrapKind::StackExhausted || outcome.trap->kind == TrapKind::Interrupted) break;
      continue;
    }
    if (outcome.results.empty()) continue;
    std::string result;
    if (outcome.results.size() == 1) {
      result = formatValue(outcome.results[0]);
    } else {
      result = "(";
      for (size_t i = 0; i < outcome.results.size(); ++i) result += (i ? ", " : "") + formatValue(outcome.results[i]);
      result += ")";
    }
    run.events.push_back("[fuzz-exec] note result: " + exp.name + " => " + result);
  }
  // The end state, between Weft's runs: memory bytes and every global.
  for (const Export& exp : info.exports) {
    std::optional<Extern> value = instance.instance->exportByName(exp.name);
    if (value && value->kind == ExternKind::Memory) {
      std::span<const uint8_t> memory(value->memory->data(), value->memory->byteLength());
      uint64_t hash = 1469598103934665603ull;
      for (uint8_t byte : memory) hash = (hash ^ byte) * 1099511628211ull;
      run.endState.push_back("memory " + exp.name + " " + std::to_string(memory.size()) + " bytes, hash " +
                             std::to_string(hash));
    } else if (value && value->kind == ExternKind::Global) {
      run.endState.push_back("global " + exp.name + " " + formatValue(value->global->get()));
    }
  }
  return run;
}

// ---- comparison ----

// A line with its numbers as values: binaryen prints floats as their
// shortest decimal, Weft with 17 digits; "1.e+300" and "1e+300" are one value.
struct Token {
  bool number = false;
  double value = 0;
  std::string text;
};

std::vector<Token> tokens(const std::string& line) {
  std::string spaced = line;
  for (char& c : spaced)
    if (c == '(' || c == ')' || c == ',' || c == '[' || c == ']') c = ' ';
  std::vector<Token> result;
  std::istringstream in(spaced);
  for (std::string word; in >> word;) {
    Token token;
    token.text = word;
    if (word.rfind("nan", 0) == 0 || word.rfind("-nan", 0) == 0) {
      token.number = true;
      token.value = NAN;
    } else if (word.rfind("0x", 0) != 0) {
      char* end = nullptr;
      double value = std::strtod(word.c_str(), &end);
      if (end && *end == '\0' && end != word.c_str()) {
        token.number = true;
        token.value = value;
      }
    }
    result.push_back(token);
  }
  return result;
}

// The kind of a trap as either engine words it ("[trap i32.div_u by 0]",
// "[trap integer divide by zero]"); empty when the wording is not known, and
// then any trap matches.
std::string trapKindOf(const std::string& line) {
  auto has = [&](const char* word) { return line.find(word) != std::string::npos; };
  if (has("unreachable")) return "unreachable";
  if (has("by 0") || has("divide by zero")) return "divide by zero";
  if (has("callTable") || has("undefined element") || has("uninitialized")) return "table element";
  if (has("signature") || has("type mismatch") || has("bad type")) return "indirect call type";
  if (has("nan") || has("invalid conversion")) return "conversion";
  if (has("overflow")) return "overflow";  // integer overflow, truncation overflow
  if (has("unaligned")) return "unaligned atomic";
  if (has("memory")) return "memory";
  if (has("table")) return "table";
  return "";
}

bool isF32NaN(uint32_t bits) { return (bits & 0x7f800000u) == 0x7f800000u && (bits & 0x7fffffu) != 0; }
bool isF64NaN(uint64_t bits) {
  return (bits & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (bits & 0xfffffffffffffull) != 0;
}

// The lanes of a v128 printed as "i32x4 0x.. 0x.. 0x.. 0x.." starting at
// token {at}: equal, or NaNs in both (as f32 lanes, or as f64 lanes): an
// operation with a non-canonical NaN operand may give any arithmetic NaN, and
// engines do differ there (binaryen canonicalizes, x86 keeps the payload).
bool sameLanes(const std::vector<Token>& x, const std::vector<Token>& y, size_t at) {
  uint32_t a[4], b[4];
  for (size_t lane = 0; lane < 4; ++lane) {
    a[lane] = static_cast<uint32_t>(std::strtoul(x[at + lane].text.c_str(), nullptr, 16));
    b[lane] = static_cast<uint32_t>(std::strtoul(y[at + lane].text.c_str(), nullptr, 16));
  }
  for (size_t half = 0; half < 2; ++half) {
    uint64_t wideA = (uint64_t{a[2 * half + 1]} << 32) | a[2 * half];
    uint64_t wideB = (uint64_t{b[2 * half + 1]} << 32) | b[2 * half];
    bool bothF64NaN = isF64NaN(wideA) && isF64NaN(wideB);
    for (size_t lane = 2 * half; lane < 2 * half + 2; ++lane)
      if (a[lane] != b[lane] && !bothF64NaN && !(isF32NaN(a[lane]) && isF32NaN(b[lane]))) return false;
  }
  return true;
}

// {exactTraps}: between Weft's runs, which word traps alike.
bool sameLine(const std::string& a, const std::string& b, bool exactTraps) {
  if (a.rfind("[trap", 0) == 0 && b.rfind("[trap", 0) == 0) {
    if (exactTraps) return a == b;
    std::string x = trapKindOf(a), y = trapKindOf(b);
    // An atomic access both misaligned and out of bounds: the threads spec
    // checks the alignment first (as Weft does), binaryen the bounds.
    if ((x == "unaligned atomic" && y == "memory") || (x == "memory" && y == "unaligned atomic")) return true;
    return x.empty() || y.empty() || x == y;
  }
  std::vector<Token> x = tokens(a), y = tokens(b);
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].text == "i32x4" && y[i].text == "i32x4" && i + 4 < x.size()) {
      if (!sameLanes(x, y, i + 1)) return false;
      i += 4;
      continue;
    }
    if (x[i].number != y[i].number) return false;
    if (!x[i].number) {
      if (x[i].text != y[i].text) return false;
    } else if (std::isnan(x[i].value) || std::isnan(y[i].value)) {
      if (std::isnan(x[i].value) != std::isnan(y[i].value)) return false;
    } else if (x[i].value != y[i].value || std::signbit(x[i].value) != std::signbit(y[i].value)) {
      return false;
    }
  }
  return true;
}

bool isStackTrap(const std::string& line) {
  return line.rfind("[trap", 0) == 0 &&
         (line.find("stack") != std::string::npos || line.find("call stack exhausted") != std::string::npos);
}

// The reference's events: its output but the lines that are not events.
std::vector<std::string> referenceEvents(const std::string& output) {
  std::vector<std::string> events;
  for (const std::string& line : lines(output))
    if (line.rfind("[fuzz-exec] calling", 0) == 0 || line.rfind("[fuzz-exec] note result", 0) == 0 ||
        line.rfind("[LoggingExternalInterface", 0) == 0 || line.rfind("[trap", 0) == 0)
      events.push_back(line);
  return events;
}

// Compares event lists up to a stack-exhaustion trap in either. Empty: equal.
std::string difference(const std::vector<std::string>& expected, const std::vector<std::string>& actual,
                       bool exactTraps) {
  size_t i = 0;
  for (; i < expected.size() && i < actual.size(); ++i) {
    if (isStackTrap(expected[i]) || isStackTrap(actual[i])) return "";
    bool same = sameLine(expected[i], actual[i], exactTraps);
    if (!same) return "event " + std::to_string(i) + ": expected \"" + expected[i] + "\", got \"" + actual[i] + "\"";
  }
  if (expected.size() != actual.size()) {
    const std::string& extra = i < expected.size() ? expected[i] : actual[i];
    if (isStackTrap(extra)) return "";
    return "event " + std::to_string(i) + ": one side ends, the other has \"" + extra + "\"";
  }
  return "";
}

struct Outcome {
  bool generated = false;  // binaryen made a module of the seed
  uint32_t calls = 0;
  std::string finding;       // empty: everyone agreed
  std::string inconclusive;  // a difference that vector NaN payloads may explain
};

// Whether some vector float operation of the module can make a NaN, whose
// payload the spec leaves open (neg, abs, copysign-like pmin/pmax and the
// lane moves only pass NaNs through, bit for bit).
bool makesVectorNaNs(const std::vector<uint8_t>& wasm) {
  Result<ModuleInfo> info = decodeModule(wasm);
  if (!info) return false;
  ValidatorScratch scratch;
  const ModuleInfo& module = info.value();
  for (uint32_t f = module.numImportedFunctions; f < module.functions.size(); ++f) {
    OperatorIterator it(module, wasm, f, scratch);
    if (!it.readLocals()) return false;
    for (Operator op; it.next(op);) {
      switch (op.opcode) {
        case Opcode::F32x4Add: case Opcode::F32x4Sub: case Opcode::F32x4Mul: case Opcode::F32x4Div:
        case Opcode::F32x4Sqrt: case Opcode::F32x4Min: case Opcode::F32x4Max: case Opcode::F32x4Ceil:
        case Opcode::F32x4Floor: case Opcode::F32x4Trunc: case Opcode::F32x4Nearest:
        case Opcode::F64x2Add: case Opcode::F64x2Sub: case Opcode::F64x2Mul: case Opcode::F64x2Div:
        case Opcode::F64x2Sqrt: case Opcode::F64x2Min: case Opcode::F64x2Max: case Opcode::F64x2Ceil:
        case Opcode::F64x2Floor: case Opcode::F64x2Trunc: case Opcode::F64x2Nearest:
        case Opcode::F32x4DemoteF64x2Zero: case Opcode::F64x2PromoteLowF32x4:
          return true;
        default: break;
      }
    }
  }
  return false;
}

Outcome checkModule(const std::vector<uint8_t>& wasm, const std::string& wasmPath) {
  Outcome outcome;
  outcome.generated = true;
  std::vector<std::string> args{gWasmOpt, wasmPath};
  for (const char* f : kFeatures) args.push_back(f);
  args.push_back("--fuzz-exec-before");
  args.push_back("-q");
  std::string reference;
  if (runTool(args, reference) != 0) {
    outcome.generated = false;  // binaryen cannot run it (its own limits): nothing to compare
    return outcome;
  }
  std::vector<std::string> expected = referenceEvents(reference);
  Run first;
  for (const Config& config : kConfigs) {
    Run run = runInWeft(wasm, config);
    if (!run.failure.empty()) {
      outcome.finding = std::string(config.name) + ": " + run.failure;
      return outcome;
    }
    if (&config == &kConfigs[0]) {
      if (std::getenv("WEFT_EXEC_VERBOSE")) {  // both sides, to see a finding whole
        for (const std::string& event : expected) std::printf("binaryen: %s\n", event.c_str());
        for (const std::string& event : run.events) std::printf("weft:     %s\n", event.c_str());
      }
      for (const std::string& event : run.events) outcome.calls += event.rfind("[fuzz-exec] calling", 0) == 0;
      if (std::string d = difference(expected, run.events, false); !d.empty()) {
        std::string what = std::string(config.name) + " against binaryen's interpreter: " + d;
        if (!makesVectorNaNs(wasm)) {
          outcome.finding = what;
          return outcome;
        }
        outcome.inconclusive = what;
      }
      first = std::move(run);
      continue;
    }
    std::string d = difference(first.events, run.events, true);
    bool stackTrapped = false;
    for (const std::string& event : first.events) stackTrapped |= isStackTrap(event);
    if (d.empty() && !stackTrapped && first.endState != run.endState) {
      d = "end state differs";
      for (size_t i = 0; i < first.endState.size() && i < run.endState.size(); ++i)
        if (first.endState[i] != run.endState[i]) {
          d = "end state \"" + first.endState[i] + "\" vs \"" + run.endState[i] + "\"";
          break;
        }
    }
    if (d.empty()) continue;
    std::string what = std::string(config.name) + " against " + kConfigs[0].name + ": " + d;
    if (config.tier != kConfigs[0].tier && makesVectorNaNs(wasm)) {
      if (outcome.inconclusive.empty()) outcome.inconclusive = what;
      continue;
    }
    outcome.finding = what;
    return outcome;
  }
  return outcome;
}

// wasm-dis and wasm-as, beside the wasm-opt in use.
std::string binaryenTool(const char* name) {
  std::filesystem::path wasmOpt(gWasmOpt);
  return wasmOpt.has_parent_path() ? (wasmOpt.parent_path() / name).string() : name;
}

// Exports that read the end state, appended after the generator's, so
// binaryen's runner and Weft's call them last: "hashMemory_at_end" (the
// generator's hashMemory, which its own export calls before anything ran) and
// "<global>_at_end", a getter of each mutable global. Written into binaryen's
// text of the module and assembled again. Empty if binaryen cannot.
std::vector<uint8_t> withEndStateExports(const std::vector<uint8_t>& wasm) {
  std::string wasmPath = temporaryPath(".wasm"), watPath = temporaryPath(".wat"), outPath = temporaryPath(".wasm");
  std::vector<uint8_t> out;
  std::string text, log;
  if (writeFile(wasmPath, wasm.data(), wasm.size()) &&
      runTool({binaryenTool("wasm-dis"), wasmPath, "-o", watPath}, log) == 0) {
    std::ifstream in(watPath);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  size_t moduleEnd = text.rfind(')');
  if (moduleEnd != std::string::npos) {
    std::string added;
    static const std::regex hashExport(R"(\(export "hashMemory" \(func \$(\S+)\)\))");
    if (std::smatch hash; std::regex_search(text, hash, hashExport))
      added += " (export \"hashMemory_at_end\" (func $" + hash[1].str() + "))\n";
    static const std::regex mutableGlobal(R"(\n \(global \$(\S+) \(mut (i32|i64|f32|f64|v128)\))");
    uint32_t count = 0;
    for (auto at = std::sregex_iterator(text.begin(), text.end(), mutableGlobal); at != std::sregex_iterator(); ++at) {
      std::string name = (*at)[1], type = (*at)[2], getter = "$weft_end_getter_" + std::to_string(count++);
      added += " (func " + getter + " (result " + type + ") (global.get $" + name + "))\n";
      added += " (export \"" + name + "_at_end\" (func " + getter + "))\n";
    }
    text.insert(moduleEnd, added);
    std::vector<std::string> assemble{binaryenTool("wasm-as"), watPath, "-o", outPath};
    for (const char* f : kFeatures) assemble.push_back(f);
    std::ofstream(watPath) << text;
    if (runTool(assemble, log) == 0) out = readFile(outPath);
  }
  for (const std::string& path : {wasmPath, watPath, outPath}) std::filesystem::remove(path);
  return out;
}

// A seed becomes a module through binaryen's generator.
Outcome checkSeed(const uint8_t* data, size_t size, std::vector<uint8_t>& wasm) {
  std::string seedPath = temporaryPath(".seed"), wasmPath = temporaryPath(".wasm");
  Outcome outcome;
  if (writeFile(seedPath, data, size)) {
    // --denan: NaNs become 0 as they arise, so NaN payloads (which the spec
    // leaves open) never reach a comparison.
    std::vector<std::string> args{gWasmOpt, "-ttf", seedPath, "-o", wasmPath, "--denan"};
    for (const char* f : kFeatures) args.push_back(f);
    std::string output;
    if (runTool(args, output) == 0) {
      wasm = withEndStateExports(readFile(wasmPath));
      if (wasm.empty()) {
        outcome.generated = true;
        outcome.finding = "binaryen cannot add the end state's exports to its own module (wasm-dis, wasm-as)";
      } else {
        writeFile(wasmPath, wasm.data(), wasm.size());
        outcome = checkModule(wasm, wasmPath);
      }
    }
  }
  std::filesystem::remove(seedPath);
  std::filesystem::remove(wasmPath);
  return outcome;
}

}  // namespace
}  // namespace weft::differential

#ifdef WEFT_LIBFUZZER
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> wasm;
  weft::differential::Outcome outcome = weft::differential::checkSeed(data, size, wasm);
  if (!outcome.finding.empty()) {
    std::fprintf(stderr, "DIFFERENCE: %s\n", outcome.finding.c_str());
    std::abort();
  }
  return 0;
}
#else
int main(int argc, char** argv) {
  using namespace weft::differential;
  std::vector<std::string> inputs;
  std::string keep;
  uint64_t firstSeed = 0, seeds = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--wasm-opt" && i + 1 < argc) gWasmOpt = argv[++i];
    else if (arg == "--keep" && i + 1 < argc) keep = argv[++i];
    else if (arg == "--seeds" && i + 2 < argc) {
      firstSeed = std::strtoull(argv[++i], nullptr, 10);
      seeds = std::strtoull(argv[++i], nullptr, 10);
    } else inputs.push_back(arg);
  }
  std::string version;
  if (runTool({gWasmOpt, "--version"}, version) != 0) {
    std::fprintf(stderr, "FAIL: %s not found (apt-get install binaryen)\n", gWasmOpt.c_str());
    return 1;
  }
  uint32_t modules = 0, calls = 0, findings = 0, inconclusive = 0;
  auto report = [&](const std::string& name, const Outcome& outcome, const std::vector<uint8_t>& wasm) {
    if (!outcome.generated) return;
    ++modules;
    calls += outcome.calls;
    if (!outcome.inconclusive.empty()) {
      ++inconclusive;
      std::printf("inconclusive (vector NaNs): %s: %s\n", name.c_str(), outcome.inconclusive.c_str());
    }
    if (outcome.finding.empty()) return;
    ++findings;
    std::printf("FINDING: %s: %s\n", name.c_str(), outcome.finding.c_str());
    if (!keep.empty() && !wasm.empty()) {
      std::filesystem::create_directories(keep);
      std::string path = keep + "/" + std::filesystem::path(name).filename().string() + ".wasm";
      writeFile(path, wasm.data(), wasm.size());
      std::printf("  module kept as %s\n", path.c_str());
    }
  };
  for (uint64_t s = firstSeed; s < firstSeed + seeds; ++s) {
    std::mt19937_64 random(s);
    std::vector<uint8_t> seed(8192);
    for (uint8_t& byte : seed) byte = static_cast<uint8_t>(random());
    std::vector<uint8_t> wasm;
    report("seed-" + std::to_string(s), checkSeed(seed.data(), seed.size(), wasm), wasm);
  }
  for (const std::string& input : inputs) {
    std::vector<uint8_t> bytes = readFile(input);
    std::vector<uint8_t> wasm;
    if (input.size() > 5 && input.compare(input.size() - 5, 5, ".wasm") == 0)
      report(input, checkModule(bytes, input), bytes);
    else
      report(input, checkSeed(bytes.data(), bytes.size(), wasm), wasm);
  }
  std::printf("differential execution: %u modules, %u export calls, %u findings, %u inconclusive (vector NaNs)\n",
              modules, calls, findings, inconclusive);
  if (modules == 0) {
    std::printf("FAIL: no module was generated (is %s binaryen's?)\n", gWasmOpt.c_str());
    return 1;
  }
  return findings == 0 ? 0 : 1;
}
#endif
