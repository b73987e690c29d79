#!/usr/bin/env bash
# weft compile / weft run FILE.cwasm / weft run --cache DIR: the CLI's code cache.
#   cache_contract.sh WEFT FAC.wasm
set -euo pipefail
weft=$1
fac=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
umask 022  # files this script makes are trusted unless a step makes them otherwise

# Ahead of time, weft compile uses the optimizing tier unless told otherwise.
"$weft" compile "$fac" -o "$dir/fac.cwasm" > "$dir/out" || fail "compile"
grep -q "functions compiled by the optimizing tier" "$dir/out" || fail "compile's default tier: $(cat "$dir/out")"
"$weft" compile --tier baseline "$fac" -o "$dir/fac-base.cwasm" > "$dir/out" || fail "compile baseline"
grep -q "functions compiled by the baseline tier" "$dir/out" || fail "compile --tier baseline: $(cat "$dir/out")"
[ "$("$weft" run --invoke fac_iterative "$dir/fac-base.cwasm" 20)" = 2432902008176640000 ] || fail "run baseline .cwasm"
[ "$("$weft" run --invoke fac_iterative "$dir/fac.cwasm" 20)" = 2432902008176640000 ] || fail "run .cwasm"
[ "$("$weft" run --invoke fac_iterative "$fac" 20)" = 2432902008176640000 ] || fail "run .wasm"

# A bounds-checked file runs with a bounds-checked engine when none is asked for.
"$weft" compile --memory bounds-checked "$fac" -o "$dir/fac-bc.cwasm" || fail "compile bounds-checked"
[ "$("$weft" run --invoke fac_recursive "$dir/fac-bc.cwasm" 5)" = 120 ] || fail "run bounds-checked .cwasm"
if "$weft" run --memory guard --invoke fac_recursive "$dir/fac-bc.cwasm" 5 2> "$dir/err"; then
  fail "a bounds-checked file ran under the guard strategy"
fi
grep -q "compiled for bounds-checked memories" "$dir/err" || fail "strategy mismatch message: $(cat "$dir/err")"

# An optimized file says what compiled it, and runs its own tier when none is asked for.
"$weft" compile --tier optimizing "$fac" -o "$dir/fac-opt.cwasm" > "$dir/out" || fail "compile optimizing"
grep -q "functions compiled by the optimizing tier" "$dir/out" || fail "compile's summary: $(cat "$dir/out")"
[ "$("$weft" run --invoke fac_recursive "$dir/fac-opt.cwasm" 10)" = 3628800 ] || fail "run optimizing .cwasm"
if "$weft" run --tier baseline --invoke fac_recursive "$dir/fac-opt.cwasm" 5 2> "$dir/err"; then
  fail "an optimized file ran under the baseline tier"
fi
grep -q "compiled for another tier" "$dir/err" || fail "tier mismatch message: $(cat "$dir/err")"

# Damage: flip a byte in the code, near the end of the file.
size=$(stat -c %s "$dir/fac.cwasm")
cp "$dir/fac.cwasm" "$dir/bad.cwasm"
chmod 0644 "$dir/bad.cwasm"  # weft writes 0444: an edit needs a chmod first
printf '\xff' | dd of="$dir/bad.cwasm" bs=1 seek=$((size - 3)) conv=notrunc status=none
if "$weft" run --invoke fac_iterative "$dir/bad.cwasm" 20 2> "$dir/err"; then fail "a damaged file ran"; fi
grep -q "checksum" "$dir/err" || fail "damage message: $(cat "$dir/err")"

