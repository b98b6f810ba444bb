#!/usr/bin/env python3
"""Turns bench/run.sh's results folder into Markdown (printed): per task and layout of the 2-core machine, every
engine's tokens/s and seconds per item, ratios against the peers of the same run (translation: CTranslate2 int8;
summarization: transformers and CTranslate2 int8), peak RSS; the best layout of each engine on the whole machine;
output lengths (natural stopping: rows ending before max_length, distinct lengths, output/source ratio); id
agreement with transformers; the CPU's ISA. Also writes OUT/summary.json with every figure the tables show.

Usage: report.py RESULTS_DIR"""
import glob
import json
import os
import platform
import statistics
import sys

ENGINES = ["tandem", "tandem-fp16", "tandem-int8", "rust-bert", "transformers", "ct2-float", "ct2-int8"]
LAYOUTS = {"t1": "1 thread", "t2": "2 threads", "w2": "two 1-thread workers"}
MAX_NEW = {"translate": 511, "summarize": 141}


def read(path):
    with open(path) as f:
        return json.load(f)


def load(folder, task, engine, layout):
    """One result (runs per beam setting); the w2 layout's two workers merged: tokens summed, wall time = the
    slower worker, ids back in input order."""
    path = os.path.join(folder, f"{task}-{engine}-{layout}.json")
    if os.path.isfile(path):
        return read(path)
    parts = sorted(glob.glob(os.path.join(folder, f"{task}-{engine}-{layout}-b*-p*.json")))
    if not parts:
        return None
    merged, runs = None, {}
    for path in parts:
        r = read(path)
        merged = merged or r
        merged["peak_rss_mb"] = max(merged["peak_rss_mb"], r["peak_rss_mb"])
        for run in r["runs"]:
            p, n = (int(x) for x in r["part"].split("/"))
            runs.setdefault(run["beams"], []).append((p, n, run))
    out_runs = []
    for beams, group in sorted(runs.items()):
        n = group[0][1]
        total = sum(len(g[2]["ids"]) for g in group)
        ids = [None] * total
        for p, n, run in group:
            for j, row in enumerate(run["ids"]):
                ids[p + j * n] = row
        out_runs.append({"beams": beams, "seconds": max(g[2]["seconds"] for g in group),
                         "tokens": sum(g[2]["tokens"] for g in group), "items": total, "ids": ids,
                         "workers": len(group)})
    merged = dict(merged, runs=out_runs, threads="1 × 2 workers")
    return merged


def run_of(r, beams):
    for run in (r or {}).get("runs", []):
        if run["beams"] == beams:
            return run
    return None


def rate(r, beams):
    run = run_of(r, beams)
    return run["tokens"] / run["seconds"] if run else None


