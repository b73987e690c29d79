// The code cache: a compiled module written to a file and mapped back, by this
// process or another, without relocation; damaged or mismatched files refused.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "runtime/code_cache.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

namespace fs = std::filesystem;

class CodeCache : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "weft-cache-test-XXXXXX").string();
    ASSERT_TRUE(mkdtemp(pattern.data()));
    dir_ = pattern;
    module_ = compileTestModule(engine_, "traps");
    ASSERT_TRUE(module_);
    path_ = (dir_ / "traps.cwasm").string();
    ASSERT_TRUE(module_->serialize(path_));
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::vector<uint8_t> readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void writeAll(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  // Rewrites a header field and fixes the header checksum, so that only the
  // check under test can fail.
  template <typename Edit>
  std::string withHeader(Edit edit) {
    std::vector<uint8_t> bytes = readAll(path_);
    CodeCacheHeader header;
    std::memcpy(&header, bytes.data(), sizeof header);
    edit(header);
    header.headerChecksum = codeCacheHeaderChecksum(header);
    std::memcpy(bytes.data(), &header, sizeof header);
    std::string edited = (dir_ / "edited.cwasm").string();
    writeAll(edited, bytes);
    return edited;
  }
  std::string refusal(const std::string& path, const std::shared_ptr<Engine>& engine = nullptr) {
    Result<std::shared_ptr<const Module>> loaded = Module::deserialize(engine ? engine : engine_, path);
    if (loaded) return "";
    return loaded.error().message;
  }

  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1));
  fs::path dir_;
  std::shared_ptr<const Module> module_;
  std::string path_;
};

TEST_F(CodeCache, ALoadedModuleRunsTheSameCodeWithoutRecompiling) {
  Result<std::shared_ptr<const Module>> loaded = Module::deserialize(engine_, path_);
  ASSERT_TRUE(loaded) << loaded.error().message;
  const CodeMemory& original = module_->code().memory();
  const CodeMemory& mapped = loaded.value()->code().memory();
  ASSERT_EQ(original.size(), mapped.size());
  EXPECT_NE(original.data(), mapped.data());
  EXPECT_EQ(std::memcmp(original.data(), mapped.data(), original.size()), 0) << "no relocation: identical bytes";

  auto instance = instantiateOk(loaded.value());
  ASSERT_TRUE(instance);
  EXPECT_EQ(call(exported(instance, "divide"), std::vector{Value::i32(42), Value::i32(6)}).results.at(0),
            Value::i32(7));
  CallOutcome trap = call(exported(instance, "outer"), std::vector{Value::i32(0)});
  ASSERT_TRUE(trap.trap);
  ASSERT_EQ(trap.trap->backtrace.size(), 3u);
  EXPECT_EQ(trap.trap->backtrace[0].functionName, "divide");
  CallOutcome fresh = call(exported(instantiateOk(module_), "outer"), std::vector{Value::i32(0)});
  ASSERT_TRUE(fresh.trap);
  EXPECT_EQ(trap.trap->backtrace[0].bytecodeOffset, fresh.trap->backtrace[0].bytecodeOffset);
  CallOutcome fault = call(exported(instance, "load"), std::vector{Value::i32(kPageSize)});
  ASSERT_TRUE(fault.trap);
  EXPECT_EQ(fault.trap->kind, TrapKind::MemoryOutOfBounds) << "trap sites survive the round trip";
}

TEST_F(CodeCache, TheCodeIsMappedFromTheFileReadAndExecute) {
  Result<std::shared_ptr<const Module>> loaded = Module::deserialize(engine_, path_);
  ASSERT_TRUE(loaded);
  auto address = reinterpret_cast<uintptr_t>(loaded.value()->code().memory().data());
  std::ifstream maps("/proc/self/maps");
  std::string line, found;
  while (std::getline(maps, line)) {
    uintptr_t start = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &start, &end) == 2 && address >= start && address < end) found = line;
  }
  EXPECT_NE(found.find("r-xp"), std::string::npos) << found;
  EXPECT_NE(found.find("traps.cwasm"), std::string::npos) << "backed by the file, not a copy: " << found;
}

TEST_F(CodeCache, DamagedFilesAreRefused) {
  std::vector<uint8_t> good = readAll(path_);
  std::string damaged = (dir_ / "damaged.cwasm").string();
  for (size_t length : {size_t{0}, size_t{7}, sizeof(CodeCacheHeader) - 1, sizeof(CodeCacheHeader) + 10,
                        good.size() / 2, good.size() - 1}) {
    writeAll(damaged, {good.begin(), good.begin() + static_cast<long>(length)});
    EXPECT_NE(refusal(damaged), "") << "truncated to " << length;
  }
  CodeCacheHeader header;
  std::memcpy(&header, good.data(), sizeof header);
  for (uint64_t at : {uint64_t{3}, uint64_t{20}, header.bytecodeOffset + 9, header.functionsOffset + 5,
                      header.codeOffset + 1, header.fileSize - 1}) {
    std::vector<uint8_t> flipped = good;
    flipped[at] ^= 0x10;
    writeAll(damaged, flipped);
    EXPECT_NE(refusal(damaged), "") << "bit flipped at " << at;
  }
  writeAll(damaged, good);
  EXPECT_EQ(refusal(damaged), "") << "the untouched copy still loads";
}

