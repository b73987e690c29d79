// The state of one function's translation to LLVM IR (function_translator.h):
// control flow, calls, locals and globals in function_translator.cpp; the
// numeric operators in translate_numeric.cpp; memory, tables and bulk
// operations in translate_memory.cpp; atomics in translate_atomic.cpp; SIMD
// in translate_simd.cpp.
// Internal to the optimizing tier.
#pragma once

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "abi/builtins.h"
#include "abi/trap_kind.h"
#include "abi/vmctx_layout.h"
#include "compiler/fuel_runs.h"
#include "compiler/tier_compiler.h"
#include "validation/operator_iterator.h"

namespace weft {

class Translator {
 public:
  Translator(const CompileInput& input, uint32_t functionIndex, ValidatorScratch& scratch, llvm::Module& module);
  ~Translator();
  Status translate();

 private:
  // The alias classes of everything compiled code loads or stores.
  enum class Alias { Vmctx, Memory, Table, Global, Frame };

  struct Control {
    ControlKind kind = ControlKind::Block;
    BlockSignature signature;
    size_t height = 0;                      // stack height below the block's parameters
    bool dead = false;                      // opened in unreachable code: emits nothing
    llvm::BasicBlock* end = nullptr;        // where the block continues
    llvm::BasicBlock* header = nullptr;     // a loop's head
    llvm::BasicBlock* elseBlock = nullptr;  // an if's false path, until its else
    std::vector<llvm::PHINode*> endValues;  // the block's results at {end}
    std::vector<llvm::PHINode*> headValues; // a loop's parameters at {header}
    std::vector<llvm::Value*> ifParams;     // an if's parameters, for its else
  };

  Error internalError(uint32_t offset, std::string message) const;
  bool unsupported(const Operator& op);

