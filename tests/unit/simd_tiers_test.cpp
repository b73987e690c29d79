// Every SIMD operator with a fixed signature, compiled by both tiers and run
// on the same operands: lanes at every edge (zeros, ones, sign bits, limits,
// +-0, +-inf, quiet and signalling NaNs with payloads, subnormals, the
// conversions' limits 2^31 and 2^32 and their neighbours) and random bits.
// The baseline's instruction sequences (compiler/baseline/x64/simd_x64.cpp)
// and LLVM's lowering of the optimizing tier are written independently, and
// Weft promises the same bits from every tier, NaN payloads included (tier-up
// must not change what a program stores): any difference is a bug in one of
// them. Each binary operator also runs with one local as both operands (one
// register read twice), and each shift by constant counts (the baseline's
// immediate forms) as well as by a count from memory.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "format/opcodes.h"
#include "module_builder.h"
#include "runtime/linear_memory.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

constexpr uint32_t kOperandBytes = 16;  // operand k is read from address 16k
constexpr uint32_t kResultAt = 64;
constexpr uint32_t kRounds = 400;

enum class Variant { Plain, SameOperandTwice, ConstantCount };

struct Case {
  Opcode op;
  Variant variant = Variant::Plain;
  int lane = -1;
  uint32_t constant = 0;  // the count of a ConstantCount shift
  std::string name;
};

uint32_t laneCount(ImmKind imm) {
  switch (imm) {
    case ImmKind::Lane16: return 16;
    case ImmKind::Lane8: return 8;
    case ImmKind::Lane4: return 4;
    case ImmKind::Lane2: return 2;
    default: return 0;
  }
}

bool isShift(const OpSignature& sig) {
  return sig.numParams == 2 && sig.params[0] == ValType::V128 && sig.params[1] == ValType::I32 &&
         sig.result == ValType::V128;
}

// The operators under test: SIMD, fixed signature, no memory access and no
// constant immediate (v128.const has nothing to compute).
std::vector<Case> simdCases() {
  std::vector<Case> cases;
  for (uint32_t key = 0x200; key < 0x300; ++key) {
    auto op = static_cast<Opcode>(key);
    const char* name = opcodeName(op);
    if (!name) continue;
    const OpcodeInfo& info = opcodeInfo(op);
    if (info.sig.special) continue;
    switch (info.imm) {
      case ImmKind::None: case ImmKind::Shuffle:
      case ImmKind::Lane16: case ImmKind::Lane8: case ImmKind::Lane4: case ImmKind::Lane2:
        break;
      default:
        continue;  // loads, stores, v128.const
    }
    if (uint32_t lanes = laneCount(info.imm)) {
      for (uint32_t lane : {0u, lanes / 2 + 1, lanes - 1})
        if (lane < lanes) cases.push_back({op, Variant::Plain, static_cast<int>(lane), 0, name + (" " + std::to_string(lane))});
      continue;
    }
    cases.push_back({op, Variant::Plain, -1, 0, name});
    bool binaryVector = info.sig.numParams == 2 && info.sig.params[0] == ValType::V128 &&
                        info.sig.params[1] == ValType::V128;
    if (binaryVector) cases.push_back({op, Variant::SameOperandTwice, -1, 0, std::string(name) + " (x, x)"});
    if (isShift(info.sig))
      for (uint32_t count : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 31u, 32u, 33u, 63u, 64u, 65u, 100u, 0xFFFFFFFFu})
        cases.push_back({op, Variant::ConstantCount, -1, count, std::string(name) + " by " + std::to_string(count)});
  }
  return cases;
}

// Operators of the two shuffles tested: interleaving and reversing lanes.
const uint8_t kShuffleLanes[16] = {0, 17, 2, 19, 4, 21, 6, 23, 31, 30, 29, 28, 12, 13, 14, 15};

void appendSimdOpcode(Bytes& code, Opcode op) {
  code.push_back(0xfd);
  appendU32(code, opcodeCode(op));
}