TEST_F(CodeCache, MismatchesAreRefusedWithTheReason) {
  EXPECT_NE(refusal(withHeader([](CodeCacheHeader& h) { h.version += 1; })).find("version"), std::string::npos);
  EXPECT_NE(refusal(withHeader([](CodeCacheHeader& h) { h.cpuFeatures |= uint64_t{1} << 40; })).find("CPU features"),
            std::string::npos);
  EXPECT_NE(refusal(withHeader([](CodeCacheHeader& h) { std::strcpy(h.buildId, "some-other-build"); }))
                .find("another Weft build"),
            std::string::npos);
  auto boundsChecked = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::BoundsChecked, 1));
  EXPECT_NE(refusal(path_, boundsChecked).find("compiled for guard memories"), std::string::npos);
  std::string notACache = (dir_ / "plain.wasm").string();
  writeAll(notACache, std::vector<uint8_t>(4096, 0));
  EXPECT_NE(refusal(notACache).find("not a Weft code-cache file"), std::string::npos);
}

TEST_F(CodeCache, WritersRacingOnOnePathLeaveAValidFile) {
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i)
    writers.emplace_back([&] {
      for (int round = 0; round < 10; ++round) EXPECT_TRUE(module_->serialize(path_));
    });
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(refusal(path_), "");
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << "left behind: " << entry.path();
}

// EngineConfig::cacheDirectory: the first compile fills it, the next maps it.
TEST_F(CodeCache, AnEngineWithACacheDirectoryCompilesOnce) {
  EngineConfig config = EngineConfig::with(MemoryStrategy::Guard, 1);
  config.cacheDirectory = (dir_ / "engine-cache").string();
  auto first = std::make_shared<Engine>(config);
  auto compiled = compileTestModule(first, "counter");
  ASSERT_TRUE(compiled);
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(config.cacheDirectory)) files += entry.path().extension() == ".cwasm";
  ASSERT_EQ(files, 1u);
  auto second = std::make_shared<Engine>(config);
  auto cached = compileTestModule(second, "counter");
  ASSERT_TRUE(cached);
  auto address = reinterpret_cast<uintptr_t>(cached->code().memory().data());
  std::ifstream maps("/proc/self/maps");
  std::string line, found;
  while (std::getline(maps, line)) {
    uintptr_t start = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &start, &end) == 2 && address >= start && address < end) found = line;
  }
  EXPECT_NE(found.find("engine-cache"), std::string::npos) << "mapped from the cache, not compiled: " << found;
  auto instance = instantiateOk(cached);
  ASSERT_TRUE(instance);
  EXPECT_EQ(call(exported(instance, "bump"), {}).results.at(0), Value::i32(1001));
}

// Two processes that map one cache file share the code's physical pages.
TEST_F(CodeCache, TwoProcessesShareTheCodePages) {
  auto child = [&](int ready) {
    auto engine = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1));
    Result<std::shared_ptr<const Module>> loaded = Module::deserialize(engine, path_);
    if (!loaded) _exit(2);
    InstantiateOutcome made = Instance::create(loaded.value(), {});
    if (!made.ok()) _exit(3);
    // Touch the code: run every function once.
    call(*made.instance->exportedFunction("divide"), std::vector{Value::i32(1), Value::i32(1)});
    call(*made.instance->exportedFunction("recurse"), std::vector{Value::i64(0)});
    char byte = 1;
    if (write(ready, &byte, 1) != 1) _exit(4);
    pause();
    _exit(0);
  };
  pid_t pids[2];
  for (pid_t& pid : pids) {
    int pipeFds[2];
    ASSERT_EQ(pipe(pipeFds), 0);
    pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(pipeFds[0]);
      child(pipeFds[1]);
    }
    close(pipeFds[1]);
    char byte = 0;
    ASSERT_EQ(read(pipeFds[0], &byte, 1), 1) << "child did not load the module";
    close(pipeFds[0]);
  }
  for (pid_t pid : pids) {
    std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
    std::string line;
    bool inCode = false;
    long sharedClean = -1;
    while (std::getline(smaps, line)) {
      unsigned long start = 0, end = 0;
      if (std::sscanf(line.c_str(), "%lx-%lx ", &start, &end) == 2)  // a mapping's header line
        inCode = line.find(" r-xp ") != std::string::npos && line.find("traps.cwasm") != std::string::npos;
      else if (inCode && line.rfind("Shared_Clean:", 0) == 0)
        sharedClean = std::stol(line.substr(13));
    }
    EXPECT_GT(sharedClean, 0) << "pid " << pid << ": the code mapping's pages are not shared";
    std::printf("[ figures ] pid %d: code mapping Shared_Clean %ld kB\n", pid, sharedClean);
  }
  for (pid_t pid : pids) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

}  // namespace
}  // namespace weft::test
