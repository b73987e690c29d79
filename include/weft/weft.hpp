// Weft's public C++ API: what a C++ host needs to compile, instantiate and
// call WebAssembly modules, and nothing of the engine's internals. It is a
// header-only layer over the standard C API (wasm.h) and weft.h, so a C++
// host links the same libweft.so as a C host (C++17 or later):
//
//   weft::Engine engine(weft::Config().tier(weft::Tier::Optimizing));
//   weft::Store store(engine);
//   weft::Module module(store, bytes);              // throws weft::Error
//   weft::Func log(store, weft::FuncType({weft::ValKind::I32}, {}),
//                  [](const std::vector<weft::Val>& args, std::vector<weft::Val>&) -> std::optional<std::string> {
//                    std::printf("%d\n", args[0].i32());
//                    return std::nullopt;            // or a trap message
//                  });
//   weft::Instance instance(store, module, {log}); // throws weft::Error or weft::Trap
//   std::vector<weft::Val> results = instance.func("run").call({weft::Val::i32(1)});  // throws weft::Trap
//
// Objects own their C handles (move-only but for the copyable Val), and must
// not outlive their Store; the Store must not outlive its Engine.
//
// The classes live in an inline namespace: their inline members get names of
// their own, distinct from the engine's internal classes (also in namespace
// weft) that a host linking libweft.a links in beside them.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "weft.h"

namespace weft {
inline namespace api_v0 {

// Something could not be made: a module that does not validate, a link
// error, a limit. what() says why, with the place in the module if it is to blame.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  static Error last(const std::string& context) { return Error(context + ": " + weft_error_message()); }
};

enum class MemoryStrategy : uint8_t { Guard = WEFT_MEMORY_GUARD, BoundsChecked = WEFT_MEMORY_BOUNDS_CHECKED };
enum class Tier : uint8_t { Tiered = WEFT_TIER_TIERED, Baseline = WEFT_TIER_BASELINE, Optimizing = WEFT_TIER_OPTIMIZING };
enum class ValKind : uint8_t {
  I32 = WASM_I32,
  I64 = WASM_I64,
  F32 = WASM_F32,
  F64 = WASM_F64,
  V128 = WEFT_V128,
  ExternRef = WASM_EXTERNREF,
  FuncRef = WASM_FUNCREF,
};
enum class ExternKind : uint8_t {
  Func = WASM_EXTERN_FUNC,
  Global = WASM_EXTERN_GLOBAL,
  Table = WASM_EXTERN_TABLE,
  Memory = WASM_EXTERN_MEMORY,
};

namespace detail {
template <typename T, void (*Delete)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) Delete(p);
  }
};
template <typename T, void (*Delete)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Delete>>;

inline std::string nameOf(const wasm_name_t* name) { return name->size ? std::string(name->data, name->size) : ""; }
}  // namespace detail

// ---- settings, engine, store ------------------------------------------------------------

class Config {
 public:
  Config() : config_(wasm_config_new()) {}
  Config& memoryStrategy(MemoryStrategy strategy) {
    weft_config_memory_strategy(config_.get(), static_cast<weft_memory_strategy_t>(strategy));
    return *this;
  }
  Config& tier(Tier tier) {
    weft_config_tier(config_.get(), static_cast<weft_tier_t>(tier));
    return *this;
  }
  Config& cacheDirectory(const std::string& directory) {
    weft_config_cache_directory(config_.get(), directory.c_str());
    return *this;
  }
  Config& compileThreads(uint32_t threads) {
    weft_config_compile_threads(config_.get(), threads);
    return *this;
  }
  Config& maxMemoryPages(uint64_t pages) {
    weft_config_max_memory_pages(config_.get(), pages);
    return *this;
  }
  Config& maxTableElements(uint32_t elements) {
    weft_config_max_table_elements(config_.get(), elements);
    return *this;
  }
  Config& resourceBudget(uint64_t bytes) {
    weft_config_resource_budget(config_.get(), bytes);
    return *this;
  }
  Config& maxInstances(uint32_t instances) {
    weft_config_max_instances(config_.get(), instances);
    return *this;
  }
  Config& maxWasmStack(uint64_t bytes) {
    weft_config_max_wasm_stack(config_.get(), bytes);
    return *this;
  }
  Config& memoryPool(uint32_t slots, uint64_t keepResidentBytes) {
    weft_config_memory_pool(config_.get(), slots, keepResidentBytes);
    return *this;
  }
  Config& consumeFuel(uint64_t initialFuel) {
    weft_config_consume_fuel(config_.get(), true, initialFuel);
    return *this;
  }
  wasm_config_t* release() { return config_.release(); }

