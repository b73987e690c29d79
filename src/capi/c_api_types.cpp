// The C API's vectors and type objects (wasm.h "Types"), and their
// conversions to and from the runtime's types (format/types.h).
#include <cstdlib>
#include <cstring>

#include "capi/c_api_objects.h"

using namespace weft;
using namespace weft::capi;

// ---- vectors -------------------------------------------------------------------
// Element arrays come from calloc, never from a throwing allocator: a failed
// allocation gives an empty vector, not an exception through C frames.
namespace {

template <typename Vec, typename Elem>
void newUninitialized(Vec* out, size_t size) {
  out->size = 0;
  out->data = nullptr;
  if (size == 0) return;
  out->data = static_cast<Elem*>(std::calloc(size, sizeof(Elem)));
  if (out->data) out->size = size;
}

template <typename Vec, typename Elem>
void newFrom(Vec* out, size_t size, const Elem* elements) {
  newUninitialized<Vec, Elem>(out, size);
  if (out->size) std::memcpy(static_cast<void*>(out->data), elements, size * sizeof(Elem));
}

template <typename Vec, typename Elem, typename CopyElement>
void copyOf(Vec* out, const Vec* from, CopyElement copyElement) {
  newUninitialized<Vec, Elem>(out, from ? from->size : 0);
  for (size_t i = 0; i < out->size; ++i) out->data[i] = copyElement(from->data[i]);
}

template <typename Vec, typename DeleteElement>
void deleteVec(Vec* vec, DeleteElement deleteElement) {
  if (!vec) return;
  for (size_t i = 0; i < vec->size && vec->data; ++i) deleteElement(vec->data[i]);
  std::free(vec->data);
  vec->data = nullptr;
  vec->size = 0;
}

}  // namespace

#define WEFT_DEFINE_VEC(name, Elem, copyElement, deleteElement)                                         \
  extern "C" void wasm_##name##_vec_new_empty(wasm_##name##_vec_t* out) {                            \
    out->size = 0;                                                                                     \
    out->data = nullptr;                                                                               \
  }                                                                                                    \
  extern "C" void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t* out, size_t size) {       \
    newUninitialized<wasm_##name##_vec_t, Elem>(out, size);                                            \
  }                                                                                                    \
  extern "C" void wasm_##name##_vec_new(wasm_##name##_vec_t* out, size_t size, Elem const elements[]) { \
    newFrom<wasm_##name##_vec_t, Elem>(out, size, elements);                                           \
  }                                                                                                    \
  extern "C" void wasm_##name##_vec_copy(wasm_##name##_vec_t* out, const wasm_##name##_vec_t* from) { \
    copyOf<wasm_##name##_vec_t, Elem>(out, from, copyElement);                                         \
  }                                                                                                    \
  extern "C" void wasm_##name##_vec_delete(wasm_##name##_vec_t* vec) { deleteVec(vec, deleteElement); }

// Vectors of objects copy their elements deeply and delete them with themselves.
#define WEFT_DEFINE_OBJECT_VEC(name)                                                                       \
  WEFT_DEFINE_VEC(                                                                                       \
      name, wasm_##name##_t*,                                                                            \
      [](wasm_##name##_t* element) { return element ? wasm_##name##_copy(element) : nullptr; },          \
      [](wasm_##name##_t* element) {                                                                     \
        if (element) wasm_##name##_delete(element);                                                      \
      })

WEFT_DEFINE_VEC(byte, wasm_byte_t, [](wasm_byte_t b) { return b; }, [](wasm_byte_t) {})
WEFT_DEFINE_VEC(
    val, wasm_val_t,
    [](const wasm_val_t& v) {
      wasm_val_t copy;
      wasm_val_copy(&copy, &v);
      return copy;
    },
    [](wasm_val_t& v) { wasm_val_delete(&v); })
WEFT_DEFINE_OBJECT_VEC(valtype)
WEFT_DEFINE_OBJECT_VEC(functype)
WEFT_DEFINE_OBJECT_VEC(globaltype)
WEFT_DEFINE_OBJECT_VEC(tabletype)
WEFT_DEFINE_OBJECT_VEC(memorytype)
WEFT_DEFINE_OBJECT_VEC(externtype)
WEFT_DEFINE_OBJECT_VEC(importtype)
WEFT_DEFINE_OBJECT_VEC(exporttype)
WEFT_DEFINE_OBJECT_VEC(frame)
WEFT_DEFINE_OBJECT_VEC(extern)

// ---- value types ------------------------------------------------------------------

extern "C" wasm_valtype_t* wasm_valtype_new(wasm_valkind_t kind) {
  auto* type = new wasm_valtype_t;
  type->kind = kind;
  return type;
}
extern "C" void wasm_valtype_delete(wasm_valtype_t* type) { delete type; }
extern "C" wasm_valtype_t* wasm_valtype_copy(const wasm_valtype_t* type) {
  return type ? wasm_valtype_new(type->kind) : nullptr;
}
extern "C" wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t* type) { return type->kind; }

