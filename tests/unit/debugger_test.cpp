// Debugging (DESIGN 6, runtime/debugger.h): a debug instance runs its own
// clone of the module's debug code and stops at its breakpoints, steps and
// traps with the right frames, locals and operand stacks; other instances
// run the module's usual code, which nothing patches, and never stop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "runtime/code_registry.h"
#include "runtime/debugger.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

// debug_program.wat's functions.
constexpr uint32_t kFac = 0, kStack = 1, kSpin = 2, kDivide = 3, kTwice = 4, kDouble = 5;

class ScriptedHandler final : public DebugHandler {
 public:
  explicit ScriptedHandler(std::function<ResumeMode(DebugStop&)> onStop) : onStop_(std::move(onStop)) {}
  ResumeMode onStop(DebugStop& stop) override { return onStop_(stop); }

 private:
  std::function<ResumeMode(DebugStop&)> onStop_;
};

// What one stop showed, copied out while it lasted.
struct Seen {
  StopReason reason;
  std::vector<DebugFrame> frames;
  std::vector<std::vector<Value>> locals;  // per frame, empty when unreadable
  std::vector<std::vector<Value>> stacks;
};

Seen record(DebugStop& stop) {
  Seen seen{stop.reason(), stop.frames(), {}, {}};
  for (size_t i = 0; i < seen.frames.size(); ++i) {
    seen.locals.push_back(stop.locals(i).value_or(std::vector<Value>{}));
    seen.stacks.push_back(stop.operandStack(i).value_or(std::vector<Value>{}));
  }
  return seen;
}

uint64_t hashBytes(const uint8_t* bytes, size_t size) {
  uint64_t hash = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 1099511628211ull;
  return hash;
}

class Debugging : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  std::shared_ptr<Engine> engine_ = [] {
    EngineConfig config = EngineConfig::with(GetParam(), 1, Tier::Tiered);
    config.debugging = true;
    return std::make_shared<Engine>(config);
  }();
  std::shared_ptr<const Module> module_ = compileTestModule(engine_, "debug_program");

  std::shared_ptr<Instance> debugInstance(std::function<ResumeMode(DebugStop&)> onStop) {
    InstanceOptions options;
    options.debugHandler = std::make_shared<ScriptedHandler>(std::move(onStop));
    InstantiateOutcome outcome = Instance::create(module_, {}, options);
    if (outcome.error) ADD_FAILURE() << outcome.error->describe();
    return outcome.ok() ? outcome.instance : nullptr;
  }
  // The offset of the {n}th reachable operator of {function}.
  static uint32_t operatorAt(Instance& instance, uint32_t function, size_t n) {
    std::vector<uint32_t> offsets = instance.debugger()->operatorOffsets(function);
    EXPECT_LT(n, offsets.size());
    return n < offsets.size() ? offsets[n] : 0;
  }
};

TEST_P(Debugging, FactorialStopsAtEveryLevelWithItsLocalsAndCallers) {
  ASSERT_TRUE(module_);
  std::vector<Seen> stops;
  auto instance = debugInstance([&](DebugStop& stop) {
    stops.push_back(record(stop));
    return ResumeMode::Continue;
  });
  ASSERT_TRUE(instance);
  Result<uint32_t> at = instance->debugger()->setBreakpoint(kFac, module_->info().functions[kFac].body.offset);
  ASSERT_TRUE(at) << at.error().describe();
  EXPECT_EQ(at.value(), operatorAt(*instance, kFac, 0));
  CallOutcome outcome = call(exported(instance, "fac"), std::vector{Value::i64(5)});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.results[0].asI64(), 120u);
  ASSERT_EQ(stops.size(), 6u) << "one stop per level, n = 5 down to 0";
  for (size_t level = 0; level < stops.size(); ++level) {
    const Seen& seen = stops[level];
    EXPECT_EQ(seen.reason, StopReason::Breakpoint);
    ASSERT_EQ(seen.frames.size(), level + 1) << "every level's callers are on the stack";
    for (size_t f = 0; f < seen.frames.size(); ++f) {
      EXPECT_EQ(seen.frames[f].functionIndex, kFac);
      EXPECT_EQ(seen.frames[f].instance, instance.get());
      ASSERT_TRUE(seen.frames[f].inspectable);
      ASSERT_EQ(seen.locals[f].size(), 1u);
      EXPECT_EQ(seen.locals[f][0], Value::i64(5 - level + f)) << "level " << level << " frame " << f;
    }
    EXPECT_EQ(seen.frames[0].bytecodeOffset, at.value());
    EXPECT_TRUE(seen.stacks[0].empty()) << "nothing is on the stack as the body starts";
    // A caller waits in its call with n on the stack for the multiplication
    // (the call's own operand is the callee's parameter now).
    for (size_t f = 1; f < seen.frames.size(); ++f) {
      ASSERT_EQ(seen.stacks[f].size(), 1u);
      EXPECT_EQ(seen.stacks[f][0], Value::i64(5 - level + f));
    }
  }
}

