// Reading a whole file into memory in one go (module binaries can be tens of MB).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weft {

// Returns false and sets {error} (from errno) when the file cannot be read.
bool readWholeFile(const std::string& path, std::vector<uint8_t>& out, std::string& error);

}  // namespace weft
