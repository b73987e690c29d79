// A look ahead over one loop's body, made as the baseline compiler reaches
// the loop: which locals the loop reads and writes, and whether it accesses
// linear memory. The loop's head then keeps those locals, and memory 0's
// base, in registers (value_stack.h's loop home) instead of the ones that
// happened to be cached on the way in: a local the loop writes but did not
// find in a register would otherwise be stored on every back edge.
//
// Not a validator and not a second decoder of meaning: it reads only each
// operator's length, from the opcode list's immediate layouts (format/
// opcode_list.h), and gives up (no hint, the compiler's old choice) on
// anything it does not expect, malformed or unknown bytes included, or on a
// body longer than its budget, which bounds the look-ahead's cost for nested
// loops. The validating iterator still reads, and checks, every operator.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace weft {

struct LoopLocalUse {
  uint32_t local = 0;
  // Per iteration of the scanned loop, what keeping the local in a register
  // saves: in the loop's own body, 1 per read (a load) and 2 per write (a
  // store on the back edge, a load after); in a loop nested in it, which
  // keeps its own locals in registers, at most 2 per nested loop (the load
  // as it is entered, the store as it is left).
  uint32_t weight = 0;
  uint32_t nestedLoop = 0;    // the last nested loop counted, numbered from 1
  uint32_t nestedWeight = 0;  // what it counted: 1 read, 2 written
};

class LoopScanner {
 public:
  // Bytes of one loop's body read at most; a longer loop gets no hint.
  static constexpr size_t kBudgetBytes = 4 * 1024;

  // Reads from {body} (just past the loop's block type) to the loop's end.
  // False when it gave up: no hint.
  bool scan(std::span<const uint8_t> body, uint32_t numLocals);

  // After a successful scan: the locals the loop uses, heaviest first.
  std::span<const LoopLocalUse> locals() const { return touched_; }
  bool accessesMemory() const { return accessesMemory_; }
  // Where the loop's `end` opcode is (the compiler checks, in builds with
  // assertions, that the iterator finds it there).
  const uint8_t* loopEnd() const { return loopEnd_; }

 private:
  bool scanOperators(std::span<const uint8_t> body);
  void use(uint32_t local, uint32_t weight, uint32_t nestedLoop);

  std::vector<uint32_t> slotOf_;  // per local: its index in touched_ + 1, or 0 (all 0 between scans)
  std::vector<LoopLocalUse> touched_;
  uint32_t numLocals_ = 0;
  bool accessesMemory_ = false;
  const uint8_t* loopEnd_ = nullptr;
};

}  // namespace weft
