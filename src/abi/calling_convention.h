// Weft's wasm calling convention (DESIGN 8): how every tier's functions, the
// host entry stub and host-function adapters call each other. Defined here
// once; the compilers emit it and the runtime's stubs follow it.
//
// Today (x86-64), the convention of the baseline tier:
//   r14 = the callee's vmctx on entry (the caller sets it and reloads its own
//   from its frame after the call);
//   arguments in 8-byte slots at [rsp+8] (the first) upward on entry, in the
//   caller's outgoing area, sized max(params, results) slots; a v128 takes two;
//   results are written back over the same slots, in order;
//   everything but rbp, rsp and r14 is clobbered.
// Frame: [rbp] the caller's rbp, [rbp+8] the return address, [rbp-8] the
// frame's vmctx (vmctx::kFrameSlot), so a walker finds each frame's instance at
// any instruction after the prologue's push (DESIGN 4).
//
// Calls between functions of a module go through the module's entry table
// (entry_table.h), whose address is in every vmctx header.
#pragma once

#include <cstdint>

#include "format/types.h"

namespace weft {

// Argument and result slots a value of {type} takes (a v128 takes two).
inline uint32_t argumentSlotUnits(ValType type) { return type == ValType::V128 ? 2 : 1; }

}  // namespace weft