TEST_P(Debugging, BreakpointsInTwoInstancesHitInCallOrderFromALoop) {
  ASSERT_TRUE(module_);
  auto callerModule = compileTestModule(engine_, "debug_caller");
  ASSERT_TRUE(callerModule);
  std::vector<Seen> stops;
  auto recordAll = [&](DebugStop& stop) {
    stops.push_back(record(stop));
    return ResumeMode::Continue;
  };
  auto callee = debugInstance(recordAll);
  ASSERT_TRUE(callee);
  InstanceOptions options;
  options.debugHandler = std::make_shared<ScriptedHandler>(recordAll);
  std::vector<Extern> imports = {*callee->exportByName("twice")};
  InstantiateOutcome made = Instance::create(callerModule, imports, options);
  ASSERT_TRUE(made.ok()) << (made.error ? made.error->describe() : "trap");
  std::shared_ptr<Instance> caller = made.instance;
  // sum's `call $twice` (block, loop, local.get, local.get, i32.ge_u, br_if,
  // local.get, local.get, call) and twice's first operator.
  uint32_t callInSum = operatorAt(*caller, 1, 8);
  ASSERT_TRUE(caller->debugger()->setBreakpoint(1, callInSum));
  ASSERT_TRUE(callee->debugger()->setBreakpoint(kTwice, operatorAt(*callee, kTwice, 0)));
  CallOutcome outcome = call(exported(caller, "sum"), std::vector{Value::i32(3)});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.results[0], Value::i32(1 + 3 + 5));
  ASSERT_EQ(stops.size(), 6u);
  for (uint32_t i = 0; i < 3; ++i) {
    const Seen& inSum = stops[2 * i];
    const Seen& inTwice = stops[2 * i + 1];
    ASSERT_EQ(inSum.frames.size(), 1u);
    EXPECT_EQ(inSum.frames[0].instance, caller.get());
    EXPECT_EQ(inSum.frames[0].bytecodeOffset, callInSum);
    ASSERT_EQ(inSum.locals[0].size(), 3u);
    EXPECT_EQ(inSum.locals[0][1], Value::i32(i)) << "the loop counter";
    EXPECT_EQ(inSum.locals[0][2], Value::i32(i * i)) << "the sum so far";
    EXPECT_EQ(inSum.stacks[0], (std::vector<Value>{Value::i32(i * i), Value::i32(i)}));
    // In the other instance, with the caller's frame below it, read from there.
    ASSERT_EQ(inTwice.frames.size(), 2u);
    EXPECT_EQ(inTwice.frames[0].instance, callee.get());
    EXPECT_EQ(inTwice.frames[0].functionIndex, kTwice);
    EXPECT_EQ(inTwice.locals[0][0], Value::i32(i));
    EXPECT_EQ(inTwice.frames[1].instance, caller.get());
    EXPECT_EQ(inTwice.frames[1].bytecodeOffset, callInSum);
    ASSERT_TRUE(inTwice.frames[1].inspectable);
    EXPECT_EQ(inTwice.locals[1][1], Value::i32(i));
    EXPECT_EQ(inTwice.stacks[1], std::vector<Value>{Value::i32(i * i)}) << "below the call's argument";
  }
}