// ---- function types -----------------------------------------------------------------

wasm_functype_t::~wasm_functype_t() {
  wasm_valtype_vec_delete(&params);
  wasm_valtype_vec_delete(&results);
}

extern "C" wasm_functype_t* wasm_functype_new(wasm_valtype_vec_t* params, wasm_valtype_vec_t* results) {
  auto* type = new wasm_functype_t;
  type->kind = WASM_EXTERN_FUNC;
  type->params = *params;  // taken over
  type->results = *results;
  *params = {0, nullptr};
  *results = {0, nullptr};
  return type;
}
extern "C" void wasm_functype_delete(wasm_functype_t* type) { delete type; }
extern "C" wasm_functype_t* wasm_functype_copy(const wasm_functype_t* type) {
  if (!type) return nullptr;
  auto* copy = new wasm_functype_t;
  wasm_valtype_vec_copy(&copy->params, &type->params);
  wasm_valtype_vec_copy(&copy->results, &type->results);
  return copy;
}
extern "C" const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t* type) { return &type->params; }
extern "C" const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t* type) { return &type->results; }

// ---- global, table, memory types ------------------------------------------------------

wasm_globaltype_t::~wasm_globaltype_t() { delete content; }

extern "C" wasm_globaltype_t* wasm_globaltype_new(wasm_valtype_t* content, wasm_mutability_t mutability) {
  auto* type = new wasm_globaltype_t;
  type->kind = WASM_EXTERN_GLOBAL;
  type->content = content;
  type->mutability = mutability;
  return type;
}
extern "C" void wasm_globaltype_delete(wasm_globaltype_t* type) { delete type; }
extern "C" wasm_globaltype_t* wasm_globaltype_copy(const wasm_globaltype_t* type) {
  return type ? wasm_globaltype_new(wasm_valtype_copy(type->content), type->mutability) : nullptr;
}
extern "C" const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t* type) { return type->content; }
extern "C" wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t* type) { return type->mutability; }

wasm_tabletype_t::~wasm_tabletype_t() { delete element; }

extern "C" wasm_tabletype_t* wasm_tabletype_new(wasm_valtype_t* element, const wasm_limits_t* limits) {
  auto* type = new wasm_tabletype_t;
  type->kind = WASM_EXTERN_TABLE;
  type->element = element;
  type->limits = *limits;
  return type;
}
extern "C" void wasm_tabletype_delete(wasm_tabletype_t* type) { delete type; }
extern "C" wasm_tabletype_t* wasm_tabletype_copy(const wasm_tabletype_t* type) {
  return type ? wasm_tabletype_new(wasm_valtype_copy(type->element), &type->limits) : nullptr;
}
extern "C" const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t* type) { return type->element; }
extern "C" const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t* type) { return &type->limits; }

extern "C" wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t* limits) {
  auto* type = new wasm_memorytype_t;
  type->kind = WASM_EXTERN_MEMORY;
  type->limits = *limits;
  return type;
}
extern "C" void wasm_memorytype_delete(wasm_memorytype_t* type) { delete type; }
extern "C" wasm_memorytype_t* wasm_memorytype_copy(const wasm_memorytype_t* type) {
  if (!type) return nullptr;
  wasm_memorytype_t* copy = wasm_memorytype_new(&type->limits);
  copy->shared = type->shared;
  return copy;
}
extern "C" const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t* type) { return &type->limits; }

