// The embedding API: calling exports, host functions in both directions,
// cross-instance calls, linking errors.
#include <gtest/gtest.h>

#include <cstring>

#include "runtime_test_support.h"

namespace weft::test {
namespace {

std::vector<Extern> hostImports(Engine& engine, std::shared_ptr<Instance>* self);

class RuntimeApi : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  // host_calls.wat with hostImports(); {fail} replaces its "fail" import.
  std::shared_ptr<Instance> hostCallsInstance(std::optional<Extern> fail = std::nullopt) {
    auto module = compileTestModule(engine_, "host_calls");
    if (!module) return nullptr;
    std::vector<Extern> imports = hostImports(*engine_, &hostCalls_);
    if (fail) imports[2] = *fail;
    hostCalls_ = instantiateOk(module, imports);
    return hostCalls_;
  }
  std::shared_ptr<Instance> hostCalls_;  // the instance "reenter" calls back into
  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
};

std::vector<Extern> hostImports(Engine& engine, std::shared_ptr<Instance>* self) {
  std::vector<Extern> imports;
  imports.push_back(Extern::of(makeHostFunction(
      engine, FuncType{{ValType::I32, ValType::I64}, {ValType::I64}},
      [](Caller&, std::span<const Value> args, std::span<Value> results) {
        results[0] = Value::i64(args[0].asI32() + args[1].asI64());
        return HostOutcome::ok();
      })));
  imports.push_back(Extern::of(makeHostFunction(
      engine, FuncType{{ValType::I32}, {}}, [](Caller& caller, std::span<const Value> args, std::span<Value>) {
        std::span<uint8_t> memory = caller.memory();
        uint32_t at = args[0].asI32();
        if (memory.size() < 5 || at > memory.size() - 5) return HostOutcome::trapWith("write_hello: out of range");
        std::memcpy(memory.data() + at, "hello", 5);
        return HostOutcome::ok();
      })));
  imports.push_back(Extern::of(makeHostFunction(engine, FuncType{{}, {}}, [](Caller&, auto, auto) {
    return HostOutcome::trapWith("the host said no");
  })));
  imports.push_back(Extern::of(makeHostFunction(
      engine, FuncType{{ValType::I32}, {ValType::I32}},
      [self](Caller&, std::span<const Value> args, std::span<Value> results) {
        CallOutcome inner = call(*(*self)->exportedFunction("double"), std::vector<Value>{args[0]});
        if (!inner.ok()) return HostOutcome::trapWith("inner call failed");
        results[0] = inner.results[0];
        return HostOutcome::ok();
      })));
  return imports;
}

TEST_P(RuntimeApi, HostFunctionsTakeArgumentsAndReturnResults) {
  std::shared_ptr<Instance> instance = hostCallsInstance();
  ASSERT_TRUE(instance);
  CallOutcome out = call(exported(instance, "call_add"), std::vector{Value::i32(40), Value::i64(1ull << 40)});
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.results.size(), 1u);
  EXPECT_EQ(out.results[0], Value::i64((1ull << 40) + 40));
}

