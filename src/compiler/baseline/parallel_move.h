// Register-to-register moves that happen "at once": every destination gets
// the value its source held before any of the moves. The baseline needs this
// where values meet fixed registers: a call's arguments moving to the
// convention's registers, a loop's locals moving to the registers its header
// expects them in. One resolver serves both, arch-neutral: the instructions
// are the MacroAssembler's.
#pragma once

#include <cstdint>

#include "compiler/baseline/macro_assembler.h"
#include "compiler/baseline/masm_types.h"
#include "support/bounded_vector.h"

namespace weft {

struct RegisterMove {
  bool fpr;
  uint8_t source;
  uint8_t destination;
  bool wide;  // a general-purpose move of all 64 bits (else the low 32, zero-extended)
};

// Every register of both kinds could be a destination once.
using RegisterMoves = BoundedVector<RegisterMove, 32>;

// Emits {moves} (distinct destinations; a source may feed several). A move
// waits while its destination is still the source of another pending move;
// when only waiting moves are left they form cycles, and one value of a
// cycle goes to the MacroAssembler's scratch register of its kind first
// (kScratchGpr, kMoveCycleFpr): neither may be a source or a destination.
inline void emitParallelMoves(MacroAssembler& masm, RegisterMoves moves) {
  auto emit = [&](const RegisterMove& m) {
    if (m.fpr) masm.moveFpr(FpReg{m.destination}, FpReg{m.source});
    else masm.moveGpr(GpReg{m.destination}, GpReg{m.source}, m.wide);
  };
  moves.eraseIf([](const RegisterMove& m) { return m.source == m.destination; });
  while (!moves.empty()) {
    bool progress = false;
    for (uint32_t k = 0; k < moves.size();) {
      bool waits = false;
      for (const RegisterMove& other : moves)
        if (other.fpr == moves[k].fpr && other.source == moves[k].destination) waits = true;
      if (waits) {
        ++k;
        continue;
      }
      emit(moves[k]);
      moves.erase(moves.begin() + k);
      progress = true;
    }
    if (progress) continue;
    RegisterMove& first = moves.front();  // on a cycle: its value waits in the scratch register
    uint8_t scratch = first.fpr ? MacroAssembler::kMoveCycleFpr.code : MacroAssembler::kScratchGpr.code;
    emit({first.fpr, first.source, scratch, true});
    first.source = scratch;
  }
}

}  // namespace weft
