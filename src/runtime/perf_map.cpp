#include "runtime/perf_map.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "runtime/module_code.h"

namespace weft::perf_map {
namespace {

// perf's jitdump format (tools/perf/Documentation/jitdump-specification.txt):
// a header, then records; each function is one code-load record carrying its
// name and bytes.
struct JitHeader {
  uint32_t magic = 0x4A695444;  // "JiTD" as a little-endian word
  uint32_t version = 1;
  uint32_t totalSize = sizeof(JitHeader);
  uint32_t elfMachine = EM_X86_64;
  uint32_t padding = 0;
  uint32_t pid = 0;
  uint64_t timestamp = 0;
  uint64_t flags = 0;
};
static_assert(sizeof(JitHeader) == 40);

struct JitCodeLoad {
  uint32_t id = 0;  // JIT_CODE_LOAD
  uint32_t totalSize = 0;
  uint64_t timestamp = 0;
  uint32_t pid = 0;
  uint32_t tid = 0;
  uint64_t vma = 0;
  uint64_t codeAddress = 0;
  uint64_t codeSize = 0;
  uint64_t codeIndex = 0;
  // then the name, NUL-terminated, and the code
};
static_assert(sizeof(JitCodeLoad) == 56);

// perf record -k mono stamps its events with this clock.
uint64_t monotonicNanos() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return uint64_t(now.tv_sec) * 1000000000ull + uint64_t(now.tv_nsec);
}

struct State {
  std::mutex lock;
  FILE* map = nullptr;
  int jitdump = -1;
  uint64_t codeIndex = 0;
  struct Range {
    const void* start;
    size_t size;
    const char* name;
  };
  std::vector<Range> runtimeRanges;
};

State& state() {
  static State* instance = new State();  // never destroyed: code may be mapped until exit
  return *instance;
}

std::atomic<bool> isEnabled{false};

void writeAll(int fd, const void* data, size_t size) {
  auto* bytes = static_cast<const uint8_t*>(data);
  while (size > 0) {
    ssize_t written = write(fd, bytes, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;  // a full disk loses profile data, not the program
    bytes += written;
    size -= static_cast<size_t>(written);
  }
}

// Under the lock.
void writeRange(State& s, const void* start, size_t size, const std::string& name) {
  if (s.map)
    std::fprintf(s.map, "%lx %zx %s\n", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(start)), size,
                 name.c_str());
  if (s.jitdump >= 0) {
    JitCodeLoad record;
    record.totalSize = static_cast<uint32_t>(sizeof record + name.size() + 1 + size);
    record.timestamp = monotonicNanos();
    record.pid = static_cast<uint32_t>(getpid());
    record.tid = static_cast<uint32_t>(syscall(SYS_gettid));
    record.vma = record.codeAddress = reinterpret_cast<uintptr_t>(start);
    record.codeSize = size;
    record.codeIndex = s.codeIndex++;
    writeAll(s.jitdump, &record, sizeof record);
    writeAll(s.jitdump, name.c_str(), name.size() + 1);
    writeAll(s.jitdump, start, size);
  }
}

// "NAME [wasm function N]" from the name section or an export, else
// "wasm function N"; the module's own name first when it has one; the
// optimizing tier's code (line-table sites) marked as such.
std::string functionLabel(const ModuleCode& code, const ModuleCode::FunctionRange& range) {
  const ModuleInfo& info = code.info();
  std::string label;
  if (info.names.moduleName) label = *info.names.moduleName + "::";
  const std::string* name = info.functionName(range.functionIndex);
  if (!name) name = info.exportedFunctionName(range.functionIndex);
  std::string index = "wasm function " + std::to_string(range.functionIndex);
  label += name ? *name + " [" + index + "]" : index;
  if (range.siteKind == SiteKind::Ranges) label += " (optimized)";
  // Names are the guest's: a line break would forge map lines.
  for (char& c : label)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return label;
}

// Creates the dump and maps a page of it executable: perf record sees that
// mapping, and perf inject finds the file by it.
bool openJitDump(State& s, std::string& error) {
  // /tmp is everyone's: a new file of our own, never one planted under
  // this name (a symlink would make us overwrite its target).
  std::string path = "/tmp/jit-" + std::to_string(getpid()) + ".dump";
  unlink(path.c_str());  // a dead process's with our pid, if ours to remove
  int fd = open(path.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot create " + path + ": " + std::strerror(errno);
    return false;
  }
  JitHeader header;
  header.pid = static_cast<uint32_t>(getpid());
  header.timestamp = monotonicNanos();
  writeAll(fd, &header, sizeof header);
  void* marker = mmap(nullptr, static_cast<size_t>(sysconf(_SC_PAGESIZE)), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
  if (marker == MAP_FAILED) {
    error = "cannot map " + path + " for perf to see: " + std::strerror(errno);
    close(fd);
    return false;
  }
  s.jitdump = fd;  // the marker mapping stays for the process's life
  return true;
}

}  // namespace

bool enable(Output output, std::string& error) {
  State& s = state();
  std::lock_guard lock(s.lock);
  if (output == Output::Map && !s.map) {
    std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
    int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);  // no planted symlink
    FILE* map = fd >= 0 ? fdopen(fd, "a") : nullptr;
    if (!map) {
      if (fd >= 0) close(fd);
      error = "cannot open " + path + ": " + std::strerror(errno);
      return false;
    }
    for (const State::Range& range : s.runtimeRanges)
      std::fprintf(map, "%lx %zx %s\n", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(range.start)),
                   range.size, range.name);
    std::fflush(map);
    s.map = map;
  } else if (output == Output::JitDump && s.jitdump < 0) {
    if (!openJitDump(s, error)) return false;
    FILE* map = s.map;
    s.map = nullptr;  // the stubs into the dump alone: the map has them
    for (const State::Range& range : s.runtimeRanges) writeRange(s, range.start, range.size, range.name);
    s.map = map;
  }
  isEnabled = true;
  return true;
}

bool enabled() { return isEnabled.load(); }

void addImage(const ModuleCode& code) {
  if (!enabled()) return;
  State& s = state();
  std::lock_guard lock(s.lock);
  const uint8_t* base = code.memory().data();
  for (const ModuleCode::FunctionRange& range : code.functions())
    writeRange(s, base + range.start, range.end - range.start, functionLabel(code, range));
  if (s.map) std::fflush(s.map);  // complete for perf even if the process is killed
}

void addRuntimeRange(const void* start, size_t size, const char* name) {
  State& s = state();
  std::lock_guard lock(s.lock);
  s.runtimeRanges.push_back({start, size, name});
  writeRange(s, start, size, name);
  if (s.map) std::fflush(s.map);
}

}  // namespace weft::perf_map
