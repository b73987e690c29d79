// The optimizing tier's linker (DESIGN 3): turns the relocatable object LLVM
// emits for one function into the function's code as the code image holds
// it. Text first, then its constants, laid out as one position-independent
// blob: only PC-relative relocations between the blob's own sections are
// allowed and resolved here, so the code can be placed anywhere and mapped
// from a cache file without relocation. Anything else (an absolute address,
// a call to a symbol outside the object) is an error, never a silent patch.
//
// It also reads what the object says about the frame and the bytecode:
// the vmctx slot (a stack map record on the slot's address, DESIGN 4) and
// the line table, whose lines are bytecode offsets + 1 (the sites, as ranges).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "abi/compiled_code.h"
#include "support/error.h"

namespace weft {

// The stack-map id the optimizing tier gives the record of its vmctx slot.
constexpr uint64_t kVmctxSlotStackMapId = 0x77656674;  // "weft"

struct ObjectCodeResult {
  CompiledFunction function;
  uint64_t frameBytes = 0;  // the function's fixed frame below its saved registers
};

// {object}: an ELF64 x86-64 relocatable file holding {symbol}, a function at
// offset 0 of its text section. Errors point at {errorOffset} (the body).
Result<ObjectCodeResult> linkObjectCode(std::span<const uint8_t> object, const std::string& symbol,
                                        uint32_t errorOffset);

}  // namespace weft
