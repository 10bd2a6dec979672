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
 * Measured (docs/benchmarks.md, "oneMKL's AVX-512 kernels on AMD"): a 2048 x 2048 float64 GEMM on
 * 2 cores went from 65 to 96 GFLOP/s. The `lethe` launcher builds this file and preloads it;
 * LETHE_MKL_SHIM=0 turns it off.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
