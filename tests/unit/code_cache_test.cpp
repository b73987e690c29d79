// The code cache: a compiled module written to a file and mapped back, by this
// process or another, without relocation; damaged or mismatched files refused;
// files and directories that anyone but you or root could have written
// refused (DESIGN 11), as one warning when an engine's cache directory is
// involved.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "runtime/cache_trust.h"
#include "runtime/code_cache.h"
#include "runtime/background_compile.h"
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
  // Mode 0644 whatever the umask: only the mode under test may make a file untrusted.
  void writeAll(const std::string& path, const std::vector<uint8_t>& bytes) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    chmod(path.c_str(), 0644);
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

  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline));
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

// Optimized code round-trips too: its tier is recorded and required, its
// constants travel inside the code, its line-table sites and vmctx slots
// give the same traps and backtraces after mapping.
TEST_F(CodeCache, OptimizedCodeRoundTripsWithItsTierSitesAndFrames) {
  EngineConfig config = EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline);
  config.tier = Tier::Optimizing;
  auto optimizing = std::make_shared<Engine>(config);
  auto module = compileTestModule(optimizing, "traps");
  ASSERT_TRUE(module);
  std::string path = (dir_ / "traps-optimized.cwasm").string();
  ASSERT_TRUE(module->serialize(path));
  EXPECT_NE(refusal(path), "") << "a baseline engine must refuse optimized code";
  Result<std::shared_ptr<const Module>> loaded = Module::deserialize(optimizing, path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded.value()->data()->tier, Tier::Optimizing);
  const CodeMemory& original = module->code().memory();
  const CodeMemory& mapped = loaded.value()->code().memory();
  ASSERT_EQ(original.size(), mapped.size());
  EXPECT_EQ(std::memcmp(original.data(), mapped.data(), original.size()), 0) << "no relocation: identical bytes";
  auto instance = instantiateOk(loaded.value());
  auto fresh = instantiateOk(module);
  ASSERT_TRUE(instance && fresh);
  EXPECT_EQ(call(exported(instance, "divide"), std::vector{Value::i32(42), Value::i32(6)}).results.at(0),
            Value::i32(7));
  for (auto [name, argument] : {std::pair{"outer", Value::i32(0)}, std::pair{"load", Value::i32(kPageSize)}}) {
    CallOutcome got = call(exported(instance, name), std::vector{argument});
    CallOutcome want = call(exported(fresh, name), std::vector{argument});
    ASSERT_TRUE(got.trap && want.trap) << name;
    EXPECT_EQ(got.trap->kind, want.trap->kind) << name;
    ASSERT_EQ(got.trap->backtrace.size(), want.trap->backtrace.size()) << name;
    for (size_t i = 0; i < got.trap->backtrace.size(); ++i) {
      EXPECT_EQ(got.trap->backtrace[i].bytecodeOffset, want.trap->backtrace[i].bytecodeOffset) << name << " " << i;
      EXPECT_EQ(got.trap->backtrace[i].instance, instance.get()) << name << " " << i;
    }
  }
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
  auto boundsChecked = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::BoundsChecked, 1, Tier::Baseline));
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
  EngineConfig config = EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline);
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