 private:
  detail::Owned<wasm_config_t, wasm_config_delete> config_;
};

using MemoryReport = weft_memory_report_t;

class Engine {
 public:
  // Takes the settings over ({config} is empty afterwards).
  explicit Engine(Config& config) : engine_(wasm_engine_new_with_config(config.release())) {}
  explicit Engine(Config&& config = Config()) : Engine(config) {}
  // Traps "interrupted" every instance of this engine at its next check,
  // from any thread, until clearInterrupt().
  void interrupt() { weft_engine_interrupt(engine_.get()); }
  void clearInterrupt() { weft_engine_clear_interrupt(engine_.get()); }
  MemoryReport memoryReport() const {
    MemoryReport report;
    weft_engine_memory_report(engine_.get(), &report);
    return report;
  }
  wasm_engine_t* raw() const { return engine_.get(); }

 private:
  detail::Owned<wasm_engine_t, wasm_engine_delete> engine_;
};

class Store {
 public:
  explicit Store(Engine& engine) : store_(wasm_store_new(engine.raw())) {}
  wasm_store_t* raw() const { return store_.get(); }

 private:
  detail::Owned<wasm_store_t, wasm_store_delete> store_;
};

// ---- types and values ------------------------------------------------------------------------

struct FuncType {
  std::vector<ValKind> params;
  std::vector<ValKind> results;

  FuncType() = default;
  FuncType(std::vector<ValKind> p, std::vector<ValKind> r) : params(std::move(p)), results(std::move(r)) {}
  static FuncType of(const wasm_functype_t* type) {
    FuncType out;
    auto read = [](const wasm_valtype_vec_t* from, std::vector<ValKind>& to) {
      for (size_t i = 0; i < from->size; ++i) to.push_back(static_cast<ValKind>(wasm_valtype_kind(from->data[i])));
    };
    read(wasm_functype_params(type), out.params);
    read(wasm_functype_results(type), out.results);
    return out;
  }
  // A new wasm_functype_t, the caller's to delete.
  wasm_functype_t* make() const {
    auto vec = [](const std::vector<ValKind>& kinds) {
      wasm_valtype_vec_t out;
      wasm_valtype_vec_new_uninitialized(&out, kinds.size());
      for (size_t i = 0; i < kinds.size(); ++i) out.data[i] = wasm_valtype_new(static_cast<wasm_valkind_t>(kinds[i]));
      return out;
    };
    wasm_valtype_vec_t p = vec(params), r = vec(results);
    return wasm_functype_new(&p, &r);
  }
};

struct ImportType {
  std::string module;
  std::string name;
  ExternKind kind;
};
struct ExportType {
  std::string name;
  ExternKind kind;
};

class Func;

// A number, or a reference (which the Val owns a handle of).
class Val {
 public:
  Val() : Val(i32(0)) {}
  static Val i32(int32_t v) {
    wasm_val_t raw;
    raw.kind = WASM_I32;
    raw.of.i32 = v;
    return Val(raw);
  }
  static Val i64(int64_t v) {
    wasm_val_t raw;
    raw.kind = WASM_I64;
    raw.of.i64 = v;
    return Val(raw);
  }
  static Val f32(float v) {
    wasm_val_t raw;
    raw.kind = WASM_F32;
    raw.of.f32 = v;
    return Val(raw);
  }
  static Val f64(double v) {
    wasm_val_t raw;
    raw.kind = WASM_F64;
    raw.of.f64 = v;
    return Val(raw);
  }
  static Val nullRef(ValKind kind) {
    wasm_val_t raw;
    raw.kind = static_cast<wasm_valkind_t>(kind);
    raw.of.ref = nullptr;
    return Val(raw);
  }
  // Takes over {raw} (its reference, if any).
  static Val adopt(const wasm_val_t& raw) { return Val(raw); }

  Val(const Val& other) { wasm_val_copy(&raw_, &other.raw_); }
  Val(Val&& other) noexcept : raw_(other.raw_) { other.raw_.kind = WASM_I32; }
  Val& operator=(Val other) noexcept {
    std::swap(raw_, other.raw_);
    return *this;
  }
  ~Val() { wasm_val_delete(&raw_); }

  ValKind kind() const { return static_cast<ValKind>(raw_.kind); }
  int32_t i32() const { return raw_.of.i32; }
  int64_t i64() const { return raw_.of.i64; }
  float f32() const { return raw_.of.f32; }
  double f64() const { return raw_.of.f64; }
  bool isNull() const { return wasm_valkind_is_ref(raw_.kind) && raw_.of.ref == nullptr; }
  // The value as the C API has it, still owned by this Val.
  const wasm_val_t& raw() const { return raw_; }

