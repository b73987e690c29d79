#include "compiler/optimizing/in_bounds_loops.h"

#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/LoopUtils.h>
#include <llvm/Transforms/Utils/ScalarEvolutionExpander.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "abi/memory_strategy.h"
#include "compiler/optimizing/loop_versioning.h"

namespace weft {
namespace {

// Bounds on what is worth a copy and on the arithmetic of the checks: a loop
// of at most this many instructions and accesses; steps of at most 2^16
// bytes, so that step x count (count < 2^32) stays far inside 64 bits.
constexpr size_t kMaxLoopInstructions = 256;
constexpr size_t kMaxAccesses = 64;
constexpr int64_t kMaxStep = int64_t{1} << 16;
// Loops versioned per function, each costing a fresh set of analyses.
constexpr int kMaxLoopsPerFunction = 16;

bool isLinearMemoryAccess(const llvm::Instruction& instruction) {
  const llvm::MDNode* tag = instruction.getMetadata(llvm::LLVMContext::MD_tbaa);
  if (!tag || tag->getNumOperands() < 1) return false;
  const auto* type = llvm::dyn_cast<llvm::MDNode>(tag->getOperand(0));
  if (!type || type->getNumOperands() < 1) return false;
  const auto* name = llvm::dyn_cast<llvm::MDString>(type->getOperand(0));
  return name && name->getString() == kLinearMemoryAliasName;
}

// One access of the loop, as an offset from the memory base:
//   Invariant:  {offset} (the same every iteration);
//   Wrapping:   {constant} + zext(i32 {start} + {step} x k): the 32-bit index
//               the copy turns into a 64-bit induction variable, its start
//               split into {start} and a constant {indexConstant};
//   Affine:     {start} + {step} x k, already 64-bit (scalar evolution proved
//               the index does not wrap).
struct Access {
  enum class Kind { Invariant, Wrapping, Affine } kind;
  llvm::Instruction* instruction = nullptr;  // the access, or the compare of a bound
  llvm::Value* base = nullptr;
  const llvm::SCEV* start = nullptr;  // Invariant: the offset
  int64_t indexConstant = 0;
  uint64_t constant = 0;
  int64_t step = 0;
  uint64_t bytes = 0;
  // A bound: offset {predicate} {limit}, whose result is {known} in the copy.
  const llvm::SCEV* limit = nullptr;
  llvm::CmpInst::Predicate predicate = llvm::CmpInst::ICMP_ULT;
  bool known = false;
};

class LoopVersioner {
 public:
  LoopVersioner(llvm::Loop& loop, llvm::DominatorTree& dominators, llvm::LoopInfo& loops,
                llvm::ScalarEvolution& evolution, llvm::AssumptionCache& assumptions, LoopMemory memory)
      : loop_(loop),
        dominators_(dominators),
        loops_(loops),
        evolution_(evolution),
        assumptions_(assumptions),
        memory_(memory) {}

  // The copy's header when the loop was versioned.
  llvm::BasicBlock* version() {
    if (!loop_.getLoopPreheader() || !loop_.getLoopLatch() || !loop_.hasDedicatedExits())
      llvm::simplifyLoop(&loop_, &dominators_, &loops_, &evolution_, &assumptions_, nullptr, false);
    preheader_ = loop_.getLoopPreheader();
    // (simplifyLoop may have split a loop of several back edges into nested ones)
    if (!preheader_ || !loop_.getLoopLatch() || !loop_.hasDedicatedExits() || !loop_.isInnermost()) return nullptr;
    if (!collectAccesses() || accesses_.empty()) return nullptr;
    llvm::formLCSSA(loop_, dominators_, &loops_, &evolution_);
    llvm::Value* inBounds = buildCheck();
    if (!inBounds) return nullptr;
    llvm::ValueToValueMapTy copies;
    llvm::BasicBlock* header = loop_.getHeader();
    llvm::BasicBlock* latch = loop_.getLoopLatch();
    versionLoop(loop_, inBounds, ".inbounds", copies);
    rewriteCopy(llvm::cast<llvm::BasicBlock>(copies[header]), llvm::cast<llvm::BasicBlock>(copies[latch]), copies);
    return llvm::cast<llvm::BasicBlock>(copies[header]);
  }

 private:
  const llvm::DataLayout& layout() const { return preheader_->getModule()->getDataLayout(); }

