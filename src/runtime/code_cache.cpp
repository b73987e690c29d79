// Writing and mapping code-cache files (format in code_cache.h).
#include "runtime/code_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "build_id.h"
#include "format/module_decoder.h"
#include "runtime/cache_trust.h"
#include "runtime/module.h"

namespace weft {

uint64_t checksum64(const uint8_t* data, uint64_t size, uint64_t seed) {
  uint64_t hash = seed;
  uint64_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    hash ^= word;
    hash = ((hash << 29) | (hash >> 35)) * 1099511628211ull;
  }
  for (; i < size; ++i) hash = ((hash ^ data[i]) * 1099511628211ull);
  return hash;
}

const char* engineBuildId() { return WEFT_BUILD_ID; }

uint64_t codeCacheHeaderChecksum(const CodeCacheHeader& header) {
  return checksum64(reinterpret_cast<const uint8_t*>(&header), offsetof(CodeCacheHeader, headerChecksum));
}

namespace {

Error cacheError(const std::string& path, std::string why, ErrorKind kind = ErrorKind::Invalid) {
  Error error;
  error.kind = kind;
  error.message = path + ": " + why;
  return error;
}

void append(std::vector<uint8_t>& out, const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  out.insert(out.end(), bytes, bytes + size);
}
template <typename T>
void appendValue(std::vector<uint8_t>& out, T value) {
  append(out, &value, sizeof value);
}

// Reads up to {size} bytes at {offset}; returns how many it read.
size_t readAt(int fd, uint64_t offset, void* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(fd, static_cast<uint8_t*>(out) + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

// Reads the function table; false when it does not fit the module.
bool readFunctions(const uint8_t* data, uint64_t size, uint32_t firstIndex, uint32_t expected, uint64_t codeSize,
                   std::vector<ModuleCode::FunctionRange>& out) {
  uint64_t at = 0;
  auto read32 = [&](uint32_t& value) {
    if (size - at < 4) return false;
    std::memcpy(&value, data + at, 4);
    at += 4;
    return true;
  };
  uint32_t count;
  if (!read32(count) || count != expected) return false;
  out.resize(count);
  uint32_t previousEnd = 0;
  for (ModuleCode::FunctionRange& range : out) {
    range.functionIndex = firstIndex + static_cast<uint32_t>(&range - out.data());
    uint32_t sites, siteKind, vmctxSlot;
    if (!read32(range.start) || !read32(range.end) || !read32(siteKind) || !read32(vmctxSlot) || !read32(sites))
      return false;
    if (siteKind > static_cast<uint32_t>(SiteKind::Ranges)) return false;
    range.siteKind = static_cast<SiteKind>(siteKind);
    // Below the saved frame pointer, 8-aligned, inside a frame a walker may read.
    range.vmctxSlot = static_cast<int32_t>(vmctxSlot);
    if (range.vmctxSlot >= 0 || range.vmctxSlot % 8 != 0 || range.vmctxSlot < -(1 << 20)) return false;
    if (range.start < previousEnd || range.end < range.start || range.end > codeSize) return false;
    if (range.start % kFunctionAlignment != 0) return false;  // the code assumes it (loop heads)
    if (sites > (size - at) / 8) return false;
    range.sites.resize(sites);
    uint32_t previousSite = 0;
    for (CodeSite& site : range.sites) {
      if (!read32(site.codeOffset) || !read32(site.bytecodeOffset)) return false;
      if (site.codeOffset < previousSite || site.codeOffset > range.end - range.start) return false;
      previousSite = site.codeOffset;
    }
    previousEnd = range.end;
  }
  return at == size;
}

// The whole file for {code}, an image of every defined function of {module}
// compiled by {tier}: header, bytecode, function table, code.
std::vector<uint8_t> encodeCodeCacheFile(const ModuleData& module, const ModuleCode& code, Tier tier,
                                         uint64_t cpuFeatures) {
  std::vector<uint8_t> functions;
  appendValue<uint32_t>(functions, static_cast<uint32_t>(code.functions().size()));
  for (const ModuleCode::FunctionRange& range : code.functions()) {
    appendValue(functions, range.start);
    appendValue(functions, range.end);
    appendValue<uint32_t>(functions, static_cast<uint32_t>(range.siteKind));
    appendValue<uint32_t>(functions, static_cast<uint32_t>(range.vmctxSlot));
    appendValue<uint32_t>(functions, static_cast<uint32_t>(range.sites.size()));
    for (const CodeSite& site : range.sites) {
      appendValue(functions, site.codeOffset);
      appendValue(functions, site.bytecodeOffset);
    }
  }
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  CodeCacheHeader header{};
  std::memcpy(header.magic, kCodeCacheMagic, 8);
  header.version = kCodeCacheVersion;
  header.headerSize = sizeof(CodeCacheHeader);
  std::strncpy(header.buildId, engineBuildId(), sizeof header.buildId - 1);
  header.cpuFeatures = cpuFeatures;
  header.memoryStrategy = static_cast<uint8_t>(module.strategy);
  header.tier = static_cast<uint8_t>(tier);
  header.codeVariant = module.countsFuel ? kCodeVariantCountsFuel : 0;
  header.bytecodeHash = checksum64(module.bytes.data(), module.bytes.size());
  header.bytecodeOffset = sizeof(CodeCacheHeader);
  header.bytecodeSize = module.bytes.size();
  header.functionsOffset = header.bytecodeOffset + header.bytecodeSize;
  header.functionsSize = functions.size();
  header.codeOffset = (header.functionsOffset + header.functionsSize + page - 1) / page * page;
  header.codeSize = code.memory().size();
  header.fileSize = header.codeOffset + header.codeSize;

  std::vector<uint8_t> file(header.fileSize, 0);
  std::memcpy(file.data() + header.bytecodeOffset, module.bytes.data(), header.bytecodeSize);
  std::memcpy(file.data() + header.functionsOffset, functions.data(), functions.size());
  std::memcpy(file.data() + header.codeOffset, code.memory().data(), header.codeSize);
  header.contentChecksum = checksum64(file.data() + header.headerSize, header.fileSize - header.headerSize);
  header.headerChecksum = codeCacheHeaderChecksum(header);
  std::memcpy(file.data(), &header, sizeof header);
  return file;
}

}  // namespace

std::optional<CodeCacheHeader> peekCodeCacheHeader(const std::string& path) {
  FileDescriptor file(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  struct stat status {};
  if (file.get() < 0 || fstat(file.get(), &status) != 0 || !S_ISREG(status.st_mode)) return std::nullopt;
  CodeCacheHeader header{};
  size_t read = readAt(file.get(), 0, &header, sizeof header);
  if (read < sizeof header.magic || std::memcmp(header.magic, kCodeCacheMagic, sizeof header.magic) != 0)
    return std::nullopt;
  return header;
}

Status CodeCacheAccess::store(const Module& module, int directory, const std::string& name,
                              const std::string& shownPath) {
  const ModuleData& data = *module.data();
  std::vector<uint8_t> file = encodeCodeCacheFile(data, module.code(), data.tier, data.cpuFeatures);
  return replaceFile(directory, name, file, shownPath);
}

Status CodeCacheAccess::storeImage(const ModuleData& module, const ModuleCode& image, Tier tier,
                                   uint64_t cpuFeatures, int directory, const std::string& name,
                                   const std::string& shownPath) {
  std::vector<uint8_t> file = encodeCodeCacheFile(module, image, tier, cpuFeatures);
  return replaceFile(directory, name, file, shownPath);
}

Result<std::shared_ptr<const Module>> CodeCacheAccess::load(std::shared_ptr<Engine> engine, const TrustedFile& file,
                                                            const std::string& path) {
  int fd = file.fd.get();
  auto fileSize = static_cast<uint64_t>(file.opened.st_size);
  CodeCacheHeader header;
  if (fileSize < sizeof header || readAt(fd, 0, &header, sizeof header) != sizeof header)
    return cacheError(path, "truncated: shorter than a code-cache header");
  if (std::memcmp(header.magic, kCodeCacheMagic, 8) != 0) return cacheError(path, "not a Weft code-cache file");
  if (header.version != kCodeCacheVersion || header.headerSize != sizeof(CodeCacheHeader))
    return cacheError(path, "code-cache format version " + std::to_string(header.version) + ", this Weft reads " +
                                std::to_string(kCodeCacheVersion) + "; recompile");
  if (codeCacheHeaderChecksum(header) != header.headerChecksum) return cacheError(path, "corrupted header (checksum mismatch)");
  header.buildId[sizeof header.buildId - 1] = '\0';
  if (std::strcmp(header.buildId, engineBuildId()) != 0)
    return cacheError(path, std::string("compiled by another Weft build (") + header.buildId + ", this is " +
                                engineBuildId() + "); recompile");
  uint64_t missing = header.cpuFeatures & ~hostCpuFeatures();
  if (missing) return cacheError(path, "the code needs CPU features this machine lacks (mask 0x" +
                                           std::to_string(missing) + "); recompile here");
  if (header.memoryStrategy != static_cast<uint8_t>(engine->config().memoryStrategy))
    return cacheError(path, std::string("compiled for ") +
                                memoryStrategyName(static_cast<MemoryStrategy>(header.memoryStrategy)) +
                                " memories, the engine uses " + memoryStrategyName(engine->config().memoryStrategy));
  // The tiered policy runs code of either tier.
  bool tierFits = engine->config().tier == Tier::Tiered ? header.tier <= static_cast<uint8_t>(Tier::Optimizing)
                                                         : header.tier == static_cast<uint8_t>(engine->config().tier);
  if (!tierFits) return cacheError(path, "compiled for another tier");
  bool fileCountsFuel = (header.codeVariant & kCodeVariantCountsFuel) != 0;
  if (header.codeVariant & ~kCodeVariantCountsFuel) return cacheError(path, "compiled as an unknown variant of the code");
  if (fileCountsFuel != engine->config().consumeFuel)
    return cacheError(path, fileCountsFuel ? "its code counts fuel, the engine does not (run it with fuel on)"
                                           : "its code does not count fuel, the engine does (compile it with fuel on)");
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  bool layoutOk = header.fileSize == fileSize && header.bytecodeOffset == header.headerSize &&
                  header.bytecodeSize <= fileSize - header.bytecodeOffset &&
                  header.functionsOffset == header.bytecodeOffset + header.bytecodeSize &&
                  header.functionsSize <= fileSize - header.functionsOffset &&
                  header.codeOffset >= header.functionsOffset + header.functionsSize && header.codeOffset % page == 0 &&
                  header.codeOffset <= fileSize && header.codeSize == fileSize - header.codeOffset;
  if (!layoutOk) return cacheError(path, "truncated or malformed (sections do not fit the file)");

  // Bytecode and function table are read into memory and checked there:
  // what is decoded is what was checksummed, whatever happens to the file.
  std::vector<uint8_t> metadata(header.codeOffset - header.headerSize);
  if (readAt(fd, header.headerSize, metadata.data(), metadata.size()) != metadata.size())
    return cacheError(path, "truncated while being read");
  uint64_t checksum = checksum64(metadata.data(), metadata.size());
  const uint8_t* bytecode = metadata.data() + (header.bytecodeOffset - header.headerSize);
  const uint8_t* functionTable = metadata.data() + (header.functionsOffset - header.headerSize);

  Result<std::shared_ptr<Module>> assembled =
      Module::assemble(engine, std::vector<uint8_t>(bytecode, bytecode + header.bytecodeSize));
  if (!assembled) return cacheError(path, "its module does not decode: " + assembled.error().describe());
  std::shared_ptr<Module> module = std::move(assembled.value());
  std::vector<ModuleCode::FunctionRange> functions;
  uint32_t first = module->info().numImportedFunctions;
  uint32_t defined = static_cast<uint32_t>(module->info().functions.size()) - first;
  if (!readFunctions(functionTable, header.functionsSize, first, defined, header.codeSize, functions))
    return cacheError(path, "malformed function table");

  // The code itself: mapped from the file, never copied; pages shared with
  // every other process that maps the same file. Its checksum is taken
  // through the executable mapping itself: what runs is what was checked.
  size_t codeMapped = std::max<size_t>(page, (header.codeSize + page - 1) / page * page);
  void* code = mmap(nullptr, codeMapped, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, static_cast<off_t>(header.codeOffset));
  if (code == MAP_FAILED)
    return cacheError(path, std::string("cannot map the code executable (") + std::strerror(errno) +
                                "; is the file on a noexec filesystem?)", ErrorKind::LimitExceeded);
  if (checksum64(static_cast<const uint8_t*>(code), header.codeSize, checksum) != header.contentChecksum) {
    munmap(code, codeMapped);
    return cacheError(path, "corrupted (content checksum mismatch)");
  }
  // A second look: a write (or a chmod to make one) since the file was
  // opened moves its ctime, which nobody can set back.
  if (!unchangedSinceOpened(file)) {
    munmap(code, codeMapped);
    return cacheError(path, "changed while it was being loaded; refusing to run code from it");
  }
  module->attachCode(ModuleCode::adopt(module->info(),
                                       CodeMemory::adopt(static_cast<uint8_t*>(code), header.codeSize, codeMapped),
                                       std::move(functions)),
                     static_cast<Tier>(header.tier), header.cpuFeatures);
  return std::shared_ptr<const Module>(std::move(module));
}

Status Module::serialize(const std::string& path) const {
  // DESIGN 6: debug code is compiled for one debugging session, never shared
  // through a file.
  if (debugging())
    return cacheError(path, "a module compiled for debugging (EngineConfig::debugging) is never written to the "
                            "code cache", ErrorKind::Unsupported);
  auto [directoryPath, name] = splitDirectoryAndName(path);
  FileDescriptor directory(open(directoryPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() < 0)
    return cacheError(path, "cannot open its directory: " + std::string(std::strerror(errno)), ErrorKind::LimitExceeded);
  return CodeCacheAccess::store(*this, directory.get(), name, path);
}

Result<std::shared_ptr<const Module>> Module::deserialize(std::shared_ptr<Engine> engine, const std::string& path) {
  if (engine->config().debugging)
    return cacheError(path, "an engine for debugging compiles its modules' debug code; it maps no cache file",
                      ErrorKind::Unsupported);
  auto [directoryPath, name] = splitDirectoryAndName(path);
  // The named directory may be reached through a symlink: it is checked
  // through its descriptor, which is where the file is then opened.
  Result<std::optional<FileDescriptor>> directory = openTrustedDirectory(directoryPath, DirectorySymlink::Follow);
  if (!directory) return cacheError(path, directory.error().message);
  if (!directory.value()) return cacheError(path, "cannot open: its directory does not exist");
  Result<std::optional<TrustedFile>> file = openTrustedFile(directory.value()->get(), name, path);
  if (!file) return file.error();
  if (!file.value()) return cacheError(path, "cannot open: no such file");
  return CodeCacheAccess::load(std::move(engine), *file.value(), path);
}

}  // namespace weft
