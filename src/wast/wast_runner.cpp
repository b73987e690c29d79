#include "wast/wast_runner.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "runtime/extern_type.h"
#include "validation/validator.h"
#include "wast/process.h"

namespace weft {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using ExportTypes = std::map<std::string, ExternType, std::less<>>;

// The exports of a module, and whether their types may be stale: a memory or
// table may have grown through commands that this runner cannot execute yet.
struct ModuleExports {
  ExportTypes types;
  bool provisional = false;
};

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

class WastRunner {
 public:
  WastRunner(const std::string& path, const WastOptions& options, std::ostream& out)
      : path_(path), options_(options), out_(out) {
    registry_["spectest"].types = spectestExports();
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
    for (const json& command : script["commands"]) runCommand(command);
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
  void pending(const json& command) {
    counts_.pending++;
    if (options_.verbose) out_ << where(command) << ": pending (needs execution)\n";
  }
  std::string where(const json& command) const {
    return path_ + ":" + std::to_string(command.value("line", 0));
  }

  std::optional<std::vector<uint8_t>> readModule(const json& command) {
    std::ifstream in(dir_ / command.value("filename", ""), std::ios::binary);
    if (!in) return std::nullopt;
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Resolves every import against the registered modules. {stateDependent} is
  // set when a failure may be an artefact of not executing: sizes that earlier
  // commands could have grown, or a provider that was itself undecided.
  Status link(const ModuleInfo& module, bool& stateDependent) {
    stateDependent = false;
    for (const Import& import : module.imports) {
      auto registered = registry_.find(import.module);
      Error error;
      error.kind = ErrorKind::Invalid;
      if (registered == registry_.end()) {
        stateDependent = undecidedRegistrations_ > 0;
        error.message = "unknown import: module \"" + import.module + "\" is not registered";
        return error;
      }
      auto provided = registered->second.types.find(import.name);
      if (provided == registered->second.types.end()) {
        error.message = "unknown import \"" + import.module + "\" \"" + import.name + "\"";
        return error;
      }
      Status matches = checkImportMatches(provided->second, importType(module, import));
      if (!matches) {
        bool resizable = import.kind == ExternKind::Memory || import.kind == ExternKind::Table;
        stateDependent = registered->second.provisional || (resizable && executionCommandsSeen_ > 0);
        return matches;
      }
    }
    return Ok{};
  }

  ModuleExports exportsOf(const ModuleInfo& module) {
    ModuleExports exports;
    for (const Export& exp : module.exports) exports.types[exp.name] = exportType(module, exp);
    return exports;
  }

  void runCommand(const json& command) {
    const std::string type = command.value("type", "");
    if (type == "module") {
      auto bytes = readModule(command);
      if (!bytes) return failCommand(command, "cannot read " + command.value("filename", ""));
      Result<ModuleInfo> module = decodeAndValidate(*bytes);
      if (!module) return failCommand(command, "rejected: " + module.error().describe());
      bool stateDependent;
      Status linked = link(module.value(), stateDependent);
      lastExports_ = exportsOf(module.value());
      if (!linked && !stateDependent) return failCommand(command, "link error: " + linked.error().message);
      lastExports_.provisional = !linked;
      if (command.contains("name")) named_[command["name"].get<std::string>()] = lastExports_;
      if (!linked) return pending(command);
      return pass(command);
    }
    if (type == "register") {
      std::string as = command.value("as", "");
      const ModuleExports* exports = &lastExports_;
      if (command.contains("name")) {
        auto found = named_.find(command["name"].get<std::string>());
        if (found == named_.end()) return failCommand(command, "register names an unknown module");
        exports = &found->second;
      }
      registry_[as] = *exports;
      if (exports->provisional) undecidedRegistrations_++;
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
      Result<ModuleInfo> module = decodeAndValidate(*bytes);
      if (!module) return failCommand(command, "rejected as invalid: " + module.error().describe());
      bool stateDependent;
      Status linked = link(module.value(), stateDependent);
      if (type == "assert_unlinkable") {
        if (linked) return failCommand(command, "module linked; expected \"" + command.value("text", "") + "\"");
        return pass(command);
      }
      if (!linked && !stateDependent) return failCommand(command, "link error: " + linked.error().message);
      return pending(command);  // the trap during instantiation needs execution
    }
    if (type == "assert_return" || type == "assert_trap" || type == "assert_exhaustion" || type == "action") {
      executionCommandsSeen_++;
      return pending(command);
    }
    failCommand(command, "unknown command type");
  }

  std::string path_;
  const WastOptions& options_;
  std::ostream& out_;
  fs::path dir_;
  WastCounts counts_;
  std::map<std::string, ModuleExports, std::less<>> registry_;
  std::map<std::string, ModuleExports, std::less<>> named_;
  ModuleExports lastExports_;
  uint32_t executionCommandsSeen_ = 0;
  uint32_t undecidedRegistrations_ = 0;
};

}  // namespace

WastCounts runWastFile(const std::string& path, const WastOptions& options, std::ostream& out) {
  return WastRunner(path, options, out).run();
}

}  // namespace weft
