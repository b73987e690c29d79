#!/usr/bin/env python3
"""Writes memory-offsets-past-2gib.wast: every atomic operator, and the plain
and SIMD accesses that take a memory operand, at offsets 0, 2^31-1, 2^31 and
2^32-1, against a 1-page and a 4 GiB memory, at the last valid address, one
past it and the extreme indices. The expected results come from the spec's
rules (bounds, alignment, the operator's arithmetic) computed here, not from
Weft.

Regression for a sandbox escape: with an offset past a disp32 the baseline put
the effective address in rax, and cmpxchg (its accumulator) and the and/or/xor
retry loop then replaced it with a guest-chosen value, so the access went to
memory base + that value.

    python3 tests/regress/wast/gen_memory_offsets.py > tests/regress/wast/memory-offsets-past-2gib.wast
"""

OFFSETS = [0, 2**31 - 1, 2**31, 2**32 - 1]
MEMORIES = [("one page", 1), ("4 GiB", 65536)]
PATTERN = 0x8877665544332211
OPERAND = 0x0123456789ABCDEF
REPLACEMENT = 0x5A5A5A5A5A5A5A5A
SENTINEL_ADDRESS = 16
SENTINEL = 0x1122334455667788
OOB = "out of bounds memory access"
UNALIGNED = "unaligned atomic"


def mask(bits):
    return (1 << bits) - 1


class Op:
    """One operator: its text name, access size, value type and kind."""

    def __init__(self, name, size, vtype, kind, rmw=None):
        self.name, self.size, self.vtype, self.kind, self.rmw = name, size, vtype, kind, rmw

    @property
    def atomic(self):
        return ".atomic." in self.name

    @property
    def bits(self):
        return 32 if self.vtype == "i32" else 64


def atomic_ops():
    ops = []
    for vtype, sizes in (("i32", [(4, ""), (1, "8"), (2, "16")]), ("i64", [(8, ""), (1, "8"), (2, "16"), (4, "32")])):
        for size, width in sizes:
            suffix = "_u" if width else ""
            ops.append(Op(f"{vtype}.atomic.load{width}{suffix}", size, vtype, "load"))
            ops.append(Op(f"{vtype}.atomic.store{width}", size, vtype, "store"))
            for rmw in ("add", "sub", "and", "or", "xor", "xchg", "cmpxchg"):
                ops.append(Op(f"{vtype}.atomic.rmw{width}.{rmw}{suffix}", size, vtype,
                              "cmpxchg" if rmw == "cmpxchg" else "rmw", rmw))
    ops.append(Op("memory.atomic.wait32", 4, "i32", "wait"))
    ops.append(Op("memory.atomic.wait64", 8, "i64", "wait"))
    ops.append(Op("memory.atomic.notify", 4, "i32", "notify"))
    return ops


def plain_ops():
    return [
        Op("i32.load", 4, "i32", "load"),
        Op("i64.load", 8, "i64", "load"),
        Op("i32.load8_s", 1, "i32", "load_s"),
        Op("i64.store", 8, "i64", "store"),
        Op("i32.store16", 2, "i32", "store"),
        Op("v128.load", 16, "v128", "vload"),
        Op("v128.store", 16, "v128", "vstore"),
        Op("v128.load32_splat", 4, "v128", "vsplat32"),
        Op("v128.load64_lane", 8, "v128", "vlane_load"),
        Op("v128.store8_lane", 1, "v128", "vlane_store"),
    ]


def func_name(op, offset):
    return f"{op.name}@{offset:#x}"


