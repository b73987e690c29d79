// `weft`: the command-line face of the engine.
//
//   weft validate FILE.wasm...    exit 0 when every file is valid, 1 otherwise
//   weft inspect FILE.wasm        sections, imports, exports, functions
//   weft disas FILE.wasm          the machine code of each function
//   weft wast FILE.wast...        run official spec-test scripts
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/load_module.h"
#include "format/limits.h"
#include "runtime/code_cache.h"
#include "support/file.h"
#include "validation/validator.h"
#include "wast/wast_runner.h"

namespace weft::cli {

std::optional<std::vector<uint8_t>> readFile(const std::string& path) {
  std::vector<uint8_t> bytes;
  std::string error;
  if (!readWholeFile(path, bytes, error, limits::kMaxModuleBytes)) {
    std::fprintf(stderr, "%s: error: cannot read: %s\n", path.c_str(), error.c_str());
    return std::nullopt;
  }
  return bytes;
}

std::optional<MemoryStrategy> parseMemoryStrategy(const char* command, const std::string& value) {
  if (value == "guard") return MemoryStrategy::Guard;
  if (value == "bounds-checked") return MemoryStrategy::BoundsChecked;
  std::fprintf(stderr, "weft %s: --memory is guard or bounds-checked, got '%s'\n", command, value.c_str());
  return std::nullopt;
}

std::optional<Tier> parseTier(const char* command, const std::string& value) {
  if (value == "baseline") return Tier::Baseline;
  if (value == "optimizing") return Tier::Optimizing;
  if (value == "tiered") return Tier::Tiered;
  std::fprintf(stderr, "weft %s: --tier is baseline, optimizing or tiered, got '%s'\n", command, value.c_str());
  return std::nullopt;
}

namespace {

constexpr const char* kUsage =
    "usage: weft COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  validate FILE.wasm...        decode and validate modules; prints FILE:0xOFFSET: reason\n"
    "                               for each invalid one (exit 0: all valid, 1: some invalid)\n"
    "  inspect [--all] FILE.wasm    print sections, imports, exports and functions\n"
    "  disas [--tier T] [--memory S] [--count-fuel] [--function F] FILE.wasm\n"
    "                               disassemble the machine code a tier makes of each function\n"
    "  run [OPTIONS] [--] FILE.wasm|FILE.cwasm [ARGS...]\n"
    "                               run a WASI program, or instantiate FILE and with --invoke\n"
    "                               call FUNC with ARGS and print its results (weft run --help)\n"
    "  debug [OPTIONS] [--] FILE.wasm [ARGS...]\n"
    "                               run it as weft run does under a gdb-like debugger reading\n"
    "                               commands from stdin: break, run, step, next, finish,\n"
    "                               backtrace, locals, stack, global, memory (weft debug --help)\n"
    "  compile [--memory S] [--tier T] [--count-fuel] FILE.wasm -o FILE.cwasm\n"
    "                               compile once into a code-cache file that weft run maps\n"
    "                               (--tier optimizing, the default, or baseline; --count-fuel:\n"
    "                               the fuel-counting code that weft run --fuel needs)\n"
    "  wast [OPTIONS] FILE.wast...  run official spec-test scripts (needs wabt's wast2json)\n"
    "      --enable-threads         parse the scripts with the threads proposal enabled\n"
    "      --wast2json PATH         the wast2json program to use\n"
    "      --superseded LINE        an assertion a later standard overturned: count it as skipped\n"
    "      --memory STRATEGY        guard (default) or bounds-checked linear memories\n"
    "      --tier TIER              baseline (default) or optimizing\n"
    "      --specialize             every instance runs its own optimized code, its memory's\n"
    "                               base and size as constants (weft run --help)\n"
    "      --count-fuel             run the fuel-counting code, with fuel that never runs out\n"
    "      --debug                  run debug code, every instance stopping at every operator\n"
    "                               (a debugger that checks each stop and steps on)\n"
    "      -v, --verbose            report every command, not only failures\n"
    "  help                         this text\n"
    "  --version                    the engine build (code-cache files name the build they need)\n";

bool isWatFile(const std::string& path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".wat") == 0;
}

int validateCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs("usage: weft validate FILE.wasm...\n", stderr);
    return 2;
  }
  bool allValid = true;
  for (const std::string& path : args) {
    auto bytes = readFile(path);
    if (!bytes) return 2;
    Result<ModuleInfo> module = decodeAndValidate(*bytes);
    if (module) {
      std::printf("%s: valid\n", path.c_str());
      continue;
    }
    allValid = false;
    std::printf("%s\n", describeModuleError(path, module.error()).c_str());
    if (isWatFile(path))
      std::printf("%s: note: this looks like the text format; weft reads binary modules: convert it with "
                  "`wat2wasm %s`\n", path.c_str(), path.c_str());
  }
  return allValid ? 0 : 1;
}

