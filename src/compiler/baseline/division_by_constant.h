// Integer division and remainder by a constant, the way the baseline emits
// them: a shift for a power of two, a multiplication for any other 32-bit
// divisor, and the divide instruction without its run-time checks for any
// other 64-bit one. A divide instruction takes several times as long as a
// multiplication, and compilers emit x / 10 and x % 255 often (the embenchen
// programs do in their hot loops). Arch-neutral: the macro-assembler picks
// the instructions for each kind.
//
// The multiplier: for 0 <= x < 2^32 and a divisor d < 2^32 that is not a
// power of two, M = ceil(2^64 / d) gives floor(M * x / 2^64) = floor(x / d).
// (M = (2^64 + e) / d with 0 < e < d, so M * x / 2^64 = x / d + e * x /
// (d * 2^64), whose second term is below 2^-32 <= 1/d; x / d is at most
// floor(x / d) + 1 - 1/d, so the sum stays below the next integer.)
#pragma once

#include <bit>
#include <cstdint>
#include <optional>

namespace weft {

struct ConstantDivisor {
  enum class Kind : uint8_t {
    PowerOfTwo,         // |d| = 2^log2
    Multiply,           // 32-bit: the high half of multiplier * |x|
    DivideInstruction,  // 64-bit: the instruction, with no zero or overflow check
  };
  Kind kind = Kind::DivideInstruction;
  bool negative = false;   // a signed divisor below zero
  uint32_t log2 = 0;       // PowerOfTwo
  uint64_t magnitude = 0;  // |d|
  uint64_t multiplier = 0; // Multiply: ceil(2^64 / |d|)
};

// How to divide by {bits} (an i32's bits zero-extended, or an i64's), or
// nothing where the checked run-time division must stay: a zero divisor
// traps, and a signed division by -1 has its overflow case.
inline std::optional<ConstantDivisor> constantDivisor(uint64_t bits, bool wide, bool isSigned) {
  if (!wide) bits &= 0xffffffffu;
  if (bits == 0) return std::nullopt;
  ConstantDivisor d;
  if (isSigned) {
    int64_t value = wide ? static_cast<int64_t>(bits) : static_cast<int32_t>(static_cast<uint32_t>(bits));
    if (value == -1) return std::nullopt;
    d.negative = value < 0;
    d.magnitude = d.negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  } else {
    d.magnitude = bits;
  }
  if (std::has_single_bit(d.magnitude)) {
    d.kind = ConstantDivisor::Kind::PowerOfTwo;
    d.log2 = static_cast<uint32_t>(std::countr_zero(d.magnitude));
  } else if (!wide) {
    d.kind = ConstantDivisor::Kind::Multiply;
    unsigned __int128 twoTo64 = static_cast<unsigned __int128>(1) << 64;
    d.multiplier = static_cast<uint64_t>((twoTo64 + d.magnitude - 1) / d.magnitude);
  }
  return d;
}

}  // namespace weft
