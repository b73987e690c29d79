#include "cli/terminal_debugger.h"

#include <cctype>
#include <cinttypes>
#include <cstdarg>
#include <cstdlib>

#include "cli/values.h"
#include "format/opcodes.h"
#include "support/byte_reader.h"
#include "runtime/linear_memory.h"

namespace weft::cli {
namespace {

constexpr const char* kHelp =
    "commands:\n"
    "  break FUNC[:OFFSET]   stop at FUNC (a name or an index), at OFFSET bytes into its body\n"
    "  break *ADDRESS        stop at the operator at module offset ADDRESS (0x.. or decimal)\n"
    "  info breakpoints      list the breakpoints\n"
    "  delete [N]            delete breakpoint N, or all of them\n"
    "  run                   start the program\n"
    "  continue, c           run to the next breakpoint\n"
    "  step, s               run to the next operator, into calls\n"
    "  next, n               run to the next operator of this function, over calls\n"
    "  finish                run until this function returns\n"
    "  backtrace, bt         the call stack\n"
    "  locals [FRAME]        the locals of frame FRAME (default 0, the innermost)\n"
    "  stack [FRAME]         the operand stack of frame FRAME\n"
    "  global N              global N's value\n"
    "  memory ADDRESS LENGTH memory 0's bytes, as hex and text\n"
    "  quit, q               end the program and the debugger\n"
    "  an empty line repeats the last step, next, finish or continue\n";

std::string trim(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

std::optional<uint64_t> parseNumber(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), &end, 0);
  if (errno != 0 || *end != '\0' || text[0] == '-') return std::nullopt;
  return value;
}

// The operator's name at {offset} of the module's bytes.
std::string operatorName(std::span<const uint8_t> bytes, uint32_t offset) {
  if (offset >= bytes.size()) return "?";
  uint32_t prefix = 0, code = bytes[offset];
  if (code == 0xfc || code == 0xfd || code == 0xfe) {
    prefix = code;
    ByteReader reader(bytes.data() + offset + 1, bytes.data() + bytes.size());
    if (!reader.readVarU32(code)) return "?";
  }
  if (code >= 0x100) return "?";
  const char* name = opcodeInfo(static_cast<Opcode>(opcodeKey(prefix, code))).name;
  return name ? name : "?";
}

}  // namespace

void TerminalDebugger::say(const char* format, ...) {
  va_list args;
  va_start(args, format);
  std::vfprintf(out_, format, args);
  va_end(args);
}

