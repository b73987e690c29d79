#include "cli/values.h"

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace weft::cli {
namespace {

// An integer of {bits} bits: unsigned up to 2^bits - 1, or signed down to -2^(bits-1).
std::optional<uint64_t> parseInteger(const std::string& text, unsigned bits) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  if (text[0] == '-') {
    long long v = std::strtoll(text.c_str(), &end, 0);
    if (*end || errno) return std::nullopt;
    if (bits < 64 && v < -(static_cast<long long>(1) << (bits - 1))) return std::nullopt;
    return static_cast<uint64_t>(v) & mask;
  }
  if (text[0] == '+' || text[0] == ' ') return std::nullopt;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (*end || errno || v > mask) return std::nullopt;
  return v;
}

// A float of type T: strtof for float (strtod then a cast could round twice).
template <typename T>
std::optional<T> parseFloat(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  T v;
  if constexpr (sizeof(T) == 4) v = std::strtof(text.c_str(), &end);
  else v = std::strtod(text.c_str(), &end);
  if (*end) return std::nullopt;
  return v;
}

std::vector<std::string> splitLanes(const std::string& text) {
  std::vector<std::string> lanes;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    lanes.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return lanes;
    start = comma + 1;
  }
}

std::optional<Value> parseV128(const std::string& text) {
  uint8_t bytes[16] = {};
  if (text.size() == 34 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    for (int i = 0; i < 16; ++i) {  // most significant byte first
      unsigned byte;
      if (std::sscanf(text.c_str() + 2 + 2 * i, "%2x", &byte) != 1 || !std::isxdigit(text[2 + 2 * i]) ||
          !std::isxdigit(text[3 + 2 * i]))
        return std::nullopt;
      bytes[15 - i] = static_cast<uint8_t>(byte);
    }
  } else {
    size_t colon = text.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string shape = text.substr(0, colon);
    std::vector<std::string> lanes = splitLanes(text.substr(colon + 1));
    struct Shape {
      const char* name;
      unsigned laneBits;
      bool isFloat;
    };
    static const Shape kShapes[] = {{"i8x16", 8, false},  {"i16x8", 16, false}, {"i32x4", 32, false},
                                    {"i64x2", 64, false}, {"f32x4", 32, true},  {"f64x2", 64, true}};
    const Shape* found = nullptr;
    for (const Shape& s : kShapes)
      if (shape == s.name) found = &s;
    if (!found || lanes.size() != 128 / found->laneBits) return std::nullopt;
    unsigned laneBytes = found->laneBits / 8;
    for (size_t i = 0; i < lanes.size(); ++i) {
      uint64_t laneBits;
      if (found->isFloat && found->laneBits == 32) {
        std::optional<float> v = parseFloat<float>(lanes[i]);
        if (!v) return std::nullopt;
        uint32_t b;
        std::memcpy(&b, &*v, 4);
        laneBits = b;
      } else if (found->isFloat) {
        std::optional<double> v = parseFloat<double>(lanes[i]);
        if (!v) return std::nullopt;
        std::memcpy(&laneBits, &*v, 8);
      } else {
        std::optional<uint64_t> v = parseInteger(lanes[i], found->laneBits);
        if (!v) return std::nullopt;
        laneBits = *v;
      }
      std::memcpy(bytes + i * laneBytes, &laneBits, laneBytes);  // little endian
    }
  }
  uint64_t low, high;
  std::memcpy(&low, bytes, 8);
  std::memcpy(&high, bytes + 8, 8);
  return Value::v128(low, high);
}

}  // namespace

std::optional<Value> parseValue(const std::string& text, ValType type) {
  switch (type) {
    case ValType::I32: {
      std::optional<uint64_t> v = parseInteger(text, 32);
      if (!v) return std::nullopt;
      return Value::i32(static_cast<uint32_t>(*v));
    }
    case ValType::I64: {
      std::optional<uint64_t> v = parseInteger(text, 64);
      if (!v) return std::nullopt;
      return Value::i64(*v);
    }
    case ValType::F32: {
      std::optional<float> v = parseFloat<float>(text);
      if (!v) return std::nullopt;
      return Value::f32(*v);
    }
    case ValType::F64: {
      std::optional<double> v = parseFloat<double>(text);
      if (!v) return std::nullopt;
      return Value::f64(*v);
    }
    case ValType::V128: return parseV128(text);
    default: return std::nullopt;  // references cannot be written on a command line
  }
}

std::string formatValue(const Value& value) {
  char text[64];
  switch (value.type) {
    case ValType::I32: std::snprintf(text, sizeof text, "%d", static_cast<int32_t>(value.asI32())); break;
    case ValType::I64: std::snprintf(text, sizeof text, "%" PRId64, static_cast<int64_t>(value.asI64())); break;
    case ValType::F32: std::snprintf(text, sizeof text, "%.9g", static_cast<double>(value.asF32())); break;
    case ValType::F64: std::snprintf(text, sizeof text, "%.17g", value.asF64()); break;
    case ValType::V128:
      std::snprintf(text, sizeof text, "0x%016" PRIx64 "%016" PRIx64, value.high, value.bits);
      break;
    default: return value.describe();
  }
  return text;
}

}  // namespace weft::cli
