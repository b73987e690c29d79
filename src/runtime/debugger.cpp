#include "runtime/debugger.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "abi/trap_kind.h"
#include "support/byte_reader.h"
#include "abi/vmctx_layout.h"
#include "runtime/code_registry.h"
#include "runtime/instance.h"
#include "runtime/linear_memory.h"
#include "runtime/trap_handler.h"

namespace weft {

std::atomic<uint32_t> Debugger::alive_{0};

namespace {

// Set on the thread whose handler asked to abort, so the trap that follows
// does not stop the debugger once more.
thread_local bool tAborting = false;
// Set while a handler runs on this thread: a site it reaches (a handler
// must not call the stopped instance, but may call another debug instance)
// does not stop again, so a handler cannot recurse into itself.
thread_local bool tInHandler = false;

// Cross-modifying code: a thread running the clone on another core must not
// keep executing what a patch replaced. After a patch, every thread of the
// process serializes its instruction stream (membarrier's SYNC_CORE), where
// the kernel offers it; registered once per process.
bool syncCoreRegistered() {
  static const bool registered =
      syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0;
  return registered;
}

void syncCores() {
  if (syncCoreRegistered()) syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
}

Value readValue(ValType type, const uint8_t* at) {
  Value value;
  value.type = type;
  switch (type) {
    case ValType::I32:
    case ValType::F32: {
      uint32_t bits;
      std::memcpy(&bits, at, 4);
      value.bits = bits;
      break;
    }
    case ValType::V128:
      std::memcpy(&value.bits, at, 8);
      std::memcpy(&value.high, at + 8, 8);
      break;
    default: std::memcpy(&value.bits, at, 8); break;
  }
  return value;
}

// How many operands the call at {offset} of {bytes} takes off the stack:
// a caller frame waits in one, and those are its callee's now.
uint32_t callOperands(const ModuleInfo& info, std::span<const uint8_t> bytes, uint32_t offset) {
  if (offset >= bytes.size()) return 0;
  uint8_t opcode = bytes[offset];
  if (opcode != 0x10 && opcode != 0x11) return 0;
  ByteReader reader(bytes.data() + offset + 1, bytes.data() + bytes.size());
  uint32_t index = 0;
  if (!reader.readVarU32(index)) return 0;
  if (opcode == 0x10)
    return index < info.functions.size() ? static_cast<uint32_t>(info.functionType(static_cast<uint32_t>(index)).params.size())
                                         : 0;
  return index < info.types.size() ? static_cast<uint32_t>(info.types[index].params.size()) + 1 : 0;
}

}  // namespace

const char* stopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::Breakpoint: return "breakpoint";
    case StopReason::Step: return "step";
    case StopReason::Trap: return "trap";
  }
  return "?";
}

// ---- the stop ----

bool DebugStop::walkTo(size_t index) const {
  while (frames_.size() <= index && !walkEnded_) {
    uintptr_t fp = nextFramePointer_, pc = nextPc_;
    size_t depth = frames_.size();
    const ModuleCode* code = code_registry::lookup(pc);
    ModuleCode::Location location;
    if (depth >= (1u << 20) || !code || !code->locate(pc, location, depth > 0)) {
      walkEnded_ = true;
      break;
    }
    DebugFrame frame;
    frame.functionIndex = location.functionIndex;
    frame.bytecodeOffset = depth == 0 ? bytecodeOffset_ : (location.hasBytecodeOffset ? location.bytecodeOffset : 0);
    if (fp != 0) {
      void* frameVmctx = *reinterpret_cast<void* const*>(fp + location.vmctxSlot);
      frame.instance = static_cast<Instance*>(static_cast<VmctxHeader*>(frameVmctx)->instance);
    }
    RawFrame raw;
    raw.framePointer = fp;
    raw.range = code->rangeOf(pc);
    raw.innermost = depth == 0;
    // A frame whose prologue's stack check failed has not allocated its
    // slots yet: they may lie past the stack's end.
    bool frameAllocated = !(depth == 0 && trap_ && trap_->kind == TrapKind::StackExhausted);
    frame.inspectable = fp != 0 && raw.range && raw.range->debug && frame.instance && frameAllocated;
    frames_.push_back(frame);
    raw_.push_back(raw);
    if (fp == 0) {
      walkEnded_ = true;
      break;
    }
    nextPc_ = reinterpret_cast<const uintptr_t*>(fp)[1];
    nextFramePointer_ = reinterpret_cast<const uintptr_t*>(fp)[0];
  }
  return index < frames_.size();
}

