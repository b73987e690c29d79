#!/usr/bin/env bash
# weft debug driven by a script on stdin, as a user at a terminal would drive
# it: breakpoints by name, the backtrace and locals of a WASI C program built
# at -O0 with names (tests/wasi/debug_me.c), stepping over, into and out of
# calls, a trap stopping at its operator, quitting, --invoke on a module with
# local names, and every kind of bad input answered with a message.
#   debug_session.sh WEFT DEBUG_ME.wasm DEBUG_PROGRAM.wasm
set -euo pipefail
weft=$(readlink -f "$1")
program=$2
module=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# session CODE SCRIPT ARGS...: feeds SCRIPT to weft debug ARGS, expects exit CODE.
session() {
  local want=$1 script=$2 code=0
  shift 2
  printf '%b' "$script" | timeout 30 "$weft" debug "$@" > "$dir/out" 2> "$dir/err" || code=$?
  [ "$code" = "$want" ] || fail "weft debug $* exited $code, expected $want; out: $(cat "$dir/out"); err: $(cat "$dir/err")"
}
# has REGEX: a line of the session's output matches.
has() { grep -qE -- "$1" "$dir/out" || fail "output lacks /$1/:
$(cat "$dir/out")"; }
# in_order REGEX...: lines matching each, in this order.
in_order() {
  local from=1 line
  for pattern in "$@"; do
    line=$(tail -n +"$from" "$dir/out" | grep -nE -- "$pattern" | head -1 | cut -d: -f1 || true)
    [ -n "$line" ] || fail "output lacks /$pattern/ after line $from:
$(cat "$dir/out")"
    from=$((from + line))
  done
}

# Breakpoints by name; the backtrace and locals at each level of the recursion.
session 0 'break factorial\nrun\nbt\nlocals\ncontinue\nbt\nlocals\ndelete\ncontinue\n' "$program" 4
has '^\(weft\) Breakpoint 1: factorial \(func [0-9]+\) at 0x[0-9a-f]+ <\+[0-9]+>: '
in_order '^Breakpoint 1, factorial' '^\(weft\) #0 +factorial' '^#1 +main' '^\(weft\) \$0: i32 = 4$' \
         '^Breakpoint 1, factorial' '^\(weft\) #0 +factorial' '^#1 +factorial' '^#2 +main' '^\(weft\) \$0: i32 = 3$' \
         'Deleted all breakpoints' '^4! = 24$' '^\[program exited with code 0\]$'

# next stays in the function, step goes into it, finish returns to the caller
# (one frame fewer), and an empty line repeats the last step.
session 0 'break main\nrun\nbt\nnext\n\nstep\nbt\ndelete\nbreak factorial\ncontinue\ndelete\nstep\nbt\nfinish\nbt\ncontinue\n' "$program" 3
in_order '^Breakpoint 1, main' '^\(weft\) #0 +main' '^\(weft\) main \(func' '^\(weft\) main \(func' \
         '^\(weft\) main \(func' '^\(weft\) #0 +main' '^Breakpoint 2, factorial' \
         '^\(weft\) factorial \(func [0-9]+\) at 0x[0-9a-f]+ <\+[0-9]+>: ' '^\(weft\) #0 +factorial' '^#1 +main' \
         '^\(weft\) main \(func [0-9]+\) at 0x[0-9a-f]+ <\+[0-9]+>: ' '^\(weft\) #0 +main' \
         '^3! = 6$' '^\[program exited with code 0\]$'

# A trap stops at the trapping operator, with its frames; quit ends quietly.
session 0 'run\nbt\nlocals\nstack\nquit\n' "$program" 3 0
in_order '^Program trapped: integer divide by zero$' '^divide \(func [0-9]+\) at 0x[0-9a-f]+ <\+[0-9]+>: i32.div_s$' \
         '^\(weft\) #0 +divide' '^#1 +main' '^\(weft\) \$0: i32 = 3$' '^\(weft\) \[0\] i32 3$' '^\[1\] i32 0$'
[ -s "$dir/err" ] && fail "quit printed to stderr: $(cat "$dir/err")"
# continue lets it trap as weft run would.
session 134 'run\ncontinue\n' "$program" 3 0
grep -q 'trap: integer divide by zero' "$dir/err" || fail "the trap was not reported: $(cat "$dir/err")"

# --invoke, local names from the name section, the operand stack, globals, memory.
session 0 'break fac\nrun\nlocals\nnext\nnext\nstack\nglobal 0\nmemory 16 4\ndelete 1\ncontinue\n' --invoke fac "$module" 3
in_order '^Breakpoint 1, fac \(func 0\)' '^\(weft\) n: i64 = 3$' 'i64.eqz$' ': if$' '^\(weft\) \[0\] i32 0$' \
         '^\(weft\) global 0: i32 = 42$' '^\(weft\) 0x00000010: 77 65 66 74 .*\|weft\|$' 'Deleted breakpoint 1' '^6$' \
         '^\[program exited with code 0\]$'

# Bad input: each gets its answer, nothing crashes; the end of input quits.
session 0 'b 99\nb fac:999\nb *0x1\nb nosuch\nb\nlocals\nstep\nglobal 7\nglobal x\nmemory 65534 4\nmemory 0 99999999\nmemory 1\ndelete 5\nlocals x\nbogus\ninfo breakpoints\nrun\nrun\n' \
  --invoke fac "$module" 3
has "^\(weft\) break: no function '99'"
has "break: '999' is not an offset inside fac's [0-9]+ bytes of code"
has "break: no function's code is at offset 0x1"
has "break: no function 'nosuch'"
has 'break: usage'
has 'The program is not being run.'
has "global: no global '7'"
has "global: no global 'x'"
has 'memory: 0xfffe\+4 is outside memory 0'
has 'memory: at most 1 MiB at a time'
has 'memory: usage: memory ADDRESS LENGTH'
has 'delete: no breakpoint number 5'
has 'Undefined command: "bogus"'
has 'No breakpoints.'
has '^6$'

# At a stop, run and bad frame numbers are answered too.
session 0 'break fac\nrun\nrun\nlocals 9\nstack x\nquit\n' --invoke fac "$module" 2
has 'The program is already running.'
has 'locals: frame 9 cannot be read'
has "'x' is not a frame number"

# Debug code is never mapped from a code-cache file.
"$weft" compile "$module" -o "$dir/m.cwasm" > /dev/null
session 1 'run\n' --invoke fac "$dir/m.cwasm" 3
grep -q 'debug' "$dir/err" || fail "a .cwasm was debugged: $(cat "$dir/err")"

echo "weft debug sessions passed"
