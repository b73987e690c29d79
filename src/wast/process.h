// Running a helper program (Debian's wast2json) and collecting what it prints.
#pragma once

#include <string>
#include <vector>

namespace weft {

struct ProcessResult {
  bool started = false;  // false: the program could not be run at all (not installed?)
  int exitCode = -1;
  std::string output;    // stdout and stderr together
};

ProcessResult runProcess(const std::vector<std::string>& argv);

// Whether an executable of that name is found on PATH (or is a path that exists).
bool programExists(const std::string& name);

}  // namespace weft
