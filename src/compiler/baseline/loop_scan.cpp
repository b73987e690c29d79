// The loop look-ahead (loop_scan.h): operator lengths from the opcode list's
// immediate layouts, nesting from block/loop/if/end, and the local indices
// of local.get/set/tee.
#include "compiler/baseline/loop_scan.h"

#include <algorithm>
#include <array>

#include "format/opcodes.h"

namespace weft {
namespace {

// A bounds-checked cursor that only skips: every step says whether the bytes
// were there.
class Skimmer {
 public:
  explicit Skimmer(std::span<const uint8_t> bytes) : pos_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  const uint8_t* pos() const { return pos_; }
  bool atEnd() const { return pos_ >= end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  bool byte(uint8_t& out) {
    if (pos_ >= end_) return false;
    out = *pos_++;
    return true;
  }
  bool skip(size_t count) {
    if (remaining() < count) return false;
    pos_ += count;
    return true;
  }
  // A LEB128 of at most {maxBytes} bytes; its value when it fits 32 bits.
  bool leb(uint32_t& value, unsigned maxBytes = 5) {
    value = 0;
    for (unsigned i = 0; i < maxBytes; ++i) {
      uint8_t b;
      if (!byte(b)) return false;
      if (i < 5) value |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool skipLeb(unsigned maxBytes = 5) {
    uint32_t ignored;
    return leb(ignored, maxBytes);
  }

 private:
  const uint8_t* pos_;
  const uint8_t* end_;
};

// Each opcode's immediate layout, one byte per opcode (kOpcodeInfo's rows
// are wide: reading them cost the look-ahead a cache miss per operator);
// kUnknown where the opcode list has none.
constexpr uint8_t kUnknown = 0xff;
constexpr std::array<uint8_t, kOpcodeSpace> kImmediates = [] {
  std::array<uint8_t, kOpcodeSpace> table{};
  for (size_t key = 0; key < kOpcodeSpace; ++key)
    table[key] = kOpcodeInfo[key].name ? static_cast<uint8_t>(kOpcodeInfo[key].imm) : kUnknown;
  return table;
}();

bool skipBlockType(Skimmer& s) {
  uint8_t first;
  if (!s.byte(first)) return false;
  if (first == 0x40 || (first & 0xc0) == 0x40) return true;  // empty, or a value type
  if ((first & 0x80) == 0) return true;                        // a one-byte type index
  return s.skipLeb(4);
}

bool skipMemArg(Skimmer& s) {
  uint32_t align;
  if (!s.leb(align)) return false;
  if (align & 0x40) return false;  // a memory index: not a form Weft compiles
  return s.skipLeb();
}

}  // namespace

bool LoopScanner::scan(std::span<const uint8_t> body, uint32_t numLocals) {
  if (slotOf_.size() < numLocals) slotOf_.resize(numLocals, 0);
  numLocals_ = numLocals;
  touched_.clear();
  accessesMemory_ = false;
  loopEnd_ = nullptr;
  bool complete = scanOperators(body.first(std::min(body.size(), kBudgetBytes)));
  for (const LoopLocalUse& u : touched_) slotOf_[u.local] = 0;
  if (!complete) {
    touched_.clear();
    accessesMemory_ = false;
    loopEnd_ = nullptr;
    return false;
  }
  std::stable_sort(touched_.begin(), touched_.end(),
                   [](const LoopLocalUse& a, const LoopLocalUse& b) { return a.weight > b.weight; });
  return true;
}

void LoopScanner::use(uint32_t local, uint32_t weight, uint32_t nestedLoop) {
  if (local >= numLocals_) return;  // invalid: the iterator will say so
  uint32_t& slot = slotOf_[local];
  if (slot == 0) {
    touched_.push_back({local, 0});
    slot = static_cast<uint32_t>(touched_.size());
  }
  LoopLocalUse& u = touched_[slot - 1];
  if (nestedLoop != 0) {  // counted once per nested loop, the heavier way
    if (u.nestedLoop != nestedLoop) {
      u.nestedLoop = nestedLoop;
      u.nestedWeight = 0;
    }
    uint32_t more = weight > u.nestedWeight ? weight - u.nestedWeight : 0;
    u.nestedWeight += more;
    weight = more;
  }
  u.weight = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{u.weight} + weight, UINT32_MAX));
}

bool LoopScanner::scanOperators(std::span<const uint8_t> body) {
  Skimmer s(body);
  // Blocks open inside the loop, innermost in bit 0: set for a loop.
  uint64_t loopBits = 0;
  uint32_t depth = 0, loopDepth = 0;
  uint32_t nestedLoops = 0;  // loops met at loop depth 0, numbered from 1
  while (true) {
    const uint8_t* at = s.pos();
    uint8_t first;
    if (!s.byte(first)) return false;  // the budget or the body ran out first
    uint32_t key = first;
    if (first >= 0xfc && first <= 0xfe) {
      uint32_t sub;
      if (!s.leb(sub) || sub >= 0x100) return false;
      key = opcodeKey(first, sub);
    }
    uint8_t immediates = kImmediates[key];
    if (immediates == kUnknown) return false;
    auto op = static_cast<Opcode>(key);
    switch (op) {
      case Opcode::Block: case Opcode::Loop: case Opcode::If:
        if (depth == 64) return false;
        nestedLoops += op == Opcode::Loop && loopDepth == 0;
        loopBits = (loopBits << 1) | (op == Opcode::Loop);
        loopDepth += op == Opcode::Loop;
        ++depth;
        break;
      case Opcode::End:
        if (depth == 0) {  // the scanned loop's own end
          loopEnd_ = at;
          return true;
        }
        loopDepth -= static_cast<uint32_t>(loopBits & 1);
        loopBits >>= 1;
        --depth;
        break;
      default: break;
    }
    switch (static_cast<ImmKind>(immediates)) {
      case ImmKind::None: break;
      case ImmKind::Block:
        if (!skipBlockType(s)) return false;
        break;
      case ImmKind::Label: case ImmKind::Func: case ImmKind::Global: case ImmKind::Table:
      case ImmKind::Data: case ImmKind::Elem:
        if (!s.skipLeb()) return false;
        break;
      case ImmKind::CallIndirect: case ImmKind::ElemTable: case ImmKind::TableTable:
        if (!s.skipLeb() || !s.skipLeb()) return false;
        break;
      case ImmKind::BrTable: {
        uint32_t count;
        if (!s.leb(count) || count >= s.remaining()) return false;
        for (uint32_t i = 0; i <= count; ++i)
          if (!s.skipLeb()) return false;
        break;
      }
      case ImmKind::SelectT: {
        uint32_t count;
        if (!s.leb(count) || !s.skip(count)) return false;
        break;
      }
      case ImmKind::Local: {
        uint32_t local;
        if (!s.leb(local)) return false;
        use(local, op == Opcode::LocalGet ? 1 : 2, loopDepth == 0 ? 0 : nestedLoops);
        break;
      }
      case ImmKind::Mem1: case ImmKind::Mem2: case ImmKind::Mem4: case ImmKind::Mem8: case ImmKind::Mem16:
      case ImmKind::Atomic1: case ImmKind::Atomic2: case ImmKind::Atomic4: case ImmKind::Atomic8:
        if (!skipMemArg(s)) return false;
        accessesMemory_ = true;
        break;
      case ImmKind::MemLane1: case ImmKind::MemLane2: case ImmKind::MemLane4: case ImmKind::MemLane8:
        if (!skipMemArg(s) || !s.skip(1)) return false;
        accessesMemory_ = true;
        break;
      case ImmKind::MemIdx: case ImmKind::RefType: case ImmKind::Fence:
      case ImmKind::Lane16: case ImmKind::Lane8: case ImmKind::Lane4: case ImmKind::Lane2:
        if (!s.skip(1)) return false;
        break;
      case ImmKind::DataMem:
        if (!s.skipLeb() || !s.skip(1)) return false;
        break;
      case ImmKind::MemMem:
        if (!s.skip(2)) return false;
        break;
      case ImmKind::I32:
        if (!s.skipLeb()) return false;
        break;
      case ImmKind::I64:
        if (!s.skipLeb(10)) return false;
        break;
      case ImmKind::F32:
        if (!s.skip(4)) return false;
        break;
      case ImmKind::F64:
        if (!s.skip(8)) return false;
        break;
      case ImmKind::V128: case ImmKind::Shuffle:
        if (!s.skip(16)) return false;
        break;
    }
  }
}

}  // namespace weft
