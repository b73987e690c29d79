// The C API's environment and references (wasm.h "Runtime Environment",
// "References", "Frames", "Traps", "Foreign Objects"), with weft.h's
// settings and reports: configs become EngineConfig, engines are Engines,
// and every handle is a RefCore (c_api_objects.h says how they live).
#include <cstring>

#include "capi/c_api_objects.h"
#include "runtime/code_cache.h"

using namespace weft;
using namespace weft::capi;

// ---- the last error -----------------------------------------------------------------

namespace {
thread_local std::string lastError;
}

namespace weft::capi {
void setError(std::string message) { lastError = std::move(message); }
void clearError() { lastError.clear(); }
}  // namespace weft::capi

extern "C" const char* weft_error_message(void) { return lastError.c_str(); }
extern "C" const char* weft_version(void) { return engineBuildId(); }

// ---- configs and engines ----------------------------------------------------------------

extern "C" wasm_config_t* wasm_config_new(void) { return new wasm_config_t; }
extern "C" void wasm_config_delete(wasm_config_t* config) { delete config; }

extern "C" void weft_config_memory_strategy(wasm_config_t* config, weft_memory_strategy_t strategy) {
  config->config.memoryStrategy =
      strategy == WEFT_MEMORY_BOUNDS_CHECKED ? MemoryStrategy::BoundsChecked : MemoryStrategy::Guard;
}
extern "C" void weft_config_tier(wasm_config_t* config, weft_tier_t tier) {
  config->config.tier = tier == WEFT_TIER_BASELINE     ? Tier::Baseline
                        : tier == WEFT_TIER_OPTIMIZING ? Tier::Optimizing
                                                       : Tier::Tiered;
}
extern "C" void weft_config_cache_directory(wasm_config_t* config, const char* directory) {
  config->config.cacheDirectory = directory ? directory : "";
}
extern "C" void weft_config_compile_threads(wasm_config_t* config, uint32_t threads) {
  config->config.compileThreads = threads;
}
extern "C" void weft_config_max_memory_pages(wasm_config_t* config, uint64_t pages) {
  config->config.maxMemoryPages = pages;
}
extern "C" void weft_config_max_table_elements(wasm_config_t* config, uint32_t elements) {
  config->config.maxTableElements = elements;
}
extern "C" void weft_config_resource_budget(wasm_config_t* config, uint64_t bytes) {
  config->config.resourceBudgetBytes = bytes;
}
extern "C" void weft_config_max_instances(wasm_config_t* config, uint32_t instances) {
  config->config.maxInstances = instances;
}
extern "C" void weft_config_max_wasm_stack(wasm_config_t* config, uint64_t bytes) {
  config->config.maxWasmStackBytes = bytes;
}
extern "C" void weft_config_memory_pool(wasm_config_t* config, uint32_t slots, uint64_t keepResidentBytes) {
  config->config.memoryPoolSlots = slots;
  config->config.memoryPoolKeepResidentBytes = keepResidentBytes;
}
extern "C" void weft_config_consume_fuel(wasm_config_t* config, bool enabled, uint64_t initialFuel) {
  config->config.consumeFuel = enabled;
  config->config.initialFuel = initialFuel;
}

extern "C" wasm_engine_t* wasm_engine_new(void) { return wasm_engine_new_with_config(wasm_config_new()); }
extern "C" wasm_engine_t* wasm_engine_new_with_config(wasm_config_t* config) {
  auto* engine = new wasm_engine_t;
  engine->engine = std::make_shared<Engine>(config->config);
  delete config;
  return engine;
}
extern "C" void wasm_engine_delete(wasm_engine_t* engine) { delete engine; }

extern "C" void weft_engine_interrupt(wasm_engine_t* engine) { engine->engine->interrupt(); }
extern "C" void weft_engine_clear_interrupt(wasm_engine_t* engine) { engine->engine->clearInterrupt(); }