// The tiered policy with a cache directory: nothing is stored until the
// tier-up completes; then the optimized image is, and the next engine starts
// in optimized code (no tier-up), from the file.
TEST_F(CodeCache, TheTieredPolicyStoresItsOptimizedCodeOnceTieredUp) {
  EngineConfig config = EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Tiered);
  config.cacheDirectory = (dir_ / "tiered-cache").string();
  std::vector<std::string> warnings;
  config.onWarning = [&](const std::string& message) { warnings.push_back(message); };
  auto cacheFiles = [&] {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(config.cacheDirectory))
      if (entry.path().extension() == ".cwasm") names.push_back(entry.path().filename().string());
    return names;
  };
  {
    auto first = std::make_shared<Engine>(config);
    auto compiled = compileTestModule(first, "counter");
    ASSERT_TRUE(compiled);
    EXPECT_EQ(compiled->data()->tier, Tier::Baseline);
    ASSERT_TRUE(compiled->tierUp());
    ASSERT_EQ(compiled->tierUp()->wait(), BackgroundCompile::State::Installed);
  }
  std::vector<std::string> files = cacheFiles();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find("-optimizing.cwasm"), std::string::npos) << files[0];
  std::optional<CodeCacheHeader> header = peekCodeCacheHeader((fs::path(config.cacheDirectory) / files[0]).string());
  ASSERT_TRUE(header);
  EXPECT_EQ(header->tier, static_cast<uint8_t>(Tier::Optimizing));

  auto second = std::make_shared<Engine>(config);
  auto cached = compileTestModule(second, "counter");
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->data()->tier, Tier::Optimizing);
  EXPECT_FALSE(cached->tierUp()) << "optimized code from the file needs no tier-up";
  auto instance = instantiateOk(cached);
  ASSERT_TRUE(instance);
  EXPECT_EQ(call(exported(instance, "bump"), {}).results.at(0), Value::i32(1001));
  // The same file serves an engine that compiles with the optimizing tier.
  EngineConfig optimizing = config;
  optimizing.tier = Tier::Optimizing;
  auto third = std::make_shared<Engine>(optimizing);
  auto again = compileTestModule(third, "counter");
  ASSERT_TRUE(again);
  EXPECT_EQ(cacheFiles().size(), 1u);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
}

// Two processes that map one cache file share the code's physical pages.
TEST_F(CodeCache, TwoProcessesShareTheCodePages) {
  auto child = [&](int ready) {
    auto engine = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline));
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


// ---- Trust (DESIGN 11): who could have written the file ----

constexpr uid_t kNobody = 65534;

// The /proc/self/maps line of the mapping that holds {address}.
std::string mappingOf(const void* address) {
  auto at = reinterpret_cast<uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    uintptr_t start = 0, end = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &start, &end) == 2 && at >= start && at < end) return line;
  }
  return "";
}

mode_t modeOf(const std::string& path) {
  struct stat status {};
  EXPECT_EQ(lstat(path.c_str(), &status), 0) << path;
  return status.st_mode & 07777;
}

ino_t inodeOf(const std::string& path) {
  struct stat status {};
  EXPECT_EQ(lstat(path.c_str(), &status), 0) << path;
  return status.st_ino;
}

// An engine with a cache directory whose warnings are collected.
struct WarnedEngine {
  explicit WarnedEngine(const std::string& cacheDirectory) {
    EngineConfig config = EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline);
    config.cacheDirectory = cacheDirectory;
    config.onWarning = [warnings = warnings](const std::string& message) { warnings->push_back(message); };
    engine = std::make_shared<Engine>(config);
  }
  std::shared_ptr<std::vector<std::string>> warnings = std::make_shared<std::vector<std::string>>();
  std::shared_ptr<Engine> engine;
};

// The counter module compiled through {engine}'s cache; it must work.
void expectWorkingCounter(const std::shared_ptr<const Module>& module) {
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  EXPECT_EQ(call(exported(instance, "bump"), {}).results.at(0), Value::i32(1001));
}

class CodeCacheTrust : public CodeCache {
 protected:
  // A cache directory filled by a first engine; returns the path of its one file.
  std::string filledCacheDirectory(const std::string& directory) {
    WarnedEngine first(directory);
    EXPECT_TRUE(compileTestModule(first.engine, "counter"));
    EXPECT_TRUE(first.warnings->empty());
    for (const auto& entry : fs::directory_iterator(directory))
      if (entry.path().extension() == ".cwasm") return entry.path().string();
    ADD_FAILURE() << "the first compile left no cache file in " << directory;
    return "";
  }
  // Compiles the counter through {directory} with a fresh engine: it must
  // work, warn exactly once with {reason}, and not run code from the cache.
  void expectOneWarningAndACompile(const std::string& directory, const std::string& reason) {
    WarnedEngine second(directory);
    std::shared_ptr<const Module> module = compileTestModule(second.engine, "counter");
    expectWorkingCounter(module);
    ASSERT_EQ(second.warnings->size(), 1u) << "exactly one warning for " << directory;
    EXPECT_NE(second.warnings->front().find(reason), std::string::npos) << second.warnings->front();
    if (module) {
      EXPECT_EQ(mappingOf(module->code().memory().data()).find(".cwasm"), std::string::npos)
          << "compiled, not mapped from a refused file";
    }
  }
  static bool runningAsRoot() { return geteuid() == 0; }
};

