// Something one instance exports and another imports.
#pragma once

#include <memory>

#include "runtime/extern_type.h"
#include "runtime/func.h"
#include "runtime/global.h"
#include "runtime/linear_memory.h"
#include "runtime/table.h"

namespace weft {

struct Extern {
  ExternKind kind = ExternKind::Func;
  Func func;
  std::shared_ptr<Table> table;
  std::shared_ptr<LinearMemory> memory;
  std::shared_ptr<Global> global;

  static Extern of(Func f) { Extern e; e.kind = ExternKind::Func; e.func = std::move(f); return e; }
  static Extern of(std::shared_ptr<Table> t) { Extern e; e.kind = ExternKind::Table; e.table = std::move(t); return e; }
  static Extern of(std::shared_ptr<LinearMemory> m) { Extern e; e.kind = ExternKind::Memory; e.memory = std::move(m); return e; }
  static Extern of(std::shared_ptr<Global> g) { Extern e; e.kind = ExternKind::Global; e.global = std::move(g); return e; }

  // The type as it is now (current sizes of memories and tables).
  ExternType type() const {
    ExternType t;
    t.kind = kind;
    switch (kind) {
      case ExternKind::Func: t.func = func.type; break;
      case ExternKind::Table: t.table = table->currentType(); break;
      case ExternKind::Memory: t.memory = memory->currentType(); break;
      case ExternKind::Global: t.global = global->type(); break;
    }
    return t;
  }
};

}  // namespace weft
