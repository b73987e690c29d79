// The SIMD operator family. Memory forms, lanes, splats and shuffles have
// their own shapes; whole-vector unary and binary operators (known by their
// signatures in the opcode list) go to the macro-assembler when it has an
// instruction sequence for them, and every other operator to the SIMD
// builtin, which works on the operands' frame slots.
#include "compiler/baseline/function_compiler.h"

namespace weft {
namespace {

bool isLaneMemoryOperator(Opcode op) {
  switch (opcodeInfo(op).imm) {
    case ImmKind::MemLane1: case ImmKind::MemLane2: case ImmKind::MemLane4: case ImmKind::MemLane8:
      return true;
    default:
      return false;
  }
}

bool isWholeVector(const OpSignature& sig, uint32_t numParams) {
  if (sig.special || sig.numParams != numParams || sig.result != ValType::V128) return false;
  for (uint32_t i = 0; i < numParams; ++i)
    if (sig.params[i] != ValType::V128) return false;
  return true;
}

}  // namespace

// Operands spilled to their slots, pointers to them passed, the result
// written over the first.
void FunctionCompiler::emitSimdBuiltin(const Operator& op) {
  const OpSignature& sig = opcodeInfo(op.opcode).sig;
  values_.spillAllForCall();
  uint32_t first = values_.size() - sig.numParams;
  Address operands[3];
  for (uint32_t i = 0; i < 3; ++i) operands[i] = values_.slot(first + std::min<uint32_t>(i, sig.numParams - 1u));
  masm_.simdBuiltinArguments(op.opcode, op.lane, values_.slot(first), operands);
  values_.truncate(first);
  masm_.callBuiltin(BuiltinId::SimdOperation);
  if (sig.result != ValType::Bottom) values_.pushSlot(sig.result);
}

bool FunctionCompiler::emitSimd(const Operator& op) {
  using O = Opcode;
  constexpr ValType V128 = ValType::V128;
  ValueStack& v = values_;
  const OpcodeInfo& info = opcodeInfo(op.opcode);
  switch (op.opcode) {
    case O::V128Const: v.pushConst(V128, op.bits, op.bitsHigh); return true;
    case O::V128Load: return emitLoad(op, 16, V128, false);
    case O::V128Store: return emitStore(op, 16, V128);
    case O::V128Load8x8S: case O::V128Load8x8U: case O::V128Load16x4S: case O::V128Load16x4U:
    case O::V128Load32x2S: case O::V128Load32x2U: case O::V128Load8Splat: case O::V128Load16Splat:
    case O::V128Load32Splat: case O::V128Load64Splat: case O::V128Load32Zero: case O::V128Load64Zero: {
      uint32_t size = memoryAccessBytes(op.opcode);
      GpReg index = v.popToGpr();
      MacroAssembler::MemOperand m = masm_.wasmMemory(op, index, size);
      FpReg x = v.allocFpr();
      masm_.recordSite(op.offset);
      masm_.vectorLoad(op.opcode, x, m);
      v.release(index);
      v.pushFpr(V128, x);
      return true;
    }
    case O::I8x16Shuffle: {
      FpReg b = v.popToFpr();
      FpReg a = v.popToFpr();
      masm_.shuffle(op.shuffleLanes, a, b);
      v.release(b);
      v.pushFpr(V128, a);
      return true;
    }
    case O::I32x4Splat: case O::I64x2Splat: case O::F32x4Splat: case O::F64x2Splat: {
      bool wide = op.opcode == O::I64x2Splat || op.opcode == O::F64x2Splat;
      FpReg x;
      if (inFpr(info.sig.params[0])) {
        x = v.popToFpr();
      } else {
        GpReg r = v.popToGpr();
        x = v.allocFpr();
        masm_.gprToLowLane(wide, x, r);
        v.release(r);
      }
      masm_.splatLowLane(wide, x);
      v.pushFpr(V128, x);
      return true;
    }
    case O::I8x16ExtractLaneS: case O::I8x16ExtractLaneU: case O::I16x8ExtractLaneS: case O::I16x8ExtractLaneU:
    case O::I32x4ExtractLane: case O::I64x2ExtractLane: {
      FpReg x = v.popToFpr();
      GpReg r = v.allocGpr();
      masm_.extractLane(op.opcode, r, x, op.lane);
      v.release(x);
      v.pushGpr(info.sig.result, r);
      return true;
    }
    case O::I8x16ReplaceLane: case O::I16x8ReplaceLane: case O::I32x4ReplaceLane: case O::I64x2ReplaceLane: {
      GpReg r = v.popToGpr();
      FpReg x = v.popToFpr();
      masm_.replaceLane(op.opcode, x, r, op.lane);
      v.release(r);
      v.pushFpr(V128, x);
      return true;
    }
    default:
      break;
  }
  if (isLaneMemoryOperator(op.opcode)) {
    bool isLoad = info.sig.result == V128;
    uint32_t size = memoryAccessBytes(op.opcode);
    FpReg x = v.popToFpr();
    GpReg index = v.popToGpr();
    MacroAssembler::MemOperand m = masm_.wasmMemory(op, index, size);
    masm_.recordSite(op.offset);
    masm_.laneLoadStore(isLoad, size, x, m, op.lane);
    v.release(index);
    if (isLoad) v.pushFpr(V128, x);
    else v.release(x);
    return true;
  }
  if (isWholeVector(info.sig, 1) && MacroAssembler::hasVectorUnary(op.opcode)) {
    FpReg x = v.popToFpr();
    masm_.vectorUnary(op.opcode, x);
    v.pushFpr(V128, x);
    return true;
  }
  if (isWholeVector(info.sig, 2) && MacroAssembler::hasVectorBinary(op.opcode)) {
    FpReg b = v.popToFpr();
    FpReg a = v.popToFpr();
    FpReg result = masm_.vectorBinary(op.opcode, a, b);
    v.release(result == a ? b : a);
    v.pushFpr(V128, result);
    return true;
  }
  emitSimdBuiltin(op);
  return true;
}

}  // namespace weft
