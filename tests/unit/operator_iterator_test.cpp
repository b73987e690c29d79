#include "validation/operator_iterator.h"

#include <gtest/gtest.h>

#include "format/module_decoder.h"
#include "module_builder.h"
#include "validation/validator.h"

namespace weft {
namespace {

using namespace weft::test;

// Decodes {bytes} and returns every operator of function {index}, or the error.
struct Walk {
  std::vector<Operator> ops;
  std::optional<Error> error;
};

template <bool kValidate>
Walk walk(const Bytes& bytes, uint32_t index = 0) {
  Walk result;
  Result<ModuleInfo> module = decodeModule(bytes);
  if (!module) {
    result.error = module.error();
    return result;
  }
  ValidatorScratch scratch;
  OperatorIteratorT<kValidate> it(module.value(), bytes, index, scratch);
  if (!it.readLocals()) {
    result.error = it.error();
    return result;
  }
  Operator op;
  while (it.next(op)) result.ops.push_back(op);
  if (it.failed()) result.error = it.error();
  return result;
}

TEST(OperatorIterator, YieldsOperatorsWithTheirImmediates) {
  Bytes code = {0x41, 0x7f,                    // i32.const -1
                0x42, 0x80, 0x01,              // i64.const 128
                0xa7,                          // i32.wrap_i64
                0x6a,                          // i32.add
                0x0b};
  Walk w = walk<true>(singleFunctionModule(funcType({}, {I32}), code));
  ASSERT_FALSE(w.error) << w.error->describe();
  ASSERT_EQ(w.ops.size(), 5u);
  EXPECT_EQ(w.ops[0].opcode, Opcode::I32Const);
  EXPECT_EQ(w.ops[0].bits, 0xffffffffu);
  EXPECT_EQ(w.ops[1].opcode, Opcode::I64Const);
  EXPECT_EQ(w.ops[1].bits, 128u);
  EXPECT_EQ(w.ops[3].opcode, Opcode::I32Add);
  EXPECT_EQ(w.ops[4].opcode, Opcode::End);
  // Offsets are module offsets: the code starts after the header, 3 sections and
  // the body's size and local count.
  EXPECT_EQ(w.ops[1].offset - w.ops[0].offset, 2u);
}

TEST(OperatorIterator, TypeErrorsPointAtTheOperator) {
  Bytes code = {0x41, 0x01,                    // i32.const 1
                0x43, 0x00, 0x00, 0x00, 0x00,  // f32.const 0
                0x6a,                          // i32.add: f32 operand
                0x0b};
  Bytes bytes = singleFunctionModule(funcType({}, {I32}), code);
  Walk w = walk<true>(bytes);
  ASSERT_TRUE(w.error);
  EXPECT_EQ(w.error->kind, ErrorKind::Invalid);
  EXPECT_EQ(w.error->message, "type mismatch in i32.add: expected i32, got f32");
  EXPECT_EQ(bytes[w.error->offset], 0x6a);
  EXPECT_EQ(w.error->functionIndex, std::optional<uint32_t>(0));
}

TEST(OperatorIterator, UnreachableCodeIsPolymorphic) {
  // unreachable; i32.add; drop; f64.const 0 — valid: operands below unreachable are unknown.
  Bytes code = {0x00, 0x6a, 0x1a, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b};
  Walk w = walk<true>(singleFunctionModule(funcType({}, {F64}), code));
  ASSERT_FALSE(w.error) << w.error->describe();
  EXPECT_EQ(w.ops[2].opcode, Opcode::Drop);
  EXPECT_EQ(w.ops[2].type, ValType::I32);  // the result of the unreachable i32.add

  // But a known operand of the wrong type is still an error.
  Bytes bad = {0x00, 0x43, 0, 0, 0, 0, 0x6a, 0x0b};
  Walk b = walk<true>(singleFunctionModule(funcType({}, {I32}), bad));
  ASSERT_TRUE(b.error);
  EXPECT_EQ(b.error->message, "type mismatch in i32.add: expected i32, got f32");
}

TEST(OperatorIterator, MultiValueBlocksUseTypeIndices) {
  // type 0: [] -> [i32 i64]; type 1: [i32] -> [i32]
  // func (type 0): block (type 1) takes the i32 const and returns it; then i64.const.
  Bytes types = section(1, vec({funcType({}, {I32, I64}), funcType({I32}, {I32})}));
  Bytes code = {0x41, 0x05, 0x02, 0x01, 0x0b, 0x42, 0x06, 0x0b};
  Bytes bytes = cat({header(), types, section(3, vec({u32(0)})), section(10, vec({body(u32(0), code)}))});
  Walk w = walk<true>(bytes);
  ASSERT_FALSE(w.error) << w.error->describe();
  ASSERT_EQ(w.ops[1].opcode, Opcode::Block);
  EXPECT_EQ(w.ops[1].block.numParams, 1u);
  EXPECT_EQ(w.ops[1].block.numResults, 1u);
}

TEST(OperatorIterator, BrTableChecksEveryTargetsArity) {
  // block (result i32) block i32.const 0 i32.const 0 br_table 0 1 ... : label 0 has
  // arity 0 and label 1 arity 1: invalid.
  Bytes code = {0x02, I32, 0x02, 0x40, 0x41, 0x00, 0x41, 0x00, 0x0e, 0x01, 0x00, 0x01,
                0x0b, 0x41, 0x00, 0x0b, 0x0b};
  Walk w = walk<true>(singleFunctionModule(funcType({}, {I32}), code));
  ASSERT_TRUE(w.error);
  EXPECT_NE(w.error->message.find("arities"), std::string::npos);
}

TEST(OperatorIterator, SimdLaneIndicesAreBounded) {
  Bytes shuffle = {0xfd, 0x0c};  // v128.const
  shuffle.insert(shuffle.end(), 16, 0);
  Bytes code = shuffle;
  code.insert(code.end(), shuffle.begin(), shuffle.end());
  code.push_back(0xfd), code.push_back(0x0d);  // i8x16.shuffle
  for (int i = 0; i < 16; ++i) code.push_back(static_cast<uint8_t>(i == 15 ? 31 : i));
  code.push_back(0x0b);
  Bytes bytes = singleFunctionModule(funcType({}, {V128}), code);  // shuffleLanes points into it
  Walk ok = walk<true>(bytes);
  ASSERT_FALSE(ok.error) << ok.error->describe();
  EXPECT_EQ(ok.ops[2].shuffleLanes[15], 31);

  code[code.size() - 2] = 32;  // lane 32 does not exist
  Walk bad = walk<true>(singleFunctionModule(funcType({}, {V128}), code));
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->message, "invalid lane index");
}

TEST(OperatorIterator, AtomicsRequireExactlyNaturalAlignment) {
  Bytes memory = section(5, vec({Bytes{0x03, 0x01, 0x01}}));  // shared 1..1
  // i32.const 0; i32.atomic.load align=2 offset=0
  Bytes natural = {0x41, 0x00, 0xfe, 0x10, 0x02, 0x00, 0x0b};
  Walk ok = walk<true>(singleFunctionModule(funcType({}, {I32}), natural, memory));
  ASSERT_FALSE(ok.error) << ok.error->describe();
  EXPECT_EQ(ok.ops[1].opcode, Opcode::I32AtomicLoad);
  EXPECT_EQ(ok.ops[1].memarg.alignLog2, 2u);

  Bytes underAligned = {0x41, 0x00, 0xfe, 0x10, 0x01, 0x00, 0x0b};
  Walk bad = walk<true>(singleFunctionModule(funcType({}, {I32}), underAligned, memory));
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->message, "alignment must be exactly natural for atomic operators");
}