TEST_F(CodeCacheTrust, AFileOthersOrItsGroupCanWriteIsRefusedWithTheReason) {
  ASSERT_EQ(chmod(path_.c_str(), 0446), 0);
  EXPECT_NE(refusal(path_).find("is writable by others; refusing to run code from it"), std::string::npos)
      << refusal(path_);
  ASSERT_EQ(chmod(path_.c_str(), 0464), 0);
  EXPECT_NE(refusal(path_).find("is writable by its group; refusing to run code from it"), std::string::npos)
      << refusal(path_);
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  EXPECT_EQ(refusal(path_), "") << "writable by its owner only: trusted";
}

TEST_F(CodeCacheTrust, AFileOwnedByAnotherUserIsRefused) {
  if (!runningAsRoot()) GTEST_SKIP() << "giving a file to another user needs root";
  ASSERT_EQ(chown(path_.c_str(), kNobody, kNobody), 0);
  EXPECT_NE(refusal(path_).find("is owned by uid 65534, not by you or root"), std::string::npos) << refusal(path_);
}

TEST_F(CodeCacheTrust, ASymlinkIsRefusedNotFollowed) {
  std::string link = (dir_ / "link.cwasm").string();
  ASSERT_EQ(symlink(path_.c_str(), link.c_str()), 0);
  EXPECT_NE(refusal(link).find("is a symlink"), std::string::npos) << refusal(link);
  EXPECT_EQ(refusal(path_), "") << "its target, named directly, loads";
}

TEST_F(CodeCacheTrust, ADirectoryOthersCanWriteMakesItsFilesUntrusted) {
  ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);
  EXPECT_NE(refusal(path_).find("is writable by others"), std::string::npos) << refusal(path_);
  ASSERT_EQ(chmod(dir_.c_str(), 0770), 0);
  EXPECT_NE(refusal(path_).find("is writable by its group"), std::string::npos) << refusal(path_);
  // Sticky, as /tmp: others may add files but not rename or remove yours.
  ASSERT_EQ(chmod(dir_.c_str(), 01777), 0);
  EXPECT_EQ(refusal(path_), "") << "your own file in a sticky directory";
  if (runningAsRoot()) {
    std::string planted = (dir_ / "planted.cwasm").string();
    writeAll(planted, readAll(path_));
    ASSERT_EQ(chown(planted.c_str(), kNobody, kNobody), 0);
    EXPECT_NE(refusal(planted).find("is owned by uid 65534"), std::string::npos) << "another's file in it";
  }
  ASSERT_EQ(chmod(dir_.c_str(), 0700), 0);
}

// O_NONBLOCK: a FIFO would otherwise block the open until someone writes.
TEST_F(CodeCacheTrust, AFifoADeviceOrADirectoryIsRefusedWithoutBlocking) {
  std::string fifo = (dir_ / "fifo.cwasm").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::future<std::string> refused = std::async(std::launch::async, [&] { return refusal(fifo); });
  if (refused.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "deserialize blocked on a FIFO";
    int unblock = open(fifo.c_str(), O_RDWR);  // lets the blocked open return
    refused.wait();
    close(unblock);
  }
  EXPECT_NE(refused.get().find("is not a regular file"), std::string::npos);
  EXPECT_NE(refusal("/dev/null").find("is not a regular file"), std::string::npos);
  EXPECT_NE(refusal(dir_.string() + "/").find("is not a regular file"), std::string::npos);
}

