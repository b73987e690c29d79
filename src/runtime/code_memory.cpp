#include "runtime/code_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <cstring>
#include <utility>

namespace weft {

CodeMemory& CodeMemory::operator=(CodeMemory&& other) noexcept {
  if (this != &other) {
    this->~CodeMemory();
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
    sealed_ = std::exchange(other.sealed_, false);
    patchable_ = std::exchange(other.patchable_, nullptr);
  }
  return *this;
}

CodeMemory::~CodeMemory() {
  if (base_) munmap(base_, mapped_);
  if (patchable_) munmap(patchable_, mapped_);
  base_ = nullptr;
  patchable_ = nullptr;
}

Result<CodeMemory> CodeMemory::allocate(size_t size) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t mapped = std::max(page, (size + page - 1) / page * page);
  // Populated: every caller writes the whole size at once (a module's code
  // image, an entry stub), and the kernel makes the pages in one call
  // instead of taking a fault per page as they are first written (a 2 MB
  // image was 500 faults, 1-2% of a baseline compile).
  void* memory = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (memory == MAP_FAILED) {
    Error error;
    error.kind = ErrorKind::LimitExceeded;
    error.message = "cannot allocate " + std::to_string(mapped) + " bytes of executable memory";
    return error;
  }
  CodeMemory code;
  code.base_ = static_cast<uint8_t*>(memory);
  code.size_ = size;
  code.mapped_ = mapped;
  return code;
}

Status CodeMemory::seal() {
  if (mprotect(base_, mapped_, PROT_READ | PROT_EXEC) != 0) {
    Error error;
    error.kind = ErrorKind::LimitExceeded;
    error.message = "cannot make code memory executable";
    return error;
  }
  sealed_ = true;
  return Ok{};
}

Result<CodeMemory> CodeMemory::create(std::span<const uint8_t> bytes) {
  Result<CodeMemory> code = allocate(bytes.size());
  if (!code) return code;
  if (!bytes.empty()) std::memcpy(code.value().writable(), bytes.data(), bytes.size());
  Status sealed = code.value().seal();
  if (!sealed) return sealed.error();
  return code;
}

Result<CodeMemory> CodeMemory::createPatchable(std::span<const uint8_t> bytes) {
  auto failure = [](const std::string& what) {
    Error error;
    error.kind = ErrorKind::LimitExceeded;
    error.message = "cannot map a debug clone's code: " + what + ": " + std::strerror(errno);
    return error;
  };
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t mapped = std::max(page, (bytes.size() + page - 1) / page * page);
  int fd = memfd_create("weft-debug-clone", MFD_CLOEXEC);
  if (fd < 0) return failure("memfd_create");
  if (ftruncate(fd, static_cast<off_t>(mapped)) != 0) {
    Error error = failure("ftruncate");
    close(fd);
    return error;
  }
  void* writable = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (writable == MAP_FAILED) {
    Error error = failure("mmap read+write");
    close(fd);
    return error;
  }
  std::memset(writable, 0xcc, mapped);
  if (!bytes.empty()) std::memcpy(writable, bytes.data(), bytes.size());
  void* executable = mmap(nullptr, mapped, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  Error error = executable == MAP_FAILED ? failure("mmap read+execute") : Error{};
  close(fd);  // the mappings keep the pages
  if (executable == MAP_FAILED) {
    munmap(writable, mapped);
    return error;
  }
  CodeMemory code;
  code.base_ = static_cast<uint8_t*>(executable);
  code.size_ = bytes.size();
  code.mapped_ = mapped;
  code.sealed_ = true;
  code.patchable_ = static_cast<uint8_t*>(writable);
  return code;
}

}  // namespace weft
