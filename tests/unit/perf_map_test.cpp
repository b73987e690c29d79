// The perf map (runtime/perf_map.h): each code image once, however many
// instances run it, with the tier-up's optimized image added as it is mapped.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "runtime/background_compile.h"
#include "runtime/perf_map.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

// The map's lines whose start lies in [begin, end): start -> name.
std::map<uintptr_t, std::string> linesWithin(const uint8_t* begin, size_t size) {
  std::ifstream map("/tmp/perf-" + std::to_string(getpid()) + ".map");
  std::map<uintptr_t, std::string> found;
  for (std::string line; std::getline(map, line);) {
    std::istringstream fields(line);
    uintptr_t start = 0, length = 0;
    fields >> std::hex >> start >> length;
    std::string name;
    std::getline(fields >> std::ws, name);
    if (start >= reinterpret_cast<uintptr_t>(begin) && start < reinterpret_cast<uintptr_t>(begin) + size) {
      EXPECT_EQ(found.count(start), 0u) << "written twice: " << line;
      EXPECT_GT(length, 0u) << line;
      found[start] = name;
    }
  }
  return found;
}

TEST(PerfMap, EachImageOnceAndTheTierUpsToo) {
  EngineConfig config = EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Tiered);
  config.perfMap = true;
  auto engine = std::make_shared<Engine>(config);
  ASSERT_TRUE(perf_map::enabled());
  auto module = compileTestModule(engine, "counter");
  ASSERT_TRUE(module);
  std::vector<std::shared_ptr<Instance>> instances;
  for (int i = 0; i < 3; ++i) instances.push_back(instantiateOk(module, {}));
  const CodeMemory& baseline = module->code().memory();
  std::map<uintptr_t, std::string> lines = linesWithin(baseline.data(), baseline.size());
  ASSERT_EQ(lines.size(), module->code().functions().size()) << "one line per function of the image";
  bool named = false;
  for (const auto& [start, name] : lines) {
    EXPECT_NE(name.find("wasm function"), std::string::npos) << name;
    EXPECT_EQ(name.find("(optimized)"), std::string::npos) << "baseline code: " << name;
    named = named || name.find("bump [wasm function") != std::string::npos;
  }
  EXPECT_TRUE(named) << "the export's name is used";
  ASSERT_TRUE(module->tierUp());
  module->tierUp()->wait();
  // The optimized code is a new image: its lines are marked as such.
  std::ifstream map("/tmp/perf-" + std::to_string(getpid()) + ".map");
  std::string text((std::istreambuf_iterator<char>(map)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("bump [wasm function"), text.rfind("bump [wasm function")) << "no optimized image: " << text;
  EXPECT_NE(text.find("(optimized)"), std::string::npos) << text;
  EXPECT_NE(text.find("weft runtime stubs"), std::string::npos);
  std::remove(("/tmp/perf-" + std::to_string(getpid()) + ".map").c_str());  // the process writes on, unlinked
}

}  // namespace
}  // namespace weft::test