void i32Const(Bytes& code, int32_t value) {
  code.push_back(0x41);
  appendS32(code, value);
}

void loadOperand(Bytes& code, ValType type, uint32_t index) {
  i32Const(code, static_cast<int32_t>(index * kOperandBytes));
  switch (type) {
    case ValType::I32: code.insert(code.end(), {0x28, 2, 0}); break;
    case ValType::I64: code.insert(code.end(), {0x29, 3, 0}); break;
    case ValType::F32: code.insert(code.end(), {0x2a, 2, 0}); break;
    case ValType::F64: code.insert(code.end(), {0x2b, 3, 0}); break;
    default:
      appendSimdOpcode(code, Opcode::V128Load);
      code.insert(code.end(), {4, 0});
      break;
  }
}

void storeResult(Bytes& code, ValType type) {
  switch (type) {
    case ValType::I32: code.insert(code.end(), {0x36, 2, 0}); break;
    case ValType::I64: code.insert(code.end(), {0x37, 3, 0}); break;
    case ValType::F32: code.insert(code.end(), {0x38, 2, 0}); break;
    case ValType::F64: code.insert(code.end(), {0x39, 3, 0}); break;
    default:
      appendSimdOpcode(code, Opcode::V128Store);
      code.insert(code.end(), {4, 0});
      break;
  }
}

// () -> (): the operands from memory, the operator, its result to kResultAt.
Bytes caseBody(const Case& c) {
  const OpcodeInfo& info = opcodeInfo(c.op);
  Bytes code;
  i32Const(code, kResultAt);  // the store's address
  Bytes locals = u32(0);
  if (c.variant == Variant::SameOperandTwice) {
    locals = cat({u32(1), u32(1), Bytes{V128}});
    loadOperand(code, ValType::V128, 0);
    code.insert(code.end(), {0x22, 0, 0x20, 0});  // local.tee 0, local.get 0
  } else if (c.variant == Variant::ConstantCount) {
    loadOperand(code, ValType::V128, 0);
    i32Const(code, static_cast<int32_t>(c.constant));
  } else {
    for (uint32_t i = 0; i < info.sig.numParams; ++i) loadOperand(code, info.sig.params[i], i);
  }
  appendSimdOpcode(code, c.op);
  if (info.imm == ImmKind::Shuffle) code.insert(code.end(), std::begin(kShuffleLanes), std::end(kShuffleLanes));
  if (c.lane >= 0) code.push_back(static_cast<uint8_t>(c.lane));
  storeResult(code, info.sig.result);
  code.push_back(0x0b);
  return body(locals, code);
}

Bytes casesModule(const std::vector<Case>& cases) {
  Bytes types = vec({funcType({}, {})});
  Bytes functions = u32(static_cast<uint32_t>(cases.size()));
  Bytes exports = u32(static_cast<uint32_t>(cases.size()) + 1);
  Bytes code = u32(static_cast<uint32_t>(cases.size()));
  for (uint32_t i = 0; i < cases.size(); ++i) {
    appendU32(functions, 0);
    std::string name = "f" + std::to_string(i);
    appendU32(exports, static_cast<uint32_t>(name.size()));
    exports.insert(exports.end(), name.begin(), name.end());
    exports.push_back(0x00);
    appendU32(exports, i);
    Bytes b = caseBody(cases[i]);
    code.insert(code.end(), b.begin(), b.end());
  }
  exports.insert(exports.end(), {6, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0});
  Bytes memory = cat({u32(1), Bytes{0x00}, u32(1)});
  return cat({header(), section(1, types), section(3, functions), section(5, memory), section(7, exports),
              section(10, code)});
}

