// Validation of a whole module: decode the sections (format/module_decoder.h),
// then run every function body through the validating operator iterator with a
// consumer that does nothing but let the iterator check it.
#pragma once

#include <cstdint>
#include <span>

#include "format/module_info.h"
#include "support/error.h"
#include "validation/operator_iterator.h"

namespace weft {

// Validates one defined function's body.
Status validateFunctionBody(const ModuleInfo& module, std::span<const uint8_t> bytes, uint32_t functionIndex,
                            ValidatorScratch& scratch);

// Validates every function body of a decoded module.
Status validateFunctionBodies(const ModuleInfo& module, std::span<const uint8_t> bytes);

// Decodes and fully validates a module: what `weft validate` runs.
Result<ModuleInfo> decodeAndValidate(std::span<const uint8_t> bytes);

}  // namespace weft