TEST_P(Debugging, TheOperandStackHoldsEachValueWithItsType) {
  ASSERT_TRUE(module_);
  std::vector<Value> stack;
  auto instance = debugInstance([&](DebugStop& stop) {
    stack = stop.operandStack(0).value_or(std::vector<Value>{});
    return ResumeMode::Continue;
  });
  ASSERT_TRUE(instance);
  ASSERT_TRUE(instance->debugger()->setBreakpoint(kStack, operatorAt(*instance, kStack, 3)));  // the first drop
  ASSERT_TRUE(call(exported(instance, "stack"), {}).ok());
  EXPECT_EQ(stack, (std::vector<Value>{Value::i32(7), Value::i64(9), Value::f32(1.5f)}));
}

TEST_P(Debugging, StepOverStepIntoAndStepOut) {
  ASSERT_TRUE(module_);
  std::vector<Seen> stops;
  std::vector<ResumeMode> script = {ResumeMode::StepOver, ResumeMode::Continue};
  auto instance = debugInstance([&](DebugStop& stop) {
    stops.push_back(record(stop));
    ResumeMode next = script.empty() ? ResumeMode::Continue : script.front();
    if (!script.empty()) script.erase(script.begin());
    return next;
  });
  ASSERT_TRUE(instance);
  uint32_t callDouble = operatorAt(*instance, kTwice, 1);
  uint32_t setY = operatorAt(*instance, kTwice, 2);
  ASSERT_TRUE(instance->debugger()->setBreakpoint(kTwice, callDouble));

  // Over the call: the next stop is the operator after it, in the same frame.
  CallOutcome outcome = call(exported(instance, "twice"), std::vector{Value::i32(20)});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.results[0], Value::i32(41));
  ASSERT_EQ(stops.size(), 2u);
  EXPECT_EQ(stops[0].frames[0].bytecodeOffset, callDouble);
  EXPECT_EQ(stops[0].stacks[0], std::vector<Value>{Value::i32(20)}) << "the call's argument";
  EXPECT_EQ(stops[1].reason, StopReason::Step);
  EXPECT_EQ(stops[1].frames.size(), 1u);
  EXPECT_EQ(stops[1].frames[0].bytecodeOffset, setY);
  EXPECT_EQ(stops[1].stacks[0], std::vector<Value>{Value::i32(40)}) << "the call's result";

  // Into the call, then out of it.
  stops.clear();
  script = {ResumeMode::StepInto, ResumeMode::StepOut, ResumeMode::Continue};
  ASSERT_TRUE(call(exported(instance, "twice"), std::vector{Value::i32(3)}).ok());
  ASSERT_EQ(stops.size(), 3u);
  EXPECT_EQ(stops[1].frames.size(), 2u);
  EXPECT_EQ(stops[1].frames[0].functionIndex, kDouble);
  EXPECT_EQ(stops[1].frames[0].bytecodeOffset, operatorAt(*instance, kDouble, 0));
  EXPECT_EQ(stops[1].locals[0], std::vector<Value>{Value::i32(3)});
  EXPECT_EQ(stops[1].frames[1].functionIndex, kTwice);
  EXPECT_EQ(stops[1].frames[1].bytecodeOffset, callDouble);
  EXPECT_EQ(stops[2].frames.size(), 1u);
  EXPECT_EQ(stops[2].frames[0].bytecodeOffset, setY);
  EXPECT_EQ(stops[2].stacks[0], std::vector<Value>{Value::i32(6)});
  // And Continue left no step behind: the next call stops at the breakpoint only.
  stops.clear();
  script.clear();
  ASSERT_TRUE(call(exported(instance, "twice"), std::vector{Value::i32(1)}).ok());
  EXPECT_EQ(stops.size(), 1u);
}

// Bytes where an instance's clone differs from the module's debug code: the
// sites its debugger armed.
size_t patchedBytes(const std::shared_ptr<const Module>& module, const Instance& instance) {
  const CodeMemory& original = module->debugCode().value()->memory();
  const CodeMemory& clone = instance.privateCode()->memory();
  size_t differing = 0;
  for (size_t i = 0; i < original.size(); ++i) differing += original.data()[i] != clone.data()[i];
  return differing;
}

