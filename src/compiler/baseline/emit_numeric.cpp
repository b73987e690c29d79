// The numeric operator family: constants, integer and float arithmetic,
// comparisons and conversions. Each operator is mapped to its family's
// operation here; the instructions are the macro-assembler's.
#include "abi/trap_kind.h"
#include "compiler/baseline/division_by_constant.h"
#include "compiler/baseline/function_compiler.h"

namespace weft {

// a = a OP b for integers; b may stay in its slot or be an immediate.
void FunctionCompiler::emitIntBinary(IntBinaryOp op, ValType type) {
  resultMayReplaceLocal(values_.size() - 2);
  Val b = values_.pop();
  bool wide = type != ValType::I32;
  std::optional<int32_t> immediate = immediateOf(b, wide);
  // A constant added to (or taken from) a value that a local shares: into a
  // register of its own in one instruction, not a copy and then the add.
  // (A 64-bit subtraction of INT32_MIN would add 2^31, past an imm32.)
  if (immediate && (op == IntBinaryOp::Add || op == IntBinaryOp::Sub) && values_.isShared(values_.size() - 1) &&
      (op == IntBinaryOp::Add || !wide || *immediate != INT32_MIN)) {
    GpReg a = values_.popToGprShared();
    GpReg result = values_.allocGpr();
    // Wrapping: a 32-bit lea computes modulo 2^32, where -INT32_MIN is INT32_MIN.
    auto addend = op == IntBinaryOp::Add ? *immediate
                                         : static_cast<int32_t>(0u - static_cast<uint32_t>(*immediate));
    masm_.addImmediateInto(type, result, a, addend);
    values_.release(a);
    values_.pushGpr(type, result);
    return;
  }
  GpReg a = values_.popToGpr();
  if (immediate) {
    masm_.intBinary(op, type, a, IntOperand::ofImmediate(*immediate));
  } else if (b.loc == Loc::Slot) {
    masm_.intBinary(op, type, a, IntOperand::ofSlot(values_.slot(b.depth)));
  } else {
    GpReg rb = values_.toGprShared(b);
    masm_.intBinary(op, type, a, IntOperand::ofRegister(rb));
    values_.release(rb);
  }
  values_.pushGpr(type, a);
}

// A constant count is taken modulo the width, as wasm defines it.
void FunctionCompiler::emitShift(ShiftOp op, ValType type) {
  resultMayReplaceLocal(values_.size() - 2);
  Val count = values_.pop();
  GpReg a = values_.popToGpr();
  if (count.loc == Loc::Const) {
    masm_.shift(op, type, a, IntOperand::ofImmediate(static_cast<int32_t>(count.bits & (type == ValType::I32 ? 31 : 63))));
  } else {
    GpReg rc = values_.toGpr(count);
    masm_.shift(op, type, a, IntOperand::ofRegister(rc));
    values_.release(rc);
  }
  values_.pushGpr(type, a);
}

// Fused into the br_if, if or select that follows when there is one (the
// operands stay in their registers until it compares them).
void FunctionCompiler::emitCompare(IntCondition condition, ValType type) {
  Val b = values_.pop();
  bool fused = nextOperatorTests();  // then both operands are only read
  GpReg a = fused ? values_.popToGprShared() : values_.popToGpr();
  std::optional<int32_t> immediate = immediateOf(b, type != ValType::I32);
  IntOperand rhs = immediate ? IntOperand::ofImmediate(*immediate) : IntOperand::ofRegister(values_.toGprShared(b));
  if (fused) {
    fusedCondition_ = Condition::of(condition, type != ValType::I32, a, rhs);
    return;
  }
  masm_.compare(condition, type, a, rhs);
  if (rhs.kind == IntOperand::Kind::Register) values_.release(rhs.reg);
  values_.pushGpr(ValType::I32, a);
}

// Trapping float -> int truncation.
void FunctionCompiler::emitTruncate(const Operator& op, ValType from, ValType to, bool isSigned) {
  FpReg x = values_.popToFpr();
  masm_.checkTruncatable(op.offset, from, to, isSigned, x);
  GpReg result = values_.allocGpr();
  masm_.truncate(from, to, isSigned, x, result);
  values_.release(x);
  values_.pushGpr(to, result);
}

bool FunctionCompiler::emitNumeric(const Operator& op) {
  using O = Opcode;
  constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32, F64 = ValType::F64;
  ValueStack& v = values_;
  // Unary and binary float operators work in place on the first operand.
  auto floatUnary = [&](ValType type, auto&& emitter) {
    resultMayReplaceLocal(v.size() - 1);
    FpReg x = v.popToFpr();
    emitter(x);
    v.pushFpr(type, x);
  };
  auto floatBinary = [&](ValType type, auto&& emitter) {
    resultMayReplaceLocal(v.size() - 2);
    FpReg b = v.toFprShared(v.pop());
    FpReg a = v.popToFpr();
    emitter(a, b);
    v.release(b);
    v.pushFpr(type, a);
  };
  auto intUnary = [&](ValType type, IntUnaryOp unary) {
    resultMayReplaceLocal(v.size() - 1);
    GpReg r = v.popToGpr();
    masm_.intUnary(unary, type, r);
    v.pushGpr(type, r);
  };
  auto eqz = [&](ValType type) {
    if (nextOperatorTests()) {
      GpReg r = v.popToGprShared();
      fusedCondition_ = Condition::of(IntCondition::Eq, type != I32, r, IntOperand::ofImmediate(0));
      return;
    }
    GpReg r = v.popToGpr();
    masm_.eqz(type, r);
    v.pushGpr(I32, r);
  };
  auto divRem = [&](ValType type, bool isSigned, bool remainder) {
    const Val& divisor = v.at(v.size() - 1);
    std::optional<ConstantDivisor> constant;
    if (divisor.loc == Loc::Const) constant = constantDivisor(divisor.bits, type == I64, isSigned);
    if (constant && constant->kind != ConstantDivisor::Kind::DivideInstruction) {
      v.truncate(v.size() - 1);
      GpReg a = v.popToGpr();
      masm_.divRemByConstant(type, isSigned, remainder, a, *constant);
      v.pushGpr(type, a);
      return;
    }
    GpReg b = v.popToGpr();
    GpReg a = v.popToGpr();
    masm_.divRem(op.offset, type, isSigned, remainder, a, b, constant.has_value());
    v.release(b);
    v.pushGpr(type, a);
  };
  auto floatCompare = [&](ValType type, FloatCondition condition) {
    FpReg b = v.toFprShared(v.pop());  // both only read
    FpReg a = v.toFprShared(v.pop());
    if (Condition::fusible(condition) && nextOperatorTests()) {
      fusedCondition_ = Condition::of(condition, type == F64, a, b);
      return;
    }
    GpReg result = v.allocGpr();
    masm_.floatCompare(condition, type, result, a, b);
    v.release(a);
    v.release(b);
    v.pushGpr(I32, result);
  };
  auto arithmetic = [&](ValType type, FloatBinaryOp fop) {
    floatBinary(type, [&](FpReg a, FpReg b) { masm_.floatBinary(fop, type, a, b); });
  };
  auto minMax = [&](ValType type, bool isMin) {
    floatBinary(type, [&](FpReg a, FpReg b) { masm_.floatMinMax(type, isMin, a, b); });
  };
  auto round = [&](ValType type, Rounding mode) {
    floatUnary(type, [&](FpReg x) { masm_.floatRound(mode, type, x); });
  };
  auto absNeg = [&](ValType type, bool isAbs) {
    floatUnary(type, [&](FpReg x) { masm_.floatAbsNeg(type, isAbs, x); });
  };
  auto intToFloat = [&](ValType from, ValType to, bool isSigned) {
    GpReg r = v.popToGpr();
    FpReg x = v.allocFpr();
    masm_.intToFloat(from, to, isSigned, r, x);
    v.release(r);
    v.pushFpr(to, x);
  };
  switch (op.opcode) {
    case O::I32Const: v.pushConst(I32, op.bits); return true;
    case O::I64Const: v.pushConst(I64, op.bits); return true;
    case O::F32Const: v.pushConst(F32, op.bits); return true;
    case O::F64Const: v.pushConst(F64, op.bits); return true;

    case O::I32Eqz: eqz(I32); return true;
    case O::I64Eqz: eqz(I64); return true;
    case O::I32Eq: emitCompare(IntCondition::Eq, I32); return true;
    case O::I32Ne: emitCompare(IntCondition::Ne, I32); return true;
    case O::I32LtS: emitCompare(IntCondition::LtS, I32); return true;
    case O::I32LtU: emitCompare(IntCondition::LtU, I32); return true;
    case O::I32GtS: emitCompare(IntCondition::GtS, I32); return true;
    case O::I32GtU: emitCompare(IntCondition::GtU, I32); return true;
    case O::I32LeS: emitCompare(IntCondition::LeS, I32); return true;
    case O::I32LeU: emitCompare(IntCondition::LeU, I32); return true;
    case O::I32GeS: emitCompare(IntCondition::GeS, I32); return true;
    case O::I32GeU: emitCompare(IntCondition::GeU, I32); return true;
    case O::I64Eq: emitCompare(IntCondition::Eq, I64); return true;
    case O::I64Ne: emitCompare(IntCondition::Ne, I64); return true;
    case O::I64LtS: emitCompare(IntCondition::LtS, I64); return true;
    case O::I64LtU: emitCompare(IntCondition::LtU, I64); return true;
    case O::I64GtS: emitCompare(IntCondition::GtS, I64); return true;
    case O::I64GtU: emitCompare(IntCondition::GtU, I64); return true;
    case O::I64LeS: emitCompare(IntCondition::LeS, I64); return true;
    case O::I64LeU: emitCompare(IntCondition::LeU, I64); return true;
    case O::I64GeS: emitCompare(IntCondition::GeS, I64); return true;
    case O::I64GeU: emitCompare(IntCondition::GeU, I64); return true;
    case O::F32Eq: floatCompare(F32, FloatCondition::Eq); return true;
    case O::F32Ne: floatCompare(F32, FloatCondition::Ne); return true;
    case O::F32Lt: floatCompare(F32, FloatCondition::Lt); return true;
    case O::F32Gt: floatCompare(F32, FloatCondition::Gt); return true;
    case O::F32Le: floatCompare(F32, FloatCondition::Le); return true;
    case O::F32Ge: floatCompare(F32, FloatCondition::Ge); return true;
    case O::F64Eq: floatCompare(F64, FloatCondition::Eq); return true;
    case O::F64Ne: floatCompare(F64, FloatCondition::Ne); return true;
    case O::F64Lt: floatCompare(F64, FloatCondition::Lt); return true;
    case O::F64Gt: floatCompare(F64, FloatCondition::Gt); return true;
    case O::F64Le: floatCompare(F64, FloatCondition::Le); return true;
    case O::F64Ge: floatCompare(F64, FloatCondition::Ge); return true;

    case O::I32Clz: intUnary(I32, IntUnaryOp::Clz); return true;
    case O::I32Ctz: intUnary(I32, IntUnaryOp::Ctz); return true;
    case O::I32Popcnt: intUnary(I32, IntUnaryOp::Popcnt); return true;
    case O::I64Clz: intUnary(I64, IntUnaryOp::Clz); return true;
    case O::I64Ctz: intUnary(I64, IntUnaryOp::Ctz); return true;
    case O::I64Popcnt: intUnary(I64, IntUnaryOp::Popcnt); return true;
    case O::I32Add: emitIntBinary(IntBinaryOp::Add, I32); return true;
    case O::I32Sub: emitIntBinary(IntBinaryOp::Sub, I32); return true;
    case O::I32Mul: emitIntBinary(IntBinaryOp::Mul, I32); return true;
    case O::I32And: emitIntBinary(IntBinaryOp::And, I32); return true;
    case O::I32Or: emitIntBinary(IntBinaryOp::Or, I32); return true;
    case O::I32Xor: emitIntBinary(IntBinaryOp::Xor, I32); return true;
    case O::I64Add: emitIntBinary(IntBinaryOp::Add, I64); return true;
    case O::I64Sub: emitIntBinary(IntBinaryOp::Sub, I64); return true;
    case O::I64Mul: emitIntBinary(IntBinaryOp::Mul, I64); return true;
    case O::I64And: emitIntBinary(IntBinaryOp::And, I64); return true;
    case O::I64Or: emitIntBinary(IntBinaryOp::Or, I64); return true;
    case O::I64Xor: emitIntBinary(IntBinaryOp::Xor, I64); return true;
    case O::I32Shl: emitShift(ShiftOp::Shl, I32); return true;
    case O::I32ShrS: emitShift(ShiftOp::ShrS, I32); return true;
    case O::I32ShrU: emitShift(ShiftOp::ShrU, I32); return true;
    case O::I32Rotl: emitShift(ShiftOp::Rotl, I32); return true;
    case O::I32Rotr: emitShift(ShiftOp::Rotr, I32); return true;
    case O::I64Shl: emitShift(ShiftOp::Shl, I64); return true;
    case O::I64ShrS: emitShift(ShiftOp::ShrS, I64); return true;
    case O::I64ShrU: emitShift(ShiftOp::ShrU, I64); return true;
    case O::I64Rotl: emitShift(ShiftOp::Rotl, I64); return true;
    case O::I64Rotr: emitShift(ShiftOp::Rotr, I64); return true;
    case O::I32DivS: divRem(I32, true, false); return true;
    case O::I32DivU: divRem(I32, false, false); return true;
    case O::I32RemS: divRem(I32, true, true); return true;
    case O::I32RemU: divRem(I32, false, true); return true;
    case O::I64DivS: divRem(I64, true, false); return true;
    case O::I64DivU: divRem(I64, false, false); return true;
    case O::I64RemS: divRem(I64, true, true); return true;
    case O::I64RemU: divRem(I64, false, true); return true;

    case O::F32Abs: absNeg(F32, true); return true;
    case O::F32Neg: absNeg(F32, false); return true;
    case O::F64Abs: absNeg(F64, true); return true;
    case O::F64Neg: absNeg(F64, false); return true;
    case O::F32Copysign: case O::F64Copysign: {
      ValType type = op.opcode == O::F32Copysign ? F32 : F64;
      floatBinary(type, [&](FpReg a, FpReg b) { masm_.floatCopysign(type, a, b); });
      return true;
    }
    case O::F32Ceil: round(F32, Rounding::Ceil); return true;
    case O::F32Floor: round(F32, Rounding::Floor); return true;
    case O::F32Trunc: round(F32, Rounding::Trunc); return true;
    case O::F32Nearest: round(F32, Rounding::Nearest); return true;
    case O::F64Ceil: round(F64, Rounding::Ceil); return true;
    case O::F64Floor: round(F64, Rounding::Floor); return true;
    case O::F64Trunc: round(F64, Rounding::Trunc); return true;
    case O::F64Nearest: round(F64, Rounding::Nearest); return true;
    case O::F32Sqrt: floatUnary(F32, [&](FpReg x) { masm_.floatSqrt(F32, x); }); return true;
    case O::F64Sqrt: floatUnary(F64, [&](FpReg x) { masm_.floatSqrt(F64, x); }); return true;
    case O::F32Add: arithmetic(F32, FloatBinaryOp::Add); return true;
    case O::F32Sub: arithmetic(F32, FloatBinaryOp::Sub); return true;
    case O::F32Mul: arithmetic(F32, FloatBinaryOp::Mul); return true;
    case O::F32Div: arithmetic(F32, FloatBinaryOp::Div); return true;
    case O::F64Add: arithmetic(F64, FloatBinaryOp::Add); return true;
    case O::F64Sub: arithmetic(F64, FloatBinaryOp::Sub); return true;
    case O::F64Mul: arithmetic(F64, FloatBinaryOp::Mul); return true;
    case O::F64Div: arithmetic(F64, FloatBinaryOp::Div); return true;
    case O::F32Min: minMax(F32, true); return true;
    case O::F32Max: minMax(F32, false); return true;
    case O::F64Min: minMax(F64, true); return true;
    case O::F64Max: minMax(F64, false); return true;

    case O::I64ExtendI32U: {
      // An i32 in a register, or a constant, is zero-extended already: it is
      // the i64 as it is (a slot's upper half is not, so that one loads).
      Val x = v.pop();
      if (x.loc == Loc::Gpr) v.pushGpr(I64, GpReg{x.reg});
      else if (x.loc == Loc::Const) v.pushConst(I64, x.bits);
      else v.pushGpr(I64, v.toGpr(x));
      return true;
    }
    case O::I32WrapI64: {
      // One 32-bit move truncates, into a register of its own if the value
      // shares its register (with a local).
      bool shared = v.isShared(v.size() - 1);
      Val x = v.pop();
      if (x.loc == Loc::Const) {
        v.pushConst(I32, x.bits & 0xffffffffu);
      } else if (x.loc == Loc::Gpr && shared) {
        GpReg r = v.allocGpr();
        masm_.moveGpr(r, GpReg{x.reg}, false);
        v.release(GpReg{x.reg});
        v.pushGpr(I32, r);
      } else {
        GpReg r = v.toGpr(x);
        masm_.convertInteger(op.opcode, r);
        v.pushGpr(I32, r);
      }
      return true;
    }
    case O::I64ExtendI32S: case O::I32Extend8S:
    case O::I32Extend16S: case O::I64Extend8S: case O::I64Extend16S: case O::I64Extend32S: {
      GpReg r = v.popToGpr();
      masm_.convertInteger(op.opcode, r);
      v.pushGpr(opcodeInfo(op.opcode).sig.result, r);
      return true;
    }
    case O::I32TruncF32S: emitTruncate(op, F32, I32, true); return true;
    case O::I32TruncF32U: emitTruncate(op, F32, I32, false); return true;
    case O::I32TruncF64S: emitTruncate(op, F64, I32, true); return true;
    case O::I32TruncF64U: emitTruncate(op, F64, I32, false); return true;
    case O::I64TruncF32S: emitTruncate(op, F32, I64, true); return true;
    case O::I64TruncF32U: emitTruncate(op, F32, I64, false); return true;
    case O::I64TruncF64S: emitTruncate(op, F64, I64, true); return true;
    case O::I64TruncF64U: emitTruncate(op, F64, I64, false); return true;
    case O::F32ConvertI32S: intToFloat(I32, F32, true); return true;
    case O::F32ConvertI32U: intToFloat(I32, F32, false); return true;
    case O::F32ConvertI64S: intToFloat(I64, F32, true); return true;
    case O::F64ConvertI32S: intToFloat(I32, F64, true); return true;
    case O::F64ConvertI32U: intToFloat(I32, F64, false); return true;
    case O::F64ConvertI64S: intToFloat(I64, F64, true); return true;
    case O::F32ConvertI64U: emitNumericBuiltin(BuiltinId::F32ConvertI64U, I64, F32); return true;
    case O::F64ConvertI64U: emitNumericBuiltin(BuiltinId::F64ConvertI64U, I64, F64); return true;
    case O::F32DemoteF64: case O::F64PromoteF32: {
      ValType result = opcodeInfo(op.opcode).sig.result;
      floatUnary(result, [&](FpReg x) { masm_.convertFloat(op.opcode, x); });
      return true;
    }
    case O::I32ReinterpretF32: case O::I64ReinterpretF64: {
      FpReg x = v.popToFpr();
      GpReg r = v.allocGpr();
      masm_.reinterpret(op.opcode, r, x);
      v.release(x);
      v.pushGpr(opcodeInfo(op.opcode).sig.result, r);
      return true;
    }
    case O::F32ReinterpretI32: case O::F64ReinterpretI64: {
      GpReg r = v.popToGpr();
      FpReg x = v.allocFpr();
      masm_.reinterpret(op.opcode, x, r);
      v.release(r);
      v.pushFpr(opcodeInfo(op.opcode).sig.result, x);
      return true;
    }
    case O::I32TruncSatF32S: emitNumericBuiltin(BuiltinId::I32TruncSatF32S, F32, I32); return true;
    case O::I32TruncSatF32U: emitNumericBuiltin(BuiltinId::I32TruncSatF32U, F32, I32); return true;
    case O::I32TruncSatF64S: emitNumericBuiltin(BuiltinId::I32TruncSatF64S, F64, I32); return true;
    case O::I32TruncSatF64U: emitNumericBuiltin(BuiltinId::I32TruncSatF64U, F64, I32); return true;
    case O::I64TruncSatF32S: emitNumericBuiltin(BuiltinId::I64TruncSatF32S, F32, I64); return true;
    case O::I64TruncSatF32U: emitNumericBuiltin(BuiltinId::I64TruncSatF32U, F32, I64); return true;
    case O::I64TruncSatF64S: emitNumericBuiltin(BuiltinId::I64TruncSatF64S, F64, I64); return true;
    case O::I64TruncSatF64U: emitNumericBuiltin(BuiltinId::I64TruncSatF64U, F64, I64); return true;
    default:
      return unsupported(op, std::string("operator ") + opcodeName(op.opcode) + " in the baseline compiler");
  }
}

}  // namespace weft