TEST_F(CodeCacheTrust, PeekReadsTheHeaderOfRegularCacheFilesOnly) {
  std::optional<CodeCacheHeader> header = peekCodeCacheHeader(path_);
  ASSERT_TRUE(header);
  EXPECT_EQ(std::memcmp(header->magic, kCodeCacheMagic, 8), 0);
  EXPECT_EQ(header->memoryStrategy, static_cast<uint8_t>(MemoryStrategy::Guard));
  EXPECT_FALSE(peekCodeCacheHeader(std::string(WEFT_TEST_WASM_DIR) + "/traps.wasm")) << "a .wasm";
  EXPECT_FALSE(peekCodeCacheHeader((dir_ / "missing.cwasm").string()));
  EXPECT_FALSE(peekCodeCacheHeader(dir_.string())) << "a directory";
  std::string link = (dir_ / "link.cwasm").string();
  ASSERT_EQ(symlink(path_.c_str(), link.c_str()), 0);
  EXPECT_FALSE(peekCodeCacheHeader(link)) << "a symlink is not followed";
  std::string fifo = (dir_ / "fifo.cwasm").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::future<bool> peeked = std::async(std::launch::async, [&] { return peekCodeCacheHeader(fifo).has_value(); });
  if (peeked.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "peekCodeCacheHeader blocked on a FIFO";
    int unblock = open(fifo.c_str(), O_RDWR);
    peeked.wait();
    close(unblock);
  }
  EXPECT_FALSE(peeked.get()) << "a FIFO";
}

TEST_F(CodeCacheTrust, WrittenFilesAreReadOnlyAndACreatedCacheDirectoryIsPrivate) {
  mode_t previous = umask(0);  // a careless umask must not widen either mode
  std::string written = (dir_ / "written.cwasm").string();
  EXPECT_TRUE(module_->serialize(written));
  std::string cacheDirectory = (dir_ / "new-cache").string();
  std::string cached = filledCacheDirectory(cacheDirectory);
  umask(previous);
  EXPECT_EQ(modeOf(written), 0444u);
  EXPECT_EQ(modeOf(cacheDirectory), 0700u);
  EXPECT_EQ(modeOf(cached), 0444u);
}

// Each writer creates a new file exclusively and renames it into place, so a
// process that has mapped the old file keeps running the code it checked.
TEST_F(CodeCacheTrust, RewritingAFileNeverChangesCodeAlreadyMappedFromIt) {
  Result<std::shared_ptr<const Module>> loaded = Module::deserialize(engine_, path_);
  ASSERT_TRUE(loaded);
  const CodeMemory& code = loaded.value()->code().memory();
  std::vector<uint8_t> before(code.data(), code.data() + code.size());
  ino_t inode = inodeOf(path_);
  std::shared_ptr<const Module> other = compileTestModule(engine_, "counter");
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->serialize(path_));
  EXPECT_NE(inodeOf(path_), inode) << "a new file, not the old one rewritten";
  EXPECT_EQ(std::memcmp(before.data(), code.data(), before.size()), 0) << "the mapped code changed";
  auto instance = instantiateOk(loaded.value());
  ASSERT_TRUE(instance);
  EXPECT_EQ(call(exported(instance, "divide"), std::vector{Value::i32(42), Value::i32(6)}).results.at(0),
            Value::i32(7));
}

// Between open and the last check: a write moves mtime and ctime, and ctime
// cannot be set back, so even an edit that restores mtime is seen.
TEST_F(CodeCacheTrust, AFileChangedAfterItWasOpenedIsSeen) {
  auto [directoryPath, name] = splitDirectoryAndName(path_);
  Result<std::optional<FileDescriptor>> directory = openTrustedDirectory(directoryPath, DirectorySymlink::Follow);
  ASSERT_TRUE(directory && directory.value());
  Result<std::optional<TrustedFile>> file = openTrustedFile(directory.value()->get(), name, path_);
  ASSERT_TRUE(file && file.value());
  EXPECT_TRUE(unchangedSinceOpened(*file.value()));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const struct stat& opened = file.value()->opened;
  timespec times[2] = {opened.st_atim, opened.st_mtim};
  ASSERT_EQ(chmod(path_.c_str(), 0644), 0);
  ASSERT_EQ(chmod(path_.c_str(), opened.st_mode & 07777), 0);
  ASSERT_EQ(utimensat(AT_FDCWD, path_.c_str(), times, 0), 0);  // mode and times as they were
  EXPECT_FALSE(unchangedSinceOpened(*file.value()));
}