def func(op, offset):
    imm = f"offset={offset}"
    name = func_name(op, offset)
    a = "(local.get 0)"
    if op.kind in ("load", "load_s"):
        return f'(func (export "{name}") (param i32) (result {op.vtype}) ({op.name} {imm} {a}))'
    if op.kind == "store":
        return f'(func (export "{name}") (param i32 {op.vtype}) ({op.name} {imm} {a} (local.get 1)))'
    if op.kind == "rmw":
        return f'(func (export "{name}") (param i32 {op.vtype}) (result {op.vtype}) ({op.name} {imm} {a} (local.get 1)))'
    if op.kind == "cmpxchg":
        return (f'(func (export "{name}") (param i32 {op.vtype} {op.vtype}) (result {op.vtype}) '
                f'({op.name} {imm} {a} (local.get 1) (local.get 2)))')
    if op.kind == "wait":
        return (f'(func (export "{name}") (param i32 {op.vtype} i64) (result i32) '
                f'({op.name} {imm} {a} (local.get 1) (local.get 2)))')
    if op.kind == "notify":
        return f'(func (export "{name}") (param i32 i32) (result i32) ({op.name} {imm} {a} (local.get 1)))'
    if op.kind in ("vload", "vsplat32"):
        return f'(func (export "{name}") (param i32) (result v128) ({op.name} {imm} {a}))'
    if op.kind == "vstore":
        return f'(func (export "{name}") (param i32 v128) ({op.name} {imm} {a} (local.get 1)))'
    if op.kind == "vlane_load":
        return f'(func (export "{name}") (param i32 v128) (result v128) ({op.name} {imm} 1 {a} (local.get 1)))'
    if op.kind == "vlane_store":
        return f'(func (export "{name}") (param i32 v128) ({op.name} {imm} 5 {a} (local.get 1)))'
    raise ValueError(op.kind)


def i32(v):
    return f"(i32.const {v & mask(32):#x})"


def i64(v):
    return f"(i64.const {v & mask(64):#x})"


def const(vtype, v):
    return i32(v) if vtype == "i32" else i64(v)


def v128(lo, hi):
    return f"(v128.const i64x2 {lo & mask(64):#x} {hi & mask(64):#x})"


def poke(address, size, value):
    """Plain stores that set {size} bytes at {address} to {value} (little endian)."""
    lines = []
    for part in range(0, size, 8):
        width = min(8, size - part)
        lines.append(f'(invoke "poke{width}" {i32(address + part)} {i64(value >> (8 * part))})')
    return lines


def peek(address, size, value):
    lines = []
    for part in range(0, size, 8):
        width = min(8, size - part)
        lines.append(f'(assert_return (invoke "peek{width}" {i32(address + part)}) '
                     f'{i64((value >> (8 * part)) & mask(8 * width))})')
    return lines


def rmw_result(kind, old, operand, bits):
    return {
        "add": old + operand,
        "sub": old - operand,
        "and": old & operand,
        "or": old | operand,
        "xor": old ^ operand,
        "xchg": operand,
    }[kind] & mask(bits)


def success(op, offset, index):
    """Assertions for an in-bounds access at index + offset."""
    ea = index + offset
    name = func_name(op, offset)
    bits = 8 * op.size
    wide_pattern = PATTERN | (PATTERN << 64)
    out = poke(ea, op.size, wide_pattern & mask(bits))
    old = PATTERN & mask(bits)
    call = f'(invoke "{name}" {i32(index)}'
    if op.kind == "load":
        out.append(f"(assert_return {call}) {const(op.vtype, old)})")
    elif op.kind == "load_s":
        signed = old - (1 << bits) if old >> (bits - 1) else old
        out.append(f"(assert_return {call}) {const(op.vtype, signed)})")
    elif op.kind == "store":
        out.append(f"{call} {const(op.vtype, OPERAND)})")
        out += peek(ea, op.size, OPERAND & mask(bits))
    elif op.kind == "rmw":
        out.append(f"(assert_return {call} {const(op.vtype, OPERAND)}) {const(op.vtype, old)})")
        out += peek(ea, op.size, rmw_result(op.rmw, old, OPERAND, bits))
    elif op.kind == "cmpxchg":
        # A compare that fails leaves memory alone; one that succeeds swaps.
        out.append(f"(assert_return {call} {const(op.vtype, old ^ 1)} {const(op.vtype, REPLACEMENT)}) "
                   f"{const(op.vtype, old)})")
        out += peek(ea, op.size, old)
        out.append(f"(assert_return {call} {const(op.vtype, old)} {const(op.vtype, REPLACEMENT)}) "
                   f"{const(op.vtype, old)})")
        out += peek(ea, op.size, REPLACEMENT & mask(bits))
    elif op.kind == "wait":
        out.append(f"(assert_return {call} {const(op.vtype, old ^ 1)} (i64.const 0)) (i32.const 1))")  # not-equal
        out.append(f"(assert_return {call} {const(op.vtype, old)} (i64.const 0)) (i32.const 2))")  # timed-out
    elif op.kind == "notify":
        out.append(f"(assert_return {call} (i32.const 1)) (i32.const 0))")
    elif op.kind == "vload":
        out.append(f"(assert_return {call}) {v128(PATTERN, PATTERN)})")
    elif op.kind == "vsplat32":
        lane = PATTERN & mask(32)
        out.append(f"(assert_return {call}) {v128(lane | lane << 32, lane | lane << 32)})")
    elif op.kind == "vstore":
        out.append(f"{call} {v128(OPERAND, ~OPERAND)})")
        out += peek(ea, 16, (OPERAND & mask(64)) | ((~OPERAND & mask(64)) << 64))
    elif op.kind == "vlane_load":
        out.append(f"(assert_return {call} {v128(OPERAND, OPERAND)}) {v128(OPERAND, PATTERN)})")
    elif op.kind == "vlane_store":
        vector = (OPERAND & mask(64)) | (REPLACEMENT << 64)
        out.append(f"{call} {v128(OPERAND, REPLACEMENT)})")
        out += peek(ea, 1, (vector >> (8 * 5)) & 0xFF)
    return out


