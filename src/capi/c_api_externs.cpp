// The C API's values and external objects (wasm.h "Values", "Function
// Instances", "Global Instances", "Table Instances", "Memory Instances",
// "Externals"): wasm_val_t to and from the runtime's Value, host functions
// as the runtime's HostFunction, and globals, tables and memories as the
// runtime's own, so an object made here is exactly what an instance made by
// the C++ API would import or export.
#include <cstring>

#include "capi/c_api_objects.h"

using namespace weft;
using namespace weft::capi;

// ---- references crossing into and out of wasm -----------------------------------------------

namespace weft::capi {

std::shared_ptr<RefCore> coreForFunc(const std::shared_ptr<StoreState>& store, Func func) {
  const void* identity = func.ref;
  return store->coreFor(RefKind::Func, identity, store, [&](RefCore& core) { core.func = std::move(func); });
}

std::shared_ptr<RefCore> coreForExtern(const std::shared_ptr<StoreState>& store, const Extern& value) {
  switch (value.kind) {
    case ExternKind::Func: return coreForFunc(store, value.func);
    case ExternKind::Global:
      return store->coreFor(RefKind::Global, value.global->cell(), store,
                            [&](RefCore& core) { core.global = value.global; });
    case ExternKind::Table:
      return store->coreFor(RefKind::Table, value.table.get(), store, [&](RefCore& core) { core.table = value.table; });
    case ExternKind::Memory:
      return store->coreFor(RefKind::Memory, value.memory.get(), store,
                            [&](RefCore& core) { core.memory = value.memory; });
  }
  return nullptr;
}

uintptr_t anchorForWasm(StoreState& store, const std::shared_ptr<RefCore>& core, ValType type) {
  const void* key = type == ValType::FuncRef ? static_cast<const void*>(core->func.ref) : core.get();
  std::shared_ptr<RefCore> replaced;  // dies after the lock is released: its destructor takes it
  {
    std::lock_guard guard(store.lock);
    std::shared_ptr<RefCore>& slot = store.anchored[key];
    replaced = std::move(slot);
    slot = core;
  }
  return reinterpret_cast<uintptr_t>(key);
}

std::shared_ptr<RefCore> coreFromWasm(const std::shared_ptr<StoreState>& store, uintptr_t word, ValType type) {
  if (word == 0) return nullptr;
  const void* key = reinterpret_cast<const void*>(word);
  {
    std::lock_guard guard(store->lock);
    if (auto found = store->anchored.find(key); found != store->anchored.end()) {
      if (type == ValType::ExternRef && found->second.get() == key) return found->second;
      if (type == ValType::FuncRef && found->second->kind == RefKind::Func) return found->second;
    }
    if (type == ValType::ExternRef) return nullptr;  // not one of ours: never dereferenced
    if (auto found = store->byIdentity.find(key); found != store->byIdentity.end())
      if (auto core = found->second.lock()) return core;
    if (auto found = store->hostFunctions.find(static_cast<const FuncRef*>(key)); found != store->hostFunctions.end()) {
      Func func = found->second;
      auto core = std::make_shared<RefCore>();
      core->kind = RefKind::Func;
      core->store = store;
      core->func = std::move(func);
      store->byIdentity[key] = core;
      return core;
    }
  }
  // A function of an instance (ref.func, a table element): its record names
  // the instance, whose engine knows the signature.
  const auto* ref = static_cast<const FuncRef*>(key);
  Instance* owner = Instance::fromVmctx(ref->vmctx);
  if (!owner) return nullptr;
  std::shared_ptr<Instance> instance = owner->weak_from_this().lock();
  std::optional<FuncType> funcType = store->engine->signatureType(ref->sigId);
  if (!instance || !funcType) return nullptr;
  return coreForFunc(store, Func{ref, std::move(*funcType), std::move(instance)});
}

std::optional<Value> toValue(const std::shared_ptr<StoreState>& store, const wasm_val_t& value, ValType type,
                             std::string& why) {
  if (type == ValType::V128) {
    why = "v128 values cannot cross the C API";
    return std::nullopt;
  }
  std::optional<ValType> kind = valTypeOf(value.kind);
  if (kind != type) {
    why = "a value of kind " + std::to_string(value.kind) + " where " + valTypeName(type) + " is expected";
    return std::nullopt;
  }
  switch (type) {
    case ValType::I32: return Value::i32(static_cast<uint32_t>(value.of.i32));
    case ValType::I64: return Value::i64(static_cast<uint64_t>(value.of.i64));
    case ValType::F32: return Value::f32(value.of.f32);
    case ValType::F64: return Value::f64(value.of.f64);
    case ValType::FuncRef:
      if (!value.of.ref) return Value::null(ValType::FuncRef);
      if (value.of.ref->core->kind != RefKind::Func) {
        why = "a funcref value that is not a function";
        return std::nullopt;
      }
      return Value::funcRef(reinterpret_cast<const void*>(anchorForWasm(*store, value.of.ref->core, type)));
    case ValType::ExternRef:
      if (!value.of.ref) return Value::null(ValType::ExternRef);
      return Value::externRef(anchorForWasm(*store, value.of.ref->core, type));
    default: break;
  }
  why = "a value of an unknown type";
  return std::nullopt;
}

wasm_val_t fromValue(const std::shared_ptr<StoreState>& store, const Value& value) {
  wasm_val_t out;
  std::memset(&out, 0, sizeof out);
  out.kind = kindOf(value.type);
  switch (value.type) {
    case ValType::I32: out.of.i32 = static_cast<int32_t>(value.asI32()); break;
    case ValType::I64: out.of.i64 = static_cast<int64_t>(value.asI64()); break;
    case ValType::F32: out.of.f32 = value.asF32(); break;
    case ValType::F64: out.of.f64 = value.asF64(); break;
    case ValType::V128: out.of.i64 = static_cast<int64_t>(value.bits); break;  // no API form: the low half
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (auto core = coreFromWasm(store, static_cast<uintptr_t>(value.bits), value.type))
        out.of.ref = newHandle(std::move(core));
      break;
    case ValType::Bottom: break;
  }
  return out;
}

}  // namespace weft::capi

