// The baseline's hottest x86-64 instruction forms, encoded straight into the
// assembler's code buffer: moves between registers, loads and stores at
// [base + index + displacement] (the frame's slots and locals, the vmctx's
// fields, wasm memory), immediates, the integer operations (add, sub, and,
// or, xor, cmp, test, lea, imul, shifts, division), SSE operations between
// registers, calls through a table, jumps to the baseline's own labels, and
// code alignment. asmjit stays the encoder of
// everything else; these skip its generic path (an operand-signature match
// and table lookups per instruction), which was a third of a baseline
// compile's time. Each writes the very bytes asmjit would choose
// (tests/unit/fast_encoder_test.cpp compares every register and the
// displacements at each encoding boundary byte for byte), so the code is the
// same either way. Each grows the buffer itself when it is short of room, as
// asmjit does; when that fails, it reports the error to the assembler's error
// handler, as asmjit's own instructions do, and returns false without writing.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include <asmjit/x86.h>

namespace weft::x64 {

// [base + index * 2^shift + disp], index optional. Registers 0-15 in the
// hardware's numbering, which is asmjit's. Every memory operand the
// baseline makes has this shape, so it is the macro-assembler's operand
// type. It is 8 bytes made in one register (memAt): built field by field
// in memory and then passed on, as asmjit's Mem is, every operand would be
// written in narrow stores and read back in a wide load, which the
// processor cannot forward (a stall per load and store the baseline emits).
struct FastMem {
  uint8_t base;
  int8_t index;  // -1: none
  uint8_t size;   // bytes accessed, for the forms asmjit encodes (0: unsized)
  uint8_t shift;  // the index's scale, 0-3 (an element of 1, 2, 4 or 8 bytes)
  int32_t disp;
};
static_assert(sizeof(FastMem) == 8 && std::endian::native == std::endian::little);
inline FastMem indexedMemAt(uint8_t base, int8_t index, int32_t disp, uint8_t size = 0) {
  return std::bit_cast<FastMem>(uint64_t{base} | uint64_t{static_cast<uint8_t>(index)} << 8 | uint64_t{size} << 16 |
                                uint64_t{static_cast<uint32_t>(disp)} << 32);
}
inline FastMem memAt(uint8_t base, int32_t disp, uint8_t size = 0) { return indexedMemAt(base, -1, disp, size); }
inline FastMem scaledMemAt(uint8_t base, uint8_t index, uint8_t shift, int32_t disp, uint8_t size = 0) {
  FastMem m = indexedMemAt(base, static_cast<int8_t>(index), disp, size);
  m.shift = shift;
  return m;
}

// {m} as asmjit's operand, for the forms asmjit encodes.
inline asmjit::x86::Mem toAsmjit(const FastMem& m) {
  if (m.index < 0) return asmjit::x86::ptr(asmjit::x86::gpq(m.base), m.disp, m.size);
  return asmjit::x86::ptr(asmjit::x86::gpq(m.base), asmjit::x86::gpq(static_cast<uint32_t>(m.index)), m.shift, m.disp,
                          m.size);
}

// {m} as a FastMem when it is [base64 (+ index64) + disp32] with no segment
// or label: the only memory operands the forms below take.
inline bool toFastMem(const asmjit::x86::Mem& m, FastMem& out) {
  if (!m.hasBaseReg() || m.baseType() != asmjit::RegType::kGp64 || m.hasSegment() || m.offset() < INT32_MIN ||
      m.offset() > INT32_MAX)
    return false;
  int8_t index = -1;
  if (m.hasIndex()) {
    if (m.indexType() != asmjit::RegType::kGp64 || m.indexId() == 4) return false;
    index = static_cast<int8_t>(m.indexId());
  }
  out = indexedMemAt(static_cast<uint8_t>(m.baseId()), index, static_cast<int32_t>(m.offset()),
                     static_cast<uint8_t>(m.size()));
  out.shift = static_cast<uint8_t>(index < 0 ? 0 : m.shift());
  return true;
}

namespace fast_detail {

inline uint8_t rex(bool wide, uint8_t reg, uint8_t base, uint8_t index = 0) {
  return static_cast<uint8_t>(0x40 | (wide ? 8 : 0) | ((reg & 8) >> 1) | ((index & 8) >> 2) | ((base & 8) >> 3));
}
inline uint8_t rex(bool wide, uint8_t reg, const FastMem& m) {
  return rex(wide, reg, m.base, m.index < 0 ? 0 : static_cast<uint8_t>(m.index));
}
// The encoders below write without branching on their operands where they
// can (a prefix or displacement is written always, and counted only when it
// is part of the instruction): which form a load or store takes depends on
// the guest's code, and mispredicted branches cost more here than the bytes.
// Every write stays inside the 16 bytes that emit() guarantees.
inline uint8_t* putRex(uint8_t* p, uint8_t rex) {
  *p = rex;
  return p + (rex != 0x40);
}

// ModRM (and SIB, displacement) for {m} with {reg} in the reg field: no
// displacement when it is 0 (but rbp and r13 as base need one), else 8 bits
// when it fits, else 32. An index, or rsp or r12 as base, needs a SIB byte.
inline uint8_t* memoryOperand(uint8_t* p, uint8_t reg, const FastMem& m) {
  static constexpr uint8_t kDisplacementBytes[3] = {0, 1, 4};
  uint8_t low = m.base & 7;
  bool hasIndex = m.index >= 0;
  bool fits8 = static_cast<uint32_t>(m.disp) + 128u < 256u;
  uint8_t mod = (m.disp == 0 && low != 5) ? 0 : fits8 ? 1 : 2;
  bool sib = hasIndex || low == 4;
  p[0] = static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | (sib ? 4 : low));
  p[1] = hasIndex ? static_cast<uint8_t>(m.shift << 6 | (m.index & 7) << 3 | low) : uint8_t{0x24};
  p += 1 + sib;
  std::memcpy(p, &m.disp, 4);  // little-endian: its first byte is the disp8
  return p + kDisplacementBytes[mod];
}
inline uint8_t* registerOperand(uint8_t* p, uint8_t reg, uint8_t rm) {
  *p++ = static_cast<uint8_t>(0xC0 | (reg & 7) << 3 | (rm & 7));
  return p;
}
template <typename T>
inline uint8_t* put(uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof value);
  return p + sizeof value;
}

