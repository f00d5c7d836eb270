# mpi-port/testsuite.mk - `make check-mpich`: MPICH's own test suite
# (test/mpi of the same source package) built with hermit-mpicc and run by
# its runtests with hermit-mpirun; see mpi-port/testsuite/run.sh. Not in
# `make check`: the 292 filtered entries take about 45 minutes under TCG
# on 2 cores; tests/suites/mpich.sh runs a quick subset there instead.
# MPICH_TESTS_ARGS passes options to run.sh, e.g.
#   make check-mpich MPICH_TESTS_ARGS="--lists pt2pt,coll --testlists testlist,testlist.dtp"

check-mpich: all
	@HERMIT_BUILD=$(abspath $(BUILD)) mpi-port/testsuite/run.sh $(MPICH_TESTS_ARGS)
.PHONY: check-mpich
