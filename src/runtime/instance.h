// An instance: one module's state (DESIGN 2) — the vmctx block that compiled
// code reaches through its vmctx register, and the memories, tables and globals it points at.
// It shares its Module's code with every other instance and costs only this.
//
// Instantiation follows the spec: match imports, build the vmctx, evaluate
// globals, run active element then data segments, then the start function.
// An instance is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "abi/entry_table.h"
#include "runtime/extern.h"
#include "runtime/module.h"
#include "runtime/trap.h"
#include "runtime/trap_handler.h"
#include "runtime/value.h"
#include "support/error.h"

namespace weft {

class Instance;
class DebugHandler;
class Debugger;

struct InstanceOptions {
  // Debugging (DESIGN 6, runtime/debugger.h): the instance runs a private
  // clone of the module's debug code (the module must come from an engine
  // with EngineConfig::debugging) and stops in {debugHandler} at its
  // breakpoints, steps and traps. Instance::debugger() sets breakpoints.
  std::shared_ptr<DebugHandler> debugHandler;
  // With a handler: stop at the first operator the instance runs (the start
  // function's, else the first call's).
  bool stopAtFirstOperator = false;
};

struct InstantiateOutcome {
  // Set on success, and also when instantiation trapped after segments had
  // already written into imported tables or memories: those writes stay and
  // may refer to this instance, which must then stay alive (spec 2.0).
  std::shared_ptr<Instance> instance;
  std::optional<Error> error;  // link or resource failure; nothing was run
  std::optional<Trap> trap;    // a segment or the start function trapped
  bool ok() const { return instance && !error && !trap; }
};

struct CallOutcome {
  std::vector<Value> results;
  std::optional<Trap> trap;
  std::optional<std::string> error;  // wrong argument count or types; nothing ran
  bool ok() const { return !trap && !error; }
};

// Calls any function (wasm or host) with typed arguments.
CallOutcome call(const Func& func, std::span<const Value> args);

// The same, with no allocation (up to 16 slots of arguments or results) and
// nothing to build per call: the results go to {results}, which must hold
// exactly as many as the function has; {trap} is filled when it traps;
// {mismatch}, when given, says what was wrong with the arguments or the room
// for results (nothing ran).
enum class CallStatus : uint8_t { Returned, Trapped, WrongArguments };
CallStatus call(const Func& func, std::span<const Value> args, std::span<Value> results, Trap& trap,
                std::string* mismatch = nullptr);

// The fast path for hosts that call one export many times: no type checks and
// no allocation. {slots} holds the arguments as Value::bits and receives the
// results; it must have max(params, results) entries. The caller is
// responsible for the types (check func.type once). Returns false on a trap.
inline bool callUnchecked(const Func& func, uint64_t* slots, uint32_t numSlots, Trap& trap) {
  (void)numSlots;
  return invokeWasm(func.ref->vmctx, loadEntry(func.ref->entry), func.type, slots, trap);
}

// What an instance holds, by kind (DESIGN 9); code is the Module's, not here.
struct InstanceMemoryUsage {
  uint64_t instanceData = 0;   // vmctx block and the Instance object
  uint64_t linearMemory = 0;   // committed bytes of memories it defines
  uint64_t linearMemoryReserved = 0;  // address space reserved for them
  uint64_t tables = 0;         // element storage of tables it defines
  uint64_t privateCode = 0;    // a specialized instance's own code, or a debug instance's clone
};

class Instance : public std::enable_shared_from_this<Instance> {
 public:
  // {imports} in the module's import order.
  static InstantiateOutcome create(std::shared_ptr<const Module> module, std::span<const Extern> imports);
  static InstantiateOutcome create(std::shared_ptr<const Module> module, std::span<const Extern> imports,
                                   const InstanceOptions& options);
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  const Module& module() const { return *module_; }
  std::optional<Extern> exportByName(std::string_view name);
  std::optional<Func> exportedFunction(std::string_view name);
  // Export {index} of the module's export section (index < exports.size()).
  Extern exportAt(uint32_t index) { return exportOf(module_->info().exports[index]); }
  // A specialized instance's own code (EngineConfig::specializeInstances), or
  // a debug instance's clone, else null.
  const ModuleCode* privateCode() const { return privateCode_.get(); }
  // A debug instance's debugger (InstanceOptions::debugHandler), else null.
  Debugger* debugger() const { return debugger_.get(); }
  // The value of global {index} (imported or defined); nullopt past the last.
  std::optional<Value> globalValue(uint32_t index) const;
  InstanceMemoryUsage memoryUsage() const;
  // Interruption of this instance only (Engine::interrupt for all of them):
  // its code traps "interrupted" at the next loop header, entry of a function
  // that calls, or return from a host function, until clearInterrupt(). Code of another
  // instance it calls into runs on. Thread-safe.
  void interrupt();
  void clearInterrupt();
  bool interrupted() const;
  // Fuel (EngineConfig::consumeFuel; without it these do nothing and fuel()
  // is 0): what is left, starting at EngineConfig::initialFuel. After an "out
  // of fuel" trap it is 0. Only while no call into the instance runs: its
  // code updates the count without synchronization.
  void setFuel(uint64_t fuel);
  void addFuel(uint64_t fuel);  // saturates
  uint64_t fuel() const;

