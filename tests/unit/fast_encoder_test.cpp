// The baseline's fast encodings (compiler/baseline/x64/fast_encoder.h) write
// the very bytes asmjit writes for the same instruction: every register pair,
// both widths, displacements at each encoding boundary (none, 8 and 32 bits)
// and the bases that need a SIB byte (rsp, r12) or a displacement (rbp, r13).
// Each case is assembled once by asmjit and once by the fast path, mixed with
// asmjit instructions around it, and the buffers must be equal byte for byte.
#include "compiler/baseline/x64/fast_encoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace weft::x64 {
namespace {

using namespace asmjit;

std::vector<uint8_t> assemble(const std::function<void(x86::Assembler&)>& body) {
  CodeHolder code;
  code.init(Environment::host());
  x86::Assembler a(&code);
  a.nop();  // the case starts past offset 0, as in a body
  body(a);
  a.int3();  // an asmjit instruction after it must follow its bytes
  CodeBuffer& buffer = code.textSection()->buffer();
  return {buffer.data(), buffer.data() + buffer.size()};
}

x86::Gp gpr(uint8_t id, bool wide) { return wide ? x86::Gp(x86::gpq(id)) : x86::Gp(x86::gpd(id)); }

const int32_t kDisplacements[] = {0, 1, -1, 8, -72, 127, -128, 128, -129, 4096, -40000, INT32_MAX, INT32_MIN};

TEST(FastEncoder, RegisterMovesMatchAsmjit) {
  for (bool wide : {false, true})
    for (uint8_t dst = 0; dst < 16; ++dst)
      for (uint8_t src = 0; src < 16; ++src) {
        auto expected = assemble([&](x86::Assembler& a) { a.mov(gpr(dst, wide), gpr(src, wide)); });
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(movRegReg(a, dst, src, wide)); });
        ASSERT_EQ(actual, expected) << "mov " << int(dst) << ", " << int(src) << " wide " << wide;
        expected = assemble([&](x86::Assembler& a) { a.movaps(x86::xmm(dst), x86::xmm(src)); });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(movaps(a, dst, src)); });
        ASSERT_EQ(actual, expected) << "movaps " << int(dst) << ", " << int(src);
      }
}

// Every base register with every displacement, and with an index register
// (all but rsp, which cannot be one) at the displacements that change the
// encoding, unscaled and scaled.
std::vector<FastMem> memoryOperands() {
  std::vector<FastMem> out;
  for (uint8_t base = 0; base < 16; ++base) {
    for (int32_t disp : kDisplacements) out.push_back(memAt(base, disp));
    for (int8_t index = 0; index < 16; ++index)
      if (index != 4)
        for (int32_t disp : {0, -72, 300}) {
          out.push_back(indexedMemAt(base, index, disp));
          for (uint8_t shift : {1, 3}) out.push_back(scaledMemAt(base, static_cast<uint8_t>(index), shift, disp));
        }
  }
  return out;
}

x86::Mem asmjitMem(FastMem m, uint32_t size) {
  m.size = static_cast<uint8_t>(size);
  return toAsmjit(m);
}

std::string describe(const FastMem& m) {
  return "[" + std::to_string(m.base) + " + " + std::to_string(m.index) + " << " + std::to_string(m.shift) + " + " +
         std::to_string(m.disp) + "]";
}

