// The kinds of trap (DESIGN 10): what compiled code raises through the
// RaiseTrap builtin or a fault, what helpers return, what the embedder reads.
// Values are part of the code: compilers embed them as immediates.
#pragma once

#include <cstdint>

namespace weft {

enum class TrapKind : uint8_t {
  None = 0,
  Unreachable,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversion,
  MemoryOutOfBounds,
  TableOutOfBounds,
  UndefinedElement,         // call_indirect index past the table's end
  UninitializedElement,     // call_indirect through a null entry
  IndirectCallTypeMismatch,
  StackExhausted,
  HostTrap,                 // a host function reported a trap
  NullReference,
  UnalignedAtomic,          // an atomic access off its natural alignment
  WaitOnUnsharedMemory,     // memory.atomic.wait on a memory that is not shared
  UnknownFault,             // a fault in wasm code at no recorded trap site (a Weft bug)
  Interrupted,              // the host asked (Engine/Instance::interrupt); seen at a loop header or a calling function's entry
  OutOfFuel,                // code counting fuel (EngineConfig::consumeFuel) ran out of it
};

// The spec test suite's wording for each kind ("out of bounds memory access").
const char* trapKindMessage(TrapKind kind);

}  // namespace weft