// Out of line and cold: one call in each encoding's rare path, so that the
// encodings inlined into the macro-assembler stay small.
[[gnu::noinline, gnu::cold]] inline bool grow(asmjit::x86::Assembler& a) {
  asmjit::Error error = a.code()->growBuffer(&a._section->_buffer, 16);
  if (error == asmjit::kErrorOk) return true;
  a.reportError(error);
  return false;
}

// Runs {write} on the buffer once 16 bytes are free (no instruction here is
// longer) and commits what it wrote, as asmjit's own writer does.
template <typename Write>
inline bool emit(asmjit::x86::Assembler& a, Write write) {
  if (a.remainingSpace() < 16) [[unlikely]]
    if (!grow(a)) return false;
  uint8_t* end = write(a._bufferPtr);
  a._bufferPtr = end;
  size_t offset = static_cast<size_t>(end - a._bufferData);
  asmjit::CodeBuffer& buffer = a._section->_buffer;
  if (buffer._size < offset) buffer._size = offset;
  return true;
}

}  // namespace fast_detail

// mov dst, src (32 bits, zero-extending, or 64).
inline bool movRegReg(asmjit::x86::Assembler& a, uint8_t dst, uint8_t src, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, src, dst));
    *p++ = 0x89;
    return fast_detail::registerOperand(p, src, dst);
  });
}

// movaps dst, src.
inline bool movaps(asmjit::x86::Assembler& a, uint8_t dst, uint8_t src) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(false, dst, src));
    *p++ = 0x0F;
    *p++ = 0x28;
    return fast_detail::registerOperand(p, dst, src);
  });
}

// mov dst32, imm32 (zero-extends).
inline bool movImm32(asmjit::x86::Assembler& a, uint8_t dst, uint32_t imm) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    if (dst & 8) *p++ = 0x41;
    *p++ = static_cast<uint8_t>(0xB8 | (dst & 7));
    return fast_detail::put(p, imm);
  });
}

