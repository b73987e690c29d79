// The words the baseline's arch-neutral function compiler and an
// architecture's macro-assembler share: register handles, frame and vmctx
// addresses, and the operations of each operator family. Nothing here names an
// instruction set; a backend (x64/macro_assembler_x64.h) gives each word its
// instructions, so that another architecture is a new macro-assembler, not a
// second compiler (issue 10, item 5).
#pragma once

#include <cstdint>

namespace weft {

// A general-purpose or a floating-point/vector register, by its number in the
// backend's encoding. Which numbers operands may use, and which are scratch,
// is the backend's to say (MacroAssembler::kAllocatableGprs and friends).
struct GpReg {
  uint8_t code = 0;
  friend bool operator==(GpReg, GpReg) = default;
};
struct FpReg {
  uint8_t code = 0;
  friend bool operator==(FpReg, FpReg) = default;
};

// base + offset: a frame slot (base = the frame pointer), a vmctx field (the
// vmctx register), the outgoing argument area (the stack pointer), or a
// pointer the compiler loaded into a scratch register.
struct Address {
  GpReg base;
  int32_t offset = 0;
};

// A branch target: an index into the macro-assembler's table of label
// offsets (made by newLabel, set by bind). The baseline keeps its own rather
// than asmjit's: an asmjit label is an entry allocated in its zone and linked
// into a list per jump, work that cost more than the jumps it served (a
// function of sqljs makes 17 labels).
struct Label {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t id = kNone;
  bool isValid() const { return id != kNone; }
};

// The second operand of an integer operation, where it already is.
struct IntOperand {
  enum class Kind : uint8_t { Register, Immediate, Slot };
  Kind kind = Kind::Register;
  GpReg reg;
  int32_t immediate = 0;
  Address slot;
  static IntOperand ofRegister(GpReg r) { return {Kind::Register, r, 0, {}}; }
  static IntOperand ofImmediate(int32_t value) { return {Kind::Immediate, {}, value, {}}; }
  static IntOperand ofSlot(Address a) { return {Kind::Slot, {}, 0, a}; }
};

enum class IntCondition : uint8_t { Eq, Ne, LtS, LtU, GtS, GtU, LeS, LeU, GeS, GeU };

enum class FloatCondition : uint8_t { Eq, Ne, Lt, Le, Gt, Ge };

// What br_if, `if` and select test: a value for being non-zero, or a
// comparison fused into them (when the comparison's only use is the operator
// right after it, its 0 or 1 is never materialized: `cmp; jl` instead of
// `cmp; setl; movzx; test; jnz`). Float comparisons fuse when one flag test
// decides them (lt, le, gt, ge; eq and ne also need the parity flag).
struct Condition {
  enum class Kind : uint8_t { NonZero, Compare, FloatCompare };
  Kind kind = Kind::NonZero;
  GpReg lhs;  // NonZero: the value tested
  IntCondition compare = IntCondition::Ne;
  bool wide = false;  // Compare: 64-bit operands; FloatCompare: f64
  IntOperand rhs;     // Compare: a register or an immediate
  FloatCondition floatCompare = FloatCondition::Lt;
  FpReg floatLhs, floatRhs;  // FloatCompare
  static Condition nonZero(GpReg value) { return {Kind::NonZero, value, IntCondition::Ne, false, {}, FloatCondition::Lt, {}, {}}; }
  static Condition of(IntCondition c, bool wide, GpReg lhs, IntOperand rhs) {
    return {Kind::Compare, lhs, c, wide, rhs, FloatCondition::Lt, {}, {}};
  }
  static bool fusible(FloatCondition c) { return c != FloatCondition::Eq && c != FloatCondition::Ne; }
  static Condition of(FloatCondition c, bool wide, FpReg lhs, FpReg rhs) {
    Condition out;
    out.kind = Kind::FloatCompare;
    out.wide = wide;
    out.floatCompare = c;
    out.floatLhs = lhs;
    out.floatRhs = rhs;
    return out;
  }
};

enum class IntBinaryOp : uint8_t { Add, Sub, Mul, And, Or, Xor };
enum class ShiftOp : uint8_t { Shl, ShrS, ShrU, Rotl, Rotr };
enum class IntUnaryOp : uint8_t { Clz, Ctz, Popcnt };
enum class FloatBinaryOp : uint8_t { Add, Sub, Mul, Div };
enum class Rounding : uint8_t { Nearest, Floor, Ceil, Trunc };

}  // namespace weft
