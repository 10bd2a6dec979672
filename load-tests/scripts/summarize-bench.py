#!/usr/bin/env python3
"""Summarises a JMH JSON result of the learners' benchmarks as the tables in docs/benchmarks.md.

usage: summarize-bench.py RESULT.json
"""
import json
import sys

INPUT_DIM, CLASSES, BATCH = 784, 10, 2000


def gram_blocks(d):
    # as SymmetricGram.blocksFor: strips of at least 512 columns, at most 4
    return max(1, min(4, d // 512))


def learn_flops_per_sample(d):
    # as BenchData.learnFlopsPerSample: buffer layer, the Gram blocks actually multiplied
    # ((k + 1) / 2k of the full square with k strips), cross product
    k = gram_blocks(d)
    return 2.0 * INPUT_DIM * d + 2.0 * d * d * (k + 1) / (2 * k) + 2.0 * d * CLASSES


results = json.load(open(sys.argv[1]))
by = {}
for r in results:
    name = r["benchmark"].rsplit(".", 2)[-2] + "." + r["benchmark"].rsplit(".", 1)[-1]
    key = (name, tuple(sorted(r.get("params", {}).items())))
    by[key] = r["primaryMetric"]

peak = None
for (name, params), m in by.items():
    if name == "GemmPeakBenchmark.squareGemm":
        n = int(dict(params)["n"])
        peak = 2.0 * n ** 3 / (m["score"] / 1e3) / 1e9
        print(f"float64 GEMM peak (n={n}): {peak:.1f} GFLOP/s ({m['score']:.1f} ms per product)")
    if name == "GemmPeakBenchmark.gramGemm":
        n = int(dict(params)["n"])
        g = 2.0 * BATCH * n * n / (m["score"] / 1e3) / 1e9
        print(f"Gram-shaped GEMM (d={n}, b={BATCH}): {g:.1f} GFLOP/s ({m['score']:.1f} ms)")
    if name == "GemmPeakBenchmark.symmetricGram":
        pr = dict(params)
        print(f"same Gram from {pr['blocks']} strips (SymmetricGram): {m['score']:.1f} ms")

print()
print("| d_E | sums: samples/s | GFLOP/s | of GEMM peak | recursive R: samples/s | sums / recursive |")
print("| --- | --- | --- | --- | --- | --- |")
for d in (1024, 2048, 4096):
    p = (("bufferSize", str(d)),)
    sums = by.get(("AnalyticLearnBenchmark.learnIntoSums", p))
    rec = by.get(("RecursiveLearnBenchmark.learnRecursively", p))
    if not sums:
        continue
    gflops = sums["score"] * learn_flops_per_sample(d) / 1e9
    frac = f"{gflops / peak:.0%}" if peak else "n/a"
    rec_s = f"{rec['score']:.0f} ± {rec['scoreError']:.0f}" if rec else "n/a"
    ratio = f"{sums['score'] / rec['score']:.1f}x" if rec else "n/a"
    print(f"| {d} | {sums['score']:.0f} ± {sums['scoreError']:.0f} | {gflops:.1f} | {frac} | {rec_s} | {ratio} |")

retrain = by.get(("RetrainBaselineBenchmark.retrainBaseline", ()))
print()
print("| erase request | latency (ms) | retrain 60,000 (ms) | retrain / erase |")
print("| --- | --- | --- | --- |")
for rows in (1, 10, 100):
    m = by.get(("AnalyticEraseBenchmark.erase", (("rows", str(rows)),)))
    if not m:
        continue
    if retrain:
        print(f"| {rows} samples | {m['score']:.1f} ± {m['scoreError']:.1f} | {retrain['score']:.0f} | {retrain['score'] / m['score']:.0f}x |")
    else:
        print(f"| {rows} samples | {m['score']:.1f} ± {m['scoreError']:.1f} | n/a | n/a |")
