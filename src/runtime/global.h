// A global variable: a typed 8-byte cell. A module's own globals live in its
// vmctx; a Global handle for one of them points into that vmctx and keeps the
// instance alive. Host-created globals own their cell.
#pragma once

#include <cstdint>
#include <memory>

#include "format/types.h"
#include "runtime/value.h"

namespace weft {

class Global {
 public:
  static std::shared_ptr<Global> create(GlobalType type, Value init) {
    auto global = std::make_shared<Global>();
    global->type_ = type;
    global->own_[0] = init.bits;
    global->own_[1] = init.high;
    global->cell_ = global->own_;
    return global;
  }
  static std::shared_ptr<Global> view(GlobalType type, uint64_t* cell, std::shared_ptr<void> owner) {
    auto global = std::make_shared<Global>();
    global->type_ = type;
    global->cell_ = cell;
    global->owner_ = std::move(owner);
    return global;
  }

  const GlobalType& type() const { return type_; }
  Value get() const {
    ValType t = type_.type;
    if (t == ValType::V128) return Value::v128(cell_[0], cell_[1]);
    return {t, t == ValType::I32 || t == ValType::F32 ? (*cell_ & 0xffffffffu) : *cell_};
  }
  void set(Value value) {
    cell_[0] = value.bits;
    if (type_.type == ValType::V128) cell_[1] = value.high;
  }
  uint64_t* cell() const { return cell_; }

 private:
  GlobalType type_;
  alignas(16) uint64_t own_[2] = {0, 0};
  uint64_t* cell_ = nullptr;
  std::shared_ptr<void> owner_;
};

}  // namespace weft
