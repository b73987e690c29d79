// What the standard C API's opaque objects (include/wasm.h) are inside: thin
// handles over the runtime's own objects (runtime/*.h), so that an embedder
// going through C shares compiled code exactly as a C++ embedder does
// (DESIGN 1: a wasm_module_t is a Module, instantiated any number of times).
//
// References. Every runtime object the API hands out is a handle (a
// wasm_ref_t, or one of its kinds) holding a RefCore: the object itself (a
// Func, Global, Table, LinearMemory, Instance, Module, a Trap, or nothing for
// a foreign object) and its host info. Copies of a handle share the core;
// handles made separately for the same object find the same core through the
// store's identity map, so host info and _same agree across them. The
// finalizer of the host info runs when the core dies: when the last handle is
// deleted, or at wasm_store_delete for a core handed to wasm as a reference.
//
// References given to wasm. An externref's word is its RefCore's address; a
// funcref's is the function's FuncRef. The store anchors every core passed
// to wasm this way until the store dies (wasm may keep it in a table or a
// global where no handle sees it), so words coming back out of wasm are
// looked up in the anchors, never dereferenced unchecked.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/engine.h"
#include "runtime/extern.h"
#include "runtime/instance.h"
#include "runtime/module.h"
#include "runtime/trap.h"
#include "wasm.h"
#include "weft.h"

struct wasm_config_t {
  weft::EngineConfig config;
};

struct wasm_engine_t {
  std::shared_ptr<weft::Engine> engine;
};

namespace weft::capi {

struct StoreState;

enum class RefKind : uint8_t { Func, Global, Table, Memory, Instance, Module, Trap, Foreign };

struct RefCore {
  RefKind kind = RefKind::Foreign;
  std::shared_ptr<StoreState> store;
  void* hostInfo = nullptr;
  void (*finalizer)(void*) = nullptr;
  // What the handle refers to: one of these, by kind.
  Func func;
  std::shared_ptr<Global> global;
  std::shared_ptr<Table> table;
  std::shared_ptr<LinearMemory> memory;
  std::shared_ptr<Instance> instance;
  std::shared_ptr<const Module> module;
  Trap trap;
  // The instance of each of the trap's frames, taken while they were alive
  // (a TrapFrame's Instance* may dangle once the host deletes the instance).
  std::vector<std::weak_ptr<Instance>> frameInstances;
  std::vector<size_t> frameFunctionOffsets;  // of each frame's operator in its function's body
  bool instantiationError = false;  // a trap that stands for wasm_instance_new's error

  RefCore() = default;
  RefCore(const RefCore&) = delete;
  RefCore& operator=(const RefCore&) = delete;
  ~RefCore();
  // The runtime object, for the identity map and _same (null: no identity
  // beyond the core itself: traps and foreign objects).
  const void* identity() const;
};

struct StoreState {
  std::shared_ptr<Engine> engine;
  std::mutex lock;  // finalizers may run on whatever thread drops the last handle
  std::unordered_map<const void*, std::weak_ptr<RefCore>> byIdentity;
  std::unordered_map<const void*, std::shared_ptr<RefCore>> anchored;  // by core address (externref) or FuncRef
  // Host functions made in this store, by FuncRef: a funcref of one coming
  // back out of wasm finds its Func (and so its owner) here.
  std::unordered_map<const FuncRef*, Func> hostFunctions;
  bool closed = false;  // wasm_store_delete ran

  // The core for {object} (a runtime object of {kind}, filled in by {fill}
  // when it has to be made).
  template <typename Fill>
  std::shared_ptr<RefCore> coreFor(RefKind kind, const void* object, const std::shared_ptr<StoreState>& self, Fill fill);
  void forget(const void* object);
};

template <typename Fill>
std::shared_ptr<RefCore> StoreState::coreFor(RefKind kind, const void* object, const std::shared_ptr<StoreState>& self,
                                             Fill fill) {
  std::lock_guard guard(lock);
  if (object) {
    auto found = byIdentity.find(object);
    if (found != byIdentity.end())
      if (auto core = found->second.lock()) return core;
  }
  auto core = std::make_shared<RefCore>();
  core->kind = kind;
  core->store = self;
  fill(*core);
  if (object) byIdentity[object] = core;
  return core;
}

// The word a reference value has inside wasm, anchoring what it needs.
uintptr_t anchorForWasm(StoreState& store, const std::shared_ptr<RefCore>& core, ValType type);
// A core for a word coming out of wasm; null for the null reference or a
// word this store never gave out.
std::shared_ptr<RefCore> coreFromWasm(const std::shared_ptr<StoreState>& store, uintptr_t word, ValType type);

// Handles: one per kind, all of one layout, allocated as their own kind so
// that the standard's _as_ conversions are plain casts.
}  // namespace weft::capi

