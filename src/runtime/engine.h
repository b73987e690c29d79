// The embedding API's root: configuration shared by every module compiled
// with it, and the engine-wide table of canonical signature ids that
// call_indirect compares (the ids live in instance data, never in code).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "compiler/compiled_code.h"
#include "format/types.h"

namespace weft {

struct EngineConfig {
  MemoryStrategy memoryStrategy = MemoryStrategy::Guard;
  uint32_t compileThreads = 0;  // 0: one per hardware thread
};

class Engine {
 public:
  explicit Engine(EngineConfig config = {});
  const EngineConfig& config() const { return config_; }

  // Equal function types get equal ids, across modules. Thread-safe.
  uint32_t signatureId(const FuncType& type);

 private:
  struct TypeLess {
    bool operator()(const FuncType& a, const FuncType& b) const {
      return a.params != b.params ? a.params < b.params : a.results < b.results;
    }
  };
  EngineConfig config_;
  std::mutex signaturesLock_;
  std::map<FuncType, uint32_t, TypeLess> signatures_;
};

}  // namespace weft
