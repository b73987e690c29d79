#include "validation/validator.h"

#include "format/module_decoder.h"

namespace weft {

Status validateFunctionBody(const ModuleInfo& module, std::span<const uint8_t> bytes, uint32_t functionIndex,
                            ValidatorScratch& scratch) {
  OperatorIterator it(module, bytes, functionIndex, scratch);
  if (!it.readLocals()) return it.error();
  Operator op;
  while (it.next(op)) {
  }
  if (it.failed()) return it.error();
  return Ok{};
}

Status validateFunctionBodies(const ModuleInfo& module, std::span<const uint8_t> bytes) {
  ValidatorScratch scratch;
  for (uint32_t i = module.numImportedFunctions; i < module.functions.size(); ++i) {
    Status status = validateFunctionBody(module, bytes, i, scratch);
    if (!status) return status;
  }
  return Ok{};
}

Result<ModuleInfo> decodeAndValidate(std::span<const uint8_t> bytes) {
  Result<ModuleInfo> module = decodeModule(bytes);
  if (!module) return module;
  Status bodies = validateFunctionBodies(module.value(), bytes);
  if (!bodies) return bodies.error();
  return module;
}

}  // namespace weft