// Lane values at the edges of every lane width and float format.
const uint64_t kEdges8[] = {0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x0f, 0xf0};
const uint64_t kEdges16[] = {0, 1, 0x7fff, 0x8000, 0x8001, 0xffff, 0xfffe, 0x00ff, 0xff00, 0x0080, 0xff80, 0x4000};
const uint64_t kEdges32[] = {
    0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0000ffff, 0xffff0000, 0x00008000,
    0x7f800000, 0xff800000,              // +-inf
    0x7fc00000, 0xffc00000, 0x7fc12345,  // quiet NaNs
    0x7f800001, 0xff812345, 0x7fa00005,  // signalling NaNs
    0x00000001, 0x807fffff,              // subnormals
    0x3f800000, 0xbf800000, 0x3fc00000, 0xbfc00000, 0x40200000, 0x3f000000, 0xbf000000,  // 1, 1.5, 2.5, 0.5
    0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001,  // 2^31 and around, -2^31 and below
    0x4f800000, 0x4f7fffff, 0x4b800000, 0x4b7fffff,  // 2^32 and below, 2^24 and below
};
const uint64_t kEdges64[] = {
    0, 1, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x00000000ffffffff, 0xffffffff00000000,
    0x7ff0000000000000, 0xfff0000000000000,                          // +-inf
    0x7ff8000000000000, 0xfff8000000000000, 0x7ff8000000012345,      // quiet NaNs
    0x7ff0000000000001, 0xfff4000000000123, 0x7ff0000080000000,      // signalling NaNs
    0x0000000000000001, 0x800fffffffffffff,                          // subnormals
    0x3ff0000000000000, 0xbff0000000000000, 0x3ff8000000000000, 0x4004000000000000, 0xbfe0000000000000,
    0x41dfffffffc00000, 0x41e0000000000000, 0x41dfffffffffffff,      // 2^31-1, 2^31, just below 2^31
    0xc1e0000000000000, 0xc1e0000000200000, 0xc1dfffffffffffff,      // -2^31, -2^31-1, just above -2^31
    0x41efffffffe00000, 0x41f0000000000000, 0x41effffffff00000,      // 2^32-1, 2^32, 2^32-0.5
    0x4330000000000000, 0x47efffffe0000000, 0x36a0000000000000,      // 2^52, FLT_MAX, below FLT_MIN
};

template <size_t N>
uint64_t pick(std::mt19937_64& random, const uint64_t (&values)[N]) {
  return values[random() % N];
}

// One operand: each lane of a width drawn per operand an edge value or
// random bits.
void fillOperand(std::mt19937_64& random, uint8_t* out) {
  uint32_t width = 1u << (random() % 4);  // bytes per lane
  for (uint32_t at = 0; at < 16; at += width) {
    uint64_t value = random();
    if (random() % 3 != 0) {
      switch (width) {
        case 1: value = pick(random, kEdges8); break;
        case 2: value = pick(random, kEdges16); break;
        case 4: value = pick(random, kEdges32); break;
        default: value = pick(random, kEdges64); break;
      }
    }
    std::memcpy(out + at, &value, width);
  }
}

std::string hex(const uint8_t* bytes, size_t size) {
  std::string out;
  char digits[3];
  for (size_t i = size; i-- > 0;) {
    std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
    out += digits;
    if (i % 4 == 0 && i != 0) out += '_';
  }
  return out;
}

// Float arithmetic whose NaN results may differ between the tiers when both
// operands are NaNs: x86 returns the first one, and LLVM may swap the operands
// of a commutative operation (the spec allows either NaN). Weft's own rule,
// the first NaN operand, holds for min and max, which are checked exactly.
bool twoNaNsMayCommute(Opcode op) {
  switch (op) {
    case Opcode::F32x4Add: case Opcode::F32x4Mul: case Opcode::F64x2Add: case Opcode::F64x2Mul:
      return true;
    default:
      return false;
  }
}

