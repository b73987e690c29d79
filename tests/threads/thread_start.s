# wasi_thread_start(tid, start_arg): the entry point of every spawned thread
# (tlib.h). C cannot set __stack_pointer, so this sets the new thread's stack
# (the first field of its tl_thread, which start_arg points at) before any C
# code runs on it, then hands over to tl_thread_entry.
	.globaltype	__stack_pointer, i32
	.functype	tl_thread_entry (i32, i32) -> ()
	.globl	wasi_thread_start
	.export_name	wasi_thread_start, wasi_thread_start
	.type	wasi_thread_start,@function
wasi_thread_start:
	.functype	wasi_thread_start (i32, i32) -> ()
	local.get	1
	i32.load	0
	global.set	__stack_pointer
	local.get	0
	local.get	1
	call	tl_thread_entry
	end_function
