// A table: pointer-sized elements (FuncRef* or the host's externref word; 0
// is null). Compiled code reaches it through its TableDefinition, which stays
// at one address while the element storage grows.
//
// Element storage comes from malloc/realloc, never from a throwing allocator:
// table.grow runs inside a helper called by compiled code, and a growth that
// the host cannot satisfy (or that the engine's budget refuses) returns -1.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "format/types.h"
#include "runtime/resource_budget.h"
#include "abi/vmctx_layout.h"
#include "support/error.h"

namespace weft {

class Table {
 public:
  // Tables beyond this many elements are refused, like other engines do.
  static constexpr uint32_t kMaxElements = 10'000'000;

  // A LimitExceeded error when the minimum exceeds {maxElements}, the budget
  // refuses its bytes, or the host cannot allocate them.
  static Result<std::shared_ptr<Table>> create(const TableType& type, uintptr_t init = 0,
                                               uint32_t maxElements = kMaxElements,
                                               std::shared_ptr<ResourceBudget> budget = nullptr);
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  ValType elementType() const { return type_.element; }
  uint32_t size() const { return definition_.length; }
  TableType currentType() const;
  uintptr_t get(uint32_t index) const { return storage_[index]; }
  void set(uint32_t index, uintptr_t value) { storage_[index] = value; }
  // Returns the old size, or -1 (past the maximum, the engine's limits, or
  // out of host memory).
  int64_t grow(uint32_t delta, uintptr_t init);
  TableDefinition* definition() { return &definition_; }
  uint64_t byteSize() const { return capacity_ * sizeof(uintptr_t); }

 private:
  Table() = default;
  // Makes room for {elements}; false if the budget or the host refuses.
  bool reserve(uint64_t elements);

  TableType type_;
  uint32_t elementsAllowed_ = kMaxElements;
  uintptr_t* storage_ = nullptr;
  uint64_t capacity_ = 0;
  std::shared_ptr<ResourceBudget> budget_;
  TableDefinition definition_;
};

}  // namespace weft