TEST_P(Debugging, StepOutOfTheOutermostFrameDisarmsTheSteps) {
  ASSERT_TRUE(module_);
  uint32_t stops = 0;
  auto instance = debugInstance([&](DebugStop&) {
    stops++;
    return ResumeMode::StepOut;
  });
  ASSERT_TRUE(instance);
  ASSERT_TRUE(instance->debugger()->setBreakpoint(kStack, operatorAt(*instance, kStack, 2)));
  EXPECT_EQ(patchedBytes(module_, *instance), 4u) << "one site armed";
  ASSERT_TRUE(call(exported(instance, "stack"), {}).ok());
  EXPECT_EQ(stops, 1u);
  EXPECT_EQ(patchedBytes(module_, *instance), 4u) << "a step out of the host's call left every site armed";
  ASSERT_TRUE(call(exported(instance, "twice"), std::vector{Value::i32(1)}).ok());
  EXPECT_EQ(stops, 1u);
}

TEST_P(Debugging, StepOverTheLastOperatorOfTheOutermostFrameDisarmsTheSteps) {
  ASSERT_TRUE(module_);
  uint32_t stops = 0;
  auto instance = debugInstance([&](DebugStop&) {
    stops++;
    return ResumeMode::StepOver;
  });
  ASSERT_TRUE(instance);
  std::vector<uint32_t> offsets = instance->debugger()->operatorOffsets(kStack);
  ASSERT_TRUE(instance->debugger()->setBreakpoint(kStack, offsets.back()));  // the body's end
  ASSERT_TRUE(call(exported(instance, "stack"), {}).ok());
  EXPECT_EQ(stops, 1u);
  EXPECT_EQ(patchedBytes(module_, *instance), 4u) << "a step over the return to the host left every site armed";
  ASSERT_TRUE(call(exported(instance, "twice"), std::vector{Value::i32(1)}).ok());
  EXPECT_EQ(stops, 1u) << "a step over the end of one call stopped in the next";
}

TEST_P(Debugging, AHandlerCallingAnotherDebugInstanceDoesNotStopThere) {
  ASSERT_TRUE(module_);
  uint32_t innerStops = 0;
  auto inner = debugInstance([&](DebugStop&) {
    innerStops++;
    return ResumeMode::StepInto;
  });
  ASSERT_TRUE(inner);
  inner->debugger()->breakAtNextOperator();
  std::optional<uint64_t> computed;
  auto outer = debugInstance([&](DebugStop&) {
    CallOutcome nested = call(exported(inner, "fac"), std::vector{Value::i64(5)});
    if (nested.ok()) computed = nested.results[0].asI64();
    return ResumeMode::Continue;
  });
  ASSERT_TRUE(outer);
  ASSERT_TRUE(outer->debugger()->setBreakpoint(kStack, operatorAt(*outer, kStack, 0)));
  ASSERT_TRUE(call(exported(outer, "stack"), {}).ok());
  EXPECT_EQ(computed, 120u);
  EXPECT_EQ(innerStops, 0u) << "a stop inside a handler";
  ASSERT_TRUE(call(exported(inner, "fac"), std::vector{Value::i64(1)}).ok());
  EXPECT_GT(innerStops, 0u) << "outside a handler the step stops";
}

