// Opcodes as Weft names them internally, and a constant table of what every
// opcode needs for decoding and typing, built at compile time from the one
// opcode list (opcode_list.h).
//
// Internal numbering folds the prefixes into one 10-bit space:
//
//   0x000-0x0ff  one-byte opcodes          0x200-0x2ff  0xfd (SIMD) sub-opcodes
//   0x100-0x1ff  0xfc (misc) sub-opcodes   0x300-0x3ff  0xfe (atomics) sub-opcodes
//
// so an opcode is a uint16_t that indexes {kOpcodeInfo} directly.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "format/opcode_list.h"
#include "format/types.h"

namespace weft {

constexpr uint16_t opcodeKey(uint32_t prefix, uint32_t code) {
  return static_cast<uint16_t>(prefix == 0      ? code
                               : prefix == 0xfc ? 0x100 + code
                               : prefix == 0xfd ? 0x200 + code
                                                : 0x300 + code);
}
constexpr size_t kOpcodeSpace = 0x400;

enum class Opcode : uint16_t {
#define WEFT_DEFINE_OPCODE(name, text, prefix, code, imm, sig) name = opcodeKey(prefix, code),
  WEFT_FOR_EACH_OPCODE(WEFT_DEFINE_OPCODE)
#undef WEFT_DEFINE_OPCODE
};

// An opcode's encoding: its prefix byte (0 for a one-byte opcode) and its code
// (the byte itself, or the LEB128 sub-opcode after the prefix), so decoders
// spell opcodes by name rather than by number.
constexpr uint8_t opcodePrefix(Opcode op) {
  auto key = static_cast<uint16_t>(op);
  return key < 0x100 ? 0 : key < 0x200 ? 0xfc : key < 0x300 ? 0xfd : 0xfe;
}
constexpr uint8_t opcodeCode(Opcode op) { return static_cast<uint8_t>(static_cast<uint16_t>(op) & 0xff); }

// The layout of an operator's immediates.
enum class ImmKind : uint8_t {
  None,
  Block,         // blocktype
  Label,         // labelidx
  BrTable,       // vec(labelidx) labelidx
  Func,          // funcidx
  CallIndirect,  // typeidx tableidx
  SelectT,       // vec(valtype), exactly one
  Local,         // localidx
  Global,        // globalidx
  Table,         // tableidx
  Mem1, Mem2, Mem4, Mem8, Mem16,           // memarg; natural alignment 2^0..2^4
  MemIdx,        // a memory index byte (must be 0 without multi-memory)
  I32, I64, F32, F64, V128,                // constants
  RefType,       // reftype
  DataMem,       // dataidx memidx
  Data,          // dataidx
  MemMem,        // memidx memidx
  ElemTable,     // elemidx tableidx
  Elem,          // elemidx
  TableTable,    // tableidx tableidx
  Shuffle,       // 16 lane indices < 32
  Lane16, Lane8, Lane4, Lane2,             // lane index below the lane count
  MemLane1, MemLane2, MemLane4, MemLane8,  // memarg, then a lane index
  Atomic1, Atomic2, Atomic4, Atomic8,      // memarg whose alignment must be exactly natural
  Fence,         // one reserved zero byte
};

// A fixed operand signature: what the operator pops (in push order) and pushes.
struct OpSignature {
  bool special = true;  // typed by the validator's own rules instead
  uint8_t numParams = 0;
  ValType params[3] = {ValType::Bottom, ValType::Bottom, ValType::Bottom};
  ValType result = ValType::Bottom;  // Bottom: pushes nothing
};

namespace detail {
constexpr ValType sigLetter(char c) {
  switch (c) {
    case 'i': return ValType::I32;
    case 'l': return ValType::I64;
    case 'f': return ValType::F32;
    case 'd': return ValType::F64;
    case 'v': return ValType::V128;
    default: return ValType::Bottom;
  }
}
// "ii_i" -> (i32 i32) -> i32; "x" stands for nothing on that side.
constexpr OpSignature parseSignature(std::string_view text) {
  OpSignature sig;
  if (text == "Special") return sig;
  sig.special = false;
  size_t split = text.find('_');
  for (size_t i = 0; i < split; ++i) {
    if (text[i] == 'x') continue;
    sig.params[sig.numParams++] = sigLetter(text[i]);
  }
  if (text[split + 1] != 'x') sig.result = sigLetter(text[split + 1]);
  return sig;
}
}  // namespace detail

struct OpcodeInfo {
  const char* name = nullptr;  // null: not an opcode Weft decodes
  ImmKind imm = ImmKind::None;
  OpSignature sig;
};

inline constexpr std::array<OpcodeInfo, kOpcodeSpace> kOpcodeInfo = [] {
  std::array<OpcodeInfo, kOpcodeSpace> table{};
#define WEFT_OPCODE_INFO(name_, text, prefix, code, imm_, sig_)                    \
  table[opcodeKey(prefix, code)] =                                                 \
      OpcodeInfo{text, ImmKind::imm_, detail::parseSignature(#sig_)};
  WEFT_FOR_EACH_OPCODE(WEFT_OPCODE_INFO)
#undef WEFT_OPCODE_INFO
  return table;
}();

inline const OpcodeInfo& opcodeInfo(Opcode op) { return kOpcodeInfo[static_cast<uint16_t>(op)]; }
inline const char* opcodeName(Opcode op) { return opcodeInfo(op).name; }

// Operator families, read off the opcode list (prefix, immediate, signature,
// name), so that consumers never pick them by numeric ranges.
enum class OpcodeFamily : uint8_t { Core, Misc, Simd, Atomic };
constexpr OpcodeFamily opcodeFamily(Opcode op) {
  switch (opcodePrefix(op)) {
    case 0xfc: return OpcodeFamily::Misc;
    case 0xfd: return OpcodeFamily::Simd;
    case 0xfe: return OpcodeFamily::Atomic;
    default: return OpcodeFamily::Core;
  }
}

// Operators on memories and tables, known by their immediates in the opcode
// list (a memarg, a memory, table, data or element index).
constexpr bool isMemoryOrTableOperator(Opcode op) {
  switch (kOpcodeInfo[static_cast<uint16_t>(op)].imm) {
    case ImmKind::Table:
    case ImmKind::Mem1: case ImmKind::Mem2: case ImmKind::Mem4: case ImmKind::Mem8: case ImmKind::Mem16:
    case ImmKind::MemIdx: case ImmKind::DataMem: case ImmKind::Data: case ImmKind::MemMem:
    case ImmKind::ElemTable: case ImmKind::Elem: case ImmKind::TableTable:
      return true;
    default:
      return false;
  }
}

// The bytes a memory operator (plain, SIMD lane or atomic) accesses, from its
// memarg's natural alignment in the list.
constexpr uint32_t memoryAccessBytes(Opcode op) {
  ImmKind imm = kOpcodeInfo[static_cast<uint16_t>(op)].imm;
  if (imm >= ImmKind::Mem1 && imm <= ImmKind::Mem16)
    return 1u << (static_cast<uint32_t>(imm) - static_cast<uint32_t>(ImmKind::Mem1));
  if (imm >= ImmKind::MemLane1 && imm <= ImmKind::MemLane8)
    return 1u << (static_cast<uint32_t>(imm) - static_cast<uint32_t>(ImmKind::MemLane1));
  return 1u << (static_cast<uint32_t>(imm) - static_cast<uint32_t>(ImmKind::Atomic1));
}
static_assert(memoryAccessBytes(Opcode::I64Load32S) == 4 && memoryAccessBytes(Opcode::I64AtomicRmw16XorU) == 2 &&
              memoryAccessBytes(Opcode::V128Load16Lane) == 2 && memoryAccessBytes(Opcode::V128Load64Splat) == 8);

enum class AtomicShape : uint8_t { Load, Store, ReadModifyWrite, CompareExchange, Wait, Notify, Fence };
enum class AtomicRmwOp : uint8_t { Add, Sub, And, Or, Xor, Xchg };

// What an atomic operator does: from its name and signature in the list.
constexpr AtomicShape atomicShape(Opcode op) {
  const OpcodeInfo& info = kOpcodeInfo[static_cast<uint16_t>(op)];
  std::string_view name = info.name;
  if (info.imm == ImmKind::Fence) return AtomicShape::Fence;
  if (name.starts_with("memory.atomic.wait")) return AtomicShape::Wait;
  if (name == "memory.atomic.notify") return AtomicShape::Notify;
  if (info.sig.numParams == 1) return AtomicShape::Load;
  if (info.sig.result == ValType::Bottom) return AtomicShape::Store;
  return info.sig.numParams == 3 ? AtomicShape::CompareExchange : AtomicShape::ReadModifyWrite;
}
// The operation of a read-modify-write: the name's last word ("rmw16.xor_u").
constexpr AtomicRmwOp atomicRmwOp(Opcode op) {
  std::string_view name = kOpcodeInfo[static_cast<uint16_t>(op)].name;
  name = name.substr(name.rfind('.') + 1);
  if (name.ends_with("_u")) name.remove_suffix(2);
  return name == "add"   ? AtomicRmwOp::Add
         : name == "sub" ? AtomicRmwOp::Sub
         : name == "and" ? AtomicRmwOp::And
         : name == "or"  ? AtomicRmwOp::Or
         : name == "xor" ? AtomicRmwOp::Xor
                         : AtomicRmwOp::Xchg;
}
static_assert(atomicShape(Opcode::I64AtomicRmw32CmpxchgU) == AtomicShape::CompareExchange);
static_assert(atomicShape(Opcode::I32AtomicStore16) == AtomicShape::Store);
static_assert(atomicShape(Opcode::MemoryAtomicWait64) == AtomicShape::Wait);
static_assert(atomicRmwOp(Opcode::I64AtomicRmw16XorU) == AtomicRmwOp::Xor);
static_assert(atomicRmwOp(Opcode::I32AtomicRmwXchg) == AtomicRmwOp::Xchg);

// For an opcode Weft does not decode: the post-2.0 proposal it belongs to, so the
// error can say "unsupported feature" instead of "illegal opcode". Null when the
// byte sequence is not an opcode of any proposal Weft knows of.
const char* proposalOfUnknownOpcode(uint32_t prefix, uint32_t code);

}  // namespace weft
