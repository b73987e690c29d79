#include "format/module_info.h"

#include <algorithm>

namespace weft {

const char* valTypeName(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
    case ValType::Bottom: return "<unknown>";
  }
  return "<bad type>";
}

const char* externKindName(ExternKind kind) {
  switch (kind) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "<bad kind>";
}

namespace {

const std::string* findName(const std::vector<NameAssoc>& sorted, uint32_t index) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), index,
                             [](const NameAssoc& a, uint32_t wanted) { return a.index < wanted; });
  if (it == sorted.end() || it->index != index) return nullptr;
  return &it->name;
}

}  // namespace

const std::string* ModuleInfo::functionName(uint32_t functionIndex) const {
  return findName(names.functionNames, functionIndex);
}

const std::string* ModuleInfo::exportedFunctionName(uint32_t functionIndex) const {
  return findName(exportedFunctionNames, functionIndex);
}

}  // namespace weft
