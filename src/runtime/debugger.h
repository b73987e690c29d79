// Debugging one instance (DESIGN 6): breakpoints, stepping, and a look at the
// stopped thread's frames, locals, operand stacks, globals and memory.
//
// Sharing code forbids patching it, so an instance created with a
// DebugHandler (InstanceOptions) runs a private clone of its module's debug
// code (EngineConfig::debugging), mapped twice: read+execute where it runs,
// read+write where this class patches it. Every operator of debug code starts
// with a debug site (abi/compiled_code.h), a no-op until a breakpoint or a
// step patches it into a call to the runtime's debug trap stub, which calls
// siteHit() with the frame. The module's shared code and every other
// instance's never change.
//
// A stop runs the handler on the stopped thread, inside the wasm call: the
// thread is paused for as long as the handler runs, and the handler's answer
// says how it goes on. Breakpoints may be set and cleared from any thread at
// any time; a site is patched with one aligned 4-byte store, so a thread
// running past it sees the old or the new instruction, never a mix, and then
// every thread of the process is made to serialize its instruction stream
// (membarrier SYNC_CORE, where the kernel has it), as cross-modifying code
// requires, so none keeps running a replaced instruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "runtime/module_code.h"
#include "runtime/trap.h"
#include "runtime/value.h"
#include "support/error.h"

namespace weft {

class Instance;

enum class StopReason : uint8_t {
  Breakpoint,
  Step,  // a step ended, or breakAtNextOperator()
  Trap,  // the operator trapped; the trap unwinds once the handler returns
};
const char* stopReasonName(StopReason reason);

// How the stopped thread goes on.
enum class ResumeMode : uint8_t {
  Continue,  // to the next breakpoint
  StepInto,  // to the next operator this instance runs, in a callee too
  StepOver,  // to the next operator of this frame, or of its caller once it returns
  StepOut,   // to the next operator of the caller
  Abort,     // the call traps "interrupted" at this operator
};

struct DebugFrame {
  uint32_t functionIndex = 0;
  // The operator the frame is at: the one about to run (the innermost frame
  // of a breakpoint or step), the one that trapped, or the call it waits in.
  uint32_t bytecodeOffset = 0;
  Instance* instance = nullptr;  // read from the frame (DESIGN 4)
  bool inspectable = false;      // debug code: its locals and operand stack can be read
};

// One stop, valid while the handler runs.
class DebugStop {
 public:
  StopReason reason() const { return reason_; }
  Instance& instance() const { return instance_; }
  const Trap* trap() const { return trap_; }  // reason Trap
  // The stopped thread's wasm frames, innermost first, up to the host that
  // called in. Found on first use: a handler that only steps does not walk.
  const std::vector<DebugFrame>& frames() const;
  // Frame {index} alone, walking no further than it: null past the last.
  const DebugFrame* frame(size_t index) const;
  // Frame {frame}'s locals (parameters first) and operand stack (bottom
  // first); nullopt for a frame that is not debug code or does not exist.
  // The innermost frame's stack is the one its operator starts with; a
  // caller's is what stays below the call's arguments.
  std::optional<std::vector<Value>> locals(size_t frame) const;
  std::optional<std::vector<Value>> operandStack(size_t frame) const;
  // Global {index} of the stopped instance; nullopt past the last.
  std::optional<Value> global(uint32_t index) const;
  // {length} bytes of memory {memory} of the stopped instance from
  // {address}; nullopt when any of them is out of bounds.
  std::optional<std::vector<uint8_t>> readMemory(uint32_t memory, uint64_t address, uint64_t length) const;

 private:
  friend class Debugger;
  struct RawFrame {
    uintptr_t framePointer = 0;
    const ModuleCode::FunctionRange* range = nullptr;
    bool innermost = false;
  };
  DebugStop(StopReason reason, Instance& instance, uintptr_t framePointer, uintptr_t pc, uint32_t bytecodeOffset,
            const Trap* trap)
      : reason_(reason), instance_(instance), bytecodeOffset_(bytecodeOffset), trap_(trap), nextFramePointer_(framePointer),
        nextPc_(pc) {}
  // Walks until frame {index} is found or the frames end.
  bool walkTo(size_t index) const;
  const DebugSite* siteAt(const RawFrame& raw, uint32_t bytecodeOffset) const;

