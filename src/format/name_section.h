// Decoder for the "name" custom section: module name, function names and local
// names, used by `weft inspect` and, later, by trap backtraces (DESIGN 10).
//
// A custom section never makes a module fail, so this decoder never reports an
// error: it stops at the first malformed subsection and keeps what it read.
#pragma once

#include <cstdint>
#include <span>

#include "format/module_info.h"

namespace weft {

void decodeNameSection(std::span<const uint8_t> module, uint32_t begin, uint32_t end, NameSection& out);

}  // namespace weft