bool isNaN(const uint8_t* lane, bool f32) {
  if (f32) {
    uint32_t bits;
    std::memcpy(&bits, lane, 4);
    return (bits & 0x7fffffff) > 0x7f800000;
  }
  uint64_t bits;
  std::memcpy(&bits, lane, 8);
  return (bits & 0x7fffffffffffffff) > 0x7ff0000000000000;
}

// Equal bits, or (for twoNaNsMayCommute) NaN results from NaN operands in
// both lanes where they differ.
bool sameResult(Opcode op, const uint8_t* a, const uint8_t* b, const uint8_t* operands) {
  if (std::memcmp(a, b, 16) == 0) return true;
  if (!twoNaNsMayCommute(op)) return false;
  bool f32 = op == Opcode::F32x4Add || op == Opcode::F32x4Mul;
  uint32_t width = f32 ? 4 : 8;
  for (uint32_t at = 0; at < 16; at += width) {
    if (std::memcmp(a + at, b + at, width) == 0) continue;
    bool bothOperandsNaN = isNaN(operands + at, f32) && isNaN(operands + kOperandBytes + at, f32);
    if (!bothOperandsNaN || !isNaN(a + at, f32) || !isNaN(b + at, f32)) return false;
  }
  return true;
}

class SimdTiers : public ::testing::TestWithParam<MemoryStrategy> {};

TEST_P(SimdTiers, EveryOperatorGivesTheSameBitsInBothTiers) {
  std::vector<Case> cases = simdCases();
  ASSERT_GT(cases.size(), 250u) << "the opcode list should hold every SIMD operator";
  Bytes bytes = casesModule(cases);
  struct Run {
    std::shared_ptr<Instance> instance;
    std::vector<Func> functions;
    uint8_t* memory = nullptr;
  };
  Run runs[2];
  const Tier tiers[2] = {Tier::Baseline, Tier::Optimizing};
  for (int t = 0; t < 2; ++t) {
    auto engine = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, tiers[t]));
    Result<std::shared_ptr<const Module>> module = Module::compile(engine, bytes);
    ASSERT_TRUE(module) << module.error().describe();
    runs[t].instance = instantiateOk(module.value());
    ASSERT_TRUE(runs[t].instance);
    for (uint32_t i = 0; i < cases.size(); ++i)
      runs[t].functions.push_back(exported(runs[t].instance, ("f" + std::to_string(i)).c_str()));
    runs[t].memory = runs[t].instance->exportByName("memory")->memory->data();
  }
  std::mt19937_64 random(20261128);
  uint32_t mismatches = 0, calls = 0;
  for (uint32_t round = 0; round < kRounds; ++round) {
    uint8_t operands[3 * kOperandBytes];
    for (uint32_t k = 0; k < 3; ++k) fillOperand(random, operands + k * kOperandBytes);
    for (uint32_t i = 0; i < cases.size(); ++i) {
      uint8_t results[2][16];
      for (int t = 0; t < 2; ++t) {
        std::memcpy(runs[t].memory, operands, sizeof operands);
        std::memset(runs[t].memory + kResultAt, 0xa5, 16);
        CallOutcome outcome = call(runs[t].functions[i], {});
        ASSERT_TRUE(outcome.ok()) << cases[i].name << ": "
                                  << (outcome.trap ? outcome.trap->describe() : outcome.error.value_or(""));
        std::memcpy(results[t], runs[t].memory + kResultAt, 16);
      }
      ++calls;
      bool same = sameResult(cases[i].op, results[0], results[1], operands);
      if (!same && ++mismatches <= 20) {
        ADD_FAILURE() << cases[i].name << " on " << hex(operands, 16) << ", " << hex(operands + 16, 16) << ", "
                      << hex(operands + 32, 16) << ": baseline " << hex(results[0], 16) << ", optimizing "
                      << hex(results[1], 16);
      }
    }
  }
  EXPECT_EQ(mismatches, 0u) << "of " << calls << " calls";
}

WEFT_FOR_EACH_STRATEGY(SimdTiers);

}  // namespace
}  // namespace weft::test
