// The `weft` command line: one function per subcommand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "abi/memory_strategy.h"
#include "abi/tier.h"

namespace weft::cli {

// Reads a whole file; on failure prints "FILE: error: reason" and returns nullopt.
std::optional<std::vector<uint8_t>> readFile(const std::string& path);

// Reads --memory's value; on a bad one prints "weft COMMAND: ..." and returns nullopt.
std::optional<MemoryStrategy> parseMemoryStrategy(const char* command, const std::string& value);

// Reads --tier's value; on a bad one prints "weft COMMAND: ..." and returns nullopt.
std::optional<Tier> parseTier(const char* command, const std::string& value);

int inspectCommand(const std::vector<std::string>& args);
int runCommand(const std::vector<std::string>& args);
int debugCommand(const std::vector<std::string>& args);
int compileCommand(const std::vector<std::string>& args);
int disassembleCommand(const std::vector<std::string>& args);

}  // namespace weft::cli
