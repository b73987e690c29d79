// The SIMD operator family. Memory forms, lanes, splats, shuffles, shifts,
// tests and bitselect have their own shapes; whole-vector unary and binary
// operators (known by their signatures in the opcode list) go to the
// macro-assembler's sequences. Every operator is compiled inline: there is no
// SIMD builtin to fall back on.
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
    case O::I8x16Splat: case O::I16x8Splat: case O::I32x4Splat: case O::I64x2Splat: {
      GpReg r = v.popToGprShared();
      FpReg x = v.allocFpr();
      masm_.splat(op.opcode, x, r);
      v.release(r);
      v.pushFpr(V128, x);
      return true;
    }
    case O::F32x4Splat: case O::F64x2Splat: {
      FpReg x = v.popToFpr();
      masm_.splatFloat(op.opcode == O::F64x2Splat, x);
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
    case O::F32x4ExtractLane: case O::F64x2ExtractLane: {
      FpReg x = v.popToFpr();
      masm_.extractFloatLane(op.opcode, x, op.lane);
      v.pushFpr(info.sig.result, x);
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
    case O::F32x4ReplaceLane: case O::F64x2ReplaceLane: {
      FpReg f = v.popToFpr();
      FpReg x = v.popToFpr();
      masm_.replaceFloatLane(op.opcode, x, f, op.lane);
      v.release(f);
      v.pushFpr(V128, x);
      return true;
    }
    case O::I8x16Shl: case O::I8x16ShrS: case O::I8x16ShrU: case O::I16x8Shl: case O::I16x8ShrS:
    case O::I16x8ShrU: case O::I32x4Shl: case O::I32x4ShrS: case O::I32x4ShrU: case O::I64x2Shl:
    case O::I64x2ShrS: case O::I64x2ShrU: {
      Val count = v.pop();
      FpReg x = v.popToFpr();
      if (count.loc == Loc::Const) {
        masm_.vectorShiftByConstant(op.opcode, x, static_cast<uint32_t>(count.bits));
      } else {
        GpReg rc = v.toGprShared(count);
        masm_.vectorShift(op.opcode, x, rc);
        v.release(rc);
      }
      v.pushFpr(V128, x);
      return true;
    }
    case O::V128AnyTrue: case O::I8x16AllTrue: case O::I16x8AllTrue: case O::I32x4AllTrue: case O::I64x2AllTrue:
    case O::I8x16Bitmask: case O::I16x8Bitmask: case O::I32x4Bitmask: case O::I64x2Bitmask: {
      FpReg x = v.popToFpr();
      GpReg r = v.allocGpr();
      masm_.vectorTest(op.opcode, r, x);
      v.release(x);
      v.pushGpr(ValType::I32, r);
      return true;
    }
    case O::V128Bitselect: {
      FpReg mask = v.popToFpr();
      FpReg b = v.popToFpr();
      FpReg a = v.popToFpr();
      masm_.bitselect(a, b, mask);
      v.release(b);
      v.release(mask);
      v.pushFpr(V128, a);
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
  if (isWholeVector(info.sig, 1)) {
    FpReg x = v.popToFpr();
    masm_.vectorUnary(op.opcode, x);
    v.pushFpr(V128, x);
    return true;
  }
  if (isWholeVector(info.sig, 2)) {
    FpReg b = v.popToFpr();
    FpReg a = v.popToFpr();
    FpReg result = masm_.vectorBinary(op.opcode, a, b);
    v.release(result == a ? b : a);
    v.pushFpr(V128, result);
    return true;
  }
  return unsupported(op, std::string("operator ") + opcodeName(op.opcode) + " in the baseline compiler");
}

}  // namespace weft