extern "C" void weft_engine_memory_report(const wasm_engine_t* engine, weft_memory_report_t* out) {
  EngineMemoryUsage usage = engine->engine->memoryUsage();
  out->code = usage.code;
  out->metadata = usage.metadata;
  out->instance_data = usage.instanceData;
  out->linear_memory = usage.linearMemory;
  out->linear_memory_reserved = usage.linearMemoryReserved;
  out->tables = usage.tables;
  out->modules = usage.modules;
  out->instances = usage.instances;
  out->pooled_memories = usage.pooledMemories;
  out->pooled_memory_bytes = usage.pooledMemoryBytes;
}

// ---- stores --------------------------------------------------------------------------------

extern "C" wasm_store_t* wasm_store_new(wasm_engine_t* engine) {
  auto* store = new wasm_store_t;
  store->state = std::make_shared<StoreState>();
  store->state->engine = engine->engine;
  return store;
}

extern "C" void wasm_store_delete(wasm_store_t* store) {
  if (!store) return;
  // What wasm was given dies with the store; its finalizers run now, outside
  // the lock (a finalizer may delete handles of this store).
  std::unordered_map<const void*, std::shared_ptr<RefCore>> anchored;
  std::unordered_map<const FuncRef*, Func> hostFunctions;
  {
    std::lock_guard guard(store->state->lock);
    store->state->closed = true;
    anchored.swap(store->state->anchored);
    hostFunctions.swap(store->state->hostFunctions);
  }
  anchored.clear();
  hostFunctions.clear();
  delete store;
}

// ---- reference cores ---------------------------------------------------------------------

namespace weft::capi {

const void* RefCore::identity() const {
  switch (kind) {
    case RefKind::Func: return func.ref;
    case RefKind::Global: return global ? static_cast<const void*>(global->cell()) : nullptr;
    case RefKind::Table: return table.get();
    case RefKind::Memory: return memory.get();
    case RefKind::Instance: return instance.get();
    case RefKind::Module: return module.get();
    case RefKind::Trap:
    case RefKind::Foreign: return nullptr;
  }
  return nullptr;
}

RefCore::~RefCore() {
  if (const void* object = identity(); object && store) store->forget(object);
  if (finalizer) finalizer(hostInfo);
}

void StoreState::forget(const void* object) {
  std::lock_guard guard(lock);
  auto found = byIdentity.find(object);
  if (found != byIdentity.end() && found->second.expired()) byIdentity.erase(found);
}

wasm_ref_t* newHandle(std::shared_ptr<RefCore> core) {
  wasm_ref_t* handle = nullptr;
  switch (core->kind) {
    case RefKind::Func: handle = new wasm_func_t; break;
    case RefKind::Global: handle = new wasm_global_t; break;
    case RefKind::Table: handle = new wasm_table_t; break;
    case RefKind::Memory: handle = new wasm_memory_t; break;
    case RefKind::Instance: handle = new wasm_instance_t; break;
    case RefKind::Module: handle = new wasm_module_t; break;
    case RefKind::Trap: handle = new wasm_trap_t; break;
    case RefKind::Foreign: handle = new wasm_foreign_t; break;
  }
  handle->core = std::move(core);
  return handle;
}

std::shared_ptr<RefCore> coreForInstance(const std::shared_ptr<StoreState>& store, std::shared_ptr<Instance> instance) {
  const void* identity = instance.get();
  return store->coreFor(RefKind::Instance, identity, store,
                        [&](RefCore& core) { core.instance = std::move(instance); });
}

wasm_trap_t* newTrap(const std::shared_ptr<StoreState>& store, Trap trap) {
  auto core = store->coreFor(RefKind::Trap, nullptr, store, [&](RefCore& c) {
    for (const TrapFrame& frame : trap.backtrace) {
      size_t functionOffset = 0;
      if (frame.instance) {
        const ModuleInfo& info = frame.instance->module().info();
        if (frame.functionIndex < info.functions.size() && !info.functions[frame.functionIndex].imported &&
            frame.bytecodeOffset >= info.functions[frame.functionIndex].body.offset)
          functionOffset = frame.bytecodeOffset - info.functions[frame.functionIndex].body.offset;
      }
      c.frameInstances.push_back(frame.instance ? frame.instance->weak_from_this() : std::weak_ptr<Instance>());
      c.frameFunctionOffsets.push_back(functionOffset);
    }
    c.trap = std::move(trap);
  });
  return newHandleAs<wasm_trap_t>(std::move(core));
}

wasm_trap_t* newTrapWithMessage(const std::shared_ptr<StoreState>& store, std::string message) {
  Trap trap;
  trap.kind = TrapKind::HostTrap;
  trap.message = std::move(message);
  return newTrap(store, std::move(trap));
}

}  // namespace weft::capi

