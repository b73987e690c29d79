#include "runtime/module.h"

#include "format/module_decoder.h"

namespace weft {

Result<std::shared_ptr<Module>> Module::assemble(std::shared_ptr<Engine> engine, std::vector<uint8_t> bytes) {
  auto data = std::make_shared<ModuleData>();
  data->bytes = std::move(bytes);
  Result<ModuleInfo> info = decodeModule(data->bytes);
  if (!info) return info.error();
  data->info = std::move(info.value());
  data->layout = VmctxLayout(data->info);
  data->strategy = engine->config().memoryStrategy;
  data->countsFuel = engine->config().consumeFuel;
  data->debugging = engine->config().debugging;
  for (const FuncType& type : data->info.types) data->signatureIds.push_back(engine->signatureId(type));
  std::shared_ptr<Module> module(new Module());
  module->engine_ = std::move(engine);
  module->data_ = std::move(data);
  return module;
}

void Module::attachCode(std::unique_ptr<ModuleCode> code, Tier tier, uint64_t cpuFeatures) {
  auto data = std::const_pointer_cast<ModuleData>(data_);  // not shared yet: no job has seen it
  data->tier = tier;
  data->cpuFeatures = cpuFeatures;
  code_ = std::move(code);
  size_t defined = info().functions.size() - info().numImportedFunctions;
  entries_ = std::make_unique<std::atomic<const void*>[]>(defined);
  for (size_t i = 0; i < code_->functions().size(); ++i)
    entries_[code_->functions()[i].functionIndex - info().numImportedFunctions].store(code_->code(i),
                                                                                        std::memory_order_relaxed);
  lifeline_->module = this;
  lifeline_->alive = true;
  engine_->track(this);
}

Status Module::replaceCode(const std::vector<uint32_t>& indices, std::vector<CompiledFunction> functions) const {
  Result<std::unique_ptr<ModuleCode>> image =
      ModuleCode::link(info(), indices, std::move(functions), engine_->config().onLowMemory);
  if (!image) return image.error();
  std::lock_guard guard(laterCodeLock_);
  const ModuleCode& placed = *image.value();
  laterCode_.push_back(std::move(image.value()));
  // Release: a thread that reads the new entry sees the sealed code behind it.
  for (size_t i = 0; i < placed.functions().size(); ++i)
    entries_[placed.functions()[i].functionIndex - info().numImportedFunctions].store(placed.code(i),
                                                                                       std::memory_order_release);
  return Ok{};
}

Module::~Module() {
  {
    std::lock_guard guard(lifeline_->lock);  // waits for a job installing code
    lifeline_->module = nullptr;
    lifeline_->alive = false;
  }
  if (code_) engine_->forget(this);
}

Result<const ModuleCode*> Module::debugCode() const {
  std::lock_guard guard(debugCodeLock_);
  if (debugCode_) return static_cast<const ModuleCode*>(debugCode_.get());
  if (!data_->debugging || !data_->compileDebugCode)
    return makeError(ErrorKind::Invalid, "a debug instance needs a module compiled by an engine for debugging "
                                         "(EngineConfig::debugging), in this process");
  Result<std::unique_ptr<ModuleCode>> compiled = data_->compileDebugCode(*data_, engine_->config());
  if (!compiled) return compiled.error();
  debugCode_ = std::move(compiled.value());
  return static_cast<const ModuleCode*>(debugCode_.get());
}

std::shared_ptr<const MemoryImage> Module::memoryImage(uint32_t memoryIndex) const {
  std::lock_guard guard(imagesLock_);
  if (memoryIndex >= info().memories.size()) return nullptr;
  if (imagesBuilt_.empty()) {
    imagesBuilt_.assign(info().memories.size(), false);
    images_.resize(info().memories.size());
  }
  if (!imagesBuilt_[memoryIndex]) {
    images_[memoryIndex] = MemoryImage::build(info(), bytes(), memoryIndex);
    imagesBuilt_[memoryIndex] = true;
  }
  return images_[memoryIndex];
}

uint64_t Module::codeBytes() const {
  uint64_t total = code_ ? code_->memory().mappedSize() : 0;
  {
    std::lock_guard guard(debugCodeLock_);
    if (debugCode_) total += debugCode_->memory().mappedSize();
  }
  std::lock_guard guard(laterCodeLock_);
  for (const auto& image : laterCode_) total += image->memory().mappedSize();
  return total;
}

size_t Module::codeImages() const {
  std::lock_guard guard(laterCodeLock_);
  return (code_ ? 1 : 0) + laterCode_.size();
}

uint64_t Module::metadataBytes() const {
  uint64_t total = sizeof(Module) + sizeof(ModuleData) + bytes().size();
  total += info().functions.capacity() * sizeof(FunctionDecl) + info().types.capacity() * sizeof(FuncType);
  total += (info().functions.size() - info().numImportedFunctions) * sizeof(void*);  // the entry table
  std::lock_guard guard(imagesLock_);
  for (const auto& image : images_)
    if (image) total += image->size();  // initial memory images, shared by every instance
  return total;
}

}  // namespace weft