  bool collectAccesses() {
    size_t instructions = 0;
    bool varies = false;
    for (llvm::BasicBlock* block : loop_.blocks()) {
      for (llvm::Instruction& instruction : *block) {
        if (++instructions > kMaxLoopInstructions) return false;
        if (auto* call = llvm::dyn_cast<llvm::CallBase>(&instruction)) {
          // A call could run anything; an intrinsic that touches memory too.
          if (!llvm::isa<llvm::IntrinsicInst>(call) || call->mayReadOrWriteMemory()) return false;
          continue;
        }
        if (instruction.isAtomic() || llvm::isa<llvm::FenceInst>(instruction)) return false;
        if (auto* compare = llvm::dyn_cast<llvm::ICmpInst>(&instruction)) {
          if (!boundCompare(*compare)) return false;
          continue;
        }
        auto* load = llvm::dyn_cast<llvm::LoadInst>(&instruction);
        auto* store = llvm::dyn_cast<llvm::StoreInst>(&instruction);
        if (!load && !store) continue;
        bool isVolatile = load ? load->isVolatile() : store->isVolatile();
        if (!isLinearMemoryAccess(instruction)) {
          if (isVolatile) return false;  // not the translator's: leave the loop alone
          continue;
        }
        // Guard accesses are volatile (the copy makes them plain); bounds-checked
        // ones are plain behind their compares (the copy decides those).
        if (isVolatile != (memory_.strategy == MemoryStrategy::Guard) || accesses_.size() == kMaxAccesses)
          return false;
        llvm::Type* type = load ? load->getType() : store->getValueOperand()->getType();
        std::optional<Access> access =
            analyze(instruction, load ? load->getPointerOperand() : store->getPointerOperand(),
                    layout().getTypeStoreSize(type).getFixedValue());
        if (!access) return false;
        varies |= access->kind != Access::Kind::Invariant;
        accesses_.push_back(*access);
      }
    }
    for (const Access& bound : bounds_) varies |= bound.kind != Access::Kind::Invariant;
    if (!varies) return true;
    count_ = evolution_.getSymbolicMaxBackedgeTakenCount(&loop_);
    return !llvm::isa<llvm::SCEVCouldNotCompute>(count_) && count_->getType()->isIntegerTy() &&
           count_->getType()->getIntegerBitWidth() <= 64 && safeToExpand(count_);
  }

  // Whether {value} is memory 0's base: a load of it from its definition, or
  // the constant of a specialized copy. Only offsets from it are checked
  // against the memory's length; a pointer chosen among others (a select or
  // phi of addresses) would hide its offset from scalar evolution.
  bool isMemoryBase(llvm::Value* value) const {
    if (memory_.constantBase) {
      auto* address = llvm::dyn_cast<llvm::ConstantExpr>(value);
      auto* integer = address && address->getOpcode() == llvm::Instruction::IntToPtr
                          ? llvm::dyn_cast<llvm::ConstantInt>(address->getOperand(0))
                          : nullptr;
      return integer && integer->getZExtValue() == *memory_.constantBase;
    }
    auto* load = llvm::dyn_cast<llvm::LoadInst>(value);
    if (!load || !load->getType()->isPointerTy()) return false;
    llvm::Value* vmctx = preheader_->getParent()->getArg(0);
    llvm::APInt offset(64, 0);
    const llvm::Value* from = load->getPointerOperand()->stripAndAccumulateConstantOffsets(layout(), offset, true);
    if (!memory_.imported)
      return from == vmctx && offset == uint64_t(memory_.definitionOffset) + uint64_t(memory_.baseOffset);
    auto* definition = llvm::dyn_cast<llvm::LoadInst>(from);
    if (offset != uint64_t(memory_.baseOffset) || !definition) return false;
    llvm::APInt at(64, 0);
    return definition->getPointerOperand()->stripAndAccumulateConstantOffsets(layout(), at, true) == vmctx &&
           at == uint64_t(memory_.definitionOffset);
  }

