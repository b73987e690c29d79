// CPU features that compiled code may assume. A tier says which it needs; a
// code-cache file records them, and a machine without them refuses the file
// (and compiling) rather than running code that would fault.
#pragma once

#include <cstdint>

namespace weft {

enum CpuFeature : uint64_t {
  kCpuSse41 = 1 << 0,
  kCpuSse42 = 1 << 1,
  kCpuPopcnt = 1 << 2,
  kCpuLzcnt = 1 << 3,
  kCpuBmi1 = 1 << 4,
};

// What this machine has (cpuid).
uint64_t hostCpuFeatures();

}  // namespace weft
