#include "support/byte_reader.h"

namespace weft {

bool ByteReader::readUnsignedLeb(unsigned bits, uint64_t& out) {
  const uint8_t* start = pos_;
  const unsigned maxBytes = (bits + 6) / 7;
  uint64_t result = 0;
  out = 0;
  for (unsigned i = 0; i < maxBytes; ++i) {
    if (pos_ >= end_) return failAt(pos_, "unexpected end");
    uint8_t byte = *pos_++;
    unsigned shift = 7 * i;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      if (i == maxBytes - 1) {
        // Bits of the last byte beyond {bits} must be zero.
        unsigned usedBits = bits - shift;
        if (usedBits < 7 && (byte >> usedBits) != 0) return failAt(start, "integer too large");
      }
      out = result;
      return true;
    }
  }
  return failAt(start, "integer representation too long");
}

bool ByteReader::readSignedLeb(unsigned bits, int64_t& out) {
  const uint8_t* start = pos_;
  const unsigned maxBytes = (bits + 6) / 7;
  uint64_t result = 0;
  out = 0;
  for (unsigned i = 0; i < maxBytes; ++i) {
    if (pos_ >= end_) return failAt(pos_, "unexpected end");
    uint8_t byte = *pos_++;
    unsigned shift = 7 * i;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      if (i == maxBytes - 1) {
        // The last byte's bits above the value's width must all equal its sign bit.
        unsigned usedBits = bits - shift;  // 1..7 bits of this byte carry the value
        if (usedBits < 7) {
          int signBit = (byte >> (usedBits - 1)) & 1;
          uint8_t upper = static_cast<uint8_t>((byte & 0x7f) >> usedBits);
          uint8_t expected = signBit ? static_cast<uint8_t>(0x7f >> usedBits) : 0;
          if (upper != expected) return failAt(start, "integer too large");
        }
      }
      unsigned consumed = shift + 7;
      if (consumed < 64 && (byte & 0x40)) result |= ~uint64_t{0} << consumed;
      out = static_cast<int64_t>(result);
      return true;
    }
  }
  return failAt(start, "integer representation too long");
}

}  // namespace weft
