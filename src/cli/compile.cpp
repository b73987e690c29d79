// `weft compile`: compile a module once into a code-cache file that `weft run`
// maps (the code is position-independent, so the file is the code as it runs).
// Ahead of time, so the optimizing tier by default: a program that spends its
// time in one long call runs at full speed from its first instruction.
#include <cstdio>

#include "cli/commands.h"
#include "cli/load_module.h"

namespace weft::cli {

int compileCommand(const std::vector<std::string>& args) {
  std::string input, output;
  EngineConfig config;
  config.tier = Tier::Optimizing;
  bool strategyGiven = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) {
      output = args[++i];
    } else if (args[i] == "--memory" && i + 1 < args.size()) {
      std::optional<MemoryStrategy> strategy = parseMemoryStrategy("compile", args[++i]);
      if (!strategy) return 2;
      config.memoryStrategy = *strategy;
      strategyGiven = true;
    } else if (args[i] == "--tier" && i + 1 < args.size()) {
      std::optional<Tier> tier = parseTier("compile", args[++i]);
      if (!tier) return 2;
      // A file holds one tier's code: tiered's final code is the optimizing tier's.
      config.tier = *tier == Tier::Tiered ? Tier::Optimizing : *tier;
    } else if (args[i] == "--count-fuel") {
      config.consumeFuel = true;  // the fuel-counting variant, for weft run --fuel
    } else if (!args[i].empty() && args[i][0] == '-') {
      std::fprintf(stderr, "weft compile: unknown option %s\n", args[i].c_str());
      return 2;
    } else {
      input = args[i];
    }
  }
  if (input.empty() || output.empty()) {
    std::fputs("usage: weft compile [--memory guard|bounds-checked] [--tier optimizing|baseline] FILE.wasm -o FILE.cwasm\n"
               "  (default: the optimizing tier)\n", stderr);
    return 2;
  }
  std::optional<LoadedModule> loaded = loadModule(input, config, strategyGiven);
  if (!loaded) return 1;
  Status written = loaded->module->serialize(output);
  if (!written) {
    std::fprintf(stderr, "weft compile: %s\n", written.error().message.c_str());
    return 1;
  }
  // Every function is compiled by the tier named (no tier falls back to another).
  const Module& module = *loaded->module;
  std::printf("%s: %zu functions compiled by the %s tier, %zu bytes of code\n", output.c_str(),
              module.code().functions().size(), tierName(module.data()->tier), module.code().memory().size());
  return 0;
}

}  // namespace weft::cli
