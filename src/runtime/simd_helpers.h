// The SIMD operations the baseline compiler leaves to a helper (see
// simd_helpers.cpp): exact lane semantics over 16-byte operand slots.
#pragma once

#include <cstdint>

namespace weft {

// {opcode} is the folded Opcode; {immediate} a lane index where the operator
// has one. Vector operands and results are 16 bytes; scalar operands are read
// from the start of their slot, scalar results written to the start of {out}.
// {out} may alias {a}.
void simdOperation(uint32_t opcode, uint32_t immediate, uint8_t* out, const uint8_t* a, const uint8_t* b,
                   const uint8_t* c);

}  // namespace weft