extern "C" void wasm_val_delete(wasm_val_t* value) {
  if (value && wasm_valkind_is_ref(value->kind) && value->of.ref) {
    wasm_ref_delete(value->of.ref);
    value->of.ref = nullptr;
  }
}

extern "C" void wasm_val_copy(wasm_val_t* out, const wasm_val_t* value) {
  *out = *value;
  if (wasm_valkind_is_ref(value->kind) && value->of.ref) out->of.ref = wasm_ref_copy(value->of.ref);
}

// ---- functions ------------------------------------------------------------------------------

namespace {

bool hasV128(const FuncType& type) {
  for (ValType t : type.params)
    if (t == ValType::V128) return true;
  for (ValType t : type.results)
    if (t == ValType::V128) return true;
  return false;
}

// Runs the C finalizer of a host function's environment when the function
// itself dies (the runtime drops its callback).
struct EnvironmentFinalizer {
  void* env = nullptr;
  void (*finalizer)(void*) = nullptr;
  ~EnvironmentFinalizer() {
    if (finalizer) finalizer(env);
  }
};

using Invoke = std::function<wasm_trap_t*(const wasm_val_vec_t*, wasm_val_vec_t*)>;

wasm_func_t* newHostFunc(wasm_store_t* store, const wasm_functype_t* type, Invoke invoke,
                         std::shared_ptr<EnvironmentFinalizer> environment) {
  std::optional<FuncType> funcType = type ? funcTypeOf(*type) : std::nullopt;
  if (!funcType) {
    if (!type) setError("wasm_func_new: no function type");
    return nullptr;
  }
  if (hasV128(*funcType)) {
    setError("wasm_func_new: v128 parameters and results cannot cross the C API");
    return nullptr;
  }
  std::weak_ptr<StoreState> weakStore = store->state;
  FuncType resultTypes = *funcType;
  HostCallback callback = [weakStore, invoke = std::move(invoke), environment, resultTypes](
                              Caller&, std::span<const Value> args, std::span<Value> results) -> HostOutcome {
    std::shared_ptr<StoreState> state = weakStore.lock();
    if (!state || state->closed) return HostOutcome::trapWith("host function called after its store was deleted");
    wasm_val_vec_t cArgs, cResults;
    wasm_val_vec_new_uninitialized(&cArgs, args.size());
    wasm_val_vec_new_uninitialized(&cResults, results.size());
    if (cArgs.size != args.size() || cResults.size != results.size()) {
      wasm_val_vec_delete(&cArgs);
      wasm_val_vec_delete(&cResults);
      return HostOutcome::trapWith("out of host memory calling a host function");
    }
    for (size_t i = 0; i < args.size(); ++i) cArgs.data[i] = fromValue(state, args[i]);
    for (size_t i = 0; i < results.size(); ++i) cResults.data[i].kind = kindOf(resultTypes.results[i]);
    wasm_trap_t* trap = invoke(&cArgs, &cResults);
    HostOutcome outcome = HostOutcome::ok();
    if (trap) {
      outcome = HostOutcome::trapWith(trap->core->trap.message);
      wasm_trap_delete(trap);
    } else {
      for (size_t i = 0; i < results.size(); ++i) {
        std::string why;
        std::optional<Value> value = toValue(state, cResults.data[i], resultTypes.results[i], why);
        if (!value) {
          outcome = HostOutcome::trapWith("host function result " + std::to_string(i) + ": " + why);
          break;
        }
        results[i] = *value;
      }
    }
    wasm_val_vec_delete(&cArgs);
    wasm_val_vec_delete(&cResults);
    return outcome;
  };
  Func func = makeHostFunction(*store->state->engine, *funcType, std::move(callback));
  {
    std::lock_guard guard(store->state->lock);
    store->state->hostFunctions[func.ref] = func;
  }
  return newHandleAs<wasm_func_t>(coreForFunc(store->state, std::move(func)));
}

}  // namespace