// What every reference kind has: copy, same, host info, and (but for wasm_ref_t
// itself) the views as wasm_ref_t.
#define WEFT_DEFINE_REF_BASE(name)                                                                       \
  extern "C" void wasm_##name##_delete(wasm_##name##_t* handle) { delete handle; }                      \
  extern "C" wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t* handle) {                     \
    return handle ? static_cast<wasm_##name##_t*>(newHandle(handle->core)) : nullptr;                   \
  }                                                                                                     \
  extern "C" bool wasm_##name##_same(const wasm_##name##_t* a, const wasm_##name##_t* b) {             \
    if (!a || !b) return a == b;                                                                        \
    if (a->core == b->core) return true;                                                                \
    const void* identity = a->core->identity();                                                         \
    return identity && a->core->kind == b->core->kind && identity == b->core->identity();               \
  }                                                                                                     \
  extern "C" void* wasm_##name##_get_host_info(const wasm_##name##_t* handle) {                       \
    return handle->core->hostInfo;                                                                      \
  }                                                                                                     \
  extern "C" void wasm_##name##_set_host_info(wasm_##name##_t* handle, void* info) {                  \
    handle->core->hostInfo = info;                                                                      \
    handle->core->finalizer = nullptr;                                                                  \
  }                                                                                                     \
  extern "C" void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t* handle, void* info,     \
                                                            void (*finalizer)(void*)) {                \
    handle->core->hostInfo = info;                                                                      \
    handle->core->finalizer = finalizer;                                                                \
  }

#define WEFT_DEFINE_REF(name, ...)                                                                       \
  WEFT_DEFINE_REF_BASE(name)                                                                             \
  extern "C" wasm_ref_t* wasm_##name##_as_ref(wasm_##name##_t* handle) { return handle; }              \
  extern "C" const wasm_ref_t* wasm_##name##_as_ref_const(const wasm_##name##_t* handle) { return handle; } \
  extern "C" wasm_##name##_t* wasm_ref_as_##name(wasm_ref_t* ref) {                                     \
    return ref && weft::capi::refIsOneOf(*ref, {__VA_ARGS__}) ? static_cast<wasm_##name##_t*>(ref) : nullptr; \
  }                                                                                                     \
  extern "C" const wasm_##name##_t* wasm_ref_as_##name##_const(const wasm_ref_t* ref) {                 \
    return ref && weft::capi::refIsOneOf(*ref, {__VA_ARGS__}) ? static_cast<const wasm_##name##_t*>(ref) : nullptr; \
  }

namespace weft::capi {
inline bool refIsOneOf(const wasm_ref_t& ref, std::initializer_list<RefKind> kinds) {
  for (RefKind kind : kinds)
    if (ref.core->kind == kind) return true;
  return false;
}
}  // namespace weft::capi

WEFT_DEFINE_REF_BASE(ref)
WEFT_DEFINE_REF(func, RefKind::Func)
WEFT_DEFINE_REF(global, RefKind::Global)
WEFT_DEFINE_REF(table, RefKind::Table)
WEFT_DEFINE_REF(memory, RefKind::Memory)
WEFT_DEFINE_REF(extern, RefKind::Func, RefKind::Global, RefKind::Table, RefKind::Memory)
WEFT_DEFINE_REF(instance, RefKind::Instance)
WEFT_DEFINE_REF(module, RefKind::Module)
WEFT_DEFINE_REF(trap, RefKind::Trap)
WEFT_DEFINE_REF(foreign, RefKind::Foreign)