 private:
  explicit Val(const wasm_val_t& raw) : raw_(raw) {}
  wasm_val_t raw_;
};

// ---- traps ------------------------------------------------------------------------------------

struct Frame {
  uint32_t functionIndex = 0;
  size_t functionOffset = 0;  // of the operator, in its function's body
  size_t moduleOffset = 0;    // of the operator, in the module's bytes
};

// A trap: wasm code (or a host function it called) stopped. Thrown by calls
// and instantiation; also a std::exception.
class Trap : public std::exception {
 public:
  explicit Trap(wasm_trap_t* trap) : trap_(trap, wasm_trap_delete) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    message_ = message.size ? std::string(message.data, message.size - 1) : "";
    wasm_byte_vec_delete(&message);
    wasm_frame_vec_t frames;
    wasm_trap_trace(trap, &frames);
    for (size_t i = 0; i < frames.size; ++i)
      trace_.push_back({wasm_frame_func_index(frames.data[i]), wasm_frame_func_offset(frames.data[i]),
                        wasm_frame_module_offset(frames.data[i])});
    wasm_frame_vec_delete(&frames);
  }
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const { return message_; }
  const std::vector<Frame>& trace() const { return trace_; }  // innermost first
  bool isInterrupt() const { return weft_trap_is_interrupt(trap_.get()); }
  bool isOutOfFuel() const { return weft_trap_is_out_of_fuel(trap_.get()); }

 private:
  std::shared_ptr<wasm_trap_t> trap_;  // shared: exceptions are copied
  std::string message_;
  std::vector<Frame> trace_;
};

// ---- modules ------------------------------------------------------------------------------------

class Module {
 public:
  Module(Store& store, const std::vector<uint8_t>& bytes) {
    wasm_byte_vec_t binary = {bytes.size(), reinterpret_cast<wasm_byte_t*>(const_cast<uint8_t*>(bytes.data()))};
    module_.reset(wasm_module_new(store.raw(), &binary));
    if (!module_) throw Error::last("compiling a module");
  }
  // From bytes of serialize(), made by the same Weft build.
  static Module deserialize(Store& store, const std::vector<uint8_t>& bytes) {
    wasm_byte_vec_t serialized = {bytes.size(), reinterpret_cast<wasm_byte_t*>(const_cast<uint8_t*>(bytes.data()))};
    wasm_module_t* module = wasm_module_deserialize(store.raw(), &serialized);
    if (!module) throw Error::last("deserializing a module");
    return Module(module);
  }
  static bool validate(Store& store, const std::vector<uint8_t>& bytes) {
    wasm_byte_vec_t binary = {bytes.size(), reinterpret_cast<wasm_byte_t*>(const_cast<uint8_t*>(bytes.data()))};
    return wasm_module_validate(store.raw(), &binary);
  }

  std::vector<ImportType> imports() const {
    wasm_importtype_vec_t types;
    wasm_module_imports(module_.get(), &types);
    std::vector<ImportType> out;
    for (size_t i = 0; i < types.size; ++i)
      out.push_back({detail::nameOf(wasm_importtype_module(types.data[i])),
                     detail::nameOf(wasm_importtype_name(types.data[i])),
                     static_cast<ExternKind>(wasm_externtype_kind(wasm_importtype_type(types.data[i])))});
    wasm_importtype_vec_delete(&types);
    return out;
  }
  std::vector<ExportType> exports() const {
    wasm_exporttype_vec_t types;
    wasm_module_exports(module_.get(), &types);
    std::vector<ExportType> out;
    for (size_t i = 0; i < types.size; ++i)
      out.push_back({detail::nameOf(wasm_exporttype_name(types.data[i])),
                     static_cast<ExternKind>(wasm_externtype_kind(wasm_exporttype_type(types.data[i])))});
    wasm_exporttype_vec_delete(&types);
    return out;
  }
  std::vector<uint8_t> serialize() const {
    wasm_byte_vec_t bytes;
    wasm_module_serialize(module_.get(), &bytes);
    if (bytes.size == 0) throw Error::last("serializing a module");
    std::vector<uint8_t> out(bytes.data, bytes.data + bytes.size);
    wasm_byte_vec_delete(&bytes);
    return out;
  }
  const wasm_module_t* raw() const { return module_.get(); }

 private:
  explicit Module(wasm_module_t* module) : module_(module) {}
  detail::Owned<wasm_module_t, wasm_module_delete> module_;
};

