#include "cli/load_module.h"

#include <cstdio>
#include <cstring>

#include "cli/commands.h"
#include "runtime/code_cache.h"

namespace weft::cli {

std::string describeModuleError(const std::string& file, const Error& error) {
  char offset[32];
  std::snprintf(offset, sizeof offset, ":0x%llx: ", static_cast<unsigned long long>(error.offset));
  std::string where;
  if (error.functionIndex) where = "in function " + std::to_string(*error.functionIndex) + ": ";
  else if (error.section) where = "in section " + std::to_string(*error.section) + ": ";
  return file + offset + errorKindName(error.kind) + ": " + where + error.message;
}

std::optional<LoadedModule> loadModule(const std::string& file, EngineConfig config, bool strategyGiven,
                                       bool tierGiven) {
  LoadedModule loaded;
  std::optional<CodeCacheHeader> header = peekCodeCacheHeader(file);
  std::optional<std::vector<uint8_t>> bytes;
  if (!header) {
    bytes = readFile(file);
    if (!bytes) return std::nullopt;
  }
  // A file with the cache magic that peeking refused (a symlink, say) still
  // goes to deserialize, which says why it is not trusted.
  bool cacheFile = header || (bytes->size() >= 8 && std::memcmp(bytes->data(), kCodeCacheMagic, 8) == 0);
  if (header && !strategyGiven && header->memoryStrategy <= static_cast<uint8_t>(MemoryStrategy::BoundsChecked))
    config.memoryStrategy = static_cast<MemoryStrategy>(header->memoryStrategy);  // checked again on load
  if (header && !tierGiven && header->tier <= static_cast<uint8_t>(Tier::Optimizing))
    config.tier = static_cast<Tier>(header->tier);  // a cache file runs the tier it holds
  loaded.engine = std::make_shared<Engine>(config);
  Result<std::shared_ptr<const Module>> module =
      cacheFile ? Module::deserialize(loaded.engine, file) : Module::compile(loaded.engine, *bytes);
  if (!module) {
    if (cacheFile)
      std::fprintf(stderr, "%s: error: %s: %s\n", file.c_str(), errorKindName(module.error().kind),
                   module.error().message.c_str());
    else
      std::fprintf(stderr, "%s\n", describeModuleError(file, module.error()).c_str());
    return std::nullopt;
  }
  loaded.module = std::move(module.value());
  return loaded;
}

}  // namespace weft::cli
