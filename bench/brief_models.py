#!/usr/bin/env python3
"""Inputs of the whole-brief benchmark (bench/brief.sh): generated articles, and model folders that pair the
benchmark's random-weight, real-size models (bench/make_models.py, imported under BENCH/models) with tokenizers
that cut generated text into realistic numbers of tokens.

Why new tokenizers: the benchmark models carry the tiny test tokenizers (a few hundred pieces), which cut text
into characters (4–8 tokens a word instead of ~1.3), and random weights emit placeholder pieces (`▁tok123`) that
the summarizer's tokenizer would again cut into characters. Here:
- articles are written from generated French-like and English-like word lists (Zipf-distributed words, sentences
  of ~25 words, paragraphs of 2–4 sentences, 400–700 words; no real text);
- Marian: SentencePiece models trained on text from those word lists (source.spm / target.spm), vocab.json =
  their pieces, then placeholder *words* of the target language (some ending in '.') up to the real 59,514;
- BART: a byte-level BPE vocabulary whose entries are whole English words (the articles' words and the Marian
  placeholders, so a translation is ~1 token a word again), plus some words ending in '.', up to 50,264;
- generation lengths: random weights never emit EOS, so every output runs to max_length. Translation
  max_length is set to TRANSLATE_MAX_LENGTH (1.3× a typical 25-word sentence's tokens); summaries keep
  distilbart-cnn-12-6's own settings (min 56, max 142 tokens, beam 4).

Usage: brief_models.py BENCH_DIR OUT_DIR N_ARTICLES   (writes OUT_DIR/models/<name>/ and OUT_DIR/articles/)
Weights are symlinked, not copied.
"""
import json
import os
import random
import shutil
import sys

import sentencepiece as spm

SEED = 20261121
MARIAN_VOCAB = 59514
BART_VOCAB = 50264
# tokens, counting the decoder start token: 1.3 × (25 words × ~1.25 tokens a word, as measured) ≈ 40 new tokens.
TRANSLATE_MAX_LENGTH = 41

FR_SYLLABLES = ["la", "le", "de", "ré", "con", "tion", "men", "par", "pro", "ter", "an", "on", "ou", "eau", "mi",
                "nis", "tre", "gou", "ver", "ne", "ment", "é", "co", "no", "mie", "pré", "si", "dent", "vil", "ca",
                "pi", "tal", "ser", "vi", "ce", "ré", "gion", "mar", "ché", "prix", "é", "lec", "pa", "ys", "po",
                "li", "ti", "que", "sé", "cu", "ri", "té", "san", "ta", "ir", "ré", "for", "mes", "eu", "ro"]
EN_SYLLABLES = ["the", "con", "pro", "ment", "tion", "er", "in", "re", "de", "com", "pa", "ny", "gov", "ern",
                "mar", "ket", "sec", "ur", "ity", "pre", "si", "dent", "ci", "ty", "ca", "pi", "tal", "ser", "vice",
                "re", "gion", "price", "elec", "tion", "coun", "try", "po", "li", "tic", "health", "work", "er",
                "ing", "ed", "al", "ly", "ex", "port", "trade", "bank", "oil", "fu", "el", "school", "farm"]
FR_FUNCTION = ["le", "la", "les", "de", "des", "du", "et", "à", "un", "une", "en", "pour", "qui", "que", "dans",
               "sur", "par", "au", "aux", "avec", "a", "est", "sont", "ont", "selon", "plus", "ne", "pas", "il",
               "elle", "ils", "cette", "ce", "son", "sa", "ses", "leur", "été", "entre", "après"]
EN_FUNCTION = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "was", "with", "said", "by", "as",
               "at", "from", "it", "has", "have", "are", "be", "this", "its", "were", "which", "an", "not",
               "they", "he", "she", "their", "after", "more", "than", "been", "would", "will", "who", "also"]


def words_from(syllables, function, n, rng):
    seen = set(function)
    out = list(function)
    while len(out) < n:
        w = "".join(rng.choice(syllables) for _ in range(rng.choice([1, 2, 2, 3, 3, 4])))
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


