// The C API's modules and instances (wasm.h "Modules", "Module Instances"):
// a wasm_module_t is a compiled Module (DESIGN 1: compiled once, its code
// shared by every instance, in any store of the engine and on any thread
// through share/obtain); serialization is the code cache's file format
// (runtime/code_cache.h), written and mapped through a private directory.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "capi/c_api_objects.h"
#include "runtime/cache_trust.h"
#include "support/file.h"
#include "validation/validator.h"

using namespace weft;
using namespace weft::capi;

namespace {

std::span<const uint8_t> bytesOf(const wasm_byte_vec_t* binary) {
  if (!binary || !binary->data) return {};
  return {reinterpret_cast<const uint8_t*>(binary->data), binary->size};
}

wasm_module_t* newModuleHandle(const std::shared_ptr<StoreState>& store, std::shared_ptr<const Module> module) {
  const void* identity = module.get();
  auto core = store->coreFor(RefKind::Module, identity, store, [&](RefCore& c) { c.module = std::move(module); });
  return newHandleAs<wasm_module_t>(std::move(core));
}

// A directory only this process uses, removed with what is in it.
class PrivateDirectory {
 public:
  PrivateDirectory() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/weft-capi-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data())) path_ = buffer.data();
  }
  ~PrivateDirectory() {
    if (path_.empty()) return;
    unlink(file().c_str());
    rmdir(path_.c_str());
  }
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  std::string file() const { return path_ + "/module.cwasm"; }

 private:
  std::string path_;
};

}  // namespace

extern "C" wasm_module_t* wasm_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary) {
  Result<std::shared_ptr<const Module>> module = Module::compile(store->state->engine, bytesOf(binary));
  if (!module) {
    setError(module.error().describe());
    return nullptr;
  }
  return newModuleHandle(store->state, std::move(module.value()));
}

extern "C" bool wasm_module_validate(wasm_store_t*, const wasm_byte_vec_t* binary) {
  Result<ModuleInfo> info = decodeAndValidate(bytesOf(binary));
  if (!info) setError(info.error().describe());
  return info.ok();
}

extern "C" void wasm_module_imports(const wasm_module_t* module, wasm_importtype_vec_t* out) {
  const ModuleInfo& info = module->core->module->info();
  wasm_importtype_vec_new_uninitialized(out, info.imports.size());
  for (size_t i = 0; i < out->size; ++i) {
    const Import& import = info.imports[i];
    wasm_name_t moduleName, name;
    wasm_name_new(&moduleName, import.module.size(), import.module.data());
    wasm_name_new(&name, import.name.size(), import.name.data());
    out->data[i] = wasm_importtype_new(&moduleName, &name, newExternType(importType(info, import)));
  }
}

extern "C" void wasm_module_exports(const wasm_module_t* module, wasm_exporttype_vec_t* out) {
  const ModuleInfo& info = module->core->module->info();
  wasm_exporttype_vec_new_uninitialized(out, info.exports.size());
  for (size_t i = 0; i < out->size; ++i) {
    const Export& exp = info.exports[i];
    wasm_name_t name;
    wasm_name_new(&name, exp.name.size(), exp.name.data());
    out->data[i] = wasm_exporttype_new(&name, newExternType(exportType(info, exp)));
  }
}

extern "C" void wasm_module_serialize(const wasm_module_t* module, wasm_byte_vec_t* out) {
  wasm_byte_vec_new_empty(out);
  PrivateDirectory directory;
  if (!directory.ok()) {
    setError(std::string("wasm_module_serialize: cannot make a temporary directory: ") + std::strerror(errno));
    return;
  }
  Status written = module->core->module->serialize(directory.file());
  if (!written) {
    setError("wasm_module_serialize: " + written.error().describe());
    return;
  }
  std::vector<uint8_t> bytes;
  std::string error;
  if (!readWholeFile(directory.file(), bytes, error)) {
    setError("wasm_module_serialize: " + error);
    return;
  }
  wasm_byte_vec_new(out, bytes.size(), reinterpret_cast<const wasm_byte_t*>(bytes.data()));
}

