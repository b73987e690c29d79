// The code-cache file format (DESIGN 3: code bytes in memory equal the bytes
// in the file, so loading is map + verify + protect, with no relocation).
//
//   header     magic, format version, engine build id, the CPU features the
//              code assumes, memory strategy, tier, the bytecode's hash, the
//              section offsets, a checksum of everything after the header
//              and one of the header itself
//   bytecode   the original module (decoded again on load: metadata, data
//              segments, names for traces)
//   functions  per defined function: code range and site table
//   code       page-aligned, mapped read+execute straight from the file
#pragma once

#include <cstdint>

namespace weft {

// Features the baseline tier's code uses; a file whose code needs one the CPU
// lacks is refused (and compiling refuses too).
enum CpuFeature : uint64_t {
  kCpuSse41 = 1 << 0,
  kCpuSse42 = 1 << 1,
  kCpuPopcnt = 1 << 2,
  kCpuLzcnt = 1 << 3,
  kCpuBmi1 = 1 << 4,
};
constexpr uint64_t kBaselineCpuFeatures = kCpuSse41 | kCpuSse42 | kCpuPopcnt | kCpuLzcnt | kCpuBmi1;
uint64_t hostCpuFeatures();

// The engine's build id (cmake/build_id.cmake): files from other builds are refused.
const char* engineBuildId();

constexpr char kCodeCacheMagic[8] = {'W', 'E', 'F', 'T', 'C', 'O', 'D', 'E'};
constexpr uint32_t kCodeCacheVersion = 1;

struct CodeCacheHeader {
  char magic[8];
  uint32_t version;
  uint32_t headerSize;
  char buildId[96];
  uint64_t cpuFeatures;
  uint8_t memoryStrategy;
  uint8_t tier;
  uint8_t padding[6];
  uint64_t bytecodeHash;
  uint64_t bytecodeOffset, bytecodeSize;
  uint64_t functionsOffset, functionsSize;
  uint64_t codeOffset, codeSize;
  uint64_t fileSize;
  uint64_t contentChecksum;  // checksum64 over [headerSize, fileSize)
  uint64_t headerChecksum;   // checksum64 over the header up to this field
};

// A fast checksum for whole files (8 bytes per step; every step is a bijection
// of the running value, so any single changed word changes the result).
// Streams: checksum64(b, nb, checksum64(a, na)) == checksum64(a ++ b) when na % 8 == 0.
uint64_t checksum64(const uint8_t* data, uint64_t size, uint64_t seed = 0x9e3779b97f4a7c15ull);

// The value CodeCacheHeader::headerChecksum must hold.
uint64_t codeCacheHeaderChecksum(const CodeCacheHeader& header);

}  // namespace weft
