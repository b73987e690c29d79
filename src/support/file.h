// Reading a whole input file into memory in one go (module binaries can be
// tens of MB). The file is checked before anything is read: only a regular
// file no larger than the caller's limit, opened without blocking (a FIFO or
// a device must not hang the reader) and without reading past what fstat says.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weft {

// Returns false and sets {error} (a reason in lower case: "is a directory, not
// a regular file", "is 107374182400 bytes, more than the limit of ...",
// strerror's text) when the file cannot be read.
bool readWholeFile(const std::string& path, std::vector<uint8_t>& out, std::string& error,
                   uint64_t maxBytes = UINT64_MAX);

}  // namespace weft
