// The instance data ("vmctx") layout: the one place where every offset that
// compiled code uses to reach instance state is computed (DESIGN 2). The
// baseline compiler reads offsets from here to emit loads; the runtime reads the
// same offsets to fill the block in. Nothing else spells an offset.
//
// Compiled code holds the vmctx pointer in a fixed register (r10 in the x86-64 baseline) and
// in the frame slot just below the saved frame pointer, so a frame walker finds
// an instance from any wasm frame (DESIGN 4).
//
// Layout: a fixed header, then per-module regions whose sizes come from the
// ModuleInfo. Every value that differs between instances (memory base and
// bound, globals, tables, imported functions, signature ids, stack limit) lives
// here, never in code (DESIGN 1).
//
//   header            builtin table, entry table, stack limit, interrupt flag, instance, fuel
//   sigIds            uint32 per type index: the engine's canonical signature id
//   funcRefs          FuncRef* per function that can be referenced: imports and
//                     functions that escape (exported, in element segments, named
//                     by ref.func in a constant); imports point at the provider
//   funcRecords       FuncRef per escaping defined function (code, vmctx, sig id)
//                     Direct calls need neither, so an instance's data grows with
//                     what escapes, not with the number of functions.
//   memoryDefs        MemoryDefinition per defined memory (base, byte length)
//   memoryPtrs        MemoryDefinition* per memory (imports point at the owner)
//   tables            TableInstance* per table
//   globals           per global: the value (defined; 8 bytes, 16 for v128) or a
//                     pointer to it (imported)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "format/module_info.h"

namespace weft {

// A function as a value: what ref.func yields, what tables hold, what
// call_indirect checks. Records of defined functions live in the defining
// instance's vmctx; host functions own theirs.
struct FuncRef {
  // The slot holding the function's current code (Weft's wasm calling
  // convention): a defined function's entry in its module's entry table, so a
  // tier-up that replaces the entry reaches every FuncRef with no write to any
  // instance; a host function's own slot holding the host-call stub.
  const void* const* entry = nullptr;
  void* vmctx = nullptr;       // instance data the callee runs with
  uint32_t sigId = 0;          // canonical signature id (engine-wide)
  uint32_t padding = 0;
};
static_assert(sizeof(FuncRef) == 24);

// A linear memory as code sees it. {base} is fixed for the memory's lifetime in
// the guard strategy; in the bounds-checked strategy memory.grow may move it.
struct MemoryDefinition {
  uint8_t* base = nullptr;
  uint64_t byteLength = 0;  // the bounds-checked strategy compares against this
};
static_assert(sizeof(MemoryDefinition) == 16);

// A table as code sees it: a pointer-sized element per slot (FuncRef* for
// funcref tables, the host's opaque pointer for externref; 0 is null).
struct TableDefinition {
  uintptr_t* elements = nullptr;
  uint32_t length = 0;
  uint32_t padding = 0;
};

// The fixed header. Field order is part of the code-cache format.
struct VmctxHeader {
  const void* const* helpers = nullptr;  // the builtin table (abi/builtins.h)
  // The module's entry table: the current code of each defined function, by
  // index - numImportedFunctions. One per Module, shared by all its instances,
  // in read+write memory outside the code (abi/entry_table.h).
  const void* const* entryTable = nullptr;
  uintptr_t stackLimit = 0;              // prologues trap when sp would fall below
  uint32_t interruptFlag = 0;
  uint32_t padding = 0;
  void* instance = nullptr;              // the owning Instance (or host function)
  // Fuel left (EngineConfig::consumeFuel): code compiled to count fuel takes
  // each straight-line run of operators' price from it as the run starts and
  // traps "out of fuel" when it would go below zero.
  int64_t fuel = 0;
  // A debug instance's (DESIGN 6) entry into the debugger: an enabled site of
  // its private code clone is `call [vmctx + kDebugTrap]`. Null elsewhere.
  const void* debugTrap = nullptr;
};

namespace vmctx {
constexpr int32_t kHelpers = offsetof(VmctxHeader, helpers);
constexpr int32_t kEntryTable = offsetof(VmctxHeader, entryTable);
constexpr int32_t kStackLimit = offsetof(VmctxHeader, stackLimit);
constexpr int32_t kInterruptFlag = offsetof(VmctxHeader, interruptFlag);
constexpr int32_t kInstance = offsetof(VmctxHeader, instance);
constexpr int32_t kFuel = offsetof(VmctxHeader, fuel);
constexpr int32_t kDebugTrap = offsetof(VmctxHeader, debugTrap);
static_assert(kDebugTrap < 128, "a debug site's call encodes the offset as a disp8");
constexpr int32_t kHeaderSize = sizeof(VmctxHeader);

constexpr int32_t kFuncRefEntry = offsetof(FuncRef, entry);
constexpr int32_t kFuncRefVmctx = offsetof(FuncRef, vmctx);
constexpr int32_t kFuncRefSigId = offsetof(FuncRef, sigId);
constexpr int32_t kMemoryBase = offsetof(MemoryDefinition, base);
constexpr int32_t kMemoryByteLength = offsetof(MemoryDefinition, byteLength);
constexpr int32_t kTableElements = offsetof(TableDefinition, elements);
constexpr int32_t kTableLength = offsetof(TableDefinition, length);

// Every wasm frame, and Weft's entry stub, keeps its vmctx at this offset from
// the frame pointer (DESIGN 4: the instance is found from the frame).
constexpr int32_t kFrameSlot = -8;
}  // namespace vmctx

// Offsets of one module's regions. Computed once per Module, shared by its
// compiled code and all its instances.
class VmctxLayout {
 public:
  VmctxLayout() = default;
  explicit VmctxLayout(const ModuleInfo& module) {
    uint32_t numTypes = static_cast<uint32_t>(module.types.size());
    uint32_t numFunctions = static_cast<uint32_t>(module.functions.size());
    numDefinedFunctions_ = numFunctions - module.numImportedFunctions;
    numImportedFunctions_ = module.numImportedFunctions;
    numImportedMemories_ = module.numImportedMemories;
    numImportedGlobals_ = module.numImportedGlobals;
    uint32_t numMemories = static_cast<uint32_t>(module.memories.size());
    uint32_t numTables = static_cast<uint32_t>(module.tables.size());
    uint32_t numGlobals = static_cast<uint32_t>(module.globals.size());

    uint32_t referenceable = 0, records = 0;
    refSlot_.assign(numFunctions, -1);
    recordSlot_.assign(numFunctions, -1);
    for (uint32_t f = 0; f < numFunctions; ++f) {
      bool escapes = f < module.declaredFunctionRefs.size() && module.declaredFunctionRefs[f];
      if (f < numImportedFunctions_ || escapes) refSlot_[f] = static_cast<int32_t>(referenceable++);
      if (f >= numImportedFunctions_ && escapes) recordSlot_[f] = static_cast<int32_t>(records++);
    }
    (void)numDefinedFunctions_;

    uint32_t at = vmctx::kHeaderSize;
    sigIds_ = at;
    at += 4 * numTypes;
    at = alignUp(at, 8);
    funcRefs_ = at;
    at += 8 * referenceable;
    funcRecords_ = at;
    at += sizeof(FuncRef) * records;
    memoryDefs_ = at;
    at += sizeof(MemoryDefinition) * (numMemories - numImportedMemories_);
    memoryPtrs_ = at;
    at += 8 * numMemories;
    tables_ = at;
    at += 8 * numTables;
    globalOffset_.resize(numGlobals);
    for (uint32_t g = 0; g < numGlobals; ++g) {
      bool wide = g >= numImportedGlobals_ && module.globals[g].type.type == ValType::V128;
      if (wide) at = alignUp(at, 16);
      globalOffset_[g] = at;
      at += wide ? 16 : 8;
    }
    size_ = alignUp(at, 16);
  }

