// `weft debug`'s terminal side: a gdb-like command loop over the debugging
// API (runtime/debugger.h). It runs before the program starts (set
// breakpoints, then `run`) and at every stop, on the stopped thread, reading
// plain lines (a script or a terminal) and writing to stdout.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/debugger.h"
#include "runtime/instance.h"

namespace weft::cli {

class TerminalDebugger final : public DebugHandler {
 public:
  TerminalDebugger(std::FILE* in, std::FILE* out) : in_(in), out_(out) {}

  // Before the program runs, once its instance exists: commands until `run`
  // (true) or `quit` or the end of input (false).
  bool beforeRun(Instance& instance);
  ResumeMode onStop(DebugStop& stop) override;
  // `quit` at a stop ended the run (it traps "interrupted"; say nothing more).
  bool quitRequested() const { return quit_; }
  // How the program ended, for the user: "exited with code 0", ...
  void programEnded(const std::string& how);

 private:
  enum class Outcome { Stay, Run, Resume, Quit };
  Outcome execute(const std::string& line, DebugStop* stop, ResumeMode& mode);
  void breakCommand(const std::string& where);
  void deleteCommand(const std::string& which);
  void listBreakpoints();
  void backtrace(DebugStop& stop);
  void printLocals(DebugStop& stop, size_t frame);
  void printStack(DebugStop& stop, size_t frame);
  void printGlobal(const std::string& which, DebugStop* stop);
  void printMemory(const std::string& args, DebugStop* stop);
  void describeStop(DebugStop& stop);
  // "fac (func 3) at 0x1a2 <+4>: local.get"
  std::string place(uint32_t functionIndex, uint32_t bytecodeOffset, bool withOperator) const;
  std::string functionLabel(uint32_t functionIndex) const;
  std::optional<uint32_t> findFunction(const std::string& name) const;
  std::optional<std::string> readLine();
  void say(const char* format, ...) __attribute__((format(printf, 2, 3)));

  std::FILE* in_;
  std::FILE* out_;
  Instance* instance_ = nullptr;
  std::map<uint32_t, Breakpoint> breakpoints_;  // by the number the user sees
  uint32_t nextBreakpoint_ = 1;
  std::string lastCommand_;
  bool quit_ = false;
};

}  // namespace weft::cli
