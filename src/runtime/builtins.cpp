#include "runtime/builtins.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "abi/builtins.h"
#include "runtime/instance.h"
#include "runtime/numerics.h"
#include "runtime/atomic_wait.h"
#include "runtime/trap.h"
#include "runtime/trap_handler.h"

namespace weft {
namespace {

constexpr uint32_t kOk = 0;
uint32_t trapOf(TrapKind kind) { return static_cast<uint32_t>(kind); }

uint32_t builtinMemoryGrow(void* vmctx, uint32_t memory, uint32_t delta) {
  return static_cast<uint32_t>(Instance::fromVmctx(vmctx)->memory(memory)->grow(delta));
}

uint32_t builtinMemoryFill(void* vmctx, uint32_t memory, uint32_t dst, uint32_t value, uint32_t length) {
  LinearMemory* m = Instance::fromVmctx(vmctx)->memory(memory);
  if (uint64_t{dst} + length > m->byteLength()) return trapOf(TrapKind::MemoryOutOfBounds);
  if (length) std::memset(m->data() + dst, static_cast<int>(value & 0xff), length);
  return kOk;
}

uint32_t builtinMemoryCopy(void* vmctx, uint32_t dstMemory, uint32_t srcMemory, uint32_t dst, uint32_t src,
                    uint32_t length) {
  Instance* instance = Instance::fromVmctx(vmctx);
  LinearMemory* to = instance->memory(dstMemory);
  LinearMemory* from = instance->memory(srcMemory);
  if (uint64_t{dst} + length > to->byteLength() || uint64_t{src} + length > from->byteLength())
    return trapOf(TrapKind::MemoryOutOfBounds);
  if (length) std::memmove(to->data() + dst, from->data() + src, length);
  return kOk;
}

uint32_t builtinMemoryInit(void* vmctx, uint32_t memory, uint32_t segment, uint32_t dst, uint32_t src, uint32_t length) {
  Instance* instance = Instance::fromVmctx(vmctx);
  LinearMemory* m = instance->memory(memory);
  const DataSegment& data = instance->module().info().data[segment];
  uint64_t available = instance->dataDropped(segment) ? 0 : data.bytes.size;
  if (uint64_t{src} + length > available || uint64_t{dst} + length > m->byteLength())
    return trapOf(TrapKind::MemoryOutOfBounds);
  if (length) std::memcpy(m->data() + dst, instance->module().bytes().data() + data.bytes.offset + src, length);
  return kOk;
}

void builtinDataDrop(void* vmctx, uint32_t segment) { Instance::fromVmctx(vmctx)->dropData(segment); }

uint32_t builtinTableGrow(void* vmctx, uint32_t table, uintptr_t init, uint32_t delta) {
  return static_cast<uint32_t>(Instance::fromVmctx(vmctx)->table(table)->grow(delta, init));
}

uint32_t builtinTableFill(void* vmctx, uint32_t table, uint32_t dst, uintptr_t value, uint32_t length) {
  Table* t = Instance::fromVmctx(vmctx)->table(table);
  if (uint64_t{dst} + length > t->size()) return trapOf(TrapKind::TableOutOfBounds);
  for (uint32_t i = 0; i < length; ++i) t->set(dst + i, value);
  return kOk;
}

uint32_t builtinTableCopy(void* vmctx, uint32_t dstTable, uint32_t srcTable, uint32_t dst, uint32_t src, uint32_t length) {
  Instance* instance = Instance::fromVmctx(vmctx);
  Table* to = instance->table(dstTable);
  Table* from = instance->table(srcTable);
  if (uint64_t{dst} + length > to->size() || uint64_t{src} + length > from->size())
    return trapOf(TrapKind::TableOutOfBounds);
  if (dst <= src) {
    for (uint32_t i = 0; i < length; ++i) to->set(dst + i, from->get(src + i));
  } else {
    for (uint32_t i = length; i > 0; --i) to->set(dst + i - 1, from->get(src + i - 1));
  }
  return kOk;
}

uint32_t builtinTableInit(void* vmctx, uint32_t table, uint32_t segment, uint32_t dst, uint32_t src, uint32_t length) {
  Instance* instance = Instance::fromVmctx(vmctx);
  Table* t = instance->table(table);
  const std::vector<uintptr_t>& items = instance->elementItems(segment);
  if (uint64_t{src} + length > items.size() || uint64_t{dst} + length > t->size())
    return trapOf(TrapKind::TableOutOfBounds);
  for (uint32_t i = 0; i < length; ++i) t->set(dst + i, items[src + i]);
  return kOk;
}

void builtinElemDrop(void* vmctx, uint32_t segment) { Instance::fromVmctx(vmctx)->dropElement(segment); }

uint64_t builtinI64TruncSatF32S(float x) { return static_cast<uint64_t>(truncSat<int64_t>(x)); }
uint64_t builtinI64TruncSatF32U(float x) { return truncSat<uint64_t>(x); }
uint64_t builtinI64TruncSatF64S(double x) { return static_cast<uint64_t>(truncSat<int64_t>(x)); }
uint64_t builtinI64TruncSatF64U(double x) { return truncSat<uint64_t>(x); }
uint64_t builtinI32TruncSatF32S(float x) { return static_cast<uint32_t>(truncSat<int32_t>(x)); }
uint64_t builtinI32TruncSatF32U(float x) { return truncSat<uint32_t>(x); }
uint64_t builtinI32TruncSatF64S(double x) { return static_cast<uint32_t>(truncSat<int32_t>(x)); }
uint64_t builtinI32TruncSatF64U(double x) { return truncSat<uint32_t>(x); }
float builtinF32ConvertI64U(uint64_t x) { return static_cast<float>(x); }
double builtinF64ConvertI64U(uint64_t x) { return static_cast<double>(x); }

// The forwarding builtins: their implementations live with their subsystems.
[[noreturn]] void builtinRaiseTrap(uint32_t kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc) {
  raiseTrap(kind, bytecodeOffset, fp, pc);
}
uint64_t builtinAtomicNotify(void* vmctx, uint32_t offset, uint32_t address, uint32_t count) {
  return atomicNotify(vmctx, offset, address, count);
}
uint64_t builtinAtomicWait32(void* vmctx, uint32_t offset, uint32_t address, uint32_t expected, int64_t timeout) {
  return atomicWait32(vmctx, offset, address, expected, timeout);
}
uint64_t builtinAtomicWait64(void* vmctx, uint32_t offset, uint32_t address, uint64_t expected, int64_t timeout) {
  return atomicWait64(vmctx, offset, address, expected, timeout);
}

// The table, in BuiltinId order; each entry's type must be exactly the
// signature abi/builtins.h lists, or this does not compile.
const void* const kBuiltins[kBuiltinCount] = {
#define WEFT_BUILTIN_ENTRY(id, ...) reinterpret_cast<const void*>(static_cast<builtin::id>(&builtin##id)),
    WEFT_BUILTINS(WEFT_BUILTIN_ENTRY)
#undef WEFT_BUILTIN_ENTRY
};

}  // namespace

const void* const* builtinTable() { return kBuiltins; }

}  // namespace weft