// An integer load of {size} bytes at {m} into dst: 1 and 2 zero- or
// sign-extended to 32 bits (or 64 when wide and signed), 4 as a 32-bit move
// (or movsxd when wide and signed), 8 as a 64-bit move.
inline bool loadInteger(asmjit::x86::Assembler& a, uint8_t dst, const FastMem& m, uint32_t size, bool signExtend,
                        bool wide) {
  // By size (1, 2, 4, 8), then signExtend, then wide: REX.W, opcode bytes.
  struct Form {
    bool rexW;
    uint8_t length;
    uint8_t opcode[2];
  };
  static constexpr Form kForms[4][2][2] = {
      {{{false, 2, {0x0F, 0xB6}}, {false, 2, {0x0F, 0xB6}}}, {{false, 2, {0x0F, 0xBE}}, {true, 2, {0x0F, 0xBE}}}},
      {{{false, 2, {0x0F, 0xB7}}, {false, 2, {0x0F, 0xB7}}}, {{false, 2, {0x0F, 0xBF}}, {true, 2, {0x0F, 0xBF}}}},
      {{{false, 1, {0x8B, 0}}, {false, 1, {0x8B, 0}}}, {{false, 1, {0x8B, 0}}, {true, 1, {0x63, 0}}}},
      {{{true, 1, {0x8B, 0}}, {true, 1, {0x8B, 0}}}, {{true, 1, {0x8B, 0}}, {true, 1, {0x8B, 0}}}},
  };
  const Form& form = kForms[std::countr_zero(size) & 3][signExtend][wide];
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(form.rexW, dst, m));
    p[0] = form.opcode[0];
    p[1] = form.opcode[1];
    p += form.length;
    return fast_detail::memoryOperand(p, dst, m);
  });
}

// mov dst, [m] (32 or 64 bits).
inline bool movLoad(asmjit::x86::Assembler& a, uint8_t dst, const FastMem& m, bool wide) {
  return loadInteger(a, dst, m, wide ? 8 : 4, false, wide);
}

// A store of src's low {size} bytes at {m}.
inline bool storeInteger(asmjit::x86::Assembler& a, const FastMem& m, uint8_t src, uint32_t size) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p = 0x66;
    p += size == 2;
    uint8_t rex = fast_detail::rex(size == 8, src, m);
    // spl, bpl, sil and dil as byte registers exist only with a REX prefix.
    *p = rex;
    p += rex != 0x40 || (size == 1 && src >= 4 && src < 8);
    *p++ = size == 1 ? 0x88 : 0x89;
    return fast_detail::memoryOperand(p, src, m);
  });
}

// mov [m], src (32 or 64 bits).
inline bool movStore(asmjit::x86::Assembler& a, const FastMem& m, uint8_t src, bool wide) {
  return storeInteger(a, m, src, wide ? 8 : 4);
}

// A store of an immediate of {size} bytes at {m} (8: sign-extended from 32
// bits; false when it does not fit).
inline bool storeImmediate(asmjit::x86::Assembler& a, const FastMem& m, uint32_t size, int64_t value) {
  if (value < INT32_MIN || value > INT32_MAX) return false;
  return fast_detail::emit(a, [&](uint8_t* p) {
    if (size == 2) *p++ = 0x66;
    p = fast_detail::putRex(p, fast_detail::rex(size == 8, 0, m));
    *p++ = size == 1 ? 0xC6 : 0xC7;
    p = fast_detail::memoryOperand(p, 0, m);
    if (size == 1) return fast_detail::put(p, static_cast<int8_t>(value));
    if (size == 2) return fast_detail::put(p, static_cast<int16_t>(value));
    return fast_detail::put(p, static_cast<int32_t>(value));
  });
}

