#!/usr/bin/env python3
"""Turns bench/run.sh's results folder into Markdown (printed): per task and layout of the 2-core machine, every
engine's tokens/s and seconds per item, ratios against the peers of the same run (translation: CTranslate2 int8;
summarization: transformers and CTranslate2 int8), peak RSS; the best layout of each engine on the whole machine;
output lengths (natural stopping: rows ending before max_length, distinct lengths, output/source ratio); id
agreement with transformers; the CPU's ISA. Also writes OUT/summary.json with every figure the tables show.

With repetitions (results/rep-1, rep-2, …; a folder without them is one repetition) every speed is the median
over the repetitions, and every ratio the median of the ratios taken inside each repetition (the engines of one
repetition ran minutes apart, so the VM's slower drift cancels), followed by its range over the repetitions.

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


def rep_dirs(folder):
    """The repetitions' folders in order, or the folder itself when it holds one run."""
    reps = glob.glob(os.path.join(folder, "rep-*"))
    reps = sorted((d for d in reps if os.path.isdir(d)), key=lambda d: int(d.rsplit("-", 1)[1]))
    return reps or [folder]


def spread(values, fmt):
    """Median of `values`, and their range when there are several: `1.02× (0.95–1.10)`."""
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    text = fmt.format(statistics.median(values))
    if len(values) > 1:
        text += " (" + fmt.format(min(values)) + "–" + fmt.format(max(values)) + ")"
    return text


def figure(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def ratios(a, b):
    """Per-repetition ratios a[k] / b[k] where both ran."""
    return [x / y for x, y in zip(a, b) if x and y]


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
    reps = rep_dirs(folder)
    inputs_path = os.path.join(os.path.dirname(os.path.abspath(folder)), "inputs.json")
    inputs = read(inputs_path) if os.path.isfile(inputs_path) else {}
    name, isa = cpu()
    summary = {"cpu": name, "isa": isa, "repetitions": len(reps), "tasks": {}}
    print(f"Machine: {name}, ISA **{isa}**, {os.cpu_count()} logical CPUs. {len(reps)} repetition(s): speeds are "
          "medians, ratios the median of each repetition's ratio, (min–max) over the repetitions.\n")
    for task, unit, bases in [("translate", "sentence", ["ct2-int8"]),
                              ("summarize", "article", ["transformers", "ct2-int8"])]:
        tsum = summary["tasks"].setdefault(task, {"layouts": {}, "lengths": {}, "agreement": {}})
        title = ("Translation, opus-mt-fr-en shape and settings (beam 4 / greedy, max_length 512)"
                 if task == "translate" else
                 "Summarization, distilbart-cnn-12-6 shape and settings (min 56, max 142, no_repeat 3, lp 2.0)")
        n = len(inputs.get(task, []))
        print(f"### {title}: {n} {unit}s\n")
        for layout, label in LAYOUTS.items():
            results = {e: [load(d, task, e, layout) for d in reps] for e in ENGINES}
            results = {e: rs for e, rs in results.items() if any(rs)}
            if not results:
                continue
            print(f"**{label}** (ISA {isa})\n")
            head = "| engine | greedy tok/s | greedy s/{u} | beam 4 tok/s | beam 4 s/{u} | ".format(u=unit)
            head += " | ".join(f"greedy × {b} | beam 4 × {b}" for b in bases) + " | peak RSS MB |"
            print(head)
            print("|" + "---|" * (6 + 2 * len(bases)))
            lsum = tsum["layouts"].setdefault(layout, {})
            for e, rs in results.items():
                rss = max(r["peak_rss_mb"] for r in rs if r)
                cells, fig = [], {"peak_rss_mb": rss}
                for beams in (1, 4):
                    runs = [run_of(r, beams) for r in rs]
                    per_item = [run["seconds"] / run["items"] if run else None for run in runs]
                    cells += [spread([rate(r, beams) for r in rs], "{:.0f}"), spread(per_item, "{:.3f}")]
                    fig[f"beam{beams}_tok_s"] = figure([rate(r, beams) for r in rs])
                    fig[f"beam{beams}_s_per_item"] = figure(per_item)
                for b in bases:
                    for beams in (1, 4):
                        x = ratios([rate(r, beams) for r in rs], [rate(r, beams) for r in results.get(b, [])])
                        cells.append(spread(x, "{:.2f}×"))
                        fig[f"beam{beams}_x_{b}"] = figure(x)
                lsum[e] = fig
                print(f"| {e} | " + " | ".join(cells) + f" | {rss:.0f} |")
            print()
        # The whole 2-core machine: in each repetition, each engine's faster of 2 threads and two workers.
        best = {}
        for e in ENGINES:
            for beams in (1, 4):
                per_rep = []
                for d in reps:
                    options = [(rate(load(d, task, e, layout), beams), layout) for layout in ("t2", "w2")]
                    options = [o for o in options if o[0]]
                    per_rep.append(max(options) if options else (None, ""))
                if any(v for v, _ in per_rep):
                    best[(e, beams)] = per_rep
        if best:
            print(f"**Whole machine** (in each repetition, each engine's faster layout of 2 threads / two workers; "
                  f"ISA {isa})\n")
            print("| engine | greedy tok/s (layouts) | beam 4 tok/s (layouts) | " +
                  " | ".join(f"greedy × {b} | beam 4 × {b}" for b in bases) + " |")
            print("|" + "---|" * (3 + 2 * len(bases)))
            wsum = tsum["layouts"].setdefault("machine", {})
            for e in ENGINES:
                if (e, 1) not in best and (e, 4) not in best:
                    continue
                cells, fig = [], {}
                for beams in (1, 4):
                    per_rep = best.get((e, beams), [])
                    layouts = [layout for v, layout in per_rep if v]
                    chosen = ", ".join(f"{x} {layouts.count(x)}/{len(layouts)}" for x in sorted(set(layouts)))
                    cells.append(spread([v for v, _ in per_rep], "{:.0f}") + (f" ({chosen})" if chosen else ""))
                    fig[f"beam{beams}_tok_s"] = figure([v for v, _ in per_rep])
                    fig[f"beam{beams}_layouts"] = layouts
                for b in bases:
                    for beams in (1, 4):
                        x = ratios([v for v, _ in best.get((e, beams), [])],
                                   [v for v, _ in best.get((b, beams), [])])
                        cells.append(spread(x, "{:.2f}×"))
                        fig[f"beam{beams}_x_{b}"] = figure(x)
                wsum[e] = fig
                print(f"| {e} | " + " | ".join(cells) + " |")
            print()
        # Natural stopping and agreement, from the first repetition's 1-thread layout; ids of the later
        # repetitions against the first (a deterministic engine gives the same ids every time).
        ref = load(reps[0], task, "transformers", "t1")
        f32 = load(reps[0], task, "tandem", "t1")
        for e in ENGINES:
            r = load(reps[0], task, e, "t1")
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
                later = [run_of(load(d, task, e, "t1"), beams) for d in reps[1:]]
                later = [o for o in later if o]
                if later:
                    same = sum(o["ids"] == run["ids"] for o in later)
                    agree.append(f"same ids in {same}/{len(later)} later repetitions")
                    tsum["agreement"][f"{e}/repetitions/beam{beams}"] = [same, len(later)]
                parts.append(f"beam {beams}: {text}" + ("; " + ", ".join(agree) if agree else ""))
            print(f"- {e}: " + " — ".join(parts))
        print()
    ta = os.path.join(reps[0], "avx2-summarize-tandem.json")
    tb = os.path.join(reps[0], "avx2-summarize-transformers.json")
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
