#include "support/utf8.h"

namespace weft {

bool isValidUtf8(const uint8_t* bytes, size_t length) {
  size_t i = 0;
  while (i < length) {
    uint8_t lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t codePoint;
    uint32_t minimum;
    if ((lead & 0xe0) == 0xc0) {
      extra = 1, codePoint = lead & 0x1f, minimum = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      extra = 2, codePoint = lead & 0x0f, minimum = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      extra = 3, codePoint = lead & 0x07, minimum = 0x10000;
    } else {
      return false;  // a continuation byte or 0xf8..0xff cannot lead
    }
    if (length - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      uint8_t next = bytes[i + k];
      if ((next & 0xc0) != 0x80) return false;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < minimum) return false;                          // overlong
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;   // surrogate
    if (codePoint > 0x10ffff) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace weft