# --cache: the first run fills the directory, the second maps what it wrote.
# Under the default tiered policy, what is kept is the optimized code (the
# first run waits for its tier-up to finish).
[ "$("$weft" run --cache "$dir/cache" --invoke fac_recursive "$fac" 10)" = 3628800 ] || fail "first cached run"
files=("$dir"/cache/*.cwasm)
[ ${#files[@]} -eq 1 ] && [ -s "${files[0]}" ] || fail "cache directory holds no file"
case "${files[0]}" in *-optimizing.cwasm) ;; *) fail "tiered stored ${files[0]}, not optimized code" ;; esac
before=$(stat -c %i "${files[0]}")  # a rewrite renames a new file (inode) into place
[ "$("$weft" run --cache "$dir/cache" --invoke fac_recursive "$fac" 12)" = 479001600 ] || fail "second cached run"
[ "$(stat -c %i "${files[0]}")" = "$before" ] || fail "the second run rewrote the cache file instead of using it"

# ---- Trust (DESIGN 11): code runs only from files nobody but you or root could write ----
[ "$(stat -c %a "$dir/fac.cwasm")" = 444 ] || fail "weft compile wrote mode $(stat -c %a "$dir/fac.cwasm"), not 444"
[ "$(stat -c %a "$dir/cache")" = 700 ] || fail "the created cache directory has mode $(stat -c %a "$dir/cache"), not 700"
[ "$(stat -c %a "${files[0]}")" = 444 ] || fail "the cache file has mode $(stat -c %a "${files[0]}"), not 444"
key=$(basename "${files[0]}")
root=false; [ "$(id -u)" = 0 ] && root=true
nobody=$(id -u nobody)

# run --cache DIR must print the right result and exactly one warning line saying REASON.
expect_one_warning() {  # DIR REASON
  local out
  out=$("$weft" run --cache "$1" --invoke fac_recursive "$fac" 10 2> "$dir/err") ||
    fail "--cache $1: the run failed: $(cat "$dir/err")"
  [ "$out" = 3628800 ] || fail "--cache $1: printed '$out'"
  [ "$(wc -l < "$dir/err")" = 1 ] && grep -q "warning" "$dir/err" ||
    fail "--cache $1: want one warning, got: '$(cat "$dir/err")'"
  grep -qF -- "$2" "$dir/err" || fail "--cache $1: the warning does not say '$2': $(cat "$dir/err")"
}
expect_no_warning() {  # DIR
  [ "$("$weft" run --cache "$1" --invoke fac_recursive "$fac" 10 2> "$dir/err")" = 3628800 ] && [ ! -s "$dir/err" ] ||
    fail "--cache $1: want a quiet run, got: $(cat "$dir/err")"
}

# The regression: a shared --cache directory (mode 0777) where another user
# planted a valid file for a module they know; weft mapped and ran it.
mkdir "$dir/shared"
cp "${files[0]}" "$dir/shared/$key"
$root && chown nobody "$dir/shared/$key"
chmod 0777 "$dir/shared"
planted=$(stat -c %i "$dir/shared/$key")
expect_one_warning "$dir/shared" "is writable by others"
[ "$(stat -c %i "$dir/shared/$key")" = "$planted" ] || fail "weft wrote into a directory others can write"

# A cache file others or its group can write, or owned by another user: refused,
# then replaced (the directory is trusted, so weft renames its own file over it).
chmod 0646 "${files[0]}"
expect_one_warning "$dir/cache" "is writable by others"
[ "$(stat -c %a "${files[0]}")" = 444 ] || fail "the refused file was not replaced"
chmod 0464 "${files[0]}"
expect_one_warning "$dir/cache" "is writable by its group"
if $root; then  # root is trusted as an owner: "another user" is a non-root uid other than ours
  chown nobody "${files[0]}"
  expect_one_warning "$dir/cache" "is owned by uid $nobody, not by you or root"
else
  echo "cache contract: not root, skipping the other-owner case"
fi
expect_no_warning "$dir/cache"

# A symlink at the cache file's path, to a valid cache file: refused, not followed.
cp "${files[0]}" "$dir/elsewhere.cwasm"
cp "${files[0]}" "$dir/elsewhere.orig"
rm -f "${files[0]}"
ln -s "$dir/elsewhere.cwasm" "${files[0]}"
expect_one_warning "$dir/cache" "is a symlink"
[ -L "${files[0]}" ] && fail "the symlink was left in place of a cache file"
cmp -s "$dir/elsewhere.cwasm" "$dir/elsewhere.orig" || fail "the symlink's target changed"

# The regression: temporaries were opened O_CREAT|O_TRUNC at KEY.tmp.PID.SERIAL, so
# symlinks planted there made weft overwrite their target. Plant them at the
# cache file, at that pattern for the pids weft is about to get, and check the
# victim; today's writer creates O_TMPFILE or random names with O_EXCL|O_NOFOLLOW.
printf keep > "$dir/victim"
mkdir -m 0700 "$dir/fresh"
ln -s "$dir/victim" "$dir/fresh/$key"
ln -s "$dir/victim" "$dir/out.cwasm"
# (One perl process plants them all: a loop of ln would use up the pids it plants for.)
perl -e 'my ($victim, $cached, $out, $next) = @ARGV;
  for my $pid ($next .. $next + 300) {
    symlink($victim, "$cached.tmp.$pid.0") && symlink($victim, "$out.tmp.$pid.0") or die "symlink: $!";
  }' "$dir/victim" "$dir/fresh/$key" "$dir/out.cwasm" "$(sh -c 'echo $$')"
expect_one_warning "$dir/fresh" "is a symlink"
"$weft" compile "$fac" -o "$dir/out.cwasm" || fail "compile over a symlink"
printf keep | cmp -s - "$dir/victim" || fail "a planted symlink's target was overwritten"
[ -L "$dir/out.cwasm" ] && fail "compile -o left the symlink in place"
[ "$("$weft" run --invoke fac_iterative "$dir/out.cwasm" 20)" = 2432902008176640000 ] || fail "run the replaced file"

# weft run FILE.cwasm: an untrusted file is refused with the reason, exit 1.
expect_refused() {  # FILE REASON
  local rc=0
  "$weft" run --invoke fac_iterative "$1" 20 > /dev/null 2> "$dir/err" || rc=$?
  [ "$rc" = 1 ] || fail "run $1: exit $rc, want 1"
  grep -qF -- "$2" "$dir/err" || fail "run $1: the error does not say '$2': $(cat "$dir/err")"
}
cp "$dir/fac.cwasm" "$dir/open.cwasm"
chmod 0666 "$dir/open.cwasm"
expect_refused "$dir/open.cwasm" "is writable by others; refusing to run code from it"
ln -s "$dir/fac.cwasm" "$dir/link.cwasm"
expect_refused "$dir/link.cwasm" "is a symlink"
if $root; then
  cp "$dir/fac.cwasm" "$dir/theirs.cwasm"
  chown nobody "$dir/theirs.cwasm"
  expect_refused "$dir/theirs.cwasm" "is owned by uid $nobody, not by you or root"
fi
mkdir -m 0777 "$dir/open-dir"
cp "$dir/fac.cwasm" "$dir/open-dir/fac.cwasm"
expect_refused "$dir/open-dir/fac.cwasm" "is writable by others"

# --cache that cannot be used: one warning each, and the right result.
expect_one_warning "$dir/fac.cwasm" "is not a directory"
expect_one_warning /dev/null/cache "cannot open"
ln -s "$dir/nowhere" "$dir/dangling"
expect_one_warning "$dir/dangling" "is a symlink"
[ -e "$dir/nowhere" ] && fail "the dangling symlink was followed"
expect_one_warning /proc "cannot store"  # root's and 0555: trusted, but not writable even by root
if ! $root; then
  mkdir -m 0500 "$dir/read-only"
  expect_one_warning "$dir/read-only" "cannot store"
fi
echo "cache contract: ok"