  // ---- for the runtime helpers ----
  void* vmctx() const { return vmctx_; }
  static Instance* fromVmctx(void* vmctx) { return static_cast<Instance*>(static_cast<VmctxHeader*>(vmctx)->instance); }
  LinearMemory* memory(uint32_t index) const { return memories_[index].get(); }
  Table* table(uint32_t index) const { return tables_[index].get(); }
  bool dataDropped(uint32_t segment) const { return droppedData_[segment]; }
  void dropData(uint32_t segment) { droppedData_[segment] = true; }
  // The evaluated items of an element segment; empty once dropped.
  const std::vector<uintptr_t>& elementItems(uint32_t segment) const { return elementItems_[segment]; }
  void dropElement(uint32_t segment) { elementItems_[segment].clear(); elementItems_[segment].shrink_to_fit(); }

 private:
  explicit Instance(std::shared_ptr<const Module> module);
  static InstantiateOutcome createUnguarded(std::shared_ptr<const Module> module, std::span<const Extern> imports,
                                            const InstanceOptions& options);
  std::optional<Error> link(std::span<const Extern> imports, const InstanceOptions& options);
  std::optional<Error> specialize();
  std::optional<Error> attachDebugger(const InstanceOptions& options);
  // Runs {code} instead of the module's: its own entry table, its records.
  void usePrivateCode(std::unique_ptr<ModuleCode> code);
  // Where a call to defined function {functionIndex} finds its code: the
  // module's entry table, or a specialized instance's own.
  const void* const* entrySlot(uint32_t functionIndex) const;
  uint64_t evaluate(const ConstExpr& expr) const;
  std::optional<Trap> initialize();
  Extern exportOf(const Export& exp);
  FuncRef* record(uint32_t functionIndex) const;  // imports and escaping functions
  FuncRef localRecord(uint32_t functionIndex) const;  // any function, by value
  uint8_t* at(int32_t offset) const { return static_cast<uint8_t*>(vmctx_) + offset; }

  std::shared_ptr<const Module> module_;
  void* vmctx_ = nullptr;
  std::vector<std::shared_ptr<LinearMemory>> memories_;
  std::vector<std::shared_ptr<Table>> tables_;
  std::vector<std::shared_ptr<void>> keepAlive_;  // the providers of its imports
  std::unique_ptr<ModuleCode> privateCode_;          // specialized and debug instances only
  std::unique_ptr<const void*[]> privateEntries_;   // their entry table
  std::unique_ptr<Debugger> debugger_;               // debug instances only (after the code it patches)
  std::vector<bool> droppedData_;
  std::vector<std::vector<uintptr_t>> elementItems_;
  bool tracked_ = false;
};

}  // namespace weft
