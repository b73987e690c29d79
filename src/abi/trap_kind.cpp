#include "abi/trap_kind.h"

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
    case TrapKind::Interrupted: return "interrupted";
    case TrapKind::OutOfFuel: return "out of fuel";
  }
  return "unknown trap";
}

}  // namespace weft
