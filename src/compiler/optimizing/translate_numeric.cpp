// The numeric operators as LLVM IR (translator.h). Every operator whose IR
// counterpart has undefined or poison cases (shifts past the width, division
// by zero or INT_MIN / -1, float-to-int conversions out of range) gets
// WebAssembly's defined result or trap explicitly; float arithmetic stays
// strict IEEE (no fast-math flags).
#include <llvm/IR/Intrinsics.h>

#include "compiler/optimizing/translator.h"

namespace weft {

// IEEE 754-2019 minimum/maximum: NaN if either is, -0 below +0, as wasm says;
// but a NaN result must be quiet (arithmetic), which llvm.minimum does not
// promise for a signaling input, and a + b is. Scalars and vectors alike.
// A NaN operand gives the first NaN, quieted, as the baseline does (the spec
// leaves the payload open; tier-up must not change it). x + x quiets x and,
// unlike l + r, means the same whichever order LLVM puts the operands in.
llvm::Value* Translator::floatMinMax(llvm::Intrinsic::ID id, llvm::Value* l, llvm::Value* r) {
  llvm::Value* firstNaN = builder_.CreateSelect(builder_.CreateFCmpUNO(l, l), l, r);
  return builder_.CreateSelect(builder_.CreateFCmpUNO(l, r), builder_.CreateFAdd(firstNaN, firstNaN),
                               builder_.CreateBinaryIntrinsic(id, l, r));
}

llvm::Value* Translator::intDivision(const Operator& op, llvm::Value* lhs, llvm::Value* rhs, bool isSigned,
                                     bool remainder) {
  llvm::Type* type = lhs->getType();
  llvm::Value* zero = llvm::ConstantInt::get(type, 0);
  trapIf(builder_.CreateICmpEQ(rhs, zero), TrapKind::IntegerDivideByZero, op.offset);
  if (!isSigned) return remainder ? builder_.CreateURem(lhs, rhs) : builder_.CreateUDiv(lhs, rhs);
  llvm::Value* minusOne = llvm::ConstantInt::getSigned(type, -1);
  if (remainder) {
    // x rem_s -1 is 0 (INT_MIN srem -1 is undefined in IR, and faults on x86).
    llvm::Value* safe = builder_.CreateSelect(builder_.CreateICmpEQ(rhs, minusOne), llvm::ConstantInt::get(type, 1), rhs);
    return builder_.CreateSRem(lhs, safe);
  }
  llvm::Value* minimum = llvm::ConstantInt::get(type, llvm::APInt::getSignedMinValue(type->getIntegerBitWidth()));
  trapIf(builder_.CreateAnd(builder_.CreateICmpEQ(lhs, minimum), builder_.CreateICmpEQ(rhs, minusOne)),
         TrapKind::IntegerOverflow, op.offset);
  return builder_.CreateSDiv(lhs, rhs);
}

// The truncation's result must be representable: NaN traps as an invalid
// conversion, anything outside (min - 1, max + 1) as an overflow. The bounds
// are compared in double for i32 results (exact for every f32 and f64) and
// in the source type for i64 results (the powers of two are exact there).
llvm::Value* Translator::checkedTruncate(const Operator& op, llvm::Value* x, ValType to, bool isSigned) {
  trapIf(builder_.CreateFCmpUNO(x, x), TrapKind::InvalidConversion, op.offset);
  llvm::Value* value = x;
  double low, high;
  bool lowInclusive = false;
  if (to == ValType::I32) {
    value = x->getType()->isFloatTy() ? builder_.CreateFPExt(x, builder_.getDoubleTy()) : x;
    low = isSigned ? -2147483649.0 : -1.0;
    high = isSigned ? 2147483648.0 : 4294967296.0;
  } else {
    low = isSigned ? -9223372036854775808.0 : -1.0;
    lowInclusive = isSigned;  // -2^63 - 1 is not representable: x >= -2^63
    high = isSigned ? 9223372036854775808.0 : 18446744073709551616.0;
  }
  llvm::Type* floatType = value->getType();
  llvm::Value* aboveLow = lowInclusive ? builder_.CreateFCmpOGE(value, llvm::ConstantFP::get(floatType, low))
                                       : builder_.CreateFCmpOGT(value, llvm::ConstantFP::get(floatType, low));
  llvm::Value* belowHigh = builder_.CreateFCmpOLT(value, llvm::ConstantFP::get(floatType, high));
  trapIf(builder_.CreateNot(builder_.CreateAnd(aboveLow, belowHigh)), TrapKind::IntegerOverflow, op.offset);
  llvm::Type* result = typeOf(to);
  return isSigned ? builder_.CreateFPToSI(x, result) : builder_.CreateFPToUI(x, result);
}

bool Translator::translateNumeric(const Operator& op) {
  using O = Opcode;
  using llvm::Intrinsic::ID;
  llvm::IRBuilder<>& b = builder_;
  llvm::Type* I32 = b.getInt32Ty();
  llvm::Type* I64 = b.getInt64Ty();
  llvm::Type* F32 = b.getFloatTy();
  llvm::Type* F64 = b.getDoubleTy();

  auto binary = [&](auto make) {
    llvm::Value* rhs = pop();
    llvm::Value* lhs = pop();
    push(make(lhs, rhs));
    return true;
  };
  auto unary = [&](auto make) {
    push(make(pop()));
    return true;
  };
  auto compare = [&](llvm::CmpInst::Predicate predicate) {
    return binary([&](llvm::Value* l, llvm::Value* r) { return boolToI32(b.CreateCmp(predicate, l, r)); });
  };
  auto intrinsic1 = [&](ID id) {
    return unary([&](llvm::Value* v) { return b.CreateUnaryIntrinsic(id, v); });
  };
  auto intrinsic2 = [&](ID id) {
    return binary([&](llvm::Value* l, llvm::Value* r) { return b.CreateBinaryIntrinsic(id, l, r); });
  };
  // x - 0, x * 1, x / -1, -0 - x... fold to x or -x in LLVM, which keeps a
  // signaling NaN signaling; wasm wants a quiet one from every arithmetic
  // operator. So with such a constant operand the other one is quieted
  // first (x86 has no llvm.canonicalize in LLVM 19: NaN ? x + x : x).
  auto quiet = [&](llvm::Value* v) { return b.CreateSelect(b.CreateFCmpUNO(v, v), b.CreateFAdd(v, v), v); };
  auto arithmetic = [&](llvm::Instruction::BinaryOps opcode) {
    return binary([&](llvm::Value* l, llvm::Value* r) {
      auto identityLike = [](llvm::Value* v) {
        auto* constant = llvm::dyn_cast<llvm::ConstantFP>(v);
        if (!constant) return false;
        const llvm::APFloat& value = constant->getValueAPF();
        return value.isZero() || value.isExactlyValue(1.0) || value.isExactlyValue(-1.0);
      };
      if (identityLike(r) && !identityLike(l)) l = quiet(l);
      else if (identityLike(l) && !identityLike(r)) r = quiet(r);
      return b.CreateBinOp(opcode, l, r);
    });
  };
  auto minMax = [&](ID id) {
    return binary([&](llvm::Value* l, llvm::Value* r) { return floatMinMax(id, l, r); });
  };
  auto bitCount = [&](ID id) {  // clz, ctz: defined (the width) at zero
    return unary([&](llvm::Value* v) { return b.CreateIntrinsic(id, {v->getType()}, {v, b.getFalse()}); });
  };
  // Shift counts are taken modulo the width, as WebAssembly says.
  auto shift = [&](llvm::Instruction::BinaryOps opcode) {
    return binary([&](llvm::Value* l, llvm::Value* r) {
      llvm::Value* width = llvm::ConstantInt::get(r->getType(), r->getType()->getIntegerBitWidth() - 1);
      return b.CreateBinOp(opcode, l, b.CreateAnd(r, width));
    });
  };
  auto rotate = [&](ID id) {
    return binary([&](llvm::Value* l, llvm::Value* r) { return b.CreateIntrinsic(id, {l->getType()}, {l, l, r}); });
  };
  auto division = [&](bool isSigned, bool remainder) {
    return binary([&](llvm::Value* l, llvm::Value* r) { return intDivision(op, l, r, isSigned, remainder); });
  };
  auto truncate = [&](llvm::Type* to, bool isSigned) {
    return unary([&](llvm::Value* v) { return checkedTruncate(op, v, to == I32 ? ValType::I32 : ValType::I64, isSigned); });
  };
  auto saturate = [&](llvm::Type* to, bool isSigned) {
    return unary([&](llvm::Value* v) {
      return b.CreateIntrinsic(isSigned ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat, {to, v->getType()}, {v});
    });
  };
  auto cast = [&](llvm::Instruction::CastOps opcode, llvm::Type* to) {
    return unary([&](llvm::Value* v) { return b.CreateCast(opcode, v, to); });
  };
  auto extendFrom = [&](llvm::Type* narrow) {
    return unary([&](llvm::Value* v) { return b.CreateSExt(b.CreateTrunc(v, narrow), v->getType()); });
  };

  switch (op.opcode) {
    case O::I32Const: push(i32(op.bits)); return true;
    case O::I64Const: push(i64(op.bits)); return true;
    case O::F32Const: push(b.CreateBitCast(i32(op.bits), F32)); return true;
    case O::F64Const: push(b.CreateBitCast(i64(op.bits), F64)); return true;

    case O::I32Eqz: case O::I64Eqz:
      return unary([&](llvm::Value* v) { return boolToI32(b.CreateICmpEQ(v, llvm::ConstantInt::get(v->getType(), 0))); });
    case O::I32Eq: case O::I64Eq: return compare(llvm::CmpInst::ICMP_EQ);
    case O::I32Ne: case O::I64Ne: return compare(llvm::CmpInst::ICMP_NE);
    case O::I32LtS: case O::I64LtS: return compare(llvm::CmpInst::ICMP_SLT);
    case O::I32LtU: case O::I64LtU: return compare(llvm::CmpInst::ICMP_ULT);
    case O::I32GtS: case O::I64GtS: return compare(llvm::CmpInst::ICMP_SGT);
    case O::I32GtU: case O::I64GtU: return compare(llvm::CmpInst::ICMP_UGT);
    case O::I32LeS: case O::I64LeS: return compare(llvm::CmpInst::ICMP_SLE);
    case O::I32LeU: case O::I64LeU: return compare(llvm::CmpInst::ICMP_ULE);
    case O::I32GeS: case O::I64GeS: return compare(llvm::CmpInst::ICMP_SGE);
    case O::I32GeU: case O::I64GeU: return compare(llvm::CmpInst::ICMP_UGE);
    case O::F32Eq: case O::F64Eq: return compare(llvm::CmpInst::FCMP_OEQ);
    case O::F32Ne: case O::F64Ne: return compare(llvm::CmpInst::FCMP_UNE);
    case O::F32Lt: case O::F64Lt: return compare(llvm::CmpInst::FCMP_OLT);
    case O::F32Gt: case O::F64Gt: return compare(llvm::CmpInst::FCMP_OGT);
    case O::F32Le: case O::F64Le: return compare(llvm::CmpInst::FCMP_OLE);
    case O::F32Ge: case O::F64Ge: return compare(llvm::CmpInst::FCMP_OGE);

    case O::I32Clz: case O::I64Clz: return bitCount(llvm::Intrinsic::ctlz);
    case O::I32Ctz: case O::I64Ctz: return bitCount(llvm::Intrinsic::cttz);
    case O::I32Popcnt: case O::I64Popcnt: return intrinsic1(llvm::Intrinsic::ctpop);
    case O::I32Add: case O::I64Add: return binary([&](auto l, auto r) { return b.CreateAdd(l, r); });
    case O::I32Sub: case O::I64Sub: return binary([&](auto l, auto r) { return b.CreateSub(l, r); });
    case O::I32Mul: case O::I64Mul: return binary([&](auto l, auto r) { return b.CreateMul(l, r); });
    case O::I32DivS: case O::I64DivS: return division(true, false);
    case O::I32DivU: case O::I64DivU: return division(false, false);
    case O::I32RemS: case O::I64RemS: return division(true, true);
    case O::I32RemU: case O::I64RemU: return division(false, true);
    case O::I32And: case O::I64And: return binary([&](auto l, auto r) { return b.CreateAnd(l, r); });
    case O::I32Or: case O::I64Or: return binary([&](auto l, auto r) { return b.CreateOr(l, r); });
    case O::I32Xor: case O::I64Xor: return binary([&](auto l, auto r) { return b.CreateXor(l, r); });
    case O::I32Shl: case O::I64Shl: return shift(llvm::Instruction::Shl);
    case O::I32ShrS: case O::I64ShrS: return shift(llvm::Instruction::AShr);
    case O::I32ShrU: case O::I64ShrU: return shift(llvm::Instruction::LShr);
    case O::I32Rotl: case O::I64Rotl: return rotate(llvm::Intrinsic::fshl);
    case O::I32Rotr: case O::I64Rotr: return rotate(llvm::Intrinsic::fshr);

    case O::F32Abs: case O::F64Abs: return intrinsic1(llvm::Intrinsic::fabs);
    case O::F32Neg: case O::F64Neg: return unary([&](llvm::Value* v) { return b.CreateFNeg(v); });
    case O::F32Ceil: case O::F64Ceil: return intrinsic1(llvm::Intrinsic::ceil);
    case O::F32Floor: case O::F64Floor: return intrinsic1(llvm::Intrinsic::floor);
    case O::F32Trunc: case O::F64Trunc: return intrinsic1(llvm::Intrinsic::trunc);
    case O::F32Nearest: case O::F64Nearest: return intrinsic1(llvm::Intrinsic::roundeven);
    case O::F32Sqrt: case O::F64Sqrt: return intrinsic1(llvm::Intrinsic::sqrt);
    case O::F32Add: case O::F64Add: return arithmetic(llvm::Instruction::FAdd);
    case O::F32Sub: case O::F64Sub: return arithmetic(llvm::Instruction::FSub);
    case O::F32Mul: case O::F64Mul: return arithmetic(llvm::Instruction::FMul);
    case O::F32Div: case O::F64Div: return arithmetic(llvm::Instruction::FDiv);
    case O::F32Min: case O::F64Min: return minMax(llvm::Intrinsic::minimum);
    case O::F32Max: case O::F64Max: return minMax(llvm::Intrinsic::maximum);
    case O::F32Copysign: case O::F64Copysign: return intrinsic2(llvm::Intrinsic::copysign);

    case O::I32WrapI64: return cast(llvm::Instruction::Trunc, I32);
    case O::I32TruncF32S: case O::I32TruncF64S: return truncate(I32, true);
    case O::I32TruncF32U: case O::I32TruncF64U: return truncate(I32, false);
    case O::I64TruncF32S: case O::I64TruncF64S: return truncate(I64, true);
    case O::I64TruncF32U: case O::I64TruncF64U: return truncate(I64, false);
    case O::I64ExtendI32S: return cast(llvm::Instruction::SExt, I64);
    case O::I64ExtendI32U: return cast(llvm::Instruction::ZExt, I64);
    case O::F32ConvertI32S: case O::F32ConvertI64S: return cast(llvm::Instruction::SIToFP, F32);
    case O::F32ConvertI32U: case O::F32ConvertI64U: return cast(llvm::Instruction::UIToFP, F32);
    case O::F64ConvertI32S: case O::F64ConvertI64S: return cast(llvm::Instruction::SIToFP, F64);
    case O::F64ConvertI32U: case O::F64ConvertI64U: return cast(llvm::Instruction::UIToFP, F64);
    case O::F32DemoteF64:  // demote(promote(x)) folds to x, which must still quiet a NaN
      return unary([&](llvm::Value* v) {
        if (llvm::isa<llvm::FPExtInst>(v)) v = quiet(v);
        return b.CreateFPTrunc(v, F32);
      });
    case O::F64PromoteF32: return cast(llvm::Instruction::FPExt, F64);
    case O::I32ReinterpretF32: return cast(llvm::Instruction::BitCast, I32);
    case O::I64ReinterpretF64: return cast(llvm::Instruction::BitCast, I64);
    case O::F32ReinterpretI32: return cast(llvm::Instruction::BitCast, F32);
    case O::F64ReinterpretI64: return cast(llvm::Instruction::BitCast, F64);
    case O::I32Extend8S: case O::I64Extend8S: return extendFrom(b.getInt8Ty());
    case O::I32Extend16S: case O::I64Extend16S: return extendFrom(b.getInt16Ty());
    case O::I64Extend32S: return extendFrom(I32);
    case O::I32TruncSatF32S: case O::I32TruncSatF64S: return saturate(I32, true);
    case O::I32TruncSatF32U: case O::I32TruncSatF64U: return saturate(I32, false);
    case O::I64TruncSatF32S: case O::I64TruncSatF64S: return saturate(I64, true);
    case O::I64TruncSatF32U: case O::I64TruncSatF64U: return saturate(I64, false);
    default:
      return unsupported(op);
  }
}

}  // namespace weft