TEST_P(Debugging, ATrapStopsAtTheTrappingOperatorWithItsFrame) {
  ASSERT_TRUE(module_);
  std::vector<Seen> stops;
  auto instance = debugInstance([&](DebugStop& stop) {
    stops.push_back(record(stop));
    EXPECT_TRUE(stop.trap());
    return ResumeMode::Continue;
  });
  ASSERT_TRUE(instance);
  CallOutcome outcome = call(exported(instance, "divide"), std::vector{Value::i32(10), Value::i32(0)});
  ASSERT_TRUE(outcome.trap);
  EXPECT_EQ(outcome.trap->kind, TrapKind::IntegerDivideByZero);
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].reason, StopReason::Trap);
  EXPECT_EQ(stops[0].frames[0].functionIndex, kDivide);
  EXPECT_EQ(stops[0].frames[0].bytecodeOffset, outcome.trap->backtrace[0].bytecodeOffset);
  EXPECT_EQ(stops[0].frames[0].bytecodeOffset, operatorAt(*instance, kDivide, 4)) << "at i32.div_u";
  EXPECT_EQ(stops[0].locals[0], (std::vector<Value>{Value::i32(10), Value::i32(0), Value::i32(99)}));
  EXPECT_EQ(stops[0].stacks[0], (std::vector<Value>{Value::i32(10), Value::i32(0)}));
}

TEST_P(Debugging, GlobalsAndMemoryAreReadAtAStop) {
  ASSERT_TRUE(module_);
  std::optional<Value> counter, wide, missing;
  std::optional<std::vector<uint8_t>> bytes, pastTheEnd, huge;
  auto instance = debugInstance([&](DebugStop& stop) {
    counter = stop.global(0);
    wide = stop.global(1);
    missing = stop.global(2);
    bytes = stop.readMemory(0, 16, 4);
    pastTheEnd = stop.readMemory(0, 65536 - 2, 4);
    huge = stop.readMemory(0, UINT64_MAX - 1, 4);
    return ResumeMode::Continue;
  });
  ASSERT_TRUE(instance);
  ASSERT_TRUE(instance->debugger()->setBreakpoint(kStack, operatorAt(*instance, kStack, 0)));
  ASSERT_TRUE(call(exported(instance, "stack"), {}).ok());
  EXPECT_EQ(counter, Value::i32(42));
  EXPECT_EQ(wide, Value::i64(static_cast<uint64_t>(-5)));
  EXPECT_FALSE(missing);
  EXPECT_EQ(bytes, (std::vector<uint8_t>{'w', 'e', 'f', 't'}));
  EXPECT_FALSE(pastTheEnd);
  EXPECT_FALSE(huge);
}

TEST_P(Debugging, AbortTrapsTheCallAsInterrupted) {
  ASSERT_TRUE(module_);
  auto instance = debugInstance([&](DebugStop&) { return ResumeMode::Abort; });
  ASSERT_TRUE(instance);
  ASSERT_TRUE(instance->debugger()->setBreakpoint(kSpin, operatorAt(*instance, kSpin, 3)));
  CallOutcome outcome = call(exported(instance, "spin"), std::vector{Value::i32(1000)});
  ASSERT_TRUE(outcome.trap);
  EXPECT_EQ(outcome.trap->kind, TrapKind::Interrupted);
  EXPECT_EQ(outcome.trap->backtrace.at(0).bytecodeOffset, operatorAt(*instance, kSpin, 3));
  instance->debugger()->clearBreakpoints();
  outcome = call(exported(instance, "spin"), std::vector{Value::i32(1000)});
  ASSERT_TRUE(outcome.ok()) << "no breakpoint left";
  EXPECT_EQ(outcome.results[0], Value::i32(1000));
}

TEST_P(Debugging, ABreakpointSetFromAnotherThreadStopsTheRunningLoop) {
  ASSERT_TRUE(module_);
  std::atomic<uint32_t> stops{0};
  std::optional<Seen> seen;
  auto instance = debugInstance([&](DebugStop& stop) {
    seen = record(stop);
    stops++;
    return ResumeMode::Abort;
  });
  ASSERT_TRUE(instance);
  uint32_t loopBody = operatorAt(*instance, kSpin, 3);  // inside the loop, after the loop's own operator
  std::atomic<bool> started{false};
  CallOutcome outcome;
  std::thread runner([&] {
    started = true;
    outcome = call(exported(instance, "spin"), std::vector{Value::i32(0x7fffffff)});
  });
  while (!started) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  Result<uint32_t> set = instance->debugger()->setBreakpoint(kSpin, loopBody);
  runner.join();
  ASSERT_TRUE(set);
  ASSERT_TRUE(outcome.trap) << "the loop ran to its end before the breakpoint was seen";
  EXPECT_EQ(stops.load(), 1u);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->reason, StopReason::Breakpoint);
  EXPECT_EQ(seen->frames[0].bytecodeOffset, loopBody);
  ASSERT_EQ(seen->locals[0].size(), 2u);
  EXPECT_EQ(seen->locals[0][0], Value::i32(0x7fffffff));
  EXPECT_GT(seen->locals[0][1].asI32(), 0u) << "the loop had run for a while";
}

