// Values crossing the embedding API: a type and its bits. References are
// pointer-sized: a funcref is a FuncRef* (null is 0), an externref is the
// host's own opaque word (null is 0).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "format/types.h"

namespace weft {

struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;  // i32 and f32 zero-extended; v128: the low 8 bytes
  uint64_t high = 0;  // v128: the high 8 bytes

  static Value i32(uint32_t v) { return {ValType::I32, v}; }
  static Value i64(uint64_t v) { return {ValType::I64, v}; }
  static Value f32(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return {ValType::F32, b};
  }
  static Value f64(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return {ValType::F64, b};
  }
  static Value f32Bits(uint32_t b) { return {ValType::F32, b}; }
  static Value f64Bits(uint64_t b) { return {ValType::F64, b}; }
  static Value externRef(uintptr_t v) { return {ValType::ExternRef, v}; }
  static Value funcRef(const void* ref) { return {ValType::FuncRef, reinterpret_cast<uintptr_t>(ref)}; }
  static Value null(ValType refType) { return {refType, 0}; }
  static Value v128(uint64_t low, uint64_t highBits) { return {ValType::V128, low, highBits}; }


  uint32_t asI32() const { return static_cast<uint32_t>(bits); }
  uint64_t asI64() const { return bits; }
  float asF32() const {
    float f;
    uint32_t b = static_cast<uint32_t>(bits);
    std::memcpy(&f, &b, 4);
    return f;
  }
  double asF64() const {
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }

  bool operator==(const Value&) const = default;
  std::string describe() const;  // "i32:42"
};

}  // namespace weft
