// libFuzzer target: any valid module must compile with the baseline in both
// memory strategies, or fail with an error (an implementation limit), never
// crash or trip an assertion (fuzz builds keep them). Invalid inputs stop at
// validation, which decode_validate_fuzzer covers.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "runtime/module.h"
#include "validation/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  if (!weft::decodeAndValidate(bytes)) return 0;
  for (weft::MemoryStrategy strategy : {weft::MemoryStrategy::Guard, weft::MemoryStrategy::BoundsChecked}) {
    static std::shared_ptr<weft::Engine> engines[2];
    auto& engine = engines[strategy == weft::MemoryStrategy::Guard ? 0 : 1];
    if (!engine) engine = std::make_shared<weft::Engine>(weft::EngineConfig::with(strategy, 1, weft::Tier::Baseline));
    weft::Result<std::shared_ptr<const weft::Module>> module = weft::Module::compile(engine, bytes);
    // Valid input: an error is allowed only for a limit (code too large).
    if (!module && module.error().kind != weft::ErrorKind::LimitExceeded) __builtin_trap();
  }
  return 0;
}