TEST(FastEncoder, LoadsStoresAndLeaMatchAsmjit) {
  static const InstId kAluIds[] = {x86::Inst::kIdAdd, x86::Inst::kIdOr, 0, 0, x86::Inst::kIdAnd,
                                   x86::Inst::kIdSub, x86::Inst::kIdXor, x86::Inst::kIdCmp};
  const std::vector<FastMem> operands = memoryOperands();
  for (const FastMem& m : operands) {
    FastMem converted;
    ASSERT_TRUE(toFastMem(asmjitMem(m, 8), converted));
    ASSERT_EQ(converted.base, m.base);
    ASSERT_EQ(converted.index, m.index);
    ASSERT_EQ(converted.shift, m.shift);
    ASSERT_EQ(converted.disp, m.disp);
    ASSERT_EQ(converted.size, 8);
    // Every register with the operands without index; a spread of them (the
    // low, the REX-only byte ones, the extended) with an index.
    for (uint8_t reg = 0; reg < 16; ++reg) {
      if (m.index >= 0 && reg != 0 && reg != 5 && reg != 6 && reg != 9 && reg != 12 && reg != 15) continue;
      std::string at = " reg " + std::to_string(reg) + " " + describe(m);
      for (bool wide : {false, true}) {
        x86::Gp r = gpr(reg, wide);
        auto expected = assemble([&](x86::Assembler& a) { a.mov(r, asmjitMem(m, wide ? 8 : 4)); });
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(movLoad(a, reg, m, wide)); });
        ASSERT_EQ(actual, expected) << "load" << at;
        expected = assemble([&](x86::Assembler& a) { a.lea(r, asmjitMem(m, 0)); });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(lea(a, reg, m, wide)); });
        ASSERT_EQ(actual, expected) << "lea" << at;
        expected = assemble([&](x86::Assembler& a) { a.imul(r, asmjitMem(m, wide ? 8 : 4)); });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(imulRegMem(a, reg, m, wide)); });
        ASSERT_EQ(actual, expected) << "imul" << at;
        for (Alu op : {Alu::Add, Alu::Or, Alu::And, Alu::Sub, Alu::Xor, Alu::Cmp}) {
          expected = assemble([&](x86::Assembler& a) { a.emit(kAluIds[int(op)], r, asmjitMem(m, wide ? 8 : 4)); });
          actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(aluRegMem(a, op, reg, m, wide)); });
          ASSERT_EQ(actual, expected) << "alu " << int(op) << at;
        }
        // Narrow loads: zero-extended into 32 bits, sign-extended into 32 or 64.
        for (uint32_t size : {1u, 2u, 4u}) {
          for (bool signExtend : {false, true}) {
            expected = assemble([&](x86::Assembler& a) {
              x86::Mem src = asmjitMem(m, size);
              if (size == 4 && signExtend && wide) a.movsxd(r.r64(), src);
              else if (size == 4) a.mov(r.r32(), src);
              else if (signExtend) a.movsx(r, src);
              else a.movzx(r.r32(), src);
            });
            actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(loadInteger(a, reg, m, size, signExtend, wide)); });
            ASSERT_EQ(actual, expected) << "load" << size << (signExtend ? "s" : "u") << " wide " << wide << at;
          }
        }
      }
      for (uint32_t size : {1u, 2u, 4u, 8u}) {
        x86::Gp src = size == 1 ? x86::Gp(x86::gpb(reg)) : size == 2 ? x86::Gp(x86::gpw(reg)) : gpr(reg, size == 8);
        auto expected = assemble([&](x86::Assembler& a) { a.mov(asmjitMem(m, size), src); });
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(storeInteger(a, m, reg, size)); });
        ASSERT_EQ(actual, expected) << "store" << size << at;
      }
      for (bool f64 : {false, true}) {
        x86::Mem f = asmjitMem(m, f64 ? 8 : 4);
        auto expected = assemble([&](x86::Assembler& a) {
          if (f64) a.movsd(x86::xmm(reg), f);
          else a.movss(x86::xmm(reg), f);
        });
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(scalarFloatLoad(a, f64, reg, m)); });
        ASSERT_EQ(actual, expected) << "float load" << at;
        expected = assemble([&](x86::Assembler& a) {
          if (f64) a.movsd(f, x86::xmm(reg));
          else a.movss(f, x86::xmm(reg));
        });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(scalarFloatStore(a, f64, m, reg)); });
        ASSERT_EQ(actual, expected) << "float store" << at;
      }
      x86::Mem v = asmjitMem(m, 16);
      auto expected = assemble([&](x86::Assembler& a) { a.movdqu(x86::xmm(reg), v); });
      auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(vectorLoadUnaligned(a, reg, m)); });
      ASSERT_EQ(actual, expected) << "vector load" << at;
      expected = assemble([&](x86::Assembler& a) { a.movdqu(v, x86::xmm(reg)); });
      actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(vectorStoreUnaligned(a, m, reg)); });
      ASSERT_EQ(actual, expected) << "vector store" << at;
    }
    for (uint32_t size : {1u, 2u, 4u, 8u})
      for (int64_t value : {int64_t{0}, int64_t{-1}, int64_t{127}, int64_t{-128}, int64_t{300}, int64_t{INT32_MIN}}) {
        int64_t narrowed = size == 1 ? static_cast<int8_t>(value) : size == 2 ? static_cast<int16_t>(value) : value;
        auto expected = assemble([&](x86::Assembler& a) { a.mov(asmjitMem(m, size), narrowed); });
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(storeImmediate(a, m, size, narrowed)); });
        ASSERT_EQ(actual, expected) << "store immediate " << size << " " << value << " " << describe(m);
      }
  }
  CodeHolder code;
  code.init(Environment::host());
  x86::Assembler a(&code);
  EXPECT_FALSE(storeImmediate(a, memAt(5, -8), 8, int64_t{1} << 40));  // no 64-bit immediate form
}

