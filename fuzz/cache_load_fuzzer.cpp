// libFuzzer target for the code-cache loader (Module::deserialize). Random
// bytes would all stop at the checksums, so the fuzzer first repairs what a
// damaged-but-plausible file would have right: magic, version, build id, CPU
// features, strategy, tier and every checksum. The layout checks, the bytecode
// decoder and the function-table reader then see arbitrary input. Loading may
// succeed or fail; it must never crash. (Loaded code is never run: a file that
// passes every check is trusted, like any compiled code.)
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/code_cache.h"
#include "runtime/module.h"

using namespace weft;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto engine = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline));
  std::vector<uint8_t> file(data, data + size);
  if (file.size() >= sizeof(CodeCacheHeader) && (size % 4) != 0) {  // leave a quarter of inputs unrepaired
    CodeCacheHeader header;
    std::memcpy(&header, file.data(), sizeof header);
    std::memcpy(header.magic, kCodeCacheMagic, 8);
    header.version = kCodeCacheVersion;
    header.headerSize = sizeof(CodeCacheHeader);
    std::memset(header.buildId, 0, sizeof header.buildId);
    std::strncpy(header.buildId, engineBuildId(), sizeof header.buildId - 1);
    header.cpuFeatures &= hostCpuFeatures();
    header.memoryStrategy = static_cast<uint8_t>(MemoryStrategy::Guard);
    header.tier = 0;
    if (header.bytecodeOffset <= file.size() && header.bytecodeSize <= file.size() - header.bytecodeOffset)
      header.bytecodeHash = checksum64(file.data() + header.bytecodeOffset, header.bytecodeSize);
    header.contentChecksum = checksum64(file.data() + sizeof header, file.size() - sizeof header);
    header.headerChecksum = codeCacheHeaderChecksum(header);
    std::memcpy(file.data(), &header, sizeof header);
  }
  // A private 0600 file in a private directory: the loader's trust rule
  // (cache_trust.h) refuses symlinks such as /proc/self/fd/N and files others
  // may write, so a memfd would never reach the parsers.
  static const std::string directory = [] {
    char pattern[] = "/tmp/weft-cache-fuzz.XXXXXX";
    const char* made = mkdtemp(pattern);
    return std::string(made ? made : "/tmp");
  }();
  std::string path = directory + "/input.cwasm";
  unlink(path.c_str());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  bool written = file.empty() || write(fd, file.data(), file.size()) == static_cast<ssize_t>(file.size());
  close(fd);
  if (!written) return 0;
  Result<std::shared_ptr<const Module>> loaded = Module::deserialize(engine, path);
  (void)loaded;
  return 0;
}
