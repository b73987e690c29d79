// A module's machine code once laid out: every defined function placed in one
// executable mapping, direct calls linked PC-relative, and the tables that map
// a PC back to (function, bytecode offset) for traps and backtraces.
// Registered in the process-wide code registry for its whole lifetime.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "compiler/compiled_code.h"
#include "format/module_info.h"
#include "runtime/code_memory.h"
#include "support/error.h"

namespace weft {

class ModuleCode {
 public:
  // Lays out and links {functions} (one per defined function, in order).
  static Result<std::unique_ptr<ModuleCode>> link(const ModuleInfo& module, std::vector<CompiledFunction> functions,
                                                  const std::function<void()>& onLowMemory = {});

  struct FunctionRange {
    uint32_t start = 0;
    uint32_t end = 0;
    std::vector<CodeSite> sites;  // codeOffset relative to the function's start
  };
  // Code that is already mapped executable (from a code-cache file).
  static std::unique_ptr<ModuleCode> adopt(const ModuleInfo& module, CodeMemory memory,
                                           std::vector<FunctionRange> functions);
  const std::vector<FunctionRange>& functions() const { return functions_; }
  ~ModuleCode();

  const void* entry(uint32_t functionIndex) const {
    return memory_.data() + functions_[functionIndex - numImported_].start;
  }
  const CodeMemory& memory() const { return memory_; }
  const ModuleInfo& info() const { return *info_; }

  struct Location {
    uint32_t functionIndex = 0;
    bool hasBytecodeOffset = false;
    uint32_t bytecodeOffset = 0;
  };
  // The function containing {pc}, and the bytecode offset when {pc} is a
  // recorded site (a trap site or a call's return address). Signal-safe.
  bool locate(uintptr_t pc, Location& out) const;

 private:
  ModuleCode() = default;

  CodeMemory memory_;
  std::vector<FunctionRange> functions_;
  uint32_t numImported_ = 0;
  const ModuleInfo* info_ = nullptr;
};

}  // namespace weft
