#include "compiler/optimizing/loop_versioning.h"

#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/Transforms/Utils/Cloning.h>

namespace weft {

void versionLoop(llvm::Loop& loop, llvm::Value* condition, const char* suffix, llvm::ValueToValueMapTy& map) {
  llvm::BasicBlock* preheader = loop.getLoopPreheader();
  llvm::Function& function = *preheader->getParent();
  llvm::SmallVector<llvm::BasicBlock*, 8> copies;
  for (llvm::BasicBlock* block : loop.blocks()) {
    llvm::BasicBlock* copy = llvm::CloneBasicBlock(block, map, suffix, &function);
    map[block] = copy;
    copies.push_back(copy);
  }
  llvm::remapInstructionsInBlocks(copies, map);
  llvm::SmallVector<llvm::BasicBlock*, 4> exits;
  loop.getUniqueExitBlocks(exits);
  for (llvm::BasicBlock* exit : exits)
    for (llvm::PHINode& phi : exit->phis())
      for (unsigned i = 0, n = phi.getNumIncomingValues(); i < n; ++i)
        if (llvm::BasicBlock* from = phi.getIncomingBlock(i); loop.contains(from)) {
          llvm::Value* value = phi.getIncomingValue(i);
          auto mapped = map.find(value);
          phi.addIncoming(mapped != map.end() ? static_cast<llvm::Value*>(mapped->second) : value,
                          llvm::cast<llvm::BasicBlock>(map[from]));
        }
  llvm::Instruction* enter = preheader->getTerminator();
  llvm::IRBuilder<> builder(enter);
  builder.CreateCondBr(condition, llvm::cast<llvm::BasicBlock>(map[loop.getHeader()]), loop.getHeader());
  enter->eraseFromParent();
}

}  // namespace weft
