#include "compiler/optimizing/interrupt_checks.h"

#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/LoopUtils.h>
#include <llvm/Transforms/Utils/ScalarEvolutionExpander.h>

#include <iterator>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "abi/builtins.h"
#include "abi/trap_kind.h"
#include "abi/vmctx_layout.h"
#include "compiler/interrupt_points.h"
#include "compiler/optimizing/loop_versioning.h"

namespace weft {
namespace {

// The retreating edges of a depth-first walk, by target, found without
// recursion (functions can have hundreds of thousands of blocks).
struct Cycles {
  std::vector<llvm::BasicBlock*> heads;  // in the order found: the code is the same every compile
  std::unordered_map<llvm::BasicBlock*, std::vector<llvm::BasicBlock*>> sources;
};

Cycles findCycles(llvm::Function& function) {
  enum class Mark : uint8_t { OnPath, Done };
  std::unordered_map<llvm::BasicBlock*, Mark> marks;
  Cycles cycles;
  struct Step {
    llvm::BasicBlock* block;
    llvm::succ_iterator next, end;
  };
  std::vector<Step> path;
  llvm::BasicBlock* entry = &function.getEntryBlock();
  marks[entry] = Mark::OnPath;
  path.push_back({entry, llvm::succ_begin(entry), llvm::succ_end(entry)});
  while (!path.empty()) {
    Step& top = path.back();
    if (top.next == top.end) {
      marks[top.block] = Mark::Done;
      path.pop_back();
      continue;
    }
    llvm::BasicBlock* from = top.block;
    llvm::BasicBlock* successor = *top.next++;
    auto [at, fresh] = marks.try_emplace(successor, Mark::OnPath);
    if (fresh) {
      path.push_back({successor, llvm::succ_begin(successor), llvm::succ_end(successor)});
    } else if (at->second == Mark::OnPath) {
      std::vector<llvm::BasicBlock*>& sources = cycles.sources[successor];
      if (sources.empty()) cycles.heads.push_back(successor);
      sources.push_back(from);
    }
  }
  return cycles;
}

bool callsOutOf(llvm::BasicBlock& block) {
  for (llvm::Instruction& instruction : block)
    if (auto* call = llvm::dyn_cast<llvm::CallBase>(&instruction);
        call && !llvm::isa<llvm::IntrinsicInst>(call) && !call->doesNotReturn())
      return true;
  return false;
}

// Heads of innermost loops that end after a bounded amount of work, which
// need no check: LLVM's scalar evolution bounds their iterations by a
// constant, they call nothing, and every retreating edge into the head comes
// from the loop. A simple cycle through such an edge lies inside that loop,
// so a cycle that enters the loop again passes a head that checks: between
// two checks each such loop runs at most once. Their iterations times their
// instructions, summed over the function, stay under kBoundedLoopWork (and
// the function then checks at its entry, interrupt_points.h), so the time to
// an interrupt stays bounded.
//
// An innermost loop whose iterations scalar evolution can count only at run
// time (`for (i = 0; i < n; i++)`) is versioned instead: its preheader
// computes the count and enters an unchecked copy when the count is at most
// kCountedLoopWork / instructions, the checked original otherwise. A check
// costs most in small loops; this reaches those counted at run time, not
// those that exit on data (`while (p->key < k) p++`), which keep theirs.
constexpr uint64_t kBoundedLoopWork = uint64_t{1} << 24;  // instructions: milliseconds
constexpr uint64_t kCountedLoopWork = kBoundedLoopWork / 16;
constexpr uint64_t kMaxVersionedLoopInstructions = 256;

struct UncheckedLoops {
  std::unordered_set<llvm::BasicBlock*> bounded;  // heads: constant count
  uint32_t versioned = 0;                         // loops given an unchecked copy
};

UncheckedLoops uncheckedLoops(llvm::Function& function, const Cycles& cycles) {
  UncheckedLoops unchecked;
  if (cycles.heads.empty()) return unchecked;  // the analyses below cost more than a small function's codegen
  uint64_t work = 0;
  llvm::DominatorTree dominators(function);
  llvm::LoopInfo loops(dominators);
  llvm::TargetLibraryInfoImpl libraryInfo{llvm::Triple(function.getParent()->getTargetTriple())};
  llvm::TargetLibraryInfo library(libraryInfo, &function);
  llvm::AssumptionCache assumptions(function);
  llvm::ScalarEvolution evolution(function, library, assumptions, dominators, loops);
  struct Counted {
    llvm::Loop* loop;
    uint64_t iterations;  // at most
  };
  std::vector<Counted> counted;
  llvm::SCEVExpander expander(evolution, function.getParent()->getDataLayout(), "count");
  for (llvm::BasicBlock* head : cycles.heads) {
    llvm::Loop* loop = loops.getLoopFor(head);
    if (!loop || loop->getHeader() != head || !loop->isInnermost()) continue;
    bool fromInside = true;
    for (llvm::BasicBlock* source : cycles.sources.at(head)) fromInside &= loop->contains(source);
    if (!fromInside) continue;
    uint64_t instructions = 0;
    bool calls = false;
    for (llvm::BasicBlock* block : loop->blocks()) {
      instructions += block->size();
      calls |= callsOutOf(*block);
    }
    if (calls) continue;
    const auto* maxTaken = llvm::dyn_cast<llvm::SCEVConstant>(evolution.getConstantMaxBackedgeTakenCount(loop));
    if (maxTaken && maxTaken->getAPInt().getActiveBits() <= 32) {
      uint64_t iterations = maxTaken->getAPInt().getZExtValue() + 1;
      if (iterations * instructions <= kBoundedLoopWork - work) {
        work += iterations * instructions;
        unchecked.bounded.insert(head);
        continue;
      }
    }
    // Too many iterations at most, or no constant bound: maybe few at run
    // time. Only small loops are worth a copy: a check costs most in those.
    if (!loop->getLoopPreheader() || instructions > kMaxVersionedLoopInstructions ||
        kCountedLoopWork > kBoundedLoopWork - work)
      continue;
    const llvm::SCEV* taken = evolution.getSymbolicMaxBackedgeTakenCount(loop);
    if (llvm::isa<llvm::SCEVCouldNotCompute>(taken) || !taken->getType()->isIntegerTy() ||
        taken->getType()->getIntegerBitWidth() > 64 ||
        !expander.isSafeToExpandAt(taken, loop->getLoopPreheader()->getTerminator()))
      continue;
    work += kCountedLoopWork;
    counted.push_back({loop, kCountedLoopWork / instructions});
  }
  // Versioned last, in three steps so that each step's analyses describe
  // the function as it is: LCSSA form only adds phis; the counts only add
  // instructions to preheaders; the copies add blocks no analysis looks at.
  for (const Counted& loop : counted) llvm::formLCSSA(*loop.loop, dominators, &loops, &evolution);
  std::vector<llvm::Value*> small;
  for (auto [loop, iterations] : counted) {
    const llvm::SCEV* taken = evolution.getSymbolicMaxBackedgeTakenCount(loop);
    llvm::Instruction* at = loop->getLoopPreheader()->getTerminator();
    llvm::IRBuilder<> builder(at);
    llvm::Value* count = builder.CreateZExt(expander.expandCodeFor(taken, taken->getType(), at), builder.getInt64Ty());
    // At most {iterations}: the back edge is taken one time fewer.
    small.push_back(builder.CreateICmpULT(count, builder.getInt64(iterations)));
  }
  // The copies' blocks are not cycle heads of {cycles}: they get no check.
  for (size_t i = 0; i < counted.size(); ++i) {
    llvm::ValueToValueMapTy copies;
    versionLoop(*counted[i].loop, small[i], ".unchecked", copies);
  }
  unchecked.versioned = static_cast<uint32_t>(counted.size());
  return unchecked;
}

// The bytecode offset a block's code came from: the first debug line in it
// (lines are offsets + 1, function_translator.cpp).
uint32_t bytecodeOffsetOf(llvm::BasicBlock& block, uint32_t fallback) {
  for (llvm::Instruction& instruction : block)
    if (const llvm::DebugLoc& location = instruction.getDebugLoc(); location && location.getLine() > 0)
      return location.getLine() - 1;
  return fallback;
}

// Whether the optimized function can call anything that runs unbounded: a
// wasm function or the host. Intrinsics (memcpy of a bulk operation) and the
// calls that raise a trap and never return are bounded.
bool callsOut(llvm::Function& function) {
  for (llvm::BasicBlock& block : function)
    if (callsOutOf(block)) return true;
  return false;
}

// Ends `at` with the check: its instructions before `split` stay, the rest
// move to a new block entered when the flag is clear; a set flag raises the
// trap at `bytecodeOffset`.
void insertCheck(llvm::Function& function, llvm::BasicBlock* at, llvm::BasicBlock::iterator split,
                 uint32_t bytecodeOffset) {
  llvm::LLVMContext& context = function.getContext();
  llvm::Value* vmctx = function.getArg(0);
  llvm::Type* ptr = llvm::PointerType::get(context, 0);
  llvm::DILocation* line = llvm::DILocation::get(context, bytecodeOffset + 1, 0, function.getSubprogram());
  llvm::BasicBlock* rest = at->splitBasicBlock(split, at->getName() + ".go");
  at->getTerminator()->eraseFromParent();
  llvm::BasicBlock* trap = llvm::BasicBlock::Create(context, "interrupted", &function);
  llvm::IRBuilder<> builder(at);
  builder.SetCurrentDebugLocation(line);
  llvm::Value* flagAddress = builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), vmctx, vmctx::kInterruptFlag);
  llvm::LoadInst* flag = builder.CreateAlignedLoad(builder.getInt32Ty(), flagAddress, llvm::Align(4));
  flag->setVolatile(true);
  builder.CreateCondBr(builder.CreateICmpNE(flag, builder.getInt32(0)), trap, rest,
                       llvm::MDBuilder(context).createBranchWeights(1, 1u << 20));