TEST(OperatorIterator, LaterProposalOpcodesAreUnsupported) {
  Bytes code = {0x12, 0x00, 0x0b};  // return_call 0
  Walk w = walk<true>(singleFunctionModule(funcType({}, {}), code));
  ASSERT_TRUE(w.error);
  EXPECT_EQ(w.error->kind, ErrorKind::Unsupported);
  EXPECT_EQ(w.error->message, "unsupported feature: tail calls");

  Bytes illegal = {0x27, 0x0b};
  Walk m = walk<true>(singleFunctionModule(funcType({}, {}), illegal));
  ASSERT_TRUE(m.error);
  EXPECT_EQ(m.error->kind, ErrorKind::Malformed);
  EXPECT_EQ(m.error->message, "illegal opcode 0x27");
}

TEST(OperatorIterator, BodiesMustEndExactlyAtTheirEnd) {
  Walk missingEnd = walk<true>(singleFunctionModule(funcType({}, {}), {0x01}));
  ASSERT_TRUE(missingEnd.error);
  EXPECT_EQ(missingEnd.error->kind, ErrorKind::Malformed);

  Walk trailing = walk<true>(singleFunctionModule(funcType({}, {}), {0x0b, 0x01}));
  ASSERT_TRUE(trailing.error);
  EXPECT_EQ(trailing.error->message, "operators remaining after the end of the function");
}

TEST(OperatorIterator, RefFuncNeedsADeclaredFunction) {
  // ref.func 0 in the body of function 0, which nothing outside a body references.
  Walk w = walk<true>(singleFunctionModule(funcType({}, {FUNCREF}), {0xd2, 0x00, 0x0b}));
  ASSERT_TRUE(w.error);
  EXPECT_EQ(w.error->message, "undeclared function reference");
}

TEST(OperatorIterator, RevalidatingModeYieldsTheSameStream) {
  Bytes code = {0x02, 0x40, 0x41, 0x01, 0x0d, 0x00, 0x0b, 0x41, 0x02, 0x41, 0x03,
                0x41, 0x01, 0x1b, 0x0b};  // block br_if end; select
  Bytes bytes = singleFunctionModule(funcType({}, {I32}), code);
  Walk checked = walk<true>(bytes);
  Walk trusted = walk<false>(bytes);
  ASSERT_FALSE(checked.error) << checked.error->describe();
  ASSERT_FALSE(trusted.error);
  ASSERT_EQ(checked.ops.size(), trusted.ops.size());
  for (size_t i = 0; i < checked.ops.size(); ++i) {
    EXPECT_EQ(checked.ops[i].opcode, trusted.ops[i].opcode);
    EXPECT_EQ(checked.ops[i].offset, trusted.ops[i].offset);
  }
  EXPECT_EQ(checked.ops[7].opcode, Opcode::Select);
  EXPECT_EQ(checked.ops[7].type, ValType::I32);
}

TEST(OperatorIterator, TooManyLocalsIsALimitError) {
  Bytes locals = cat({u32(1), u32(100000), Bytes{I32}});
  Bytes bytes = cat({header(), section(1, vec({funcType({}, {})})), section(3, vec({u32(0)})),
                     section(10, vec({body(locals, {0x0b})}))});
  Walk w = walk<true>(bytes);
  ASSERT_TRUE(w.error);
  EXPECT_EQ(w.error->kind, ErrorKind::LimitExceeded);
}

TEST(OperatorIterator, DeepNestingHitsTheLimitNotTheStack) {
  Bytes code;
  for (int i = 0; i < 70000; ++i) code.push_back(0x02), code.push_back(0x40);
  Walk w = walk<true>(singleFunctionModule(funcType({}, {}), code));
  ASSERT_TRUE(w.error);
  EXPECT_EQ(w.error->kind, ErrorKind::LimitExceeded);
}

}  // namespace
}  // namespace weft
