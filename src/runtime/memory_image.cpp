#include "runtime/memory_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace weft {

std::shared_ptr<const MemoryImage> MemoryImage::build(const ModuleInfo& info, std::span<const uint8_t> bytes,
                                                      uint32_t memoryIndex) {
  if (memoryIndex < info.numImportedMemories || memoryIndex >= info.memories.size()) return nullptr;
  const Limits& limits = info.memories[memoryIndex].type.limits;
  if (limits.shared) return nullptr;
  uint64_t minimumBytes = limits.min * kPageSize;
  uint64_t end = 0, dataBytes = 0;
  for (const DataSegment& segment : info.data) {
    if (segment.mode != SegmentMode::Active || segment.memoryIndex != memoryIndex) continue;
    if (segment.offset.kind != ConstExpr::Kind::I32Const) return nullptr;
    uint64_t offset = static_cast<uint32_t>(segment.offset.bits);
    if (offset + segment.bytes.size > minimumBytes) return nullptr;
    end = std::max(end, offset + segment.bytes.size);
    dataBytes += segment.bytes.size;
  }
  if (dataBytes < kMinDataBytes) return nullptr;
  auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  size_t size = (end + page - 1) / page * page;
  std::shared_ptr<MemoryImage> image(new MemoryImage());
  image->fd_ = memfd_create("weft-memory-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (image->fd_ < 0 || ftruncate(image->fd_, static_cast<off_t>(size)) != 0) return nullptr;
  void* contents = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, image->fd_, 0);
  if (contents == MAP_FAILED) return nullptr;
  auto* at = static_cast<uint8_t*>(contents);
  for (const DataSegment& segment : info.data)  // in order: a later segment overwrites an earlier one
    if (segment.mode == SegmentMode::Active && segment.memoryIndex == memoryIndex && segment.bytes.size)
      std::memcpy(at + static_cast<uint32_t>(segment.offset.bits), bytes.data() + segment.bytes.offset,
                  segment.bytes.size);
  munmap(contents, size);
  // Nothing can change it from here: not its size, not its bytes.
  if (fcntl(image->fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) return nullptr;
  image->size_ = size;
  return image;
}

MemoryImage::~MemoryImage() {
  if (fd_ >= 0) close(fd_);
}

bool MemoryImage::mapOver(uint8_t* base) const {
  if (mmap(base, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd_, 0) != MAP_FAILED) return true;
  // A failed fixed mapping may have taken the pages that were there: put
  // zeroed ones back, for the caller to copy the segments into.
  if (mmap(base, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
    std::abort();  // the memory has a hole the host cannot fill
  return false;
}

}  // namespace weft