// ---- extern types: the four above under one name ------------------------------------------

extern "C" wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t* type) { return type->kind; }
extern "C" void wasm_externtype_delete(wasm_externtype_t* type) { delete type; }
extern "C" wasm_externtype_t* wasm_externtype_copy(const wasm_externtype_t* type) {
  if (!type) return nullptr;
  switch (type->kind) {
    case WASM_EXTERN_FUNC: return wasm_functype_copy(static_cast<const wasm_functype_t*>(type));
    case WASM_EXTERN_GLOBAL: return wasm_globaltype_copy(static_cast<const wasm_globaltype_t*>(type));
    case WASM_EXTERN_TABLE: return wasm_tabletype_copy(static_cast<const wasm_tabletype_t*>(type));
    case WASM_EXTERN_MEMORY: return wasm_memorytype_copy(static_cast<const wasm_memorytype_t*>(type));
  }
  return nullptr;
}

#define WEFT_DEFINE_EXTERNTYPE_CASTS(name, KIND)                                                        \
  extern "C" wasm_externtype_t* wasm_##name##_as_externtype(wasm_##name##_t* type) { return type; }  \
  extern "C" const wasm_externtype_t* wasm_##name##_as_externtype_const(const wasm_##name##_t* type) { \
    return type;                                                                                       \
  }                                                                                                    \
  extern "C" wasm_##name##_t* wasm_externtype_as_##name(wasm_externtype_t* type) {                   \
    return type && type->kind == KIND ? static_cast<wasm_##name##_t*>(type) : nullptr;                 \
  }                                                                                                    \
  extern "C" const wasm_##name##_t* wasm_externtype_as_##name##_const(const wasm_externtype_t* type) { \
    return type && type->kind == KIND ? static_cast<const wasm_##name##_t*>(type) : nullptr;           \
  }

WEFT_DEFINE_EXTERNTYPE_CASTS(functype, WASM_EXTERN_FUNC)
WEFT_DEFINE_EXTERNTYPE_CASTS(globaltype, WASM_EXTERN_GLOBAL)
WEFT_DEFINE_EXTERNTYPE_CASTS(tabletype, WASM_EXTERN_TABLE)
WEFT_DEFINE_EXTERNTYPE_CASTS(memorytype, WASM_EXTERN_MEMORY)

// ---- import and export types ------------------------------------------------------------------

wasm_importtype_t::~wasm_importtype_t() {
  wasm_name_delete(&module);
  wasm_name_delete(&name);
  delete type;
}
wasm_exporttype_t::~wasm_exporttype_t() {
  wasm_name_delete(&name);
  delete type;
}

extern "C" wasm_importtype_t* wasm_importtype_new(wasm_name_t* module, wasm_name_t* name, wasm_externtype_t* type) {
  auto* import = new wasm_importtype_t;
  import->module = *module;
  import->name = *name;
  import->type = type;
  *module = {0, nullptr};
  *name = {0, nullptr};
  return import;
}
extern "C" void wasm_importtype_delete(wasm_importtype_t* type) { delete type; }
extern "C" wasm_importtype_t* wasm_importtype_copy(const wasm_importtype_t* type) {
  if (!type) return nullptr;
  wasm_name_t module, name;
  wasm_name_copy(&module, &type->module);
  wasm_name_copy(&name, &type->name);
  return wasm_importtype_new(&module, &name, wasm_externtype_copy(type->type));
}
extern "C" const wasm_name_t* wasm_importtype_module(const wasm_importtype_t* type) { return &type->module; }
extern "C" const wasm_name_t* wasm_importtype_name(const wasm_importtype_t* type) { return &type->name; }
extern "C" const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t* type) { return type->type; }

extern "C" wasm_exporttype_t* wasm_exporttype_new(wasm_name_t* name, wasm_externtype_t* type) {
  auto* exp = new wasm_exporttype_t;
  exp->name = *name;
  exp->type = type;
  *name = {0, nullptr};
  return exp;
}
extern "C" void wasm_exporttype_delete(wasm_exporttype_t* type) { delete type; }
extern "C" wasm_exporttype_t* wasm_exporttype_copy(const wasm_exporttype_t* type) {
  if (!type) return nullptr;
  wasm_name_t name;
  wasm_name_copy(&name, &type->name);
  return wasm_exporttype_new(&name, wasm_externtype_copy(type->type));
}
extern "C" const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t* type) { return &type->name; }
extern "C" const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t* type) { return type->type; }

