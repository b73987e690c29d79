// The baseline macro-assembler's own labels (compiler/baseline/masm_types.h):
// jumps back and ahead are resolved to the right offsets, and a jump to a
// label never bound, or to one the body did not make, fails the function with
// a recorded error instead of emitting a wrong displacement or reading past
// the label table.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "abi/compiled_code.h"
#include "abi/vmctx_layout.h"
#include "compiler/baseline/x64/macro_assembler_x64.h"
#include "format/module_info.h"

namespace weft {
namespace {

struct Body {
  ModuleInfo module;
  VmctxLayout layout{module};
  MacroAssemblerX64::Buffers buffers;
};

int32_t rel32At(const std::vector<uint8_t>& code, size_t at) {
  int32_t value;
  std::memcpy(&value, code.data() + at, 4);
  return value;
}

TEST(BaselineLabels, JumpsAheadAndBackLandOnTheirLabels) {
  Body body;
  for (int round = 0; round < 2; ++round) {  // the second body reuses the first one's rewound buffers
    MacroAssemblerX64 masm(body.buffers, body.layout, MemoryStrategy::Guard);
    masm.beginFunction(0, 1, false);
    Label back = masm.newLabel(), ahead = masm.newLabel();
    masm.bind(back);
    masm.jump(ahead);  // e9 rel32, 5 bytes
    masm.jump(back);   // eb rel8, 2 bytes
    masm.bind(ahead);
    masm.jumpToEpilogue();
    masm.emitEpilogue(0);
    CompiledFunction out;
    masm.finish(0, 16, out);
    ASSERT_FALSE(masm.failed()) << masm.errorText();
    // The body follows the prologue; find the e9 whose target is 2 bytes on.
    size_t found = 0;
    for (size_t at = 0; at + 7 <= out.code.size(); ++at)
      if (out.code[at] == 0xE9 && rel32At(out.code, at + 1) == 2 && out.code[at + 5] == 0xEB &&
          static_cast<int8_t>(out.code[at + 6]) == -7)
        found = at + 1;
    EXPECT_NE(found, 0u) << "the forward rel32 and the backward rel8 as laid out";
  }
}

TEST(BaselineLabels, JumpToALabelNeverBoundFailsTheFunction) {
  Body body;
  MacroAssemblerX64 masm(body.buffers, body.layout, MemoryStrategy::Guard);
  masm.beginFunction(0, 1, false);
  masm.jump(masm.newLabel());
  masm.emitEpilogue(0);
  CompiledFunction out;
  masm.finish(0, 16, out);
  EXPECT_TRUE(masm.failed());
  EXPECT_NE(masm.errorText().find("never bound"), std::string::npos) << masm.errorText();
}

TEST(BaselineLabels, LabelsNotMadeByTheBodyFailWithoutReadingPastTheTable) {
  Body body;
  MacroAssemblerX64 masm(body.buffers, body.layout, MemoryStrategy::Guard);
  masm.beginFunction(0, 1, false);
  masm.jump(Label{});                // a default label: id kNone
  masm.jump(Label{1u << 20});        // an id far beyond the table
  masm.bind(Label{UINT32_MAX - 1});  // and a bind of one
  masm.emitEpilogue(0);
  CompiledFunction out;
  masm.finish(0, 16, out);
  EXPECT_TRUE(masm.failed());  // under ASan, also no read or write out of bounds
}

}  // namespace
}  // namespace weft
