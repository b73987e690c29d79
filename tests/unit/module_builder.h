// Test helper: assembles small binary modules inline, byte by byte, so unit
// tests state exactly the encoding they exercise.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace weft::test {

using Bytes = std::vector<uint8_t>;

inline void appendU32(Bytes& out, uint32_t value) {
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    if (value) byte |= 0x80;
    out.push_back(byte);
  } while (value);
}

// Signed LEB128, as i32.const and segment offsets hold it.
inline void appendS32(Bytes& out, int32_t value) {
  int64_t rest = value;
  for (bool more = true; more;) {
    uint8_t byte = rest & 0x7f;
    rest >>= 7;
    more = !((rest == 0 && !(byte & 0x40)) || (rest == -1 && (byte & 0x40)));
    out.push_back(more ? byte | 0x80 : byte);
  }
}

inline Bytes u32(uint32_t value) {
  Bytes out;
  appendU32(out, value);
  return out;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// A section: id, size, payload.
inline Bytes section(uint8_t id, const Bytes& payload) {
  Bytes out{id};
  appendU32(out, static_cast<uint32_t>(payload.size()));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// A vector: count, then the items already encoded.
inline Bytes vec(std::initializer_list<Bytes> items) {
  Bytes out = u32(static_cast<uint32_t>(items.size()));
  for (const Bytes& item : items) out.insert(out.end(), item.begin(), item.end());
  return out;
}

inline Bytes header() { return {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}; }

inline Bytes funcType(Bytes params, Bytes results) {
  Bytes out{0x60};
  appendU32(out, static_cast<uint32_t>(params.size()));
  out.insert(out.end(), params.begin(), params.end());
  appendU32(out, static_cast<uint32_t>(results.size()));
  out.insert(out.end(), results.begin(), results.end());
  return out;
}

// A function body: local groups (already encoded, with their count) then code.
inline Bytes body(const Bytes& locals, const Bytes& code) {
  Bytes content = cat({locals, code});
  Bytes out = u32(static_cast<uint32_t>(content.size()));
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

// A module with one function of type {type} and body {code} (no locals), plus
// any extra sections placed between the function and code sections.
inline Bytes singleFunctionModule(const Bytes& type, const Bytes& code, const Bytes& extraSections = {}) {
  return cat({header(), section(1, vec({type})), section(3, vec({u32(0)})), extraSections,
              section(10, vec({body(u32(0), code)}))});
}

constexpr uint8_t I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b, FUNCREF = 0x70, EXTERNREF = 0x6f;

}  // namespace weft::test