const std::vector<DebugFrame>& DebugStop::frames() const {
  walkTo(SIZE_MAX - 1);
  return frames_;
}

const DebugFrame* DebugStop::frame(size_t index) const { return walkTo(index) ? &frames_[index] : nullptr; }

const DebugSite* DebugStop::siteAt(const RawFrame& raw, uint32_t bytecodeOffset) const {
  const std::vector<DebugSite>& sites = raw.range->debug->sites;
  auto it = std::lower_bound(sites.begin(), sites.end(), bytecodeOffset,
                             [](const DebugSite& site, uint32_t offset) { return site.bytecodeOffset < offset; });
  return it != sites.end() && it->bytecodeOffset == bytecodeOffset ? &*it : nullptr;
}

std::optional<std::vector<Value>> DebugStop::locals(size_t index) const {
  if (!walkTo(index) || !frames_[index].inspectable) return std::nullopt;
  const RawFrame& raw = raw_[index];
  const DebugFunctionInfo& debug = *raw.range->debug;
  std::vector<Value> values;
  values.reserve(debug.localTypes.size());
  for (size_t i = 0; i < debug.localTypes.size(); ++i)
    values.push_back(readValue(debug.localTypes[i],
                               reinterpret_cast<const uint8_t*>(raw.framePointer + debug.localOffsets[i])));
  return values;
}

std::optional<std::vector<Value>> DebugStop::operandStack(size_t index) const {
  if (!walkTo(index) || !frames_[index].inspectable) return std::nullopt;
  const RawFrame& raw = raw_[index];
  const DebugFrame& frame = frames_[index];
  const DebugFunctionInfo& debug = *raw.range->debug;
  const DebugSite* site = siteAt(raw, frame.bytecodeOffset);
  if (!site) return std::nullopt;
  uint32_t height = site->stackHeight;
  if (!raw.innermost) {
    const Module& module = frame.instance->module();
    height -= std::min(height, callOperands(module.info(), module.bytes(), frame.bytecodeOffset));
  }
  std::vector<Value> values;
  values.reserve(height);
  for (uint32_t d = 0; d < height; ++d) {
    uintptr_t slot = raw.framePointer + static_cast<intptr_t>(debug.stackSlotBase) -
                     static_cast<intptr_t>(debug.stackSlotBytes) * d;
    values.push_back(readValue(debug.stackTypes[site->stackTypesAt + d], reinterpret_cast<const uint8_t*>(slot)));
  }
  return values;
}

std::optional<Value> DebugStop::global(uint32_t index) const { return instance_.globalValue(index); }

std::optional<std::vector<uint8_t>> DebugStop::readMemory(uint32_t memory, uint64_t address, uint64_t length) const {
  if (memory >= instance_.module().info().memories.size()) return std::nullopt;
  LinearMemory* linear = instance_.memory(memory);
  uint64_t size = linear->byteLength();
  if (address > size || length > size - address) return std::nullopt;
  const uint8_t* from = linear->data() + address;
  return std::vector<uint8_t>(from, from + length);
}

// ---- the debugger ----

Result<std::unique_ptr<Debugger>> Debugger::create(Instance& instance, const ModuleCode& shared,
                                                   std::shared_ptr<DebugHandler> handler) {
  Result<std::unique_ptr<ModuleCode>> clone = shared.clonePatchable();
  if (!clone) return clone.error();
  std::unique_ptr<Debugger> debugger(new Debugger(instance, std::move(handler)));
  debugger->clone_ = clone.value().get();
  debugger->ownedClone_ = std::move(clone.value());
  (void)syncCoreRegistered();
  alive_.fetch_add(1, std::memory_order_relaxed);
  return debugger;
}

Debugger::~Debugger() { alive_.fetch_sub(1, std::memory_order_relaxed); }

std::unique_ptr<ModuleCode> Debugger::takeClone() { return std::move(ownedClone_); }

const ModuleCode::FunctionRange* Debugger::rangeOfFunction(uint32_t functionIndex) const {
  for (const ModuleCode::FunctionRange& range : clone_->functions())
    if (range.functionIndex == functionIndex) return range.debug ? &range : nullptr;
  return nullptr;
}

void Debugger::patch(uint32_t imageOffset, bool armed) {
  uint8_t bytes[kDebugSiteBytes];
  if (armed) encodeDebugSiteCall(bytes, static_cast<int8_t>(vmctx::kDebugTrap));
  else std::memcpy(bytes, kDebugSiteNop, kDebugSiteBytes);
  uint32_t word;
  std::memcpy(&word, bytes, sizeof word);
  // One aligned store: a thread at the site runs the old instruction or the
  // new one.
  __atomic_store_n(reinterpret_cast<uint32_t*>(clone_->patchable() + imageOffset), word, __ATOMIC_RELEASE);
}