TEST(FastEncoder, ImmediateMovesAndSseFormsMatchAsmjit) {
  const uint64_t values[] = {0, 1, 0x7f, 0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
                             0xffffffff80000000, 0xffffffff7fffffff, 0xffffffffffffffff, 0x123456789abcdef0};
  for (uint8_t reg = 0; reg < 16; ++reg)
    for (uint64_t value : values) {
      auto expected = assemble([&](x86::Assembler& a) { a.mov(x86::gpq(reg), value); });
      auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(movImm64(a, reg, value)); });
      ASSERT_EQ(actual, expected) << "mov r" << int(reg) << ", " << value;
    }
  for (uint8_t reg = 0; reg < 16; ++reg)
    for (uint8_t rm = 0; rm < 16; ++rm) {
      auto check = [&](SseForm form, auto emitWithAsmjit, int imm8, const char* name) {
        auto expected = assemble(emitWithAsmjit);
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(sseRegReg(a, form, reg, rm, imm8)); });
        ASSERT_EQ(actual, expected) << name << " " << int(reg) << ", " << int(rm);
      };
      check(kMovqToXmm, [&](x86::Assembler& a) { a.movq(x86::xmm(reg), x86::gpq(rm)); }, -1, "movq");
      check(kPinsrq, [&](x86::Assembler& a) { a.pinsrq(x86::xmm(reg), x86::gpq(rm), 1); }, 1, "pinsrq");
      check(kPshufb, [&](x86::Assembler& a) { a.pshufb(x86::xmm(reg), x86::xmm(rm)); }, -1, "pshufb");
      check(kPor, [&](x86::Assembler& a) { a.por(x86::xmm(reg), x86::xmm(rm)); }, -1, "por");
      check(kXorps, [&](x86::Assembler& a) { a.xorps(x86::xmm(reg), x86::xmm(rm)); }, -1, "xorps");
      check(kMovdToXmm, [&](x86::Assembler& a) { a.movd(x86::xmm(reg), x86::gpd(rm)); }, -1, "movd");
      struct Arith {
        ScalarArith op;
        InstId single, twice;
      };
      for (Arith arith : {Arith{ScalarArith::Add, x86::Inst::kIdAddss, x86::Inst::kIdAddsd},
                          Arith{ScalarArith::Sub, x86::Inst::kIdSubss, x86::Inst::kIdSubsd},
                          Arith{ScalarArith::Mul, x86::Inst::kIdMulss, x86::Inst::kIdMulsd},
                          Arith{ScalarArith::Div, x86::Inst::kIdDivss, x86::Inst::kIdDivsd}}) {
        check(scalarArith(arith.op, false), [&](x86::Assembler& a) { a.emit(arith.single, x86::xmm(reg), x86::xmm(rm)); },
              -1, "f32 arithmetic");
        check(scalarArith(arith.op, true), [&](x86::Assembler& a) { a.emit(arith.twice, x86::xmm(reg), x86::xmm(rm)); },
              -1, "f64 arithmetic");
      }
    }
}