  StopReason reason_;
  Instance& instance_;
  uint32_t bytecodeOffset_;
  const Trap* trap_;
  mutable uintptr_t nextFramePointer_, nextPc_;  // where the walk goes on
  mutable bool walkEnded_ = false;
  mutable std::vector<DebugFrame> frames_;
  mutable std::vector<RawFrame> raw_;
};

class DebugHandler {
 public:
  virtual ~DebugHandler() = default;
  // Runs on the stopped thread. It may set and clear breakpoints, read what
  // the stop shows, and call into other instances, but not into the stopped
  // one (its thread is in the middle of a call). Exceptions are not
  // allowed out of it (they would cross wasm frames): one that escapes
  // continues the run as Continue would.
  virtual ResumeMode onStop(DebugStop& stop) = 0;
};

struct Breakpoint {
  uint32_t functionIndex = 0;
  uint32_t bytecodeOffset = 0;
};

class Debugger {
 public:
  // {instance}'s clone of {shared}, a module's debug code.
  static Result<std::unique_ptr<Debugger>> create(Instance& instance, const ModuleCode& shared,
                                                  std::shared_ptr<DebugHandler> handler);
  ~Debugger();
  Debugger(const Debugger&) = delete;
  Debugger& operator=(const Debugger&) = delete;

  // A breakpoint at the first operator of defined function {functionIndex}
  // at or after module offset {bytecodeOffset} (its body's offset: its first
  // operator). Returns the operator's offset. Thread-safe.
  Result<uint32_t> setBreakpoint(uint32_t functionIndex, uint32_t bytecodeOffset);
  // Clears the breakpoint at exactly that operator; false when there is none.
  bool clearBreakpoint(uint32_t functionIndex, uint32_t bytecodeOffset);
  void clearBreakpoints();
  std::vector<Breakpoint> breakpoints() const;
  // The operators of defined function {functionIndex} a breakpoint can stop
  // at (the reachable ones), in order; empty for an import or no function.
  std::vector<uint32_t> operatorOffsets(uint32_t functionIndex) const;
  // Stops at the next operator the instance runs (StopReason::Step).
  void breakAtNextOperator();

  // The clone the instance runs (registered like any code image).
  const ModuleCode& code() const { return *clone_; }
  std::unique_ptr<ModuleCode> takeClone();  // for the instance, which owns the code

  // ---- for the runtime ----
  // A debug site called the trap stub: {returnAddress} is just past the
  // site. Returns the bytecode offset to raise "interrupted" at, if the
  // handler asked to abort.
  std::optional<uint32_t> siteHit(uintptr_t framePointer, uintptr_t returnAddress);
  // A trap in a frame of this instance, before it unwinds.
  void trapped(const Trap& trap, uintptr_t framePointer, uintptr_t pc);
  // Whether any debugger lives in the process (traps check it first).
  static bool anyAlive() { return alive_.load(std::memory_order_relaxed) != 0; }

 private:
  Debugger(Instance& instance, std::shared_ptr<DebugHandler> handler)
      : instance_(instance), handler_(std::move(handler)) {}
  const ModuleCode::FunctionRange* rangeOfFunction(uint32_t functionIndex) const;
  void patch(uint32_t imageOffset, bool armed);
  void armAllSites(bool armed);  // under lock_
  ResumeMode ask(DebugStop& stop);
  void resume(ResumeMode mode, uintptr_t framePointer);

  Instance& instance_;
  std::shared_ptr<DebugHandler> handler_;
  std::unique_ptr<ModuleCode> ownedClone_;  // until the instance takes it
  const ModuleCode* clone_ = nullptr;
  mutable std::mutex lock_;
  // By (function, operator offset): the site's offset in the image.
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> breakpoints_;
  bool allArmed_ = false;  // stepping: every site calls in
  // The step in progress (ResumeMode::Continue: none) and the frame it
  // started in.
  std::atomic<ResumeMode> step_{ResumeMode::Continue};
  std::atomic<uintptr_t> stepFramePointer_{0};
  static std::atomic<uint32_t> alive_;
};

// The debug trap stub's target: {vmctx}'s instance stopped at a site.
// Never returns when the handler aborts (it raises the trap).
void debugSiteHit(void* vmctx, uintptr_t framePointer, uintptr_t returnAddress);
// raiseTrap's hook: a trap about to unwind, seen by the debugger of the
// innermost frame's instance, if that has one.
void debuggerSeesTrap(const Trap& trap, uintptr_t framePointer, uintptr_t pc);

}  // namespace weft