std::optional<std::string> TerminalDebugger::readLine() {
  say("(weft) ");
  std::fflush(out_);
  std::string line;
  int c;
  while ((c = std::fgetc(in_)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
  if (c == EOF && line.empty()) {
    say("\n");
    return std::nullopt;
  }
  return line;
}

std::string TerminalDebugger::functionLabel(uint32_t functionIndex) const {
  const ModuleInfo& info = instance_->module().info();
  std::string name;
  if (const std::string* named = info.functionName(functionIndex)) name = *named;
  else if (const std::string* exported = info.exportedFunctionName(functionIndex)) name = *exported;
  else name = "<function " + std::to_string(functionIndex) + ">";
  return name + " (func " + std::to_string(functionIndex) + ")";
}

std::string TerminalDebugger::place(uint32_t functionIndex, uint32_t bytecodeOffset, bool withOperator) const {
  const ModuleInfo& info = instance_->module().info();
  char text[96];
  uint32_t bodyStart = functionIndex < info.functions.size() ? info.functions[functionIndex].body.offset : 0;
  std::snprintf(text, sizeof text, " at 0x%" PRIx32 " <+%" PRIu32 ">", bytecodeOffset,
                bytecodeOffset >= bodyStart ? bytecodeOffset - bodyStart : 0);
  std::string where = functionLabel(functionIndex) + text;
  if (withOperator) where += ": " + operatorName(instance_->module().bytes(), bytecodeOffset);
  return where;
}

std::optional<uint32_t> TerminalDebugger::findFunction(const std::string& name) const {
  const ModuleInfo& info = instance_->module().info();
  std::string wanted = !name.empty() && name[0] == '$' ? name.substr(1) : name;
  if (std::optional<uint64_t> index = parseNumber(wanted))
    return *index < info.functions.size() ? std::optional<uint32_t>(static_cast<uint32_t>(*index)) : std::nullopt;
  // A name section is the guest's: its indices are checked like the user's.
  for (const NameAssoc& named : info.names.functionNames)
    if (named.name == wanted && named.index < info.functions.size()) return named.index;
  for (const Export& exported : info.exports)
    if (exported.kind == ExternKind::Func && exported.name == wanted) return exported.index;
  return std::nullopt;
}

void TerminalDebugger::breakCommand(const std::string& where) {
  const ModuleInfo& info = instance_->module().info();
  Debugger& debugger = *instance_->debugger();
  uint32_t function = 0, offset = 0;
  if (!where.empty() && where[0] == '*') {
    std::optional<uint64_t> address = parseNumber(where.substr(1));
    if (!address) return say("break: '%s' is not a module offset\n", where.c_str() + 1);
    bool found = false;
    for (uint32_t f = info.numImportedFunctions; f < info.functions.size() && !found; ++f) {
      const auto& body = info.functions[f].body;
      if (*address >= body.offset && *address - body.offset < body.size) {
        function = f;
        found = true;
      }
    }
    if (!found) return say("break: no function's code is at offset %s\n", where.c_str() + 1);
    offset = static_cast<uint32_t>(*address);
  } else {
    size_t colon = where.find(':');
    std::string name = where.substr(0, colon);
    std::optional<uint32_t> found = findFunction(name);
    if (!found) return say("break: no function '%s' (a name from the name section or exports, or an index)\n", name.c_str());
    function = *found;
    if (function < info.numImportedFunctions) return say("break: function %s is imported\n", name.c_str());
    const auto& body = info.functions[function].body;
    uint64_t into = 0;
    if (colon != std::string::npos) {
      std::optional<uint64_t> parsed = parseNumber(where.substr(colon + 1));
      if (!parsed || *parsed >= body.size)
        return say("break: '%s' is not an offset inside %s's %u bytes of code\n", where.substr(colon + 1).c_str(),
                   name.c_str(), body.size);
      into = *parsed;
    }
    offset = static_cast<uint32_t>(body.offset + into);
  }
  Result<uint32_t> placed = debugger.setBreakpoint(function, offset);
  if (!placed) return say("break: %s\n", placed.error().message.c_str());
  uint32_t number = nextBreakpoint_++;
  breakpoints_[number] = {function, placed.value()};
  say("Breakpoint %u: %s\n", number, place(function, placed.value(), true).c_str());
}

void TerminalDebugger::deleteCommand(const std::string& which) {
  Debugger& debugger = *instance_->debugger();
  if (which.empty()) {
    debugger.clearBreakpoints();
    breakpoints_.clear();
    return say("Deleted all breakpoints\n");
  }
  std::optional<uint64_t> number = parseNumber(which);
  auto it = number && *number <= UINT32_MAX ? breakpoints_.find(static_cast<uint32_t>(*number)) : breakpoints_.end();
  if (it == breakpoints_.end()) return say("delete: no breakpoint number %s\n", which.c_str());
  Breakpoint gone = it->second;
  breakpoints_.erase(it);
  bool shared = false;  // another number at the same operator keeps it
  for (const auto& [n, other] : breakpoints_)
    shared |= other.functionIndex == gone.functionIndex && other.bytecodeOffset == gone.bytecodeOffset;
  if (!shared) debugger.clearBreakpoint(gone.functionIndex, gone.bytecodeOffset);
  say("Deleted breakpoint %s\n", which.c_str());
}

void TerminalDebugger::listBreakpoints() {
  if (breakpoints_.empty()) return say("No breakpoints.\n");
  say("Num  Where\n");
  for (const auto& [number, at] : breakpoints_)
    say("%-4u %s\n", number, place(at.functionIndex, at.bytecodeOffset, true).c_str());
}

void TerminalDebugger::backtrace(DebugStop& stop) {
  const std::vector<DebugFrame>& frames = stop.frames();
  for (size_t i = 0; i < frames.size(); ++i) {
    std::string where = place(frames[i].functionIndex, frames[i].bytecodeOffset, false);
    if (frames[i].instance != instance_) where += " (another instance)";
    say("#%-3zu %s\n", i, where.c_str());
  }
}

void TerminalDebugger::printLocals(DebugStop& stop, size_t frame) {
  std::optional<std::vector<Value>> locals = stop.locals(frame);
  if (!locals) return say("locals: frame %zu cannot be read (no such frame, or not this instance's debug code)\n", frame);
  if (locals->empty()) return say("No locals.\n");
  const DebugFrame* at = stop.frame(frame);
  const ModuleInfo& info = at->instance->module().info();
  const std::vector<NameAssoc>* names = nullptr;
  for (const auto& function : info.names.localNames)
    if (function.functionIndex == at->functionIndex) names = &function.locals;
  for (size_t i = 0; i < locals->size(); ++i) {
    std::string name = "$" + std::to_string(i);
    if (names)
      for (const NameAssoc& named : *names)
        if (named.index == i) name = named.name;
    say("%s: %s = %s\n", name.c_str(), valTypeName((*locals)[i].type), formatValue((*locals)[i]).c_str());
  }
}

void TerminalDebugger::printStack(DebugStop& stop, size_t frame) {
  std::optional<std::vector<Value>> stack = stop.operandStack(frame);
  if (!stack) return say("stack: frame %zu cannot be read (no such frame, or not this instance's debug code)\n", frame);
  if (stack->empty()) return say("The operand stack is empty.\n");
  for (size_t i = 0; i < stack->size(); ++i)
    say("[%zu] %s %s\n", i, valTypeName((*stack)[i].type), formatValue((*stack)[i]).c_str());
}

void TerminalDebugger::printGlobal(const std::string& which, DebugStop* stop) {
  std::optional<uint64_t> index = parseNumber(which);
  std::optional<Value> value;
  if (index && *index <= UINT32_MAX)
    value = stop ? stop->global(static_cast<uint32_t>(*index)) : instance_->globalValue(static_cast<uint32_t>(*index));
  if (!value) return say("global: no global '%s' (an index below %zu)\n", which.c_str(),
                         instance_->module().info().globals.size());
  say("global %s: %s = %s\n", which.c_str(), valTypeName(value->type), formatValue(*value).c_str());
}

void TerminalDebugger::printMemory(const std::string& args, DebugStop* stop) {
  size_t space = args.find(' ');
  std::optional<uint64_t> address = parseNumber(args.substr(0, space));
  std::optional<uint64_t> length = space == std::string::npos ? std::nullopt : parseNumber(trim(args.substr(space)));
  if (!address || !length) return say("memory: usage: memory ADDRESS LENGTH\n");
  if (*length > 1 << 20) return say("memory: at most 1 MiB at a time\n");
  std::optional<std::vector<uint8_t>> bytes;
  if (stop) {
    bytes = stop->readMemory(0, *address, *length);
  } else if (!instance_->module().info().memories.empty()) {
    LinearMemory* memory = instance_->memory(0);
    if (*address <= memory->byteLength() && *length <= memory->byteLength() - *address)
      bytes = std::vector<uint8_t>(memory->data() + *address, memory->data() + *address + *length);
  }
  if (!bytes) return say("memory: 0x%" PRIx64 "+%" PRIu64 " is outside memory 0\n", *address, *length);
  for (size_t row = 0; row < bytes->size(); row += 16) {
    say("0x%08" PRIx64 ":", *address + row);
    std::string text;
    for (size_t i = row; i < row + 16; ++i) {
      if (i < bytes->size()) {
        say(" %02x", (*bytes)[i]);
        text.push_back(std::isprint((*bytes)[i]) ? static_cast<char>((*bytes)[i]) : '.');
      } else {
        say("   ");
      }
    }
    say("  |%s|\n", text.c_str());
  }
}

void TerminalDebugger::describeStop(DebugStop& stop) {
  const DebugFrame* top = stop.frame(0);
  if (!top) return say("Stopped outside wasm code\n");
  std::string where = place(top->functionIndex, top->bytecodeOffset, true);
  switch (stop.reason()) {
    case StopReason::Breakpoint: {
      uint32_t number = 0;
      for (const auto& [n, at] : breakpoints_)
        if (at.functionIndex == top->functionIndex && at.bytecodeOffset == top->bytecodeOffset && number == 0) number = n;
      say("\nBreakpoint %u, %s\n", number, where.c_str());
      break;
    }
    case StopReason::Step: say("%s\n", where.c_str()); break;
    case StopReason::Trap:
      say("\nProgram trapped: %s\n%s\n", stop.trap() ? stop.trap()->message.c_str() : "?", where.c_str());
      break;
  }
}

TerminalDebugger::Outcome TerminalDebugger::execute(const std::string& input, DebugStop* stop, ResumeMode& mode) {
  std::string line = trim(input);
  if (line.empty()) line = lastCommand_;
  if (line.empty()) return Outcome::Stay;
  size_t space = line.find(' ');
  std::string command = line.substr(0, space);
  std::string args = space == std::string::npos ? "" : trim(line.substr(space));
  auto running = [&]() {
    if (!stop) say("The program is not being run.\n");
    return stop != nullptr;
  };
  auto frameArgument = [&](size_t& frame) {
    std::optional<uint64_t> parsed = args.empty() ? std::optional<uint64_t>(0) : parseNumber(args);
    if (!parsed) say("'%s' is not a frame number\n", args.c_str());
    frame = static_cast<size_t>(parsed.value_or(0));
    return parsed.has_value();
  };
  if (command == "continue" || command == "c" || command == "step" || command == "s" || command == "next" ||
      command == "n" || command == "finish") {
    if (!running()) return Outcome::Stay;
    lastCommand_ = command;
    if (command[0] == 'c') say("Continuing.\n");
    mode = command[0] == 'c'   ? ResumeMode::Continue
           : command[0] == 's' ? ResumeMode::StepInto
           : command[0] == 'n' ? ResumeMode::StepOver
                               : ResumeMode::StepOut;
    return Outcome::Resume;
  }
  lastCommand_.clear();
  size_t frame = 0;
  if (command == "break" || command == "b") {
    if (args.empty()) say("break: usage: break FUNC[:OFFSET] or break *ADDRESS\n");
    else breakCommand(args);
  } else if (command == "delete" || command == "d") {
    deleteCommand(args);
  } else if (command == "info" && (args == "breakpoints" || args == "b")) {
    listBreakpoints();
  } else if (command == "run" || command == "r") {
    if (stop) say("The program is already running.\n");
    else {
      say("Starting program.\n");
      return Outcome::Run;
    }
  } else if (command == "backtrace" || command == "bt" || command == "where") {
    if (running()) backtrace(*stop);
  } else if (command == "locals") {
    if (running() && frameArgument(frame)) printLocals(*stop, frame);
  } else if (command == "stack") {
    if (running() && frameArgument(frame)) printStack(*stop, frame);
  } else if (command == "global") {
    printGlobal(args, stop);
  } else if (command == "memory" || command == "x") {
    printMemory(args, stop);
  } else if (command == "quit" || command == "q") {
    return Outcome::Quit;
  } else if (command == "help" || command == "h") {
    say("%s", kHelp);
  } else {
    say("Undefined command: \"%s\". Try \"help\".\n", command.c_str());
  }
  return Outcome::Stay;
}

bool TerminalDebugger::beforeRun(Instance& instance) {
  instance_ = &instance;
  ResumeMode unused;
  for (;;) {
    std::optional<std::string> line = readLine();
    if (!line) return false;
    Outcome outcome = execute(*line, nullptr, unused);
    if (outcome == Outcome::Run) return true;
    if (outcome == Outcome::Quit) return false;
  }
}

ResumeMode TerminalDebugger::onStop(DebugStop& stop) {
  if (!instance_) instance_ = &stop.instance();
  describeStop(stop);
  for (;;) {
    std::optional<std::string> line = readLine();
    ResumeMode mode = ResumeMode::Continue;
    Outcome outcome = line ? execute(*line, &stop, mode) : Outcome::Quit;
    if (outcome == Outcome::Resume) {
      std::fflush(out_);
      return mode;
    }
    if (outcome == Outcome::Quit) {
      quit_ = true;
      std::fflush(out_);
      return ResumeMode::Abort;
    }
  }
}

void TerminalDebugger::programEnded(const std::string& how) {
  say("[program %s]\n", how.c_str());
  std::fflush(out_);
}

}  // namespace weft::cli