  // A compare of an offset with a loop-invariant value that decides a
  // branch to a trap (the bounds-checked strategy's `end > length`, or a
  // table's, or the guest's own): when the offset's range makes the compare
  // come out the way that avoids the trap on every iteration, the copy
  // knows its result. The check adds that condition. Any other compare is
  // left as it is; false only when the loop cannot be versioned.
  bool boundCompare(llvm::ICmpInst& compare) {
    if (!compare.isUnsigned() || !compare.getOperand(0)->getType()->isIntegerTy(64) || !compare.hasOneUse())
      return true;
    auto* branch = llvm::dyn_cast<llvm::BranchInst>(*compare.user_begin());
    if (!branch || !branch->isConditional()) return true;
    auto trapsAt = [](llvm::BasicBlock* block) { return llvm::isa<llvm::UnreachableInst>(block->getTerminator()); };
    bool trapsIfTrue = trapsAt(branch->getSuccessor(0)), trapsIfFalse = trapsAt(branch->getSuccessor(1));
    if (trapsIfTrue == trapsIfFalse) return true;
    llvm::CmpInst::Predicate predicate = compare.getPredicate();
    llvm::Value* offset = compare.getOperand(0);
    llvm::Value* limit = compare.getOperand(1);
    if (!evolution_.isLoopInvariant(evolution_.getSCEV(limit), &loop_)) {
      std::swap(offset, limit);
      predicate = llvm::CmpInst::getSwappedPredicate(predicate);
    }
    const llvm::SCEV* limitValue = evolution_.getSCEV(limit);
    if (!evolution_.isLoopInvariant(limitValue, &loop_) || !safeToExpand(limitValue)) return true;
    std::optional<Access> bound = analyzeOffset(evolution_.getSCEV(offset));
    if (!bound) return true;
    if (bounds_.size() == kMaxAccesses) return false;
    bound->instruction = &compare;
    bound->limit = limitValue;
    bound->predicate = predicate;
    bound->known = trapsIfFalse;
    bounds_.push_back(*bound);
    return true;
  }

  bool safeToExpand(const llvm::SCEV* value) {
    llvm::SCEVExpander expander(evolution_, layout(), "inbounds");
    return expander.isSafeToExpandAt(value, preheader_->getTerminator());
  }

  std::optional<int64_t> stepOf(const llvm::SCEVAddRecExpr& recurrence) {
    const auto* step = llvm::dyn_cast<llvm::SCEVConstant>(recurrence.getStepRecurrence(evolution_));
    if (!step || step->getAPInt().getSignificantBits() > 64) return std::nullopt;
    int64_t value = step->getAPInt().getSExtValue();
    if (value == 0 || value > kMaxStep || value < -kMaxStep) return std::nullopt;
    return value;
  }

  std::optional<Access> analyze(llvm::Instruction& instruction, llvm::Value* pointer, uint64_t bytes) {
    const llvm::SCEV* address = evolution_.getSCEV(pointer);
    const auto* base = llvm::dyn_cast<llvm::SCEVUnknown>(evolution_.getPointerBase(address));
    if (!base || !evolution_.isLoopInvariant(base, &loop_) || !isMemoryBase(base->getValue())) return std::nullopt;
    std::optional<Access> access = analyzeOffset(evolution_.removePointerBase(address));
    if (!access) return std::nullopt;
    access->instruction = &instruction;
    access->base = base->getValue();
    access->bytes = bytes;
    return access;
  }

