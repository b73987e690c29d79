// A module's initial contents of one linear memory, built once and shared by
// all its instances (DESIGN 5: an instance costs only its own state): the
// memory's active data segments laid out over zeros in a sealed memfd, which
// instantiation maps copy-on-write over the start of each new memory instead
// of copying the segments. A write goes to the instance's own copy of the
// page; the image never changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "format/module_info.h"

namespace weft {

class MemoryImage {
 public:
  // Segment bytes below which copying them beats mapping (a mapping costs a
  // system call, and a page fault per page first touched).
  static constexpr uint64_t kMinDataBytes = 64 * 1024;

  // The image of defined memory {memoryIndex} of {info} (whose bytecode is
  // {bytes}), or null when there is none worth having: the memory is
  // imported or shared, a segment's offset is not a constant, a segment
  // lies past the memory's minimum size (instantiation must trap there), or
  // the segments hold less than kMinDataBytes.
  static std::shared_ptr<const MemoryImage> build(const ModuleInfo& info, std::span<const uint8_t> bytes,
                                                  uint32_t memoryIndex);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  // Bytes it covers from the memory's start: a whole number of host pages.
  size_t size() const { return size_; }
  // Maps the image over [base, base + size()), which must be read+write
  // memory of the caller's: privately, so writes stay there.
  bool mapOver(uint8_t* base) const;

 private:
  MemoryImage() = default;
  int fd_ = -1;
  size_t size_ = 0;
};

}  // namespace weft
