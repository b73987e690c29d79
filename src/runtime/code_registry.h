// The process-wide code registry (DESIGN 4): PC -> the compiled module that
// owns it. Read from signal handlers, so lookups take no lock and allocate
// nothing: writers publish a new sorted snapshot with one atomic store and free
// the old one only when no reader is inside a lookup.
#pragma once

#include <cstdint>

namespace weft {

class ModuleCode;

namespace code_registry {

void add(uintptr_t start, uintptr_t end, const ModuleCode* owner);
void remove(uintptr_t start);
// Async-signal-safe. Null when the PC is not in any registered module.
const ModuleCode* lookup(uintptr_t pc);

}  // namespace code_registry
}  // namespace weft
