// What a compiler tier hands to the linker for one function: its machine code
// and the sites that map a code offset back to a bytecode offset (trap sites
// and call return addresses, for traps and backtraces). The code is complete:
// it reaches other functions through the module's entry table and the runtime
// through the helper table, both found from the vmctx, so nothing in it is
// patched at link time (DESIGN 3) and it may be placed anywhere.
#pragma once

#include <cstdint>
#include <vector>

namespace weft {

// Where the linker starts every function in the code image. A compiler may
// align code inside a function (loop heads) to at most this much and rely
// on it holding in memory.
constexpr uint32_t kFunctionAlignment = 32;

struct CodeSite {
  uint32_t codeOffset = 0;      // from the function's first byte
  uint32_t bytecodeOffset = 0;  // module offset of the operator
};

// How a walker reads a function's sites (DESIGN 4).
enum class SiteKind : uint8_t {
  // A site is one instruction: a trap's or the return address of a call.
  Exact,
  // A site starts a run of instructions that belong to its bytecode offset,
  // up to the next site (an optimizer's line table); a call's return address
  // is looked up at the byte before it. bytecodeOffset kNoBytecodeOffset:
  // code of no operator in particular.
  Ranges,
};
constexpr uint32_t kNoBytecodeOffset = UINT32_MAX;

struct CompiledFunction {
  std::vector<uint8_t> code;
  std::vector<CodeSite> sites;  // sorted by codeOffset
  SiteKind siteKind = SiteKind::Exact;
  // Where, from the frame pointer, the function keeps its vmctx once its
  // prologue has run (the baseline: vmctx::kFrameSlot; an optimizer puts it
  // where its frame layout lets it).
  int32_t vmctxSlot = -8;
};

}  // namespace weft
