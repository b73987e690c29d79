// The code-cache file format (DESIGN 3: code bytes in memory equal the bytes
// in the file, so loading is map + verify + protect, with no relocation).
//
//   header     magic, format version, engine build id, the CPU features the
//              code assumes, memory strategy, tier, the bytecode's hash, the
//              section offsets, a checksum of everything after the header
//              and one of the header itself
//   bytecode   the original module (decoded again on load: metadata, data
//              segments, names for traces)
//   functions  per defined function: code range, site kind, vmctx slot, sites
//   code       page-aligned, mapped read+execute straight from the file
//
// Trust (DESIGN 11, the rule in cache_trust.h). A file is loaded only when
// it, and the directory holding it, could have been written by nobody but the
// running user or root; the checksums detect accidents, not attacks. Loading
// reads the header, bytecode and function table into memory and checks them
// there, maps the code read+execute and checks its checksum through that
// executable mapping, then looks at the file again (fstat: same inode, size,
// mtime, ctime, mode, owner) and refuses it if it changed meanwhile.
//
// What this does not do: make the mapped code immutable. The mapping is
// MAP_PRIVATE but shares the file's page-cache pages (that is the point: one
// physical copy of the code for every process), and Linux shows a later write
// to the file in those pages. Whoever may write the file, you or root, can
// therefore still change the code an already-running process executes. The
// defence is that nobody else may write it, and that Weft itself never
// writes a cache file in place: its writers create a new file exclusively,
// mode 0444, and rename it over the old one, which leaves existing mappings
// on the old, unchanged inode.
#pragma once

#include <cstdint>

#include "abi/cpu_features.h"
#include "abi/tier.h"
#include <memory>
#include <optional>
#include <string>

#include "support/error.h"

namespace weft {

class Engine;
class Module;
class ModuleCode;
struct ModuleData;
struct TrustedFile;

// The engine's build id (cmake/build_id.cmake): files from other builds are refused.
const char* engineBuildId();

constexpr char kCodeCacheMagic[8] = {'W', 'E', 'F', 'T', 'C', 'O', 'D', 'E'};
constexpr uint32_t kCodeCacheVersion = 6;  // 2: calls through the entry table; 3: per-function frame info; 4: variants;
                                           // 5: the vmctx header's debug trap; 6: no SIMD builtin (the builtin
                                           // table renumbered)
// CodeCacheHeader::codeVariant bits: how the code was compiled beyond the
// strategy and tier; the engine must ask for the same.
constexpr uint8_t kCodeVariantCountsFuel = 1;

struct CodeCacheHeader {
  char magic[8];
  uint32_t version;
  uint32_t headerSize;
  char buildId[96];
  uint64_t cpuFeatures;
  uint8_t memoryStrategy;
  uint8_t tier;
  uint8_t codeVariant;  // kCodeVariant* bits
  uint8_t padding[5];
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

// Reads just the header of {path} (O_NOFOLLOW|O_NONBLOCK, regular files only).
// nullopt: not a cache file (no magic) or unreadable. Nothing but the magic is
// checked (Module::deserialize checks the rest); a file shorter than a header
// comes back zero-filled past its end.
std::optional<CodeCacheHeader> peekCodeCacheHeader(const std::string& path);

// Reading and writing cache files; Module::serialize/deserialize and the
// engine's cache directory (cache_directory.h) go through these.
struct CodeCacheAccess {
  // Maps {file}, which openTrustedFile() opened and checked. Any mismatch
  // (format, build, CPU features, strategy, tier), damage or change while
  // loading is an error naming {shownPath}.
  static Result<std::shared_ptr<const Module>> load(std::shared_ptr<Engine> engine, const TrustedFile& file,
                                                    const std::string& shownPath);
  // Writes {module} as {name} in {directory} (replaceFile(): a new 0444 file
  // renamed into place).
  static Status store(const Module& module, int directory, const std::string& name, const std::string& shownPath);
  // The same for {image}, code of every defined function of {module} compiled
  // by {tier} (a completed tier-up's functions, linked once more as one image).
  static Status storeImage(const ModuleData& module, const ModuleCode& image, Tier tier, uint64_t cpuFeatures,
                           int directory, const std::string& name, const std::string& shownPath);
};

}  // namespace weft