def trap(op, offset, index, message):
    name = func_name(op, offset)
    # Operands that once became addresses: a guest-chosen value (the sentinel's
    # address) as the expected value and as the old value of a retry loop.
    call = f'(invoke "{name}" {i32(index)}'
    args = {
        "load": "", "load_s": "", "vload": "", "vsplat32": "",
        "store": f" {const(op.vtype, SENTINEL_ADDRESS)}",
        "rmw": f" {const(op.vtype, SENTINEL_ADDRESS)}",
        "cmpxchg": f" {const(op.vtype, SENTINEL_ADDRESS)} {const(op.vtype, REPLACEMENT)}",
        "wait": f" {const(op.vtype, SENTINEL_ADDRESS)} (i64.const 0)",
        "notify": " (i32.const 1)",
        "vstore": f" {v128(SENTINEL_ADDRESS, SENTINEL_ADDRESS)}",
        "vlane_load": f" {v128(SENTINEL_ADDRESS, SENTINEL_ADDRESS)}",
        "vlane_store": f" {v128(SENTINEL_ADDRESS, SENTINEL_ADDRESS)}",
    }[op.kind]
    return [f'(assert_trap {call}{args}) "{message}")']


def indices(op, offset, length):
    """The interesting indices: the last valid address, one past it, and the extremes."""
    found = []
    for ea in (length - op.size, length):
        index = ea - offset
        if 0 <= index < 2**32:
            found.append(index)
    for index in (0, 2**32 - op.size, 2**32 - 1):
        if index not in found:
            found.append(index)
    return found


def expectation(op, offset, index, length):
    ea = index + offset
    if op.atomic and ea % op.size:
        return UNALIGNED
    if ea + op.size > length:
        return OOB
    return None


def module(description, pages, ops):
    length = pages * 65536
    out = [f";; A {description} shared memory."]
    out.append("(module")
    out.append(f"  (memory {pages} {pages} shared)")
    out.append(f'  (data (i32.const {SENTINEL_ADDRESS}) "' +
               "".join(f"\\{(SENTINEL >> (8 * i)) & 0xFF:02x}" for i in range(8)) + '")')
    for width, store, load in ((1, "i64.store8", "i64.load8_u"), (2, "i64.store16", "i64.load16_u"),
                               (4, "i64.store32", "i64.load32_u"), (8, "i64.store", "i64.load")):
        out.append(f'  (func (export "poke{width}") (param i32 i64) ({store} (local.get 0) (local.get 1)))')
        out.append(f'  (func (export "peek{width}") (param i32) (result i64) ({load} (local.get 0)))')
    for op in ops:
        for offset in OFFSETS:
            out.append("  " + func(op, offset))
    out.append(")")
    for op in ops:
        for offset in OFFSETS:
            for index in indices(op, offset, length):
                message = expectation(op, offset, index, length)
                if message:
                    out += trap(op, offset, index, message)
                else:
                    out += success(op, offset, index)
        out.append(f'(assert_return (invoke "peek8" {i32(SENTINEL_ADDRESS)}) {i64(SENTINEL)})')
    return out


def main():
    print(";; Generated by gen_memory_offsets.py; edit that, not this.")
    print(";; Memory accesses with offsets 0, 2^31-1, 2^31 and 2^32-1 at the edges of")
    print(";; a 1-page and a 4 GiB memory, run in every memory strategy.")
    ops = atomic_ops() + plain_ops()
    for description, pages in MEMORIES:
        print("\n".join(module(description, pages, ops)))


if __name__ == "__main__":
    main()
