#include "runtime/table.h"

#include <algorithm>
#include <cstdlib>

namespace weft {
namespace {

Error tooLarge(std::string message) { return makeError(ErrorKind::LimitExceeded, std::move(message)); }

}  // namespace

Result<std::shared_ptr<Table>> Table::create(const TableType& type, uintptr_t init, uint32_t maxElements,
                                             std::shared_ptr<ResourceBudget> budget) {
  uint64_t elements = type.limits.min;
  std::string what = "a table of " + std::to_string(elements) + " elements (" +
                     std::to_string(elements * sizeof(uintptr_t)) + " bytes)";
  if (elements > maxElements)
    return tooLarge(what + " exceeds the engine's limit of " + std::to_string(maxElements) + " elements per table");
  std::shared_ptr<Table> table(new Table());
  table->type_ = type;
  table->elementsAllowed_ = maxElements;
  table->budget_ = std::move(budget);
  if (table->budget_) {  // asked first only to name the reason
    if (!table->budget_->take(elements * sizeof(uintptr_t)))
      return tooLarge(what + " exceeds " + table->budget_->describe());
    table->budget_->give(elements * sizeof(uintptr_t));
  }
  if (!table->reserve(elements)) return tooLarge("cannot allocate " + what + ": out of host memory");
  if (init) std::fill_n(table->storage_, elements, init);
  table->definition_.elements = table->storage_;
  table->definition_.length = static_cast<uint32_t>(elements);
  return table;
}

Table::~Table() {
  std::free(storage_);
  if (budget_) budget_->give(capacity_ * sizeof(uintptr_t));
}

bool Table::reserve(uint64_t elements) {
  if (elements <= capacity_) return true;
  // Geometric growth keeps repeated table.grow by one cheap; when that much
  // does not fit, exactly what was asked for may still.
  uint64_t limit = type_.limits.max ? std::min<uint64_t>(*type_.limits.max, elementsAllowed_) : elementsAllowed_;
  uint64_t generous = std::min(std::max(elements, capacity_ + capacity_ / 2), std::max(limit, elements));
  for (uint64_t want : {generous, elements}) {
    uint64_t extraBytes = (want - capacity_) * sizeof(uintptr_t);
    if (budget_ && !budget_->take(extraBytes)) continue;
    // calloc for a first allocation: big zeroed blocks come as untouched pages.
    void* moved = storage_ ? std::realloc(storage_, want * sizeof(uintptr_t)) : std::calloc(want, sizeof(uintptr_t));
    if (!moved) {
      if (budget_) budget_->give(extraBytes);
      continue;
    }
    storage_ = static_cast<uintptr_t*>(moved);
    capacity_ = want;
    return true;
  }
  return false;
}

TableType Table::currentType() const {
  TableType type = type_;
  type.limits.min = size();
  return type;
}

int64_t Table::grow(uint32_t delta, uintptr_t init) {
  uint64_t old = size();
  uint64_t limit = type_.limits.max ? std::min<uint64_t>(*type_.limits.max, elementsAllowed_) : elementsAllowed_;
  if (old + delta > limit) return -1;
  bool freshlyZeroed = storage_ == nullptr;  // reserve() callocs the first block
  if (!reserve(old + delta)) return -1;
  if (init || !freshlyZeroed) std::fill(storage_ + old, storage_ + old + delta, init);
  definition_.elements = storage_;
  definition_.length = static_cast<uint32_t>(old + delta);
  return static_cast<int64_t>(old);
}

}  // namespace weft