extern "C" wasm_func_t* wasm_func_new(wasm_store_t* store, const wasm_functype_t* type, wasm_func_callback_t callback) {
  return newHostFunc(
      store, type, [callback](const wasm_val_vec_t* args, wasm_val_vec_t* results) { return callback(args, results); },
      nullptr);
}

extern "C" wasm_func_t* wasm_func_new_with_env(wasm_store_t* store, const wasm_functype_t* type,
                                               wasm_func_callback_with_env_t callback, void* env,
                                               void (*finalizer)(void*)) {
  auto environment = std::make_shared<EnvironmentFinalizer>();
  environment->env = env;
  environment->finalizer = finalizer;
  wasm_func_t* func = newHostFunc(
      store, type,
      [callback, env](const wasm_val_vec_t* args, wasm_val_vec_t* results) { return callback(env, args, results); },
      environment);
  if (!func) environment->finalizer = nullptr;  // the caller keeps its environment
  return func;
}

extern "C" wasm_functype_t* wasm_func_type(const wasm_func_t* func) { return newFuncType(func->core->func.type); }
extern "C" size_t wasm_func_param_arity(const wasm_func_t* func) { return func->core->func.type.params.size(); }
extern "C" size_t wasm_func_result_arity(const wasm_func_t* func) { return func->core->func.type.results.size(); }

extern "C" wasm_trap_t* wasm_func_call(const wasm_func_t* func, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  const std::shared_ptr<StoreState>& store = func->core->store;
  const FuncType& type = func->core->func.type;
  size_t argCount = args ? args->size : 0;
  size_t resultRoom = results ? results->size : 0;
  if (argCount != type.params.size())
    return newTrapWithMessage(store, "wasm_func_call: " + std::to_string(type.params.size()) + " arguments expected, " +
                                         std::to_string(argCount) + " given");
  if (resultRoom < type.results.size())
    return newTrapWithMessage(store, "wasm_func_call: room for " + std::to_string(type.results.size()) +
                                         " results needed, " + std::to_string(resultRoom) + " given");
  // On this stack for the usual few values: a call allocates nothing of its own.
  Value inlineValues[16];
  std::vector<Value> heapValues;
  Value* values = inlineValues;
  if (argCount + type.results.size() > std::size(inlineValues)) {
    heapValues.resize(argCount + type.results.size());
    values = heapValues.data();
  }
  for (size_t i = 0; i < argCount; ++i) {
    std::string why;
    std::optional<Value> value = toValue(store, args->data[i], type.params[i], why);
    if (!value) return newTrapWithMessage(store, "wasm_func_call: argument " + std::to_string(i) + ": " + why);
    values[i] = *value;
  }
  if (hasV128(type)) return newTrapWithMessage(store, "wasm_func_call: v128 results cannot cross the C API");
  std::span<Value> out(values + argCount, type.results.size());
  Trap trap;
  std::string mismatch;
  switch (call(func->core->func, std::span<const Value>(values, argCount), out, trap, &mismatch)) {
    case CallStatus::Returned: break;
    case CallStatus::Trapped: return newTrap(store, std::move(trap));
    case CallStatus::WrongArguments: return newTrapWithMessage(store, "wasm_func_call: " + mismatch);
  }
  for (size_t i = 0; i < out.size(); ++i) results->data[i] = fromValue(store, out[i]);
  return nullptr;
}