  uint32_t size() const { return size_; }

  int32_t sigId(uint32_t typeIndex) const { return static_cast<int32_t>(sigIds_ + 4 * typeIndex); }
  // Whether a function has a FuncRef* slot (imports and escaping functions).
  bool isReferenceable(uint32_t functionIndex) const { return refSlot_[functionIndex] >= 0; }
  int32_t funcRefPtr(uint32_t functionIndex) const {
    return static_cast<int32_t>(funcRefs_ + 8 * static_cast<uint32_t>(refSlot_[functionIndex]));
  }
  bool hasRecord(uint32_t functionIndex) const { return recordSlot_[functionIndex] >= 0; }
  int32_t funcRecord(uint32_t functionIndex) const {
    return static_cast<int32_t>(funcRecords_ + sizeof(FuncRef) * static_cast<uint32_t>(recordSlot_[functionIndex]));
  }
  // Only for memories the module defines.
  int32_t memoryDef(uint32_t memoryIndex) const {
    return static_cast<int32_t>(memoryDefs_ + sizeof(MemoryDefinition) * (memoryIndex - numImportedMemories_));
  }
  int32_t memoryPtr(uint32_t memoryIndex) const { return static_cast<int32_t>(memoryPtrs_ + 8 * memoryIndex); }
  int32_t table(uint32_t tableIndex) const { return static_cast<int32_t>(tables_ + 8 * tableIndex); }
  // Defined globals: the value itself. Imported globals: a pointer to the value.
  int32_t global(uint32_t globalIndex) const { return static_cast<int32_t>(globalOffset_[globalIndex]); }
  bool globalIsImported(uint32_t globalIndex) const { return globalIndex < numImportedGlobals_; }
  bool memoryIsImported(uint32_t memoryIndex) const { return memoryIndex < numImportedMemories_; }

 private:
  static uint32_t alignUp(uint32_t value, uint32_t alignment) { return (value + alignment - 1) & ~(alignment - 1); }

  uint32_t size_ = vmctx::kHeaderSize;
  uint32_t sigIds_ = 0, funcRefs_ = 0, funcRecords_ = 0, memoryDefs_ = 0, memoryPtrs_ = 0, tables_ = 0;
  std::vector<uint32_t> globalOffset_;
  uint32_t numDefinedFunctions_ = 0, numImportedFunctions_ = 0, numImportedMemories_ = 0,
           numImportedGlobals_ = 0;
  std::vector<int32_t> refSlot_;     // per function: FuncRef* slot, or -1
  std::vector<int32_t> recordSlot_;  // per function: FuncRef record slot, or -1
};

}  // namespace weft
