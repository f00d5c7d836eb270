#!/usr/bin/env bash
# symbols.sh - what libmpi.a needs from the C library and runtime: each
# symbol it references but does not define, with where an image finds it
# (our glue libhermit-c, the network layer, the kernel, newlib's libc/libm,
# libgcc) or MISSING. Symbols our glue implements as ENOSYS stubs are
# marked "stub". Uses build/mpich.mk (or HERMIT_MPICH_PREFIX) and
# build/newlib.mk (run `make mpich`).
#
#   mpi-port/symbols.sh [--missing]    all needed symbols, or only MISSING ones
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HERMIT_BUILD:-$ROOT/build}
only_missing=0
[ "${1:-}" = --missing ] && only_missing=1

frag() { sed -n "s/^$1 := //p" "$BUILD/$2" 2>/dev/null; }
mpich=${HERMIT_MPICH_PREFIX:-$(frag MPICH_PREFIX mpich.mk)}
newlib=$(frag NEWLIB_SYSROOT newlib.mk)
if [ -z "$mpich" ] || [ ! -f "$mpich/lib/libmpi.a" ]; then
    echo "symbols: MPICH not built (make mpich)" >&2
    exit 1
fi
[ -n "$newlib" ] || { echo "symbols: newlib not built (make)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
defs() { nm -g --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
nm -g --defined-only "$mpich/lib/libmpi.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/mpi.def"
nm -u "$mpich/lib/libmpi.a" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u > "$tmp/mpi.undef"
comm -23 "$tmp/mpi.undef" "$tmp/mpi.def" > "$tmp/need"
defs "$BUILD/lib/libhermit-c.a" > "$tmp/glue"
defs "$BUILD/lib/libhermit-net.a" > "$tmp/net"
defs "$BUILD/lib/libhermit.a" > "$tmp/kernel"
defs "$newlib/lib/libc.a" "$newlib/lib/libm.a" > "$tmp/newlib"
defs "$(gcc -print-libgcc-file-name)" > "$tmp/libgcc"
# Functions of our glue whose body only fails with ENOSYS.
stubs=" fork execve execvp wait waitpid sem_open sem_close sem_unlink pthread_cancel "

while read -r s; do
    where=MISSING
    [ "$s" = _GLOBAL_OFFSET_TABLE_ ] && where=linker
    for lib in glue net newlib kernel libgcc; do
        if grep -qxF "$s" "$tmp/$lib"; then where=$lib; break; fi
    done
    case "$stubs" in *" $s "*) where="$where (stub: ENOSYS)" ;; esac
    if [ $only_missing -eq 0 ] || [ "$where" = MISSING ]; then
        printf '%-28s %s\n' "$s" "$where"
    fi
done < "$tmp/need"
