// The threads proposal's atomics as LLVM IR (translator.h): sequentially
// consistent atomic loads, stores, read-modify-writes and compare-exchanges
// on the guest's memory, after the natural-alignment check wasm requires
// (an unaligned atomic traps; it is checked before the bounds, as the
// baseline does); wait and notify through the runtime's builtins.
#include "compiler/optimizing/translator.h"

namespace weft {
namespace {

llvm::AtomicRMWInst::BinOp rmwOperation(AtomicRmwOp op) {
  switch (op) {
    case AtomicRmwOp::Add: return llvm::AtomicRMWInst::Add;
    case AtomicRmwOp::Sub: return llvm::AtomicRMWInst::Sub;
    case AtomicRmwOp::And: return llvm::AtomicRMWInst::And;
    case AtomicRmwOp::Or: return llvm::AtomicRMWInst::Or;
    case AtomicRmwOp::Xor: return llvm::AtomicRMWInst::Xor;
    case AtomicRmwOp::Xchg: return llvm::AtomicRMWInst::Xchg;
  }
  return llvm::AtomicRMWInst::Xchg;
}

}  // namespace

llvm::Value* Translator::atomicAddress(const Operator& op, llvm::Value* index, uint32_t size) {
  if (size > 1) {
    llvm::Value* effective = builder_.CreateAdd(builder_.CreateZExt(index, builder_.getInt64Ty()), i64(op.memarg.offset));
    llvm::Value* misaligned = isNonZero(builder_.CreateAnd(effective, i64(size - 1)));
    trapIf(misaligned, TrapKind::UnalignedAtomic, op.offset);
  }
  return memoryAddress(op, index, size);
}

bool Translator::translateAtomic(const Operator& op) {
  llvm::IRBuilder<>& b = builder_;
  uint32_t size = memoryAccessBytes(op.opcode);
  ValType resultType = opcodeInfo(op.opcode).sig.result;
  llvm::Type* memoryType = b.getIntNTy(8 * size);
  llvm::Align align(size);
  constexpr auto kSeqCst = llvm::AtomicOrdering::SequentiallyConsistent;
  auto widen = [&](llvm::Value* narrow) {
    llvm::Type* wanted = typeOf(resultType);
    return narrow->getType() == wanted ? narrow : b.CreateZExt(narrow, wanted);
  };
  auto narrow = [&](llvm::Value* value) {
    return value->getType() == memoryType ? value : b.CreateTrunc(value, memoryType);
  };
  // A builtin returning a count or kBuiltinTrapBit | trap kind.
  auto waitOrNotify = [&](BuiltinId id, std::vector<llvm::Value*> operands) {
    std::vector<llvm::Type*> params{b.getPtrTy(), b.getInt32Ty()};
    std::vector<llvm::Value*> args{vmctx_, i32(op.memarg.offset)};
    for (llvm::Value* operand : operands) {
      params.push_back(operand->getType());
      args.push_back(operand);
    }
    llvm::Value* result = b.CreateCall(llvm::FunctionType::get(b.getInt64Ty(), params, false), builtin(id), args);
    llvm::BasicBlock* trap = newBlock("trap");
    llvm::BasicBlock* next = newBlock("ok");
    b.CreateCondBr(b.CreateICmpSLT(result, i64(0)), trap, next, metadata_.createBranchWeights(1, 1u << 20));
    enterBlock(trap);
    trapNow(b.CreateTrunc(result, b.getInt32Ty()), op.offset);
    enterBlock(next);
    push(b.CreateTrunc(result, b.getInt32Ty()));
    return true;
  };

  switch (atomicShape(op.opcode)) {
    case AtomicShape::Fence:
      b.CreateFence(kSeqCst);
      return true;
    case AtomicShape::Notify: {
      llvm::Value* count = pop();
      llvm::Value* address = pop();
      return waitOrNotify(BuiltinId::AtomicNotify, {address, count});
    }
    case AtomicShape::Wait: {
      llvm::Value* timeout = pop();
      llvm::Value* expected = pop();
      llvm::Value* address = pop();
      BuiltinId id = op.opcode == Opcode::MemoryAtomicWait32 ? BuiltinId::AtomicWait32 : BuiltinId::AtomicWait64;
      return waitOrNotify(id, {address, expected, timeout});
    }
    case AtomicShape::Load: {
      llvm::Value* address = atomicAddress(op, pop(), size);
      llvm::LoadInst* value = b.CreateAlignedLoad(memoryType, address, align);
      value->setAtomic(kSeqCst);
      linearMemory(value);
      push(widen(value));
      return true;
    }
    case AtomicShape::Store: {
      llvm::Value* value = narrow(pop());
      llvm::Value* address = atomicAddress(op, pop(), size);
      llvm::StoreInst* access = b.CreateAlignedStore(value, address, align);
      access->setAtomic(kSeqCst);
      linearMemory(access);
      return true;
    }
    case AtomicShape::ReadModifyWrite: {
      llvm::Value* value = narrow(pop());
      llvm::Value* address = atomicAddress(op, pop(), size);
      llvm::AtomicRMWInst* old = b.CreateAtomicRMW(rmwOperation(atomicRmwOp(op.opcode)), address, value, align, kSeqCst);
      linearMemory(old);
      push(widen(old));
      return true;
    }
    case AtomicShape::CompareExchange: {
      llvm::Value* replacement = narrow(pop());
      llvm::Value* expected = narrow(pop());
      llvm::Value* address = atomicAddress(op, pop(), size);
      llvm::AtomicCmpXchgInst* exchange = b.CreateAtomicCmpXchg(address, expected, replacement, align, kSeqCst, kSeqCst);
      linearMemory(exchange);
      push(widen(b.CreateExtractValue(exchange, 0)));
      return true;
    }
  }
  return unsupported(op);
}

}  // namespace weft