// ---- foreign objects ------------------------------------------------------------------------

extern "C" wasm_foreign_t* wasm_foreign_new(wasm_store_t* store) {
  auto core = store->state->coreFor(RefKind::Foreign, nullptr, store->state, [](RefCore&) {});
  return newHandleAs<wasm_foreign_t>(std::move(core));
}

// ---- traps and frames ------------------------------------------------------------------------

extern "C" wasm_trap_t* wasm_trap_new(wasm_store_t* store, const wasm_message_t* message) {
  std::string text;
  if (message && message->size) {
    text.assign(message->data, message->size);
    if (text.back() == '\0') text.pop_back();
  }
  return newTrapWithMessage(store->state, std::move(text));
}

extern "C" void wasm_trap_message(const wasm_trap_t* trap, wasm_message_t* out) {
  const std::string& text = trap->core->trap.message;
  wasm_byte_vec_new_uninitialized(out, text.size() + 1);
  if (out->size) std::memcpy(out->data, text.c_str(), text.size() + 1);
}

namespace {

wasm_frame_t* newFrame(const RefCore& trap, size_t index) {
  const TrapFrame& from = trap.trap.backtrace[index];
  auto* frame = new wasm_frame_t;
  frame->functionIndex = from.functionIndex;
  frame->moduleOffset = from.bytecodeOffset;
  frame->functionOffset = trap.frameFunctionOffsets[index];
  // The instance may be gone by the time the trap is looked at: then the
  // frame has none, rather than a dangling one.
  if (std::shared_ptr<Instance> instance = trap.frameInstances[index].lock())
    frame->instance = coreForInstance(trap.store, std::move(instance));
  return frame;
}

}  // namespace

extern "C" wasm_frame_t* wasm_trap_origin(const wasm_trap_t* trap) {
  const Trap& t = trap->core->trap;
  if (t.backtrace.empty()) return nullptr;
  return newFrame(*trap->core, 0);
}

extern "C" void wasm_trap_trace(const wasm_trap_t* trap, wasm_frame_vec_t* out) {
  const Trap& t = trap->core->trap;
  wasm_frame_vec_new_uninitialized(out, t.backtrace.size());
  for (size_t i = 0; i < out->size; ++i) out->data[i] = newFrame(*trap->core, i);
}

extern "C" bool weft_trap_is_interrupt(const wasm_trap_t* trap) {
  return trap->core->trap.kind == TrapKind::Interrupted;
}
extern "C" bool weft_trap_is_out_of_fuel(const wasm_trap_t* trap) {
  return trap->core->trap.kind == TrapKind::OutOfFuel;
}
extern "C" bool weft_trap_is_instantiation_error(const wasm_trap_t* trap) { return trap->core->instantiationError; }

extern "C" void wasm_frame_delete(wasm_frame_t* frame) { delete frame; }
extern "C" wasm_frame_t* wasm_frame_copy(const wasm_frame_t* frame) {
  if (!frame) return nullptr;
  auto* copy = new wasm_frame_t;
  copy->instance = frame->instance;
  copy->functionIndex = frame->functionIndex;
  copy->functionOffset = frame->functionOffset;
  copy->moduleOffset = frame->moduleOffset;
  return copy;
}
extern "C" wasm_instance_t* wasm_frame_instance(const wasm_frame_t* frame) {
  if (!frame->instance) return nullptr;
  if (!frame->instanceHandle) {
    frame->instanceHandle.reset(new wasm_instance_t);
    frame->instanceHandle->core = frame->instance;
  }
  return frame->instanceHandle.get();
}
extern "C" uint32_t wasm_frame_func_index(const wasm_frame_t* frame) { return frame->functionIndex; }
extern "C" size_t wasm_frame_func_offset(const wasm_frame_t* frame) { return frame->functionOffset; }
extern "C" size_t wasm_frame_module_offset(const wasm_frame_t* frame) { return frame->moduleOffset; }
