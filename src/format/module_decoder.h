// The module decoder: binary module -> {ModuleInfo}.
//
// It decodes every section of the WebAssembly 2.0 binary format plus SIMD and
// the threads proposal, and checks every module-level rule it can see while
// decoding (index bounds, limits, constant expressions, segment types, export
// name uniqueness, section order and sizes). Function bodies are only located
// here; validating them is the operator iterator's job (validation/).
//
// Proposals Weft does not implement (memory64, exception handling, tail calls,
// GC and typed references, multi-memory) are reported as ErrorKind::Unsupported.
#pragma once

#include <cstdint>
#include <span>

#include "format/module_info.h"
#include "support/error.h"

namespace weft {

Result<ModuleInfo> decodeModule(std::span<const uint8_t> bytes);

}  // namespace weft