TEST(FastEncoder, IntegerOperationsMatchAsmjit) {
  static const InstId kIds[] = {x86::Inst::kIdAdd, x86::Inst::kIdOr, 0, 0, x86::Inst::kIdAnd,
                                     x86::Inst::kIdSub, x86::Inst::kIdXor, x86::Inst::kIdCmp};
  const int32_t immediates[] = {0, 1, -1, 127, -128, 128, -129, 65535, INT32_MAX, INT32_MIN};
  for (bool wide : {false, true})
    for (uint8_t dst = 0; dst < 16; ++dst) {
      auto expected = assemble([&](x86::Assembler& a) { a.test(gpr(dst, wide), gpr(dst, wide)); });
      auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(testRegReg(a, dst, wide)); });
      ASSERT_EQ(actual, expected) << "test " << int(dst);
      for (uint32_t imm : {0u, 1u, 0x80000000u, 0xffffffffu}) {
        expected = assemble([&](x86::Assembler& a) { a.mov(x86::gpd(dst), imm); });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(movImm32(a, dst, imm)); });
        ASSERT_EQ(actual, expected) << "mov " << int(dst) << ", " << imm;
      }
      for (int32_t imm : immediates) {
        expected = assemble([&](x86::Assembler& a) { a.imul(gpr(dst, wide), Imm(imm)); });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(imulRegImm(a, dst, imm, wide)); });
        ASSERT_EQ(actual, expected) << "imul " << int(dst) << ", " << imm << " wide " << wide;
      }
      for (uint8_t src = 0; src < 16; ++src) {
        expected = assemble([&](x86::Assembler& a) { a.imul(gpr(dst, wide), gpr(src, wide)); });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(imulRegReg(a, dst, src, wide)); });
        ASSERT_EQ(actual, expected) << "imul " << int(dst) << ", " << int(src) << " wide " << wide;
      }
      if (!wide) {
        expected = assemble([&](x86::Assembler& a) { a.jmp(x86::gpq(dst)); });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(jumpReg(a, dst)); });
        ASSERT_EQ(actual, expected) << "jmp " << int(dst);
      }
      for (Alu op : {Alu::Add, Alu::Or, Alu::And, Alu::Sub, Alu::Xor, Alu::Cmp}) {
        for (uint8_t src = 0; src < 16; ++src) {
          expected = assemble([&](x86::Assembler& a) { a.emit(kIds[int(op)], gpr(dst, wide), gpr(src, wide)); });
          actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(aluRegReg(a, op, dst, src, wide)); });
          ASSERT_EQ(actual, expected) << "alu " << int(op) << " " << int(dst) << ", " << int(src);
        }
        for (int32_t imm : immediates) {
          expected = assemble([&](x86::Assembler& a) { a.emit(kIds[int(op)], gpr(dst, wide), Imm(imm)); });
          actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(aluRegImm(a, op, dst, imm, wide)); });
          ASSERT_EQ(actual, expected) << "alu " << int(op) << " " << int(dst) << ", " << imm << " wide " << wide;
        }
      }
    }
}

TEST(FastEncoder, CallsThroughMemoryMatchAsmjit) {
  for (const FastMem& m : memoryOperands()) {
    auto expected = assemble([&](x86::Assembler& a) { a.call(asmjitMem(m, 8)); });
    auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(callMem(a, m)); });
    ASSERT_EQ(actual, expected) << "call " << describe(m);
  }
}

TEST(FastEncoder, RipRelativeLeaAndPushMatchAsmjit) {
  for (uint8_t r = 0; r < 16; ++r) {
    for (uint32_t gap : {0u, 5u, 300u}) {
      auto expected = assemble([&](x86::Assembler& a) {
        Label back = a.newLabel();
        a.bind(back);
        for (uint32_t i = 0; i < gap; ++i) a.nop();
        a.lea(x86::gpq(r), x86::ptr(back));
      });
      auto actual = assemble([&](x86::Assembler& a) {
        Label back = a.newLabel();
        a.bind(back);
        for (uint32_t i = 0; i < gap; ++i) a.nop();
        ASSERT_TRUE(leaRip(a, r, a.code()->labelOffset(back)));
      });
      ASSERT_EQ(actual, expected) << "lea " << int(r) << " gap " << gap;
    }
    auto expected = assemble([&](x86::Assembler& a) { a.push(x86::gpq(r)); });
    auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(pushReg(a, r)); });
    ASSERT_EQ(actual, expected) << "push " << int(r);
    expected = assemble([&](x86::Assembler& a) { a.pop(x86::gpq(r)); });
    actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(popReg(a, r)); });
    ASSERT_EQ(actual, expected) << "pop " << int(r);
  }
  EXPECT_EQ(assemble([&](x86::Assembler& a) { ASSERT_TRUE(ret(a)); }), assemble([&](x86::Assembler& a) { a.ret(); }));
}

