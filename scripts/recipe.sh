# recipe.sh - the skeleton every dependency recipe shares: progress lines,
# tools installed on demand, a Debian package fetched once into the cache
# and checked against a pinned SHA-256, logged steps that show the log's
# tail when they fail, and one build at a time per cache.
#
# Sourced, never run. The recipe sets, before calling these:
#   PROG             its name in progress lines ("libgomp: [2/6] ...")
#   CACHE_ROOT       the cache (${HERMIT_CACHE:-~/.cache/hermitcore-c})
#   DEB_PKG DEB_VERSION DEB_FILE PINNED_SHA_FILE   for fetch_package
#   STAGES           how many stage lines the build prints
#   LOG WORK         for run_logged (the log file, the kept work directory)
#   BUILD_DIR PROBED_FILE   for newlib_sysroot and runtime_symbols
# Used by libc/newlib/build.sh, mpi-port/build.sh and runtimes/build.sh,
# and for say/die/need_tool by bench/baseline/build-linux-guest.sh;
# net/lwip/build.sh (a plain tarball, no configure) and
# bench/baseline/build-mpich-linux.sh still have their own copies.

say() { echo "$PROG: $*" >&2; }
die() { say "error: $*"; exit 1; }

# A numbered progress line, with the seconds since the recipe started.
STAGE=0
stage() {
    STAGE=$((STAGE + 1))
    say "[$STAGE/$STAGES] $* (+$SECONDS s)"
}

# need_tool TOOL PACKAGE: installs PACKAGE (as root) when TOOL is missing.
need_tool() {
    local tool=$1 pkg=$2
    command -v "$tool" >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] || die "'$tool' is missing; install the $pkg package"
    say "installing $pkg (for $tool)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >&2 \
        || die "apt-get install $pkg failed"
}

# pinned_sha [NAME]: the SHA-256 PINNED_SHA_FILE pins for NAME (DEB_FILE).
pinned_sha() {
    local want=${1:-$DEB_FILE}
    [ -f "$PINNED_SHA_FILE" ] || die "missing $PINNED_SHA_FILE"
    local sha file
    read -r sha file < "$PINNED_SHA_FILE" || true
    [ "$file" = "$want" ] \
        || die "$PINNED_SHA_FILE pins '$file', but this recipe wants $want"
    [[ "$sha" =~ ^[0-9a-f]{64}$ ]] || die "$PINNED_SHA_FILE: not a SHA-256: $sha"
    echo "$sha"
}

# Leaves the verified package in $CACHE_ROOT/downloads/$DEB_FILE.
fetch_package() {
    local expected dir=$CACHE_ROOT/downloads
    local deb=$dir/$DEB_FILE
    expected=$(pinned_sha)
    mkdir -p "$dir"
    if [ -f "$deb" ] && [ "$(sha256sum < "$deb" | cut -d' ' -f1)" = "$expected" ]; then
        stage "package: $DEB_FILE (cached, SHA-256 verified)"
        return 0
    fi
    rm -f "$deb"
    if [ -f "/var/cache/apt/archives/$DEB_FILE" ]; then
        stage "package: copying $DEB_FILE from /var/cache/apt/archives"
        cp "/var/cache/apt/archives/$DEB_FILE" "$deb.part"
    else
        stage "package: apt-get download $DEB_PKG=$DEB_VERSION"
        download_package "$dir"
        mv "$dir/$DEB_FILE" "$deb.part"
    fi
    local actual
    actual=$(sha256sum < "$deb.part" | cut -d' ' -f1)
    if [ "$actual" != "$expected" ]; then
        mv "$deb.part" "$deb.bad"
        die "$DEB_FILE has SHA-256 $actual, but $PINNED_SHA_FILE pins $expected (file kept as $deb.bad)"
    fi
    mv "$deb.part" "$deb"
}

# apt-get download, after one apt-get update if apt does not know the version.
download_package() {
    local dir=$1
    if ! apt-cache show "$DEB_PKG=$DEB_VERSION" >/dev/null 2>&1; then
        [ "$(id -u)" -eq 0 ] \
            || die "apt does not know $DEB_PKG=$DEB_VERSION; run 'apt-get update' as root"
        say "apt does not know $DEB_PKG=$DEB_VERSION; running apt-get update"
        apt-get update -q >&2 || die "apt-get update failed"
        apt-cache show "$DEB_PKG=$DEB_VERSION" >/dev/null 2>&1 \
            || die "no $DEB_PKG=$DEB_VERSION in the apt sources (Debian 12 bookworm main)"
    fi
    (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "$DEB_PKG=$DEB_VERSION" >&2) \
        || die "apt-get download $DEB_PKG=$DEB_VERSION failed"
    [ -f "$dir/$DEB_FILE" ] || die "apt-get download did not produce $dir/$DEB_FILE"
}

