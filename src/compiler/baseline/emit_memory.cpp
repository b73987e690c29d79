// The memory and table operator families: loads and stores, memory.size and
// memory.grow, bulk memory and table operations (builtins), table accesses,
// and the threads proposal's atomics (shapes and operations read off the
// opcode list, format/opcodes.h).
#include "abi/trap_kind.h"
#include "abi/vmctx_layout.h"
#include "compiler/baseline/function_compiler.h"

namespace weft {
namespace {

// The access size of a memarg operator, from its natural alignment.
uint32_t accessSize(Opcode op) { return memoryAccessBytes(op); }

}  // namespace

// Whether the top value is a constant address the macro-assembler folds
// into the access (a C global's address, say).
bool FunctionCompiler::topIsConstantAddress(const Operator& op, uint32_t size) const {
  const Val& top = values_.at(values_.size() - 1);
  return top.loc == Loc::Const && MacroAssembler::constantAddressFits(op, static_cast<uint32_t>(top.bits), size);
}

bool FunctionCompiler::emitLoad(const Operator& op, uint32_t size, ValType type, bool signExtend) {
  if (topIsConstantAddress(op, size)) {
    auto address = static_cast<uint32_t>(values_.pop().bits);
    MacroAssembler::MemOperand m = masm_.wasmMemoryAt(op, address, size);
    masm_.recordSite(op.offset);
    if (inFpr(type)) {
      FpReg result = values_.allocFpr();
      masm_.loadFpr(result, type, m);
      values_.pushFpr(type, result);
    } else {
      GpReg result = values_.allocGpr();
      masm_.loadInteger(result, m, size, type, signExtend);
      values_.pushGpr(type, result);
    }
    return true;
  }
  // An index another value or a local shares is only read: the value goes
  // to a register of its own (made before the access, as making it may
  // store a spilled value).
  bool sharedIndex = values_.isShared(values_.size() - 1) && !MacroAssembler::wasmMemoryWritesIndex(op);
  GpReg index = sharedIndex ? values_.popToGprShared() : values_.popToGpr();
  if (inFpr(type)) {
    FpReg result = values_.allocFpr();
    MacroAssembler::MemOperand m = masm_.wasmMemory(op, index, size);
    masm_.recordSite(op.offset);
    masm_.loadFpr(result, type, m);
    values_.release(index);
    values_.pushFpr(type, result);
    return true;
  }
  GpReg result = sharedIndex ? values_.allocGpr() : index;  // else the index register takes the value
  MacroAssembler::MemOperand m = masm_.wasmMemory(op, index, size);
  masm_.recordSite(op.offset);
  masm_.loadInteger(result, m, size, type, signExtend);
  if (sharedIndex) values_.release(index);
  values_.pushGpr(type, result);
  return true;
}

bool FunctionCompiler::emitStore(const Operator& op, uint32_t size, ValType type) {
  Val value = values_.pop();
  GpReg valueReg;
  FpReg valueFpr;
  // A store of 4 bytes or fewer keeps the constant's low bits, whatever they are.
  bool immediate = !inFpr(type) && immediateOf(value, size == 8).has_value();
  if (inFpr(type)) valueFpr = values_.toFprShared(value);  // the store only reads it
  else if (!immediate) valueReg = values_.toGprShared(value);
  bool constantAddress = topIsConstantAddress(op, size);
  GpReg index;
  if (!constantAddress)
    index = MacroAssembler::wasmMemoryWritesIndex(op) ? values_.popToGpr() : values_.popToGprShared();
  MacroAssembler::MemOperand m = constantAddress ? masm_.wasmMemoryAt(op, static_cast<uint32_t>(values_.pop().bits), size)
                                                 : masm_.wasmMemory(op, index, size);
  masm_.recordSite(op.offset);
  if (inFpr(type)) {
    masm_.storeFpr(m, valueFpr, type);
    values_.release(valueFpr);
  } else if (immediate) {
    masm_.storeImmediate(m, size, static_cast<int64_t>(value.bits));
  } else {
    masm_.storeInteger(m, valueReg, size);
    values_.release(valueReg);
  }
  if (!constantAddress) values_.release(index);
  return true;
}

bool FunctionCompiler::emitMemory(const Operator& op) {
  using O = Opcode;
  constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32, F64 = ValType::F64;
  ValueStack& v = values_;
  switch (op.opcode) {
    case O::I32Load: case O::I64Load: case O::F32Load: case O::F64Load:
    case O::I32Load8U: case O::I32Load16U: case O::I64Load8U: case O::I64Load16U: case O::I64Load32U:
      return emitLoad(op, accessSize(op.opcode), opcodeInfo(op.opcode).sig.result, false);
    case O::I32Load8S: case O::I32Load16S: case O::I64Load8S: case O::I64Load16S: case O::I64Load32S:
      return emitLoad(op, accessSize(op.opcode), opcodeInfo(op.opcode).sig.result, true);
    case O::I32Store: case O::F32Store: case O::I32Store8: case O::I32Store16: return emitStore(op, accessSize(op.opcode), op.opcode == O::F32Store ? F32 : I32);
    case O::I64Store: case O::F64Store: case O::I64Store8: case O::I64Store16: case O::I64Store32:
      return emitStore(op, accessSize(op.opcode), op.opcode == O::F64Store ? F64 : I64);
    case O::MemorySize: {
      MacroAssembler::MemOperand length = masm_.memoryField(0, vmctx::kMemoryByteLength);
      GpReg r = v.allocGpr();
      masm_.memoryPages(r, length);
      v.pushGpr(I32, r);
      return true;
    }
    case O::MemoryGrow:
      emitBuiltinCall(BuiltinId::MemoryGrow, {0}, 1);
      pushBuiltinResultI32();
      return true;
    case O::MemoryInit:
      emitBuiltinCall(BuiltinId::MemoryInit, {0, op.index}, 3);
      masm_.trapIfResultNonZero(op.offset);
      return true;
    case O::DataDrop: emitBuiltinCall(BuiltinId::DataDrop, {op.index}, 0); return true;
    case O::MemoryCopy:
      emitBuiltinCall(BuiltinId::MemoryCopy, {0, 0}, 3);
      masm_.trapIfResultNonZero(op.offset);
      return true;
    case O::MemoryFill:
      emitBuiltinCall(BuiltinId::MemoryFill, {0}, 3);
      masm_.trapIfResultNonZero(op.offset);
      return true;
    case O::TableGet: {
      GpReg index = v.popToGpr();
      masm_.tableElements(index, layout_.table(op.index), op.offset);
      masm_.tableGet(index);
      v.pushGpr(module_.tables[op.index].type.element, index);
      return true;
    }
    case O::TableSet: {
      GpReg value = v.popToGpr();
      GpReg index = v.popToGpr();
      masm_.tableElements(index, layout_.table(op.index), op.offset);
      masm_.tableSet(index, value);
      v.release(value);
      v.release(index);
      return true;
    }
    case O::TableInit:
      emitBuiltinCall(BuiltinId::TableInit, {op.index2, op.index}, 3);
      masm_.trapIfResultNonZero(op.offset);
      return true;
    case O::ElemDrop: emitBuiltinCall(BuiltinId::ElemDrop, {op.index}, 0); return true;
    case O::TableCopy:
      emitBuiltinCall(BuiltinId::TableCopy, {op.index, op.index2}, 3);
      masm_.trapIfResultNonZero(op.offset);
      return true;
    case O::TableGrow:
      emitBuiltinCall(BuiltinId::TableGrow, {op.index}, 2);
      pushBuiltinResultI32();
      return true;
    case O::TableSize: {
      GpReg r = v.allocGpr();
      masm_.tableSize(r, layout_.table(op.index));
      v.pushGpr(I32, r);
      return true;
    }
    case O::TableFill:
      emitBuiltinCall(BuiltinId::TableFill, {op.index}, 3);
      masm_.trapIfResultNonZero(op.offset);
      return true;
    default:
      return unsupported(op, std::string("operator ") + opcodeName(op.opcode) + " in the baseline compiler");
  }
}

bool FunctionCompiler::emitAtomic(const Operator& op) {
  ValueStack& v = values_;
  const OpcodeInfo& info = opcodeInfo(op.opcode);
  ValType result = info.sig.result;
  // wait and notify: an i32, or a trap kind flagged in bit 63.
  auto builtinResult = [&]() {
    masm_.trapIfResultNegative(op.offset);
    pushBuiltinResultI32();
  };
  switch (atomicShape(op.opcode)) {
    case AtomicShape::Fence:
      masm_.fence();
      return true;
    case AtomicShape::Notify:
      emitBuiltinCall(BuiltinId::AtomicNotify, {op.memarg.offset}, 2);
      builtinResult();
      return true;
    case AtomicShape::Wait:
      emitBuiltinCall(op.opcode == Opcode::MemoryAtomicWait32 ? BuiltinId::AtomicWait32 : BuiltinId::AtomicWait64,
                      {op.memarg.offset}, 3);
      builtinResult();
      return true;
    case AtomicShape::Load: {
      uint32_t size = accessSize(op.opcode);
      GpReg index = v.popToGpr();
      MacroAssembler::MemOperand m = masm_.atomicMemory(op, index, size);
      masm_.atomicLoad(op.offset, index, m, size);
      v.pushGpr(result, index);
      return true;
    }
    case AtomicShape::Store: {
      uint32_t size = accessSize(op.opcode);
      GpReg value = v.popToGpr();
      GpReg index = v.popToGpr();
      MacroAssembler::MemOperand m = masm_.atomicMemory(op, index, size);
      masm_.atomicStore(op.offset, m, value, size);
      v.release(value);
      v.release(index);
      return true;
    }
    case AtomicShape::CompareExchange: {  // [address, expected, replacement]
      uint32_t size = accessSize(op.opcode);
      GpReg replacement = v.popToGpr();
      GpReg expected = v.popToGpr();
      GpReg index = v.popToGpr();
      MacroAssembler::MemOperand m = masm_.atomicMemory(op, index, size);
      masm_.atomicCompareExchange(op.offset, m, expected, replacement, size);
      v.release(replacement);
      v.release(index);
      v.pushGpr(result, expected);
      return true;
    }
    case AtomicShape::ReadModifyWrite: {
      uint32_t size = accessSize(op.opcode);
      GpReg value = v.popToGpr();
      GpReg index = v.popToGpr();
      MacroAssembler::MemOperand m = masm_.atomicMemory(op, index, size);
      masm_.atomicRmw(op.offset, atomicRmwOp(op.opcode), m, value, size);
      v.release(index);
      v.pushGpr(result, value);
      return true;
    }
  }
  return unsupported(op, std::string("operator ") + opcodeName(op.opcode) + " in the baseline compiler");
}

}  // namespace weft