TEST_P(Debugging, OtherInstancesRunTheUsualCodeUnpatchedAndNeverStop) {
  ASSERT_TRUE(module_);
  const CodeMemory& usual = module_->code().memory();
  uint64_t usualBefore = hashBytes(usual.data(), usual.size());
  uint32_t stops = 0;
  auto debugged = debugInstance([&](DebugStop&) {
    stops++;
    return ResumeMode::StepInto;  // every site of the clone armed from here on
  });
  auto plain = instantiateOk(module_);
  ASSERT_TRUE(debugged && plain);
  Result<const ModuleCode*> debugCode = module_->debugCode();
  ASSERT_TRUE(debugCode);
  const CodeMemory& debugImage = debugCode.value()->memory();
  uint64_t debugBefore = hashBytes(debugImage.data(), debugImage.size());
  EXPECT_EQ(plain->debugger(), nullptr);
  EXPECT_EQ(plain->privateCode(), nullptr) << "a plain instance runs the module's code";
  for (const ModuleCode::FunctionRange& range : module_->code().functions())
    EXPECT_FALSE(range.debug) << "the module's usual code has debug sites: plain instances would pay for them";
  ASSERT_TRUE(debugged->debugger()->setBreakpoint(kFac, operatorAt(*debugged, kFac, 0)));
  ASSERT_TRUE(call(exported(debugged, "fac"), std::vector{Value::i64(3)}).ok());
  uint32_t debuggedStops = stops;
  EXPECT_GT(debuggedStops, 20u) << "stepping stops at every operator";
  CallOutcome plainOutcome = call(exported(plain, "fac"), std::vector{Value::i64(20)});
  ASSERT_TRUE(plainOutcome.ok());
  EXPECT_EQ(plainOutcome.results[0].asI64(), 2432902008176640000ull);
  EXPECT_EQ(stops, debuggedStops) << "the plain instance stopped";
  EXPECT_EQ(hashBytes(usual.data(), usual.size()), usualBefore) << "the module's code was patched";
  EXPECT_EQ(hashBytes(debugImage.data(), debugImage.size()), debugBefore) << "the shared debug code was patched";
  const ModuleCode* clone = debugged->privateCode();
  ASSERT_TRUE(clone);
  EXPECT_NE(clone->memory().data(), debugImage.data());
  EXPECT_NE(hashBytes(clone->memory().data(), clone->memory().size()), debugBefore) << "the clone was not patched";
  // A second debug instance clones the same debug code, compiled once.
  auto second = debugInstance([](DebugStop&) { return ResumeMode::Continue; });
  ASSERT_TRUE(second);
  EXPECT_EQ(module_->debugCode().value(), debugCode.value());
  EXPECT_EQ(hashBytes(second->privateCode()->memory().data(), second->privateCode()->memory().size()), debugBefore)
      << "a new clone starts unpatched";
}

