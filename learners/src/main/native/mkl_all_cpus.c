/*
 * Lets oneMKL choose its kernels by the CPU's instruction set on every vendor's CPU.
 *
 * PyTorch's CPU build links oneMKL 2024.0 for its BLAS (every matMul of the analytic learner).
 * oneMKL runs its AVX-512 kernels only on CPUs it recognises as Intel's; on others, such as this
 * project's AMD EPYC machines (Zen 5, AVX-512 in full), it falls back to its AVX2 kernels. The
 * check is the internal function below, which libtorch_cpu.so exports; a library preloaded with
 * LD_PRELOAD defines it first, so oneMKL's own calls resolve to this one. oneMKL still reads the
 * CPU's feature flags, so a CPU without AVX-512 keeps its AVX2 kernels.
 *
 * The AVX-512 kernels speed up the analytic learner's float64 GEMMs on such CPUs (measured in
 * docs/benchmarks.md#settings-chosen-by-measurement). The `lethe` launcher builds this file and
 * preloads it; LETHE_MKL_SHIM=0 turns it off.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