// movss (f32) or movsd (f64) between an xmm register and [m].
inline bool scalarFloatLoad(asmjit::x86::Assembler& a, bool f64, uint8_t dst, const FastMem& m) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p++ = f64 ? 0xF2 : 0xF3;
    p = fast_detail::putRex(p, fast_detail::rex(false, dst, m));
    *p++ = 0x0F;
    *p++ = 0x10;
    return fast_detail::memoryOperand(p, dst, m);
  });
}
inline bool scalarFloatStore(asmjit::x86::Assembler& a, bool f64, const FastMem& m, uint8_t src) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p++ = f64 ? 0xF2 : 0xF3;
    p = fast_detail::putRex(p, fast_detail::rex(false, src, m));
    *p++ = 0x0F;
    *p++ = 0x11;
    return fast_detail::memoryOperand(p, src, m);
  });
}
// mov r64, imm as asmjit encodes it: a sign-extended imm32 when the value
// fits one, else the full 64-bit immediate.
inline bool movImm64(asmjit::x86::Assembler& a, uint8_t dst, uint64_t imm) {
  auto value = static_cast<int64_t>(imm);
  bool signed32 = value >= INT32_MIN && value <= INT32_MAX;
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p++ = fast_detail::rex(true, 0, dst);
    if (signed32) {
      *p++ = 0xC7;
      p = fast_detail::registerOperand(p, 0, dst);
      return fast_detail::put(p, static_cast<int32_t>(imm));
    }
    *p++ = static_cast<uint8_t>(0xB8 | (dst & 7));
    return fast_detail::put(p, imm);
  });
}

// An SSE instruction between registers: [prefix] [REX] 0F {opcode} ModRM
// [imm8], {opcode} one byte or two (0x38xx, 0x3Axx); {reg} in ModRM's reg
// field (the destination, or the xmm of movq xmm, r64), {rm} in its rm
// field; REX.W when {wide} (movq, pinsrq).
struct SseForm {
  uint8_t prefix;  // 0 (none), 0x66, 0xF2 or 0xF3
  bool wide;
  uint16_t opcode;
};
inline constexpr SseForm kMovqToXmm{0x66, true, 0x6E};  // movq xmm, r64
inline constexpr SseForm kMovdToXmm{0x66, false, 0x6E};  // movd xmm, r32
inline constexpr SseForm kPinsrq{0x66, true, 0x3A22};   // pinsrq xmm, r64, imm8
inline constexpr SseForm kPshufb{0x66, false, 0x3800};  // pshufb xmm, xmm
inline constexpr SseForm kPor{0x66, false, 0xEB};       // por xmm, xmm
inline constexpr SseForm kXorps{0, false, 0x57};        // xorps xmm, xmm
// addss/addsd, subss/subsd, mulss/mulsd, divss/divsd by their opcode byte.
enum class ScalarArith : uint8_t { Add = 0x58, Mul = 0x59, Sub = 0x5C, Div = 0x5E };
inline constexpr SseForm scalarArith(ScalarArith op, bool f64) {
  return {static_cast<uint8_t>(f64 ? 0xF2 : 0xF3), false, static_cast<uint16_t>(op)};
}
inline bool sseRegReg(asmjit::x86::Assembler& a, SseForm form, uint8_t reg, uint8_t rm, int imm8 = -1) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p = form.prefix;
    p += form.prefix != 0;
    p = fast_detail::putRex(p, fast_detail::rex(form.wide, reg, rm));
    *p++ = 0x0F;
    if (form.opcode > 0xFF) *p++ = static_cast<uint8_t>(form.opcode >> 8);
    *p++ = static_cast<uint8_t>(form.opcode);
    p = fast_detail::registerOperand(p, reg, rm);
    *p = static_cast<uint8_t>(imm8);
    return p + (imm8 >= 0);
  });
}

// The form asmjit gives `{inst} xmm, xmm` (an SSE operation between two
// vector registers), read off its own encoding of `{inst} xmm1, xmm2`:
// [prefix] 0F [38|3A] opcode ModRM. The packed operations' table then needs
// no opcode bytes of its own. Nothing (opcode 0) for an instruction of any
// other shape.
inline SseForm sseFormOf(asmjit::InstId inst) {
  asmjit::CodeHolder code;
  code.init(asmjit::Environment::host());
  asmjit::x86::Assembler a(&code);
  if (a.emit(inst, asmjit::x86::xmm1, asmjit::x86::xmm2) != asmjit::kErrorOk) return {};
  const asmjit::CodeBuffer& bytes = code.textSection()->buffer();
  const uint8_t* p = bytes.data();
  const uint8_t* end = p + bytes.size();
  SseForm form{0, false, 0};
  if (p < end && (*p == 0x66 || *p == 0xF2 || *p == 0xF3)) form.prefix = *p++;
  if (end - p < 3 || *p++ != 0x0F) return {};
  if (*p == 0x38 || *p == 0x3A) form.opcode = static_cast<uint16_t>(*p++ << 8);
  form.opcode = static_cast<uint16_t>(form.opcode | *p++);
  if (end - p != 1 || *p != 0xCA) return {};  // ModRM: register xmm1, register xmm2, nothing after
  return form;
}

