#include "runtime/trap.h"

#include <cstdio>

namespace weft {

std::string Trap::describe() const {
  // Deep recursion yields thousands of equal frames: print each run once,
  // and at most kShown runs.
  constexpr size_t kShown = 24;
  std::string text = message;
  size_t shown = 0;
  for (size_t i = 0; i < backtrace.size();) {
    const TrapFrame& frame = backtrace[i];
    size_t run = 1;
    while (i + run < backtrace.size() && backtrace[i + run].functionIndex == frame.functionIndex &&
           backtrace[i + run].bytecodeOffset == frame.bytecodeOffset)
      ++run;
    if (shown == kShown) {
      text += "\n  ... " + std::to_string(backtrace.size() - i) + " more frames";
      break;
    }
    char offset[32];
    std::snprintf(offset, sizeof offset, "0x%x", frame.bytecodeOffset);
    text += "\n  at function " + std::to_string(frame.functionIndex);
    if (frame.nameFromExport) text += " (export \"" + frame.functionName + "\")";
    else if (!frame.functionName.empty()) text += " \"" + frame.functionName + "\"";
    text += " (module offset " + std::string(offset) + ")";
    if (run > 1) text += " x" + std::to_string(run);
    ++shown;
    i += run;
  }
  return text;
}

}  // namespace weft
