// The wasm calling convention across the host boundary (abi/calling_convention.h):
// a signature that overflows every register class, with four results, called
// host -> wasm (the entry stub) and wasm -> host (the host-call stub). Each
// parameter has its own weight, so one passed in the wrong place shows.
#include <gtest/gtest.h>

#include "runtime_test_support.h"

namespace weft::test {
namespace {

struct Folded {
  uint64_t integers = 0;
  double floats = 0;
  uint64_t lane0 = 0, lane1 = 0;
};

// What calling_convention.wat's $wasm_wide computes, written again in C++.
Folded fold(std::span<const Value> a) {
  Folded f;
  const int ints[] = {0, 1, 5, 6, 10, 11, 19};
  for (int k = 0; k < 7; ++k) {
    const Value& v = a[static_cast<size_t>(ints[k])];
    f.integers += static_cast<uint64_t>(k + 1) * (v.type == ValType::I32 ? v.asI32() : v.asI64());
  }
  const int floats[] = {2, 3, 7, 8, 12, 13, 14, 15, 16, 17};
  for (int k = 0; k < 10; ++k) {
    const Value& v = a[static_cast<size_t>(floats[k])];
    f.floats += (k + 1) * (v.type == ValType::F32 ? static_cast<double>(v.asF32()) : v.asF64());
  }
  const int vectors[] = {4, 9, 18};
  for (int k = 0; k < 3; ++k) {
    f.lane0 += static_cast<uint64_t>(k + 1) * a[static_cast<size_t>(vectors[k])].bits;
    f.lane1 += static_cast<uint64_t>(k + 1) * a[static_cast<size_t>(vectors[k])].high;
  }
  return f;
}

std::vector<Value> arguments(uint32_t first) {
  return {Value::i32(first),      Value::i64(2),         Value::f32(3),      Value::f64(4),  Value::v128(5, 50),
          Value::i32(6),          Value::i64(7),         Value::f32(8),      Value::f64(9),  Value::v128(10, 100),
          Value::i32(11),         Value::i64(12),        Value::f64(13),     Value::f64(14), Value::f64(15),
          Value::f64(16),         Value::f64(17),        Value::f64(18),     Value::v128(19, 190), Value::i32(20)};
}

void expectFolded(const std::vector<Value>& results, const Folded& f) {
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0], Value::i64(f.integers));
  EXPECT_EQ(results[1], Value::f64(f.floats));
  EXPECT_EQ(results[2], Value::v128(f.lane0, f.lane1));
  EXPECT_EQ(results[3], Value::i32(20));
}

class CallingConvention : public ::testing::TestWithParam<MemoryStrategy> {};

TEST_P(CallingConvention, RegistersStackAndResultsBufferCrossTheHostBoundaryBothWays) {
  auto engine = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
  auto module = compileTestModule(engine, "calling_convention");
  ASSERT_TRUE(module);
  FuncType wide = module->info().types[0];
  std::vector<Value> seen;
  Func host = makeHostFunction(*engine, wide, [&](Caller&, std::span<const Value> args, std::span<Value> results) {
    seen.assign(args.begin(), args.end());
    Folded f = fold(args);
    results[0] = Value::i64(f.integers);
    results[1] = Value::f64(f.floats);
    results[2] = Value::v128(f.lane0, f.lane1);
    results[3] = Value::i32(20);
    return HostOutcome::ok();
  });
  std::vector<Extern> imports{Extern::of(host)};
  auto instance = instantiateOk(module, imports);
  ASSERT_TRUE(instance);

  // wasm -> host: the host sees every argument as the wasm caller passed it.
  CallOutcome viaHost = call(exported(instance, "call_host"), std::vector{Value::i32(0xfffffff1u)});
  ASSERT_TRUE(viaHost.ok());
  ASSERT_EQ(seen.size(), 20u);
  std::vector<Value> expectedArgs = arguments(0xfffffff1u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], expectedArgs[i]) << "argument " << i;
  expectFolded(viaHost.results, fold(expectedArgs));

  // host -> wasm: the wasm function folds the same way.
  CallOutcome direct = call(exported(instance, "wide"), arguments(1));
  ASSERT_TRUE(direct.ok());
  expectFolded(direct.results, fold(arguments(1)));
}

WEFT_FOR_EACH_STRATEGY(CallingConvention);

}  // namespace
}  // namespace weft::test
