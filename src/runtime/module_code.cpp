#include "runtime/module_code.h"

#include <algorithm>
#include <cstring>

#include "abi/vmctx_layout.h"
#include "runtime/code_registry.h"
#include "runtime/perf_map.h"

namespace weft {

static_assert(kBaselineVmctxSlot == vmctx::kFrameSlot);

Result<std::unique_ptr<ModuleCode>> ModuleCode::link(const ModuleInfo& module, const std::vector<uint32_t>& indices,
                                                     std::vector<CompiledFunction> functions,
                                                     const std::function<void()>& onLowMemory) {
  std::unique_ptr<ModuleCode> code(new ModuleCode());
  code->info_ = &module;
  // Lay out first, then write every function straight into the mapping.
  uint32_t size = 0;
  code->functions_.reserve(functions.size());
  for (size_t i = 0; i < functions.size(); ++i) {
    size = (size + kFunctionAlignment - 1) & ~(kFunctionAlignment - 1);
    FunctionRange range;
    range.functionIndex = indices[i];
    range.start = size;
    size += static_cast<uint32_t>(functions[i].code.size());
    range.end = size;
    range.sites = std::move(functions[i].sites);
    range.siteKind = functions[i].siteKind;
    range.vmctxSlot = functions[i].vmctxSlot;
    range.debug = std::move(functions[i].debug);
    code->functions_.push_back(std::move(range));
  }
  Result<CodeMemory> memory = CodeMemory::allocate(size);
  if (!memory && onLowMemory) {
    onLowMemory();  // the embedder may free caches; then one more try
    memory = CodeMemory::allocate(size);
  }
  if (!memory) return memory.error();
  uint8_t* image = memory.value().writable();
  uint32_t written = 0;
  for (size_t i = 0; i < functions.size(); ++i) {
    const FunctionRange& range = code->functions_[i];
    std::memset(image + written, 0xcc, range.start - written);  // int3 in the padding between functions
    std::memcpy(image + range.start, functions[i].code.data(), functions[i].code.size());
    written = range.end;
    functions[i] = {};  // release as we go
  }
  Status sealed = memory.value().seal();
  if (!sealed) return sealed.error();
  code->memory_ = std::move(memory.value());
  code->registerRange();
  return code;
}

std::unique_ptr<ModuleCode> ModuleCode::adopt(const ModuleInfo& module, CodeMemory memory,
                                              std::vector<FunctionRange> functions) {
  std::unique_ptr<ModuleCode> code(new ModuleCode());
  code->info_ = &module;
  code->functions_ = std::move(functions);
  code->memory_ = std::move(memory);
  code->registerRange();
  return code;
}

Result<std::unique_ptr<ModuleCode>> ModuleCode::clonePatchable() const {
  Result<CodeMemory> memory = CodeMemory::createPatchable({memory_.data(), memory_.size()});
  if (!memory) return memory.error();
  return adopt(*info_, std::move(memory.value()), functions_);
}

const ModuleCode::FunctionRange* ModuleCode::rangeOf(uintptr_t pc) const {
  auto base = reinterpret_cast<uintptr_t>(memory_.data());
  if (pc < base || pc >= base + memory_.size()) return nullptr;
  auto offset = static_cast<uint32_t>(pc - base);
  auto it = std::upper_bound(functions_.begin(), functions_.end(), offset,
                             [](uint32_t value, const FunctionRange& range) { return value < range.start; });
  if (it == functions_.begin() || offset >= (it - 1)->end) return nullptr;
  return &*(it - 1);
}

void ModuleCode::registerRange() {
  auto start = reinterpret_cast<uintptr_t>(memory_.data());
  code_registry::add(start, start + std::max<size_t>(memory_.size(), 1), this);
  perf_map::addImage(*this);
}

ModuleCode::~ModuleCode() {
  if (memory_.data()) code_registry::remove(reinterpret_cast<uintptr_t>(memory_.data()));
}

bool ModuleCode::locate(uintptr_t pc, Location& out, bool returnAddress) const {
  auto base = reinterpret_cast<uintptr_t>(memory_.data());
  if (pc < base || pc >= base + memory_.size()) return false;
  auto offset = static_cast<uint32_t>(pc - base);
  auto it = std::upper_bound(functions_.begin(), functions_.end(), offset,
                             [](uint32_t value, const FunctionRange& range) { return value < range.start; });
  if (it == functions_.begin()) return false;
  --it;
  if (offset >= it->end) return false;
  out.functionIndex = it->functionIndex;
  out.siteKind = it->siteKind;
  out.vmctxSlot = it->vmctxSlot;
  uint32_t local = offset - it->start;
  if (it->siteKind == SiteKind::Ranges) {
    if (returnAddress && local > 0) --local;  // the call instruction's last byte
    auto next = std::upper_bound(it->sites.begin(), it->sites.end(), local,
                                 [](uint32_t value, const CodeSite& s) { return value < s.codeOffset; });
    out.hasBytecodeOffset = next != it->sites.begin() && (next - 1)->bytecodeOffset != kNoBytecodeOffset;
    if (out.hasBytecodeOffset) out.bytecodeOffset = (next - 1)->bytecodeOffset;
    return true;
  }
  auto site = std::lower_bound(it->sites.begin(), it->sites.end(), local,
                               [](const CodeSite& s, uint32_t value) { return s.codeOffset < value; });
  out.hasBytecodeOffset = site != it->sites.end() && site->codeOffset == local;
  if (out.hasBytecodeOffset) out.bytecodeOffset = site->bytecodeOffset;
  return true;
}

}  // namespace weft