TEST(FastEncoder, SetccMovzxCmovAndShiftsMatchAsmjit) {
  for (int condition = 0; condition < 16; ++condition) {
    auto cc = static_cast<x86::CondCode>(condition);
    for (uint8_t r = 0; r < 16; ++r) {
      auto expected = assemble([&](x86::Assembler& a) { a.set(cc, x86::gpb(r)); });
      auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(setcc(a, condition, r)); });
      ASSERT_EQ(actual, expected) << "set" << condition << " " << int(r);
      for (uint8_t src = 0; src < 16; ++src)
        for (bool wide : {false, true}) {
          expected = assemble([&](x86::Assembler& a) { a.cmov(cc, gpr(r, wide), gpr(src, wide)); });
          actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(cmov(a, condition, r, src, wide)); });
          ASSERT_EQ(actual, expected) << "cmov" << condition << " " << int(r) << ", " << int(src);
        }
    }
  }
  for (uint8_t dst = 0; dst < 16; ++dst)
    for (uint8_t src = 0; src < 16; ++src) {
      auto expected = assemble([&](x86::Assembler& a) { a.movzx(x86::gpd(dst), x86::gpb(src)); });
      auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(movzxByte(a, dst, src)); });
      ASSERT_EQ(actual, expected) << "movzx " << int(dst) << ", " << int(src);
    }
  const std::pair<Shift, InstId> shifts[] = {{Shift::Rol, x86::Inst::kIdRol}, {Shift::Ror, x86::Inst::kIdRor},
                                             {Shift::Shl, x86::Inst::kIdShl}, {Shift::Shr, x86::Inst::kIdShr},
                                             {Shift::Sar, x86::Inst::kIdSar}};
  for (const auto& entry : shifts) {
    Shift shift = entry.first;  // named copies: clang 14 lambdas cannot capture structured bindings
    InstId id = entry.second;
    for (uint8_t r = 0; r < 16; ++r)
      for (bool wide : {false, true})
        for (uint8_t count : {0, 1, 2, 31, 63}) {
          auto expected = assemble([&](x86::Assembler& a) { a.emit(id, gpr(r, wide), Imm(count)); });
          auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(shiftImm(a, shift, r, count, wide)); });
          ASSERT_EQ(actual, expected) << "shift " << int(shift) << " " << int(r) << ", " << int(count);
        }
    for (uint8_t r = 0; r < 16; ++r)
      for (bool wide : {false, true}) {
        auto expected = assemble([&](x86::Assembler& a) { a.emit(id, gpr(r, wide), x86::cl); });
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(shiftCl(a, shift, r, wide)); });
        ASSERT_EQ(actual, expected) << "shift " << int(shift) << " " << int(r) << ", cl";
      }
  }
  for (bool wide : {false, true}) {
    auto expected = assemble([&](x86::Assembler& a) {
      if (wide) a.cqo();
      else a.cdq();
    });
    auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(signExtendIntoRdx(a, wide)); });
    ASSERT_EQ(actual, expected) << "cdq/cqo wide " << wide;
    for (uint8_t r = 0; r < 16; ++r)
      for (bool isSigned : {false, true}) {
        expected = assemble([&](x86::Assembler& a) {
          if (isSigned) a.idiv(gpr(r, wide));
          else a.div(gpr(r, wide));
        });
        actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(divide(a, isSigned, r, wide)); });
        ASSERT_EQ(actual, expected) << "div " << int(r) << " signed " << isSigned << " wide " << wide;
      }
  }
}

