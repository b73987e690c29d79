// Linear memory, tables and the bulk operations as LLVM IR (translator.h).
//
// An access is base + zero-extended index + offset, computed in 64 bits (no
// wrap), with the access size checked against the byte length in the
// bounds-checked strategy; in the guard strategy the reservation behind the
// base catches it (DESIGN 6). The memory definition's base and length are
// loads tagged as instance data: invariant for a guard memory (its base never
// moves) and for a memory whose maximum is its minimum (it never grows), plain
// otherwise: a call may grow a bounds-checked memory and move it.
//
// A private copy for one instance (DESIGN 7, specialized) has the base as a
// constant, and the byte length too when the memory cannot grow. A memory
// that can grow keeps its length in instance data, loaded as in shared code:
// a constant would have to be patched in the code at every memory.grow (what
// engines did before they shared code); comparing with the length at compile
// time and again, out of line, with the current one made every access past
// the first growth pay two checks (memops: 2x slower than shared code).
#include "compiler/optimizing/translator.h"

namespace weft {
llvm::Value* Translator::memoryDefinition() {
  if (layout_.memoryIsImported(0)) return load(builder_.getPtrTy(), vmctx_, layout_.memoryPtr(0), Alias::Vmctx, true);
  return vmctxAddress(layout_.memoryDef(0));
}

llvm::Value* Translator::specializedMemoryAddress(const Operator& op, llvm::Value* wideIndex, uint32_t size) {
  if (strategy_ != MemoryStrategy::Guard) {
    llvm::Value* end = builder_.CreateAdd(wideIndex, i64(uint64_t{op.memarg.offset} + size));
    llvm::Value* length = specialization_->memoryBytesFinal
                              ? i64(specialization_->memoryBytes)
                              : load(builder_.getInt64Ty(), memoryDefinition(), vmctx::kMemoryByteLength, Alias::Vmctx);
    trapIf(builder_.CreateICmpUGT(end, length), TrapKind::MemoryOutOfBounds, op.offset);
  }
  llvm::Value* base = llvm::ConstantExpr::getIntToPtr(builder_.getInt64(specialization_->memoryBase), builder_.getPtrTy());
  llvm::Value* effective = builder_.CreateAdd(wideIndex, i64(op.memarg.offset));
  return builder_.CreateGEP(builder_.getInt8Ty(), base, effective);
}

llvm::Value* Translator::memoryAddress(const Operator& op, llvm::Value* index, uint32_t size) {
  llvm::Value* wideIndex = builder_.CreateZExt(index, builder_.getInt64Ty());
  if (specialization_) return specializedMemoryAddress(op, wideIndex, size);
  llvm::Value* definition = memoryDefinition();
  bool guard = strategy_ == MemoryStrategy::Guard;
  const Limits& limits = module_.memories[0].type.limits;
  bool fixedSize = limits.max && *limits.max == limits.min;  // an import's actual limits lie within these
  if (!guard) {
    llvm::Value* length = load(builder_.getInt64Ty(), definition, vmctx::kMemoryByteLength, Alias::Vmctx, fixedSize);
    llvm::Value* end = builder_.CreateAdd(wideIndex, i64(uint64_t{op.memarg.offset} + size));
    trapIf(builder_.CreateICmpUGT(end, length), TrapKind::MemoryOutOfBounds, op.offset);
  }
  llvm::Value* base = load(builder_.getPtrTy(), definition, vmctx::kMemoryBase, Alias::Vmctx, guard || fixedSize);
  llvm::Value* effective = builder_.CreateAdd(wideIndex, i64(op.memarg.offset));
  return builder_.CreateGEP(builder_.getInt8Ty(), base, effective);
}

llvm::Value* Translator::tableDefinition(uint32_t table) {
  return load(builder_.getPtrTy(), vmctx_, layout_.table(table), Alias::Vmctx, true);
}

llvm::Value* Translator::tableSlot(uint32_t table, llvm::Value* index, uint32_t offset) {
  llvm::Value* definition = tableDefinition(table);
  llvm::Value* length = load(builder_.getInt32Ty(), definition, vmctx::kTableLength, Alias::Table);
  trapIf(builder_.CreateICmpUGE(index, length), TrapKind::TableOutOfBounds, offset);
  llvm::Value* elements = load(builder_.getPtrTy(), definition, vmctx::kTableElements, Alias::Table);
  return builder_.CreateInBoundsGEP(builder_.getInt64Ty(), elements, builder_.CreateZExt(index, builder_.getInt64Ty()));
}

bool Translator::translateMemory(const Operator& op) {
  using O = Opcode;
  llvm::IRBuilder<>& b = builder_;
  llvm::Type* I32 = b.getInt32Ty();
  llvm::Type* I64 = b.getInt64Ty();
  llvm::Type* ptr = b.getPtrTy();

  auto loadAs = [&](llvm::Type* memoryType, ValType result, bool signExtend) {
    llvm::Value* address = memoryAddress(op, pop(), memoryAccessBytes(op.opcode));
    llvm::LoadInst* value = linearMemory(b.CreateAlignedLoad(memoryType, address, llvm::MaybeAlign(1)));
    llvm::Type* wanted = typeOf(result);
    if (memoryType == wanted) push(value);
    else push(signExtend ? b.CreateSExt(value, wanted) : b.CreateZExt(value, wanted));
    return true;
  };
  auto storeAs = [&](llvm::Type* memoryType) {
    llvm::Value* value = pop();
    llvm::Value* address = memoryAddress(op, pop(), memoryAccessBytes(op.opcode));
    if (value->getType() != memoryType) value = b.CreateTrunc(value, memoryType);
    linearMemory(b.CreateAlignedStore(value, address, llvm::MaybeAlign(1)));
    return true;
  };
  // A builtin (vmctx, immediates..., the top {operands} values) returning a
  // trap kind, 0 for success.
  auto bulk = [&](BuiltinId id, std::initializer_list<uint32_t> immediates, size_t operands) {
    std::vector<llvm::Type*> params{ptr};
    std::vector<llvm::Value*> args{vmctx_};
    for (uint32_t immediate : immediates) {
      params.push_back(I32);
      args.push_back(i32(immediate));
    }
    for (size_t i = stack_.size() - operands; i < stack_.size(); ++i) {
      params.push_back(stack_[i]->getType());
      args.push_back(stack_[i]);
    }
    stack_.resize(stack_.size() - operands);
    return b.CreateCall(llvm::FunctionType::get(I32, params, false), builtin(id), args);
  };
  auto bulkChecked = [&](BuiltinId id, std::initializer_list<uint32_t> immediates, size_t operands) {
    trapIfNonZero(bulk(id, immediates, operands), op.offset);
    return true;
  };
  auto voidBuiltin = [&](BuiltinId id, uint32_t immediate) {
    b.CreateCall(llvm::FunctionType::get(b.getVoidTy(), {ptr, I32}, false), builtin(id), {vmctx_, i32(immediate)});
    return true;
  };

  switch (op.opcode) {
    case O::I32Load: return loadAs(I32, ValType::I32, false);
    case O::I64Load: return loadAs(I64, ValType::I64, false);
    case O::F32Load: return loadAs(b.getFloatTy(), ValType::F32, false);
    case O::F64Load: return loadAs(b.getDoubleTy(), ValType::F64, false);
    case O::I32Load8S: return loadAs(b.getInt8Ty(), ValType::I32, true);
    case O::I32Load8U: return loadAs(b.getInt8Ty(), ValType::I32, false);
    case O::I32Load16S: return loadAs(b.getInt16Ty(), ValType::I32, true);
    case O::I32Load16U: return loadAs(b.getInt16Ty(), ValType::I32, false);
    case O::I64Load8S: return loadAs(b.getInt8Ty(), ValType::I64, true);
    case O::I64Load8U: return loadAs(b.getInt8Ty(), ValType::I64, false);
    case O::I64Load16S: return loadAs(b.getInt16Ty(), ValType::I64, true);
    case O::I64Load16U: return loadAs(b.getInt16Ty(), ValType::I64, false);
    case O::I64Load32S: return loadAs(I32, ValType::I64, true);
    case O::I64Load32U: return loadAs(I32, ValType::I64, false);
    case O::I32Store: case O::I64Store32: return storeAs(I32);
    case O::I64Store: return storeAs(I64);
    case O::F32Store: return storeAs(b.getFloatTy());
    case O::F64Store: return storeAs(b.getDoubleTy());
    case O::I32Store8: case O::I64Store8: return storeAs(b.getInt8Ty());
    case O::I32Store16: case O::I64Store16: return storeAs(b.getInt16Ty());
    case O::MemorySize: {
      llvm::Value* length = load(I64, memoryDefinition(), vmctx::kMemoryByteLength, Alias::Vmctx);
      push(b.CreateTrunc(b.CreateLShr(length, 16), I32));
      return true;
    }
    case O::MemoryGrow:
      push(bulk(BuiltinId::MemoryGrow, {0}, 1));
      return true;
    case O::MemoryInit: return bulkChecked(BuiltinId::MemoryInit, {0, op.index}, 3);
    case O::DataDrop: return voidBuiltin(BuiltinId::DataDrop, op.index);
    case O::MemoryCopy: return bulkChecked(BuiltinId::MemoryCopy, {0, 0}, 3);
    case O::MemoryFill: return bulkChecked(BuiltinId::MemoryFill, {0}, 3);
    case O::TableGet: {
      llvm::Value* slot = tableSlot(op.index, pop(), op.offset);
      llvm::LoadInst* value = b.CreateLoad(I64, slot);
      tag(value, Alias::Table);
      push(value);
      return true;
    }
    case O::TableSet: {
      llvm::Value* value = pop();
      llvm::Value* slot = tableSlot(op.index, pop(), op.offset);
      tag(b.CreateStore(value, slot), Alias::Table);
      return true;
    }
    case O::TableSize:
      push(load(I32, tableDefinition(op.index), vmctx::kTableLength, Alias::Table));
      return true;
    case O::TableGrow:
      push(bulk(BuiltinId::TableGrow, {op.index}, 2));
      return true;
    case O::TableFill: return bulkChecked(BuiltinId::TableFill, {op.index}, 3);
    case O::TableCopy: return bulkChecked(BuiltinId::TableCopy, {op.index, op.index2}, 3);
    case O::TableInit: return bulkChecked(BuiltinId::TableInit, {op.index2, op.index}, 3);
    case O::ElemDrop: return voidBuiltin(BuiltinId::ElemDrop, op.index);
    default:
      return unsupported(op);
  }
}

}  // namespace weft
