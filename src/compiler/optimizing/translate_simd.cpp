// The SIMD operators as LLVM vector IR (translator.h). A v128 travels as
// <2 x i64> and is bitcast to the lane shape each operator works on.
// Operators whose IR form would be undefined for some input (shift counts
// past the lane width, float-to-int out of range, min/max on NaN, -0) get
// wasm's result explicitly. Every SIMD operator of the opcode list has its
// form here (no call to the runtime's scalar SIMD builtin, which the baseline
// uses for the rarer ones).
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/IntrinsicsX86.h>

#include <string_view>

#include "compiler/optimizing/translator.h"

namespace weft {
namespace {

struct Shape {
  uint32_t lanes = 2;
  uint32_t bits = 64;
  bool isFloat = false;
};

// The lane shape an operator's name starts with ("i16x8.add"), the result's.
Shape shapeOf(Opcode op) {
  std::string_view name = opcodeName(op);
  if (name.starts_with("i8x16")) return {16, 8, false};
  if (name.starts_with("i16x8")) return {8, 16, false};
  if (name.starts_with("i32x4")) return {4, 32, false};
  if (name.starts_with("f32x4")) return {4, 32, true};
  if (name.starts_with("f64x2")) return {2, 64, true};
  return {2, 64, false};
}

}  // namespace

llvm::VectorType* Translator::vectorType(uint32_t lanes, uint32_t bits, bool isFloat) {
  llvm::Type* lane = isFloat ? (bits == 32 ? builder_.getFloatTy() : builder_.getDoubleTy()) : builder_.getIntNTy(bits);
  return llvm::FixedVectorType::get(lane, lanes);
}

llvm::Value* Translator::asVector(llvm::Value* v128, llvm::VectorType* type) {
  return v128->getType() == type ? v128 : builder_.CreateBitCast(v128, type);
}

llvm::Value* Translator::toV128(llvm::Value* vector) { return asVector(vector, llvm::cast<llvm::VectorType>(typeOf(ValType::V128))); }

bool Translator::translateSimd(const Operator& op) {
  using O = Opcode;
  using llvm::Intrinsic::ID;
  llvm::IRBuilder<>& b = builder_;
  Shape shape = shapeOf(op.opcode);
  llvm::VectorType* type = vectorType(shape.lanes, shape.bits, shape.isFloat);
  llvm::VectorType* bytes = vectorType(16, 8, false);
  llvm::Type* I32 = b.getInt32Ty();

  auto popAs = [&](llvm::VectorType* t) { return asVector(pop(), t); };
  auto result = [&](llvm::Value* v) {
    push(toV128(v));
    return true;
  };
  auto unary = [&](auto make) { return result(make(popAs(type))); };
  auto binary = [&](auto make) {
    llvm::Value* r = popAs(type);
    llvm::Value* l = popAs(type);
    return result(make(l, r));
  };
  auto intrinsic1 = [&](ID id) { return unary([&](llvm::Value* v) { return b.CreateUnaryIntrinsic(id, v); }); };
  auto intrinsic2 = [&](ID id) {
    return binary([&](llvm::Value* l, llvm::Value* r) { return b.CreateBinaryIntrinsic(id, l, r); });
  };
  auto compare = [&](llvm::CmpInst::Predicate predicate) {
    return binary([&](llvm::Value* l, llvm::Value* r) {
      llvm::VectorType* mask = vectorType(shape.lanes, shape.bits, false);
      return b.CreateSExt(b.CreateCmp(predicate, l, r), mask);
    });
  };
  auto shift = [&](llvm::Instruction::BinaryOps opcode) {
    llvm::Value* count = pop();
    llvm::Value* vector = popAs(type);
    llvm::Type* lane = type->getElementType();
    count = b.CreateAnd(count, i32(shape.bits - 1));
    count = b.CreateZExtOrTrunc(count, lane);
    return result(b.CreateBinOp(opcode, vector, b.CreateVectorSplat(shape.lanes, count)));
  };
  // Halves of a vector of {from} lanes, widened to twice the width.
  auto half = [&](llvm::Value* v, uint32_t lanes, bool high) {
    std::vector<int> mask;
    for (uint32_t i = 0; i < lanes; ++i) mask.push_back(static_cast<int>(high ? lanes + i : i));
    return b.CreateShuffleVector(v, v, mask);
  };
  auto extend = [&](bool high, bool isSigned) {
    llvm::VectorType* narrow = vectorType(shape.lanes * 2, shape.bits / 2, false);
    llvm::Value* part = half(popAs(narrow), shape.lanes, high);
    return result(isSigned ? b.CreateSExt(part, type) : b.CreateZExt(part, type));
  };
  auto extmul = [&](bool high, bool isSigned) {
    llvm::VectorType* narrow = vectorType(shape.lanes * 2, shape.bits / 2, false);
    llvm::Value* r = half(popAs(narrow), shape.lanes, high);
    llvm::Value* l = half(popAs(narrow), shape.lanes, high);
    auto widen = [&](llvm::Value* v) { return isSigned ? b.CreateSExt(v, type) : b.CreateZExt(v, type); };
    return result(b.CreateMul(widen(l), widen(r)));
  };
  auto pairwise = [&](bool isSigned) {  // extadd_pairwise: even + odd lanes, widened
    llvm::VectorType* narrow = vectorType(shape.lanes * 2, shape.bits / 2, false);
    llvm::Value* v = popAs(narrow);
    std::vector<int> even, odd;
    for (uint32_t i = 0; i < shape.lanes; ++i) {
      even.push_back(static_cast<int>(2 * i));
      odd.push_back(static_cast<int>(2 * i + 1));
    }
    auto widen = [&](llvm::Value* x) { return isSigned ? b.CreateSExt(x, type) : b.CreateZExt(x, type); };
    return result(b.CreateAdd(widen(b.CreateShuffleVector(v, v, even)), widen(b.CreateShuffleVector(v, v, odd))));
  };
  auto narrowSaturate = [&](bool isSigned) {  // two vectors of wide signed lanes into one of narrow lanes
    llvm::VectorType* wide = vectorType(shape.lanes / 2, shape.bits * 2, false);
    llvm::Value* r = popAs(wide);
    llvm::Value* l = popAs(wide);
    std::vector<int> both;
    for (uint32_t i = 0; i < shape.lanes; ++i) both.push_back(static_cast<int>(i));
    llvm::Value* joined = b.CreateShuffleVector(l, r, both);
    llvm::VectorType* joinedType = vectorType(shape.lanes, shape.bits * 2, false);
    llvm::APInt low = isSigned ? llvm::APInt::getSignedMinValue(shape.bits).sext(shape.bits * 2)
                               : llvm::APInt::getZero(shape.bits * 2);
    llvm::APInt high = isSigned ? llvm::APInt::getSignedMaxValue(shape.bits).sext(shape.bits * 2)
                                : llvm::APInt::getMaxValue(shape.bits).zext(shape.bits * 2);
    llvm::Value* clamped = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, joined, llvm::ConstantInt::get(joinedType, low));
    clamped = b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, clamped, llvm::ConstantInt::get(joinedType, high));
    return result(b.CreateTrunc(clamped, type));
  };
  auto minMax = [&](ID id) {
    return binary([&](llvm::Value* l, llvm::Value* r) { return floatMinMax(id, l, r); });
  };
  auto memoryVector = [&](uint32_t size) { return memoryAddress(op, pop(), size); };
  auto loadScalar = [&](llvm::Type* t, uint32_t size) {
    return linearMemory(b.CreateAlignedLoad(t, memoryVector(size), llvm::MaybeAlign(1)));
  };

  switch (op.opcode) {
    case O::V128Const: {
      llvm::Constant* halves[] = {llvm::ConstantInt::get(b.getInt64Ty(), op.bits),
                                  llvm::ConstantInt::get(b.getInt64Ty(), op.bitsHigh)};
      push(llvm::ConstantVector::get(halves));
      return true;
    }
    case O::V128Load: push(loadScalar(typeOf(ValType::V128), 16)); return true;
    case O::V128Store: {
      llvm::Value* value = pop();
      linearMemory(b.CreateAlignedStore(value, memoryVector(16), llvm::MaybeAlign(1)));
      return true;
    }
    case O::V128Load8x8S: case O::V128Load8x8U: case O::V128Load16x4S: case O::V128Load16x4U:
    case O::V128Load32x2S: case O::V128Load32x2U: {
      bool isSigned = op.opcode == O::V128Load8x8S || op.opcode == O::V128Load16x4S || op.opcode == O::V128Load32x2S;
      uint32_t narrowBits = op.opcode <= O::V128Load8x8U ? 8 : op.opcode <= O::V128Load16x4U ? 16 : 32;
      uint32_t lanes = 64 / narrowBits;
      llvm::Value* narrow = loadScalar(vectorType(lanes, narrowBits, false), 8);
      llvm::VectorType* wide = vectorType(lanes, narrowBits * 2, false);
      return result(isSigned ? b.CreateSExt(narrow, wide) : b.CreateZExt(narrow, wide));
    }
    case O::V128Load8Splat: case O::V128Load16Splat: case O::V128Load32Splat: case O::V128Load64Splat: {
      uint32_t size = memoryAccessBytes(op.opcode);
      llvm::Value* lane = loadScalar(b.getIntNTy(8 * size), size);
      return result(b.CreateVectorSplat(16 / size, lane));
    }
    case O::V128Load32Zero: case O::V128Load64Zero: {
      uint32_t size = memoryAccessBytes(op.opcode);
      llvm::Value* lane = loadScalar(b.getIntNTy(8 * size), size);
      llvm::VectorType* t = vectorType(16 / size, 8 * size, false);
      return result(b.CreateInsertElement(llvm::Constant::getNullValue(t), lane, uint64_t{0}));
    }
    case O::V128Load8Lane: case O::V128Load16Lane: case O::V128Load32Lane: case O::V128Load64Lane: {
      uint32_t size = memoryAccessBytes(op.opcode);
      llvm::VectorType* t = vectorType(16 / size, 8 * size, false);
      llvm::Value* vector = popAs(t);
      llvm::Value* lane = loadScalar(b.getIntNTy(8 * size), size);
      return result(b.CreateInsertElement(vector, lane, uint64_t{op.lane}));
    }
    case O::V128Store8Lane: case O::V128Store16Lane: case O::V128Store32Lane: case O::V128Store64Lane: {
      uint32_t size = memoryAccessBytes(op.opcode);
      llvm::VectorType* t = vectorType(16 / size, 8 * size, false);
      llvm::Value* lane = b.CreateExtractElement(popAs(t), uint64_t{op.lane});
      linearMemory(b.CreateAlignedStore(lane, memoryVector(size), llvm::MaybeAlign(1)));
      return true;
    }
    case O::I8x16Shuffle: {
      llvm::Value* r = popAs(bytes);
      llvm::Value* l = popAs(bytes);
      std::vector<int> mask(op.shuffleLanes, op.shuffleLanes + 16);
      return result(b.CreateShuffleVector(l, r, mask));
    }
    case O::I8x16Swizzle: {  // lanes >= 16 give 0: pshufb zeroes a lane whose index has bit 7 set
      llvm::Value* indices = popAs(bytes);
      llvm::Value* v = popAs(bytes);
      llvm::Value* pshufbIndices =
          b.CreateBinaryIntrinsic(llvm::Intrinsic::uadd_sat, indices, llvm::ConstantInt::get(bytes, 0x70));
      return result(b.CreateIntrinsic(llvm::Intrinsic::x86_ssse3_pshuf_b_128, {}, {v, pshufbIndices}));
    }
    case O::I8x16Splat: case O::I16x8Splat: case O::I32x4Splat: case O::I64x2Splat:
    case O::F32x4Splat: case O::F64x2Splat: {
      llvm::Value* scalar = pop();
      if (!shape.isFloat) scalar = b.CreateZExtOrTrunc(scalar, type->getElementType());
      return result(b.CreateVectorSplat(shape.lanes, scalar));
    }
    case O::I8x16ExtractLaneS: case O::I16x8ExtractLaneS:
      push(b.CreateSExt(b.CreateExtractElement(popAs(type), uint64_t{op.lane}), I32));
      return true;
    case O::I8x16ExtractLaneU: case O::I16x8ExtractLaneU:
      push(b.CreateZExt(b.CreateExtractElement(popAs(type), uint64_t{op.lane}), I32));
      return true;
    case O::I32x4ExtractLane: case O::I64x2ExtractLane: case O::F32x4ExtractLane: case O::F64x2ExtractLane:
      push(b.CreateExtractElement(popAs(type), uint64_t{op.lane}));
      return true;
    case O::I8x16ReplaceLane: case O::I16x8ReplaceLane: case O::I32x4ReplaceLane: case O::I64x2ReplaceLane:
    case O::F32x4ReplaceLane: case O::F64x2ReplaceLane: {
      llvm::Value* scalar = pop();
      if (!shape.isFloat) scalar = b.CreateZExtOrTrunc(scalar, type->getElementType());
      return result(b.CreateInsertElement(popAs(type), scalar, uint64_t{op.lane}));
    }

    case O::I8x16Eq: case O::I16x8Eq: case O::I32x4Eq: case O::I64x2Eq: return compare(llvm::CmpInst::ICMP_EQ);
    case O::I8x16Ne: case O::I16x8Ne: case O::I32x4Ne: case O::I64x2Ne: return compare(llvm::CmpInst::ICMP_NE);
    case O::I8x16LtS: case O::I16x8LtS: case O::I32x4LtS: case O::I64x2LtS: return compare(llvm::CmpInst::ICMP_SLT);
    case O::I8x16LtU: case O::I16x8LtU: case O::I32x4LtU: return compare(llvm::CmpInst::ICMP_ULT);
    case O::I8x16GtS: case O::I16x8GtS: case O::I32x4GtS: case O::I64x2GtS: return compare(llvm::CmpInst::ICMP_SGT);
    case O::I8x16GtU: case O::I16x8GtU: case O::I32x4GtU: return compare(llvm::CmpInst::ICMP_UGT);
    case O::I8x16LeS: case O::I16x8LeS: case O::I32x4LeS: case O::I64x2LeS: return compare(llvm::CmpInst::ICMP_SLE);
    case O::I8x16LeU: case O::I16x8LeU: case O::I32x4LeU: return compare(llvm::CmpInst::ICMP_ULE);
    case O::I8x16GeS: case O::I16x8GeS: case O::I32x4GeS: case O::I64x2GeS: return compare(llvm::CmpInst::ICMP_SGE);
    case O::I8x16GeU: case O::I16x8GeU: case O::I32x4GeU: return compare(llvm::CmpInst::ICMP_UGE);
    case O::F32x4Eq: case O::F64x2Eq: return compare(llvm::CmpInst::FCMP_OEQ);
    case O::F32x4Ne: case O::F64x2Ne: return compare(llvm::CmpInst::FCMP_UNE);
    case O::F32x4Lt: case O::F64x2Lt: return compare(llvm::CmpInst::FCMP_OLT);
    case O::F32x4Gt: case O::F64x2Gt: return compare(llvm::CmpInst::FCMP_OGT);
    case O::F32x4Le: case O::F64x2Le: return compare(llvm::CmpInst::FCMP_OLE);
    case O::F32x4Ge: case O::F64x2Ge: return compare(llvm::CmpInst::FCMP_OGE);

    case O::V128Not: return unary([&](llvm::Value* v) { return b.CreateNot(v); });
    case O::V128And: return binary([&](auto l, auto r) { return b.CreateAnd(l, r); });
    case O::V128AndNot: return binary([&](auto l, auto r) { return b.CreateAnd(l, b.CreateNot(r)); });
    case O::V128Or: return binary([&](auto l, auto r) { return b.CreateOr(l, r); });
    case O::V128Xor: return binary([&](auto l, auto r) { return b.CreateXor(l, r); });
    case O::V128Bitselect: {
      llvm::Value* mask = pop();
      llvm::Value* otherwise = pop();
      llvm::Value* then = pop();
      return result(b.CreateOr(b.CreateAnd(then, mask), b.CreateAnd(otherwise, b.CreateNot(mask))));
    }
    case O::V128AnyTrue:
      push(boolToI32(b.CreateICmpNE(b.CreateBitCast(pop(), b.getInt128Ty()), llvm::ConstantInt::get(b.getInt128Ty(), 0))));
      return true;
    case O::I8x16AllTrue: case O::I16x8AllTrue: case O::I32x4AllTrue: case O::I64x2AllTrue: {
      llvm::Value* nonZero = b.CreateICmpNE(popAs(type), llvm::Constant::getNullValue(type));
      push(boolToI32(b.CreateAndReduce(nonZero)));
      return true;
    }
    case O::I8x16Bitmask: case O::I16x8Bitmask: case O::I32x4Bitmask: case O::I64x2Bitmask: {
      llvm::Value* negative = b.CreateICmpSLT(popAs(type), llvm::Constant::getNullValue(type));
      push(b.CreateZExt(b.CreateBitCast(negative, b.getIntNTy(shape.lanes)), I32));
      return true;
    }

    case O::I8x16Add: case O::I16x8Add: case O::I32x4Add: case O::I64x2Add:
      return binary([&](auto l, auto r) { return b.CreateAdd(l, r); });
    case O::I8x16Sub: case O::I16x8Sub: case O::I32x4Sub: case O::I64x2Sub:
      return binary([&](auto l, auto r) { return b.CreateSub(l, r); });
    case O::I16x8Mul: case O::I32x4Mul: case O::I64x2Mul:
      return binary([&](auto l, auto r) { return b.CreateMul(l, r); });
    case O::I8x16Neg: case O::I16x8Neg: case O::I32x4Neg: case O::I64x2Neg:
      return unary([&](llvm::Value* v) { return b.CreateNeg(v); });
    case O::I8x16Abs: case O::I16x8Abs: case O::I32x4Abs: case O::I64x2Abs:
      return unary([&](llvm::Value* v) { return b.CreateBinaryIntrinsic(llvm::Intrinsic::abs, v, b.getFalse()); });
    case O::I8x16Popcnt: return intrinsic1(llvm::Intrinsic::ctpop);
    case O::I8x16MinS: case O::I16x8MinS: case O::I32x4MinS: return intrinsic2(llvm::Intrinsic::smin);
    case O::I8x16MinU: case O::I16x8MinU: case O::I32x4MinU: return intrinsic2(llvm::Intrinsic::umin);
    case O::I8x16MaxS: case O::I16x8MaxS: case O::I32x4MaxS: return intrinsic2(llvm::Intrinsic::smax);
    case O::I8x16MaxU: case O::I16x8MaxU: case O::I32x4MaxU: return intrinsic2(llvm::Intrinsic::umax);
    case O::I8x16AddSatS: case O::I16x8AddSatS: return intrinsic2(llvm::Intrinsic::sadd_sat);
    case O::I8x16AddSatU: case O::I16x8AddSatU: return intrinsic2(llvm::Intrinsic::uadd_sat);
    case O::I8x16SubSatS: case O::I16x8SubSatS: return intrinsic2(llvm::Intrinsic::ssub_sat);
    case O::I8x16SubSatU: case O::I16x8SubSatU: return intrinsic2(llvm::Intrinsic::usub_sat);
    case O::I8x16AvgrU: case O::I16x8AvgrU:
      return binary([&](llvm::Value* l, llvm::Value* r) {  // (a + b + 1) / 2 without overflow
        llvm::VectorType* wide = vectorType(shape.lanes, shape.bits * 2, false);
        llvm::Value* sum = b.CreateAdd(b.CreateAdd(b.CreateZExt(l, wide), b.CreateZExt(r, wide)),
                                       llvm::ConstantInt::get(wide, 1));
        return b.CreateTrunc(b.CreateLShr(sum, llvm::ConstantInt::get(wide, 1)), type);
      });
    case O::I16x8Q15mulrSatS:
      return binary([&](llvm::Value* l, llvm::Value* r) {
        llvm::VectorType* wide = vectorType(8, 32, false);
        llvm::Value* product = b.CreateMul(b.CreateSExt(l, wide), b.CreateSExt(r, wide));
        llvm::Value* rounded = b.CreateAShr(b.CreateAdd(product, llvm::ConstantInt::get(wide, 0x4000)),
                                            llvm::ConstantInt::get(wide, 15));
        return b.CreateTrunc(b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, rounded, llvm::ConstantInt::get(wide, 0x7fff)),
                             type);
      });
    case O::I32x4DotI16x8S: {
      llvm::VectorType* narrow = vectorType(8, 16, false);
      llvm::VectorType* wide = vectorType(8, 32, false);
      llvm::Value* r = b.CreateSExt(popAs(narrow), wide);
      llvm::Value* l = b.CreateSExt(popAs(narrow), wide);
      llvm::Value* products = b.CreateMul(l, r);
      std::vector<int> even{0, 2, 4, 6}, odd{1, 3, 5, 7};
      return result(b.CreateAdd(b.CreateShuffleVector(products, products, even),
                                b.CreateShuffleVector(products, products, odd)));
    }
    case O::I8x16Shl: case O::I16x8Shl: case O::I32x4Shl: case O::I64x2Shl: return shift(llvm::Instruction::Shl);
    case O::I8x16ShrS: case O::I16x8ShrS: case O::I32x4ShrS: case O::I64x2ShrS: return shift(llvm::Instruction::AShr);
    case O::I8x16ShrU: case O::I16x8ShrU: case O::I32x4ShrU: case O::I64x2ShrU: return shift(llvm::Instruction::LShr);
    case O::I8x16NarrowI16x8S: case O::I16x8NarrowI32x4S: return narrowSaturate(true);
    case O::I8x16NarrowI16x8U: case O::I16x8NarrowI32x4U: return narrowSaturate(false);
    case O::I16x8ExtendLowI8x16S: case O::I32x4ExtendLowI16x8S: case O::I64x2ExtendLowI32x4S: return extend(false, true);
    case O::I16x8ExtendHighI8x16S: case O::I32x4ExtendHighI16x8S: case O::I64x2ExtendHighI32x4S: return extend(true, true);
    case O::I16x8ExtendLowI8x16U: case O::I32x4ExtendLowI16x8U: case O::I64x2ExtendLowI32x4U: return extend(false, false);
    case O::I16x8ExtendHighI8x16U: case O::I32x4ExtendHighI16x8U: case O::I64x2ExtendHighI32x4U: return extend(true, false);
    case O::I16x8ExtmulLowI8x16S: case O::I32x4ExtmulLowI16x8S: case O::I64x2ExtmulLowI32x4S: return extmul(false, true);
    case O::I16x8ExtmulHighI8x16S: case O::I32x4ExtmulHighI16x8S: case O::I64x2ExtmulHighI32x4S: return extmul(true, true);
    case O::I16x8ExtmulLowI8x16U: case O::I32x4ExtmulLowI16x8U: case O::I64x2ExtmulLowI32x4U: return extmul(false, false);
    case O::I16x8ExtmulHighI8x16U: case O::I32x4ExtmulHighI16x8U: case O::I64x2ExtmulHighI32x4U: return extmul(true, false);
    case O::I16x8ExtaddPairwiseI8x16S: case O::I32x4ExtaddPairwiseI16x8S: return pairwise(true);
    case O::I16x8ExtaddPairwiseI8x16U: case O::I32x4ExtaddPairwiseI16x8U: return pairwise(false);

    case O::F32x4Abs: case O::F64x2Abs: return intrinsic1(llvm::Intrinsic::fabs);
    case O::F32x4Neg: case O::F64x2Neg: return unary([&](llvm::Value* v) { return b.CreateFNeg(v); });
    case O::F32x4Sqrt: case O::F64x2Sqrt: return intrinsic1(llvm::Intrinsic::sqrt);
    case O::F32x4Ceil: case O::F64x2Ceil: return intrinsic1(llvm::Intrinsic::ceil);
    case O::F32x4Floor: case O::F64x2Floor: return intrinsic1(llvm::Intrinsic::floor);
    case O::F32x4Trunc: case O::F64x2Trunc: return intrinsic1(llvm::Intrinsic::trunc);
    case O::F32x4Nearest: case O::F64x2Nearest: return intrinsic1(llvm::Intrinsic::roundeven);
    case O::F32x4Add: case O::F64x2Add: return binary([&](auto l, auto r) { return b.CreateFAdd(l, r); });
    case O::F32x4Sub: case O::F64x2Sub: return binary([&](auto l, auto r) { return b.CreateFSub(l, r); });
    case O::F32x4Mul: case O::F64x2Mul: return binary([&](auto l, auto r) { return b.CreateFMul(l, r); });
    case O::F32x4Div: case O::F64x2Div: return binary([&](auto l, auto r) { return b.CreateFDiv(l, r); });
    case O::F32x4Min: case O::F64x2Min: return minMax(llvm::Intrinsic::minimum);
    case O::F32x4Max: case O::F64x2Max: return minMax(llvm::Intrinsic::maximum);
    case O::F32x4Pmin: case O::F64x2Pmin:  // b < a ? b : a
      return binary([&](auto l, auto r) { return b.CreateSelect(b.CreateFCmpOLT(r, l), r, l); });
    case O::F32x4Pmax: case O::F64x2Pmax:  // a < b ? b : a
      return binary([&](auto l, auto r) { return b.CreateSelect(b.CreateFCmpOLT(l, r), r, l); });
    case O::F32x4ConvertI32x4S: case O::F32x4ConvertI32x4U: {
      llvm::Value* v = popAs(vectorType(4, 32, false));
      return result(op.opcode == O::F32x4ConvertI32x4S ? b.CreateSIToFP(v, type) : b.CreateUIToFP(v, type));
    }
    case O::I32x4TruncSatF32x4S: case O::I32x4TruncSatF32x4U: {
      llvm::Value* v = popAs(vectorType(4, 32, true));
      ID id = op.opcode == O::I32x4TruncSatF32x4S ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
      return result(b.CreateIntrinsic(id, {type, v->getType()}, {v}));
    }
    case O::I32x4TruncSatF64x2SZero: case O::I32x4TruncSatF64x2UZero: {
      llvm::Value* v = popAs(vectorType(2, 64, true));
      ID id = op.opcode == O::I32x4TruncSatF64x2SZero ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat;
      llvm::Value* two = b.CreateIntrinsic(id, {vectorType(2, 32, false), v->getType()}, {v});
      return result(b.CreateShuffleVector(two, llvm::Constant::getNullValue(two->getType()), {0, 1, 2, 3}));
    }
    case O::F64x2ConvertLowI32x4S: case O::F64x2ConvertLowI32x4U: {
      llvm::Value* low = half(popAs(vectorType(4, 32, false)), 2, false);
      return result(op.opcode == O::F64x2ConvertLowI32x4S ? b.CreateSIToFP(low, type) : b.CreateUIToFP(low, type));
    }
    case O::F32x4DemoteF64x2Zero: {
      llvm::Value* two = b.CreateFPTrunc(popAs(vectorType(2, 64, true)), vectorType(2, 32, true));
      return result(b.CreateShuffleVector(two, llvm::Constant::getNullValue(two->getType()), {0, 1, 2, 3}));
    }
    case O::F64x2PromoteLowF32x4:
      return result(b.CreateFPExt(half(popAs(vectorType(4, 32, true)), 2, false), type));
    default:
      return unsupported(op);
  }
}

}  // namespace weft
