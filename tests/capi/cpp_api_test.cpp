// The public C++ API (include/weft/weft.hpp), linked statically with the
// engine as a host linking libweft.a would be (its classes and the engine's
// internal ones share the namespace name; they must not collide).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <weft/weft.hpp>

namespace {

std::vector<uint8_t> wasmFile(const std::string& name) {
  std::ifstream file(std::string(WEFT_CAPI_WASM_DIR) + "/" + name + ".wasm", std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

struct CallsModule {
  weft::Engine engine;
  weft::Store store{engine};
  weft::Module module{store, wasmFile("capi_calls")};
  int adds = 0;
  weft::Func add{store, weft::FuncType({weft::ValKind::I32, weft::ValKind::I32}, {weft::ValKind::I32}),
                 [this](const std::vector<weft::Val>& args, std::vector<weft::Val>& results) -> std::optional<std::string> {
                   ++adds;
                   results[0] = weft::Val::i32(args[0].i32() + args[1].i32());
                   return std::nullopt;
                 }};
  weft::Func fail{store, weft::FuncType({weft::ValKind::I32}, {}),
                  [](const std::vector<weft::Val>& args, std::vector<weft::Val>&) -> std::optional<std::string> {
                    return "refused " + std::to_string(args[0].i32());
                  }};
  weft::Global counter{store, weft::ValKind::I32, true, weft::Val::i32(0)};
  weft::Global limit{store, weft::ValKind::I64, false, weft::Val::i64(-5)};
  weft::Instance instance{store, module, {add, fail, counter, limit}};
};

TEST(CppApi, HostFunctionsGlobalsMemoryAndTable) {
  CallsModule m;
  std::vector<weft::Val> sum = m.instance.func("add_through_host").call({weft::Val::i32(40), weft::Val::i32(2)});
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(sum[0].kind(), weft::ValKind::I32);
  EXPECT_EQ(sum[0].i32(), 42);
  EXPECT_EQ(m.adds, 1);
  EXPECT_EQ(m.counter.get().i32(), 1);
  EXPECT_EQ(m.instance.func("limit").call()[0].i64(), -5);

  weft::Global scale = m.instance.global("scale");
  scale.set(weft::Val::f64(4.0));
  EXPECT_EQ(m.instance.func("scaled").call({weft::Val::f64(2.5)})[0].f64(), 10.0);

  weft::Memory memory = m.instance.memory("memory");
  EXPECT_EQ(memory.pages(), 1u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(memory.data()) + 16, 4), "weft");
  EXPECT_TRUE(memory.grow(1));
  EXPECT_FALSE(memory.grow(5));
  EXPECT_EQ(memory.byteLength(), 2u * 65536);

  weft::Table table = m.instance.table("table");
  EXPECT_EQ(table.size(), 2u);
  std::optional<weft::Func> twice = table.func(0);
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(twice->call({weft::Val::i32(21)})[0].i32(), 42);
  EXPECT_FALSE(table.func(1).has_value());
  EXPECT_TRUE(table.set(1, m.instance.func("twice")));
  EXPECT_EQ(m.instance.func("call_slot").call({weft::Val::i32(1), weft::Val::i32(8)})[0].i32(), 16);
  EXPECT_THROW(m.instance.func("no_such_export"), weft::Error);
}

TEST(CppApi, TrapsCarryTheirMessageAndTrace) {
  CallsModule m;
  try {
    m.instance.func("divide").call({weft::Val::i32(0)});
    FAIL() << "no trap";
  } catch (const weft::Trap& trap) {
    EXPECT_EQ(trap.message(), "unreachable");
    ASSERT_EQ(trap.trace().size(), 2u);
    EXPECT_EQ(trap.trace()[0].functionIndex, 5u);
    EXPECT_EQ(trap.trace()[1].functionIndex, 6u);
    EXPECT_GT(trap.trace()[0].moduleOffset, trap.trace()[0].functionOffset);
    EXPECT_FALSE(trap.isInterrupt());
  }
  try {
    m.instance.func("call_fail").call({weft::Val::i32(3)});
    FAIL() << "no trap";
  } catch (const weft::Trap& trap) {
    EXPECT_EQ(trap.message(), "refused 3");
  }
  // Arguments that do not fit are a trap too, never a crash.
  EXPECT_THROW(m.instance.func("divide").call({weft::Val::f64(1.0)}), weft::Trap);
}

TEST(CppApi, BadModulesAndImportsAreErrors) {
  weft::Engine engine;
  weft::Store store(engine);
  try {
    weft::Module module(store, {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 0xff});
    FAIL() << "compiled";
  } catch (const weft::Error& error) {
    EXPECT_NE(std::string(error.what()).find("0x"), std::string::npos) << error.what();
  }
  weft::Module calls(store, wasmFile("capi_calls"));
  EXPECT_THROW(weft::Instance(store, calls, {}), weft::Error);
  weft::Module startTrap(store, wasmFile("capi_start_trap"));
  try {
    weft::Instance instance(store, startTrap);
    FAIL() << "instantiated";
  } catch (const weft::Trap& trap) {
    EXPECT_EQ(trap.message(), "integer divide by zero");
  }
  std::vector<weft::ImportType> imports = calls.imports();
  ASSERT_EQ(imports.size(), 4u);
  EXPECT_EQ(imports[0].module, "host");
  EXPECT_EQ(imports[0].name, "add");
  EXPECT_EQ(imports[2].kind, weft::ExternKind::Global);
  EXPECT_EQ(calls.exports().size(), 13u);
}

TEST(CppApi, SerializeFuelAndInterruption) {
  weft::Engine engine(weft::Config().tier(weft::Tier::Baseline).memoryStrategy(weft::MemoryStrategy::BoundsChecked).consumeFuel(500));
  weft::Store store(engine);
  weft::Module compiled(store, wasmFile("capi_loop"));
  std::vector<uint8_t> bytes = compiled.serialize();
  weft::Module module = weft::Module::deserialize(store, bytes);
  weft::Instance instance(store, module);
  EXPECT_EQ(instance.fuel(), 500u);
  EXPECT_EQ(instance.func("spin").call({weft::Val::i32(5)})[0].i32(), 5);
  try {
    instance.func("spin").call({weft::Val::i32(100000)});
    FAIL() << "ran on without fuel";
  } catch (const weft::Trap& trap) {
    EXPECT_TRUE(trap.isOutOfFuel());
  }
  instance.setFuel(1u << 30);
  engine.interrupt();
  try {
    instance.func("spin").call({weft::Val::i32(10)});
    FAIL() << "not interrupted";
  } catch (const weft::Trap& trap) {
    EXPECT_TRUE(trap.isInterrupt());
  }
  engine.clearInterrupt();
  EXPECT_EQ(instance.func("spin").call({weft::Val::i32(10)})[0].i32(), 10);
  weft::MemoryReport report = engine.memoryReport();
  EXPECT_EQ(report.modules, 2u);  // the compiled one and the one mapped from its bytes
  EXPECT_EQ(report.instances, 1u);
}

}  // namespace
