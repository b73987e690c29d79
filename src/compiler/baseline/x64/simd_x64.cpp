// The baseline's SIMD operators on x86-64, every one of them inline: SSE4.1
// (with SSE4.2's pcmpgtq, which the tier already requires), no call out of
// the function and no SIMD builtin left. Scratch registers: xmm0 and xmm15,
// rax and rcx (macro_assembler_x64.h); the operand registers a caller hands
// in are its own, so a sequence may overwrite any of them and says which one
// holds the result. Constants a sequence needs are made in a scratch register
// from all-ones and shifts, or from an immediate through rax: the code holds
// no data and no address (DESIGN 1, 3).
#include <array>
#include <cstring>

#include "compiler/baseline/x64/macro_assembler_x64.h"

namespace weft {
namespace {

using namespace asmjit;
using O = Opcode;

x86::Gp gp(GpReg r) { return x86::gpq(r.code); }
x86::Xmm xmm(FpReg r) { return x86::xmm(r.code); }
const x86::Xmm kScratch = x86::xmm0;
const x86::Xmm kScratch2 = x86::xmm15;

// cmpps/cmppd predicates.
constexpr uint32_t kCmpEq = 0, kCmpLt = 1, kCmpLe = 2, kCmpUnord = 3, kCmpNeq = 4;

struct VectorInst {
  InstId inst = x86::Inst::kIdNone;
  bool swapped = false;
};
VectorInst vectorBinaryInst(Opcode op) {
  using O = Opcode;
  switch (op) {
    case O::V128And: return {x86::Inst::kIdPand};
    case O::V128Or: return {x86::Inst::kIdPor};
    case O::V128Xor: return {x86::Inst::kIdPxor};
    case O::V128AndNot: return {x86::Inst::kIdPandn, true};  // ~b & a
    case O::I8x16Add: return {x86::Inst::kIdPaddb};
    case O::I16x8Add: return {x86::Inst::kIdPaddw};
    case O::I32x4Add: return {x86::Inst::kIdPaddd};
    case O::I64x2Add: return {x86::Inst::kIdPaddq};
    case O::I8x16Sub: return {x86::Inst::kIdPsubb};
    case O::I16x8Sub: return {x86::Inst::kIdPsubw};
    case O::I32x4Sub: return {x86::Inst::kIdPsubd};
    case O::I64x2Sub: return {x86::Inst::kIdPsubq};
    case O::I16x8Mul: return {x86::Inst::kIdPmullw};
    case O::I32x4Mul: return {x86::Inst::kIdPmulld};
    case O::I8x16AddSatS: return {x86::Inst::kIdPaddsb};
    case O::I8x16AddSatU: return {x86::Inst::kIdPaddusb};
    case O::I8x16SubSatS: return {x86::Inst::kIdPsubsb};
    case O::I8x16SubSatU: return {x86::Inst::kIdPsubusb};
    case O::I16x8AddSatS: return {x86::Inst::kIdPaddsw};
    case O::I16x8AddSatU: return {x86::Inst::kIdPaddusw};
    case O::I16x8SubSatS: return {x86::Inst::kIdPsubsw};
    case O::I16x8SubSatU: return {x86::Inst::kIdPsubusw};
    case O::I8x16MinS: return {x86::Inst::kIdPminsb};
    case O::I8x16MinU: return {x86::Inst::kIdPminub};
    case O::I8x16MaxS: return {x86::Inst::kIdPmaxsb};
    case O::I8x16MaxU: return {x86::Inst::kIdPmaxub};
    case O::I16x8MinS: return {x86::Inst::kIdPminsw};
    case O::I16x8MinU: return {x86::Inst::kIdPminuw};
    case O::I16x8MaxS: return {x86::Inst::kIdPmaxsw};
    case O::I16x8MaxU: return {x86::Inst::kIdPmaxuw};
    case O::I32x4MinS: return {x86::Inst::kIdPminsd};
    case O::I32x4MinU: return {x86::Inst::kIdPminud};
    case O::I32x4MaxS: return {x86::Inst::kIdPmaxsd};
    case O::I32x4MaxU: return {x86::Inst::kIdPmaxud};
    case O::I8x16AvgrU: return {x86::Inst::kIdPavgb};
    case O::I16x8AvgrU: return {x86::Inst::kIdPavgw};
    case O::I8x16NarrowI16x8S: return {x86::Inst::kIdPacksswb};
    case O::I8x16NarrowI16x8U: return {x86::Inst::kIdPackuswb};
    case O::I16x8NarrowI32x4S: return {x86::Inst::kIdPackssdw};
    case O::I16x8NarrowI32x4U: return {x86::Inst::kIdPackusdw};
    case O::I32x4DotI16x8S: return {x86::Inst::kIdPmaddwd};
    case O::I8x16Eq: return {x86::Inst::kIdPcmpeqb};
    case O::I16x8Eq: return {x86::Inst::kIdPcmpeqw};
    case O::I32x4Eq: return {x86::Inst::kIdPcmpeqd};
    case O::I64x2Eq: return {x86::Inst::kIdPcmpeqq};
    case O::I8x16GtS: return {x86::Inst::kIdPcmpgtb};
    case O::I16x8GtS: return {x86::Inst::kIdPcmpgtw};
    case O::I32x4GtS: return {x86::Inst::kIdPcmpgtd};
    case O::I64x2GtS: return {x86::Inst::kIdPcmpgtq};
    case O::I8x16LtS: return {x86::Inst::kIdPcmpgtb, true};
    case O::I16x8LtS: return {x86::Inst::kIdPcmpgtw, true};
    case O::I32x4LtS: return {x86::Inst::kIdPcmpgtd, true};
    case O::I64x2LtS: return {x86::Inst::kIdPcmpgtq, true};
    // Float arithmetic is IEEE in both: NaN results are quiet NaNs, which
    // the spec accepts as arithmetic NaNs.
    case O::F32x4Add: return {x86::Inst::kIdAddps};
    case O::F32x4Sub: return {x86::Inst::kIdSubps};
    case O::F32x4Mul: return {x86::Inst::kIdMulps};
    case O::F32x4Div: return {x86::Inst::kIdDivps};
    case O::F64x2Add: return {x86::Inst::kIdAddpd};
    case O::F64x2Sub: return {x86::Inst::kIdSubpd};
    case O::F64x2Mul: return {x86::Inst::kIdMulpd};
    case O::F64x2Div: return {x86::Inst::kIdDivpd};
    // pmin(a, b) = b < a ? b : a, which is minps(b, a) exactly (NaNs included).
    case O::F32x4Pmin: return {x86::Inst::kIdMinps, true};
    case O::F32x4Pmax: return {x86::Inst::kIdMaxps, true};
    case O::F64x2Pmin: return {x86::Inst::kIdMinpd, true};
    case O::F64x2Pmax: return {x86::Inst::kIdMaxpd, true};
    default: return {};
  }
}

// The lane width of a shift, compare or test operator, from its shape.
uint32_t laneBits(Opcode op) {
  switch (op) {
    case O::I8x16Shl: case O::I8x16ShrS: case O::I8x16ShrU:
    case O::I8x16AllTrue: case O::I8x16Bitmask:
      return 8;
    case O::I16x8Shl: case O::I16x8ShrS: case O::I16x8ShrU:
    case O::I16x8AllTrue: case O::I16x8Bitmask:
      return 16;
    case O::I32x4Shl: case O::I32x4ShrS: case O::I32x4ShrU:
    case O::I32x4AllTrue: case O::I32x4Bitmask:
      return 32;
    default:
      return 64;
  }
}

}  // namespace

void MacroAssemblerX64::failUnsupported(Opcode op) {
  (void)op;
  fail("a SIMD operator without an x86-64 sequence");
}

// ---- scratch constants ----

void MacroAssemblerX64::allOnes(const x86::Xmm& dst) { a_.pcmpeqd(dst, dst); }

void MacroAssemblerX64::splatConstant32(const x86::Xmm& dst, uint32_t value) {
  a_.mov(x86::eax, value);
  a_.movd(dst, x86::eax);
  a_.pshufd(dst, dst, 0);
}

void MacroAssemblerX64::splatConstant64(const x86::Xmm& dst, uint64_t value) {
  a_.mov(x86::rax, value);
  a_.movq(dst, x86::rax);
  a_.punpcklqdq(dst, dst);
}

// Every bit of {x} flipped (kScratch used).
void MacroAssemblerX64::vectorNot(const x86::Xmm& x) {
  allOnes(kScratch);
  a_.pxor(x, kScratch);
}

// ---- loads, lanes, splats, shuffles ----

void MacroAssemblerX64::vectorLoad(Opcode op, FpReg dst, MemOperand memory) {
  x86::Mem m = x64::toAsmjit(memory);
  x86::Xmm x = xmm(dst);
  switch (op) {
    case O::V128Load8x8S: a_.pmovsxbw(x, m); break;
    case O::V128Load8x8U: a_.pmovzxbw(x, m); break;
    case O::V128Load16x4S: a_.pmovsxwd(x, m); break;
    case O::V128Load16x4U: a_.pmovzxwd(x, m); break;
    case O::V128Load32x2S: a_.pmovsxdq(x, m); break;
    case O::V128Load32x2U: a_.pmovzxdq(x, m); break;
    case O::V128Load8Splat:
      a_.movzx(x86::eax, m);
      a_.movd(x, x86::eax);
      a_.pxor(kScratch, kScratch);
      a_.pshufb(x, kScratch);
      break;
    case O::V128Load16Splat:
      a_.movzx(x86::eax, m);
      a_.movd(x, x86::eax);
      a_.pshuflw(x, x, 0);
      a_.punpcklqdq(x, x);
      break;
    case O::V128Load32Splat:
      a_.movd(x, m);
      a_.pshufd(x, x, 0);
      break;
    case O::V128Load64Splat:
      a_.movq(x, m);
      a_.punpcklqdq(x, x);
      break;
    case O::V128Load32Zero: a_.movd(x, m); break;
    default: a_.movq(x, m); break;  // load64_zero
  }
}

void MacroAssemblerX64::laneLoadStore(bool isLoad, uint32_t size, FpReg vector, MemOperand memory, uint8_t lane) {
  x86::Mem m = x64::toAsmjit(memory);
  x86::Xmm x = xmm(vector);
  switch (size) {
    case 1: if (isLoad) a_.pinsrb(x, m, lane); else a_.pextrb(m, x, lane); break;
    case 2: if (isLoad) a_.pinsrw(x, m, lane); else a_.pextrw(m, x, lane); break;
    case 4: if (isLoad) a_.pinsrd(x, m, lane); else a_.pextrd(m, x, lane); break;
    default: if (isLoad) a_.pinsrq(x, m, lane); else a_.pextrq(m, x, lane); break;
  }
}

// pshufb each source with its own mask (0x80 zeroes a lane), then or.
void MacroAssemblerX64::shuffle(const uint8_t* lanes, FpReg lhs, FpReg rhs) {
  uint8_t maskA[16], maskB[16];
  for (int i = 0; i < 16; ++i) {
    uint8_t lane = lanes[i];
    maskA[i] = lane < 16 ? lane : 0x80;
    maskB[i] = lane >= 16 ? static_cast<uint8_t>(lane - 16) : 0x80;
  }
  constexpr uint8_t kXmm0 = 0;
  auto loadMask = [&](const uint8_t* mask) {
    uint64_t low, high;
    std::memcpy(&low, mask, 8);
    std::memcpy(&high, mask + 8, 8);
    loadVectorConstant(FpReg{kXmm0}, low, high);
  };
  loadMask(maskA);
  x64::sseRegReg(a_, x64::kPshufb, lhs.code, kXmm0);
  loadMask(maskB);
  x64::sseRegReg(a_, x64::kPshufb, rhs.code, kXmm0);
  x64::sseRegReg(a_, x64::kPor, lhs.code, rhs.code);
}

void MacroAssemblerX64::splat(Opcode op, FpReg dst, GpReg src) {
  x86::Xmm x = xmm(dst);
  switch (op) {
    case O::I8x16Splat:
      a_.movd(x, gp(src).r32());
      a_.pxor(kScratch, kScratch);
      a_.pshufb(x, kScratch);
      return;
    case O::I16x8Splat:
      a_.movd(x, gp(src).r32());
      a_.pshuflw(x, x, 0);
      a_.pshufd(x, x, 0);
      return;
    case O::I32x4Splat:
      a_.movd(x, gp(src).r32());
      a_.pshufd(x, x, 0);
      return;
    default:  // i64x2.splat
      a_.movq(x, gp(src));
      a_.punpcklqdq(x, x);
      return;
  }
}

void MacroAssemblerX64::splatFloat(bool wide, FpReg vector) {
  if (wide) a_.punpcklqdq(xmm(vector), xmm(vector));
  else a_.pshufd(xmm(vector), xmm(vector), 0);
}

void MacroAssemblerX64::extractLane(Opcode op, GpReg dst, FpReg src, uint8_t lane) {
  x86::Gp r = gp(dst);
  x86::Xmm x = xmm(src);
  switch (op) {
    case O::I8x16ExtractLaneS: a_.pextrb(r.r32(), x, lane); a_.movsx(r.r32(), r.r8()); break;
    case O::I8x16ExtractLaneU: a_.pextrb(r.r32(), x, lane); break;
    case O::I16x8ExtractLaneS: a_.pextrw(r.r32(), x, lane); a_.movsx(r.r32(), r.r16()); break;
    case O::I16x8ExtractLaneU: a_.pextrw(r.r32(), x, lane); break;
    case O::I32x4ExtractLane: a_.pextrd(r.r32(), x, lane); break;
    default: a_.pextrq(r.r64(), x, lane); break;
  }
}

// The lane moves to the bottom; what stays above it is never read as part
// of a scalar (scalar instructions and stores use the low lane only).
void MacroAssemblerX64::extractFloatLane(Opcode op, FpReg vectorAndResult, uint8_t lane) {
  x86::Xmm x = xmm(vectorAndResult);
  if (lane == 0) return;
  if (op == O::F32x4ExtractLane) a_.pshufd(x, x, lane);
  else a_.movhlps(x, x);
}

void MacroAssemblerX64::replaceLane(Opcode op, FpReg vector, GpReg value, uint8_t lane) {
  x86::Xmm x = xmm(vector);
  x86::Gp r = gp(value);
  switch (op) {
    case O::I8x16ReplaceLane: a_.pinsrb(x, r.r32(), lane); break;
    case O::I16x8ReplaceLane: a_.pinsrw(x, r.r32(), lane); break;
    case O::I32x4ReplaceLane: a_.pinsrd(x, r.r32(), lane); break;
    default: a_.pinsrq(x, r.r64(), lane); break;
  }
}

void MacroAssemblerX64::replaceFloatLane(Opcode op, FpReg vector, FpReg value, uint8_t lane) {
  x86::Xmm x = xmm(vector);
  x86::Xmm f = xmm(value);
  if (op == O::F32x4ReplaceLane) a_.insertps(x, f, static_cast<uint32_t>(lane) << 4);  // source lane 0, no zeroing
  else if (lane == 0) a_.movsd(x, f);
  else a_.movlhps(x, f);
}

// ---- whole-vector operators ----

void MacroAssemblerX64::vectorUnary(Opcode op, FpReg reg) {
  x86::Xmm x = xmm(reg);
  const x86::Xmm& s = kScratch;
  switch (op) {
    case O::V128Not: vectorNot(x); return;
    case O::F32x4Sqrt: a_.sqrtps(x, x); return;
    case O::F64x2Sqrt: a_.sqrtpd(x, x); return;
    // roundps/roundpd quiet signalling NaNs, as the spec asks; bit 3: no
    // precision exception.
    case O::F32x4Nearest: a_.roundps(x, x, 0 | 8); return;
    case O::F32x4Floor: a_.roundps(x, x, 1 | 8); return;
    case O::F32x4Ceil: a_.roundps(x, x, 2 | 8); return;
    case O::F32x4Trunc: a_.roundps(x, x, 3 | 8); return;
    case O::F64x2Nearest: a_.roundpd(x, x, 0 | 8); return;
    case O::F64x2Floor: a_.roundpd(x, x, 1 | 8); return;
    case O::F64x2Ceil: a_.roundpd(x, x, 2 | 8); return;
    case O::F64x2Trunc: a_.roundpd(x, x, 3 | 8); return;

    case O::I8x16Abs: a_.pabsb(x, x); return;
    case O::I16x8Abs: a_.pabsw(x, x); return;
    case O::I32x4Abs: a_.pabsd(x, x); return;
    case O::I64x2Abs:  // (x ^ sign) - sign
      a_.pxor(s, s);
      a_.pcmpgtq(s, x);
      a_.pxor(x, s);
      a_.psubq(x, s);
      return;
    case O::I8x16Neg: case O::I16x8Neg: case O::I32x4Neg: case O::I64x2Neg:
      a_.pxor(s, s);
      if (op == O::I8x16Neg) a_.psubb(s, x);
      else if (op == O::I16x8Neg) a_.psubw(s, x);
      else if (op == O::I32x4Neg) a_.psubd(s, x);
      else a_.psubq(s, x);
      a_.movdqa(x, s);
      return;
    // Sign bits cleared or flipped: NaNs keep their payloads, as the spec asks.
    case O::F32x4Abs: allOnes(s); a_.psrld(s, 1); a_.andps(x, s); return;
    case O::F64x2Abs: allOnes(s); a_.psrlq(s, 1); a_.andpd(x, s); return;
    case O::F32x4Neg: allOnes(s); a_.pslld(s, 31); a_.xorps(x, s); return;
    case O::F64x2Neg: allOnes(s); a_.psllq(s, 63); a_.xorps(x, s); return;

    // Each nibble's count looked up with pshufb; the table is loaded twice
    // (pshufb overwrites it) rather than taking a third scratch register.
    case O::I8x16Popcnt: {
      constexpr uint64_t kNibbleCountsLow = 0x0302020102010100, kNibbleCountsHigh = 0x0403030203020201;
      const x86::Xmm& high = kScratch2;
      splatConstant32(s, 0x0F0F0F0F);
      a_.movdqa(high, x);
      a_.psrlw(high, 4);
      a_.pand(high, s);
      a_.pand(x, s);
      loadVectorConstant(FpReg{static_cast<uint8_t>(s.id())}, kNibbleCountsLow, kNibbleCountsHigh);
      a_.pshufb(s, x);
      loadVectorConstant(reg, kNibbleCountsLow, kNibbleCountsHigh);
      a_.pshufb(x, high);
      a_.paddb(x, s);
      return;
    }

    // Extends: the high half first moved down, or unpacked with zeros.
    case O::I16x8ExtendLowI8x16S: a_.pmovsxbw(x, x); return;
    case O::I16x8ExtendLowI8x16U: a_.pmovzxbw(x, x); return;
    case O::I32x4ExtendLowI16x8S: a_.pmovsxwd(x, x); return;
    case O::I32x4ExtendLowI16x8U: a_.pmovzxwd(x, x); return;
    case O::I64x2ExtendLowI32x4S: a_.pmovsxdq(x, x); return;
    case O::I64x2ExtendLowI32x4U: a_.pmovzxdq(x, x); return;
    case O::I16x8ExtendHighI8x16S: a_.pshufd(x, x, 0xEE); a_.pmovsxbw(x, x); return;
    case O::I32x4ExtendHighI16x8S: a_.pshufd(x, x, 0xEE); a_.pmovsxwd(x, x); return;
    case O::I64x2ExtendHighI32x4S: a_.pshufd(x, x, 0xEE); a_.pmovsxdq(x, x); return;
    case O::I16x8ExtendHighI8x16U: a_.pxor(s, s); a_.punpckhbw(x, s); return;
    case O::I32x4ExtendHighI16x8U: a_.pxor(s, s); a_.punpckhwd(x, s); return;
    case O::I64x2ExtendHighI32x4U: a_.pxor(s, s); a_.punpckhdq(x, s); return;

    // Pairwise sums as multiply-adds by ones (no sum can saturate), except
    // unsigned 16-bit lanes: the two halves of each 32-bit lane added.
    case O::I16x8ExtaddPairwiseI8x16S:  // pmaddubsw: unsigned ones times signed bytes
      allOnes(s);
      a_.pabsb(s, s);
      a_.pmaddubsw(s, x);
      a_.movdqa(x, s);
      return;
    case O::I16x8ExtaddPairwiseI8x16U:  // unsigned bytes times signed ones
      allOnes(s);
      a_.pabsb(s, s);
      a_.pmaddubsw(x, s);
      return;
    case O::I32x4ExtaddPairwiseI16x8S:
      allOnes(s);
      a_.psrlw(s, 15);
      a_.pmaddwd(x, s);
      return;
    case O::I32x4ExtaddPairwiseI16x8U:
      a_.movdqa(s, x);
      a_.psrld(s, 16);
      a_.pslld(x, 16);
      a_.psrld(x, 16);
      a_.paddd(x, s);
      return;

    // Conversions.
    case O::F32x4ConvertI32x4S: a_.cvtdq2ps(x, x); return;
    case O::F32x4ConvertI32x4U:
      // The low 16 bits and the rest converted apart (both exactly: the rest
      // halved has 16 significant bits), then one rounding in the sum.
      a_.movdqa(s, x);
      a_.pslld(s, 16);
      a_.psrld(s, 16);
      a_.psubd(x, s);
      a_.cvtdq2ps(s, s);
      a_.psrld(x, 1);
      a_.cvtdq2ps(x, x);
      a_.addps(x, x);
      a_.addps(x, s);
      return;
    case O::F64x2ConvertLowI32x4S: a_.cvtdq2pd(x, x); return;
    case O::F64x2ConvertLowI32x4U:
      // Each u32 as the low mantissa bits of 2^52, then 2^52 taken away: exact.
      splatConstant32(s, 0x43300000);
      a_.unpcklps(x, s);
      splatConstant64(s, 0x4330000000000000);
      a_.subpd(x, s);
      return;
    case O::I32x4TruncSatF32x4S:
      // NaN lanes zeroed; cvttps2dq gives 0x80000000 past either end, and
      // the lanes where that came from a positive number flip to INT32_MAX.
      a_.movaps(s, x);
      a_.cmpps(s, s, kCmpEq);
      a_.andps(x, s);
      a_.pxor(s, x);
      a_.cvttps2dq(x, x);
      a_.pand(s, x);
      a_.psrad(s, 31);
      a_.pxor(x, s);
      return;
    case O::I32x4TruncSatF32x4U: {
      // NaN and negatives to 0; lanes at or past 2^31 converted after taking
      // 2^31 away, lanes at or past 2^32 to UINT32_MAX.
      const x86::Xmm& t = kScratch2;
      a_.xorps(s, s);
      a_.maxps(x, s);
      allOnes(s);
      a_.psrld(s, 1);
      a_.cvtdq2ps(s, s);  // 2^31
      a_.movaps(t, x);
      a_.subps(t, s);
      a_.cmpps(s, t, kCmpLe);  // 2^31 <= x - 2^31: x >= 2^32
      a_.cvttps2dq(t, t);
      a_.pxor(t, s);
      a_.pxor(s, s);
      a_.pmaxsd(t, s);
      a_.cvttps2dq(x, x);
      a_.paddd(x, t);
      return;
    }
    case O::I32x4TruncSatF64x2SZero:
      // minpd returns its second operand for a NaN: 0 in NaN lanes, else
      // INT32_MAX as a double; cvttpd2dq gives INT32_MIN below the range and
      // zeroes the upper two lanes.
      a_.movapd(s, x);
      a_.cmppd(s, s, kCmpEq);
      splatConstant64(kScratch2, 0x41DFFFFFFFC00000);  // 2147483647.0
      a_.andpd(s, kScratch2);
      a_.minpd(x, s);
      a_.cvttpd2dq(x, x);
      return;
    case O::I32x4TruncSatF64x2UZero:
      // Clamped to [0, UINT32_MAX] (maxpd against 0 also zeroes NaNs), truncated,
      // then 2^52 added: the integer is the low 32 bits of each double.
      a_.xorpd(s, s);
      a_.maxpd(x, s);
      splatConstant64(s, 0x41EFFFFFFFE00000);  // 4294967295.0
      a_.minpd(x, s);
      a_.roundpd(x, x, 3 | 8);
      splatConstant64(s, 0x4330000000000000);  // 2^52
      a_.addpd(x, s);
      a_.xorps(s, s);
      a_.shufps(x, s, 0x88);
      return;
    case O::F32x4DemoteF64x2Zero: a_.cvtpd2ps(x, x); return;
    case O::F64x2PromoteLowF32x4: a_.cvtps2pd(x, x); return;
    default:
      break;
  }
  failUnsupported(op);
}

// Each operation's SSE form, read off asmjit's encoding once per process.
FpReg MacroAssemblerX64::vectorBinary(Opcode op, FpReg lhs, FpReg rhs) {
  static const std::array<x64::SseForm, kOpcodeSpace> kForms = [] {
    std::array<x64::SseForm, kOpcodeSpace> forms{};
    for (uint32_t key = 0; key < kOpcodeSpace; ++key)
      if (InstId inst = vectorBinaryInst(static_cast<Opcode>(key)).inst; inst != x86::Inst::kIdNone)
        forms[key] = x64::sseFormOf(inst);
    return forms;
  }();
  if (VectorInst v = vectorBinaryInst(op); v.inst != x86::Inst::kIdNone) {
    if (v.swapped) std::swap(lhs, rhs);
    const x64::SseForm& form = kForms[static_cast<uint16_t>(op)];
    if (form.opcode != 0) x64::sseRegReg(a_, form, lhs.code, rhs.code);
    else a_.emit(v.inst, xmm(lhs), xmm(rhs));
    return lhs;
  }
  x86::Xmm a = xmm(lhs), b = xmm(rhs);
  const x86::Xmm& s = kScratch;
  switch (op) {
    // Not equal: equal, inverted.
    case O::I8x16Ne: a_.pcmpeqb(a, b); vectorNot(a); return lhs;
    case O::I16x8Ne: a_.pcmpeqw(a, b); vectorNot(a); return lhs;
    case O::I32x4Ne: a_.pcmpeqd(a, b); vectorNot(a); return lhs;
    case O::I64x2Ne: a_.pcmpeqq(a, b); vectorNot(a); return lhs;

    // a >= b is max(a, b) == a and a <= b is min(a, b) == a (into rhs);
    // a > b and a < b are the same tests the other way round, inverted.
    case O::I8x16GeS: a_.pmaxsb(b, a); a_.pcmpeqb(b, a); return rhs;
    case O::I8x16GeU: a_.pmaxub(b, a); a_.pcmpeqb(b, a); return rhs;
    case O::I8x16LeS: a_.pminsb(b, a); a_.pcmpeqb(b, a); return rhs;
    case O::I8x16LeU: a_.pminub(b, a); a_.pcmpeqb(b, a); return rhs;
    case O::I8x16GtU: a_.pmaxub(a, b); a_.pcmpeqb(a, b); vectorNot(a); return lhs;
    case O::I8x16LtU: a_.pminub(a, b); a_.pcmpeqb(a, b); vectorNot(a); return lhs;
    case O::I16x8GeS: a_.pmaxsw(b, a); a_.pcmpeqw(b, a); return rhs;
    case O::I16x8GeU: a_.pmaxuw(b, a); a_.pcmpeqw(b, a); return rhs;
    case O::I16x8LeS: a_.pminsw(b, a); a_.pcmpeqw(b, a); return rhs;
    case O::I16x8LeU: a_.pminuw(b, a); a_.pcmpeqw(b, a); return rhs;
    case O::I16x8GtU: a_.pmaxuw(a, b); a_.pcmpeqw(a, b); vectorNot(a); return lhs;
    case O::I16x8LtU: a_.pminuw(a, b); a_.pcmpeqw(a, b); vectorNot(a); return lhs;
    case O::I32x4GeS: a_.pmaxsd(b, a); a_.pcmpeqd(b, a); return rhs;
    case O::I32x4GeU: a_.pmaxud(b, a); a_.pcmpeqd(b, a); return rhs;
    case O::I32x4LeS: a_.pminsd(b, a); a_.pcmpeqd(b, a); return rhs;
    case O::I32x4LeU: a_.pminud(b, a); a_.pcmpeqd(b, a); return rhs;
    case O::I32x4GtU: a_.pmaxud(a, b); a_.pcmpeqd(a, b); vectorNot(a); return lhs;
    case O::I32x4LtU: a_.pminud(a, b); a_.pcmpeqd(a, b); vectorNot(a); return lhs;
    case O::I64x2GeS: a_.pcmpgtq(b, a); vectorNot(b); return rhs;  // not b > a
    case O::I64x2LeS: a_.pcmpgtq(a, b); vectorNot(a); return lhs;  // not a > b

    // Float compares: unordered lanes are false, except for ne.
    case O::F32x4Eq: a_.cmpps(a, b, kCmpEq); return lhs;
    case O::F32x4Ne: a_.cmpps(a, b, kCmpNeq); return lhs;
    case O::F32x4Lt: a_.cmpps(a, b, kCmpLt); return lhs;
    case O::F32x4Le: a_.cmpps(a, b, kCmpLe); return lhs;
    case O::F32x4Gt: a_.cmpps(b, a, kCmpLt); return rhs;
    case O::F32x4Ge: a_.cmpps(b, a, kCmpLe); return rhs;
    case O::F64x2Eq: a_.cmppd(a, b, kCmpEq); return lhs;
    case O::F64x2Ne: a_.cmppd(a, b, kCmpNeq); return lhs;
    case O::F64x2Lt: a_.cmppd(a, b, kCmpLt); return lhs;
    case O::F64x2Le: a_.cmppd(a, b, kCmpLe); return lhs;
    case O::F64x2Gt: a_.cmppd(b, a, kCmpLt); return rhs;
    case O::F64x2Ge: a_.cmppd(b, a, kCmpLe); return rhs;

    case O::F32x4Min: case O::F32x4Max: case O::F64x2Min: case O::F64x2Max:
      return vectorMinMax(op, lhs, rhs);

    // Indices past 15 get bit 7 (pshufb's zero) from a saturating add of
    // 0x70, which keeps the low four bits of the others.
    case O::I8x16Swizzle:
      splatConstant32(s, 0x70707070);
      a_.paddusb(s, b);
      a_.pshufb(a, s);
      return lhs;

    // pmulhrsw is the rounding Q15 product except for 0x8000 * 0x8000,
    // which it gives as 0x8000: flipped to 0x7fff.
    case O::I16x8Q15mulrSatS:
      a_.pmulhrsw(a, b);
      allOnes(s);
      a_.psllw(s, 15);
      a_.pcmpeqw(s, a);
      a_.pxor(a, s);
      return lhs;

    // lo(a)*lo(b) + ((hi(a)*lo(b) + lo(a)*hi(b)) << 32), from 32x32->64
    // products.
    case O::I64x2Mul: {
      const x86::Xmm& t = kScratch2;
      a_.movdqa(s, a);
      a_.psrlq(s, 32);
      a_.pmuludq(s, b);
      a_.movdqa(t, b);
      a_.psrlq(t, 32);
      a_.pmuludq(t, a);
      a_.paddq(s, t);
      a_.psllq(s, 32);
      a_.pmuludq(a, b);
      a_.paddq(a, s);
      return lhs;
    }

    // Extending multiplies: 8-bit lanes widened then multiplied; 16-bit
    // lanes as the low and high halves of each product interleaved; 32-bit
    // lanes moved to the even positions pmuldq/pmuludq read.
    case O::I16x8ExtmulLowI8x16S: a_.pmovsxbw(a, a); a_.pmovsxbw(b, b); a_.pmullw(a, b); return lhs;
    case O::I16x8ExtmulLowI8x16U: a_.pmovzxbw(a, a); a_.pmovzxbw(b, b); a_.pmullw(a, b); return lhs;
    case O::I16x8ExtmulHighI8x16S:
    case O::I16x8ExtmulHighI8x16U: {
      a_.pshufd(a, a, 0xEE);
      a_.pshufd(b, b, 0xEE);
      if (op == O::I16x8ExtmulHighI8x16S) {
        a_.pmovsxbw(a, a);
        a_.pmovsxbw(b, b);
      } else {
        a_.pmovzxbw(a, a);
        a_.pmovzxbw(b, b);
      }
      a_.pmullw(a, b);
      return lhs;
    }
    case O::I32x4ExtmulLowI16x8S: case O::I32x4ExtmulHighI16x8S:
    case O::I32x4ExtmulLowI16x8U: case O::I32x4ExtmulHighI16x8U: {
      bool isSigned = op == O::I32x4ExtmulLowI16x8S || op == O::I32x4ExtmulHighI16x8S;
      a_.movdqa(s, a);
      if (isSigned) a_.pmulhw(s, b);
      else a_.pmulhuw(s, b);
      a_.pmullw(a, b);
      if (op == O::I32x4ExtmulLowI16x8S || op == O::I32x4ExtmulLowI16x8U) a_.punpcklwd(a, s);
      else a_.punpckhwd(a, s);
      return lhs;
    }
    case O::I64x2ExtmulLowI32x4S: case O::I64x2ExtmulHighI32x4S:
    case O::I64x2ExtmulLowI32x4U: case O::I64x2ExtmulHighI32x4U: {
      bool low = op == O::I64x2ExtmulLowI32x4S || op == O::I64x2ExtmulLowI32x4U;
      uint32_t lanes = low ? 0x50 : 0xFA;  // {0, 0, 1, 1} or {2, 2, 3, 3}
      a_.pshufd(a, a, lanes);
      a_.pshufd(b, b, lanes);
      if (op == O::I64x2ExtmulLowI32x4S || op == O::I64x2ExtmulHighI32x4S) a_.pmuldq(a, b);
      else a_.pmuludq(a, b);
      return lhs;
    }
    default:
      break;
  }
  failUnsupported(op);
  return lhs;
}

// wasm's min and max: -0 below +0, and Weft's NaN rule for every tier
// (the scalar one too): the first NaN operand, quieted. minps/maxps give
// their second operand for NaNs and equal zeros, so both orders are taken:
// or-ed they make min (-0 wins), and-ed max (+0 wins), and or-ed they are a
// NaN exactly where an operand is. There an addition's result goes in
// instead, which is x86's NaN rule: the first NaN operand, quieted.
FpReg MacroAssemblerX64::vectorMinMax(Opcode op, FpReg lhs, FpReg rhs) {
  const x86::Xmm& mask = x86::xmm0;  // kScratch, where blendvps reads its mask
  const x86::Xmm& firstNaN = kScratch2;
  x86::Xmm a = xmm(lhs), b = xmm(rhs);
  bool f32 = op == O::F32x4Min || op == O::F32x4Max;
  bool isMin = op == O::F32x4Min || op == O::F64x2Min;
  auto minOrMax = [&](const x86::Xmm& dst, const x86::Xmm& src) {
    if (isMin) f32 ? a_.minps(dst, src) : a_.minpd(dst, src);
    else f32 ? a_.maxps(dst, src) : a_.maxpd(dst, src);
  };
  a_.movaps(firstNaN, a);
  if (f32) a_.addps(firstNaN, b);
  else a_.addpd(firstNaN, b);
  a_.movaps(mask, b);
  minOrMax(mask, a);  // op(b, a)
  minOrMax(a, b);     // op(a, b)
  x86::Xmm result = a;
  if (isMin) {
    a_.orps(a, mask);
    a_.movaps(mask, a);
  } else {
    a_.movaps(b, a);
    a_.andps(b, mask);
    a_.orps(mask, a);
    result = b;
  }
  if (f32) a_.cmpps(mask, mask, kCmpUnord);
  else a_.cmppd(mask, mask, kCmpUnord);
  if (f32) a_.blendvps(result, firstNaN, mask);
  else a_.blendvpd(result, firstNaN, mask);
  return isMin ? lhs : rhs;
}

// Counts past the lane width wrap, as wasm defines. 8-bit lanes shift as
// 16-bit ones (left and logical right, then masked), or arithmetically as
// the high bytes of 16-bit lanes, packed back.
void MacroAssemblerX64::vectorShift(Opcode op, FpReg reg, GpReg countReg) {
  x86::Xmm x = xmm(reg);
  const x86::Xmm& s = kScratch;
  uint32_t bits = laneBits(op);
  a_.mov(x86::ecx, gp(countReg).r32());
  a_.and_(x86::ecx, bits - 1);
  if (op == O::I8x16ShrS) {
    a_.add(x86::ecx, 8);
    a_.movd(s, x86::ecx);
    byteShiftRightSigned(x, s);
    return;
  }
  a_.movd(s, x86::ecx);
  if (bits == 8) {
    bool left = op == O::I8x16Shl;
    if (left) a_.psllw(x, s);
    else a_.psrlw(x, s);
    a_.mov(x86::eax, 0xFF);
    if (left) a_.shl(x86::eax, x86::cl);
    else a_.shr(x86::eax, x86::cl);
    a_.movd(kScratch2, x86::eax);
    a_.pxor(s, s);
    a_.pshufb(kScratch2, s);
    a_.pand(x, kScratch2);
    return;
  }
  if (op == O::I64x2ShrS) {
    int64ShiftRightSigned(x, s);
    return;
  }
  shiftByRegister(op, x, s);
}

void MacroAssemblerX64::vectorShiftByConstant(Opcode op, FpReg reg, uint32_t count) {
  x86::Xmm x = xmm(reg);
  uint32_t bits = laneBits(op);
  count &= bits - 1;
  if (count == 0) return;
  switch (op) {
    case O::I8x16Shl:
    case O::I8x16ShrU: {
      bool left = op == O::I8x16Shl;
      uint32_t mask = (left ? 0xFFu << count : 0xFFu >> count) & 0xFF;
      if (left) a_.psllw(x, count);
      else a_.psrlw(x, count);
      splatConstant32(kScratch, mask * 0x01010101u);
      a_.pand(x, kScratch);
      return;
    }
    case O::I8x16ShrS:
      a_.mov(x86::eax, count + 8);
      a_.movd(kScratch, x86::eax);
      byteShiftRightSigned(x, kScratch);
      return;
    case O::I64x2ShrS:
      a_.mov(x86::eax, count);
      a_.movd(kScratch, x86::eax);
      int64ShiftRightSigned(x, kScratch);
      return;
    case O::I16x8Shl: a_.psllw(x, count); return;
    case O::I16x8ShrS: a_.psraw(x, count); return;
    case O::I16x8ShrU: a_.psrlw(x, count); return;
    case O::I32x4Shl: a_.pslld(x, count); return;
    case O::I32x4ShrS: a_.psrad(x, count); return;
    case O::I32x4ShrU: a_.psrld(x, count); return;
    case O::I64x2Shl: a_.psllq(x, count); return;
    default: a_.psrlq(x, count); return;  // i64x2.shr_u
  }
}

void MacroAssemblerX64::shiftByRegister(Opcode op, const x86::Xmm& x, const x86::Xmm& count) {
  switch (op) {
    case O::I16x8Shl: a_.psllw(x, count); return;
    case O::I16x8ShrS: a_.psraw(x, count); return;
    case O::I16x8ShrU: a_.psrlw(x, count); return;
    case O::I32x4Shl: a_.pslld(x, count); return;
    case O::I32x4ShrS: a_.psrad(x, count); return;
    case O::I32x4ShrU: a_.psrld(x, count); return;
    case O::I64x2Shl: a_.psllq(x, count); return;
    default: a_.psrlq(x, count); return;  // i64x2.shr_u
  }
}

// {count} holds the byte shift plus 8: each byte goes to the top of a
// 16-bit lane (punpck with itself), shifts arithmetically, and packs back
// (no lane saturates: each fits a byte).
void MacroAssemblerX64::byteShiftRightSigned(const x86::Xmm& x, const x86::Xmm& count) {
  const x86::Xmm& high = kScratch2;
  a_.movdqa(high, x);
  a_.punpckhbw(high, high);
  a_.punpcklbw(x, x);
  a_.psraw(x, count);
  a_.psraw(high, count);
  a_.packsswb(x, high);
}

// No 64-bit arithmetic shift before AVX-512: ((x >>> n) ^ m) - m with
// m = 2^63 >>> n sign-extends the logical shift.
void MacroAssemblerX64::int64ShiftRightSigned(const x86::Xmm& x, const x86::Xmm& count) {
  const x86::Xmm& m = kScratch2;
  allOnes(m);
  a_.psllq(m, 63);
  a_.psrlq(m, count);
  a_.psrlq(x, count);
  a_.pxor(x, m);
  a_.psubq(x, m);
}

void MacroAssemblerX64::vectorTest(Opcode op, GpReg dst, FpReg reg) {
  x86::Gp r = gp(dst);
  x86::Xmm x = xmm(reg);
  const x86::Xmm& s = kScratch;
  switch (op) {
    case O::V128AnyTrue:
      a_.ptest(x, x);
      a_.setnz(r.r8());
      a_.movzx(r.r32(), r.r8());
      return;
    case O::I8x16AllTrue: case O::I16x8AllTrue: case O::I32x4AllTrue: case O::I64x2AllTrue:
      // No lane equal to zero.
      a_.pxor(s, s);
      if (op == O::I8x16AllTrue) a_.pcmpeqb(s, x);
      else if (op == O::I16x8AllTrue) a_.pcmpeqw(s, x);
      else if (op == O::I32x4AllTrue) a_.pcmpeqd(s, x);
      else a_.pcmpeqq(s, x);
      a_.ptest(s, s);
      a_.setz(r.r8());
      a_.movzx(r.r32(), r.r8());
      return;
    case O::I8x16Bitmask: a_.pmovmskb(r.r32(), x); return;
    case O::I16x8Bitmask:  // signed saturation keeps each lane's sign
      a_.packsswb(x, x);
      a_.pmovmskb(r.r32(), x);
      a_.movzx(r.r32(), r.r8());
      return;
    case O::I32x4Bitmask: a_.movmskps(r.r32(), x); return;
    default: a_.movmskpd(r.r32(), x); return;  // i64x2.bitmask
  }
}

void MacroAssemblerX64::bitselect(FpReg v1AndResult, FpReg v2, FpReg mask) {
  x86::Xmm a = xmm(v1AndResult), b = xmm(v2), c = xmm(mask);
  a_.pand(a, c);
  a_.pandn(c, b);
  a_.por(a, c);
}

}  // namespace weft