// movdqu xmm, [m] and movdqu [m], xmm (a v128 local, slot or memory access).
inline bool vectorLoadUnaligned(asmjit::x86::Assembler& a, uint8_t dst, const FastMem& m) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p++ = 0xF3;
    p = fast_detail::putRex(p, fast_detail::rex(false, dst, m));
    *p++ = 0x0F;
    *p++ = 0x6F;
    return fast_detail::memoryOperand(p, dst, m);
  });
}
inline bool vectorStoreUnaligned(asmjit::x86::Assembler& a, const FastMem& m, uint8_t src) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p++ = 0xF3;
    p = fast_detail::putRex(p, fast_detail::rex(false, src, m));
    *p++ = 0x0F;
    *p++ = 0x7F;
    return fast_detail::memoryOperand(p, src, m);
  });
}

// lea dst, [m] (a 32- or 64-bit result).
inline bool lea(asmjit::x86::Assembler& a, uint8_t dst, const FastMem& m, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, dst, m));
    *p++ = 0x8D;
    return fast_detail::memoryOperand(p, dst, m);
  });
}

// The integer operations of one opcode family each: the digit of the
// 0x83/0x81 immediate forms; the register forms are digit * 8 + 1 (dst in
// r/m) and + 3 (a memory source).
enum class Alu : uint8_t { Add = 0, Or = 1, And = 4, Sub = 5, Xor = 6, Cmp = 7 };

// op dst, src.
inline bool aluRegReg(asmjit::x86::Assembler& a, Alu op, uint8_t dst, uint8_t src, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, src, dst));
    *p++ = static_cast<uint8_t>(static_cast<uint8_t>(op) << 3 | 1);
    return fast_detail::registerOperand(p, src, dst);
  });
}

// op dst, [m].
inline bool aluRegMem(asmjit::x86::Assembler& a, Alu op, uint8_t dst, const FastMem& m, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, dst, m));
    *p++ = static_cast<uint8_t>(static_cast<uint8_t>(op) << 3 | 3);
    return fast_detail::memoryOperand(p, dst, m);
  });
}

// op dst, imm (sign-extended to 64 bits when wide). rax with an immediate
// beyond 8 bits takes the accumulator form, one byte shorter, as asmjit's.
inline bool aluRegImm(asmjit::x86::Assembler& a, Alu op, uint8_t dst, int32_t imm, bool wide) {
  bool imm8 = imm >= -128 && imm <= 127;
  if (!imm8 && dst == 0) {
    return fast_detail::emit(a, [&](uint8_t* p) {
      if (wide) *p++ = 0x48;
      *p++ = static_cast<uint8_t>(static_cast<uint8_t>(op) << 3 | 5);
      return fast_detail::put(p, imm);
    });
  }
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, 0, dst));
    *p++ = imm8 ? 0x83 : 0x81;
    p = fast_detail::registerOperand(p, static_cast<uint8_t>(op), dst);
    return imm8 ? fast_detail::put(p, static_cast<int8_t>(imm)) : fast_detail::put(p, imm);
  });
}

// imul dst, src; imul dst, [m]; imul dst, dst, imm (8 bits when it fits).
inline bool imulRegReg(asmjit::x86::Assembler& a, uint8_t dst, uint8_t src, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, dst, src));
    *p++ = 0x0F;
    *p++ = 0xAF;
    return fast_detail::registerOperand(p, dst, src);
  });
}
inline bool imulRegMem(asmjit::x86::Assembler& a, uint8_t dst, const FastMem& m, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, dst, m));
    *p++ = 0x0F;
    *p++ = 0xAF;
    return fast_detail::memoryOperand(p, dst, m);
  });
}
inline bool imulRegImm(asmjit::x86::Assembler& a, uint8_t dst, int32_t imm, bool wide) {
  bool imm8 = imm >= -128 && imm <= 127;
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, dst, dst));
    *p++ = imm8 ? 0x6B : 0x69;
    p = fast_detail::registerOperand(p, dst, dst);
    return imm8 ? fast_detail::put(p, static_cast<int8_t>(imm)) : fast_detail::put(p, imm);
  });
}