TEST(FastEncoder, MemoryCompareWithImm8MatchesAsmjit) {
  for (const FastMem& m : memoryOperands())
    for (bool wide : {false, true})
      for (int8_t imm : {int8_t{0}, int8_t{1}, int8_t{-1}, int8_t{127}, int8_t{-128}}) {
        auto expected = assemble([&](x86::Assembler& a) { a.cmp(asmjitMem(m, wide ? 8 : 4), imm); });
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(cmpMemImm8(a, m, imm, wide)); });
        ASSERT_EQ(actual, expected) << "cmp " << describe(m) << ", " << int(imm) << " wide " << wide;
      }
}

// Backward jumps at the distances where the short form stops reaching, for
// jmp and each condition; forward jumps once patched as finish() patches
// them, over distances on both sides of the short form's reach (asmjit uses
// rel32 for every label not yet bound, as the fast path does).
TEST(FastEncoder, JumpsToLabelsMatchAsmjit) {
  for (int condition = kAlways; condition < 16; ++condition) {
    auto emitAsmjit = [&](x86::Assembler& a, Label label) {
      if (condition == kAlways) a.jmp(label);
      else a.j(static_cast<x86::CondCode>(condition), label);
    };
    for (uint32_t gap : {0u, 1u, 120u, 124u, 125u, 126u, 127u, 128u, 129u, 130u, 200u, 70000u}) {
      auto fill = [&](x86::Assembler& a) {
        for (uint32_t i = 0; i < gap; ++i) a.nop();
      };
      auto expected = assemble([&](x86::Assembler& a) {
        Label back = a.newLabel();
        a.bind(back);
        fill(a);
        emitAsmjit(a, back);
      });
      auto actual = assemble([&](x86::Assembler& a) {
        Label back = a.newLabel();
        a.bind(back);
        fill(a);
        ASSERT_TRUE(jumpBack(a, condition, a.code()->labelOffset(back)));
      });
      ASSERT_EQ(actual, expected) << "backward, condition " << condition << " gap " << gap;
      expected = assemble([&](x86::Assembler& a) {
        Label ahead = a.newLabel();
        emitAsmjit(a, ahead);
        fill(a);
        a.bind(ahead);
      });
      actual = assemble([&](x86::Assembler& a) {
        Label ahead = a.newLabel();
        uint32_t rel32At = 0;
        ASSERT_TRUE(jumpAhead(a, condition, rel32At));
        fill(a);
        a.bind(ahead);
        auto rel32 = static_cast<int32_t>(a.code()->labelOffset(ahead) - (rel32At + 4));
        std::memcpy(a.code()->textSection()->buffer().data() + rel32At, &rel32, 4);
      });
      ASSERT_EQ(actual, expected) << "forward, condition " << condition << " gap " << gap;
    }
  }
}

TEST(FastEncoder, FormsReadOffAsmjitEncodeAsAsmjitDoes) {
  // One of each shape: 66 0F op, 66 0F 38 op, 0F op (no prefix), F3 0F op.
  for (InstId inst : {x86::Inst::kIdPand, x86::Inst::kIdPaddd, x86::Inst::kIdPminsb, x86::Inst::kIdPmulld,
                      x86::Inst::kIdPcmpgtq, x86::Inst::kIdPackusdw, x86::Inst::kIdAddps, x86::Inst::kIdMaxpd,
                      x86::Inst::kIdSubss}) {
    SseForm form = sseFormOf(inst);
    ASSERT_NE(form.opcode, 0) << inst;
    for (uint8_t reg = 0; reg < 16; ++reg)
      for (uint8_t rm = 0; rm < 16; ++rm) {
        auto expected = assemble([&](x86::Assembler& a) { a.emit(inst, x86::xmm(reg), x86::xmm(rm)); });
        auto actual = assemble([&](x86::Assembler& a) { ASSERT_TRUE(sseRegReg(a, form, reg, rm)); });
        ASSERT_EQ(actual, expected) << "instruction " << inst << " " << int(reg) << ", " << int(rm);
      }
  }
  EXPECT_EQ(sseFormOf(x86::Inst::kIdMov).opcode, 0);     // not between vector registers
  EXPECT_EQ(sseFormOf(x86::Inst::kIdPshufd).opcode, 0);  // needs an immediate
}