  // An offset from the memory base as one of the kinds of Access.
  std::optional<Access> analyzeOffset(const llvm::SCEV* offset) {
    if (llvm::isa<llvm::SCEVCouldNotCompute>(offset) || !offset->getType()->isIntegerTy(64)) return std::nullopt;
    Access access{Access::Kind::Invariant};
    if (evolution_.isLoopInvariant(offset, &loop_)) {
      if (!safeToExpand(offset)) return std::nullopt;
      access.start = offset;
      return access;
    }
    if (const auto* affine = llvm::dyn_cast<llvm::SCEVAddRecExpr>(offset)) {
      std::optional<int64_t> step = stepOf(*affine);
      if (affine->getLoop() != &loop_ || !affine->isAffine() || !step || !safeToExpand(affine->getStart()))
        return std::nullopt;
      access.kind = Access::Kind::Affine;
      access.start = affine->getStart();
      access.step = *step;
      return access;
    }
    // constant + zext(i32 recurrence), or zext(i32 recurrence)
    const llvm::SCEV* extended = offset;
    if (const auto* sum = llvm::dyn_cast<llvm::SCEVAddExpr>(offset)) {
      const auto* constant = sum->getNumOperands() == 2 ? llvm::dyn_cast<llvm::SCEVConstant>(sum->getOperand(0)) : nullptr;
      if (!constant || constant->getAPInt().getActiveBits() > 33) return std::nullopt;
      access.constant = constant->getAPInt().getZExtValue();
      extended = sum->getOperand(1);
    }
    const auto* zext = llvm::dyn_cast<llvm::SCEVZeroExtendExpr>(extended);
    if (!zext || zext->getOperand()->getType()->getIntegerBitWidth() != 32) return std::nullopt;
    const auto* index = llvm::dyn_cast<llvm::SCEVAddRecExpr>(zext->getOperand());
    if (!index || index->getLoop() != &loop_ || !index->isAffine()) return std::nullopt;
    std::optional<int64_t> step = stepOf(*index);
    if (!step) return std::nullopt;
    access.kind = Access::Kind::Wrapping;
    access.step = *step;
    // The start's constant term apart, so that accesses at i, i+1, i+2...
    // share one induction variable.
    const llvm::SCEV* start = index->getStart();
    if (const auto* constant = llvm::dyn_cast<llvm::SCEVConstant>(start)) {
      access.indexConstant = constant->getAPInt().getSExtValue();
      start = evolution_.getZero(start->getType());
    } else if (const auto* sum = llvm::dyn_cast<llvm::SCEVAddExpr>(start);
               sum && llvm::isa<llvm::SCEVConstant>(sum->getOperand(0))) {
      access.indexConstant = llvm::cast<llvm::SCEVConstant>(sum->getOperand(0))->getAPInt().getSExtValue();
      llvm::SmallVector<const llvm::SCEV*, 4> rest(sum->operands().begin() + 1, sum->operands().end());
      start = evolution_.getAddExpr(rest);
    }
    if (!safeToExpand(start)) return std::nullopt;
    access.start = start;
    return access;
  }