void Debugger::armAllSites(bool armed) {
  for (const ModuleCode::FunctionRange& range : clone_->functions()) {
    if (!range.debug) continue;
    for (const DebugSite& site : range.debug->sites) patch(range.start + site.codeOffset, armed);
  }
  if (!armed)
    for (const auto& [where, imageOffset] : breakpoints_) patch(imageOffset, true);
  allArmed_ = armed;
}

Result<uint32_t> Debugger::setBreakpoint(uint32_t functionIndex, uint32_t bytecodeOffset) {
  const ModuleInfo& info = clone_->info();
  if (functionIndex < info.numImportedFunctions || functionIndex >= info.functions.size())
    return makeError(ErrorKind::Invalid, "no defined function " + std::to_string(functionIndex));
  const ModuleCode::FunctionRange* range = rangeOfFunction(functionIndex);
  const auto& body = info.functions[functionIndex].body;
  if (!range) return makeError(ErrorKind::Invalid, "function " + std::to_string(functionIndex) + " has no debug code");
  if (bytecodeOffset < body.offset || bytecodeOffset - body.offset >= body.size)
    return makeError(ErrorKind::Invalid, "offset " + std::to_string(bytecodeOffset) + " is outside function " +
                                             std::to_string(functionIndex));
  const std::vector<DebugSite>& sites = range->debug->sites;
  auto site = std::lower_bound(sites.begin(), sites.end(), bytecodeOffset,
                               [](const DebugSite& s, uint32_t offset) { return s.bytecodeOffset < offset; });
  if (site == sites.end())
    return makeError(ErrorKind::Invalid, "no reachable operator at or after offset " + std::to_string(bytecodeOffset) +
                                             " in function " + std::to_string(functionIndex));
  uint32_t imageOffset = range->start + site->codeOffset;
  std::lock_guard guard(lock_);
  breakpoints_[{functionIndex, site->bytecodeOffset}] = imageOffset;
  patch(imageOffset, true);
  syncCores();
  return site->bytecodeOffset;
}

bool Debugger::clearBreakpoint(uint32_t functionIndex, uint32_t bytecodeOffset) {
  std::lock_guard guard(lock_);
  auto it = breakpoints_.find({functionIndex, bytecodeOffset});
  if (it == breakpoints_.end()) return false;
  if (!allArmed_) {
    patch(it->second, false);
    syncCores();
  }
  breakpoints_.erase(it);
  return true;
}

void Debugger::clearBreakpoints() {
  std::lock_guard guard(lock_);
  if (!allArmed_) {
    for (const auto& [where, imageOffset] : breakpoints_) patch(imageOffset, false);
    syncCores();
  }
  breakpoints_.clear();
}

std::vector<Breakpoint> Debugger::breakpoints() const {
  std::lock_guard guard(lock_);
  std::vector<Breakpoint> out;
  for (const auto& [where, imageOffset] : breakpoints_) out.push_back({where.first, where.second});
  return out;
}

std::vector<uint32_t> Debugger::operatorOffsets(uint32_t functionIndex) const {
  std::vector<uint32_t> offsets;
  if (const ModuleCode::FunctionRange* range = rangeOfFunction(functionIndex))
    for (const DebugSite& site : range->debug->sites) offsets.push_back(site.bytecodeOffset);
  return offsets;
}

void Debugger::breakAtNextOperator() { resume(ResumeMode::StepInto, 0); }

void Debugger::resume(ResumeMode mode, uintptr_t framePointer) {
  bool stepping = mode == ResumeMode::StepInto || mode == ResumeMode::StepOver || mode == ResumeMode::StepOut;
  std::lock_guard guard(lock_);
  stepFramePointer_.store(framePointer, std::memory_order_relaxed);
  step_.store(stepping ? mode : ResumeMode::Continue, std::memory_order_relaxed);
  if (stepping != allArmed_) {
    armAllSites(stepping);
    syncCores();
  }
}

ResumeMode Debugger::ask(DebugStop& stop) {
  if (!handler_) return ResumeMode::Continue;
  struct InHandler {
    InHandler() { tInHandler = true; }
    ~InHandler() { tInHandler = false; }
  } inHandler;
  try {
    return handler_->onStop(stop);
  } catch (...) {
    return ResumeMode::Continue;
  }
}

