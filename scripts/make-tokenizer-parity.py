#!/usr/bin/env python3
"""Record what Hugging Face `transformers` tokenizers make of the tokenizer parity corpus.

Reads tests/fixtures/tokenizers/corpus.txt (one case per line: `fr` or `en`, a tab, then the text exactly as
it is, leading/trailing spaces and inner tabs included; our own sentences) and, for every line, with the tokenizer
files committed in the repository, computes `tokenizer(text)["input_ids"]` and
`tokenizer.decode(input_ids, skip_special_tokens=True)` for each role:

  opus-mt-fr-en    MarianTokenizer of tests/fixtures/models/stop-marian-fr-en (real Helsinki-NLP/opus-mt-fr-en
                   files), on every line (French and English)
  opus-mt-en-fr    MarianTokenizer of tests/fixtures/models/stop-marian-en-fr (real opus-mt-en-fr files)
  distilbart-cnn-12-6
                   AutoTokenizer (BartTokenizerFast) of tests/fixtures/models/stop-bart-cnn, which has the real
                   sshleifer/distilbart-cnn-12-6 tokenizer.json
  distilbart-cnn-12-6 (vocab.json + merges.txt)
                   the same folder without tokenizer.json: BartTokenizerFast converts vocab.json + merges.txt
                   itself (what tandem does for a folder without tokenizer.json)
  distilbart-cnn-12-6 (summarization pipeline), opus-mt-fr-en (translation pipeline)
                   the ids `pipeline("summarization" / "translation_fr_to_en")` feeds the model (its `preprocess`,
                   which puts the config's prefix, " " for distilbart-cnn, before the text), with the models of
                   the same folders: what tandem's ModelInputs must give
  tiny-marian-fr-en, tiny-bart-cnn
                   the toy tokenizers of tests/fixtures/models/marian-fr-en and bart-cnn (identity-normalized,
                   a few hundred pieces: most words become several pieces or <unk>)

and writes tests/fixtures/parity/tokenizers.json with the library versions, the corpus's SHA-256, and per role
the folder, the tokenizer class, `ids` and `decoded` (one entry per corpus line, in order).
tests/tokenizer_parity.rs checks that tandem's tokenizer gives exactly these ids and texts.

Run from the repository root with the Python of scripts/python-env.sh (transformers 4.46.3, tokenizers 0.20.3,
sentencepiece 0.2.0):

    "$(scripts/python-env.sh)" scripts/make-tokenizer-parity.py

Takes a few seconds; deterministic.
"""
import hashlib
import json
import os
import shutil
import sys
import tempfile
import warnings

import sentencepiece
import tokenizers
import transformers
from transformers import AutoTokenizer, MarianTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "tests", "fixtures", "tokenizers", "corpus.txt")
MODELS = os.path.join(ROOT, "tests", "fixtures", "models")
OUT = os.path.join(ROOT, "tests", "fixtures", "parity", "tokenizers.json")


def read_corpus():
    with open(CORPUS, "rb") as f:
        raw = f.read()
    lines = []
    for n, line in enumerate(raw.decode("utf-8").split("\n")[:-1], 1):
        lang, sep, text = line.partition("\t")
        if lang not in ("fr", "en") or not sep:
            sys.exit(f"{CORPUS}:{n}: expected `fr<TAB>text` or `en<TAB>text`")
        lines.append(text)
    return lines, hashlib.sha256(raw).hexdigest()


def read_langs():
    with open(CORPUS, encoding="utf-8") as f:
        return [line.partition("\t")[0] for line in f.read().split("\n")[:-1]]


def run(tokenizer, texts):
    ids = [tokenizer(t)["input_ids"] for t in texts]
    decoded = [tokenizer.decode(i, skip_special_tokens=True) for i in ids]
    return ids, decoded