TEST_P(Debugging, EveryDebugInstanceGetsItsOwnCloneAndReleasesIt) {
  ASSERT_TRUE(module_);
  std::vector<uintptr_t> clones;
  {
    std::vector<std::shared_ptr<Instance>> instances;
    for (int i = 0; i < 100; ++i) {
      instances.push_back(debugInstance([](DebugStop&) { return ResumeMode::Continue; }));
      ASSERT_TRUE(instances.back());
      clones.push_back(reinterpret_cast<uintptr_t>(instances.back()->privateCode()->memory().data()));
      EXPECT_EQ(code_registry::lookup(clones.back()), instances.back()->privateCode());
      EXPECT_GT(instances.back()->memoryUsage().privateCode, 0u);
    }
    std::sort(clones.begin(), clones.end());
    EXPECT_EQ(std::unique(clones.begin(), clones.end()), clones.end()) << "two instances share a clone";
    // Each runs its own clone.
    ASSERT_TRUE(instances[7]->debugger()->setBreakpoint(kFac, operatorAt(*instances[7], kFac, 0)));
    for (auto& instance : instances) ASSERT_TRUE(call(exported(instance, "fac"), std::vector{Value::i64(4)}).ok());
  }
  for (uintptr_t clone : clones) EXPECT_EQ(code_registry::lookup(clone), nullptr) << "a dead instance's clone stays";
}

TEST_P(Debugging, BreakpointsAreCheckedAndListed) {
  ASSERT_TRUE(module_);
  auto instance = debugInstance([](DebugStop&) { return ResumeMode::Continue; });
  ASSERT_TRUE(instance);
  Debugger& debugger = *instance->debugger();
  EXPECT_FALSE(debugger.setBreakpoint(99, 0)) << "no such function";
  EXPECT_FALSE(debugger.setBreakpoint(kFac, 0)) << "an offset outside the function";
  EXPECT_FALSE(debugger.setBreakpoint(kFac, UINT32_MAX));
  uint32_t second = operatorAt(*instance, kTwice, 1);
  // An offset inside an operator's immediates moves to the next operator.
  Result<uint32_t> placed = debugger.setBreakpoint(kTwice, operatorAt(*instance, kTwice, 0) + 1);
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed.value(), second);
  ASSERT_EQ(debugger.breakpoints().size(), 1u);
  EXPECT_EQ(debugger.breakpoints()[0].functionIndex, kTwice);
  EXPECT_TRUE(debugger.clearBreakpoint(kTwice, second));
  EXPECT_FALSE(debugger.clearBreakpoint(kTwice, second));
  EXPECT_TRUE(debugger.breakpoints().empty());
  EXPECT_TRUE(debugger.operatorOffsets(99).empty());
}

TEST_P(Debugging, DebugModulesAreNeverSerializedNorLoaded) {
  ASSERT_TRUE(module_);
  std::string path = testing::TempDir() + "/weft-debug-module.cwasm";
  Status written = module_->serialize(path);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("debugging"), std::string::npos) << written.error().message;
  Result<std::shared_ptr<const Module>> loaded = Module::deserialize(engine_, path);
  EXPECT_FALSE(loaded);
}

TEST_P(Debugging, AHandlerNeedsAModuleCompiledForDebugging) {
  auto plainEngine = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
  auto plainModule = compileTestModule(plainEngine, "debug_program");
  ASSERT_TRUE(plainModule);
  InstanceOptions options;
  options.debugHandler = std::make_shared<ScriptedHandler>([](DebugStop&) { return ResumeMode::Continue; });
  InstantiateOutcome outcome = Instance::create(plainModule, {}, options);
  ASSERT_TRUE(outcome.error);
  EXPECT_NE(outcome.error->message.find("EngineConfig::debugging"), std::string::npos) << outcome.error->message;
  EXPECT_FALSE(plainModule->debugCode());
}

TEST_P(Debugging, ASpecializedInstanceIsNotDebugged) {
  EngineConfig config = EngineConfig::with(GetParam(), 1, Tier::Tiered);
  config.debugging = true;
  config.specializeInstances = true;
  auto engine = std::make_shared<Engine>(config);
  auto module = compileTestModule(engine, "debug_program");
  ASSERT_TRUE(module);
  InstanceOptions options;
  options.debugHandler = std::make_shared<ScriptedHandler>([](DebugStop&) { return ResumeMode::Continue; });
  InstantiateOutcome outcome = Instance::create(module, {}, options);
  ASSERT_TRUE(outcome.error);
  EXPECT_NE(outcome.error->message.find("cannot be debugged"), std::string::npos) << outcome.error->message;
}

WEFT_FOR_EACH_STRATEGY(Debugging);

}  // namespace
}  // namespace weft::test
