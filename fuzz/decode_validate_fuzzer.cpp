// libFuzzer target: decode + validate arbitrary bytes. On a valid module, every
// body is walked again by the trusting iterator (checks as assertions, which
// fuzz builds keep), so validation and re-decoding must agree.
#include <cstddef>
#include <cstdint>
#include <span>

#include "validation/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  weft::Result<weft::ModuleInfo> module = weft::decodeAndValidate(bytes);
  if (!module) return 0;
  weft::ValidatorScratch scratch;
  for (uint32_t i = module->numImportedFunctions; i < module->functions.size(); ++i) {
    weft::ValidatedOperatorIterator it(module.value(), bytes, i, scratch);
    if (!it.readLocals()) __builtin_trap();
    weft::Operator op;
    while (it.next(op)) {
    }
    if (it.failed() || !it.done()) __builtin_trap();  // validated once, so it must walk cleanly
  }
  return 0;
}
