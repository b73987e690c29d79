// A table: pointer-sized elements (FuncRef* or the host's externref word; 0
// is null). Compiled code reaches it through its TableDefinition, which stays
// at one address while the element storage grows.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "format/types.h"
#include "runtime/vmctx_layout.h"

namespace weft {

class Table {
 public:
  // Tables beyond this many elements are refused, like other engines do.
  static constexpr uint32_t kMaxElements = 10'000'000;

  // Null when the minimum exceeds {maxElements}.
  static std::shared_ptr<Table> create(const TableType& type, uintptr_t init = 0, uint32_t maxElements = kMaxElements);

  ValType elementType() const { return type_.element; }
  uint32_t size() const { return definition_.length; }
  TableType currentType() const;
  uintptr_t get(uint32_t index) const { return storage_[index]; }
  void set(uint32_t index, uintptr_t value) { storage_[index] = value; }
  // Returns the old size, or -1.
  int64_t grow(uint32_t delta, uintptr_t init);
  TableDefinition* definition() { return &definition_; }
  uint64_t byteSize() const { return storage_.capacity() * sizeof(uintptr_t); }

 private:
  TableType type_;
  uint32_t elementsAllowed_ = kMaxElements;
  std::vector<uintptr_t> storage_;
  TableDefinition definition_;
};

}  // namespace weft