extern "C" wasm_module_t* wasm_module_deserialize(wasm_store_t* store, const wasm_byte_vec_t* bytes) {
  PrivateDirectory directory;
  if (!directory.ok()) {
    setError(std::string("wasm_module_deserialize: cannot make a temporary directory: ") + std::strerror(errno));
    return nullptr;
  }
  FileDescriptor folder(open(directory.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  Status written = folder.get() < 0 ? Status(makeError(ErrorKind::LimitExceeded, std::strerror(errno)))
                                    : replaceFile(folder.get(), "module.cwasm", bytesOf(bytes), directory.file());
  if (!written) {
    setError("wasm_module_deserialize: " + written.error().describe());
    return nullptr;
  }
  // The code stays mapped after the file is gone.
  Result<std::shared_ptr<const Module>> module = Module::deserialize(store->state->engine, directory.file());
  if (!module) {
    setError("wasm_module_deserialize: " + module.error().describe());
    return nullptr;
  }
  return newModuleHandle(store->state, std::move(module.value()));
}

extern "C" wasm_shared_module_t* wasm_module_share(const wasm_module_t* module) {
  auto* shared = new wasm_shared_module_t;
  shared->module = module->core->module;
  return shared;
}

extern "C" void wasm_shared_module_delete(wasm_shared_module_t* shared) { delete shared; }

extern "C" wasm_module_t* wasm_module_obtain(wasm_store_t* store, const wasm_shared_module_t* shared) {
  if (!shared || &shared->module->engine() != store->state->engine.get()) {
    // Signature ids and code variants are per engine.
    setError("wasm_module_obtain: the module was compiled by another engine");
    return nullptr;
  }
  return newModuleHandle(store->state, shared->module);
}

// ---- instances ------------------------------------------------------------------------------

extern "C" wasm_instance_t* wasm_instance_new(wasm_store_t* store, const wasm_module_t* module,
                                              const wasm_extern_vec_t* imports, wasm_trap_t** trap) {
  if (trap) *trap = nullptr;
  const std::shared_ptr<StoreState>& state = store->state;
  auto fail = [&](std::string message) -> wasm_instance_t* {
    setError(message);
    if (trap) {
      *trap = newTrapWithMessage(state, std::move(message));
      (*trap)->core->instantiationError = true;
    }
    return nullptr;
  };
  const std::shared_ptr<const Module>& compiled = module->core->module;
  if (&compiled->engine() != state->engine.get()) return fail("wasm_instance_new: the module belongs to another engine");
  size_t given = imports ? imports->size : 0;
  const ModuleInfo& info = compiled->info();
  if (given != info.imports.size())
    return fail("wasm_instance_new: the module has " + std::to_string(info.imports.size()) + " imports, " +
                std::to_string(given) + " given");
  std::vector<Extern> externs;
  externs.reserve(given);
  for (size_t i = 0; i < given; ++i) {
    const wasm_extern_t* value = imports->data[i];
    if (!value)
      return fail("wasm_instance_new: import " + std::to_string(i) + " (\"" + info.imports[i].module + "\" \"" +
                  info.imports[i].name + "\") is NULL");
    const RefCore& core = *value->core;
    switch (core.kind) {
      case RefKind::Func: externs.push_back(Extern::of(core.func)); break;
      case RefKind::Global: externs.push_back(Extern::of(core.global)); break;
      case RefKind::Table: externs.push_back(Extern::of(core.table)); break;
      case RefKind::Memory: externs.push_back(Extern::of(core.memory)); break;
      default: return fail("wasm_instance_new: import " + std::to_string(i) + " is not an external");
    }
  }
  InstantiateOutcome outcome = Instance::create(compiled, externs);
  if (outcome.error) return fail("wasm_instance_new: " + outcome.error->describe());
  if (outcome.trap) {
    setError("wasm_instance_new: " + outcome.trap->describe());
    if (trap) *trap = newTrap(state, std::move(*outcome.trap));
    return nullptr;
  }
  return newHandleAs<wasm_instance_t>(coreForInstance(state, std::move(outcome.instance)));
}

extern "C" void wasm_instance_exports(const wasm_instance_t* instance, wasm_extern_vec_t* out) {
  Instance& target = *instance->core->instance;
  const ModuleInfo& info = target.module().info();
  wasm_extern_vec_new_uninitialized(out, info.exports.size());
  for (size_t i = 0; i < out->size; ++i) {
    Extern value = target.exportAt(static_cast<uint32_t>(i));
    out->data[i] = static_cast<wasm_extern_t*>(newHandle(coreForExtern(instance->core->store, value)));
  }
}

extern "C" void weft_instance_interrupt(wasm_instance_t* instance) { instance->core->instance->interrupt(); }
extern "C" void weft_instance_clear_interrupt(wasm_instance_t* instance) { instance->core->instance->clearInterrupt(); }
extern "C" uint64_t weft_instance_fuel(const wasm_instance_t* instance) { return instance->core->instance->fuel(); }
extern "C" void weft_instance_set_fuel(wasm_instance_t* instance, uint64_t fuel) {
  instance->core->instance->setFuel(fuel);
}