  builder.SetInsertPoint(trap);
  builder.SetCurrentDebugLocation(line);
  llvm::Function* frameAddress =
      llvm::Intrinsic::getDeclaration(function.getParent(), llvm::Intrinsic::frameaddress, {ptr});
  llvm::Value* fp = builder.CreateCall(frameAddress, {builder.getInt32(0)});
  llvm::Value* helpers = builder.CreateAlignedLoad(
      ptr, builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), vmctx, vmctx::kHelpers), llvm::Align(8));
  llvm::Value* raiseTrap = builder.CreateAlignedLoad(
      ptr, builder.CreateConstInBoundsGEP1_64(builder.getInt8Ty(), helpers, builtinTableOffset(BuiltinId::RaiseTrap)),
      llvm::Align(8));
  auto* type =
      llvm::FunctionType::get(builder.getVoidTy(), {builder.getInt32Ty(), builder.getInt32Ty(), ptr, ptr}, false);
  // As the translator's traps: the pc argument only has to be inside this
  // function, the bytecode offset travels as an argument.
  llvm::CallInst* call = builder.CreateCall(
      type, raiseTrap,
      {builder.getInt32(static_cast<uint32_t>(TrapKind::Interrupted)), builder.getInt32(bytecodeOffset), fp, &function});
  call->setDoesNotReturn();
  builder.CreateUnreachable();
}

