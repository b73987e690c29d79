// perf's map of generated code: with it on, every code image the process
// maps (each module's code of every tier, tier-up batches, code-cache files,
// specialized instances' own code) and the runtime's stubs are written to
// /tmp/perf-PID.map as "START SIZE NAME" lines, so that `perf report` names
// samples in wasm code (function names from the name section, else export
// names). Images are shared (DESIGN 1), so each is written once, when it is
// mapped, never per instance. On for the rest of the process once enabled
// (EngineConfig::perfMap): perf reads the file after the process has ended.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace weft {

class ModuleCode;

namespace perf_map {

// Opens /tmp/perf-PID.map (appending) and writes the stubs built so far;
// false, with the reason, when the file cannot be opened.
bool enable(std::string& error);
bool enabled();
// ModuleCode calls this for each image it maps.
void addImage(const ModuleCode& code);
// The runtime's own code (stubs); remembered, and written once enabled.
void addRuntimeRange(const void* start, size_t size, const char* name);

}  // namespace perf_map
}  // namespace weft
