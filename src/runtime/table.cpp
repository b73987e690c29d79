#include "runtime/table.h"

namespace weft {

std::shared_ptr<Table> Table::create(const TableType& type, uintptr_t init, uint32_t maxElements) {
  if (type.limits.min > maxElements) return nullptr;
  auto table = std::make_shared<Table>();
  table->type_ = type;
  table->elementsAllowed_ = maxElements;
  table->storage_.assign(type.limits.min, init);
  table->definition_.elements = table->storage_.data();
  table->definition_.length = static_cast<uint32_t>(type.limits.min);
  return table;
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
  storage_.resize(old + delta, init);
  definition_.elements = storage_.data();
  definition_.length = static_cast<uint32_t>(old + delta);
  return static_cast<int64_t>(old);
}

}  // namespace weft
