#include "runtime/instance.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "abi/calling_convention.h"
#include "abi/entry_table.h"
#include "runtime/atomic_wait.h"
#include "runtime/builtins.h"
#include "runtime/debugger.h"
#include "runtime/interruption.h"
#include "runtime/trap_handler.h"

namespace weft {
namespace {

Error linkError(std::string message) { return makeError(ErrorKind::Invalid, std::move(message)); }

Trap instantiationTrap(TrapKind kind) {
  Trap trap;
  trap.kind = kind;
  trap.message = trapKindMessage(kind);
  return trap;
}

// "table 3: a table of 10000000 elements (80000000 bytes) exceeds ..."
Error resourceError(const std::string& what, Error error) {
  error.message = what + ": " + error.message;
  return error;
}

bool isNarrow(ValType type) { return type == ValType::I32 || type == ValType::F32; }

}  // namespace

Instance::Instance(std::shared_ptr<const Module> module) : module_(std::move(module)) {
  uint32_t size = module_->layout().size();
  vmctx_ = std::aligned_alloc(16, size);
  if (vmctx_) std::memset(vmctx_, 0, size);
}

void Instance::interrupt() {
  interruption::set(vmctx_);
  wakeInterruptedWaiters();
}
void Instance::clearInterrupt() { interruption::clear(vmctx_); }
bool Instance::interrupted() const { return interruption::isSet(vmctx_); }

void Instance::setFuel(uint64_t fuel) {
  if (!module_->countsFuel()) return;
  static_cast<VmctxHeader*>(vmctx_)->fuel = static_cast<int64_t>(std::min<uint64_t>(fuel, INT64_MAX));
}
void Instance::addFuel(uint64_t fuel) {
  uint64_t now = this->fuel();
  setFuel(fuel > UINT64_MAX - now ? UINT64_MAX : now + fuel);
}
uint64_t Instance::fuel() const {
  if (!module_->countsFuel()) return 0;
  return static_cast<uint64_t>(std::max<int64_t>(static_cast<VmctxHeader*>(vmctx_)->fuel, 0));
}

Instance::~Instance() {
  if (tracked_) module_->engine().forget(this);
  const ModuleInfo& info = module_->info();
  for (uint32_t i = info.numImportedMemories; i < memories_.size(); ++i)
    if (memories_[i]) memories_[i]->setMirror(nullptr);
  if (vmctx_) interruption::clear(vmctx_);  // keeps the process-wide count of set flags right
  std::free(vmctx_);
}

FuncRef* Instance::record(uint32_t functionIndex) const {
  return *reinterpret_cast<FuncRef**>(at(module_->layout().funcRefPtr(functionIndex)));
}

FuncRef Instance::localRecord(uint32_t functionIndex) const {
  if (module_->layout().isReferenceable(functionIndex)) return *record(functionIndex);
  FuncRef ref;  // a defined function that does not escape
  ref.entry = entrySlot(functionIndex);
  ref.vmctx = vmctx_;
  ref.sigId = module_->signatureIds()[module_->info().functions[functionIndex].typeIndex];
  return ref;
}

const void* const* Instance::entrySlot(uint32_t functionIndex) const {
  if (privateEntries_) return privateEntries_.get() + (functionIndex - module_->info().numImportedFunctions);
  return module_->entrySlot(functionIndex);
}

// DESIGN 7, specialized: this instance's own copy of the code, with memory
// 0's base and length as constants when its base never moves, reached
// through its own entry table; the module's entry table (and its tier-ups)
// no longer concern it.
std::optional<Error> Instance::specialize() {
  const ModuleData& data = *module_->data();
  if (!data.compilePrivateCode)
    return linkError("a specialized instance needs a module compiled from its bytes in this process, not one "
                     "mapped from a code-cache file");
  InstanceSpecialization constants;
  if (!memories_.empty() && memories_[0]->baseNeverMoves()) {
    constants.memoryBase = reinterpret_cast<uintptr_t>(memories_[0]->data());
    constants.memoryBytes = memories_[0]->byteLength();
    constants.memoryBytesFinal = memories_[0]->sizeIsFinal();
  }
  Result<std::unique_ptr<ModuleCode>> code = data.compilePrivateCode(data, constants, module_->engine().config());
  if (!code) {
    Error error = code.error();
    error.message = "compiling the specialized instance's code: " + error.message;
    return error;
  }
  usePrivateCode(std::move(code.value()));
  return std::nullopt;
}

void Instance::usePrivateCode(std::unique_ptr<ModuleCode> code) {
  privateCode_ = std::move(code);
  const ModuleInfo& info = module_->info();
  privateEntries_ = std::make_unique<const void*[]>(info.functions.size() - info.numImportedFunctions);
  for (size_t i = 0; i < privateCode_->functions().size(); ++i)
    privateEntries_[privateCode_->functions()[i].functionIndex - info.numImportedFunctions] = privateCode_->code(i);
  static_cast<VmctxHeader*>(vmctx_)->entryTable = privateEntries_.get();
  const VmctxLayout& layout = module_->layout();
  for (uint32_t f = info.numImportedFunctions; f < info.functions.size(); ++f)
    if (layout.hasRecord(f)) reinterpret_cast<FuncRef*>(at(layout.funcRecord(f)))->entry = entrySlot(f);
}

// DESIGN 6: a debug instance runs its own clone of the module's debug code,
// the only code a debugger patches.
std::optional<Error> Instance::attachDebugger(const InstanceOptions& options) {
  Result<const ModuleCode*> debugCode = module_->debugCode();
  if (!debugCode) return debugCode.error();
  Result<std::unique_ptr<Debugger>> debugger = Debugger::create(*this, *debugCode.value(), options.debugHandler);
  if (!debugger) {
    Error error = debugger.error();
    error.message = "cloning the module's code for debugging: " + error.message;
    return error;
  }
  usePrivateCode(debugger.value()->takeClone());
  debugger_ = std::move(debugger.value());
  static_cast<VmctxHeader*>(vmctx_)->debugTrap = debugTrapStub();
  if (options.stopAtFirstOperator) debugger_->breakAtNextOperator();
  return std::nullopt;
}

std::optional<Value> Instance::globalValue(uint32_t index) const {
  const ModuleInfo& info = module_->info();
  if (index >= info.globals.size()) return std::nullopt;
  const VmctxLayout& layout = module_->layout();
  const uint64_t* cell = layout.globalIsImported(index) ? *reinterpret_cast<uint64_t**>(at(layout.global(index)))
                                                        : reinterpret_cast<uint64_t*>(at(layout.global(index)));
  ValType type = info.globals[index].type.type;
  Value value;
  value.type = type;
  value.bits = isNarrow(type) ? (cell[0] & 0xffffffffu) : cell[0];
  if (type == ValType::V128) value.high = cell[1];
  return value;
}

InstantiateOutcome Instance::create(std::shared_ptr<const Module> module, std::span<const Extern> imports) {
  return create(std::move(module), imports, InstanceOptions{});
}

InstantiateOutcome Instance::create(std::shared_ptr<const Module> module, std::span<const Extern> imports,
                                    const InstanceOptions& options) {
  // Memories and tables report their own failures; this catches the rest of
  // the bookkeeping (element items, vectors sized by the module).
  try {
    return createUnguarded(std::move(module), imports, options);
  } catch (const std::bad_alloc&) {
    InstantiateOutcome outcome;
    outcome.error = linkError("out of host memory while instantiating");
    outcome.error->kind = ErrorKind::LimitExceeded;
    return outcome;
  }
}

InstantiateOutcome Instance::createUnguarded(std::shared_ptr<const Module> module, std::span<const Extern> imports,
                                             const InstanceOptions& options) {
  InstantiateOutcome outcome;
  std::shared_ptr<Instance> instance(new Instance(std::move(module)));
  if (!instance->vmctx_) {
    outcome.error = linkError("cannot allocate instance data");
    outcome.error->kind = ErrorKind::LimitExceeded;
    return outcome;
  }
  if (std::optional<Error> error = instance->link(imports, options)) {
    outcome.error = std::move(error);
    return outcome;
  }
  if (!instance->module_->engine().track(instance.get())) {
    outcome.error = linkError("the engine's limit of " +
                              std::to_string(instance->module_->engine().config().maxInstances) +
                              " live instances is reached");
    outcome.error->kind = ErrorKind::LimitExceeded;
    return outcome;
  }
  instance->tracked_ = true;
  outcome.trap = instance->initialize();
  outcome.instance = std::move(instance);
  return outcome;
}

std::optional<Error> Instance::link(std::span<const Extern> imports, const InstanceOptions& options) {
  const ModuleInfo& info = module_->info();
  const VmctxLayout& layout = module_->layout();
  auto* header = static_cast<VmctxHeader*>(vmctx_);
  header->helpers = builtinTable();
  header->entryTable = module_->entryTable();
  header->instance = this;
  setFuel(module_->engine().config().initialFuel);  // the start function runs on it
  for (uint32_t i = 0; i < info.types.size(); ++i)
    *reinterpret_cast<uint32_t*>(at(layout.sigId(i))) = module_->signatureIds()[i];

  if (imports.size() != info.imports.size())
    return linkError("the module has " + std::to_string(info.imports.size()) + " imports, " +
                     std::to_string(imports.size()) + " were provided");
  memories_.resize(info.memories.size());
  tables_.resize(info.tables.size());
  for (size_t i = 0; i < imports.size(); ++i) {
    const Import& import = info.imports[i];
    const Extern& provided = imports[i];
    // A function's signature compared in place: building both extern types
    // allocated their parameter lists, for every imported function.
    bool sameFunction = import.kind == ExternKind::Func && provided.kind == ExternKind::Func &&
                        provided.func.type == info.functionType(import.index);
    if (!sameFunction) {
      Status matches = checkImportMatches(provided.type(), importType(info, import));
      if (!matches)
        return linkError(matches.error().message + " for import \"" + import.module + "\" \"" + import.name + "\"");
    }
    switch (import.kind) {
      case ExternKind::Func:
        *reinterpret_cast<const FuncRef**>(at(layout.funcRefPtr(import.index))) = provided.func.ref;
        break;
      case ExternKind::Memory:
        if (provided.memory->strategy() != module_->memoryStrategy())
          return linkError(std::string("memory strategy mismatch for import \"") + import.module + "\" \"" +
                           import.name + "\": the module was compiled for " +
                           memoryStrategyName(module_->memoryStrategy()) + " memories");
        memories_[import.index] = provided.memory;
        *reinterpret_cast<MemoryDefinition**>(at(layout.memoryPtr(import.index))) = provided.memory->definition();
        break;
      case ExternKind::Table:
        tables_[import.index] = provided.table;
        *reinterpret_cast<TableDefinition**>(at(layout.table(import.index))) = provided.table->definition();
        break;
      case ExternKind::Global:
        *reinterpret_cast<uint64_t**>(at(layout.global(import.index))) = provided.global->cell();
        break;
    }
  }
  keepAlive_.reserve(imports.size());
  for (const Extern& provided : imports) {
    switch (provided.kind) {
      case ExternKind::Func: keepAlive_.push_back(provided.func.owner); break;
      case ExternKind::Table: keepAlive_.push_back(provided.table); break;
      case ExternKind::Memory: keepAlive_.push_back(provided.memory); break;
      case ExternKind::Global: keepAlive_.push_back(provided.global); break;
    }
  }

  for (uint32_t f = info.numImportedFunctions; f < info.functions.size(); ++f) {
    if (!layout.hasRecord(f)) continue;
    auto* rec = reinterpret_cast<FuncRef*>(at(layout.funcRecord(f)));
    rec->entry = entrySlot(f);
    rec->vmctx = vmctx_;
    rec->sigId = module_->signatureIds()[info.functions[f].typeIndex];
    *reinterpret_cast<FuncRef**>(at(layout.funcRefPtr(f))) = rec;
  }
  for (uint32_t m = info.numImportedMemories; m < info.memories.size(); ++m) {
    Result<std::shared_ptr<LinearMemory>> memory =
        LinearMemory::create(info.memories[m].type, module_->memoryStrategy(),
                             module_->engine().config().maxMemoryPages, module_->engine().resourceBudget(),
                             /*fixedBase=*/module_->engine().config().specializeInstances,
                             module_->engine().memoryPool());
    if (!memory) return resourceError("memory " + std::to_string(m), memory.error());
    memories_[m] = memory.value();
    auto* mirror = reinterpret_cast<MemoryDefinition*>(at(layout.memoryDef(m)));
    *mirror = *memories_[m]->definition();
    memories_[m]->setMirror(mirror);
    *reinterpret_cast<MemoryDefinition**>(at(layout.memoryPtr(m))) = memories_[m]->definition();
  }
  for (uint32_t t = info.numImportedTables; t < info.tables.size(); ++t) {
    Result<std::shared_ptr<Table>> table = Table::create(info.tables[t].type, 0, module_->engine().config().maxTableElements,
                                                         module_->engine().resourceBudget());
    if (!table) return resourceError("table " + std::to_string(t), table.error());
    tables_[t] = std::move(table.value());
    *reinterpret_cast<TableDefinition**>(at(layout.table(t))) = tables_[t]->definition();
  }
  for (uint32_t g = info.numImportedGlobals; g < info.globals.size(); ++g) {
    auto* cell = reinterpret_cast<uint64_t*>(at(layout.global(g)));
    const ConstExpr& init = info.globals[g].init;
    if (info.globals[g].type.type != ValType::V128) {
      cell[0] = evaluate(init);
    } else if (init.kind == ConstExpr::Kind::GlobalGet) {
      auto index = static_cast<uint32_t>(init.bits);
      const uint64_t* source = layout.globalIsImported(index)
                                   ? *reinterpret_cast<uint64_t**>(at(layout.global(index)))
                                   : reinterpret_cast<uint64_t*>(at(layout.global(index)));
      cell[0] = source[0];
      cell[1] = source[1];
    } else {
      cell[0] = init.bits;
      cell[1] = init.bitsHigh;
    }
  }
  if (options.debugHandler) {
    if (module_->engine().config().specializeInstances)
      return linkError("a specialized instance (EngineConfig::specializeInstances) cannot be debugged");
    return attachDebugger(options);
  }
  if (module_->engine().config().specializeInstances) return specialize();
  return std::nullopt;
}

uint64_t Instance::evaluate(const ConstExpr& expr) const {
  const VmctxLayout& layout = module_->layout();
  switch (expr.kind) {
    case ConstExpr::Kind::RefNull: return 0;
    case ConstExpr::Kind::RefFunc: return reinterpret_cast<uintptr_t>(record(static_cast<uint32_t>(expr.bits)));
    case ConstExpr::Kind::GlobalGet: {
      auto index = static_cast<uint32_t>(expr.bits);
      uint64_t value = layout.globalIsImported(index) ? **reinterpret_cast<uint64_t**>(at(layout.global(index)))
                                                      : *reinterpret_cast<uint64_t*>(at(layout.global(index)));
      return isNarrow(expr.type) ? (value & 0xffffffffu) : value;
    }
    default: return expr.bits;
  }
}

std::optional<Trap> Instance::initialize() {
  const ModuleInfo& info = module_->info();
  droppedData_.assign(info.data.size(), false);
  // Only a passive segment keeps its items (for table.init); an active one
  // goes straight into its table (its items are constant expressions without
  // side effects, so when they are evaluated does not show) and a
  // declarative one is dropped as it is made.
  elementItems_.resize(info.elements.size());
  for (size_t s = 0; s < info.elements.size(); ++s) {
    const ElementSegment& segment = info.elements[s];
    if (segment.mode == SegmentMode::Passive) {
      elementItems_[s].reserve(segment.items.size());
      for (const ConstExpr& item : segment.items) elementItems_[s].push_back(evaluate(item));
    } else if (segment.mode == SegmentMode::Active) {
      Table* target = tables_[segment.tableIndex].get();
      uint64_t offset = static_cast<uint32_t>(evaluate(segment.offset));
      if (offset + segment.items.size() > target->size()) return instantiationTrap(TrapKind::TableOutOfBounds);
      for (size_t i = 0; i < segment.items.size(); ++i)
        target->set(static_cast<uint32_t>(offset + i), evaluate(segment.items[i]));
    }
  }
  std::span<const uint8_t> bytes = module_->bytes();
  // A memory this instance defines starts from its module's image, mapped
  // copy-on-write, when it has one: its active segments are in it already.
  std::vector<bool> fromImage(memories_.size(), false);
  for (uint32_t m = info.numImportedMemories; m < memories_.size(); ++m)
    if (std::shared_ptr<const MemoryImage> image = module_->memoryImage(m))
      fromImage[m] = memories_[m]->mapImage(*image);
  for (size_t s = 0; s < info.data.size(); ++s) {
    const DataSegment& segment = info.data[s];
    if (segment.mode != SegmentMode::Active) continue;
    if (fromImage[segment.memoryIndex]) {
      droppedData_[s] = true;
      continue;
    }
    LinearMemory* target = memories_[segment.memoryIndex].get();
    uint64_t offset = static_cast<uint32_t>(evaluate(segment.offset));
    if (offset + segment.bytes.size > target->byteLength()) return instantiationTrap(TrapKind::MemoryOutOfBounds);
    if (segment.bytes.size) std::memcpy(target->data() + offset, bytes.data() + segment.bytes.offset, segment.bytes.size);
    droppedData_[s] = true;
  }
  if (info.startFunction) {
    FuncRef entry = localRecord(*info.startFunction);
    Func start{&entry, info.functionType(*info.startFunction), nullptr};
    CallOutcome outcome = call(start, {});
    if (outcome.trap) return outcome.trap;
  }
  return std::nullopt;
}

Extern Instance::exportOf(const Export& exp) {
  const ModuleInfo& info = module_->info();
  const VmctxLayout& layout = module_->layout();
  switch (exp.kind) {
    case ExternKind::Func:
      return Extern::of(Func{record(exp.index), info.functionType(exp.index), shared_from_this()});
    case ExternKind::Table: return Extern::of(tables_[exp.index]);
    case ExternKind::Memory: return Extern::of(memories_[exp.index]);
    case ExternKind::Global: {
      uint64_t* cell = layout.globalIsImported(exp.index) ? *reinterpret_cast<uint64_t**>(at(layout.global(exp.index)))
                                                          : reinterpret_cast<uint64_t*>(at(layout.global(exp.index)));
      return Extern::of(Global::view(info.globals[exp.index].type, cell, shared_from_this()));
    }
  }
  return {};
}

std::optional<Extern> Instance::exportByName(std::string_view name) {
  for (const Export& exp : module_->info().exports)
    if (exp.name == name) return exportOf(exp);
  return std::nullopt;
}

std::optional<Func> Instance::exportedFunction(std::string_view name) {
  std::optional<Extern> found = exportByName(name);
  if (!found || found->kind != ExternKind::Func) return std::nullopt;
  return found->func;
}

InstanceMemoryUsage Instance::memoryUsage() const {
  InstanceMemoryUsage usage;
  const ModuleInfo& info = module_->info();
  usage.instanceData = sizeof(Instance) + module_->layout().size() +
                       (memories_.capacity() + tables_.capacity()) * sizeof(void*) +
                       keepAlive_.capacity() * sizeof(std::shared_ptr<void>);
  for (uint32_t m = info.numImportedMemories; m < memories_.size(); ++m) {
    usage.linearMemory += memories_[m]->byteLength();
    usage.linearMemoryReserved += memories_[m]->reservedBytes();
  }
  for (uint32_t t = info.numImportedTables; t < tables_.size(); ++t) usage.tables += tables_[t]->byteSize();
  if (privateCode_) usage.privateCode = privateCode_->memory().mappedSize();
  return usage;
}

CallStatus call(const Func& func, std::span<const Value> args, std::span<Value> results, Trap& trap,
                std::string* mismatch) {
  const FuncType& type = func.type;
  auto wrong = [&](std::string why) {
    if (mismatch) *mismatch = std::move(why);
    return CallStatus::WrongArguments;
  };
  if (args.size() != type.params.size())
    return wrong("expected " + std::to_string(type.params.size()) + " arguments, got " + std::to_string(args.size()));
  if (results.size() != type.results.size())
    return wrong("room for " + std::to_string(results.size()) + " results, the function has " +
                 std::to_string(type.results.size()));
  size_t paramUnits = 0, resultUnits = 0;
  for (ValType t : type.params) paramUnits += argumentSlotUnits(t);
  for (ValType t : type.results) resultUnits += argumentSlotUnits(t);
  size_t numSlots = std::max(paramUnits, resultUnits);
  uint64_t inlineSlots[16];
  std::unique_ptr<uint64_t[]> heapSlots;
  uint64_t* slots = inlineSlots;
  if (numSlots > 16) {
    heapSlots = std::make_unique<uint64_t[]>(numSlots);
    slots = heapSlots.get();
  }
  for (size_t i = 0, unit = 0; i < args.size(); ++i) {
    if (args[i].type != type.params[i])
      return wrong("argument " + std::to_string(i) + " has type " + valTypeName(args[i].type) + ", expected " +
                   valTypeName(type.params[i]));
    slots[unit++] = args[i].bits;
    if (args[i].type == ValType::V128) slots[unit++] = args[i].high;
  }
  uint64_t maxStack = 0;
  if (Instance* owner = Instance::fromVmctx(func.ref->vmctx)) maxStack = owner->module().engine().config().maxWasmStackBytes;
  if (!invokeWasm(func.ref->vmctx, loadEntry(func.ref->entry), type, slots, trap, maxStack)) return CallStatus::Trapped;
  for (size_t i = 0, unit = 0; i < results.size(); ++i) {
    ValType t = type.results[i];
    if (t == ValType::V128) {
      results[i] = Value::v128(slots[unit], slots[unit + 1]);
      unit += 2;
    } else {
      results[i] = Value{t, isNarrow(t) ? (slots[unit] & 0xffffffffu) : slots[unit]};
      unit += 1;
    }
  }
  return CallStatus::Returned;
}

CallOutcome call(const Func& func, std::span<const Value> args) {
  CallOutcome outcome;
  outcome.results.resize(func.type.results.size());
  Trap trap;
  std::string mismatch;
  switch (call(func, args, outcome.results, trap, &mismatch)) {
    case CallStatus::Returned: break;
    case CallStatus::Trapped:
      outcome.results.clear();
      outcome.trap = std::move(trap);
      break;
    case CallStatus::WrongArguments:
      outcome.results.clear();
      outcome.error = std::move(mismatch);
      break;
  }
  return outcome;
}

Instance* Caller::instance() const {
  if (!resolved_) {
    instance_ = frameInstance(framePointer_, returnAddress_);
    resolved_ = true;
  }
  return instance_;
}

std::span<uint8_t> Caller::memory() const {
  Instance* caller = instance();
  if (!caller || caller->module().info().memories.empty()) return {};
  LinearMemory* memory = caller->memory(0);
  return {memory->data(), memory->byteLength()};
}

}  // namespace weft
