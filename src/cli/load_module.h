// How the CLI turns a file name into a compiled Module: a code-cache file
// (recognized by its header alone, never read whole) is mapped, anything else
// is read with the module size limit and compiled. Shared by run and compile.
#pragma once

#include <memory>
#include <string>

#include "runtime/module.h"

namespace weft::cli {

struct LoadedModule {
  std::shared_ptr<Engine> engine;
  std::shared_ptr<const Module> module;
};

// Prints "FILE: error..." (or validate's "FILE:0xOFFSET: kind: reason") and
// returns null on failure. A cache file's own memory strategy is used unless
// {strategyGiven}.
std::optional<LoadedModule> loadModule(const std::string& file, EngineConfig config, bool strategyGiven,
                                       bool tierGiven = false);

// "FILE:0xOFFSET: kind: in function N: reason", as `weft validate` prints.
std::string describeModuleError(const std::string& file, const Error& error);

}  // namespace weft::cli
