#include "runtime/value.h"

#include <cstdio>

namespace weft {

std::string Value::describe() const {
  char text[64];
  switch (type) {
    case ValType::I32: std::snprintf(text, sizeof text, "i32:%u", asI32()); break;
    case ValType::I64: std::snprintf(text, sizeof text, "i64:%llu", static_cast<unsigned long long>(bits)); break;
    case ValType::F32: std::snprintf(text, sizeof text, "f32:%g (0x%08x)", static_cast<double>(asF32()), asI32()); break;
    case ValType::F64: std::snprintf(text, sizeof text, "f64:%g (0x%016llx)", asF64(), static_cast<unsigned long long>(bits)); break;
    case ValType::FuncRef: std::snprintf(text, sizeof text, bits ? "funcref:%llx" : "funcref:null", static_cast<unsigned long long>(bits)); break;
    case ValType::ExternRef: std::snprintf(text, sizeof text, bits ? "externref:%llu" : "externref:null", static_cast<unsigned long long>(bits)); break;
    case ValType::V128:
      std::snprintf(text, sizeof text, "v128:0x%016llx%016llx", static_cast<unsigned long long>(high),
                    static_cast<unsigned long long>(bits));
      break;
    default: std::snprintf(text, sizeof text, "%s", valTypeName(type));
  }
  return text;
}

}  // namespace weft