// ---- functions, memories, globals, tables ----------------------------------------------------------

// A host function returns nullopt, or the message of a trap.
using HostFunction = std::function<std::optional<std::string>(const std::vector<Val>& args, std::vector<Val>& results)>;

class Func {
 public:
  Func(Store& store, const FuncType& type, HostFunction function) {
    auto* held = new Held{std::move(function), store.raw()};
    wasm_functype_t* raw = type.make();
    func_.reset(wasm_func_new_with_env(store.raw(), raw, &Func::trampoline, held, &Func::release));
    wasm_functype_delete(raw);
    if (!func_) {
      delete held;
      throw Error::last("making a host function");
    }
  }
  explicit Func(wasm_func_t* func) : func_(func) {}

  FuncType type() const {
    wasm_functype_t* raw = wasm_func_type(func_.get());
    FuncType out = FuncType::of(raw);
    wasm_functype_delete(raw);
    return out;
  }
  // Throws Trap when the call traps (or the arguments do not fit the type).
  std::vector<Val> call(const std::vector<Val>& args = {}) const {
    std::vector<wasm_val_t> rawArgs;
    for (const Val& arg : args) rawArgs.push_back(arg.raw());
    std::vector<wasm_val_t> rawResults(wasm_func_result_arity(func_.get()));
    for (wasm_val_t& result : rawResults) {
      result.kind = WASM_I32;
      result.of.i64 = 0;
    }
    wasm_val_vec_t argVec = {rawArgs.size(), rawArgs.data()};
    wasm_val_vec_t resultVec = {rawResults.size(), rawResults.data()};
    if (wasm_trap_t* trap = wasm_func_call(func_.get(), &argVec, &resultVec)) throw Trap(trap);
    std::vector<Val> results;
    for (const wasm_val_t& raw : rawResults) results.push_back(Val::adopt(raw));
    return results;
  }
  wasm_extern_t* asExtern() const { return wasm_func_as_extern(func_.get()); }
  wasm_func_t* raw() const { return func_.get(); }

 private:
  struct Held {
    HostFunction function;
    wasm_store_t* store;
  };
  static wasm_trap_t* trampoline(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
    auto* held = static_cast<Held*>(env);
    std::vector<Val> in;
    for (size_t i = 0; i < args->size; ++i) {
      wasm_val_t copy;
      wasm_val_copy(&copy, &args->data[i]);
      in.push_back(Val::adopt(copy));
    }
    std::vector<Val> out;
    for (size_t i = 0; i < results->size; ++i) out.push_back(Val::nullRef(static_cast<ValKind>(results->data[i].kind)));
    std::optional<std::string> trap;
    try {
      trap = held->function(in, out);
    } catch (const std::exception& e) {
      trap = std::string("host function threw: ") + e.what();
    } catch (...) {
      trap = "host function threw";
    }
    if (!trap && out.size() != results->size) trap = "host function gave the wrong number of results";
    if (trap) {
      wasm_message_t message;
      wasm_name_new_from_string_nt(&message, trap->c_str());
      wasm_trap_t* raw = wasm_trap_new(held->store, &message);
      wasm_byte_vec_delete(&message);
      return raw;
    }
    for (size_t i = 0; i < results->size; ++i) wasm_val_copy(&results->data[i], &out[i].raw());
    return nullptr;
  }
  static void release(void* env) { delete static_cast<Held*>(env); }

  detail::Owned<wasm_func_t, wasm_func_delete> func_;
};

class Memory {
 public:
  explicit Memory(wasm_memory_t* memory) : memory_(memory) {}
  // Valid until the memory grows.
  uint8_t* data() const { return reinterpret_cast<uint8_t*>(wasm_memory_data(memory_.get())); }
  size_t byteLength() const { return wasm_memory_data_size(memory_.get()); }
  uint32_t pages() const { return wasm_memory_size(memory_.get()); }
  bool grow(uint32_t pages) { return wasm_memory_grow(memory_.get(), pages); }
  wasm_extern_t* asExtern() const { return wasm_memory_as_extern(memory_.get()); }

 private:
  detail::Owned<wasm_memory_t, wasm_memory_delete> memory_;
};

class Global {
 public:
  Global(Store& store, ValKind kind, bool mutable_, const Val& initial) {
    wasm_globaltype_t* type =
        wasm_globaltype_new(wasm_valtype_new(static_cast<wasm_valkind_t>(kind)), mutable_ ? WASM_VAR : WASM_CONST);
    global_.reset(wasm_global_new(store.raw(), type, &initial.raw()));
    wasm_globaltype_delete(type);
    if (!global_) throw Error::last("making a global");
  }
  explicit Global(wasm_global_t* global) : global_(global) {}
  Val get() const {
    wasm_val_t raw;
    wasm_global_get(global_.get(), &raw);
    return Val::adopt(raw);
  }
  void set(const Val& value) { wasm_global_set(global_.get(), &value.raw()); }
  wasm_extern_t* asExtern() const { return wasm_global_as_extern(global_.get()); }

