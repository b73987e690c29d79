#include "format/opcodes.h"

namespace weft {

const char* proposalOfUnknownOpcode(uint32_t prefix, uint32_t code) {
  if (prefix == 0) {
    switch (code) {
      case 0x06: case 0x07: case 0x08: case 0x09: case 0x0a: case 0x18: case 0x19: case 0x1f:
        return "exception handling";
      case 0x12: case 0x13:
        return "tail calls";
      case 0x14: case 0x15: case 0xd3: case 0xd4: case 0xd5: case 0xd6:
        return "typed function references";
      case 0xfb:
        return "garbage collection";
      default:
        return nullptr;
    }
  }
  if (prefix == 0xfd && code >= 0x100 && code <= 0x113) return "relaxed SIMD";
  return nullptr;
}

}  // namespace weft