// The regression: temporaries were opened O_CREAT | O_TRUNC under a
// predictable name, so a symlink planted there made Weft overwrite its target.
TEST_F(CodeCacheTrust, WritingNeverFollowsOrTruncatesWhatIsPlantedAtItsNames) {
  std::string victim = (dir_ / "victim").string();
  writeAll(victim, {'k', 'e', 'e', 'p'});
  std::string target = (dir_ / "out.cwasm").string();
  // At the target itself, and at every name the old writer would have used.
  ASSERT_EQ(symlink(victim.c_str(), target.c_str()), 0);
  for (int serial = 0; serial < 64; ++serial) {
    std::string old = target + ".tmp." + std::to_string(getpid()) + "." + std::to_string(serial);
    ASSERT_EQ(symlink(victim.c_str(), old.c_str()), 0);
  }
  FileDescriptor directory(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (TemporaryKind kind : {TemporaryKind::AnonymousFirst, TemporaryKind::NamedOnly}) {
    std::vector<uint8_t> bytes(100, 0xab);
    ASSERT_TRUE(replaceFile(directory.get(), "out.cwasm", bytes, target, kind));
    EXPECT_EQ(readAll(target), bytes);
  }
  ASSERT_TRUE(module_->serialize(target));
  EXPECT_EQ(readAll(victim), (std::vector<uint8_t>{'k', 'e', 'e', 'p'})) << "the symlinks' target was written";
  EXPECT_EQ(modeOf(victim), 0644u);
  EXPECT_FALSE(fs::is_symlink(target)) << "the link itself is replaced by the new file";
  EXPECT_EQ(refusal(target), "");

  // The exclusive create under the writer: anything at the name makes it fail.
  std::string link = (dir_ / "planted-link").string(), dangling = (dir_ / "dangling").string();
  ASSERT_EQ(symlink(victim.c_str(), link.c_str()), 0);
  ASSERT_EQ(symlink((dir_ / "would-be-created").c_str(), dangling.c_str()), 0);
  EXPECT_FALSE(createExclusively(directory.get(), "planted-link", link));
  EXPECT_FALSE(createExclusively(directory.get(), "dangling", dangling));
  EXPECT_FALSE(createExclusively(directory.get(), "victim", victim));
  EXPECT_FALSE(fs::exists(dir_ / "would-be-created")) << "a dangling symlink was followed";
  EXPECT_EQ(readAll(victim), (std::vector<uint8_t>{'k', 'e', 'e', 'p'}));
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().find(".weft.tmp."), std::string::npos) << "left: " << entry.path();
}

// The regression: another user who can write a shared --cache directory
// plants a file for a module they know, and Weft ran it.
TEST_F(CodeCacheTrust, APlantedFileInADirectoryOthersCanWriteIsNeverRun) {
  std::string directory = (dir_ / "shared-cache").string();
  std::string planted = filledCacheDirectory(directory);  // valid in every way but who could write it
  ino_t inode = inodeOf(planted);
  ASSERT_EQ(chmod(directory.c_str(), 0777), 0);
  expectOneWarningAndACompile(directory, "is writable by others");
  EXPECT_EQ(inodeOf(planted), inode) << "nothing is written into an untrusted directory";
  ASSERT_EQ(chmod(directory.c_str(), 0700), 0);
}

