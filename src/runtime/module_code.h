// A code image: machine code of some of a module's functions placed in one
// executable mapping, and the tables that map a PC back to (function,
// bytecode offset) for traps and backtraces. A Module has one from compiling
// or from its code-cache file, and one more for each later batch of code (a
// tier-up); all stay mapped, and registered in the process-wide code registry,
// until the Module dies. Code needs no linking: calls go through the module's
// entry table (abi/entry_table.h), so an image is the compilers' bytes as they
// are, laid end to end.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "abi/compiled_code.h"
#include "format/module_info.h"
#include "runtime/code_memory.h"
#include "support/error.h"

namespace weft {

class ModuleCode {
 public:
  // Places {functions[i]}, the code of function {indices[i]}, in a new
  // executable mapping. {onLowMemory} runs once if the mapping cannot be
  // made, before one more try (DESIGN 10).
  static Result<std::unique_ptr<ModuleCode>> link(const ModuleInfo& module, const std::vector<uint32_t>& indices,
                                                  std::vector<CompiledFunction> functions,
                                                  const std::function<void()>& onLowMemory = {});

  struct FunctionRange {
    uint32_t functionIndex = 0;
    uint32_t start = 0;
    uint32_t end = 0;
    std::vector<CodeSite> sites;  // codeOffset relative to the function's start
    SiteKind siteKind = SiteKind::Exact;
    int32_t vmctxSlot = -8;  // CompiledFunction::vmctxSlot
    std::shared_ptr<const DebugFunctionInfo> debug;  // debug code only
  };
  // Code that is already mapped executable (from a code-cache file); ranges in
  // ascending order of start.
  static std::unique_ptr<ModuleCode> adopt(const ModuleInfo& module, CodeMemory memory,
                                           std::vector<FunctionRange> functions);
  const std::vector<FunctionRange>& functions() const { return functions_; }
  ~ModuleCode();

  // A debug clone (DESIGN 6): the same code in new memory of its own, mapped
  // read+execute and, at another address, read+write, through which only its
  // owner patches debug sites. Registered like any image.
  Result<std::unique_ptr<ModuleCode>> clonePatchable() const;
  // The read+write view of a clone, null for any other image.
  uint8_t* patchable() const { return memory_.patchable(); }
  // The function range containing {pc}, or null.
  const FunctionRange* rangeOf(uintptr_t pc) const;

  // The code of each function in this image, by position in functions().
  const void* code(size_t position) const { return memory_.data() + functions_[position].start; }
  const CodeMemory& memory() const { return memory_; }
  const ModuleInfo& info() const { return *info_; }

  struct Location {
    uint32_t functionIndex = 0;
    bool hasBytecodeOffset = false;
    uint32_t bytecodeOffset = 0;
    SiteKind siteKind = SiteKind::Exact;
    int32_t vmctxSlot = -8;  // the function's vmctx, from its frame pointer
  };
  // The function containing {pc}, and the bytecode offset of {pc}: for a
  // function with exact sites when {pc} is one (a trap site or a call's
  // return address), for one with ranges the range's. {returnAddress}: {pc}
  // is where a call returns to (a caller's frame). Signal-safe.
  bool locate(uintptr_t pc, Location& out, bool returnAddress = false) const;

 private:
  ModuleCode() = default;
  void registerRange();

  CodeMemory memory_;
  std::vector<FunctionRange> functions_;
  const ModuleInfo* info_ = nullptr;
};

}  // namespace weft
