#include "wast/wast_runner.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "runtime/debugger.h"
#include "runtime/extern_type.h"
#include "runtime/instance.h"
#include "validation/validator.h"
#include "wast/process.h"

namespace weft {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using ExportTypes = std::map<std::string, ExternType, std::less<>>;

FuncType funcType(std::vector<ValType> params) { return FuncType{std::move(params), {}}; }

// The host module every spec script may import from (see the spec
// interpreter's "spectest" module).
ExportTypes spectestExports() {
  ExportTypes exports;
  auto func = [&](const char* name, std::vector<ValType> params) {
    ExternType type;
    type.kind = ExternKind::Func;
    type.func = funcType(std::move(params));
    exports[name] = type;
  };
  auto global = [&](const char* name, ValType valType) {
    ExternType type;
    type.kind = ExternKind::Global;
    type.global = {valType, false};
    exports[name] = type;
  };
  func("print", {});
  func("print_i32", {ValType::I32});
  func("print_i64", {ValType::I64});
  func("print_f32", {ValType::F32});
  func("print_f64", {ValType::F64});
  func("print_i32_f32", {ValType::I32, ValType::F32});
  func("print_f64_f64", {ValType::F64, ValType::F64});
  global("global_i32", ValType::I32);
  global("global_i64", ValType::I64);
  global("global_f32", ValType::F32);
  global("global_f64", ValType::F64);
  ExternType table;
  table.kind = ExternKind::Table;
  table.table = {ValType::FuncRef, {10, 20, false}};
  exports["table"] = table;
  ExternType memory;
  memory.kind = ExternKind::Memory;
  memory.memory = {{1, 2, false}};
  exports["memory"] = memory;
  ExternType shared = memory;
  shared.memory = {{1, 2, true}};
  exports["shared_memory"] = shared;
  return exports;
}

// The spectest host module, as real objects the scripts' modules link to.
std::map<std::string, Extern, std::less<>> spectestInstance(Engine& engine) {
  std::map<std::string, Extern, std::less<>> exports;
  auto ignore = [](Caller&, std::span<const Value>, std::span<Value>) { return HostOutcome::ok(); };
  for (auto& [name, type] : spectestExports()) {
    switch (type.kind) {
      case ExternKind::Func: exports[name] = Extern::of(makeHostFunction(engine, type.func, ignore)); break;
      case ExternKind::Global: {
        Value init;
        switch (type.global.type) {
          case ValType::I32: init = Value::i32(666); break;
          case ValType::I64: init = Value::i64(666); break;
          case ValType::F32: init = Value::f32(666.6f); break;
          default: init = Value::f64(666.6); break;
        }
        exports[name] = Extern::of(Global::create(type.global, init));
        break;
      }
      case ExternKind::Table: {
        Result<std::shared_ptr<Table>> table = Table::create(type.table);
        if (table) exports[name] = Extern::of(table.value());
        break;
      }
      case ExternKind::Memory: {
        Result<std::shared_ptr<LinearMemory>> memory =
            LinearMemory::create(type.memory, engine.config().memoryStrategy);
        if (memory) exports[name] = Extern::of(memory.value());
        break;
      }
    }
  }
  return exports;
}

// --debug's handler: stops at every operator, checks that the stop names a
// place in the stopped function and that its frame can be read, and steps on.
class StepEverywhere final : public DebugHandler {
 public:
  ResumeMode onStop(DebugStop& stop) override {
    ++stops_;
    check(stop);
    return ResumeMode::StepInto;
  }
  // The first thing found wrong since the last call, if any.
  std::optional<std::string> takeViolation() { return std::exchange(violation_, std::nullopt); }

