#include "runtime/perf_map.h"

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

struct State {
  std::mutex lock;
  FILE* file = nullptr;
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

void writeRange(FILE* file, const void* start, size_t size, const std::string& name) {
  std::fprintf(file, "%lx %zx %s\n", static_cast<unsigned long>(reinterpret_cast<uintptr_t>(start)), size,
               name.c_str());
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
  return label;
}

}  // namespace

bool enable(std::string& error) {
  State& s = state();
  std::lock_guard lock(s.lock);
  if (s.file) return true;
  std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  s.file = std::fopen(path.c_str(), "a");
  if (!s.file) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  for (const State::Range& range : s.runtimeRanges) writeRange(s.file, range.start, range.size, range.name);
  std::fflush(s.file);
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
    writeRange(s.file, base + range.start, range.end - range.start, functionLabel(code, range));
  std::fflush(s.file);  // complete for perf even if the process is killed
}

void addRuntimeRange(const void* start, size_t size, const char* name) {
  State& s = state();
  std::lock_guard lock(s.lock);
  s.runtimeRanges.push_back({start, size, name});
  if (s.file) {
    writeRange(s.file, start, size, name);
    std::fflush(s.file);
  }
}

}  // namespace weft::perf_map
