// Traps as the embedder sees them (DESIGN 10): the kind, the wasm function
// (index, and name when the name section has one), the bytecode offset, and a
// wasm backtrace, innermost frame first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "abi/trap_kind.h"

namespace weft {

class Instance;

struct TrapFrame {
  // The instance this frame ran in, read from the frame's vmctx slot (DESIGN 4:
  // instances are found from frames, never from the PC alone).
  Instance* instance = nullptr;
  uint32_t functionIndex = 0;
  uint32_t bytecodeOffset = 0;  // module offset of the operator executing in this frame
  std::string functionName;     // from the name section, else an export name, else empty
  bool nameFromExport = false;  // functionName is the name it is exported under
};

struct Trap {
  TrapKind kind = TrapKind::None;
  std::string message;              // trapKindMessage, or the host's own for HostTrap
  std::vector<TrapFrame> backtrace; // innermost first; empty when raised outside wasm code
  bool endsProgram = false;         // a host function ended the program (HostOutcome::exitWith)

  // "out of bounds memory access in function 3 "load" at 0x2f\n  at ..."
  std::string describe() const;
};

}  // namespace weft