struct wasm_ref_t {
  std::shared_ptr<weft::capi::RefCore> core;
  virtual ~wasm_ref_t() = default;
};
struct wasm_extern_t : wasm_ref_t {};
struct wasm_func_t : wasm_extern_t {};
struct wasm_global_t : wasm_extern_t {};
struct wasm_table_t : wasm_extern_t {};
struct wasm_memory_t : wasm_extern_t {};
struct wasm_instance_t : wasm_ref_t {};
struct wasm_module_t : wasm_ref_t {};
struct wasm_trap_t : wasm_ref_t {};
struct wasm_foreign_t : wasm_ref_t {};

struct wasm_store_t {
  std::shared_ptr<weft::capi::StoreState> state;
};

struct wasm_shared_module_t {
  std::shared_ptr<const weft::Module> module;
};

struct wasm_frame_t {
  std::shared_ptr<weft::capi::RefCore> instance;  // null when the instance is gone
  uint32_t functionIndex = 0;
  size_t functionOffset = 0;
  size_t moduleOffset = 0;
  mutable std::unique_ptr<wasm_instance_t> instanceHandle;  // what wasm_frame_instance lends
};

// ---- types -------------------------------------------------------------------
struct wasm_valtype_t {
  wasm_valkind_t kind = WASM_I32;
};

struct wasm_externtype_t {
  wasm_externkind_t kind = WASM_EXTERN_FUNC;
  virtual ~wasm_externtype_t() = default;
};
struct wasm_functype_t : wasm_externtype_t {
  wasm_valtype_vec_t params{0, nullptr};
  wasm_valtype_vec_t results{0, nullptr};
  ~wasm_functype_t() override;
};
struct wasm_globaltype_t : wasm_externtype_t {
  wasm_valtype_t* content = nullptr;
  wasm_mutability_t mutability = WASM_CONST;
  ~wasm_globaltype_t() override;
};
struct wasm_tabletype_t : wasm_externtype_t {
  wasm_valtype_t* element = nullptr;
  wasm_limits_t limits{0, wasm_limits_max_default};
  ~wasm_tabletype_t() override;
};
struct wasm_memorytype_t : wasm_externtype_t {
  wasm_limits_t limits{0, wasm_limits_max_default};
  bool shared = false;  // threads: a shared memory's type
};
struct wasm_importtype_t {
  wasm_name_t module{0, nullptr};
  wasm_name_t name{0, nullptr};
  wasm_externtype_t* type = nullptr;
  ~wasm_importtype_t();
};
struct wasm_exporttype_t {
  wasm_name_t name{0, nullptr};
  wasm_externtype_t* type = nullptr;
  ~wasm_exporttype_t();
};

namespace weft::capi {

// The thread's last error (weft_error_message).
void setError(std::string message);
void clearError();

// Types between the runtime's and the API's forms. Kinds without an API form
// (v128) map to WEFT_V128.
wasm_valkind_t kindOf(ValType type);
std::optional<ValType> valTypeOf(wasm_valkind_t kind);
wasm_externtype_t* newExternType(const ExternType& type);
wasm_functype_t* newFuncType(const FuncType& type);
// nullopt (and the error set) when a kind has no runtime form.
std::optional<FuncType> funcTypeOf(const wasm_functype_t& type);
std::optional<Limits> limitsOf(const wasm_limits_t& limits);
wasm_limits_t limitsFrom(const Limits& limits);

// A new handle of the kind its core says.
wasm_ref_t* newHandle(std::shared_ptr<RefCore> core);
template <typename Handle>
Handle* newHandleAs(std::shared_ptr<RefCore> core) {
  return static_cast<Handle*>(newHandle(std::move(core)));
}

// Cores for runtime objects coming out of the runtime.
std::shared_ptr<RefCore> coreForFunc(const std::shared_ptr<StoreState>& store, Func func);
std::shared_ptr<RefCore> coreForExtern(const std::shared_ptr<StoreState>& store, const Extern& value);
std::shared_ptr<RefCore> coreForInstance(const std::shared_ptr<StoreState>& store, std::shared_ptr<Instance> instance);
wasm_trap_t* newTrap(const std::shared_ptr<StoreState>& store, Trap trap);
wasm_trap_t* newTrapWithMessage(const std::shared_ptr<StoreState>& store, std::string message);

// Values between the API's and the runtime's forms. toValue fails (nullopt,
// with the reason in {why}) on a kind that is not {type} or a reference of
// the wrong kind; fromValue's reference results are new handles.
std::optional<Value> toValue(const std::shared_ptr<StoreState>& store, const wasm_val_t& value, ValType type,
                             std::string& why);
wasm_val_t fromValue(const std::shared_ptr<StoreState>& store, const Value& value);

}  // namespace weft::capi