 private:
  void fail(std::string why) {
    if (!violation_) violation_ = "stop " + std::to_string(stops_) + ": " + std::move(why);
  }
  void check(DebugStop& stop) {
    const DebugFrame* top = stop.frame(0);
    if (!top) return fail("a stop without a frame");
    if (top->instance != &stop.instance()) return fail("the innermost frame is another instance's");
    const ModuleInfo& info = stop.instance().module().info();
    if (top->functionIndex < info.numImportedFunctions || top->functionIndex >= info.functions.size())
      return fail("a stop in no defined function");
    const auto& body = info.functions[top->functionIndex].body;
    if (top->bytecodeOffset < body.offset || top->bytecodeOffset - body.offset >= body.size)
      return fail("a stop at offset " + std::to_string(top->bytecodeOffset) + ", outside function " +
                  std::to_string(top->functionIndex));
    if (stop.reason() == StopReason::Trap) {
      const Trap* trap = stop.trap();
      if (!trap || trap->backtrace.empty() || trap->backtrace.front().functionIndex != top->functionIndex ||
          trap->backtrace.front().bytecodeOffset != top->bytecodeOffset)
        return fail("a trap stop elsewhere than the trap");
      if (trap->kind == TrapKind::StackExhausted) return;
    } else if (stop.reason() != StopReason::Step) {
      return fail(std::string("a stop for a ") + stopReasonName(stop.reason()) + " nobody set");
    }
    std::optional<std::vector<Value>> locals = stop.locals(0);
    const FuncType& type = info.functionType(top->functionIndex);
    if (!locals) return fail("the innermost frame's locals cannot be read");
    if (locals->size() < type.params.size()) return fail("fewer locals than parameters");
    for (size_t i = 0; i < type.params.size(); ++i)
      if ((*locals)[i].type != type.params[i]) return fail("parameter " + std::to_string(i) + " has the wrong type");
    if (!stop.operandStack(0)) return fail("the innermost frame's operand stack cannot be read");
    // Now and then the callers too (not every frame of a deep recursion:
    // that walk would cost as much as the recursion each time).
    if (stops_ % 1024 == 0) {
      for (size_t i = 0; i < 64; ++i) {
        const DebugFrame* frame = stop.frame(i);
        if (!frame) break;
        if (!frame->instance) return fail("frame " + std::to_string(i) + " has no instance");
        if (frame->inspectable && (!stop.locals(i) || !stop.operandStack(i)))
          return fail("frame " + std::to_string(i) + " cannot be read");
      }
    }
  }

  uint64_t stops_ = 0;
  std::optional<std::string> violation_;
};

// Why a command could not be carried out yet (a feature Weft lacks), or empty.
using Pending = std::optional<std::string>;

class WastRunner {
 public:
  WastRunner(const std::string& path, const WastOptions& options, std::ostream& out)
      : path_(path), options_(options), out_(out) {
    EngineConfig config;
    config.memoryStrategy = options.memoryStrategy;
    config.tier = options.tier;
    config.specializeInstances = options.specialize;
    config.consumeFuel = options.countFuel;
    config.debugging = options.debug;
    if (options.debug) stepper_ = std::make_shared<StepEverywhere>();
    config.initialFuel = UINT64_MAX;
    config.compileThreads = 1;
    engine_ = std::make_shared<Engine>(config);
    spectest_ = spectestInstance(*engine_);
  }

  WastCounts run() {
    if (!programExists(options_.wast2json)) {
      out_ << path_ << ": error: '" << options_.wast2json
           << "' was not found; install Debian's wabt package (apt-get install wabt)\n";
      counts_.failed++;
      return counts_;
    }
    std::string tempTemplate = (fs::temp_directory_path() / "weft-wast-XXXXXX").string();
    if (!mkdtemp(tempTemplate.data())) {
      out_ << path_ << ": error: cannot create a temporary directory\n";
      counts_.failed++;
      return counts_;
    }
    dir_ = tempTemplate;
    runConverted();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    return counts_;
  }

 private:
  // A module as the script knows it: its instance, or why it has none.
  struct ScriptModule {
    std::shared_ptr<Instance> instance;
    Pending pending;
  };

  void runConverted() {
    fs::path jsonPath = dir_ / (fs::path(path_).stem().string() + ".json");
    std::vector<std::string> argv = {options_.wast2json};
    argv.insert(argv.end(), options_.wast2jsonFlags.begin(), options_.wast2jsonFlags.end());
    argv.push_back(path_);
    argv.push_back("-o");
    argv.push_back(jsonPath.string());
    ProcessResult converted = runProcess(argv);
    if (!converted.started || converted.exitCode != 0) {
      out_ << path_ << ": error: wast2json could not convert the script:\n" << converted.output;
      counts_.failed++;
      return;
    }
    std::ifstream in(jsonPath);
    json script = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (script.is_discarded() || !script.contains("commands")) {
      out_ << path_ << ": error: wast2json wrote unreadable JSON\n";
      counts_.failed++;
      return;
    }
    for (const json& command : script["commands"]) {
      runCommand(command);
      if (stepper_)
        if (std::optional<std::string> violation = stepper_->takeViolation()) failCommand(command, "debugger: " + *violation);
    }
  }