  // ---- types and values ----
  llvm::Type* typeOf(ValType type);
  llvm::Value* pop() {
    llvm::Value* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  void push(llvm::Value* value) { stack_.push_back(value); }
  llvm::Value* i32(uint64_t v) { return builder_.getInt32(static_cast<uint32_t>(v)); }
  llvm::Value* i64(uint64_t v) { return builder_.getInt64(v); }
  llvm::Value* boolToI32(llvm::Value* condition) { return builder_.CreateZExt(condition, builder_.getInt32Ty()); }
  llvm::Value* isNonZero(llvm::Value* v) {
    return builder_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
  }
  llvm::Value* zeroOf(ValType type);

  // ---- instance data ----
  llvm::Value* vmctxAddress(int32_t offset) { return builder_.CreateConstInBoundsGEP1_64(builder_.getInt8Ty(), vmctx_, offset); }
  // A load of {type} at {base}+{offset} in alias class {alias}; {invariant}:
  // the value never changes while the function runs for this instance.
  llvm::LoadInst* load(llvm::Type* type, llvm::Value* base, int64_t offset, Alias alias, bool invariant = false);
  llvm::StoreInst* store(llvm::Value* value, llvm::Value* base, int64_t offset, Alias alias);
  void tag(llvm::Instruction* access, Alias alias);
  // A linear-memory access (load, store, atomic), tagged. In the guard
  // strategy the access is its own bounds check: out of bounds, it faults on
  // the guard region. So it has to run as the bytecode says, at full width,
  // in order with the other accesses, even when nothing uses its value, and
  // it is made volatile, the one thing LLVM neither deletes, narrows, merges
  // nor reorders. Left to itself, LLVM deletes a load whose value it finds
  // dead (fuzzing found loads under traps and branches LLVM knew were
  // certain, and a mask whose lanes demanded-bits analysis found unused);
  // reads one byte for `load & 0xff`, missing the fault of an access that
  // straddles the end of memory; and merges two adjacent stores into one,
  // which faults before the in-bounds half is written. In the bounds-checked
  // strategy an explicit check precedes the access, which LLVM may then
  // optimize freely.
  template <typename Access>
  Access* linearMemory(Access* access) {
    tag(access, Alias::Memory);
    if (strategy_ == MemoryStrategy::Guard) access->setVolatile(true);
    return access;
  }
  llvm::Align alignmentOf(llvm::Type* type) const;
  llvm::Value* builtin(BuiltinId id);  // the builtin's address, from the vmctx's table
  llvm::CallInst* callBuiltin(BuiltinId id, llvm::FunctionType* type, std::initializer_list<llvm::Value*> args);

  // ---- traps ----
  // Branches to a trap of {kind} at {offset} when {condition} holds.
  void trapIf(llvm::Value* condition, TrapKind kind, uint32_t offset);
  // Traps with the kind in {kindValue} (a builtin's nonzero result).
  void trapIfNonZero(llvm::Value* kindValue, uint32_t offset);
  void trapNow(llvm::Value* kind, uint32_t offset);

  // ---- frame and control flow ----
  void emitEntry();
  llvm::BasicBlock* newBlock(const char* name);
  void enterBlock(llvm::BasicBlock* block);
  void becomeUnreachable();
  std::vector<llvm::PHINode*> phisFor(std::span<const ValType> types, llvm::BasicBlock* block);
  void addIncoming(std::vector<llvm::PHINode*>& phis, size_t count);
  void branchTo(uint32_t depth);  // from the current block, with the top values
  Control& control(uint32_t depth) { return controls_[controls_.size() - 1 - depth]; }
  bool translateOperator(const Operator& op);
  // Fuel runs (compiler/fuel_runs.h): the charge at a run's start, priced
  // when the run ends.
  llvm::BinaryOperator* chargeFuel(uint32_t offset);
  Control openControl(ControlKind kind, const Operator& op, const char* endName);
  void startBlock(const Operator& op);
  void startLoop(const Operator& op);
  void startIf(const Operator& op);
  void translateElse();
  void translateEnd();
  void translateBrIf(const Operator& op);
  void translateBrTable(const Operator& op);
  void emitReturn(std::span<llvm::Value* const> results);

  // ---- calls ----
  llvm::FunctionType* wasmFunctionType(const FuncType& type);
  void callWasm(const FuncType& type, llvm::Value* code, llvm::Value* calleeVmctx);
  void callFuncRef(const FuncType& type, llvm::Value* funcRef);
  void translateCall(const Operator& op);
  void translateCallIndirect(const Operator& op);

  // ---- locals and globals ----
  llvm::Value* globalAddress(uint32_t index, int64_t& offset);
  void translateGlobalGet(const Operator& op);
  void translateGlobalSet(const Operator& op);

  // ---- operator families ----
  bool translateNumeric(const Operator& op);  // translate_numeric.cpp
  llvm::Value* checkedTruncate(const Operator& op, llvm::Value* x, ValType to, bool isSigned);
  llvm::Value* floatMinMax(llvm::Intrinsic::ID id, llvm::Value* l, llvm::Value* r);
  llvm::Value* intDivision(const Operator& op, llvm::Value* lhs, llvm::Value* rhs, bool isSigned, bool remainder);
  bool translateMemory(const Operator& op);   // translate_memory.cpp
  bool translateAtomic(const Operator& op);   // translate_atomic.cpp
  bool translateSimd(const Operator& op);     // translate_simd.cpp
  llvm::VectorType* vectorType(uint32_t lanes, uint32_t bits, bool isFloat);
  llvm::Value* asVector(llvm::Value* v128, llvm::VectorType* type);
  llvm::Value* toV128(llvm::Value* vector);
  llvm::Value* atomicAddress(const Operator& op, llvm::Value* index, uint32_t size);
  llvm::Value* memoryDefinition();
  llvm::Value* memoryAddress(const Operator& op, llvm::Value* index, uint32_t size);
  llvm::Value* specializedMemoryAddress(const Operator& op, llvm::Value* wideIndex, uint32_t size);
  llvm::Value* tableDefinition(uint32_t table);
  llvm::Value* tableSlot(uint32_t table, llvm::Value* index, uint32_t offset);

  const ModuleInfo& module_;
  const VmctxLayout& layout_;
  MemoryStrategy strategy_;
  bool countsFuel_;
  FuelRun<llvm::BinaryOperator*> fuel_;  // price: the subtraction's operand
  const InstanceSpecialization* specialization_;  // null: shared code
  uint32_t functionIndex_;
  const FuncType& type_;
  OperatorIterator it_;
  llvm::Module& llvmModule_;
  llvm::LLVMContext& context_;
  llvm::IRBuilder<> builder_;
  llvm::MDBuilder metadata_;
  llvm::DIBuilder debugInfo_;
  llvm::DISubprogram* subprogram_ = nullptr;
  llvm::Function* function_ = nullptr;
  llvm::Value* vmctx_ = nullptr;
  llvm::Value* resultsBuffer_ = nullptr;
  llvm::MDNode* aliasTags_[5] = {};
  llvm::MDNode* invariant_ = nullptr;
  std::vector<llvm::AllocaInst*> locals_;
  std::vector<ValType> localTypes_;
  std::vector<llvm::Value*> stack_;
  std::vector<Control> controls_;
  std::vector<llvm::BasicBlock*> created_;  // every block, until a function owns it
  bool reachable_ = true;
  std::optional<Error> failure_;
};

}  // namespace weft
