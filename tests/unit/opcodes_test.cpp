#include "format/opcodes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace weft {
namespace {

TEST(Opcodes, EveryListedOpcodeHasAUniqueKeyAndName) {
  std::set<uint16_t> keys;
  std::set<std::string> names;
  size_t count = 0;
#define WEFT_COLLECT(name, text, prefix, code, imm, sig) \
  keys.insert(opcodeKey(prefix, code));                  \
  names.insert(text);                                    \
  ++count;
  WEFT_FOR_EACH_OPCODE(WEFT_COLLECT)
#undef WEFT_COLLECT
  EXPECT_EQ(keys.size(), count);
  EXPECT_EQ(names.size(), count - 1);  // `select` has a typed and an untyped encoding
  // 201 core (172 MVP, 5 sign extension, 8 saturating truncation, 7 bulk memory,
  // 9 reference types) + 236 SIMD + 67 atomics.
  EXPECT_EQ(count, 201u + 236u + 67u);
}

TEST(Opcodes, SignaturesAreParsedFromTheList) {
  const OpSignature& add = opcodeInfo(Opcode::I32Add).sig;
  EXPECT_FALSE(add.special);
  ASSERT_EQ(add.numParams, 2);
  EXPECT_EQ(add.params[0], ValType::I32);
  EXPECT_EQ(add.result, ValType::I32);

  const OpSignature& store = opcodeInfo(Opcode::F64Store).sig;
  ASSERT_EQ(store.numParams, 2);
  EXPECT_EQ(store.params[0], ValType::I32);
  EXPECT_EQ(store.params[1], ValType::F64);
  EXPECT_EQ(store.result, ValType::Bottom);

  const OpSignature& wait = opcodeInfo(Opcode::MemoryAtomicWait64).sig;
  ASSERT_EQ(wait.numParams, 3);
  EXPECT_EQ(wait.params[2], ValType::I64);
  EXPECT_EQ(wait.result, ValType::I32);

  EXPECT_TRUE(opcodeInfo(Opcode::Call).sig.special);
}

TEST(Opcodes, PrefixedOpcodesFoldIntoOneSpace) {
  EXPECT_EQ(static_cast<uint16_t>(Opcode::I32TruncSatF32S), 0x100);
  EXPECT_EQ(static_cast<uint16_t>(Opcode::V128Load), 0x200);
  EXPECT_EQ(static_cast<uint16_t>(Opcode::F64x2ConvertLowI32x4U), 0x2ff);
  EXPECT_EQ(static_cast<uint16_t>(Opcode::I64AtomicRmw32CmpxchgU), 0x34e);
  EXPECT_STREQ(opcodeName(Opcode::I64AtomicRmw16XorU), "i64.atomic.rmw16.xor_u");
  EXPECT_EQ(kOpcodeInfo[0x2a2].name, nullptr);  // 0xfd 0xa2 is a hole in the SIMD space
}

TEST(Opcodes, UnknownOpcodesOfLaterProposalsAreNamed) {
  EXPECT_STREQ(proposalOfUnknownOpcode(0, 0x06), "exception handling");
  EXPECT_STREQ(proposalOfUnknownOpcode(0, 0x12), "tail calls");
  EXPECT_STREQ(proposalOfUnknownOpcode(0xfd, 0x100), "relaxed SIMD");
  EXPECT_EQ(proposalOfUnknownOpcode(0, 0x27), nullptr);
}

}  // namespace
}  // namespace weft
