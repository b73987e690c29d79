// What a compiler tier hands to the linker for one function: its machine code
// and the sites that map a code offset back to a bytecode offset (trap sites
// and call return addresses, for traps and backtraces). The code is complete:
// it reaches other functions through the module's entry table and the runtime
// through the helper table, both found from the vmctx, so nothing in it is
// patched at link time (DESIGN 3) and it may be placed anywhere.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "format/types.h"

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

// Debug code (DESIGN 6; the baseline's debug mode): every reachable operator
// starts with a debug site, a 4-byte, 4-aligned no-op that a debug clone
// patches into `call [vmctx + vmctx::kDebugTrap]` to stop there. At a site
// every operand value is in its canonical frame slot and every local in its
// slot, so a debugger reads them from the frame alone.
constexpr uint32_t kDebugSiteBytes = 4;
// The site's two forms: a 4-byte nop, and the call through the vmctx
// register (r10) at disp8.
constexpr uint8_t kDebugSiteNop[kDebugSiteBytes] = {0x0f, 0x1f, 0x40, 0x00};
inline void encodeDebugSiteCall(uint8_t (&out)[kDebugSiteBytes], int8_t debugTrapOffset) {
  out[0] = 0x41;  // REX.B: r10
  out[1] = 0xff;  // call r/m64
  out[2] = 0x52;  // mod 01 (disp8), reg /2, rm r10
  out[3] = static_cast<uint8_t>(debugTrapOffset);
}

struct DebugSite {
  uint32_t codeOffset = 0;      // of the site, from the function's first byte
  uint32_t bytecodeOffset = 0;  // module offset of the operator it starts
  uint32_t stackHeight = 0;     // operand values on the stack as it starts
  uint32_t stackTypesAt = 0;    // where their types start in DebugFunctionInfo::stackTypes, bottom first
};

// Where a debug function's frame keeps what a debugger reads, from the frame
// pointer. Shared by the module's image and every clone of it.
struct DebugFunctionInfo {
  std::vector<DebugSite> sites;     // in code order, which is also bytecode order
  std::vector<ValType> stackTypes;  // of every site's operand values
  std::vector<ValType> localTypes;  // parameters, then declared locals
  std::vector<int32_t> localOffsets;
  int32_t stackSlotBase = 0;  // depth d is at stackSlotBase - stackSlotBytes * d
  int32_t stackSlotBytes = 16;
};

constexpr int32_t kBaselineVmctxSlot = -8;

struct CompiledFunction {
  std::vector<uint8_t> code;
  std::vector<CodeSite> sites;  // sorted by codeOffset
  SiteKind siteKind = SiteKind::Exact;
  // Where, from the frame pointer, the function keeps its vmctx once its
  // prologue has run (the baseline: vmctx::kFrameSlot; an optimizer puts it
  // where its frame layout lets it).
  int32_t vmctxSlot = kBaselineVmctxSlot;
  std::shared_ptr<const DebugFunctionInfo> debug;  // debug code only
};

}  // namespace weft
