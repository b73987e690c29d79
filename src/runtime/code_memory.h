// Executable memory under W^X (DESIGN 1): pages are mapped read+write, filled
// once, then turned read+execute and never written again. The one exception
// is a debug clone's (DESIGN 6): one instance's private copy, whose pages are
// mapped twice, read+execute where it runs and read+write elsewhere for the
// debugger's patches; no page is ever both writable and executable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "support/error.h"

namespace weft {

class CodeMemory {
 public:
  CodeMemory() = default;
  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;
  CodeMemory(CodeMemory&& other) noexcept { *this = std::move(other); }
  CodeMemory& operator=(CodeMemory&& other) noexcept;
  ~CodeMemory();

  // Maps {bytes} as executable code. The only write to these pages.
  static Result<CodeMemory> create(std::span<const uint8_t> bytes);

  // Two-step form for writing code in place: map {size} writable bytes, fill
  // them through writable(), then seal() makes them read+execute for good.
  static Result<CodeMemory> allocate(size_t size);
  uint8_t* writable() { return sealed_ ? nullptr : base_; }
  Status seal();

  // A debug clone's memory: {bytes} mapped read+execute (data()) and, from
  // the same pages, read+write at patchable().
  static Result<CodeMemory> createPatchable(std::span<const uint8_t> bytes);
  uint8_t* patchable() const { return patchable_; }

  // Takes over an executable mapping made elsewhere (a code-cache file);
  // {mapped} bytes from {base} are unmapped on destruction.
  static CodeMemory adopt(uint8_t* base, size_t size, size_t mapped) {
    CodeMemory code;
    code.base_ = base;
    code.size_ = size;
    code.mapped_ = mapped;
    code.sealed_ = true;
    return code;
  }

  const uint8_t* data() const { return base_; }
  size_t size() const { return size_; }          // bytes of code
  size_t mappedSize() const { return mapped_; }  // whole pages

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
  bool sealed_ = false;
  uint8_t* patchable_ = nullptr;  // createPatchable's second view, {mapped_} bytes
};

}  // namespace weft
