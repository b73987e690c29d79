#include "runtime/module_code.h"

#include <algorithm>
#include <cstring>

#include "runtime/code_registry.h"

namespace weft {

Result<std::unique_ptr<ModuleCode>> ModuleCode::link(const ModuleInfo& module,
                                                     std::vector<CompiledFunction> functions,
                                                     const std::function<void()>& onLowMemory) {
  std::unique_ptr<ModuleCode> code(new ModuleCode());
  code->info_ = &module;
  code->numImported_ = module.numImportedFunctions;
  // Lay out first, then write every function straight into the mapping.
  uint32_t size = 0;
  code->functions_.reserve(functions.size());
  for (CompiledFunction& function : functions) {
    size = (size + 15) & ~15u;
    FunctionRange range;
    range.start = size;
    size += static_cast<uint32_t>(function.code.size());
    range.end = size;
    range.sites = std::move(function.sites);
    code->functions_.push_back(std::move(range));
  }
  Result<CodeMemory> memory = CodeMemory::allocate(size);
  if (!memory && onLowMemory) {
    onLowMemory();  // the embedder may free caches; then one more try
    memory = CodeMemory::allocate(size);
  }
  if (!memory) return memory.error();
  uint8_t* image = memory.value().writable();
  std::memset(image, 0xcc, size);  // int3 in the padding between functions
  for (size_t i = 0; i < functions.size(); ++i) {
    std::memcpy(image + code->functions_[i].start, functions[i].code.data(), functions[i].code.size());
    // Direct calls: rel32 from the end of the call instruction to the callee.
    for (const CompiledFunction::CallFixup& call : functions[i].calls) {
      int64_t site = code->functions_[i].start + call.rel32Offset;
      int64_t target = code->functions_[call.callee - module.numImportedFunctions].start;
      int32_t rel = static_cast<int32_t>(target - (site + 4));
      std::memcpy(image + site, &rel, 4);
    }
    functions[i] = {};  // release as we go
  }
  Status sealed = memory.value().seal();
  if (!sealed) return sealed.error();
  code->memory_ = std::move(memory.value());
  auto start = reinterpret_cast<uintptr_t>(code->memory_.data());
  code_registry::add(start, start + std::max<size_t>(code->memory_.size(), 1), code.get());
  return code;
}

std::unique_ptr<ModuleCode> ModuleCode::adopt(const ModuleInfo& module, CodeMemory memory,
                                              std::vector<FunctionRange> functions) {
  std::unique_ptr<ModuleCode> code(new ModuleCode());
  code->info_ = &module;
  code->numImported_ = module.numImportedFunctions;
  code->functions_ = std::move(functions);
  code->memory_ = std::move(memory);
  auto start = reinterpret_cast<uintptr_t>(code->memory_.data());
  code_registry::add(start, start + std::max<size_t>(code->memory_.size(), 1), code.get());
  return code;
}

ModuleCode::~ModuleCode() {
  if (memory_.data()) code_registry::remove(reinterpret_cast<uintptr_t>(memory_.data()));
}

bool ModuleCode::locate(uintptr_t pc, Location& out) const {
  auto base = reinterpret_cast<uintptr_t>(memory_.data());
  if (pc < base || pc >= base + memory_.size()) return false;
  auto offset = static_cast<uint32_t>(pc - base);
  auto it = std::upper_bound(functions_.begin(), functions_.end(), offset,
                             [](uint32_t value, const FunctionRange& range) { return value < range.start; });
  if (it == functions_.begin()) return false;
  --it;
  if (offset >= it->end) return false;
  out.functionIndex = numImported_ + static_cast<uint32_t>(it - functions_.begin());
  uint32_t local = offset - it->start;
  auto site = std::lower_bound(it->sites.begin(), it->sites.end(), local,
                               [](const CodeSite& s, uint32_t value) { return s.codeOffset < value; });
  out.hasBytecodeOffset = site != it->sites.end() && site->codeOffset == local;
  if (out.hasBytecodeOffset) out.bytecodeOffset = site->bytecodeOffset;
  return true;
}

}  // namespace weft
