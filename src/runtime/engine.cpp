#include "runtime/engine.h"

#include "runtime/trap_handler.h"

namespace weft {

Engine::Engine(EngineConfig config) : config_(config) { installTrapHandlers(); }

uint32_t Engine::signatureId(const FuncType& type) {
  std::lock_guard guard(signaturesLock_);
  auto [it, inserted] = signatures_.try_emplace(type, static_cast<uint32_t>(signatures_.size() + 1));
  return it->second;
}

}  // namespace weft
