#include "abi/cpu_features.h"

#include <cpuid.h>

namespace weft {

uint64_t hostCpuFeatures() {
  unsigned a, b, c, d;
  uint64_t features = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    if (c & (1u << 19)) features |= kCpuSse41;
    if (c & (1u << 20)) features |= kCpuSse42;
    if (c & (1u << 23)) features |= kCpuPopcnt;
  }
  if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 5))) features |= kCpuLzcnt;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 3))) features |= kCpuBmi1;
  return features;
}

}  // namespace weft