  // The condition the copy runs under: every access of every iteration lies
  // in [0, length), and no 32-bit index wraps. Computed in 64 bits with no
  // overflow: offsets below 2^34, steps below 2^16 times counts below 2^32.
  llvm::Value* buildCheck() {
    llvm::Instruction* at = preheader_->getTerminator();
    llvm::IRBuilder<> b(at);
    llvm::Type* i64 = b.getInt64Ty();
    llvm::Value* vmctx = preheader_->getParent()->getArg(0);
    llvm::Value* definition = b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), vmctx, memory_.definitionOffset);
    if (memory_.imported) definition = b.CreateAlignedLoad(b.getPtrTy(), definition, llvm::Align(8));
    llvm::Value* length = b.CreateAlignedLoad(
        i64, b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), definition, memory_.lengthOffset), llvm::Align(8));
    llvm::SCEVExpander expander(evolution_, layout(), "inbounds");
    llvm::Value* ok = b.getTrue();
    llvm::Value* count = nullptr;
    if (count_) {
      count = b.CreateZExt(expander.expandCodeFor(count_, count_->getType(), at), i64);
      ok = b.CreateICmpULT(count, b.getInt64(uint64_t{1} << 32));
    }
    // Accesses that move together (the same kind, start and step: a load and
    // a store of one element, the fields of one struct) are one range, from
    // the lowest index to the furthest end: one check per group, which
    // matters for short loops entered often.
    struct Group {
      const Access* access;
      int64_t lowestIndex, highestIndex, furthestEnd;  // constants: index, index + offset + bytes
    };
    // (In the accesses' order, not the keys': the code is the same every compile.)
    std::vector<Group> groups;
    std::map<std::tuple<Access::Kind, const llvm::SCEV*, int64_t>, size_t> groupOf;
    for (const Access& access : accesses_) {
      int64_t end = access.indexConstant + static_cast<int64_t>(access.constant + access.bytes);
      auto [at, fresh] = groupOf.try_emplace({access.kind, access.start, access.step}, groups.size());
      if (fresh) groups.push_back(Group{&access, access.indexConstant, access.indexConstant, end});
      Group& group = groups[at->second];
      group.lowestIndex = std::min(group.lowestIndex, access.indexConstant);
      group.highestIndex = std::max(group.highestIndex, access.indexConstant);
      group.furthestEnd = std::max(group.furthestEnd, end);
    }
    for (const Group& group : groups) {
      const Access& access = *group.access;
      auto constant = [&](int64_t value) { return b.getInt64(static_cast<uint64_t>(value)); };
      llvm::Value* first = access.kind == Access::Kind::Wrapping ? startOf(access, expander, at)
                                                                  : expander.expandCodeFor(access.start, i64, at);
      llvm::Value* forward = b.getInt64(0);   // how far the highest moves up over the loop
      llvm::Value* backward = b.getInt64(0);  // how far the lowest moves down
      if (access.kind != Access::Kind::Invariant) {
        llvm::Value* move = b.CreateMul(count, constant(access.step));
        (access.step > 0 ? forward : backward) = move;
        llvm::Value* low = b.CreateAdd(b.CreateAdd(first, constant(group.lowestIndex)), backward);
        ok = b.CreateAnd(ok, b.CreateICmpSGE(low, b.getInt64(0)));
      }
      if (access.kind == Access::Kind::Wrapping) {
        llvm::Value* high = b.CreateAdd(b.CreateAdd(first, constant(group.highestIndex)), forward);
        ok = b.CreateAnd(ok, b.CreateICmpULT(high, b.getInt64(uint64_t{1} << 32)));
      }
      llvm::Value* end = b.CreateAdd(b.CreateAdd(first, constant(group.furthestEnd)), forward);
      ok = b.CreateAnd(ok, b.CreateICmpULE(end, length));
    }
    for (const Access& bound : bounds_) {
      auto [low, high] = range(bound, count, expander, ok);
      llvm::Value* limit = expander.expandCodeFor(bound.limit, i64, at);
      using P = llvm::CmpInst::Predicate;
      // offset P limit for every offset in [low, high] has the result {known}
      switch (bound.known ? bound.predicate : llvm::CmpInst::getInversePredicate(bound.predicate)) {
        case P::ICMP_ULT: ok = b.CreateAnd(ok, b.CreateICmpULT(high, limit)); break;
        case P::ICMP_ULE: ok = b.CreateAnd(ok, b.CreateICmpULE(high, limit)); break;
        case P::ICMP_UGT: ok = b.CreateAnd(ok, b.CreateICmpUGT(low, limit)); break;
        case P::ICMP_UGE: ok = b.CreateAnd(ok, b.CreateICmpUGE(low, limit)); break;
        default: return nullptr;
      }
    }
    return ok;
  }

  // The lowest and highest offset of {access} over the loop's iterations,
  // with what makes them exact added to {ok}: a 32-bit index that never
  // wraps (it stays in [0, 2^32) from first to last), an affine offset that
  // stays non-negative. Offsets are below 2^34, so no sum here overflows.
  std::pair<llvm::Value*, llvm::Value*> range(const Access& access, llvm::Value* count, llvm::SCEVExpander& expander,
                                              llvm::Value*& ok) {
    llvm::Instruction* at = preheader_->getTerminator();
    llvm::IRBuilder<> b(at);
    llvm::Type* i64 = b.getInt64Ty();
    if (access.kind == Access::Kind::Invariant) {
      llvm::Value* offset = expander.expandCodeFor(access.start, i64, at);
      return {offset, offset};
    }
    llvm::Value* first = access.kind == Access::Kind::Affine
                             ? expander.expandCodeFor(access.start, i64, at)
                             : b.CreateAdd(startOf(access, expander, at),
                                           b.getInt64(static_cast<uint64_t>(access.indexConstant)));
    llvm::Value* last = b.CreateAdd(first, b.CreateMul(count, b.getInt64(static_cast<uint64_t>(access.step))));
    llvm::Value* low = access.step > 0 ? first : last;
    llvm::Value* high = access.step > 0 ? last : first;
    ok = b.CreateAnd(ok, b.CreateICmpSGE(low, b.getInt64(0)));
    if (access.kind == Access::Kind::Wrapping) {
      ok = b.CreateAnd(ok, b.CreateICmpULT(high, b.getInt64(uint64_t{1} << 32)));
      low = b.CreateAdd(low, b.getInt64(access.constant));
      high = b.CreateAdd(high, b.getInt64(access.constant));
    }
    return {low, high};
  }

  // zext(start) of a wrapping access, expanded once per start.
  llvm::Value* startOf(const Access& access, llvm::SCEVExpander& expander, llvm::Instruction* at) {
    auto [entry, fresh] = starts_.try_emplace(access.start, nullptr);
    if (fresh) {
      llvm::IRBuilder<> b(at);
      entry->second = b.CreateZExt(expander.expandCodeFor(access.start, access.start->getType(), at), b.getInt64Ty());
    }
    return entry->second;
  }

  // In the copy: plain accesses, and one 64-bit induction variable per
  // (start, step) of the wrapping ones, the address base + it + constants.
  void rewriteCopy(llvm::BasicBlock* header, llvm::BasicBlock* latch, llvm::ValueToValueMapTy& copies) {
    for (const Access& bound : bounds_) {
      auto* compare = llvm::cast<llvm::Instruction>(copies[bound.instruction]);
      compare->replaceAllUsesWith(llvm::ConstantInt::getBool(compare->getContext(), bound.known));
      compare->eraseFromParent();
    }
    std::map<std::pair<const llvm::SCEV*, int64_t>, llvm::PHINode*> variables;
    for (const Access& access : accesses_) {
      auto* instruction = llvm::cast<llvm::Instruction>(copies[access.instruction]);
      if (auto* load = llvm::dyn_cast<llvm::LoadInst>(instruction)) load->setVolatile(false);
      else llvm::cast<llvm::StoreInst>(instruction)->setVolatile(false);  // (bounds-checked: plain already)
      if (access.kind != Access::Kind::Wrapping) continue;
      llvm::PHINode*& variable = variables[{access.start, access.step}];
      if (!variable) {
        llvm::IRBuilder<> b(header, header->getFirstNonPHIIt());
        variable = b.CreatePHI(b.getInt64Ty(), 2, "wasm.index");
        variable->addIncoming(starts_.at(access.start), preheader_);
        b.SetInsertPoint(latch->getTerminator());
        variable->addIncoming(b.CreateNSWAdd(variable, b.getInt64(static_cast<uint64_t>(access.step))), latch);
      }
      llvm::IRBuilder<> b(instruction);
      b.SetCurrentDebugLocation(instruction->getDebugLoc());
      int64_t displacement = access.indexConstant + static_cast<int64_t>(access.constant);
      llvm::Value* offset = b.CreateNSWAdd(variable, b.getInt64(static_cast<uint64_t>(displacement)));
      llvm::Value* address = b.CreateInBoundsGEP(b.getInt8Ty(), access.base, offset);
      if (auto* load = llvm::dyn_cast<llvm::LoadInst>(instruction)) load->setOperand(load->getPointerOperandIndex(), address);
      else instruction->setOperand(llvm::StoreInst::getPointerOperandIndex(), address);
    }
  }

  llvm::Loop& loop_;
  llvm::DominatorTree& dominators_;
  llvm::LoopInfo& loops_;
  llvm::ScalarEvolution& evolution_;
  llvm::AssumptionCache& assumptions_;
  LoopMemory memory_;
  llvm::BasicBlock* preheader_ = nullptr;
  std::vector<Access> accesses_;
  std::vector<Access> bounds_;  // compares with the length whose result the copy knows
  const llvm::SCEV* count_ = nullptr;
  std::map<const llvm::SCEV*, llvm::Value*> starts_;
};

}  // namespace