TEST_F(CodeCacheTrust, AnUntrustedCacheFileIsOneWarningAndIsReplaced) {
  std::string directory = (dir_ / "cache").string();
  std::string planted = filledCacheDirectory(directory);
  ASSERT_EQ(chmod(planted.c_str(), 0666), 0);
  expectOneWarningAndACompile(directory, "is writable by others");
  EXPECT_EQ(modeOf(planted), 0444u) << "the directory is trusted, so the file was replaced";
  if (runningAsRoot()) {
    ASSERT_EQ(chown(planted.c_str(), kNobody, kNobody), 0);
    expectOneWarningAndACompile(directory, "is owned by uid 65534, not by you or root");
  }
  WarnedEngine third(directory);
  std::shared_ptr<const Module> module = compileTestModule(third.engine, "counter");
  expectWorkingCounter(module);
  EXPECT_TRUE(third.warnings->empty()) << third.warnings->front();
  EXPECT_NE(mappingOf(module->code().memory().data()).find(".cwasm"), std::string::npos) << "mapped again";
}

TEST_F(CodeCacheTrust, ASymlinkAtTheCacheFileIsNotFollowed) {
  std::string directory = (dir_ / "cache").string();
  std::string file = filledCacheDirectory(directory);
  std::string elsewhere = (dir_ / "elsewhere.cwasm").string();
  ASSERT_EQ(rename(file.c_str(), elsewhere.c_str()), 0);  // a valid file, reached through a link
  ASSERT_EQ(symlink(elsewhere.c_str(), file.c_str()), 0);
  std::vector<uint8_t> before = readAll(elsewhere);
  expectOneWarningAndACompile(directory, "is a symlink");
  EXPECT_EQ(readAll(elsewhere), before);
  EXPECT_FALSE(fs::is_symlink(file)) << "replaced by a file of our own";
}

TEST_F(CodeCacheTrust, AFifoAtTheCacheFileDoesNotBlockACompile) {
  std::string directory = (dir_ / "cache").string();
  std::string file = filledCacheDirectory(directory);
  ASSERT_EQ(unlink(file.c_str()), 0);
  ASSERT_EQ(mkfifo(file.c_str(), 0600), 0);
  std::future<void> compiled = std::async(std::launch::async, [&] {
    expectOneWarningAndACompile(directory, "is not a regular file");
  });
  if (compiled.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "compiling blocked on a FIFO";
    int unblock = open(file.c_str(), O_RDWR);
    compiled.wait();
    close(unblock);
  }
}

TEST_F(CodeCacheTrust, ADamagedCacheFileIsOneWarningAndIsReplaced) {
  std::string directory = (dir_ / "cache").string();
  std::string file = filledCacheDirectory(directory);
  std::vector<uint8_t> bytes = readAll(file);
  bytes.back() ^= 0x10;
  ASSERT_EQ(unlink(file.c_str()), 0);
  writeAll(file, bytes);
  expectOneWarningAndACompile(directory, "checksum");
  EXPECT_EQ(refusal(file), "") << "replaced by a good file";
}

// A cache that cannot be used costs time, never the compile: one warning each.
TEST_F(CodeCacheTrust, AnUnusableCacheDirectoryIsOneWarningNeverAFailure) {
  std::string regularFile = (dir_ / "a-file").string();
  writeAll(regularFile, {'x'});
  expectOneWarningAndACompile(regularFile, "is not a directory");
  expectOneWarningAndACompile("/dev/null/cache", "/dev/null/cache: cannot open");
  std::string dangling = (dir_ / "dangling").string();
  ASSERT_EQ(symlink((dir_ / "nowhere").c_str(), dangling.c_str()), 0);
  expectOneWarningAndACompile(dangling, "is a symlink");
  expectOneWarningAndACompile(dangling + "/", "is a symlink");
  EXPECT_FALSE(fs::exists(dir_ / "nowhere")) << "the dangling symlink was followed";
  // Trusted (root's, 0555) but not writable, even by root.
  expectOneWarningAndACompile("/proc", "cannot store");
  if (!runningAsRoot()) {
    std::string readOnly = (dir_ / "read-only").string();
    ASSERT_EQ(mkdir(readOnly.c_str(), 0500), 0);
    expectOneWarningAndACompile(readOnly, "cannot store");
  }
}

}  // namespace
}  // namespace weft::test