// Pads with nops to a multiple of {alignment} (a power of two), as asmjit's
// align(kCode) with optimized alignment does: the multi-byte NOP forms the
// processor manuals recommend, at most 9 bytes each, longest first, so that
// code entering a loop runs as few of them as it can.
inline bool alignCode(asmjit::x86::Assembler& a, uint32_t alignment) {
  static constexpr uint8_t kNops[9][9] = {
      {0x90},
      {0x66, 0x90},
      {0x0F, 0x1F, 0x00},
      {0x0F, 0x1F, 0x40, 0x00},
      {0x0F, 0x1F, 0x44, 0x00, 0x00},
      {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
      {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
      {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
  };
  auto pad = static_cast<uint32_t>(-a.offset() & (alignment - 1));
  while (pad > 0) {
    uint32_t n = pad < 9 ? pad : 9;
    bool written = fast_detail::emit(a, [&](uint8_t* p) {
      std::memcpy(p, kNops[n - 1], 9);  // within the 16 bytes emit() guarantees; only n are kept
      return p + n;
    });
    if (!written) return false;
    pad -= n;
  }
  return true;
}

// jmp r64.
inline bool jumpReg(asmjit::x86::Assembler& a, uint8_t r) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(false, 0, r));
    *p++ = 0xFF;
    return fast_detail::registerOperand(p, 4, r);
  });
}

// test r, r.
inline bool testRegReg(asmjit::x86::Assembler& a, uint8_t r, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, r, r));
    *p++ = 0x85;
    return fast_detail::registerOperand(p, r, r);
  });
}

// lea dst, [rip + to {target}], a section offset (64 bits; always rel32).
inline bool leaRip(asmjit::x86::Assembler& a, uint8_t dst, uint64_t target) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    auto at = static_cast<int64_t>(p - a._bufferData);
    *p++ = fast_detail::rex(true, dst, 0);
    *p++ = 0x8D;
    *p++ = static_cast<uint8_t>((dst & 7) << 3 | 5);
    return fast_detail::put(p, static_cast<int32_t>(static_cast<int64_t>(target) - (at + 7)));
  });
}

// lea dst, [rip + rel32] to something placed later: the displacement 0, for
// the caller to patch; {rel32At} receives where it is.
inline bool leaRipAhead(asmjit::x86::Assembler& a, uint8_t dst, uint32_t& rel32At) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p++ = fast_detail::rex(true, dst, 0);
    *p++ = 0x8D;
    *p++ = static_cast<uint8_t>((dst & 7) << 3 | 5);
    rel32At = static_cast<uint32_t>(p - a._bufferData);
    return fast_detail::put(p, int32_t{0});
  });
}

// push r (64 bits).
inline bool pushReg(asmjit::x86::Assembler& a, uint8_t r) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    if (r >= 8) *p++ = 0x41;
    *p++ = static_cast<uint8_t>(0x50 | (r & 7));
    return p;
  });
}

// setcc r8 (the low byte; spl, bpl, sil and dil need an empty REX).
inline bool setcc(asmjit::x86::Assembler& a, int condition, uint8_t r) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    if (r >= 4) *p++ = static_cast<uint8_t>(0x40 | (r >> 3));
    *p++ = 0x0F;
    *p++ = static_cast<uint8_t>(0x90 | condition);
    return fast_detail::registerOperand(p, 0, r);
  });
}
// movzx dst32, src8.
inline bool movzxByte(asmjit::x86::Assembler& a, uint8_t dst, uint8_t src) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    uint8_t rex = fast_detail::rex(false, dst, src);
    if (rex != 0x40 || src >= 4) *p++ = rex;
    *p++ = 0x0F;
    *p++ = 0xB6;
    return fast_detail::registerOperand(p, dst, src);
  });
}
// cmovcc dst, src.
inline bool cmov(asmjit::x86::Assembler& a, int condition, uint8_t dst, uint8_t src, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, dst, src));
    *p++ = 0x0F;
    *p++ = static_cast<uint8_t>(0x40 | condition);
    return fast_detail::registerOperand(p, dst, src);
  });
}
// The shifts and rotates by an immediate count, by their ModRM extension.
enum class Shift : uint8_t { Rol = 0, Ror = 1, Shl = 4, Shr = 5, Sar = 7 };
// op r, imm8; asmjit gives a count of 1 its one-byte-shorter form, so does this.
inline bool shiftImm(asmjit::x86::Assembler& a, Shift op, uint8_t r, uint8_t count, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, 0, r));
    *p++ = count == 1 ? 0xD1 : 0xC1;
    p = fast_detail::registerOperand(p, static_cast<uint8_t>(op), r);
    if (count != 1) *p++ = count;
    return p;
  });
}

