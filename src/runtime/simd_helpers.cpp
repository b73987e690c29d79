// SIMD operations the baseline compiler does not emit inline yet: exact
// WebAssembly lane semantics in portable C++, called through the helper table
// with pointers to the operands' frame slots. The compiler emits SSE4.1 for the
// common operations; everything else lands here, correct first, fast later.
#include "runtime/simd_helpers.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

#include "format/opcodes.h"
#include "runtime/numerics.h"

namespace weft {
namespace {

template <typename T>
struct Lanes {
  static constexpr int kCount = 16 / sizeof(T);
  T v[kCount];
};

template <typename T>
Lanes<T> load(const uint8_t* p) {
  Lanes<T> l;
  std::memcpy(l.v, p, 16);
  return l;
}
template <typename T>
void store(uint8_t* p, const Lanes<T>& l) {
  std::memcpy(p, l.v, 16);
}
template <typename T>
T scalar(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}
template <typename T>
void storeScalar(uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

template <typename T, typename F>
void map1(uint8_t* out, const uint8_t* a, F f) {
  Lanes<T> x = load<T>(a), r;
  for (int i = 0; i < Lanes<T>::kCount; ++i) r.v[i] = f(x.v[i]);
  store(out, r);
}
template <typename T, typename F>
void map2(uint8_t* out, const uint8_t* a, const uint8_t* b, F f) {
  Lanes<T> x = load<T>(a), y = load<T>(b), r;
  for (int i = 0; i < Lanes<T>::kCount; ++i) r.v[i] = f(x.v[i], y.v[i]);
  store(out, r);
}
// Lane-wise comparison: all ones where true.
template <typename T, typename F>
void compare(uint8_t* out, const uint8_t* a, const uint8_t* b, F f) {
  using U = std::make_unsigned_t<std::conditional_t<std::is_floating_point_v<T>,
                                                    std::conditional_t<sizeof(T) == 4, int32_t, int64_t>, T>>;
  Lanes<T> x = load<T>(a), y = load<T>(b);
  Lanes<U> r;
  for (int i = 0; i < Lanes<T>::kCount; ++i) r.v[i] = f(x.v[i], y.v[i]) ? static_cast<U>(~U{0}) : U{0};
  store(out, r);
}
template <typename T>
T saturate(int64_t value) {
  return static_cast<T>(std::clamp<int64_t>(value, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}
// Narrow two vectors of Wide lanes into one of Narrow lanes, saturating.
template <typename Wide, typename Narrow>
void narrow(uint8_t* out, const uint8_t* a, const uint8_t* b) {
  Lanes<Wide> x = load<Wide>(a), y = load<Wide>(b);
  Lanes<Narrow> r;
  constexpr int n = Lanes<Wide>::kCount;
  for (int i = 0; i < n; ++i) {
    r.v[i] = saturate<Narrow>(x.v[i]);
    r.v[i + n] = saturate<Narrow>(y.v[i]);
  }
  store(out, r);
}
// Widen the low or high half of Narrow lanes to Wide lanes.
template <typename Narrow, typename Wide>
void extend(uint8_t* out, const uint8_t* a, bool high) {
  Lanes<Narrow> x = load<Narrow>(a);
  Lanes<Wide> r;
  constexpr int n = Lanes<Wide>::kCount;
  for (int i = 0; i < n; ++i) r.v[i] = static_cast<Wide>(x.v[i + (high ? n : 0)]);
  store(out, r);
}
template <typename Narrow, typename Wide>
void extmul(uint8_t* out, const uint8_t* a, const uint8_t* b, bool high) {
  Lanes<Narrow> x = load<Narrow>(a), y = load<Narrow>(b);
  Lanes<Wide> r;
  constexpr int n = Lanes<Wide>::kCount;
  for (int i = 0; i < n; ++i)
    r.v[i] = static_cast<Wide>(static_cast<Wide>(x.v[i + (high ? n : 0)]) * static_cast<Wide>(y.v[i + (high ? n : 0)]));
  store(out, r);
}
template <typename Narrow, typename Wide>
void extaddPairwise(uint8_t* out, const uint8_t* a) {
  Lanes<Narrow> x = load<Narrow>(a);
  Lanes<Wide> r;
  for (int i = 0; i < Lanes<Wide>::kCount; ++i)
    r.v[i] = static_cast<Wide>(static_cast<Wide>(x.v[2 * i]) + static_cast<Wide>(x.v[2 * i + 1]));
  store(out, r);
}
template <typename T>
void bitmask(uint8_t* out, const uint8_t* a) {
  using S = std::make_signed_t<T>;
  Lanes<S> x = load<S>(a);
  uint32_t mask = 0;
  for (int i = 0; i < Lanes<S>::kCount; ++i)
    if (x.v[i] < 0) mask |= 1u << i;
  storeScalar(out, mask);
}
template <typename T>
void allTrue(uint8_t* out, const uint8_t* a) {
  Lanes<T> x = load<T>(a);
  uint32_t all = 1;
  for (int i = 0; i < Lanes<T>::kCount; ++i)
    if (x.v[i] == 0) all = 0;
  storeScalar(out, all);
}
// Shifts take the count modulo the lane width.
template <typename T, typename F>
void shift(uint8_t* out, const uint8_t* a, const uint8_t* count, F f) {
  uint32_t n = scalar<uint32_t>(count) & (sizeof(T) * 8 - 1);
  map1<T>(out, a, [&](T x) { return f(x, n); });
}

// WebAssembly float min/max: NaN if either is NaN, and -0 < +0. The NaN is
// the first NaN operand, quieted, as the baseline's scalar min/max (an SSE
// add) and the optimizing tier give it: the spec leaves the payload open, but
// tiering up must not change it. Chosen by hand: a C++ `a + b` may have its
// operands swapped by the compiler.
template <typename F>
F firstNaNQuieted(F a, F b) {
  using Bits = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
  Bits bits = std::bit_cast<Bits>(std::isnan(a) ? a : b);
  return std::bit_cast<F>(static_cast<Bits>(bits | (Bits{1} << (std::numeric_limits<F>::digits - 2))));
}
template <typename F>
F wasmMin(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return firstNaNQuieted(a, b);
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
template <typename F>
F wasmMax(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return firstNaNQuieted(a, b);
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
}  // namespace

void simdOperation(uint32_t opcode, uint32_t immediate, uint8_t* out, const uint8_t* a, const uint8_t* b,
                   const uint8_t* c) {
  using O = Opcode;
  uint8_t result[16];
  switch (static_cast<Opcode>(opcode)) {
    // ---- lanes ----
    case O::I8x16Splat: map1<uint8_t>(result, a, [&](uint8_t) { return scalar<uint8_t>(a); }); break;
    case O::I16x8Splat: { uint16_t v = scalar<uint16_t>(a); map1<uint16_t>(result, a, [&](uint16_t) { return v; }); break; }
    case O::I32x4Splat: case O::F32x4Splat: { uint32_t v = scalar<uint32_t>(a); map1<uint32_t>(result, a, [&](uint32_t) { return v; }); break; }
    case O::I64x2Splat: case O::F64x2Splat: { uint64_t v = scalar<uint64_t>(a); map1<uint64_t>(result, a, [&](uint64_t) { return v; }); break; }
    case O::I8x16ExtractLaneS: storeScalar<int32_t>(out, load<int8_t>(a).v[immediate]); return;
    case O::I8x16ExtractLaneU: storeScalar<uint32_t>(out, load<uint8_t>(a).v[immediate]); return;
    case O::I16x8ExtractLaneS: storeScalar<int32_t>(out, load<int16_t>(a).v[immediate]); return;
    case O::I16x8ExtractLaneU: storeScalar<uint32_t>(out, load<uint16_t>(a).v[immediate]); return;
    case O::I32x4ExtractLane: case O::F32x4ExtractLane: storeScalar<uint32_t>(out, load<uint32_t>(a).v[immediate]); return;
    case O::I64x2ExtractLane: case O::F64x2ExtractLane: storeScalar<uint64_t>(out, load<uint64_t>(a).v[immediate]); return;
    case O::I8x16ReplaceLane: { auto l = load<uint8_t>(a); l.v[immediate] = scalar<uint8_t>(b); store(result, l); break; }
    case O::I16x8ReplaceLane: { auto l = load<uint16_t>(a); l.v[immediate] = scalar<uint16_t>(b); store(result, l); break; }
    case O::I32x4ReplaceLane: case O::F32x4ReplaceLane: { auto l = load<uint32_t>(a); l.v[immediate] = scalar<uint32_t>(b); store(result, l); break; }
    case O::I64x2ReplaceLane: case O::F64x2ReplaceLane: { auto l = load<uint64_t>(a); l.v[immediate] = scalar<uint64_t>(b); store(result, l); break; }
    case O::I8x16Swizzle: {
      auto x = load<uint8_t>(a), s = load<uint8_t>(b);
      Lanes<uint8_t> r;
      for (int i = 0; i < 16; ++i) r.v[i] = s.v[i] < 16 ? x.v[s.v[i]] : 0;
      store(result, r);
      break;
    }

    // ---- comparisons ----
    case O::I8x16Eq: compare<uint8_t>(result, a, b, [](auto x, auto y) { return x == y; }); break;
    case O::I8x16Ne: compare<uint8_t>(result, a, b, [](auto x, auto y) { return x != y; }); break;
    case O::I8x16LtS: compare<int8_t>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::I8x16LtU: compare<uint8_t>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::I8x16GtS: compare<int8_t>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::I8x16GtU: compare<uint8_t>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::I8x16LeS: compare<int8_t>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::I8x16LeU: compare<uint8_t>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::I8x16GeS: compare<int8_t>(result, a, b, [](auto x, auto y) { return x >= y; }); break;
    case O::I8x16GeU: compare<uint8_t>(result, a, b, [](auto x, auto y) { return x >= y; }); break;
    case O::I16x8Eq: compare<uint16_t>(result, a, b, [](auto x, auto y) { return x == y; }); break;
    case O::I16x8Ne: compare<uint16_t>(result, a, b, [](auto x, auto y) { return x != y; }); break;
    case O::I16x8LtS: compare<int16_t>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::I16x8LtU: compare<uint16_t>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::I16x8GtS: compare<int16_t>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::I16x8GtU: compare<uint16_t>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::I16x8LeS: compare<int16_t>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::I16x8LeU: compare<uint16_t>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::I16x8GeS: compare<int16_t>(result, a, b, [](auto x, auto y) { return x >= y; }); break;
    case O::I16x8GeU: compare<uint16_t>(result, a, b, [](auto x, auto y) { return x >= y; }); break;
    case O::I32x4Eq: compare<uint32_t>(result, a, b, [](auto x, auto y) { return x == y; }); break;
    case O::I32x4Ne: compare<uint32_t>(result, a, b, [](auto x, auto y) { return x != y; }); break;
    case O::I32x4LtS: compare<int32_t>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::I32x4LtU: compare<uint32_t>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::I32x4GtS: compare<int32_t>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::I32x4GtU: compare<uint32_t>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::I32x4LeS: compare<int32_t>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::I32x4LeU: compare<uint32_t>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::I32x4GeS: compare<int32_t>(result, a, b, [](auto x, auto y) { return x >= y; }); break;
    case O::I32x4GeU: compare<uint32_t>(result, a, b, [](auto x, auto y) { return x >= y; }); break;
    case O::I64x2Eq: compare<uint64_t>(result, a, b, [](auto x, auto y) { return x == y; }); break;
    case O::I64x2Ne: compare<uint64_t>(result, a, b, [](auto x, auto y) { return x != y; }); break;
    case O::I64x2LtS: compare<int64_t>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::I64x2GtS: compare<int64_t>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::I64x2LeS: compare<int64_t>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::I64x2GeS: compare<int64_t>(result, a, b, [](auto x, auto y) { return x >= y; }); break;
    case O::F32x4Eq: compare<float>(result, a, b, [](auto x, auto y) { return x == y; }); break;
    case O::F32x4Ne: compare<float>(result, a, b, [](auto x, auto y) { return x != y; }); break;
    case O::F32x4Lt: compare<float>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::F32x4Gt: compare<float>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::F32x4Le: compare<float>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::F32x4Ge: compare<float>(result, a, b, [](auto x, auto y) { return x >= y; }); break;
    case O::F64x2Eq: compare<double>(result, a, b, [](auto x, auto y) { return x == y; }); break;
    case O::F64x2Ne: compare<double>(result, a, b, [](auto x, auto y) { return x != y; }); break;
    case O::F64x2Lt: compare<double>(result, a, b, [](auto x, auto y) { return x < y; }); break;
    case O::F64x2Gt: compare<double>(result, a, b, [](auto x, auto y) { return x > y; }); break;
    case O::F64x2Le: compare<double>(result, a, b, [](auto x, auto y) { return x <= y; }); break;
    case O::F64x2Ge: compare<double>(result, a, b, [](auto x, auto y) { return x >= y; }); break;

    // ---- bitwise ----
    case O::V128Not: map1<uint64_t>(result, a, [](uint64_t x) { return ~x; }); break;
    case O::V128And: map2<uint64_t>(result, a, b, [](uint64_t x, uint64_t y) { return x & y; }); break;
    case O::V128AndNot: map2<uint64_t>(result, a, b, [](uint64_t x, uint64_t y) { return x & ~y; }); break;
    case O::V128Or: map2<uint64_t>(result, a, b, [](uint64_t x, uint64_t y) { return x | y; }); break;
    case O::V128Xor: map2<uint64_t>(result, a, b, [](uint64_t x, uint64_t y) { return x ^ y; }); break;
    case O::V128Bitselect: {
      auto x = load<uint64_t>(a), y = load<uint64_t>(b), m = load<uint64_t>(c);
      Lanes<uint64_t> r;
      for (int i = 0; i < 2; ++i) r.v[i] = (x.v[i] & m.v[i]) | (y.v[i] & ~m.v[i]);
      store(result, r);
      break;
    }
    case O::V128AnyTrue: {
      auto x = load<uint64_t>(a);
      storeScalar<uint32_t>(out, (x.v[0] | x.v[1]) != 0);
      return;
    }

    // ---- integer arithmetic ----
    case O::I8x16Abs: map1<int8_t>(result, a, [](int8_t x) { return static_cast<int8_t>(x < 0 ? -static_cast<uint8_t>(x) : x); }); break;
    case O::I8x16Neg: map1<uint8_t>(result, a, [](uint8_t x) { return static_cast<uint8_t>(-x); }); break;
    case O::I8x16Popcnt: map1<uint8_t>(result, a, [](uint8_t x) { return static_cast<uint8_t>(__builtin_popcount(x)); }); break;
    case O::I8x16AllTrue: allTrue<uint8_t>(out, a); return;
    case O::I8x16Bitmask: bitmask<uint8_t>(out, a); return;
    case O::I8x16NarrowI16x8S: narrow<int16_t, int8_t>(result, a, b); break;
    case O::I8x16NarrowI16x8U: narrow<int16_t, uint8_t>(result, a, b); break;
    case O::I8x16Shl: shift<uint8_t>(result, a, b, [](uint8_t x, uint32_t n) { return static_cast<uint8_t>(x << n); }); break;
    case O::I8x16ShrS: shift<int8_t>(result, a, b, [](int8_t x, uint32_t n) { return static_cast<int8_t>(x >> n); }); break;
    case O::I8x16ShrU: shift<uint8_t>(result, a, b, [](uint8_t x, uint32_t n) { return static_cast<uint8_t>(x >> n); }); break;
    case O::I8x16Add: map2<uint8_t>(result, a, b, [](uint8_t x, uint8_t y) { return static_cast<uint8_t>(x + y); }); break;
    case O::I8x16AddSatS: map2<int8_t>(result, a, b, [](int8_t x, int8_t y) { return saturate<int8_t>(x + y); }); break;
    case O::I8x16AddSatU: map2<uint8_t>(result, a, b, [](uint8_t x, uint8_t y) { return saturate<uint8_t>(x + y); }); break;
    case O::I8x16Sub: map2<uint8_t>(result, a, b, [](uint8_t x, uint8_t y) { return static_cast<uint8_t>(x - y); }); break;
    case O::I8x16SubSatS: map2<int8_t>(result, a, b, [](int8_t x, int8_t y) { return saturate<int8_t>(x - y); }); break;
    case O::I8x16SubSatU: map2<uint8_t>(result, a, b, [](uint8_t x, uint8_t y) { return saturate<uint8_t>(x - y); }); break;
    case O::I8x16MinS: map2<int8_t>(result, a, b, [](int8_t x, int8_t y) { return std::min(x, y); }); break;
    case O::I8x16MinU: map2<uint8_t>(result, a, b, [](uint8_t x, uint8_t y) { return std::min(x, y); }); break;
    case O::I8x16MaxS: map2<int8_t>(result, a, b, [](int8_t x, int8_t y) { return std::max(x, y); }); break;
    case O::I8x16MaxU: map2<uint8_t>(result, a, b, [](uint8_t x, uint8_t y) { return std::max(x, y); }); break;
    case O::I8x16AvgrU: map2<uint8_t>(result, a, b, [](uint8_t x, uint8_t y) { return static_cast<uint8_t>((x + y + 1) / 2); }); break;

    case O::I16x8ExtaddPairwiseI8x16S: extaddPairwise<int8_t, int16_t>(result, a); break;
    case O::I16x8ExtaddPairwiseI8x16U: extaddPairwise<uint8_t, uint16_t>(result, a); break;
    case O::I32x4ExtaddPairwiseI16x8S: extaddPairwise<int16_t, int32_t>(result, a); break;
    case O::I32x4ExtaddPairwiseI16x8U: extaddPairwise<uint16_t, uint32_t>(result, a); break;
    case O::I16x8Abs: map1<int16_t>(result, a, [](int16_t x) { return static_cast<int16_t>(x < 0 ? -static_cast<uint16_t>(x) : x); }); break;
    case O::I16x8Neg: map1<uint16_t>(result, a, [](uint16_t x) { return static_cast<uint16_t>(-x); }); break;
    case O::I16x8Q15mulrSatS:
      map2<int16_t>(result, a, b, [](int16_t x, int16_t y) { return saturate<int16_t>((int32_t{x} * y + 0x4000) >> 15); });
      break;
    case O::I16x8AllTrue: allTrue<uint16_t>(out, a); return;
    case O::I16x8Bitmask: bitmask<uint16_t>(out, a); return;
    case O::I16x8NarrowI32x4S: narrow<int32_t, int16_t>(result, a, b); break;
    case O::I16x8NarrowI32x4U: narrow<int32_t, uint16_t>(result, a, b); break;
    case O::I16x8ExtendLowI8x16S: extend<int8_t, int16_t>(result, a, false); break;
    case O::I16x8ExtendHighI8x16S: extend<int8_t, int16_t>(result, a, true); break;
    case O::I16x8ExtendLowI8x16U: extend<uint8_t, uint16_t>(result, a, false); break;
    case O::I16x8ExtendHighI8x16U: extend<uint8_t, uint16_t>(result, a, true); break;
    case O::I16x8Shl: shift<uint16_t>(result, a, b, [](uint16_t x, uint32_t n) { return static_cast<uint16_t>(x << n); }); break;
    case O::I16x8ShrS: shift<int16_t>(result, a, b, [](int16_t x, uint32_t n) { return static_cast<int16_t>(x >> n); }); break;
    case O::I16x8ShrU: shift<uint16_t>(result, a, b, [](uint16_t x, uint32_t n) { return static_cast<uint16_t>(x >> n); }); break;
    case O::I16x8Add: map2<uint16_t>(result, a, b, [](uint16_t x, uint16_t y) { return static_cast<uint16_t>(x + y); }); break;
    case O::I16x8AddSatS: map2<int16_t>(result, a, b, [](int16_t x, int16_t y) { return saturate<int16_t>(x + y); }); break;
    case O::I16x8AddSatU: map2<uint16_t>(result, a, b, [](uint16_t x, uint16_t y) { return saturate<uint16_t>(x + y); }); break;
    case O::I16x8Sub: map2<uint16_t>(result, a, b, [](uint16_t x, uint16_t y) { return static_cast<uint16_t>(x - y); }); break;
    case O::I16x8SubSatS: map2<int16_t>(result, a, b, [](int16_t x, int16_t y) { return saturate<int16_t>(x - y); }); break;
    case O::I16x8SubSatU: map2<uint16_t>(result, a, b, [](uint16_t x, uint16_t y) { return saturate<uint16_t>(x - y); }); break;
    case O::I16x8Mul: map2<uint16_t>(result, a, b, [](uint16_t x, uint16_t y) { return static_cast<uint16_t>(uint32_t{x} * y); }); break;
    case O::I16x8MinS: map2<int16_t>(result, a, b, [](int16_t x, int16_t y) { return std::min(x, y); }); break;
    case O::I16x8MinU: map2<uint16_t>(result, a, b, [](uint16_t x, uint16_t y) { return std::min(x, y); }); break;
    case O::I16x8MaxS: map2<int16_t>(result, a, b, [](int16_t x, int16_t y) { return std::max(x, y); }); break;
    case O::I16x8MaxU: map2<uint16_t>(result, a, b, [](uint16_t x, uint16_t y) { return std::max(x, y); }); break;
    case O::I16x8AvgrU: map2<uint16_t>(result, a, b, [](uint16_t x, uint16_t y) { return static_cast<uint16_t>((x + y + 1) / 2); }); break;
    case O::I16x8ExtmulLowI8x16S: extmul<int8_t, int16_t>(result, a, b, false); break;
    case O::I16x8ExtmulHighI8x16S: extmul<int8_t, int16_t>(result, a, b, true); break;
    case O::I16x8ExtmulLowI8x16U: extmul<uint8_t, uint16_t>(result, a, b, false); break;
    case O::I16x8ExtmulHighI8x16U: extmul<uint8_t, uint16_t>(result, a, b, true); break;

    case O::I32x4Abs: map1<int32_t>(result, a, [](int32_t x) { return static_cast<int32_t>(x < 0 ? 0u - static_cast<uint32_t>(x) : static_cast<uint32_t>(x)); }); break;
    case O::I32x4Neg: map1<uint32_t>(result, a, [](uint32_t x) { return 0u - x; }); break;
    case O::I32x4AllTrue: allTrue<uint32_t>(out, a); return;
    case O::I32x4Bitmask: bitmask<uint32_t>(out, a); return;
    case O::I32x4ExtendLowI16x8S: extend<int16_t, int32_t>(result, a, false); break;
    case O::I32x4ExtendHighI16x8S: extend<int16_t, int32_t>(result, a, true); break;
    case O::I32x4ExtendLowI16x8U: extend<uint16_t, uint32_t>(result, a, false); break;
    case O::I32x4ExtendHighI16x8U: extend<uint16_t, uint32_t>(result, a, true); break;
    case O::I32x4Shl: shift<uint32_t>(result, a, b, [](uint32_t x, uint32_t n) { return x << n; }); break;
    case O::I32x4ShrS: shift<int32_t>(result, a, b, [](int32_t x, uint32_t n) { return x >> n; }); break;
    case O::I32x4ShrU: shift<uint32_t>(result, a, b, [](uint32_t x, uint32_t n) { return x >> n; }); break;
    case O::I32x4Add: map2<uint32_t>(result, a, b, [](uint32_t x, uint32_t y) { return x + y; }); break;
    case O::I32x4Sub: map2<uint32_t>(result, a, b, [](uint32_t x, uint32_t y) { return x - y; }); break;
    case O::I32x4Mul: map2<uint32_t>(result, a, b, [](uint32_t x, uint32_t y) { return x * y; }); break;
    case O::I32x4MinS: map2<int32_t>(result, a, b, [](int32_t x, int32_t y) { return std::min(x, y); }); break;
    case O::I32x4MinU: map2<uint32_t>(result, a, b, [](uint32_t x, uint32_t y) { return std::min(x, y); }); break;
    case O::I32x4MaxS: map2<int32_t>(result, a, b, [](int32_t x, int32_t y) { return std::max(x, y); }); break;
    case O::I32x4MaxU: map2<uint32_t>(result, a, b, [](uint32_t x, uint32_t y) { return std::max(x, y); }); break;
    case O::I32x4DotI16x8S: {
      auto x = load<int16_t>(a), y = load<int16_t>(b);
      Lanes<uint32_t> r;
      for (int i = 0; i < 4; ++i)
        r.v[i] = static_cast<uint32_t>(int32_t{x.v[2 * i]} * y.v[2 * i]) +
                 static_cast<uint32_t>(int32_t{x.v[2 * i + 1]} * y.v[2 * i + 1]);
      store(result, r);
      break;
    }
    case O::I32x4ExtmulLowI16x8S: extmul<int16_t, int32_t>(result, a, b, false); break;
    case O::I32x4ExtmulHighI16x8S: extmul<int16_t, int32_t>(result, a, b, true); break;
    case O::I32x4ExtmulLowI16x8U: extmul<uint16_t, uint32_t>(result, a, b, false); break;
    case O::I32x4ExtmulHighI16x8U: extmul<uint16_t, uint32_t>(result, a, b, true); break;

    case O::I64x2Abs: map1<int64_t>(result, a, [](int64_t x) { return static_cast<int64_t>(x < 0 ? 0ull - static_cast<uint64_t>(x) : static_cast<uint64_t>(x)); }); break;
    case O::I64x2Neg: map1<uint64_t>(result, a, [](uint64_t x) { return 0ull - x; }); break;
    case O::I64x2AllTrue: allTrue<uint64_t>(out, a); return;
    case O::I64x2Bitmask: bitmask<uint64_t>(out, a); return;
    case O::I64x2ExtendLowI32x4S: extend<int32_t, int64_t>(result, a, false); break;
    case O::I64x2ExtendHighI32x4S: extend<int32_t, int64_t>(result, a, true); break;
    case O::I64x2ExtendLowI32x4U: extend<uint32_t, uint64_t>(result, a, false); break;
    case O::I64x2ExtendHighI32x4U: extend<uint32_t, uint64_t>(result, a, true); break;
    case O::I64x2Shl: shift<uint64_t>(result, a, b, [](uint64_t x, uint32_t n) { return x << n; }); break;
    case O::I64x2ShrS: shift<int64_t>(result, a, b, [](int64_t x, uint32_t n) { return x >> n; }); break;
    case O::I64x2ShrU: shift<uint64_t>(result, a, b, [](uint64_t x, uint32_t n) { return x >> n; }); break;
    case O::I64x2Add: map2<uint64_t>(result, a, b, [](uint64_t x, uint64_t y) { return x + y; }); break;
    case O::I64x2Sub: map2<uint64_t>(result, a, b, [](uint64_t x, uint64_t y) { return x - y; }); break;
    case O::I64x2Mul: map2<uint64_t>(result, a, b, [](uint64_t x, uint64_t y) { return x * y; }); break;
    case O::I64x2ExtmulLowI32x4S: extmul<int32_t, int64_t>(result, a, b, false); break;
    case O::I64x2ExtmulHighI32x4S: extmul<int32_t, int64_t>(result, a, b, true); break;
    case O::I64x2ExtmulLowI32x4U: extmul<uint32_t, uint64_t>(result, a, b, false); break;
    case O::I64x2ExtmulHighI32x4U: extmul<uint32_t, uint64_t>(result, a, b, true); break;

    // ---- floating point ----
    case O::F32x4Abs: map1<uint32_t>(result, a, [](uint32_t x) { return x & 0x7fffffffu; }); break;
    case O::F32x4Neg: map1<uint32_t>(result, a, [](uint32_t x) { return x ^ 0x80000000u; }); break;
    case O::F64x2Abs: map1<uint64_t>(result, a, [](uint64_t x) { return x & 0x7fffffffffffffffull; }); break;
    case O::F64x2Neg: map1<uint64_t>(result, a, [](uint64_t x) { return x ^ 0x8000000000000000ull; }); break;
    case O::F32x4Sqrt: map1<float>(result, a, [](float x) { return std::sqrt(x); }); break;
    case O::F64x2Sqrt: map1<double>(result, a, [](double x) { return std::sqrt(x); }); break;
    case O::F32x4Add: map2<float>(result, a, b, [](float x, float y) { return x + y; }); break;
    case O::F32x4Sub: map2<float>(result, a, b, [](float x, float y) { return x - y; }); break;
    case O::F32x4Mul: map2<float>(result, a, b, [](float x, float y) { return x * y; }); break;
    case O::F32x4Div: map2<float>(result, a, b, [](float x, float y) { return x / y; }); break;
    case O::F32x4Min: map2<float>(result, a, b, [](float x, float y) { return wasmMin(x, y); }); break;
    case O::F32x4Max: map2<float>(result, a, b, [](float x, float y) { return wasmMax(x, y); }); break;
    case O::F32x4Pmin: map2<float>(result, a, b, [](float x, float y) { return y < x ? y : x; }); break;
    case O::F32x4Pmax: map2<float>(result, a, b, [](float x, float y) { return x < y ? y : x; }); break;
    case O::F64x2Add: map2<double>(result, a, b, [](double x, double y) { return x + y; }); break;
    case O::F64x2Sub: map2<double>(result, a, b, [](double x, double y) { return x - y; }); break;
    case O::F64x2Mul: map2<double>(result, a, b, [](double x, double y) { return x * y; }); break;
    case O::F64x2Div: map2<double>(result, a, b, [](double x, double y) { return x / y; }); break;
    case O::F64x2Min: map2<double>(result, a, b, [](double x, double y) { return wasmMin(x, y); }); break;
    case O::F64x2Max: map2<double>(result, a, b, [](double x, double y) { return wasmMax(x, y); }); break;
    case O::F64x2Pmin: map2<double>(result, a, b, [](double x, double y) { return y < x ? y : x; }); break;
    case O::F64x2Pmax: map2<double>(result, a, b, [](double x, double y) { return x < y ? y : x; }); break;

    // ---- conversions ----
    case O::I32x4TruncSatF32x4S: {
      auto x = load<float>(a);
      Lanes<int32_t> r;
      for (int i = 0; i < 4; ++i) r.v[i] = truncSat<int32_t>(x.v[i]);
      store(result, r);
      break;
    }
    case O::I32x4TruncSatF32x4U: {
      auto x = load<float>(a);
      Lanes<uint32_t> r;
      for (int i = 0; i < 4; ++i) r.v[i] = truncSat<uint32_t>(x.v[i]);
      store(result, r);
      break;
    }
    case O::I32x4TruncSatF64x2SZero: case O::I32x4TruncSatF64x2UZero: {
      auto x = load<double>(a);
      Lanes<uint32_t> r{};
      bool isSigned = static_cast<Opcode>(opcode) == O::I32x4TruncSatF64x2SZero;
      for (int i = 0; i < 2; ++i)
        r.v[i] = isSigned ? static_cast<uint32_t>(truncSat<int32_t>(x.v[i])) : truncSat<uint32_t>(x.v[i]);
      store(result, r);
      break;
    }
    case O::F32x4ConvertI32x4S: {
      auto x = load<int32_t>(a);
      Lanes<float> r;
      for (int i = 0; i < 4; ++i) r.v[i] = static_cast<float>(x.v[i]);
      store(result, r);
      break;
    }
    case O::F32x4ConvertI32x4U: {
      auto x = load<uint32_t>(a);
      Lanes<float> r;
      for (int i = 0; i < 4; ++i) r.v[i] = static_cast<float>(x.v[i]);
      store(result, r);
      break;
    }
    case O::F64x2ConvertLowI32x4S: {
      auto x = load<int32_t>(a);
      Lanes<double> r;
      for (int i = 0; i < 2; ++i) r.v[i] = static_cast<double>(x.v[i]);
      store(result, r);
      break;
    }
    case O::F64x2ConvertLowI32x4U: {
      auto x = load<uint32_t>(a);
      Lanes<double> r;
      for (int i = 0; i < 2; ++i) r.v[i] = static_cast<double>(x.v[i]);
      store(result, r);
      break;
    }
    case O::F32x4DemoteF64x2Zero: {
      auto x = load<double>(a);
      Lanes<float> r{};
      for (int i = 0; i < 2; ++i) r.v[i] = static_cast<float>(x.v[i]);
      store(result, r);
      break;
    }
    case O::F64x2PromoteLowF32x4: {
      auto x = load<float>(a);
      Lanes<double> r;
      for (int i = 0; i < 2; ++i) r.v[i] = static_cast<double>(x.v[i]);
      store(result, r);
      break;
    }
    default:
      // The compiler routes only the operators above here; anything else is a
      // Weft bug, and a wrong vector must not pass silently.
      std::abort();
  }
  std::memcpy(out, result, 16);
}

}  // namespace weft