// ---- conversions ------------------------------------------------------------------------------

namespace weft::capi {

wasm_valkind_t kindOf(ValType type) {
  switch (type) {
    case ValType::I32: return WASM_I32;
    case ValType::I64: return WASM_I64;
    case ValType::F32: return WASM_F32;
    case ValType::F64: return WASM_F64;
    case ValType::V128: return WEFT_V128;
    case ValType::FuncRef: return WASM_FUNCREF;
    case ValType::ExternRef: return WASM_EXTERNREF;
    case ValType::Bottom: break;
  }
  return WASM_EXTERNREF;
}

std::optional<ValType> valTypeOf(wasm_valkind_t kind) {
  switch (kind) {
    case WASM_I32: return ValType::I32;
    case WASM_I64: return ValType::I64;
    case WASM_F32: return ValType::F32;
    case WASM_F64: return ValType::F64;
    case WEFT_V128: return ValType::V128;
    case WASM_FUNCREF: return ValType::FuncRef;
    case WASM_EXTERNREF: return ValType::ExternRef;
    default: return std::nullopt;
  }
}

wasm_limits_t limitsFrom(const Limits& limits) {
  wasm_limits_t out;
  out.min = static_cast<uint32_t>(std::min<uint64_t>(limits.min, UINT32_MAX));
  out.max = limits.max ? static_cast<uint32_t>(std::min<uint64_t>(*limits.max, UINT32_MAX)) : wasm_limits_max_default;
  return out;
}

std::optional<Limits> limitsOf(const wasm_limits_t& limits) {
  Limits out;
  out.min = limits.min;
  if (limits.max != wasm_limits_max_default) out.max = limits.max;
  if (out.max && *out.max < out.min) {
    setError("limits: the maximum " + std::to_string(*out.max) + " is below the minimum " + std::to_string(out.min));
    return std::nullopt;
  }
  return out;
}

static wasm_valtype_vec_t newValTypes(const std::vector<ValType>& types) {
  wasm_valtype_vec_t vec;
  wasm_valtype_vec_new_uninitialized(&vec, types.size());
  for (size_t i = 0; i < vec.size; ++i) vec.data[i] = wasm_valtype_new(kindOf(types[i]));
  return vec;
}

wasm_functype_t* newFuncType(const FuncType& type) {
  wasm_valtype_vec_t params = newValTypes(type.params);
  wasm_valtype_vec_t results = newValTypes(type.results);
  return wasm_functype_new(&params, &results);
}

std::optional<FuncType> funcTypeOf(const wasm_functype_t& type) {
  FuncType out;
  auto convert = [](const wasm_valtype_vec_t& from, std::vector<ValType>& to) {
    for (size_t i = 0; i < from.size; ++i) {
      std::optional<ValType> t = from.data[i] ? valTypeOf(from.data[i]->kind) : std::nullopt;
      if (!t) {
        setError("function type: value type " + std::to_string(i) + " has no valid kind");
        return false;
      }
      to.push_back(*t);
    }
    return true;
  };
  if (!convert(type.params, out.params) || !convert(type.results, out.results)) return std::nullopt;
  return out;
}

wasm_externtype_t* newExternType(const ExternType& type) {
  switch (type.kind) {
    case ExternKind::Func: return newFuncType(type.func);
    case ExternKind::Global:
      return wasm_globaltype_new(wasm_valtype_new(kindOf(type.global.type)),
                                 type.global.mutable_ ? WASM_VAR : WASM_CONST);
    case ExternKind::Table: {
      wasm_limits_t limits = limitsFrom(type.table.limits);
      return wasm_tabletype_new(wasm_valtype_new(kindOf(type.table.element)), &limits);
    }
    case ExternKind::Memory: {
      wasm_limits_t limits = limitsFrom(type.memory.limits);
      wasm_memorytype_t* memory = wasm_memorytype_new(&limits);
      memory->shared = type.memory.limits.shared;
      return memory;
    }
  }
  return nullptr;
}

}  // namespace weft::capi
