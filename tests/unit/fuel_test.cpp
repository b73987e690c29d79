// Fuel (EngineConfig::consumeFuel): deterministic budgets. The counts of
// tests/wasm/fuel.wat are worked out by hand there; both tiers must charge
// exactly them, every run; a budget one short traps "out of fuel" before the
// run it cannot pay for; the code-cache file records the fuel variant.
#include <gtest/gtest.h>

#include <filesystem>

#include "runtime_test_support.h"

namespace weft::test {
namespace {

constexpr uint64_t kStartCost = 2;
uint64_t countCost(uint64_t n) { return 8 * n + 2; }
uint64_t facCost(uint64_t n) { return 9 * n + 4; }

class Fuel : public ::testing::TestWithParam<StrategyAndTier> {
 protected:
  std::shared_ptr<Engine> engineWith(uint64_t initialFuel, bool consume = true) {
    EngineConfig config = configFor(GetParam());
    config.consumeFuel = consume;
    config.initialFuel = initialFuel;
    return std::make_shared<Engine>(config);
  }
  static std::vector<Extern> imports(Engine& engine) {
    return {Extern::of(makeHostFunction(engine, FuncType{{ValType::I32}, {ValType::I32}},
                                        [](Caller&, std::span<const Value> args, std::span<Value> results) {
                                          results[0] = Value::i32(2 * args[0].asI32());
                                          return HostOutcome::ok();
                                        }))};
  }
  std::shared_ptr<Instance> instantiate(const std::shared_ptr<Engine>& engine) {
    auto module = compileTestModule(engine, "fuel");
    if (!module) return nullptr;
    std::vector<Extern> list = imports(*engine);
    return instantiateOk(module, list);
  }
  // Fuel spent by one call of {name}(arg).
  static uint64_t spent(Instance& instance, const char* name, Value arg) {
    instance.setFuel(1'000'000);
    CallOutcome outcome = call(*instance.exportedFunction(name), std::vector{arg});
    EXPECT_TRUE(outcome.ok()) << name << ": " << (outcome.trap ? outcome.trap->describe() : "");
    return 1'000'000 - instance.fuel();
  }
};

TEST_P(Fuel, EachOperatorCostsOneUnitTheSameEveryRun) {
  auto instance = instantiate(engineWith(1000));
  ASSERT_TRUE(instance);
  EXPECT_EQ(instance->fuel(), 1000 - kStartCost) << "the start function runs on the initial fuel";
  for (int run = 0; run < 3; ++run) {
    for (uint32_t n : {1u, 2u, 10u, 1000u}) EXPECT_EQ(spent(*instance, "count", Value::i32(n)), countCost(n)) << n;
    for (uint64_t n : {0ull, 1ull, 20ull}) EXPECT_EQ(spent(*instance, "fac", Value::i64(n)), facCost(n)) << n;
    EXPECT_EQ(spent(*instance, "via_host", Value::i32(5)), 4u);
  }
}

TEST_P(Fuel, ABudgetOneShortTrapsBeforeTheRunItCannotPayFor) {
  auto instance = instantiate(engineWith(0 + kStartCost));
  ASSERT_TRUE(instance);
  EXPECT_EQ(instance->fuel(), 0u);
  Func count = exported(instance, "count");
  instance->setFuel(countCost(10));
  CallOutcome enough = call(count, std::vector{Value::i32(10)});
  ASSERT_TRUE(enough.ok()) << enough.trap->describe();
  EXPECT_EQ(enough.results[0].asI32(), 10);
  EXPECT_EQ(instance->fuel(), 0u);

  instance->setFuel(countCost(10) - 1);
  CallOutcome shortOfOne = call(count, std::vector{Value::i32(10)});
  ASSERT_TRUE(shortOfOne.trap);
  EXPECT_EQ(shortOfOne.trap->kind, TrapKind::OutOfFuel);
  EXPECT_EQ(shortOfOne.trap->message, "out of fuel");
  ASSERT_FALSE(shortOfOne.trap->backtrace.empty());
  EXPECT_EQ(shortOfOne.trap->backtrace.front().functionName, "count");
  EXPECT_EQ(instance->fuel(), 0u);

  // More fuel, and the instance runs again; spinning stops when it is spent.
  instance->addFuel(100);
  EXPECT_EQ(instance->fuel(), 100u);
  CallOutcome spin = call(exported(instance, "spin"), {});
  ASSERT_TRUE(spin.trap);
  EXPECT_EQ(spin.trap->kind, TrapKind::OutOfFuel);
  instance->addFuel(UINT64_MAX);
  EXPECT_EQ(instance->fuel(), uint64_t{INT64_MAX}) << "saturates at what an instance can hold";
  instance->addFuel(UINT64_MAX);
  EXPECT_EQ(instance->fuel(), uint64_t{INT64_MAX});
}

TEST_P(Fuel, AStartFunctionWithoutFuelTrapsInstantiation) {
  auto engine = engineWith(kStartCost - 1);
  auto module = compileTestModule(engine, "fuel");
  ASSERT_TRUE(module);
  std::vector<Extern> list = imports(*engine);
  InstantiateOutcome outcome = Instance::create(module, list);
  ASSERT_TRUE(outcome.trap);
  EXPECT_EQ(outcome.trap->kind, TrapKind::OutOfFuel);
}

TEST_P(Fuel, WithoutFuelNothingIsCountedOrLimited) {
  auto instance = instantiate(engineWith(0, /*consume=*/false));
  ASSERT_TRUE(instance);
  instance->setFuel(5);
  EXPECT_EQ(instance->fuel(), 0u);
  CallOutcome outcome = call(exported(instance, "count"), std::vector{Value::i32(1000)});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.results[0].asI32(), 1000);
}

TEST_P(Fuel, CacheFilesRecordTheFuelVariant) {
  auto counting = engineWith(1000);
  auto module = compileTestModule(counting, "fuel");
  ASSERT_TRUE(module);
  std::string path = (std::filesystem::temp_directory_path() /
                      ("weft-fuel-" + std::to_string(::getpid()) + ".cwasm")).string();
  ASSERT_TRUE(module->serialize(path));
  Result<std::shared_ptr<const Module>> refused = Module::deserialize(engineWith(0, /*consume=*/false), path);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("counts fuel, the engine does not"), std::string::npos)
      << refused.error().message;
  Result<std::shared_ptr<const Module>> loaded = Module::deserialize(counting, path);
  ASSERT_TRUE(loaded) << loaded.error().describe();
  std::vector<Extern> list = imports(*counting);
  auto instance = instantiateOk(loaded.value(), list);
  ASSERT_TRUE(instance);
  EXPECT_EQ(spent(*instance, "count", Value::i32(7)), countCost(7));
  std::filesystem::remove(path);

  auto plain = std::make_shared<Engine>(configFor(GetParam()));
  auto plainModule = compileTestModule(plain, "fuel");
  ASSERT_TRUE(plainModule && plainModule->serialize(path));
  Result<std::shared_ptr<const Module>> refusedToo = Module::deserialize(counting, path);
  ASSERT_FALSE(refusedToo);
  EXPECT_NE(refusedToo.error().message.find("does not count fuel, the engine does"), std::string::npos)
      << refusedToo.error().message;
  std::filesystem::remove(path);
}

WEFT_FOR_EACH_STRATEGY_AND_TIER(Fuel);

}  // namespace
}  // namespace weft::test