TEST(FastEncoder, CodeAlignmentMatchesAsmjit) {
  for (uint32_t alignment : {4u, 16u, 32u, 64u})
    for (uint32_t start = 0; start < alignment + 3; ++start) {
      auto pad = [&](x86::Assembler& a, bool fast) {
        a.addEncodingOptions(EncodingOptions::kOptimizedAlign);
        for (uint32_t i = 0; i < start; ++i) a.int3();
        if (fast) ASSERT_TRUE(alignCode(a, alignment));
        else a.align(AlignMode::kCode, alignment);
      };
      auto expected = assemble([&](x86::Assembler& a) { pad(a, false); });
      auto actual = assemble([&](x86::Assembler& a) { pad(a, true); });
      ASSERT_EQ(actual, expected) << "align " << alignment << " from " << start + 1;
    }
}

TEST(FastEncoder, FullBufferGrowsAsAsmjitsWould) {
  CodeHolder code;
  code.init(Environment::host());
  x86::Assembler a(&code);
  // Fill until fewer than 16 bytes are left, with the fast path alone.
  while (a.remainingSpace() >= 16) ASSERT_TRUE(movRegReg(a, 1, 2, true));
  size_t before = a.offset();
  size_t capacity = code.textSection()->buffer().capacity();
  ASSERT_TRUE(movRegReg(a, 1, 2, true));  // grows the buffer, then writes
  EXPECT_GT(code.textSection()->buffer().capacity(), capacity);
  EXPECT_EQ(a.offset(), before + 3);
  EXPECT_EQ(code.textSection()->buffer().size(), before + 3);
  a.mov(x86::rcx, x86::rdx);  // asmjit goes on where the fast path left off
  EXPECT_EQ(a.offset(), before + 6);
  const uint8_t* bytes = code.textSection()->buffer().data();
  for (size_t at = 0; at < before + 6; at += 3) {
    ASSERT_EQ(bytes[at], 0x48) << at;  // mov rcx, rdx every time
    ASSERT_EQ(bytes[at + 1], 0x89) << at;
    ASSERT_EQ(bytes[at + 2], 0xD1) << at;
  }
}

TEST(FastEncoder, OnlySimpleOperandsQualify) {
  FastMem packed = indexedMemAt(13, 9, INT32_MIN, 16);  // memAt packs the fields into one word
  EXPECT_EQ(packed.base, 13);
  EXPECT_EQ(packed.index, 9);
  EXPECT_EQ(packed.disp, INT32_MIN);
  EXPECT_EQ(packed.size, 16);
  EXPECT_EQ(packed.shift, 0);
  EXPECT_EQ(memAt(5, -1).index, -1);
  EXPECT_EQ(memAt(5, -1).disp, -1);
  FastMem m;
  EXPECT_TRUE(toFastMem(x86::ptr(x86::rbp, -8), m));
  EXPECT_TRUE(toFastMem(x86::ptr(x86::r11, x86::rsi, 0, 16), m));
  EXPECT_TRUE(toFastMem(x86::ptr(x86::rbp, x86::rax, 3, 8), m));  // scaled index
  EXPECT_EQ(m.shift, 3);
  EXPECT_EQ(scaledMemAt(0, 1, 2, 8).shift, 2);
  EXPECT_FALSE(toFastMem(x86::ptr(x86::ebp, 8), m));                // 32-bit base
  EXPECT_FALSE(toFastMem(x86::ptr(x86::rax, x86::esi, 0, 8), m));   // 32-bit index
  x86::Mem segment = x86::ptr(x86::rax, 8);
  segment.setSegment(x86::fs);
  EXPECT_FALSE(toFastMem(segment, m));
  CodeHolder code;
  code.init(Environment::host());
  x86::Assembler a(&code);
  EXPECT_FALSE(toFastMem(x86::ptr(a.newLabel()), m));
}

}  // namespace
}  // namespace weft::x64