  void pass(const json& command) {
    counts_.passed++;
    if (options_.verbose) out_ << where(command) << ": ok\n";
  }
  void failCommand(const json& command, const std::string& why) {
    uint32_t line = command.value("line", 0u);
    for (uint32_t superseded : options_.supersededLines) {
      if (superseded == line) {
        counts_.skipped++;
        out_ << where(command) << ": superseded " << command.value("type", "") << ": " << why << "\n";
        return;
      }
    }
    counts_.failed++;
    out_ << where(command) << ": FAIL " << command.value("type", "") << ": " << why << "\n";
  }
  void pending(const json& command, const std::string& why) {
    counts_.pending++;
    if (options_.verbose) out_ << where(command) << ": pending (" << why << ")\n";
  }
  std::string where(const json& command) const {
    return path_ + ":" + std::to_string(command.value("line", 0));
  }

  std::optional<std::vector<uint8_t>> readModule(const json& command) {
    std::ifstream in(dir_ / command.value("filename", ""), std::ios::binary);
    if (!in) return std::nullopt;
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::optional<Extern> lookupExport(const std::string& module, const std::string& name) {
    if (module == "spectest") {
      auto found = spectest_.find(name);
      if (found == spectest_.end()) return std::nullopt;
      return found->second;
    }
    auto registered = registry_.find(module);
    if (registered == registry_.end() || !registered->second.instance) return std::nullopt;
    return registered->second.instance->exportByName(name);
  }

  // Resolves imports against registered modules. Pending when a provider
  // could not be instantiated for lack of a feature.
  Result<std::vector<Extern>> resolveImports(const ModuleInfo& info, Pending& pendingWhy) {
    std::vector<Extern> imports;
    for (const Import& import : info.imports) {
      auto registered = registry_.find(import.module);
      if (registered != registry_.end() && registered->second.pending) {
        pendingWhy = registered->second.pending;
        return Error{};
      }
      std::optional<Extern> provided = lookupExport(import.module, import.name);
      if (!provided) {
        Error error;
        error.kind = ErrorKind::Invalid;
        error.message = "unknown import \"" + import.module + "\" \"" + import.name + "\"";
        return error;
      }
      imports.push_back(*provided);
    }
    return imports;
  }

  struct Instantiation {
    ScriptModule module;
    std::optional<Error> error;  // compile or link error
    std::optional<Trap> trap;
  };

  Instantiation instantiate(const std::vector<uint8_t>& bytes) {
    Instantiation result;
    Result<std::shared_ptr<const Module>> compiled = Module::compile(engine_, bytes);
    if (!compiled) {
      if (compiled.error().kind == ErrorKind::Unsupported) {
        // It must still be a valid module; execution waits for the feature.
        Result<ModuleInfo> valid = decodeAndValidate(bytes);
        if (!valid) {
          result.error = valid.error();
          return result;
        }
        result.module.pending = compiled.error().message;
        return result;
      }
      result.error = compiled.error();
      return result;
    }
    Pending pendingWhy;
    Result<std::vector<Extern>> imports = resolveImports(compiled.value()->info(), pendingWhy);
    if (pendingWhy) {
      result.module.pending = "imports from a module that is pending: " + *pendingWhy;
      return result;
    }
    if (!imports) {
      result.error = imports.error();
      return result;
    }
    InstanceOptions instanceOptions;
    instanceOptions.debugHandler = stepper_;
    instanceOptions.stopAtFirstOperator = stepper_ != nullptr;
    InstantiateOutcome outcome = Instance::create(compiled.value(), imports.value(), instanceOptions);
    if (outcome.instance) keepAlive_.push_back(outcome.instance);
    if (outcome.error) result.error = outcome.error;
    if (outcome.trap) result.trap = outcome.trap;
    result.module.instance = outcome.instance;
    return result;
  }

  ScriptModule* moduleFor(const json& action) {
    if (action.contains("module")) {
      auto found = named_.find(action["module"].get<std::string>());
      return found == named_.end() ? nullptr : &found->second;
    }
    return haveLast_ ? &last_ : nullptr;
  }

  // ---- values ----
  static std::optional<ValType> parseType(const std::string& type) {
    if (type == "i32") return ValType::I32;
    if (type == "i64") return ValType::I64;
    if (type == "f32") return ValType::F32;
    if (type == "f64") return ValType::F64;
    if (type == "funcref") return ValType::FuncRef;
    if (type == "externref") return ValType::ExternRef;
    return std::nullopt;
  }
  static uint64_t parseBits(const json& value) {
    if (value.is_string()) return std::stoull(value.get<std::string>());
    return value.get<uint64_t>();
  }
  static uint32_t laneBytes(const std::string& laneType) {
    if (laneType == "i8") return 1;
    if (laneType == "i16") return 2;
    if (laneType == "i32" || laneType == "f32") return 4;
    return 8;  // i64, f64
  }
  // A v128 written as lanes: {"lane_type": "i16", "value": ["1", ...]}.
  static Value parseV128(const json& value, const std::string& laneType) {
    uint8_t bytes[16] = {};
    uint32_t size = laneBytes(laneType);
    for (size_t i = 0; i < value.size() && i * size < 16; ++i) {
      uint64_t bits = parseBits(value[i]);
      std::memcpy(bytes + i * size, &bits, size);
    }
    Value v = Value::v128(0, 0);
    std::memcpy(&v.bits, bytes, 8);
    std::memcpy(&v.high, bytes + 8, 8);
    return v;
  }

  // Script externrefs are small integers; Weft's null is 0, so N maps to N+1.
  Result<Value> parseArg(const json& arg) {
    if (arg.value("type", "") == "v128") return parseV128(arg["value"], arg.value("lane_type", "i64"));
    std::optional<ValType> type = parseType(arg.value("type", ""));
    if (!type) {
      Error error;
      error.kind = ErrorKind::Unsupported;
      error.message = "argument of type " + arg.value("type", "?");
      return error;
    }
    const json& value = arg["value"];
    if (*type == ValType::FuncRef || *type == ValType::ExternRef) {
      if (value.is_string() && value.get<std::string>() == "null") return Value::null(*type);
      return Value{*type, parseBits(value) + 1};
    }
    return Value{*type, parseBits(value)};
  }

  // Empty when {actual} matches the expectation, else why not.
  // Lane by lane; float lanes may expect NaN patterns.
  std::optional<std::string> mismatchV128(const json& expected, const Value& actual) {
    if (actual.type != ValType::V128) return std::string("type ") + valTypeName(actual.type);
    std::string laneType = expected.value("lane_type", "i64");
    uint32_t size = laneBytes(laneType);
    uint8_t bytes[16];
    std::memcpy(bytes, &actual.bits, 8);
    std::memcpy(bytes + 8, &actual.high, 8);
    const json& lanes = expected["value"];
    for (size_t i = 0; i < lanes.size() && i * size < 16; ++i) {
      uint64_t laneBits = 0;
      std::memcpy(&laneBits, bytes + i * size, size);
      const json& want = lanes[i];
      if (want.is_string() && want.get<std::string>().rfind("nan:", 0) == 0) {
        json scalar = {{"type", laneType}, {"value", want}};
        if (std::optional<std::string> why = mismatch(scalar, Value{laneType == "f32" ? ValType::F32 : ValType::F64, laneBits}))
          return "lane " + std::to_string(i) + ": " + *why;
        continue;
      }
      uint64_t wantBits = parseBits(want);
      if (size < 8) wantBits &= (uint64_t{1} << (8 * size)) - 1;
      if (laneBits != wantBits)
        return "lane " + std::to_string(i) + " (" + laneType + ") is " + std::to_string(laneBits) + ", expected " +
               std::to_string(wantBits) + " (" + actual.describe() + ")";
    }
    return std::nullopt;
  }

  std::optional<std::string> mismatch(const json& expected, const Value& actual) {
    if (expected.value("type", "") == "v128") return mismatchV128(expected, actual);
    std::optional<ValType> type = parseType(expected.value("type", ""));
    if (!type) return "unsupported expected type " + expected.value("type", "?");
    if (actual.type != *type) return std::string("type ") + valTypeName(actual.type);
    if (!expected.contains("value")) {  // any non-null reference
      if (actual.bits == 0) return std::string("null");
      return std::nullopt;
    }
    const json& value = expected["value"];
    if (value.is_string()) {
      std::string text = value.get<std::string>();
      bool f32 = *type == ValType::F32;
      uint64_t quietNan = f32 ? 0x7fc00000u : 0x7ff8000000000000ull;
      uint64_t magnitude = actual.bits & (f32 ? 0x7fffffffu : 0x7fffffffffffffffull);
      if (text == "nan:canonical") {
        if (magnitude == quietNan) return std::nullopt;
        return actual.describe() + " is not a canonical NaN";
      }
      if (text == "nan:arithmetic") {
        if ((actual.bits & quietNan) == quietNan) return std::nullopt;
        return actual.describe() + " is not an arithmetic NaN";
      }
      if (text == "null") {
        if (actual.bits == 0) return std::nullopt;
        return actual.describe() + " is not null";
      }
    }
    uint64_t bits = parseBits(value);
    if (*type == ValType::ExternRef) bits += 1;
    if (*type == ValType::FuncRef) return std::nullopt;  // function identity is not scripted
    if (actual.bits == bits) return std::nullopt;
    return actual.describe() + ", expected " + Value{*type, bits}.describe();
  }

  struct ActionResult {
    Pending pending;
    std::optional<std::string> error;  // the action could not run
    std::optional<Trap> trap;
    std::vector<Value> results;
  };

  ActionResult perform(const json& action) {
    ActionResult result;
    ScriptModule* module = moduleFor(action);
    if (!module) {
      result.error = "no module to act on";
      return result;
    }
    if (module->pending) {
      result.pending = module->pending;
      return result;
    }
    if (!module->instance) {
      result.error = "the module was not instantiated";
      return result;
    }
    std::string field = action.value("field", "");
    std::optional<Extern> target = module->instance->exportByName(field);
    if (!target) {
      result.error = "no export \"" + field + "\"";
      return result;
    }
    std::string type = action.value("type", "");
    if (type == "get") {
      if (target->kind != ExternKind::Global) {
        result.error = "\"" + field + "\" is not a global";
        return result;
      }
      result.results.push_back(target->global->get());
      return result;
    }
    if (target->kind != ExternKind::Func) {
      result.error = "\"" + field + "\" is not a function";
      return result;
    }
    std::vector<Value> args;
    for (const json& arg : action.value("args", json::array())) {
      Result<Value> value = parseArg(arg);
      if (!value) {
        result.pending = value.error().message;
        return result;
      }
      args.push_back(value.value());
    }
    CallOutcome outcome = call(target->func, args);
    if (outcome.error) result.error = outcome.error;
    result.trap = std::move(outcome.trap);
    result.results = std::move(outcome.results);
    return result;
  }

  static bool trapMatches(const std::string& message, const std::string& expected) {
    return message.rfind(expected, 0) == 0 || expected.rfind(message, 0) == 0;
  }

  void runCommand(const json& command) {
    const std::string type = command.value("type", "");
    if (type == "module") {
      auto bytes = readModule(command);
      if (!bytes) return failCommand(command, "cannot read " + command.value("filename", ""));
      Instantiation made = instantiate(*bytes);
      last_ = made.module;
      haveLast_ = true;
      if (command.contains("name")) named_[command["name"].get<std::string>()] = last_;
      if (made.error) return failCommand(command, "rejected: " + made.error->describe());
      if (made.trap) return failCommand(command, "instantiation trapped: " + made.trap->describe());
      if (made.module.pending) return pending(command, *made.module.pending);
      return pass(command);
    }
    if (type == "register") {
      std::string as = command.value("as", "");
      ScriptModule* module = &last_;
      if (command.contains("name")) {
        auto found = named_.find(command["name"].get<std::string>());
        if (found == named_.end()) return failCommand(command, "register names an unknown module");
        module = &found->second;
      }
      registry_[as] = *module;
      return;
    }
    if (type == "assert_malformed" || type == "assert_invalid") {
      if (command.value("module_type", "binary") == "text") {
        counts_.skipped++;
        return;
      }
      auto bytes = readModule(command);
      if (!bytes) return failCommand(command, "cannot read " + command.value("filename", ""));
      Result<ModuleInfo> module = decodeAndValidate(*bytes);
      if (module) return failCommand(command, "module was accepted; expected \"" + command.value("text", "") + "\"");
      if (options_.verbose)
        out_ << where(command) << ": rejected (" << errorKindName(module.error().kind)
             << "): " << module.error().describe() << " (expected \"" << command.value("text", "") << "\")\n";
      counts_.passed++;
      return;
    }
    if (type == "assert_unlinkable" || type == "assert_uninstantiable") {
      auto bytes = readModule(command);
      if (!bytes) return failCommand(command, "cannot read " + command.value("filename", ""));
      Instantiation made = instantiate(*bytes);
      if (made.module.pending) return pending(command, *made.module.pending);
      if (type == "assert_unlinkable") {
        if (made.error && made.error->kind == ErrorKind::Invalid) return pass(command);
        return failCommand(command, made.error ? "rejected for another reason: " + made.error->describe()
                                               : "module linked; expected \"" + command.value("text", "") + "\"");
      }
      if (made.error) return failCommand(command, "rejected: " + made.error->describe());
      if (!made.trap) return failCommand(command, "instantiated; expected a trap");
      if (!trapMatches(made.trap->message, command.value("text", "")))
        return failCommand(command, "trapped with \"" + made.trap->message + "\", expected \"" +
                                        command.value("text", "") + "\"");
      return pass(command);
    }
    if (type == "action" || type == "assert_return" || type == "assert_trap" || type == "assert_exhaustion") {
      ActionResult result = perform(command["action"]);
      if (result.pending) return pending(command, *result.pending);
      if (result.error) return failCommand(command, *result.error);
      if (type == "action") {
        if (result.trap) return failCommand(command, "trapped: " + result.trap->describe());
        return pass(command);
      }
      if (type == "assert_return") {
        if (result.trap) return failCommand(command, "trapped: " + result.trap->describe());
        const json& expected = command["expected"];
        if (expected.size() != result.results.size())
          return failCommand(command, "returned " + std::to_string(result.results.size()) + " values, expected " +
                                          std::to_string(expected.size()));
        for (size_t i = 0; i < expected.size(); ++i) {
          if (std::optional<std::string> why = mismatch(expected[i], result.results[i]))
            return failCommand(command, "result " + std::to_string(i) + ": " + *why);
        }
        return pass(command);
      }
      if (!result.trap) return failCommand(command, "returned normally; expected a trap");
      std::string expectedText = command.value("text", "");
      if (type == "assert_exhaustion" && result.trap->kind != TrapKind::StackExhausted)
        return failCommand(command, "trapped with \"" + result.trap->message + "\", expected exhaustion");
      if (!trapMatches(result.trap->message, expectedText))
        return failCommand(command, "trapped with \"" + result.trap->message + "\", expected \"" + expectedText + "\"");
      return pass(command);
    }
    failCommand(command, "unknown command type");
  }

  std::string path_;
  const WastOptions& options_;
  std::ostream& out_;
  fs::path dir_;
  WastCounts counts_;
  std::shared_ptr<Engine> engine_;
  std::shared_ptr<StepEverywhere> stepper_;  // --debug
  std::map<std::string, Extern, std::less<>> spectest_;
  std::map<std::string, ScriptModule, std::less<>> registry_;
  std::map<std::string, ScriptModule, std::less<>> named_;
  ScriptModule last_;
  bool haveLast_ = false;
  std::vector<std::shared_ptr<Instance>> keepAlive_;
};

}  // namespace

WastCounts runWastFile(const std::string& path, const WastOptions& options, std::ostream& out) {
  return WastRunner(path, options, out).run();
}

}  // namespace weft