// ---- globals ------------------------------------------------------------------------------------

extern "C" wasm_global_t* wasm_global_new(wasm_store_t* store, const wasm_globaltype_t* type, const wasm_val_t* value) {
  std::optional<ValType> content = type && type->content ? valTypeOf(type->content->kind) : std::nullopt;
  if (!content || !value) {
    setError("wasm_global_new: no valid type or value");
    return nullptr;
  }
  std::string why;
  std::optional<Value> initial = toValue(store->state, *value, *content, why);
  if (!initial) {
    setError("wasm_global_new: " + why);
    return nullptr;
  }
  GlobalType globalType;
  globalType.type = *content;
  globalType.mutable_ = type->mutability == WASM_VAR;
  Extern made = Extern::of(Global::create(globalType, *initial));
  return newHandleAs<wasm_global_t>(coreForExtern(store->state, made));
}

extern "C" wasm_globaltype_t* wasm_global_type(const wasm_global_t* global) {
  const GlobalType& type = global->core->global->type();
  return wasm_globaltype_new(wasm_valtype_new(kindOf(type.type)), type.mutable_ ? WASM_VAR : WASM_CONST);
}

extern "C" void wasm_global_get(const wasm_global_t* global, wasm_val_t* out) {
  *out = fromValue(global->core->store, global->core->global->get());
}

extern "C" void wasm_global_set(wasm_global_t* global, const wasm_val_t* value) {
  Global& target = *global->core->global;
  if (!target.type().mutable_) {
    setError("wasm_global_set: the global is immutable");
    return;
  }
  std::string why;
  std::optional<Value> converted = toValue(global->core->store, *value, target.type().type, why);
  if (!converted) {
    setError("wasm_global_set: " + why);
    return;
  }
  target.set(*converted);
}

// ---- tables --------------------------------------------------------------------------------------

namespace {

// The word a reference takes in a table of {element}s; nullopt when the
// reference cannot go there (not a function, in a funcref table).
std::optional<uintptr_t> tableWord(StoreState& store, const wasm_ref_t* ref, ValType element) {
  if (!ref) return 0;
  if (element == ValType::FuncRef && ref->core->kind != RefKind::Func) return std::nullopt;
  return anchorForWasm(store, ref->core, element);
}

}  // namespace

extern "C" wasm_table_t* wasm_table_new(wasm_store_t* store, const wasm_tabletype_t* type, wasm_ref_t* init) {
  std::optional<ValType> element = type && type->element ? valTypeOf(type->element->kind) : std::nullopt;
  if (!element || !isReference(*element)) {
    setError("wasm_table_new: the element type must be funcref or externref");
    return nullptr;
  }
  std::optional<Limits> limits = limitsOf(type->limits);
  if (!limits) return nullptr;
  std::optional<uintptr_t> initWord = tableWord(*store->state, init, *element);
  if (!initWord) {
    setError("wasm_table_new: the initial element is not a function");
    return nullptr;
  }
  const EngineConfig& config = store->state->engine->config();
  Result<std::shared_ptr<Table>> table =
      Table::create(TableType{*element, *limits}, *initWord, config.maxTableElements, store->state->engine->resourceBudget());
  if (!table) {
    setError("wasm_table_new: " + table.error().message);
    return nullptr;
  }
  return newHandleAs<wasm_table_t>(coreForExtern(store->state, Extern::of(std::move(table.value()))));
}

extern "C" wasm_tabletype_t* wasm_table_type(const wasm_table_t* table) {
  TableType type = table->core->table->currentType();
  wasm_limits_t limits = limitsFrom(type.limits);
  return wasm_tabletype_new(wasm_valtype_new(kindOf(type.element)), &limits);
}

extern "C" wasm_ref_t* wasm_table_get(const wasm_table_t* table, wasm_table_size_t index) {
  const Table& t = *table->core->table;
  if (index >= t.size()) return nullptr;
  auto core = coreFromWasm(table->core->store, t.get(index), t.elementType());
  return core ? newHandle(std::move(core)) : nullptr;
}

extern "C" bool wasm_table_set(wasm_table_t* table, wasm_table_size_t index, wasm_ref_t* ref) {
  Table& t = *table->core->table;
  if (index >= t.size()) return false;
  std::optional<uintptr_t> word = tableWord(*table->core->store, ref, t.elementType());
  if (!word) return false;
  t.set(index, *word);
  return true;
}

