// Runs an official spec-test script (.wast). Debian's wast2json (wabt) turns the
// text into a JSON command list and binary modules; the runner then carries out
// each command against Weft.
//
// Module-level commands are decided now: `module` must decode, validate and
// link; `assert_malformed` and `assert_invalid` must be rejected;
// `assert_unlinkable` must validate and then fail to link against what was
// registered. Commands that need execution (`assert_return`, `assert_trap`,
// `assert_exhaustion`, `action`, the instantiation half of
// `assert_uninstantiable`) are counted as pending until execution lands: never
// dropped silently. Text-format-only `assert_malformed` modules are skipped,
// since Weft reads the binary format.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace weft {

struct WastOptions {
  std::string wast2json = "wast2json";
  std::vector<std::string> wast2jsonFlags;  // e.g. --enable-threads
  bool verbose = false;                     // print every command, not only failures
  // Script lines whose assertion a later standard overturned (e.g. the threads
  // proposal's tests predate reference types, which allow several tables). A
  // failure there is reported and counted as skipped, not as failed.
  std::vector<uint32_t> supersededLines;
};

struct WastCounts {
  uint32_t passed = 0;
  uint32_t failed = 0;
  uint32_t pending = 0;
  uint32_t skipped = 0;
};

WastCounts runWastFile(const std::string& path, const WastOptions& options, std::ostream& out);

}  // namespace weft