constexpr const char* kBarrierName = "weft.interrupt.barrier";
constexpr int kMaxInvarianceDepth = 16;

// Whether {value} may be the same in every iteration of {loop} once LICM is
// done with it: conservative, so anything unclear may be.
bool mayBeInvariant(const llvm::Value* value, const llvm::Loop& loop, int depth) {
  const auto* instruction = llvm::dyn_cast<llvm::Instruction>(value);
  if (!instruction || !loop.contains(instruction) || depth > kMaxInvarianceDepth) return true;
  if (llvm::isa<llvm::PHINode>(instruction) || llvm::isa<llvm::CallBase>(instruction)) return false;
  for (const llvm::Value* operand : instruction->operands())
    if (!mayBeInvariant(operand, loop, depth + 1)) return false;
  return true;
}

bool needsBarrier(const llvm::Loop& loop) {
  bool invariantStore = false;
  for (llvm::BasicBlock* block : loop.blocks())
    for (llvm::Instruction& instruction : *block) {
      if (auto* call = llvm::dyn_cast<llvm::CallBase>(&instruction);
          call && !llvm::isa<llvm::IntrinsicInst>(call) && !call->doesNotReturn())
        return false;
      if (auto* store = llvm::dyn_cast<llvm::StoreInst>(&instruction))
        invariantStore |= mayBeInvariant(store->getPointerOperand(), loop, 0);
    }
  return invariantStore;
}

}  // namespace

