#!/usr/bin/env python3
"""Articles of the whole-brief benchmark (bench/brief.sh): N news-like articles, half French, half English, written
from this repo's own corpus (tests/fixtures/tokenizers/corpus.txt; no scraped text) with real news lengths
(sentences: median 22 words, 5–80; articles 400–900 words; paragraphs of 2–4 sentences), and their manifest.jsonl.
The models are bench/run.sh's (bench/make_models.py): real configs and tokenizers, outputs that stop at realistic
lengths.

Usage: brief_articles.py OUT_DIR N_ARTICLES   (writes OUT_DIR/articles/)
"""
import json
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_models import corpus, sentence  # noqa: E402

SEED = 20261201


def article(rng, lines):
    target = rng.randrange(400, 901)
    title = rng.choice(lines).rstrip(".")
    paragraphs, words = [], 0
    while words < target:
        para = [sentence(rng, lines) for _ in range(rng.randrange(2, 5))]
        paragraphs.append(" ".join(para))
        words += sum(len(s.split()) for s in para)
    return title, paragraphs, words


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(SEED)
    lines = {"fr": corpus("fr"), "en": corpus("en")}
    arts = os.path.join(out, "articles")
    shutil.rmtree(arts, ignore_errors=True)
    os.makedirs(arts)
    manifest, words = [], {"fr": 0, "en": 0}
    for i in range(n):
        lang = "fr" if i % 2 == 0 else "en"
        title, paragraphs, count = article(rng, lines[lang])
        name = f"{i + 1:03d}-{lang}.txt"
        with open(os.path.join(arts, name), "w", encoding="utf-8") as f:
            f.write(title + "\n\n" + "\n\n".join(paragraphs) + "\n")
        words[lang] += count
        manifest.append({"file": name, "published": "2026-11-30", "source": f"Bench {lang.upper()}", "lang": lang})
    with open(os.path.join(arts, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for m in manifest:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")
    print(f"{n} articles: {words['fr']} French words, {words['en']} English words", file=sys.stderr)


if __name__ == "__main__":
    main()