def zipf_sampler(words, rng):
    weights = [1.0 / (i + 1) for i in range(len(words))]
    total = sum(weights)
    cum, acc = [], 0.0
    for w in weights:
        acc += w / total
        cum.append(acc)
    import bisect

    def sample():
        return words[min(bisect.bisect_left(cum, rng.random()), len(words) - 1)]
    return sample


def sentence(sample, rng):
    n = max(8, min(45, int(rng.gauss(25, 7))))
    ws = [sample() for _ in range(n)]
    ws[0] = ws[0].capitalize()
    if n > 12 and rng.random() < 0.6:
        k = rng.randrange(4, n - 4)
        ws[k] += ","
    return " ".join(ws) + "."


def article(sample, rng):
    target = rng.randint(400, 700)
    title = sentence(sample, rng).rstrip(".").split()[: rng.randint(8, 12)]
    paragraphs, words = [], 0
    while words < target:
        sents = [sentence(sample, rng) for _ in range(rng.randint(2, 4))]
        words += sum(len(s.split()) for s in sents)
        paragraphs.append(" ".join(sents))
    return " ".join(title), paragraphs, words


def train_spm(path_prefix, sample, rng, vocab_size):
    corpus = path_prefix + ".corpus.txt"
    with open(corpus, "w", encoding="utf-8") as f:
        for _ in range(20000):
            f.write(sentence(sample, rng) + "\n")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=path_prefix, vocab_size=vocab_size, model_type="unigram",
        character_coverage=1.0, bos_id=-1, eos_id=0, unk_id=1, pad_id=-1, eos_piece="</s>", unk_piece="<unk>",
        minloglevel=2, num_threads=1)
    os.remove(corpus)
    sp = spm.SentencePieceProcessor(model_file=path_prefix + ".model")
    return sp, [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def marian_vocab(source_pieces, target_pieces, placeholder_words):
    vocab = {"</s>": 0, "<unk>": 1}
    for p in source_pieces + target_pieces:
        if p not in vocab:
            vocab[p] = len(vocab)
    for i, w in enumerate(placeholder_words):
        if len(vocab) >= MARIAN_VOCAB - 1:
            break
        piece = "▁" + w + ("." if i % 25 == 24 else "")
        if piece not in vocab:
            vocab[piece] = len(vocab)
    n = len(vocab)
    while n < MARIAN_VOCAB - 1:
        vocab[f"▁w{n}"] = n
        n += 1
    vocab["<pad>"] = MARIAN_VOCAB - 1
    return vocab


def bart_vocab_and_merges(base_vocab, words):
    vocab = dict(base_vocab)
    merges, seen = [], set()
    for i, w in enumerate(words):
        if len(vocab) >= BART_VOCAB:
            break
        token = "Ġ" + w
        if token in vocab:
            continue
        vocab[token] = len(vocab)
        left = "Ġ"
        for c in w:
            if (left, c) not in seen:
                seen.add((left, c))
                merges.append(f"{left} {c}")
            left += c
        if i % 25 == 24 and len(vocab) < BART_VOCAB and token + "." not in vocab:
            vocab[token + "."] = len(vocab)  # only ever decoded: sentence ends in generated text
    n = len(vocab)
    while n < BART_VOCAB:
        vocab[f"Ġw{n}"] = n
        n += 1
    return vocab, merges


def model_dir(bench, out, name, files):
    src = os.path.join(bench, "models", name)
    dest = os.path.join(out, "models", name)
    os.makedirs(dest, exist_ok=True)
    link = os.path.join(dest, "model.safetensors")
    if not os.path.lexists(link):
        os.symlink(os.path.realpath(os.path.join(src, "model.safetensors")), link)
    for f in ["config.json", "generation_config.json", "tandem-import.json", "tokenizer_config.json"]:
        if os.path.isfile(os.path.join(src, f)):
            shutil.copy(os.path.join(src, f), os.path.join(dest, f))
    for f, content in files.items():
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(os.path.join(dest, f), mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
            fh.write(content)
    return dest


def set_max_length(dest, max_length):
    for f in ["config.json", "generation_config.json"]:
        path = os.path.join(dest, f)
        if os.path.isfile(path):
            with open(path) as fh:
                c = json.load(fh)
            c["max_length"] = max_length
            with open(path, "w") as fh:
                json.dump(c, fh, indent=1)


def main():
    bench, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(SEED)
    fr_words = words_from(FR_SYLLABLES, FR_FUNCTION, 6000, rng)
    en_words = words_from(EN_SYLLABLES, EN_FUNCTION, 6000, rng)
    fr_sample, en_sample = zipf_sampler(fr_words, rng), zipf_sampler(en_words, rng)
    # Placeholder words (what random weights "say"): more words of each language.
    en_extra = words_from(EN_SYLLABLES, EN_FUNCTION, 48000, random.Random(SEED + 1))
    fr_extra = words_from(FR_SYLLABLES, FR_FUNCTION, 48000, random.Random(SEED + 2))
    tok = os.path.join(out, "tokenizers")
    os.makedirs(tok, exist_ok=True)
    # 3,000 pieces for ~6,000 words: frequent words whole, rare ones in 2–3 pieces (~1.3 tokens a word).
    fr_sp, fr_pieces = train_spm(os.path.join(tok, "fr"), fr_sample, rng, 3000)
    en_sp, en_pieces = train_spm(os.path.join(tok, "en"), en_sample, rng, 3000)
    fr_model = open(os.path.join(tok, "fr.model"), "rb").read()
    en_model = open(os.path.join(tok, "en.model"), "rb").read()
    fr_en_vocab = marian_vocab(fr_pieces, en_pieces, en_extra)
    en_fr_vocab = marian_vocab(en_pieces, fr_pieces, fr_extra)
    d = model_dir(bench, out, "opus-mt-fr-en", {
        "source.spm": fr_model, "target.spm": en_model, "vocab.json": json.dumps(fr_en_vocab, ensure_ascii=False)})
    set_max_length(d, TRANSLATE_MAX_LENGTH)
    d = model_dir(bench, out, "opus-mt-en-fr", {
        "source.spm": en_model, "target.spm": fr_model, "vocab.json": json.dumps(en_fr_vocab, ensure_ascii=False)})
    set_max_length(d, TRANSLATE_MAX_LENGTH)
    with open(os.path.join(bench, "models", "distilbart-cnn-12-6", "vocab.json"), encoding="utf-8") as f:
        tiny = json.load(f)
    base = {k: v for k, v in tiny.items() if v < 443 and not k.startswith("Ġtok")}
    base = dict(sorted(base.items(), key=lambda kv: kv[1]))
    bart_words = en_words + [w for w in en_extra if w not in set(en_words)]
    bart_vocab, merges = bart_vocab_and_merges(base, bart_words)
    model_dir(bench, out, "distilbart-cnn-12-6", {
        "vocab.json": json.dumps(bart_vocab, ensure_ascii=False),
        "merges.txt": "#version: 0.2\n" + "\n".join(merges) + "\n"})
    # Articles: half French, half English.
    arts = os.path.join(out, "articles")
    shutil.rmtree(arts, ignore_errors=True)
    os.makedirs(arts)
    manifest, stats = [], {"fr": [0, 0], "en": [0, 0]}
    for i in range(n):
        lang = "fr" if i % 2 == 0 else "en"
        sample, sp = (fr_sample, fr_sp) if lang == "fr" else (en_sample, en_sp)
        title, paragraphs, words = article(sample, rng)
        name = f"{i + 1:03d}-{lang}.txt"
        with open(os.path.join(arts, name), "w", encoding="utf-8") as f:
            f.write(title + "\n\n" + "\n\n".join(paragraphs) + "\n")
        stats[lang][0] += words
        stats[lang][1] += sum(len(sp.encode(p)) for p in paragraphs)
        manifest.append({"file": name, "published": "2026-11-20", "source": f"Bench {lang.upper()}", "lang": lang})
    with open(os.path.join(arts, "manifest.jsonl"), "w", encoding="utf-8") as f:
        for m in manifest:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")
    for lang, (w, t) in stats.items():
        if w:
            print(f"{lang}: {w} words, {t} Marian tokens ({t / w:.2f} a word)", file=sys.stderr)


if __name__ == "__main__":
    main()
