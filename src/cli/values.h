// Command-line text <-> wasm values, for `weft run --invoke`: arguments are
// parsed by the parameter's type, results printed one per line.
//   i32, i64     decimal or 0x hex, negative allowed (two's complement)
//   f32, f64     strtod's syntax: 1.5, -0, inf, nan, 0x1p-3
//   v128         0x followed by 32 hex digits (the 128-bit little-endian
//                integer, as printed), or lanes: i8x16:, i16x8:, i32x4:,
//                i64x2:, f32x4:, f64x2: then comma-separated lane values
#pragma once

#include <optional>
#include <string>

#include "runtime/value.h"

namespace weft::cli {

std::optional<Value> parseValue(const std::string& text, ValType type);
std::string formatValue(const Value& value);

}  // namespace weft::cli
