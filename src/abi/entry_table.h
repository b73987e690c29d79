// The module entry table (DESIGN 8): where every call finds a function's
// current code.
//
//   vmctx header ──entryTable──▶ [ code of defined function 0 ]
//   (every instance of a          [ code of defined function 1 ]   read+write memory,
//    module holds the same        [ ...                        ]   one per Module
//    pointer)
//
// Direct calls load the table's address from the vmctx and call through the
// callee's entry; FuncRef::entry (exports, tables, imports of other modules,
// call_indirect) points at the entry itself. So replacing one entry (a tier-up)
// switches every instance, existing and future, at its next call, and writes
// no instance and no code page.
//
// Why the vmctx and not a fixed distance from the code: code of every origin
// (compiled now, mapped from a cache file, compiled later on a background
// thread into memory of its own) then reaches the one table the same way,
// with no constraint on where any of it is mapped and nothing to relocate
// (DESIGN 3). The price is one load per direct call, from a cache line the
// function touches anyway; the branch predictor hides the indirection.
//
// Entries are 8-byte pointers, written atomically (an aligned store); a thread
// in the middle of a call through the old entry finishes in the old code,
// which stays mapped until the Module dies.
#pragma once

#include <cstdint>

namespace weft {

// Byte offset, from the table's start, of the entry of {functionIndex}, a
// defined function of a module with {numImportedFunctions} imports.
constexpr int32_t entryTableOffset(uint32_t functionIndex, uint32_t numImportedFunctions) {
  return static_cast<int32_t>(8 * (functionIndex - numImportedFunctions));
}

// The code an entry holds now, for host code about to call through it. An
// acquire load: it pairs with the release store of a tier-up, so the code
// behind the pointer is seen sealed.
inline const void* loadEntry(const void* const* entry) { return __atomic_load_n(entry, __ATOMIC_ACQUIRE); }

}  // namespace weft