int wastCommand(const std::vector<std::string>& args) {
  WastOptions options;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--enable-threads") {
      options.wast2jsonFlags.push_back("--enable-threads");
    } else if (args[i] == "--wast2json" && i + 1 < args.size()) {
      options.wast2json = args[++i];
    } else if (args[i] == "--superseded" && i + 1 < args.size()) {
      const std::string& text = args[++i];
      char* end = nullptr;
      unsigned long line = std::strtoul(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || line > UINT32_MAX) {
        std::fprintf(stderr, "weft wast: --superseded needs a line number, got '%s'\n", text.c_str());
        return 2;
      }
      options.supersededLines.push_back(static_cast<uint32_t>(line));
    } else if (args[i] == "-v" || args[i] == "--verbose") {
      options.verbose = true;
    } else if (args[i] == "--memory" && i + 1 < args.size()) {
      std::optional<MemoryStrategy> strategy = parseMemoryStrategy("wast", args[++i]);
      if (!strategy) return 2;
      options.memoryStrategy = *strategy;
    } else if (args[i] == "--tier" && i + 1 < args.size()) {
      std::optional<Tier> tier = parseTier("wast", args[++i]);
      if (!tier) return 2;
      options.tier = *tier;
    } else if (args[i] == "--specialize") {
      options.specialize = true;
    } else if (args[i] == "--count-fuel") {
      options.countFuel = true;
    } else if (args[i] == "--debug") {
      options.debug = true;
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::fprintf(stderr, "weft wast: unknown option %s\n", args[i].c_str());
      return 2;
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    std::fputs("usage: weft wast [--enable-threads] [--wast2json PATH] [--memory guard|bounds-checked] [--tier T] [--specialize] [--count-fuel] [--debug] [-v] FILE.wast...\n", stderr);
    return 2;
  }
  WastCounts total;
  for (const std::string& file : files) {
    WastCounts counts = runWastFile(file, options, std::cout);
    std::cout << file << ": " << counts.passed << " passed, " << counts.failed << " failed, " << counts.pending
              << " pending, " << counts.skipped << " skipped\n";
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.pending += counts.pending;
    total.skipped += counts.skipped;
  }
  if (files.size() > 1)
    std::cout << "total: " << total.passed << " passed, " << total.failed << " failed, " << total.pending
              << " pending, " << total.skipped << " skipped\n";
  return total.failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace weft::cli

int main(int argc, char** argv) {
  using namespace weft::cli;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "validate") return validateCommand(args);
  if (command == "inspect") return inspectCommand(args);
  if (command == "disas") return disassembleCommand(args);
  if (command == "run") return runCommand(args);
  if (command == "debug") return debugCommand(args);
  if (command == "compile") return compileCommand(args);
  if (command == "wast") return wastCommand(args);
  if (command == "--version" || command == "version") {
    std::printf("weft %s\n", weft::engineBuildId());
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "weft: unknown command '%s'\n\n%s", command.c_str(), kUsage);
  return 2;
}
