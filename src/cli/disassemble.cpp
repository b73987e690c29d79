// `weft disas`: the machine code a tier makes of each function, in Intel
// syntax through LLVM's disassembler, for people reviewing what the compilers
// emit and for the golden tests (tests/disas) that pin it: a change that
// bloats code or drops a bounds or interrupt check shows up as a diff.
// Addresses are offsets from the function's start, so the text depends only
// on the module, the tier, the memory strategy and the fuel variant.
#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include <cstdio>
#include <mutex>
#include <string>

#include "cli/commands.h"
#include "cli/load_module.h"

namespace weft::cli {
namespace {

constexpr const char* kUsage =
    "usage: weft disas [--tier baseline|optimizing] [--memory guard|bounds-checked] [--count-fuel]\n"
    "                  [--function INDEX|NAME] FILE.wasm\n"
    "  disassembles each defined function's code (default: the baseline tier, guard memories)\n";

class Disassembler {
 public:
  Disassembler() {
    static std::once_flag once;
    std::call_once(once, [] {
      LLVMInitializeX86TargetInfo();
      LLVMInitializeX86TargetMC();
      LLVMInitializeX86Disassembler();
    });
    context_ = LLVMCreateDisasm("x86_64-unknown-linux-gnu", this, 0, nullptr, &branchTarget);
    if (context_) LLVMSetDisasmOptions(context_, LLVMDisassembler_Option_AsmPrinterVariant);  // Intel syntax
  }
  ~Disassembler() {
    if (context_) LLVMDisasmDispose(context_);
  }
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;
  bool ok() const { return context_ != nullptr; }

  // One line per instruction: offset, bytes, text.
  void print(const uint8_t* code, size_t size) {
    size_t at = 0;
    while (at < size) {
      char text[256];
      auto* bytes = const_cast<uint8_t*>(code + at);
      size_t length = LLVMDisasmInstruction(context_, bytes, size - at, at, text, sizeof text);
      if (length == 0) {  // data (a jump table's offsets) or padding LLVM does not decode
        std::printf("  %5zx:  %02x                       (byte)\n", at, code[at]);
        ++at;
        continue;
      }
      std::string hex;
      for (size_t i = 0; i < length && i < 8; ++i) {
        char two[4];
        std::snprintf(two, sizeof two, "%02x ", code[at + i]);
        hex += two;
      }
      if (length > 8) hex += "..";
      const char* instruction = text;
      while (*instruction == '\t' || *instruction == ' ') ++instruction;
      std::string line(instruction);
      for (char& c : line)
        if (c == '\t') c = ' ';
      std::printf("  %5zx:  %-26s %s\n", at, hex.c_str(), line.c_str());
      at += length;
    }
  }

 private:
  // Branch targets print as offsets from the function's start ("jne 0x64"),
  // like the addresses on the left, instead of relative to the next instruction.
  static const char* branchTarget(void* self, uint64_t target, uint64_t* referenceType, uint64_t, const char** name) {
    *name = nullptr;
    if (*referenceType != LLVMDisassembler_ReferenceType_In_Branch) {
      *referenceType = LLVMDisassembler_ReferenceType_InOut_None;
      return nullptr;
    }
    *referenceType = LLVMDisassembler_ReferenceType_InOut_None;
    auto* disassembler = static_cast<Disassembler*>(self);
    std::snprintf(disassembler->targetName_, sizeof disassembler->targetName_, "0x%llx",
                  static_cast<unsigned long long>(target));
    return disassembler->targetName_;
  }

  LLVMDisasmContextRef context_ = nullptr;
  char targetName_[32] = {};
};

}  // namespace

int disassembleCommand(const std::vector<std::string>& args) {
  EngineConfig config;
  config.tier = Tier::Baseline;
  config.compileThreads = 1;
  std::string path, only;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--tier" && i + 1 < args.size()) {
      std::optional<Tier> tier = parseTier("disas", args[++i]);
      if (!tier) return 2;
      if (*tier == Tier::Tiered) {
        std::fputs("weft disas: tiered code is baseline code, then optimized code: name one of the two\n", stderr);
        return 2;
      }
      config.tier = *tier;
    } else if (args[i] == "--memory" && i + 1 < args.size()) {
      std::optional<MemoryStrategy> strategy = parseMemoryStrategy("disas", args[++i]);
      if (!strategy) return 2;
      config.memoryStrategy = *strategy;
    } else if (args[i] == "--count-fuel") {
      config.consumeFuel = true;
    } else if (args[i] == "--function" && i + 1 < args.size()) {
      only = args[++i];
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::fprintf(stderr, "weft disas: unknown option %s\n%s", args[i].c_str(), kUsage);
      return 2;
    } else {
      path = args[i];
    }
  }
  if (path.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::optional<LoadedModule> loaded = loadModule(path, config, /*strategyGiven=*/true, /*tierGiven=*/true);
  if (!loaded) return 1;
  Disassembler disassembler;
  if (!disassembler.ok()) {
    std::fputs("weft disas: LLVM has no x86-64 disassembler\n", stderr);
    return 1;
  }
  const Module& module = *loaded->module;
  const ModuleInfo& info = module.info();
  const ModuleCode& code = module.code();
  bool found = only.empty();
  for (const ModuleCode::FunctionRange& range : code.functions()) {
    // The name section's name, else the name it is exported under.
    const std::string* name = info.functionName(range.functionIndex);
    if (!name) name = info.exportedFunctionName(range.functionIndex);
    if (!only.empty() && only != std::to_string(range.functionIndex) && !(name && *name == only)) continue;
    found = true;
    std::printf("function %u%s%s%s (%s, %s%s): %u bytes\n", range.functionIndex, name ? " \"" : "",
                name ? name->c_str() : "", name ? "\"" : "", tierName(config.tier),
                memoryStrategyName(config.memoryStrategy), config.consumeFuel ? ", counting fuel" : "",
                range.end - range.start);
    disassembler.print(code.memory().data() + range.start, range.end - range.start);
  }
  if (!found) {
    std::fprintf(stderr, "weft disas: %s has no defined function %s\n", path.c_str(), only.c_str());
    return 1;
  }
  return 0;
}

}  // namespace weft::cli