llvm::PreservedAnalyses InterruptBarriersPass::run(llvm::Function& function, llvm::FunctionAnalysisManager&) {
  if (function.empty()) return llvm::PreservedAnalyses::all();
  llvm::DominatorTree dominators(function);
  llvm::LoopInfo loops(dominators);
  std::vector<llvm::BasicBlock*> headers;
  for (llvm::Loop* loop : loops.getLoopsInPreorder())
    if (needsBarrier(*loop)) headers.push_back(loop->getHeader());
  if (headers.empty()) return llvm::PreservedAnalyses::all();
  llvm::Module& module = *function.getParent();
  llvm::FunctionCallee barrier =
      module.getOrInsertFunction(kBarrierName, llvm::FunctionType::get(llvm::Type::getVoidTy(module.getContext()), false));
  for (llvm::BasicBlock* header : headers) {
    llvm::IRBuilder<> builder(header, header->getFirstInsertionPt());
    builder.CreateCall(barrier)->setDebugLoc(header->getFirstNonPHI()->getDebugLoc());
  }
  llvm::PreservedAnalyses preserved;
  preserved.preserveSet<llvm::CFGAnalyses>();
  return preserved;
}

void removeInterruptBarriers(llvm::Function& function) {
  llvm::Function* barrier = function.getParent()->getFunction(kBarrierName);
  if (!barrier) return;
  std::vector<llvm::Instruction*> calls;
  for (llvm::User* user : barrier->users()) calls.push_back(llvm::cast<llvm::Instruction>(user));
  for (llvm::Instruction* call : calls) call->eraseFromParent();
  barrier->eraseFromParent();
}

std::optional<InterruptChecks> insertInterruptChecks(llvm::Function& function, uint32_t bodyBytecodeOffset,
                                                     uint32_t bodyBytes) {
  InterruptChecks inserted;
  if (function.empty()) return inserted;
  Cycles cycles = findCycles(function);
  UncheckedLoops unchecked = uncheckedLoops(function, cycles);
  const std::unordered_set<llvm::BasicBlock*>& bounded = unchecked.bounded;
  for (llvm::BasicBlock* head : cycles.heads) {
    if (bounded.count(head)) continue;
    insertCheck(function, head, head->getFirstNonPHIIt(), bytecodeOffsetOf(*head, bodyBytecodeOffset));
    ++inserted.loops;
  }
  inserted.boundedLoops = static_cast<uint32_t>(bounded.size());
  inserted.versionedLoops = unchecked.versioned;
  // Decided after the loop checks (their trap calls never return, and call nothing).
  inserted.entry = needsEntryInterruptCheck(callsOut(function), !bounded.empty() || unchecked.versioned > 0, bodyBytes);
  if (inserted.entry) {
    // After the frame's vmctx slot is written and recorded (the stack map
    // call), which the trap's frame walk needs; the allocas before it must
    // stay in the entry block to be static.
    llvm::BasicBlock& entry = function.getEntryBlock();
    llvm::BasicBlock::iterator split = entry.begin();
    for (auto at = entry.begin(); at != entry.end(); ++at)
      if (auto* intrinsic = llvm::dyn_cast<llvm::IntrinsicInst>(&*at);
          intrinsic && intrinsic->getIntrinsicID() == llvm::Intrinsic::experimental_stackmap) {
        split = std::next(at);
        break;
      }
    if (split == entry.begin()) return std::nullopt;
    insertCheck(function, &entry, split, bodyBytecodeOffset);
  }
  return inserted;
}

}  // namespace weft
