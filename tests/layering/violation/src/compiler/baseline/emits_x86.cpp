// A fixture for layering/catches-x86-in-the-arch-neutral-baseline: an
// arch-neutral baseline file that picks an x86 instruction itself. Never built.
void emitAdd(Assembler& a) { a.add(x86::eax, x86::ecx); }
