// Generated code named for perf, in two forms. With the map on, every code
// image the process maps (each module's code of every tier, tier-up batches,
// code-cache files, specialized instances' own code) and the runtime's stubs
// are written to /tmp/perf-PID.map as "START SIZE NAME" lines, so that `perf
// report` names samples in wasm code (function names from the name section,
// else export names). With jitdump on, the same functions go with their
// machine code to /tmp/jit-PID.dump (perf's jitdump format), which `perf
// inject --jit` turns into ELF files, so `perf report` and `perf annotate`
// see inside the functions (record with `perf record -k mono`). Images are
// shared (DESIGN 1), so each is written once, when it is mapped, never per
// instance. On for the rest of the process once enabled (EngineConfig::
// perfMap, perfJitDump): perf reads the files after the process has ended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace weft {

class ModuleCode;

namespace perf_map {

enum class Output { Map, JitDump };
// Opens /tmp/perf-PID.map (appending) or creates /tmp/jit-PID.dump, and
// writes the stubs built so far; false, with the reason, when the file
// cannot be made.
bool enable(Output output, std::string& error);
bool enabled();  // either output
// ModuleCode calls this for each image it maps.
void addImage(const ModuleCode& code);
// The runtime's own code (stubs); remembered, and written once enabled.
void addRuntimeRange(const void* start, size_t size, const char* name);

}  // namespace perf_map
}  // namespace weft
