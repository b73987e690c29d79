#include "runtime/extern_type.h"

namespace weft {
namespace {

ExternType typeOf(const ModuleInfo& module, ExternKind kind, uint32_t index) {
  ExternType type;
  type.kind = kind;
  switch (kind) {
    case ExternKind::Func: type.func = module.functionType(index); break;
    case ExternKind::Table: type.table = module.tables[index].type; break;
    case ExternKind::Memory: type.memory = module.memories[index].type; break;
    case ExternKind::Global: type.global = module.globals[index].type; break;
  }
  return type;
}

// Limits match when the provided size range lies within the expected one.
bool limitsMatch(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (expected.max) {
    if (!actual.max || *actual.max > *expected.max) return false;
  }
  return actual.shared == expected.shared;
}

Error mismatch(const std::string& why) {
  Error error;
  error.kind = ErrorKind::Invalid;
  error.message = "incompatible import type: " + why;
  return error;
}

}  // namespace

ExternType importType(const ModuleInfo& module, const Import& import) {
  return typeOf(module, import.kind, import.index);
}

ExternType exportType(const ModuleInfo& module, const Export& exp) { return typeOf(module, exp.kind, exp.index); }

Status checkImportMatches(const ExternType& actual, const ExternType& expected) {
  if (actual.kind != expected.kind)
    return mismatch(std::string("expected a ") + externKindName(expected.kind) + ", got a " +
                    externKindName(actual.kind));
  switch (expected.kind) {
    case ExternKind::Func:
      if (!(actual.func == expected.func)) return mismatch("function signatures differ");
      break;
    case ExternKind::Table:
      if (actual.table.element != expected.table.element) return mismatch("table element types differ");
      if (!limitsMatch(actual.table.limits, expected.table.limits)) return mismatch("table limits do not match");
      break;
    case ExternKind::Memory:
      if (!limitsMatch(actual.memory.limits, expected.memory.limits)) return mismatch("memory limits do not match");
      break;
    case ExternKind::Global:
      if (!(actual.global == expected.global)) return mismatch("global types differ");
      break;
  }
  return Ok{};
}

}  // namespace weft
