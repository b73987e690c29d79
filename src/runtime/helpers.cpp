#include "runtime/helpers.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/instance.h"
#include "runtime/numerics.h"
#include "runtime/atomic_wait.h"
#include "runtime/simd_helpers.h"
#include "runtime/trap.h"
#include "runtime/trap_handler.h"

namespace weft {
namespace {

constexpr uint32_t kOk = 0;
uint32_t trapOf(TrapKind kind) { return static_cast<uint32_t>(kind); }

uint32_t memoryGrow(void* vmctx, uint32_t memory, uint32_t delta) {
  return static_cast<uint32_t>(Instance::fromVmctx(vmctx)->memory(memory)->grow(delta));
}

uint32_t memoryFill(void* vmctx, uint32_t memory, uint32_t dst, uint32_t value, uint32_t length) {
  LinearMemory* m = Instance::fromVmctx(vmctx)->memory(memory);
  if (uint64_t{dst} + length > m->byteLength()) return trapOf(TrapKind::MemoryOutOfBounds);
  if (length) std::memset(m->data() + dst, static_cast<int>(value & 0xff), length);
  return kOk;
}

uint32_t memoryCopy(void* vmctx, uint32_t dstMemory, uint32_t srcMemory, uint32_t dst, uint32_t src,
                    uint32_t length) {
  Instance* instance = Instance::fromVmctx(vmctx);
  LinearMemory* to = instance->memory(dstMemory);
  LinearMemory* from = instance->memory(srcMemory);
  if (uint64_t{dst} + length > to->byteLength() || uint64_t{src} + length > from->byteLength())
    return trapOf(TrapKind::MemoryOutOfBounds);
  if (length) std::memmove(to->data() + dst, from->data() + src, length);
  return kOk;
}

uint32_t memoryInit(void* vmctx, uint32_t memory, uint32_t segment, uint32_t dst, uint32_t src, uint32_t length) {
  Instance* instance = Instance::fromVmctx(vmctx);
  LinearMemory* m = instance->memory(memory);
  const DataSegment& data = instance->module().info().data[segment];
  uint64_t available = instance->dataDropped(segment) ? 0 : data.bytes.size;
  if (uint64_t{src} + length > available || uint64_t{dst} + length > m->byteLength())
    return trapOf(TrapKind::MemoryOutOfBounds);
  if (length) std::memcpy(m->data() + dst, instance->module().bytes().data() + data.bytes.offset + src, length);
  return kOk;
}

void dataDrop(void* vmctx, uint32_t segment) { Instance::fromVmctx(vmctx)->dropData(segment); }

uint32_t tableGrow(void* vmctx, uint32_t table, uintptr_t init, uint32_t delta) {
  return static_cast<uint32_t>(Instance::fromVmctx(vmctx)->table(table)->grow(delta, init));
}

uint32_t tableFill(void* vmctx, uint32_t table, uint32_t dst, uintptr_t value, uint32_t length) {
  Table* t = Instance::fromVmctx(vmctx)->table(table);
  if (uint64_t{dst} + length > t->size()) return trapOf(TrapKind::TableOutOfBounds);
  for (uint32_t i = 0; i < length; ++i) t->set(dst + i, value);
  return kOk;
}

uint32_t tableCopy(void* vmctx, uint32_t dstTable, uint32_t srcTable, uint32_t dst, uint32_t src, uint32_t length) {
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

uint32_t tableInit(void* vmctx, uint32_t table, uint32_t segment, uint32_t dst, uint32_t src, uint32_t length) {
  Instance* instance = Instance::fromVmctx(vmctx);
  Table* t = instance->table(table);
  const std::vector<uintptr_t>& items = instance->elementItems(segment);
  if (uint64_t{src} + length > items.size() || uint64_t{dst} + length > t->size())
    return trapOf(TrapKind::TableOutOfBounds);
  for (uint32_t i = 0; i < length; ++i) t->set(dst + i, items[src + i]);
  return kOk;
}

void elemDrop(void* vmctx, uint32_t segment) { Instance::fromVmctx(vmctx)->dropElement(segment); }

uint64_t i64TruncSatF32S(float x) { return static_cast<uint64_t>(truncSat<int64_t>(x)); }
uint64_t i64TruncSatF32U(float x) { return truncSat<uint64_t>(x); }
uint64_t i64TruncSatF64S(double x) { return static_cast<uint64_t>(truncSat<int64_t>(x)); }
uint64_t i64TruncSatF64U(double x) { return truncSat<uint64_t>(x); }
uint64_t i32TruncSatF32S(float x) { return static_cast<uint32_t>(truncSat<int32_t>(x)); }
uint64_t i32TruncSatF32U(float x) { return truncSat<uint32_t>(x); }
uint64_t i32TruncSatF64S(double x) { return static_cast<uint32_t>(truncSat<int32_t>(x)); }
uint64_t i32TruncSatF64U(double x) { return truncSat<uint32_t>(x); }
float f32ConvertI64U(uint64_t x) { return static_cast<float>(x); }
double f64ConvertI64U(uint64_t x) { return static_cast<double>(x); }

constexpr size_t kCount = static_cast<size_t>(HelperId::Count);

const void* const kHelpers[kCount] = {
    reinterpret_cast<const void*>(&raiseTrap),
    reinterpret_cast<const void*>(&memoryGrow),
    reinterpret_cast<const void*>(&memoryFill),
    reinterpret_cast<const void*>(&memoryCopy),
    reinterpret_cast<const void*>(&memoryInit),
    reinterpret_cast<const void*>(&dataDrop),
    reinterpret_cast<const void*>(&tableGrow),
    reinterpret_cast<const void*>(&tableFill),
    reinterpret_cast<const void*>(&tableCopy),
    reinterpret_cast<const void*>(&tableInit),
    reinterpret_cast<const void*>(&elemDrop),
    reinterpret_cast<const void*>(&i64TruncSatF32S),
    reinterpret_cast<const void*>(&i64TruncSatF32U),
    reinterpret_cast<const void*>(&i64TruncSatF64S),
    reinterpret_cast<const void*>(&i64TruncSatF64U),
    reinterpret_cast<const void*>(&i32TruncSatF32S),
    reinterpret_cast<const void*>(&i32TruncSatF32U),
    reinterpret_cast<const void*>(&i32TruncSatF64S),
    reinterpret_cast<const void*>(&i32TruncSatF64U),
    reinterpret_cast<const void*>(&f32ConvertI64U),
    reinterpret_cast<const void*>(&f64ConvertI64U),
    reinterpret_cast<const void*>(&simdOperation),
    reinterpret_cast<const void*>(&atomicNotify),
    reinterpret_cast<const void*>(&atomicWait32),
    reinterpret_cast<const void*>(&atomicWait64),
};

}  // namespace

const void* const* helperTable() { return kHelpers; }

}  // namespace weft
