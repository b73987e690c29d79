// What fuel counts, for both tiers (EngineConfig::consumeFuel), so that a
// program costs the same whichever tier runs it: one unit per operator but the
// markers `end` and `else`, paid per straight-line run of operators as the run
// starts. A run ends at every operator that transfers control or that control
// reaches from elsewhere (branches, calls, if, loop headers, else, end), so
// each unit is paid exactly when its operator is about to run.
#pragma once

#include <cstdint>

#include "format/opcodes.h"

namespace weft {

constexpr bool costsFuel(Opcode op) { return op != Opcode::End && op != Opcode::Else; }

constexpr bool endsFuelRun(Opcode op) {
  switch (op) {
    case Opcode::Loop: case Opcode::If: case Opcode::Else: case Opcode::End:
    case Opcode::Br: case Opcode::BrIf: case Opcode::BrTable: case Opcode::Return: case Opcode::Unreachable:
    case Opcode::Call: case Opcode::CallIndirect:
      return true;
    default:
      return false;
  }
}

// The open run of a function being compiled: where its price goes ({Patch}:
// a code offset, an IR instruction) and the operators it has so far. Both
// tiers drive it the same way around each operator they translate.
template <typename Patch>
struct FuelRun {
  bool open = false;
  Patch price{};
  uint32_t operators = 0;

  // Before an operator's code: counts it; when it ends the run, the run's
  // price is final. Unreachable operators cost nothing.
  template <typename SetPrice>
  void before(Opcode op, bool reachable, SetPrice setPrice) {
    if (!reachable || !open) return;
    if (costsFuel(op)) ++operators;
    if (!endsFuelRun(op)) return;
    setPrice(price, operators);
    *this = {};
  }
  // After it: where control goes on (a branch's fall-through, a call's
  // return, a loop header, an if's then or else, an end's merge), the next
  // run is charged.
  template <typename Charge>
  void after(bool reachable, Charge charge) {
    if (reachable && !open) *this = {true, charge(), 0};
  }
};

}  // namespace weft
