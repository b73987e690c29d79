// The types of the things a module imports and exports, and the rule that says
// when an export may satisfy an import (the spec's "import matching"). The
// linker of the runtime and the spec-test runner both decide linking with it.
#pragma once

#include <string>

#include "format/module_info.h"
#include "support/error.h"

namespace weft {

struct ExternType {
  ExternKind kind = ExternKind::Func;
  FuncType func;
  TableType table;
  MemoryType memory;
  GlobalType global;
};

ExternType importType(const ModuleInfo& module, const Import& import);
ExternType exportType(const ModuleInfo& module, const Export& exp);

// Whether {actual} (what is provided) matches {expected} (what the import
// declares). On mismatch the error says why ("incompatible import type").
Status checkImportMatches(const ExternType& actual, const ExternType& expected);

}  // namespace weft
