// A bounds-checked cursor over untrusted bytes: fixed-width little-endian values
// and LEB128 integers exactly as the binary format defines them.
//
// Every read either succeeds or records the first failure (offset + reason) and
// returns false; nothing reads past {end}. LEB128 decoding enforces the format's
// rules: at most ceil(N/7) bytes, and the unused bits of the last byte must be
// zero (unsigned) or a sign extension (signed). Offsets are reported relative to
// the start of the whole module so that errors point into the file the user has.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "support/error.h"

namespace weft {

class ByteReader {
 public:
  ByteReader(const uint8_t* begin, const uint8_t* end, uint64_t baseOffset = 0)
      : start_(begin), pos_(begin), end_(end), base_(baseOffset) {}

  const uint8_t* pos() const { return pos_; }
  const uint8_t* end() const { return end_; }
  uint64_t offset() const { return base_ + static_cast<uint64_t>(pos_ - start_); }
  uint64_t offsetOf(const uint8_t* p) const { return base_ + static_cast<uint64_t>(p - start_); }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  bool atEnd() const { return pos_ >= end_; }
  void seek(const uint8_t* p) { pos_ = p; }

  bool failed() const { return failed_; }
  const std::string& failureMessage() const { return message_; }
  uint64_t failureOffset() const { return failureOffset_; }

  // Records the first failure only: later ones are consequences of it.
  bool fail(const char* message) { return failAt(pos_, message); }
  bool failAt(const uint8_t* where, const std::string& message) { return failAtOffset(offsetOf(where), message); }
  bool failAtOffset(uint64_t offset, const std::string& message) {
    if (!failed_) {
      failed_ = true;
      message_ = message;
      failureOffset_ = offset;
    }
    return false;
  }

  // On failure every read leaves its output zeroed, never indeterminate.
  bool readByte(uint8_t& out) {
    out = 0;
    if (pos_ >= end_) return fail("unexpected end");
    out = *pos_++;
    return true;
  }

  bool readBytes(size_t count, const uint8_t*& out) {
    out = nullptr;
    if (remaining() < count) return fail("unexpected end");
    out = pos_;
    pos_ += count;
    return true;
  }

  bool readFixedU32(uint32_t& out) {
    out = 0;
    if (remaining() < 4) return fail("unexpected end");
    std::memcpy(&out, pos_, 4);  // the format is little-endian, as are our hosts
    pos_ += 4;
    return true;
  }

  bool readFixedU64(uint64_t& out) {
    out = 0;
    if (remaining() < 8) return fail("unexpected end");
    std::memcpy(&out, pos_, 8);
    pos_ += 8;
    return true;
  }

  // The common one-byte case is inlined; longer encodings take the slow path.
  [[gnu::always_inline]] bool readVarU32(uint32_t& out) {
    if (pos_ < end_ && *pos_ < 0x80) {
      out = *pos_++;
      return true;
    }
    uint64_t wide = 0;
    bool ok = readUnsignedLeb(32, wide);
    out = static_cast<uint32_t>(wide);
    return ok;
  }
  bool readVarU64(uint64_t& out) { return readUnsignedLeb(64, out); }
  [[gnu::always_inline]] bool readVarS32(int32_t& out) {
    if (pos_ < end_ && *pos_ < 0x80) {  // one byte: bit 6 is the sign
      out = static_cast<int32_t>(static_cast<int8_t>(*pos_++ << 1)) >> 1;
      return true;
    }
    int64_t wide = 0;
    bool ok = readSignedLeb(32, wide);
    out = static_cast<int32_t>(wide);
    return ok;
  }
  bool readVarS33(int64_t& out) { return readSignedLeb(33, out); }
  bool readVarS64(int64_t& out) { return readSignedLeb(64, out); }

 private:
  bool readUnsignedLeb(unsigned bits, uint64_t& out);
  bool readSignedLeb(unsigned bits, int64_t& out);

  const uint8_t* start_;
  const uint8_t* pos_;
  const uint8_t* end_;
  uint64_t base_;
  bool failed_ = false;
  uint64_t failureOffset_ = 0;
  std::string message_;
};

}  // namespace weft
