// The host's side of the wasm calling convention (abi/calling_convention.h):
// a call's argument registers, stack arguments and result registers as one
// struct that the entry stub loads registers from and stores results into,
// and that the host-call stub fills from the registers a wasm caller set.
// Marshalling to and from the embedding API's 8-byte slots is here too, so
// the stubs stay type-agnostic and the convention's rules come from one place
// (call_abi::ArgumentAssigner / ResultAssigner).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "abi/calling_convention.h"
#include "format/types.h"

namespace weft {

// Registers a signature does not use are loaded and stored as they are:
// nothing is initialized but what the stubs read (a call per host call is too
// hot to clear 250 bytes it does not need).
struct alignas(16) WasmCallFrame {
  uint64_t integer[call_abi::kIntegerArgRegisters];  // rsi, rdx, rcx, r8, r9
  uint64_t padding;
  alignas(16) uint8_t floats[call_abi::kFloatArgRegisters][16];  // xmm0-xmm7
  const uint8_t* stack = nullptr;  // the stack arguments
  uint64_t stackBytes = 0;         // entry: how many to copy to [rsp] (a multiple of 16)
  uint64_t resultInteger;          // rax after the call
  uint64_t padding2;
  alignas(16) uint8_t resultFloat[16];  // xmm0 after the call
};
namespace call_frame {
constexpr int32_t kInteger = offsetof(WasmCallFrame, integer);
constexpr int32_t kFloats = offsetof(WasmCallFrame, floats);
constexpr int32_t kStack = offsetof(WasmCallFrame, stack);
constexpr int32_t kStackBytes = offsetof(WasmCallFrame, stackBytes);
constexpr int32_t kResultInteger = offsetof(WasmCallFrame, resultInteger);
constexpr int32_t kResultFloat = offsetof(WasmCallFrame, resultFloat);
constexpr int32_t kSize = sizeof(WasmCallFrame);
}  // namespace call_frame

// Inline: every host <-> wasm call runs these (the common signatures reduce to
// a few moves once the compiler sees the loops).
namespace call_frame_detail {


// A value's bytes in the embedding API's slots: 8, or 16 for a v128.
inline size_t slotBytes(ValType type) { return 8 * argumentSlotUnits(type); }

// Where parameter {location} lives in {frame} (stack arguments at {stack}).
inline uint8_t* placeOf(const call_abi::Location& location, WasmCallFrame& frame, uint8_t* stack) {
  switch (location.where) {
    case call_abi::Where::IntegerRegister: return reinterpret_cast<uint8_t*>(&frame.integer[location.index]);
    case call_abi::Where::FloatRegister: return frame.floats[location.index];
    case call_abi::Where::Stack: return stack + location.stackOffset;
  }
  return nullptr;
}

}  // namespace call_frame_detail

// The signatures nearly every call has: at most five parameters, so all of
// them travel in registers whatever their types, and at most one result.
inline bool travelsInRegisters(const FuncType& type) {
  static_assert(call_abi::kIntegerArgRegisters <= call_abi::kFloatArgRegisters);
  return type.params.size() <= call_abi::kIntegerArgRegisters && type.results.size() <= 1;
}

// For those: the arguments into the frame's registers, no stack area.
// Returns how many float registers they take.
inline uint32_t argumentsIntoRegisters(const FuncType& type, const uint64_t* slots, WasmCallFrame& frame) {
  uint32_t integers = 0, floats = 0;
  for (ValType t : type.params) {
    if (call_abi::inFloatRegister(t)) std::memcpy(frame.floats[floats++], slots, call_frame_detail::slotBytes(t));
    else frame.integer[integers++] = *slots;
    slots += argumentSlotUnits(t);
  }
  frame.stackBytes = 0;
  return floats;
}

inline uint32_t stackArgumentBytes(const FuncType& type) {
  call_abi::ArgumentAssigner arguments(call_abi::usesResultsBuffer(type));
  for (ValType t : type.params) arguments.next(t);
  return arguments.stackBytes();
}

inline uint32_t resultsBufferBytes(const FuncType& type) {
  if (!call_abi::usesResultsBuffer(type)) return 0;
  call_abi::ResultAssigner results;
  for (ValType t : type.results) results.next(t);
  return results.bufferBytes();
}

inline void argumentsIntoFrame(const FuncType& type, const uint64_t* slots, WasmCallFrame& frame, uint8_t* stackArea,
                        uint8_t* resultsBuffer) {
  bool buffer = call_abi::usesResultsBuffer(type);
  call_abi::ArgumentAssigner arguments(buffer);
  if (buffer) frame.integer[0] = reinterpret_cast<uintptr_t>(resultsBuffer);
  for (ValType t : type.params) {
    std::memcpy(call_frame_detail::placeOf(arguments.next(t), frame, stackArea), slots, call_frame_detail::slotBytes(t));
    slots += argumentSlotUnits(t);
  }
  frame.stack = stackArea;
  frame.stackBytes = arguments.stackBytes();
}

inline void resultsFromFrame(const FuncType& type, const WasmCallFrame& frame, const uint8_t* resultsBuffer,
                      uint64_t* slots) {
  if (type.results.size() == 1) {
    ValType t = type.results[0];
    if (call_abi::inFloatRegister(t)) {
      slots[0] = slots[1] = 0;
      std::memcpy(slots, frame.resultFloat, t == ValType::F32 ? 4 : call_frame_detail::slotBytes(t));
    } else {
      // An i32 comes back with bits 32-63 open (LLVM leaves them so).
      slots[0] = t == ValType::I32 ? static_cast<uint32_t>(frame.resultInteger) : frame.resultInteger;
    }
    return;
  }
  call_abi::ResultAssigner results;
  for (ValType t : type.results) {
    std::memcpy(slots, resultsBuffer + results.next(t), call_frame_detail::slotBytes(t));
    if (t == ValType::I32 || t == ValType::F32) slots[0] &= 0xffffffffu;
    slots += argumentSlotUnits(t);
  }
}

// For travelsInRegisters signatures: the arguments out of the registers.
inline void argumentsFromRegisters(const FuncType& type, const WasmCallFrame& frame, uint64_t* slots) {
  uint32_t integers = 0, floats = 0;
  for (ValType t : type.params) {
    if (call_abi::inFloatRegister(t)) std::memcpy(slots, frame.floats[floats++], call_frame_detail::slotBytes(t));
    else slots[0] = frame.integer[integers++];
    if (t == ValType::I32 || t == ValType::F32) slots[0] &= 0xffffffffu;  // the caller may leave high bits
    slots += argumentSlotUnits(t);
  }
}

inline void argumentsFromFrame(const FuncType& type, const WasmCallFrame& frame, uint64_t* slots) {
  call_abi::ArgumentAssigner arguments(call_abi::usesResultsBuffer(type));
  auto& mutableFrame = const_cast<WasmCallFrame&>(frame);  // placeOf only reads through it here
  auto* stack = const_cast<uint8_t*>(frame.stack);
  for (ValType t : type.params) {
    std::memcpy(slots, call_frame_detail::placeOf(arguments.next(t), mutableFrame, stack), call_frame_detail::slotBytes(t));
    if (t == ValType::I32 || t == ValType::F32) slots[0] &= 0xffffffffu;  // the caller may leave high bits
    slots += argumentSlotUnits(t);
  }
}

inline void resultsIntoFrame(const FuncType& type, const uint64_t* slots, WasmCallFrame& frame) {
  if (type.results.size() == 1) {
    ValType t = type.results[0];
    if (call_abi::inFloatRegister(t)) std::memcpy(frame.resultFloat, slots, call_frame_detail::slotBytes(t));
    else frame.resultInteger = slots[0];
    return;
  }
  auto* buffer = reinterpret_cast<uint8_t*>(frame.integer[0]);  // the caller's, passed as the first argument
  call_abi::ResultAssigner results;
  for (ValType t : type.results) {
    std::memcpy(buffer + results.next(t), slots, call_frame_detail::slotBytes(t));
    slots += argumentSlotUnits(t);
  }
}

// Whether both fit {bytes} each, without counting (the common case).
inline bool fitsInlineAreas(const FuncType& type, uint32_t bytes) {
  // A parameter takes at most 16 stack bytes, a result 16 buffer bytes.
  return 16 * type.params.size() <= bytes && 16 * type.results.size() <= bytes;
}

}  // namespace weft