def cpu():
    name, flags = platform.processor(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    isa = ("AVX-512 VNNI" if "avx512_vnni" in flags else "AVX-512 (no VNNI)" if "avx512f" in flags
           else "AVX2" if "avx2" in flags else "pre-AVX2")
    return name, isa


def lengths_line(task, inputs, run):
    gen = [len(r) - 1 for r in run["ids"]]
    stopped = sum(1 for r, g in zip(run["ids"], gen) if g < MAX_NEW[task])
    src = [len(x) for x in inputs]
    text = (f"{stopped}/{len(gen)} rows ended at their own EOS before max_length, {len(set(gen))} distinct lengths, "
            f"new tokens min {min(gen)} / median {statistics.median(gen):g} / max {max(gen)}")
    if task == "translate":
        ratios = [g / s for g, s in zip(gen, src)]
        text += (f"; output/source tokens mean {statistics.mean(ratios):.2f} (min {min(ratios):.2f}, "
                 f"max {max(ratios):.2f})")
    return text, {"stopped": stopped, "rows": len(gen), "distinct": len(set(gen)), "min": min(gen),
                  "median": statistics.median(gen), "max": max(gen)}


def same_rows(a, b):
    rows = sum(x == y for x, y in zip(a["ids"], b["ids"]))
    return rows, len(b["ids"])


def main():
    folder = sys.argv[1]
    inputs_path = os.path.join(os.path.dirname(os.path.abspath(folder)), "inputs.json")
    inputs = read(inputs_path) if os.path.isfile(inputs_path) else {}
    name, isa = cpu()
    summary = {"cpu": name, "isa": isa, "tasks": {}}
    print(f"Machine: {name}, ISA **{isa}**, {os.cpu_count()} logical CPUs.\n")
    for task, unit, bases in [("translate", "sentence", ["ct2-int8"]),
                              ("summarize", "article", ["transformers", "ct2-int8"])]:
        tsum = summary["tasks"].setdefault(task, {"layouts": {}, "lengths": {}, "agreement": {}})
        title = ("Translation, opus-mt-fr-en shape and settings (beam 4 / greedy, max_length 512)"
                 if task == "translate" else
                 "Summarization, distilbart-cnn-12-6 shape and settings (min 56, max 142, no_repeat 3, lp 2.0)")
        n = len(inputs.get(task, []))
        print(f"### {title}: {n} {unit}s\n")
        for layout, label in LAYOUTS.items():
            results = {e: load(folder, task, e, layout) for e in ENGINES}
            results = {e: r for e, r in results.items() if r}
            if not results:
                continue
            print(f"**{label}** (ISA {isa})\n")
            head = "| engine | greedy tok/s | greedy s/{u} | beam 4 tok/s | beam 4 s/{u} | ".format(u=unit)
            head += " | ".join(f"greedy × {b} | beam 4 × {b}" for b in bases) + " | peak RSS MB |"
            print(head)
            print("|" + "---|" * (6 + 2 * len(bases)))
            lsum = tsum["layouts"].setdefault(layout, {})
            for e, r in results.items():
                cells, fig = [], {"peak_rss_mb": r["peak_rss_mb"]}
                for beams in (1, 4):
                    run = run_of(r, beams)
                    if run:
                        cells += [f"{run['tokens'] / run['seconds']:.0f}", f"{run['seconds'] / run['items']:.3f}"]
                        fig[f"beam{beams}_tok_s"] = run["tokens"] / run["seconds"]
                        fig[f"beam{beams}_s_per_item"] = run["seconds"] / run["items"]
                    else:
                        cells += ["–", "–"]
                for b in bases:
                    for beams in (1, 4):
                        a, z = rate(r, beams), rate(results.get(b), beams)
                        cells.append(f"{a / z:.2f}×" if a and z else "–")
                        if a and z:
                            fig[f"beam{beams}_x_{b}"] = a / z
                lsum[e] = fig
                print(f"| {e} | " + " | ".join(cells) + f" | {r['peak_rss_mb']:.0f} |")
            print()
        # The whole 2-core machine: each engine's faster of 2 threads and two workers.
        best = {}
        for e in ENGINES:
            for beams in (1, 4):
                for layout in ("t2", "w2"):
                    v = rate(load(folder, task, e, layout), beams)
                    if v and v > best.get((e, beams), (0, ""))[0]:
                        best[(e, beams)] = (v, layout)
        if best:
            print(f"**Whole machine** (each engine's faster layout of 2 threads / two workers; ISA {isa})\n")
            print("| engine | greedy tok/s (layout) | beam 4 tok/s (layout) | " +
                  " | ".join(f"greedy × {b} | beam 4 × {b}" for b in bases) + " |")
            print("|" + "---|" * (3 + 2 * len(bases)))
            wsum = tsum["layouts"].setdefault("machine", {})
            for e in ENGINES:
                if (e, 1) not in best and (e, 4) not in best:
                    continue
                cells, fig = [], {}
                for beams in (1, 4):
                    v, layout = best.get((e, beams), (None, ""))
                    cells.append(f"{v:.0f} ({layout})" if v else "–")
                    fig[f"beam{beams}_tok_s"], fig[f"beam{beams}_layout"] = v, layout
                for b in bases:
                    for beams in (1, 4):
                        v, z = best.get((e, beams), (None,))[0], best.get((b, beams), (None,))[0]
                        cells.append(f"{v / z:.2f}×" if v and z else "–")
                        if v and z:
                            fig[f"beam{beams}_x_{b}"] = v / z
                wsum[e] = fig
                print(f"| {e} | " + " | ".join(cells) + " |")
            print()
        # Natural stopping and agreement, from the 1-thread layout.
        ref = load(folder, task, "transformers", "t1")
        f32 = load(folder, task, "tandem", "t1")
        for e in ENGINES:
            r = load(folder, task, e, "t1")
            if not r:
                continue
            parts = []
            for beams in (1, 4):
                run = run_of(r, beams)
                if not run:
                    continue
                text, fig = lengths_line(task, inputs.get(task, []), run) if task in inputs else ("", {})
                tsum["lengths"][f"{e}/beam{beams}"] = fig
                agree = []
                for other, label in [(ref, "transformers"), (f32, "tandem f32")]:
                    o = run_of(other, beams)
                    if o and other is not r:
                        rows, total = same_rows(run, o)
                        agree.append(f"ids identical to {label} {rows}/{total}")
                        tsum["agreement"][f"{e}/{label}/beam{beams}"] = [rows, total]
                parts.append(f"beam {beams}: {text}" + ("; " + ", ".join(agree) if agree else ""))
            print(f"- {e}: " + " — ".join(parts))
        print()
    ta = os.path.join(folder, "avx2-summarize-tandem.json")
    tb = os.path.join(folder, "avx2-summarize-transformers.json")
    if os.path.isfile(ta) and os.path.isfile(tb):
        a, b = read(ta), read(tb)
        rows, total = same_rows(a["runs"][0], b["runs"][0])
        summary["avx2_forced_summarize_beam4_identical"] = [rows, total]
        print(f"- Forced AVX2 (ATEN_CPU_CAPABILITY=avx2, MKL_ENABLE_INSTRUCTIONS=AVX2, FBGEMM_ENABLE_INSTRUCTIONS=AVX2),"
              f" summarization beam 4: tandem f32 ids identical to transformers' on {rows}/{total} articles")
    with open(os.path.join(os.path.dirname(os.path.abspath(folder)), "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