# run_logged WHAT COMMAND...: the command's output goes to $LOG; on failure
# the log's tail is shown and the recipe stops, keeping $WORK.
run_logged() {
    local what=$1; shift
    echo "=== $what: $*" >> "$LOG"
    if ! "$@" >> "$LOG" 2>&1; then
        say "$what failed; last lines of $LOG:"
        tail -n 40 "$LOG" | sed 's/^/    /' >&2
        if [ "$what" = configure ] && [ -f "$WORK/build/config.log" ]; then
            say "last lines of $WORK/build/config.log:"
            tail -n 25 "$WORK/build/config.log" | sed 's/^/    /' >&2
        fi
        die "$what failed (full log: $LOG; work directory kept: $WORK)"
    fi
}

# recipe_main MODE RESULT LOCK WHAT: ends with RESULT (a prefix or sysroot)
# on stdout once it holds a complete build. MODE print only looks; build
# reuses a complete RESULT; force builds again. The recipe defines is_built
# (is RESULT complete?) and build (make it).
recipe_main() {
    local mode=$1 result=$2 lock=$3 what=$4
    if [ "$mode" = print ]; then
        is_built || die "not built yet: $result (run $0)"
        echo "$result"
        return 0
    fi
    if [ "$mode" = build ] && is_built; then
        echo "$result"
        return 0
    fi
    recipe_lock "$lock"
    if [ "$mode" = force ]; then
        say "--force: removing $result"
        rm -rf "$result"
    elif is_built; then
        echo "$result"              # built while we waited for the lock
        return 0
    fi
    say "building $what into $result"
    build
    echo "$result"
}

# recipe_lock NAME: holds $CACHE_ROOT/NAME.lock until the recipe exits, so
# one build runs per cache; a caller that waited may find the result made.
recipe_lock() {
    mkdir -p "$CACHE_ROOT"
    exec 9> "$CACHE_ROOT/$1.lock"
    if ! flock -n 9; then
        say "another $1 build holds $CACHE_ROOT/$1.lock; waiting"
        flock 9
    fi
}

# The newlib sysroot the HermitCore-C build in BUILD_DIR uses.
newlib_sysroot() {
    local frag=$BUILD_DIR/newlib.mk
    [ -f "$frag" ] || die "HermitCore-C is not built ($frag missing): run 'make' first"
    sed -n 's/^NEWLIB_SYSROOT := //p' "$frag"
}

# runtime_symbols SYSROOT: a hash of which of the functions in PROBED_FILE
# (those a configure script checks for by linking) the libraries an image
# links define. Configure's answers depend on this, not on the code, nor on
# functions the configure script never asks about.
runtime_symbols() {
    local sysroot=$1
    nm -g --defined-only "$BUILD_DIR/lib/libhermit-c.a" "$BUILD_DIR/lib/libhermit-net.a" \
        "$BUILD_DIR/lib/libhermit.a" "$sysroot/lib/libc.a" "$sysroot/lib/libm.a" 2>/dev/null |
        awk 'NF == 3 { print $3 }' | LC_ALL=C sort -u |
        grep -Fxf <(grep -v '^#' "$PROBED_FILE") | sha256sum | cut -d' ' -f1
}

# recipe_begin_work RESULT: an empty work directory RESULT.work (WORK),
# its log (LOG), and a clean environment for the build.
recipe_begin_work() {
    WORK=$1.work
    LOG=$WORK/build.log
    rm -rf "$WORK"
    mkdir -p "$WORK"
    : > "$LOG"
    clean_build_environment
}

# A parent make's flags and the caller's compiler settings must not leak
# into a dependency's build: its cache key would not see them.
clean_build_environment() {
    unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES GNUMAKEFLAGS
    unset CC CXX CPP CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LIBS FC F77 FCFLAGS FFLAGS
    export LC_ALL=C
}