 private:
  detail::Owned<wasm_global_t, wasm_global_delete> global_;
};

class Table {
 public:
  explicit Table(wasm_table_t* table) : table_(table) {}
  uint32_t size() const { return wasm_table_size(table_.get()); }
  bool grow(uint32_t delta) { return wasm_table_grow(table_.get(), delta, nullptr); }
  // The function in slot {index}; nullopt when it is null or out of bounds.
  std::optional<Func> func(uint32_t index) const {
    wasm_ref_t* ref = wasm_table_get(table_.get(), index);
    if (!ref) return std::nullopt;
    wasm_func_t* func = wasm_ref_as_func(ref);
    if (!func) {
      wasm_ref_delete(ref);
      return std::nullopt;
    }
    return Func(func);
  }
  bool set(uint32_t index, const Func& func) { return wasm_table_set(table_.get(), index, wasm_func_as_ref(func.raw())); }
  wasm_extern_t* asExtern() const { return wasm_table_as_extern(table_.get()); }

 private:
  detail::Owned<wasm_table_t, wasm_table_delete> table_;
};

// ---- instances ----------------------------------------------------------------------------------------

// What an instance imports: anything with asExtern(), in the module's import order.
class Extern {
 public:
  template <typename T>
  Extern(const T& object) : raw_(object.asExtern()) {}  // NOLINT: implicit on purpose
  wasm_extern_t* raw() const { return raw_; }

 private:
  wasm_extern_t* raw_;
};

class Instance {
 public:
  // Throws Error (link failure) or Trap (a segment or the start function trapped).
  Instance(Store& store, const Module& module, const std::vector<Extern>& imports = {}) {
    std::vector<wasm_extern_t*> raw;
    for (const Extern& import : imports) raw.push_back(import.raw());
    wasm_extern_vec_t vec = {raw.size(), raw.data()};
    wasm_trap_t* trap = nullptr;
    instance_.reset(wasm_instance_new(store.raw(), module.raw(), &vec, &trap));
    if (!instance_) {
      if (trap && !weft_trap_is_instantiation_error(trap)) throw Trap(trap);
      if (trap) wasm_trap_delete(trap);
      throw Error(weft_error_message());
    }
    wasm_instance_exports(instance_.get(), &exports_);
    wasm_exporttype_vec_t types;
    wasm_module_exports(module.raw(), &types);
    for (size_t i = 0; i < types.size; ++i) names_.push_back(detail::nameOf(wasm_exporttype_name(types.data[i])));
    wasm_exporttype_vec_delete(&types);
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  ~Instance() { wasm_extern_vec_delete(&exports_); }

  // The export named {name}, of that kind; throws Error if there is none.
  Func func(const std::string& name) const { return Func(wasm_func_copy(as<wasm_func_t>(name, wasm_extern_as_func))); }
  Memory memory(const std::string& name) const {
    return Memory(wasm_memory_copy(as<wasm_memory_t>(name, wasm_extern_as_memory)));
  }
  Global global(const std::string& name) const {
    return Global(wasm_global_copy(as<wasm_global_t>(name, wasm_extern_as_global)));
  }
  Table table(const std::string& name) const { return Table(wasm_table_copy(as<wasm_table_t>(name, wasm_extern_as_table))); }

  void interrupt() { weft_instance_interrupt(instance_.get()); }
  void clearInterrupt() { weft_instance_clear_interrupt(instance_.get()); }
  uint64_t fuel() const { return weft_instance_fuel(instance_.get()); }
  void setFuel(uint64_t fuel) { weft_instance_set_fuel(instance_.get(), fuel); }

 private:
  template <typename T>
  T* as(const std::string& name, T* (*cast)(wasm_extern_t*)) const {
    for (size_t i = 0; i < names_.size() && i < exports_.size; ++i)
      if (names_[i] == name)
        if (T* found = cast(exports_.data[i])) return found;
    throw Error("no export \"" + name + "\" of that kind");
  }
  detail::Owned<wasm_instance_t, wasm_instance_delete> instance_;
  wasm_extern_vec_t exports_{0, nullptr};
  std::vector<std::string> names_;
};

}  // namespace api_v0
}  // namespace weft
