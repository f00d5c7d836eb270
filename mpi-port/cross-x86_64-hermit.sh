# cross-x86_64-hermit.sh - MPICH's --with-cross file for HermitCore-C:
# the answers configure cannot get by running test programs, because the
# programs it links (with bin/hermit-cc) are bootable images, not host
# executables. MPICH's configure sources this file (src/cross/* is the
# upstream example); CROSS_* variables are exported to sub-configures.
# Values are those of x86-64 (LP64, little-endian, unaligned access fine),
# the same as the host gcc's, which compiles the images.

# Basic type sizes (configure's AC_CHECK_SIZEOF finds these by compiling,
# listed for the record and for any macro that reads CROSS_SIZEOF_*).
CROSS_SIZEOF_CHAR=1
CROSS_SIZEOF_SHORT=2
CROSS_SIZEOF_INT=4
CROSS_SIZEOF_LONG=8
CROSS_SIZEOF_LONG_LONG=8
CROSS_SIZEOF_FLOAT=4
CROSS_SIZEOF_DOUBLE=8
CROSS_SIZEOF_LONG_DOUBLE=16
CROSS_SIZEOF_VOID_P=8
CROSS_SIZEOF_WCHAR_T=4

# "checking for alignment restrictions on int64_t / int32_t": x86-64 has none.
CROSS_INT64_T_ALIGNMENT=no
CROSS_INT32_T_ALIGNMENT=no

# Run-time checks answered through configure's cache variables.
pac_cv_prog_c_unaligned_doubles=yes       # "C compiler allows unaligned doubles"
ac_cv_c_bigendian=no
# MPL's x86 cycle counter (only used with --enable-timer-type=linux86_cycle).
pac_cv_linux86_cycle=rdtscp
export pac_cv_linux86_cycle

# No Fortran, no C++ (--disable-fortran --disable-cxx): nothing to answer.