// op r, cl.
inline bool shiftCl(asmjit::x86::Assembler& a, Shift op, uint8_t r, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, 0, r));
    *p++ = 0xD3;
    return fast_detail::registerOperand(p, static_cast<uint8_t>(op), r);
  });
}

// cdq / cqo: edx:eax (rdx:rax) = eax (rax) sign-extended, before idiv.
inline bool signExtendIntoRdx(asmjit::x86::Assembler& a, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p = 0x48;
    p += wide;
    *p++ = 0x99;
    return p;
  });
}

// div r / idiv r: rdx:rax by r.
inline bool divide(asmjit::x86::Assembler& a, bool isSigned, uint8_t r, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, 0, r));
    *p++ = 0xF7;
    return fast_detail::registerOperand(p, isSigned ? 7 : 6, r);
  });
}

// pop r (64 bits); ret.
inline bool popReg(asmjit::x86::Assembler& a, uint8_t r) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    if (r >= 8) *p++ = 0x41;
    *p++ = static_cast<uint8_t>(0x58 | (r & 7));
    return p;
  });
}
inline bool ret(asmjit::x86::Assembler& a) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    *p++ = 0xC3;
    return p;
  });
}

// cmp dword (or qword) ptr [m], imm8 (sign-extended).
inline bool cmpMemImm8(asmjit::x86::Assembler& a, const FastMem& m, int8_t imm, bool wide) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(wide, 0, m));
    *p++ = 0x83;
    p = fast_detail::memoryOperand(p, 7, m);
    return fast_detail::put(p, imm);
  });
}

// call qword ptr [m].
inline bool callMem(asmjit::x86::Assembler& a, const FastMem& m) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    p = fast_detail::putRex(p, fast_detail::rex(false, 0, m));
    *p++ = 0xFF;
    return fast_detail::memoryOperand(p, 2, m);
  });
}

// Conditions in the hardware's numbering, which is asmjit's x86::CondCode;
// kAlways for jmp.
inline constexpr int kAlways = -1;

// A jump to {target}, an offset in the current section already bound (so
// behind): the 2-byte form when it reaches, else rel32, as asmjit chooses.
inline bool jumpBack(asmjit::x86::Assembler& a, int condition, uint64_t target) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    auto at = static_cast<int64_t>(p - a._bufferData);
    int64_t shortDisp = static_cast<int64_t>(target) - (at + 2);
    if (shortDisp >= -128 && shortDisp <= 127) {
      *p++ = condition == kAlways ? 0xEB : static_cast<uint8_t>(0x70 | condition);
      return fast_detail::put(p, static_cast<int8_t>(shortDisp));
    }
    if (condition == kAlways) {
      *p++ = 0xE9;
      return fast_detail::put(p, static_cast<int32_t>(static_cast<int64_t>(target) - (at + 5)));
    }
    *p++ = 0x0F;
    *p++ = static_cast<uint8_t>(0x80 | condition);
    return fast_detail::put(p, static_cast<int32_t>(static_cast<int64_t>(target) - (at + 6)));
  });
}

// A jump ahead, to a label bound later: the rel32 form, its displacement 0
// for the caller to patch; {rel32At} receives where the displacement is.
inline bool jumpAhead(asmjit::x86::Assembler& a, int condition, uint32_t& rel32At) {
  return fast_detail::emit(a, [&](uint8_t* p) {
    if (condition == kAlways) {
      *p++ = 0xE9;
    } else {
      *p++ = 0x0F;
      *p++ = static_cast<uint8_t>(0x80 | condition);
    }
    rel32At = static_cast<uint32_t>(p - a._bufferData);
    return fast_detail::put(p, int32_t{0});
  });
}

}  // namespace weft::x64