def main():
    texts, sha = read_corpus()
    roles = {}
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses.")

    def marian(name, folder):
        tok = MarianTokenizer.from_pretrained(os.path.join(MODELS, folder))
        ids, decoded = run(tok, texts)
        roles[name] = {"folder": f"tests/fixtures/models/{folder}", "tokenizer": type(tok).__name__,
                       "ids": ids, "decoded": decoded}

    def bart(name, folder, drop_tokenizer_json):
        src = os.path.join(MODELS, folder)
        with tempfile.TemporaryDirectory() as tmp:
            if drop_tokenizer_json:
                for f in ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json",
                          "config.json"):
                    if os.path.exists(os.path.join(src, f)):
                        shutil.copy(os.path.join(src, f), tmp)
                src = tmp
            tok = AutoTokenizer.from_pretrained(src)
            assert tok.is_fast, type(tok)
            ids, decoded = run(tok, texts)
        source = "vocab.json + merges.txt" if drop_tokenizer_json else "tokenizer.json"
        roles[name] = {"folder": f"tests/fixtures/models/{folder}",
                       "tokenizer": f"{type(tok).__name__} from {source}", "ids": ids, "decoded": decoded}

    marian("opus-mt-fr-en", "stop-marian-fr-en")
    marian("opus-mt-en-fr", "stop-marian-en-fr")
    bart("distilbart-cnn-12-6", "stop-bart-cnn", drop_tokenizer_json=False)
    bart("distilbart-cnn-12-6 (vocab.json + merges.txt)", "stop-bart-cnn", drop_tokenizer_json=True)
    def through_pipeline(name, task, folder):
        from transformers import AutoModelForSeq2SeqLM, pipeline
        src = os.path.join(MODELS, folder)
        pipe = pipeline(task, model=AutoModelForSeq2SeqLM.from_pretrained(src), tokenizer=AutoTokenizer.from_pretrained(src))
        ids = [pipe.preprocess(t)["input_ids"][0].tolist() for t in texts]
        decoded = [pipe.tokenizer.decode(i, skip_special_tokens=True) for i in ids]
        roles[name] = {"folder": f"tests/fixtures/models/{folder}",
                       "tokenizer": f"pipeline({task!r}).preprocess, prefix {pipe.prefix!r}",
                       "ids": ids, "decoded": decoded}

    through_pipeline("distilbart-cnn-12-6 (summarization pipeline)", "summarization", "stop-bart-cnn")
    through_pipeline("opus-mt-fr-en (translation pipeline)", "translation_fr_to_en", "stop-marian-fr-en")
    marian("tiny-marian-fr-en", "marian-fr-en")
    bart("tiny-bart-cnn", "bart-cnn", drop_tokenizer_json=True)

    # Tokens a word (whitespace-separated words; special tokens not counted) with the real tokenizers, each on the
    # language it reads: what real text costs the models (BENCHMARKS.md). The corpus is dense in numbers, URLs and
    # rare characters, so it errs high.
    langs = [line_lang for line_lang in read_langs()]
    def per_word(role, lang, specials):
        pairs = [(t, i) for t, i, l in zip(texts, roles[role]["ids"], langs) if l == lang]
        return round(sum(len(i) - specials for _, i in pairs) / sum(len(t.split()) for t, _ in pairs), 3)
    tokens_per_word = {
        "opus-mt-fr-en on French lines": per_word("opus-mt-fr-en", "fr", 1),
        "opus-mt-en-fr on English lines": per_word("opus-mt-en-fr", "en", 1),
        "distilbart-cnn-12-6 (summarization pipeline) on English lines":
            per_word("distilbart-cnn-12-6 (summarization pipeline)", "en", 2),
    }
    doc = {
        "made_by": "scripts/make-tokenizer-parity.py",
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "sentencepiece": sentencepiece.__version__,
        "corpus": "tests/fixtures/tokenizers/corpus.txt",
        "corpus_sha256": sha,
        "lines": len(texts),
        "tokens_per_word": tokens_per_word,
        "roles": roles,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        # One line per case keeps the file diffable.
        f.write("{\n")
        head = [k for k in doc if k != "roles"]
        for k in head:
            f.write(f"  {json.dumps(k)}: {json.dumps(doc[k], ensure_ascii=False)},\n")
        f.write('  "roles": {\n')
        for r, (name, role) in enumerate(roles.items()):
            f.write(f"    {json.dumps(name)}: {{\n")
            f.write(f'      "folder": {json.dumps(role["folder"])},\n')
            f.write(f'      "tokenizer": {json.dumps(role["tokenizer"])},\n')
            for key in ("ids", "decoded"):
                f.write(f'      "{key}": [\n')
                rows = [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in role[key]]
                f.write(",\n".join("        " + row for row in rows))
                f.write("\n      ]" + (",\n" if key == "ids" else "\n"))
            f.write("    }" + (",\n" if r + 1 < len(roles) else "\n"))
        f.write("  }\n}\n")
    json.load(open(OUT, encoding="utf-8"))  # well-formed
    same = roles["distilbart-cnn-12-6"]["ids"] == roles["distilbart-cnn-12-6 (vocab.json + merges.txt)"]["ids"]
    print(f"wrote {OUT}: {len(texts)} lines x {len(roles)} roles "
          f"(transformers {transformers.__version__}, tokenizers {tokenizers.__version__}); "
          f"BART from tokenizer.json {'==' if same else '!='} from vocab.json + merges.txt")


if __name__ == "__main__":
    main()