std::optional<uint32_t> Debugger::siteHit(uintptr_t framePointer, uintptr_t returnAddress) {
  if (tInHandler) return std::nullopt;
  uintptr_t sitePc = returnAddress - kDebugSiteBytes;
  const ModuleCode::FunctionRange* range = clone_->rangeOf(sitePc);
  if (!range || !range->debug) return std::nullopt;
  auto local = static_cast<uint32_t>(sitePc - reinterpret_cast<uintptr_t>(clone_->memory().data()) - range->start);
  const std::vector<DebugSite>& sites = range->debug->sites;
  auto site = std::lower_bound(sites.begin(), sites.end(), local,
                               [](const DebugSite& s, uint32_t offset) { return s.codeOffset < offset; });
  if (site == sites.end() || site->codeOffset != local) return std::nullopt;
  bool atBreakpoint;
  {
    std::lock_guard guard(lock_);
    atBreakpoint = breakpoints_.count({range->functionIndex, site->bytecodeOffset}) != 0;
  }
  ResumeMode step = step_.load(std::memory_order_relaxed);
  // Frames grow down: a callee's frame pointer is below its caller's.
  uintptr_t stepFrame = stepFramePointer_.load(std::memory_order_relaxed);
  bool stepEnds = step == ResumeMode::StepInto || (step == ResumeMode::StepOver && framePointer >= stepFrame) ||
                  (step == ResumeMode::StepOut && framePointer > stepFrame);
  if (!atBreakpoint && !stepEnds) return std::nullopt;
  ResumeMode mode;
  {
    DebugStop stop(atBreakpoint ? StopReason::Breakpoint : StopReason::Step, instance_, framePointer, returnAddress,
                   site->bytecodeOffset, nullptr);
    mode = ask(stop);
  }
  if (mode == ResumeMode::Abort) {
    resume(ResumeMode::Continue, 0);
    return site->bytecodeOffset;
  }
  // Out of a frame that the host called: the call ends, nothing is left to
  // stop in (a later call is a new run, as after Continue). So it is for a
  // step over the operator that returns from it (`return`, or the body's
  // final `end`).
  bool hostCalled = !code_registry::lookup(reinterpret_cast<const uintptr_t*>(framePointer)[1]);
  if (hostCalled && mode == ResumeMode::StepOut) mode = ResumeMode::Continue;
  if (hostCalled && mode == ResumeMode::StepOver) {
    constexpr uint8_t kReturnOpcode = 0x0f;
    std::span<const uint8_t> bytes = instance_.module().bytes();
    bool returns = &*site == &sites.back() ||
                   (site->bytecodeOffset < bytes.size() && bytes[site->bytecodeOffset] == kReturnOpcode);
    if (returns) mode = ResumeMode::Continue;
  }
  resume(mode, framePointer);
  return std::nullopt;
}

void Debugger::trapped(const Trap& trap, uintptr_t framePointer, uintptr_t pc) {
  uint32_t offset = trap.backtrace.empty() ? 0 : trap.backtrace.front().bytecodeOffset;
  ResumeMode mode;
  {
    DebugStop stop(StopReason::Trap, instance_, framePointer, pc, offset, &trap);
    mode = ask(stop);
  }
  // The call unwinds: a step can only go on at the next operator the
  // instance runs, in a later call.
  bool stepping = mode == ResumeMode::StepInto || mode == ResumeMode::StepOver || mode == ResumeMode::StepOut;
  resume(stepping ? ResumeMode::StepInto : ResumeMode::Continue, 0);
}

void debugSiteHit(void* vmctx, uintptr_t framePointer, uintptr_t returnAddress) {
  std::optional<uint32_t> abortAt;
  if (Instance* instance = Instance::fromVmctx(vmctx))
    if (Debugger* debugger = instance->debugger()) abortAt = debugger->siteHit(framePointer, returnAddress);
  if (abortAt) {
    tAborting = true;
    raiseTrap(static_cast<uint32_t>(TrapKind::Interrupted), *abortAt, framePointer, returnAddress);
  }
}

void debuggerSeesTrap(const Trap& trap, uintptr_t framePointer, uintptr_t pc) {
  if (tAborting) {
    tAborting = false;
    return;
  }
  if (tInHandler) return;  // a call the handler made trapped: its own business
  if (!Debugger::anyAlive() || trap.endsProgram || trap.backtrace.empty() || !trap.backtrace.front().instance) return;
  try {
    if (Debugger* debugger = trap.backtrace.front().instance->debugger()) debugger->trapped(trap, framePointer, pc);
  } catch (...) {  // out of memory for the frames: the trap unwinds unseen
  }
}

}  // namespace weft
