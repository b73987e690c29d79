#include "runtime/trap.h"

#include <cstdio>

namespace weft {

const char* trapKindMessage(TrapKind kind) {
  switch (kind) {
    case TrapKind::None: return "no trap";
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::IntegerDivideByZero: return "integer divide by zero";
    case TrapKind::IntegerOverflow: return "integer overflow";
    case TrapKind::InvalidConversion: return "invalid conversion to integer";
    case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::TableOutOfBounds: return "out of bounds table access";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapKind::StackExhausted: return "call stack exhausted";
    case TrapKind::HostTrap: return "host function trapped";
    case TrapKind::NullReference: return "null reference";
    case TrapKind::UnalignedAtomic: return "unaligned atomic";
    case TrapKind::WaitOnUnsharedMemory: return "expected shared memory";
    case TrapKind::UnknownFault: return "fault in wasm code at an unknown site";
  }
  return "unknown trap";
}

std::string Trap::describe() const {
  // Deep recursion yields thousands of equal frames: print each run once,
  // and at most kShown runs.
  constexpr size_t kShown = 24;
  std::string text = message;
  size_t shown = 0;
  for (size_t i = 0; i < backtrace.size();) {
    const TrapFrame& frame = backtrace[i];
    size_t run = 1;
    while (i + run < backtrace.size() && backtrace[i + run].functionIndex == frame.functionIndex &&
           backtrace[i + run].bytecodeOffset == frame.bytecodeOffset)
      ++run;
    if (shown == kShown) {
      text += "\n  ... " + std::to_string(backtrace.size() - i) + " more frames";
      break;
    }
    char offset[32];
    std::snprintf(offset, sizeof offset, "0x%x", frame.bytecodeOffset);
    text += "\n  at function " + std::to_string(frame.functionIndex);
    if (frame.nameFromExport) text += " (export \"" + frame.functionName + "\")";
    else if (!frame.functionName.empty()) text += " \"" + frame.functionName + "\"";
    text += " (module offset " + std::string(offset) + ")";
    if (run > 1) text += " x" + std::to_string(run);
    ++shown;
    i += run;
  }
  return text;
}

}  // namespace weft
