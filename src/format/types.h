// WebAssembly's types as Weft represents them after decoding.
//
// A {ValType} is its own binary encoding, so decoding a value type is a range
// check. {ValType::Bottom} never appears in a module: it is the validator's
// "unknown" operand produced by unreachable code (the polymorphic stack).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace weft {

enum class ValType : uint8_t {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
  Bottom = 0x00,
};

inline bool isReference(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
inline bool isNumericOrVector(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64 ||
         t == ValType::V128;
}
const char* valTypeName(ValType t);

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;

  bool operator==(const FuncType&) const = default;
};

// Sizes of tables (elements) and memories (64 KiB pages).
struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;  // threads proposal; memories only
};

struct TableType {
  ValType element = ValType::FuncRef;
  Limits limits;
};

struct MemoryType {
  Limits limits;
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mutable_ = false;

  bool operator==(const GlobalType&) const = default;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char* externKindName(ExternKind kind);

constexpr uint32_t kPageSize = 65536;
constexpr uint64_t kMaxMemory32Pages = 65536;  // 4 GiB

}  // namespace weft
