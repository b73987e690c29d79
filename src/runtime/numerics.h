// WebAssembly numeric rules that runtime helpers share (scalar and SIMD), so
// each rule is written once.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

namespace weft {

// Saturating float -> int truncation (trunc_sat): NaN is 0, out-of-range
// values clamp to the integer's range.
template <typename Int, typename Float>
Int truncSat(Float x) {
  if (std::isnan(x)) return 0;
  constexpr Float lowest = static_cast<Float>(std::numeric_limits<Int>::min());
  // 2^(bits-1) for signed, 2^bits for unsigned: both exactly representable.
  constexpr Float limit = std::is_signed_v<Int> ? -lowest : static_cast<Float>(std::numeric_limits<Int>::max()) + 1;
  if (x <= lowest) return std::numeric_limits<Int>::min();
  if (x >= limit) return std::numeric_limits<Int>::max();
  return static_cast<Int>(x);
}

}  // namespace weft
