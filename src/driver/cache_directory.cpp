// The engine's cache directory (see cache_directory.h): look up, compile on a
// miss, store, and turn every problem into one warning.
#include "driver/cache_directory.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "driver/compile_driver.h"
#include "runtime/cache_trust.h"
#include "runtime/code_cache.h"

namespace weft {

namespace {

// The file name for {bytes}: its hash and size, the engine build, the memory
// strategy and the tier of its code (what a file must match to be usable at
// all). The tiered policy keeps its optimized code, under the optimizing
// tier's name.
std::string cacheFileName(const Engine& engine, std::span<const uint8_t> bytes) {
  Tier tier = engine.config().tier == Tier::Tiered ? Tier::Optimizing : engine.config().tier;
  char key[128];
  std::snprintf(key, sizeof key, "%016llx-%08zx-%016llx-%s-%s%s.cwasm",
                static_cast<unsigned long long>(checksum64(bytes.data(), bytes.size())), bytes.size(),
                static_cast<unsigned long long>(
                    checksum64(reinterpret_cast<const uint8_t*>(engineBuildId()), std::strlen(engineBuildId()))),
                memoryStrategyName(engine.config().memoryStrategy), tierName(tier),
                engine.config().consumeFuel ? "-fuel" : "");
  return key;
}

// Opens the cache directory, creating it (0700: nobody else may add files)
// when missing. Its last component must not be a symlink (cache_trust.h).
Result<FileDescriptor> openCacheDirectory(const std::string& path) {
  Result<std::optional<FileDescriptor>> opened = openTrustedDirectory(path, DirectorySymlink::Refuse);
  if (opened && !opened.value()) {
    // EEXIST: another process created it meanwhile; it is checked below like any other.
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      Error error;
      error.kind = ErrorKind::LimitExceeded;
      error.message = "directory " + path + ": cannot create: " + std::strerror(errno);
      return error;
    }
    opened = openTrustedDirectory(path, DirectorySymlink::Refuse);
  }
  if (!opened) return opened.error();
  if (!opened.value()) {
    Error error;
    error.message = "directory " + path + ": disappeared after it was created";
    return error;
  }
  return std::move(*opened.value());
}

}  // namespace

Result<std::shared_ptr<const Module>> compileThroughCacheDirectory(std::shared_ptr<Engine> engine,
                                                                   std::span<const uint8_t> bytes) {
  // "dir/" would resolve a symlink at "dir" even with O_NOFOLLOW: drop the slashes.
  std::string directoryPath = engine->config().cacheDirectory;
  while (directoryPath.size() > 1 && directoryPath.back() == '/') directoryPath.pop_back();
  Result<FileDescriptor> directory = openCacheDirectory(directoryPath);
  if (!directory) {
    // Nothing is read from or written to a directory that cannot be trusted.
    engine->warn("code cache not used: " + directory.error().message);
    return Module::compileUncached(engine, bytes);
  }
  std::string name = cacheFileName(*engine, bytes);
  std::string shownPath = directoryPath + "/" + name;

  // At most one warning, however many steps go wrong.
  std::string refused, unstored;
  Result<std::optional<TrustedFile>> file = openTrustedFile(directory.value().get(), name, shownPath);
  if (!file) {
    refused = file.error().message;
  } else if (file.value()) {
    Result<std::shared_ptr<const Module>> cached = CodeCacheAccess::load(engine, *file.value(), shownPath);
    if (cached && std::equal(bytes.begin(), bytes.end(), cached.value()->bytes().begin(),
                             cached.value()->bytes().end()))
      return cached;
    refused = cached ? shownPath + ": holds another module with the same key" : cached.error().message;
  }
  if (engine->config().tier == Tier::Tiered) {
    // Nothing worth storing yet: the optimized image once the tier-up has
    // completed, from the tier-up's thread (a failure then is a warning too).
    auto keptDirectory = std::make_shared<FileDescriptor>(std::move(directory.value()));
    auto tier = tierCompiler(Tier::Optimizing);
    EngineConfig config = engine->config();
    auto whenTieredUp = [keptDirectory, name, shownPath, tier, config](const ModuleData& module,
                                                                         const std::vector<uint32_t>& indices,
                                                                         const std::vector<CompiledFunction>& functions) {
      Result<std::unique_ptr<ModuleCode>> image = ModuleCode::link(module.info, indices, functions, config.onLowMemory);
      Status stored = image ? CodeCacheAccess::storeImage(module, *image.value(), tier->tier(), tier->cpuFeatures(),
                                                          keptDirectory->get(), name, shownPath)
                            : Status(image.error());
      if (!stored) warnThrough(config, "code cache: cannot store the optimized module: " + stored.error().message);
    };
    Result<std::shared_ptr<const Module>> compiled = compileModule(engine, bytes, std::move(whenTieredUp));
    if (!refused.empty()) engine->warn("code cache file refused: " + refused + " (compiled instead)");
    return compiled;
  }
  Result<std::shared_ptr<const Module>> compiled = Module::compileUncached(engine, bytes);
  if (compiled) {
    // The directory is trusted, so whatever sits at {name} is ours to replace.
    Status stored = CodeCacheAccess::store(*compiled.value(), directory.value().get(), name, shownPath);
    if (!stored) unstored = stored.error().message;
  }
  std::string warning;
  if (!refused.empty()) warning = "code cache file refused: " + refused + " (compiled instead)";
  if (!unstored.empty())
    warning += (warning.empty() ? "code cache: " : "; ") + std::string("cannot store the compiled module: ") + unstored;
  if (!warning.empty()) engine->warn(warning);
  return compiled;
}

}  // namespace weft