TEST_P(RuntimeApi, HostFunctionWritesTheCallersMemory) {
  std::shared_ptr<Instance> instance = hostCallsInstance();
  ASSERT_TRUE(instance);
  CallOutcome out = call(exported(instance, "hello_at"), std::vector{Value::i32(100)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.results[0], Value::i32('h'));
  std::optional<Extern> memory = instance->exportByName("memory");
  ASSERT_TRUE(memory && memory->kind == ExternKind::Memory);
  EXPECT_EQ(std::memcmp(memory->memory->data() + 100, "hello", 5), 0);
}

TEST_P(RuntimeApi, HostTrapReachesTheEmbedderWithTheWasmCaller) {
  std::shared_ptr<Instance> instance = hostCallsInstance();
  ASSERT_TRUE(instance);
  CallOutcome out = call(exported(instance, "call_fail"), {});
  ASSERT_TRUE(out.trap);
  EXPECT_EQ(out.trap->kind, TrapKind::HostTrap);
  EXPECT_EQ(out.trap->message, "the host said no");
  ASSERT_FALSE(out.trap->backtrace.empty());
  EXPECT_EQ(out.trap->backtrace[0].functionName, "fails");
  // The instance is usable after a trap.
  out = call(exported(instance, "double"), std::vector{Value::i32(21)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.results[0], Value::i32(42));
}

TEST_P(RuntimeApi, HostExceptionBecomesATrap) {
  std::shared_ptr<Instance> instance = hostCallsInstance(Extern::of(makeHostFunction(
      *engine_, FuncType{{}, {}}, [](Caller&, auto, auto) -> HostOutcome { throw std::runtime_error("boom"); })));
  ASSERT_TRUE(instance);
  CallOutcome out = call(exported(instance, "call_fail"), {});
  ASSERT_TRUE(out.trap);
  EXPECT_EQ(out.trap->kind, TrapKind::HostTrap);
  EXPECT_NE(out.trap->message.find("boom"), std::string::npos);
}

TEST_P(RuntimeApi, WasmCallsHostWhichCallsWasmAgain) {
  std::shared_ptr<Instance> instance = hostCallsInstance();
  ASSERT_TRUE(instance);
  CallOutcome out = call(exported(instance, "via_host"), std::vector{Value::i32(20)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.results[0], Value::i32(41));
}

TEST_P(RuntimeApi, HostCallsAHostFunctionDirectly) {
  Func add = makeHostFunction(*engine_, FuncType{{ValType::I32}, {ValType::I32}},
                              [](Caller& caller, std::span<const Value> args, std::span<Value> results) {
                                EXPECT_TRUE(caller.memory().empty());
                                results[0] = Value::i32(args[0].asI32() + 1);
                                return HostOutcome::ok();
                              });
  CallOutcome out = call(add, std::vector{Value::i32(1)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.results[0], Value::i32(2));
}

// The dispatcher's paths by arity: up to five parameters come in registers,
// more from the frame; up to eight arguments and results are Values on its
// stack, more on the heap. Each side of both edges sees every argument in
// its place and returns the results in theirs.
TEST_P(RuntimeApi, HostFunctionsOfEveryArityEdgeSeeTheirArgumentsAndResults) {
  for (size_t params : {size_t{5}, size_t{6}, size_t{8}, size_t{9}}) {
    for (size_t resultCount : {size_t{1}, size_t{8}, size_t{9}}) {
      FuncType type{std::vector<ValType>(params, ValType::I64), std::vector<ValType>(resultCount, ValType::I64)};
      Func weigh = makeHostFunction(*engine_, type, [&](Caller&, std::span<const Value> args, std::span<Value> results) {
        uint64_t sum = 0;
        for (size_t i = 0; i < args.size(); ++i) sum += (i + 1) * args[i].asI64();
        for (size_t r = 0; r < results.size(); ++r) results[r] = Value::i64(sum + r);
        return HostOutcome::ok();
      });
      std::vector<Value> args;
      uint64_t expected = 0;
      for (size_t i = 0; i < params; ++i) {
        uint64_t arg = 0x100000000ull * (i + 1) + 7 * i;  // high bits set: a narrowed copy would show
        args.push_back(Value::i64(arg));
        expected += (i + 1) * arg;
      }
      CallOutcome out = call(weigh, args);
      ASSERT_TRUE(out.ok()) << params << " params, " << resultCount << " results";
      ASSERT_EQ(out.results.size(), resultCount);
      for (size_t r = 0; r < resultCount; ++r)
        EXPECT_EQ(out.results[r], Value::i64(expected + r)) << params << " params, result " << r;
    }
  }
}

TEST_P(RuntimeApi, WrongArgumentsAreAnErrorNotACall) {
  auto module = compileTestModule(engine_, "counter");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  CallOutcome out = call(exported(instance, "bump"), std::vector{Value::i32(1)});
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->find("expected 0 arguments"), std::string::npos);
  out = call(exported(instance, "bump"), {});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.results[0], Value::i32(1001));  // the failed call did not run
}

// call() into caller-provided results: the same checks as the CallOutcome
// form, nothing run when they fail; results written in place, also past 16
// slots (a host function of 9 i64 parameters and 9 results) and for a trap.
TEST_P(RuntimeApi, CallsIntoProvidedResultsCheckAndFillThem) {
  auto module = compileTestModule(engine_, "counter");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  Func bump = exported(instance, "bump");
  Trap trap;
  std::string why;
  Value result[1];
  Value extra[2];
  Value one = Value::i32(1);
  EXPECT_EQ(call(bump, std::span<const Value>(&one, 1), result, trap, &why), CallStatus::WrongArguments);
  EXPECT_NE(why.find("expected 0 arguments"), std::string::npos) << why;
  EXPECT_EQ(call(bump, {}, extra, trap, &why), CallStatus::WrongArguments);
  EXPECT_NE(why.find("room for 2 results"), std::string::npos) << why;
  EXPECT_EQ(call(bump, {}, {}, trap), CallStatus::WrongArguments) << "no room is not enough room either";
  ASSERT_EQ(call(bump, {}, result, trap), CallStatus::Returned);
  EXPECT_EQ(result[0], Value::i32(1001)) << "the refused calls did not run";

  FuncType wide{std::vector<ValType>(9, ValType::I64), std::vector<ValType>(9, ValType::I64)};
  Func weigh = makeHostFunction(*engine_, wide, [](Caller&, std::span<const Value> args, std::span<Value> results) {
    for (size_t r = 0; r < results.size(); ++r) results[r] = Value::i64(args[r].asI64() * 3 + r);
    return HostOutcome::ok();
  });
  std::vector<Value> args, results(9);
  for (uint64_t i = 0; i < 9; ++i) args.push_back(Value::i64((i + 1) << 40));
  Value badType[9];
  std::copy(args.begin(), args.end(), badType);
  badType[4] = Value::i32(4);
  EXPECT_EQ(call(weigh, badType, results, trap, &why), CallStatus::WrongArguments);
  EXPECT_NE(why.find("argument 4 has type i32, expected i64"), std::string::npos) << why;
  ASSERT_EQ(call(weigh, args, results, trap), CallStatus::Returned);
  for (uint64_t r = 0; r < 9; ++r) EXPECT_EQ(results[r], Value::i64(((r + 1) << 40) * 3 + r));

  auto host = hostCallsInstance();
  ASSERT_TRUE(host);
  ASSERT_EQ(call(exported(host, "call_fail"), {}, {}, trap), CallStatus::Trapped);
  EXPECT_EQ(trap.message, "the host said no");
}

TEST_P(RuntimeApi, CrossInstanceCallsRunWithTheCalleesInstanceData) {
  auto provider = instantiateOk(compileTestModule(engine_, "provider"));
  ASSERT_TRUE(provider);
  std::optional<Extern> providerMemory = provider->exportByName("memory");
  ASSERT_TRUE(providerMemory);
  uint32_t seven = 7;
  std::memcpy(providerMemory->memory->data() + 8, &seven, 4);
  std::vector<Extern> imports{*provider->exportByName("read"), *provider->exportByName("fail")};
  auto consumer = instantiateOk(compileTestModule(engine_, "consumer"), imports);
  ASSERT_TRUE(consumer);
  // provider: base 100 + its memory[8] = 7; consumer: base 5 + its memory[8] = 1.
  CallOutcome out = call(exported(consumer, "read_both"), std::vector{Value::i32(8)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.results[0], Value::i32(113));
  ASSERT_TRUE(call(exported(provider, "set_base"), std::vector{Value::i32(1000)}).ok());
  out = call(exported(consumer, "read_both"), std::vector{Value::i32(8)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.results[0], Value::i32(1013));
  // A trap's frames name the instance each ran in.
  out = call(exported(consumer, "call_fail"), {});
  ASSERT_TRUE(out.trap);
  ASSERT_EQ(out.trap->backtrace.size(), 2u);
  EXPECT_EQ(out.trap->backtrace[0].functionName, "fail");
  EXPECT_EQ(out.trap->backtrace[0].instance, provider.get());
  EXPECT_EQ(out.trap->backtrace[1].functionName, "call_fail");
  EXPECT_EQ(out.trap->backtrace[1].instance, consumer.get());
}

TEST_P(RuntimeApi, MissingAndMismatchedImportsAreLinkErrors) {
  auto module = compileTestModule(engine_, "consumer");
  ASSERT_TRUE(module);
  InstantiateOutcome none = Instance::create(module, {});
  ASSERT_TRUE(none.error);
  EXPECT_NE(none.error->message.find("2 imports"), std::string::npos);
  Extern noop = Extern::of(makeHostFunction(*engine_, FuncType{{}, {}}, [](Caller&, auto, auto) {
    return HostOutcome::ok();
  }));
  std::vector<Extern> wrong{noop, noop};
  InstantiateOutcome mismatched = Instance::create(module, wrong);
  ASSERT_TRUE(mismatched.error);
  EXPECT_NE(mismatched.error->message.find("incompatible import type"), std::string::npos);
  EXPECT_NE(mismatched.error->message.find("\"provider\" \"read\""), std::string::npos);
}

TEST_P(RuntimeApi, ImportedMemoryFollowsGrowthAndMustMatchTheStrategy) {
  auto module = compileTestModule(engine_, "memory_importer");
  ASSERT_TRUE(module);
  MemoryStrategy other = GetParam() == MemoryStrategy::Guard ? MemoryStrategy::BoundsChecked : MemoryStrategy::Guard;
  Result<std::shared_ptr<LinearMemory>> foreign = LinearMemory::create(MemoryType{{1, std::nullopt, false}}, other);
  ASSERT_TRUE(foreign);
  std::vector<Extern> imports{Extern::of(foreign.value())};
  InstantiateOutcome refused = Instance::create(module, imports);
  ASSERT_TRUE(refused.error);
  EXPECT_NE(refused.error->message.find("memory strategy mismatch"), std::string::npos);

  Result<std::shared_ptr<LinearMemory>> memory = LinearMemory::create(MemoryType{{1, 4, false}}, GetParam());
  ASSERT_TRUE(memory);
  imports[0] = Extern::of(memory.value());
  auto instance = instantiateOk(module, imports);
  ASSERT_TRUE(instance);
  EXPECT_EQ(call(exported(instance, "size"), {}).results.at(0), Value::i32(1));
  ASSERT_EQ(memory.value()->grow(2), 1);
  uint32_t marker = 0xabcd;
  std::memcpy(memory.value()->data() + 2 * kPageSize, &marker, 4);
  EXPECT_EQ(call(exported(instance, "size"), {}).results.at(0), Value::i32(3));
  EXPECT_EQ(call(exported(instance, "load"), std::vector{Value::i32(2 * kPageSize)}).results.at(0),
            Value::i32(marker));
  CallOutcome past = call(exported(instance, "load"), std::vector{Value::i32(3 * kPageSize - 2)});
  ASSERT_TRUE(past.trap);
  EXPECT_EQ(past.trap->kind, TrapKind::MemoryOutOfBounds);
}

WEFT_FOR_EACH_STRATEGY(RuntimeApi);

}  // namespace
}  // namespace weft::test

namespace weft::test {
namespace {

TEST(EngineConfiguration, TheOptimizingTierCompilesRunsAndRecordsItsTier) {
  EngineConfig config;
  config.tier = Tier::Optimizing;
  auto engine = std::make_shared<Engine>(config);
  auto module = compileTestModule(engine, "counter");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->data()->tier, Tier::Optimizing);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  for (uint32_t round = 1; round <= 3; ++round)
    EXPECT_EQ(call(exported(instance, "bump"), {}).results.at(0), Value::i32(round * 1000 + round));
}

TEST(EngineConfiguration, MemoryAndStackLimitsAreEnforced) {
  EngineConfig config = EngineConfig::with(MemoryStrategy::BoundsChecked, 1, Tier::Baseline);
  config.maxMemoryPages = 2;
  config.maxWasmStackBytes = 64 * 1024;
  auto engine = std::make_shared<Engine>(config);
  auto module = compileTestModule(engine, "traps");  // memory 1, no maximum
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  Func grow = exported(instance, "grow");
  EXPECT_EQ(call(grow, std::vector{Value::i32(1)}).results.at(0), Value::i32(1));
  EXPECT_EQ(call(grow, std::vector{Value::i32(1)}).results.at(0), Value::i32(0xffffffffu)) << "past the limit";
  CallOutcome deep = call(exported(instance, "recurse"), std::vector{Value::i64(0)});
  ASSERT_TRUE(deep.trap);
  EXPECT_EQ(deep.trap->kind, TrapKind::StackExhausted);
  EXPECT_LT(deep.trap->backtrace.size(), 64u * 1024 / 16) << "64 KiB cannot hold more frames than that";

  config.maxMemoryPages = 0;
  auto tight = std::make_shared<Engine>(config);
  auto tooBig = compileTestModule(tight, "traps");
  ASSERT_TRUE(tooBig);
  InstantiateOutcome refused = Instance::create(tooBig, {});
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->kind, ErrorKind::LimitExceeded);
}

}  // namespace
}  // namespace weft::test