llvm::PreservedAnalyses InBoundsLoopsPass::run(llvm::Function& function, llvm::FunctionAnalysisManager& analyses) {
  if (function.empty()) return llvm::PreservedAnalyses::all();
  llvm::TargetLibraryInfo& library = analyses.getResult<llvm::TargetLibraryAnalysis>(function);
  llvm::AssumptionCache& assumptions = analyses.getResult<llvm::AssumptionAnalysis>(function);
  std::unordered_set<llvm::BasicBlock*> done;  // headers looked at, and the copies' headers
  bool changed = false;
  for (int versioned = 0; versioned < kMaxLoopsPerFunction;) {
    // Fresh analyses for each loop: a copy makes the last ones stale.
    llvm::DominatorTree dominators(function);
    llvm::LoopInfo loops(dominators);
    llvm::ScalarEvolution evolution(function, library, assumptions, dominators, loops);
    llvm::BasicBlock* copy = nullptr;
    for (llvm::Loop* loop : loops.getLoopsInPreorder()) {
      if (!loop->isInnermost() || !done.insert(loop->getHeader()).second) continue;
      LoopVersioner versioner(*loop, dominators, loops, evolution, assumptions, memory_);
      changed = true;  // simplifyLoop or LCSSA may have changed the function even when no copy is made
      if ((copy = versioner.version())) break;
    }
    if (!copy) break;
    done.insert(copy);
    ++versioned;
  }
  return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
}

}  // namespace weft