extern "C" wasm_table_size_t wasm_table_size(const wasm_table_t* table) { return table->core->table->size(); }

extern "C" bool wasm_table_grow(wasm_table_t* table, wasm_table_size_t delta, wasm_ref_t* init) {
  Table& t = *table->core->table;
  std::optional<uintptr_t> word = tableWord(*table->core->store, init, t.elementType());
  return word && t.grow(delta, *word) >= 0;
}

// ---- memories --------------------------------------------------------------------------------------

extern "C" wasm_memory_t* wasm_memory_new(wasm_store_t* store, const wasm_memorytype_t* type) {
  if (!type) {
    setError("wasm_memory_new: no memory type");
    return nullptr;
  }
  std::optional<Limits> limits = limitsOf(type->limits);
  if (!limits) return nullptr;
  limits->shared = type->shared;
  const EngineConfig& config = store->state->engine->config();
  Result<std::shared_ptr<LinearMemory>> memory = LinearMemory::create(
      MemoryType{*limits}, config.memoryStrategy, config.maxMemoryPages, store->state->engine->resourceBudget());
  if (!memory) {
    setError("wasm_memory_new: " + memory.error().message);
    return nullptr;
  }
  return newHandleAs<wasm_memory_t>(coreForExtern(store->state, Extern::of(std::move(memory.value()))));
}

extern "C" wasm_memorytype_t* wasm_memory_type(const wasm_memory_t* memory) {
  MemoryType type = memory->core->memory->currentType();
  wasm_limits_t limits = limitsFrom(type.limits);
  wasm_memorytype_t* out = wasm_memorytype_new(&limits);
  out->shared = type.limits.shared;
  return out;
}

extern "C" byte_t* wasm_memory_data(wasm_memory_t* memory) {
  return reinterpret_cast<byte_t*>(memory->core->memory->data());
}
extern "C" size_t wasm_memory_data_size(const wasm_memory_t* memory) { return memory->core->memory->byteLength(); }
extern "C" wasm_memory_pages_t wasm_memory_size(const wasm_memory_t* memory) {
  return static_cast<wasm_memory_pages_t>(memory->core->memory->pages());
}
extern "C" bool wasm_memory_grow(wasm_memory_t* memory, wasm_memory_pages_t delta) {
  return memory->core->memory->grow(delta) >= 0;
}

// ---- externals -------------------------------------------------------------------------------------

extern "C" wasm_externkind_t wasm_extern_kind(const wasm_extern_t* value) {
  switch (value->core->kind) {
    case RefKind::Global: return WASM_EXTERN_GLOBAL;
    case RefKind::Table: return WASM_EXTERN_TABLE;
    case RefKind::Memory: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_FUNC;
  }
}

extern "C" wasm_externtype_t* wasm_extern_type(const wasm_extern_t* value) {
  switch (value->core->kind) {
    case RefKind::Global: return wasm_global_type(static_cast<const wasm_global_t*>(value));
    case RefKind::Table: return wasm_table_type(static_cast<const wasm_table_t*>(value));
    case RefKind::Memory: return wasm_memory_type(static_cast<const wasm_memory_t*>(value));
    default: return wasm_func_type(static_cast<const wasm_func_t*>(value));
  }
}

#define WEFT_DEFINE_EXTERN_CASTS(name, KIND)                                                                \
  extern "C" wasm_extern_t* wasm_##name##_as_extern(wasm_##name##_t* handle) { return handle; }           \
  extern "C" const wasm_extern_t* wasm_##name##_as_extern_const(const wasm_##name##_t* handle) {          \
    return handle;                                                                                          \
  }                                                                                                         \
  extern "C" wasm_##name##_t* wasm_extern_as_##name(wasm_extern_t* handle) {                              \
    return handle && handle->core->kind == KIND ? static_cast<wasm_##name##_t*>(handle) : nullptr;          \
  }                                                                                                         \
  extern "C" const wasm_##name##_t* wasm_extern_as_##name##_const(const wasm_extern_t* handle) {          \
    return handle && handle->core->kind == KIND ? static_cast<const wasm_##name##_t*>(handle) : nullptr;    \
  }

WEFT_DEFINE_EXTERN_CASTS(func, RefKind::Func)
WEFT_DEFINE_EXTERN_CASTS(global, RefKind::Global)
WEFT_DEFINE_EXTERN_CASTS(table, RefKind::Table)
WEFT_DEFINE_EXTERN_CASTS(memory, RefKind::Memory)
