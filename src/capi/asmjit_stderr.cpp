// Linked into libweft.so alone. Debian's libasmjit.a (the baseline tier's
// encoder) is built as position-dependent code for executables, which reaches
// libc's `stderr` PC-relatively: in an executable the linker copies the
// variable in, but a shared object cannot point so at another object's data.
// This hidden definition gives that reference a target inside libweft.so,
// pointing at the same stream, glibc's standard error (every other use in
// the library binds to it as well). No <cstdio> here: it declares the
// exported `stderr` this defines a private twin of.
extern "C" {
struct _IO_FILE;
extern _IO_FILE _IO_2_1_stderr_;
__attribute__((visibility("hidden"))) _IO_FILE* stderr = &_IO_2_1_stderr_;
}
