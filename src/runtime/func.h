// Functions as the embedder holds them: a FuncRef (code + vmctx + signature
// id) with its type, keeping its owner alive. Host functions are C++
// callables behind the same FuncRef, reached from wasm through the host-call
// stub (runtime/trap_handler.h); they can read and write the calling
// instance's memory and can trap.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "format/types.h"
#include "runtime/value.h"
#include "abi/vmctx_layout.h"

namespace weft {

class Engine;
class Instance;

struct Func {
  const FuncRef* ref = nullptr;
  FuncType type;
  std::shared_ptr<void> owner;  // keeps the instance or host function alive
};

// What a host function sees of its caller.
class Caller {
 public:
  explicit Caller(Instance* instance) : instance_(instance) {}
  // The wasm frame at {framePointer} that called the host, returning to
  // {returnAddress}: its instance is looked up (trap_handler.h's
  // frameInstance) only if the callback asks, so calls that do not cost
  // nothing. No instance when the frame is not wasm code (a direct call).
  static Caller fromFrame(uintptr_t framePointer, uintptr_t returnAddress) {
    Caller caller(nullptr);
    caller.framePointer_ = framePointer;
    caller.returnAddress_ = returnAddress;
    caller.resolved_ = false;
    return caller;
  }
  Instance* instance() const;
  // The caller's memory 0; empty when it has none (or the host called directly).
  std::span<uint8_t> memory() const;

 private:
  mutable Instance* instance_;
  mutable bool resolved_ = true;
  uintptr_t framePointer_ = 0;
  uintptr_t returnAddress_ = 0;
};

struct HostOutcome {
  std::optional<std::string> trap;  // set: the call traps with this message
  static HostOutcome ok() { return {}; }
  // The call ends the program (WASI's proc_exit): it unwinds as a trap does,
  // but is no error; a debugger does not stop for it (Trap::endsProgram).
  bool endsProgram = false;
  static HostOutcome trapWith(std::string message) { return {std::move(message)}; }
  static HostOutcome exitWith(std::string message) { return {std::move(message), true}; }
};

using HostCallback = std::function<HostOutcome(Caller&, std::span<const Value> args, std::span<Value> results)>;

// Laid out so that the host-call stub can treat it as a vmctx: the header
// comes first (the stack limit is copied into it on every call).
struct HostFunction {
  VmctxHeader header;
  const void* code = nullptr;  // the host-call stub: what record.entry points at
  FuncRef record;
  FuncType type;
  HostCallback callback;
  // Of {type}, worked out once: hostDispatch's fast paths.
  bool travelsInRegisters = false;  // wasm_call_frame.h's travelsInRegisters
  bool valuesFitInline = false;     // its Values fit the dispatcher's stack arrays
};

Func makeHostFunction(Engine& engine, FuncType type, HostCallback callback);

}  // namespace weft
