// Strict UTF-8 validation, as the binary format requires of every name: no
// overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequences.
#pragma once

#include <cstddef>
#include <cstdint>

namespace weft {

bool isValidUtf8(const uint8_t* bytes, size_t length);

}  // namespace weft
