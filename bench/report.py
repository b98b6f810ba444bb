#!/usr/bin/env python3
"""Turns bench/run.sh's results folder into one Markdown table (printed): tokens/s, s/article, peak RSS, ratios
against CTranslate2 int8 (translation) and transformers (summarization), all from the same run; and a bar chart of
those ratios, written as a plain SVG (no plotting library needed) to the file named by --svg."""
import json
import os
import platform
import sys

ENGINES = ["tandem", "tandem-int8", "rust-bert", "transformers", "ct2-float", "ct2-int8"]


def load(folder, name):
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def rate_of(r, beams):
    for run in r["runs"]:
        if run["beams"] == beams:
            return run["tokens"] / run["seconds"]
    return None


def svg_chart(folder, path):
    """Horizontal bars: each engine's tokens/s as a multiple of the task's baseline, greedy and beam 4."""
    panels = []
    for task, baseline, target, title in [
            ("translate", "ct2-int8", 1.0, "Translation (opus-mt-fr-en shape) × CTranslate2 int8"),
            ("summarize", "transformers", 3.0, "Summarization (distilbart-cnn-12-6 shape) × transformers")]:
        results = {e: load(folder, f"{task}-{e}.json") for e in ENGINES}
        results = {e: r for e, r in results.items() if r}
        base = results.get(baseline)
        if not base:
            continue
        rows = []
        for e, r in results.items():
            vals = []
            for beams in (1, 4):
                a, b = rate_of(r, beams), rate_of(base, beams)
                vals.append(a / b if a and b else 0.0)
            rows.append((e, vals))
        panels.append((title, baseline, target, rows))
    bar, gap, left, width = 11, 8, 110, 420
    height = sum(40 + len(rows) * (2 * bar + gap) for _, _, _, rows in panels) + 40
    top = max([max(v) for _, _, _, rows in panels for _, v in rows] + [3.5])
    scale = width / top
    colors = {1: "#4477aa", 4: "#ee6677"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/>']
    y = 20
    for title, baseline, target, rows in panels:
        out.append(f'<text x="4" y="{y}" font-weight="bold">{title}</text>')
        y += 12
        y0 = y
        for e, vals in rows:
            out.append(f'<text x="{left - 6}" y="{y + bar + 3}" text-anchor="end">{e}</text>')
            for beams, v in zip((1, 4), vals):
                w = v * scale
                out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 1}" fill="{colors[beams]}"/>')
                out.append(f'<text x="{left + w + 3:.1f}" y="{y + bar - 2}">{v:.2f}×</text>')
                y += bar
            y += gap
        for mark, style in [(1.0, "#999"), (target, "#222")]:
            x = left + mark * scale
            out.append(f'<line x1="{x:.1f}" y1="{y0 - 4}" x2="{x:.1f}" y2="{y - gap + 2}" stroke="{style}" '
                       f'stroke-dasharray="4,3"/>')
        out.append(f'<text x="{left + target * scale + 3:.1f}" y="{y0 - 2}" fill="#222">target {target:g}×</text>')
        y += 16
    out.append(f'<rect x="{left}" y="{y}" width="10" height="10" fill="{colors[1]}"/>'
               f'<text x="{left + 14}" y="{y + 9}">greedy</text>'
               f'<rect x="{left + 70}" y="{y}" width="10" height="10" fill="{colors[4]}"/>'
               f'<text x="{left + 84}" y="{y + 9}">beam 4</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    folder = sys.argv[1]
    if "--svg" in sys.argv:
        svg_chart(folder, sys.argv[sys.argv.index("--svg") + 1])
    print(f"Machine: {cpu_name()}, {os.cpu_count()} logical CPUs visible; engines run with the threads shown.\n")
    for task, unit, baseline in [("translate", "sentence", "ct2-int8"), ("summarize", "article", "transformers")]:
        results = {e: load(folder, f"{task}-{e}.json") for e in ENGINES}
        results = {e: r for e, r in results.items() if r}
        if not results:
            continue
        title = ("Translation, opus-mt-fr-en shape: 64 sentences × 32 tokens → 32 new tokens, batch 16"
                 if task == "translate" else
                 "Summarization, distilbart-cnn-12-6 shape: 4 articles × 700 tokens → 60 new tokens, batch 4")
        print(f"### {title}\n")
        print(f"| engine | threads | load s | greedy tok/s | greedy s/{unit} | beam 4 tok/s | beam 4 s/{unit} | "
              f"greedy × {baseline} | beam 4 × {baseline} | peak RSS MB |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        base = results.get(baseline)

        def rate(r, beams):
            for run in r["runs"]:
                if run["beams"] == beams:
                    return run["tokens"] / run["seconds"], run["seconds"] / run["items"]
            return None, None

        for e, r in results.items():
            g, gs = rate(r, 1)
            b, bs = rate(r, 4)
            gr = br = "–"
            if base:
                bg, _ = rate(base, 1)
                bb, _ = rate(base, 4)
                gr = f"{g / bg:.2f}×" if g and bg else "–"
                br = f"{b / bb:.2f}×" if b and bb else "–"
            fmt = lambda x, p: f"{x:.{p}f}" if x else "–"
            print(f"| {e} | {r.get('threads', '?')} | {r['load_s']:.1f} | {fmt(g, 0)} | {fmt(gs, 3)} | {fmt(b, 0)} | "
                  f"{fmt(bs, 3)} | {gr} | {br} | {r['peak_rss_mb']:.0f} |")
        print()
        for name, label in [("int8-vs-float", "tandem int8 vs tandem f32"),
                            ("float-vs-rust-bert", "tandem f32 vs rust-bert")]:
            path = os.path.join(folder, f"{task}-{name}.txt")
            if os.path.isfile(path):
                with open(path) as f:
                    rows = json.loads(f.read())
                parts = [f"beam {r['beams']}: token agreement {r['token_agreement']:.3f}, identical rows "
                         f"{r['identical_rows']}/{r['rows']}, chrF {r['chrf']:.1f}" for r in rows]
                print(f"- {label}: " + "; ".join(parts))
        ref = results.get("transformers")
        for e in ["tandem", "tandem-int8", "rust-bert"]:
            if e in results and ref:
                parts = []
                for ra, rt in zip(results[e]["runs"], ref["runs"]):
                    same = sum(p == q for x, y in zip(ra["ids"], rt["ids"]) for p, q in zip(x, y))
                    total = sum(max(len(x), len(y)) for x, y in zip(ra["ids"], rt["ids"]))
                    rows = sum(x == y for x, y in zip(ra["ids"], rt["ids"]))
                    parts.append(f"beam {ra['beams']}: identical rows {rows}/{len(rt['ids'])}, "
                                 f"token agreement {same / max(total, 1):.3f}")
                print(f"- {e} vs transformers (ids): " + "; ".join(parts))
        print()
    for e in ["tandem", "tandem-int8"]:
        r = load(folder, f"en-fr-{e}.json")
        if r:
            print(f"- opus-mt-en-fr shape, {e}: peak RSS {r['peak_rss_mb']:.0f} MB (after load "
                  f"{r['rss_after_load_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
