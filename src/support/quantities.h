// Sizes and durations as a user types them on a command line ("64M", "2s"),
// for the limits and the timeout of `weft run`. Strict: digits then one unit,
// nothing else; a value that does not fit in 64 bits is refused, not wrapped.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace weft {

// A count: digits only ("1000"), up to 2^64-1.
std::optional<uint64_t> parseCount(std::string_view text);

// Bytes: digits with an optional K, M, G or T suffix (powers of 1024; "KiB"
// and "K" alike, any case): "65536", "64K", "64M", "2G".
std::optional<uint64_t> parseByteSize(std::string_view text);

// A duration: digits then ms, s, m or h: "500ms", "2s", "1m". Sub-second
// precision beyond milliseconds is not asked for by anyone timing a guest.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

}  // namespace weft
