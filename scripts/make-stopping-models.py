#!/usr/bin/env python3
"""Train tiny seq2seq models that stop at EOS by themselves, with the real tokenizers, and record what
Hugging Face `transformers` generates from them.

The random-weight models of scripts/make-test-models.py almost never emit EOS, so every row of their parity
fixtures runs to max_length. The models here are trained (overfitted) on a few dozen sentences of our own, so
generation ends naturally, at lengths that differ from row to row and from case to case: that exercises the
finished-row, min_length, early_stopping, length_penalty and max_length logic of beam search and greedy search.

Writes, under tests/fixtures/:
  models/stop-marian-fr-en/, models/stop-marian-en-fr/
      the real opus-mt tokenizer files (source.spm, target.spm, vocab.json, tokenizer_config.json,
      special_tokens_map.json), the real config.json with only the sizes shrunk (d_model 64, 2+2 layers,
      4 heads, ffn 128; vocab 59514, pad = decoder start = 59513, eos 0, bad_words_ids, max_length 512,
      num_beams 4... as published), the real generation_config.json as is (renormalize_logits, bad_words_ids),
      and model.safetensors (float16, ~7.8 MB, nearly all of it the 59514 x 64 shared embedding);
  models/stop-bart-cnn/
      the same for sshleifer/distilbart-cnn-12-6 (vocab.json, merges.txt, tokenizer.json, ...; vocab_size 50264
      as published, one less than vocab.json's 50265 entries), ~6.9 MB of float16 weights;
  parity/stop-marian-fr-en.json, parity/stop-marian-en-fr.json, parity/stop-bart-cnn.json
      in the format of scripts/make-test-models.py's parity files: inputs, their input_ids, and per case the
      generation settings and the generated ids of one padded batch, each row cut after its first EOS.

Training data: scripts/fixture-data/stop-pairs.tsv (French<TAB>English, used both ways) and
scripts/fixture-data/stop-summaries.tsv (article<TAB>summary), written for this purpose.
The tokenizer and config files come from /work/shared/real-models (or $TANDEM_REAL_MODELS).

Takes about 5 minutes on 2 free CPU cores, up to about 15 while a build competes for them: three trainings of
230-280 full-batch AdamW steps (until the loss is 0.01), then about 30 s of generation.
Run it with the Python of scripts/python-env.sh (torch 2.4.0, transformers 4.46.3);
the result is deterministic for given versions and thread count (torch.set_num_threads(2)).
"""
import json
import os
import shutil
import statistics
import sys
import time

import torch
import transformers
from transformers import (AutoTokenizer, BartConfig, BartForConditionalGeneration, MarianConfig, MarianMTModel,
                          MarianTokenizer)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "scripts", "fixture-data")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
REAL = os.environ.get("TANDEM_REAL_MODELS", os.path.join(os.path.dirname(ROOT), "shared", "real-models"))
if not os.path.isdir(REAL):
    REAL = os.path.join(ROOT, "shared", "real-models")
SEED = 20251201
LR = 3e-3
MAX_STEPS = 800
TARGET_LOSS = 0.01
MAX_WEIGHTS_BYTES = 8_500_000

SMALL = {"d_model": 64, "encoder_layers": 2, "decoder_layers": 2, "encoder_attention_heads": 4,
         "decoder_attention_heads": 4, "encoder_ffn_dim": 128, "decoder_ffn_dim": 128, "num_hidden_layers": 2}
MARIAN_FILES = ["source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "special_tokens_map.json"]
BART_FILES = ["vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]


def read_tsv(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for row in rows:
        assert len(row) == 2 and all(p == p.strip() and "  " not in p for p in row), row
    return rows


PAIRS = read_tsv("stop-pairs.tsv")  # [french, english]
SUMMARIES = read_tsv("stop-summaries.tsv")  # [article, summary]


# --- the same helpers as scripts/make-test-models.py, so the fixtures read the same way ---------------------

def first_eos_cut(ids, eos, pad):
    out = []
    for i, t in enumerate(ids):
        if i > 0 and t == pad and (not out or out[-1] == eos or out[-1] == pad):
            break
        out.append(t)
        if i > 0 and t == eos:
            break
    return out


def input_ids_of(tok, inputs):
    return [tok(text)["input_ids"] for text in inputs]


def save_parity(name, inputs, tok, results):
    os.makedirs(os.path.join(FIXTURES, "parity"), exist_ok=True)
    doc = {"model": name, "generated_by": "scripts/make-stopping-models.py",
           "transformers_version": transformers.__version__, "torch_version": torch.__version__,
           "inputs": inputs, "input_ids": input_ids_of(tok, inputs), "cases": results}
    path = os.path.join(FIXTURES, "parity", f"{name}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return path


# --- models ---------------------------------------------------------------------------------------------------

def real_json(real, name):
    with open(os.path.join(REAL, real, name), encoding="utf-8") as f:
        return json.load(f)


def write_json(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=False)
        f.write("\n")


def small_config(real):
    doc = real_json(real, "config.json")
    for key in SMALL:
        assert key in doc, (real, key)
    doc.update(SMALL)
    return doc


def place_side_files(out, real, files, config):
    """The real tokenizer files, the shrunk real config.json and the real generation_config.json, byte for byte."""
    for name in files + ["generation_config.json"]:
        shutil.copyfile(os.path.join(REAL, real, name), os.path.join(out, name))
    write_json(os.path.join(out, "config.json"), config)


def seq2seq_loss(model, input_ids, attention_mask, labels):
    """model(input_ids, attention_mask, labels=labels).loss, computed faster: the same decoder inputs
    (shift_tokens_right of the labels), the same mean cross-entropy over the positions whose label is not -100,
    but the 59514-wide output layer applied to those positions only, not to the label padding."""
    config = model.config
    decoder_input_ids = labels.new_full(labels.shape, config.pad_token_id)
    decoder_input_ids[:, 1:] = labels[:, :-1]
    decoder_input_ids[:, 0] = config.decoder_start_token_id
    decoder_input_ids[decoder_input_ids == -100] = config.pad_token_id
    hidden = model.model(input_ids=input_ids, attention_mask=attention_mask,
                         decoder_input_ids=decoder_input_ids).last_hidden_state
    keep = labels != -100
    logits = model.lm_head(hidden[keep]) + model.final_logits_bias[0]
    return torch.nn.functional.cross_entropy(logits, labels[keep])


def train(model, batch, label_pad, name):
    """Full-batch AdamW until the loss is TARGET_LOSS or less. Dropout is off (eval mode) for a steadier fit."""
    torch.manual_seed(SEED)
    labels = batch["labels"].clone()
    labels[labels == label_pad] = -100  # what DataCollatorForSeq2Seq does with label padding
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"], "labels": labels}
    model.eval()
    with torch.no_grad():  # the shortcut is the library's loss
        reference = model(**inputs).loss.item()
        assert abs(seq2seq_loss(model, **inputs).item() - reference) < 1e-4 * max(1.0, reference)
    print(f"[{name}] {labels.shape[0]} pairs, {int((labels != -100).sum())} target tokens, "
          f"{int(batch['attention_mask'].sum())} source tokens", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=LR)
    start = time.time()
    loss = None
    for step in range(1, MAX_STEPS + 1):
        loss = seq2seq_loss(model, **inputs)
        opt.zero_grad()
        loss.backward()
        opt.step()
        value = loss.item()
        if step % 50 == 0 or step == 1 or value <= TARGET_LOSS:
            print(f"[{name}] step {step:4d} loss {value:.4f} ({time.time() - start:.0f} s)", flush=True)
        if value <= TARGET_LOSS:
            break
    seconds = time.time() - start
    assert value <= 0.05, f"{name}: training did not converge (loss {value:.4f} after {step} steps)"
    return {"final_loss": value, "steps": step, "train_seconds": round(seconds, 1)}


def build(name, real, files, config_cls, model_cls, tok_loader, sources, targets, seed):
    out = os.path.join(FIXTURES, "models", name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    config = small_config(real)
    place_side_files(out, real, files, config)
    tok = tok_loader(out)
    batch = tok(sources, text_target=targets, padding=True, return_tensors="pt")
    torch.manual_seed(seed)
    model = model_cls(config_cls.from_pretrained(out))
    stats = train(model, batch, tok.pad_token_id, name)
    # Stored in float16 (half the bytes in the repository); the published config.json put back below says
    # float32, so transformers (and tandem) widen the weights on loading and every reference output is computed
    # from exactly these rounded values.
    model.half().save_pretrained(out, safe_serialization=True)
    # save_pretrained moves the generation fields out of config.json and writes its own generation_config.json:
    # put the published files back (the weights in model.safetensors are what it wrote).
    place_side_files(out, real, files, config)
    assert sorted(os.listdir(out)) == sorted(files + ["config.json", "generation_config.json", "model.safetensors"])
    size = os.path.getsize(os.path.join(out, "model.safetensors"))
    assert size < MAX_WEIGHTS_BYTES, (name, size)
    stats["weights_bytes"] = size
    return out, stats


# --- generation -----------------------------------------------------------------------------------------------

def run_case(model, enc, settings, eos, pad):
    with torch.no_grad():
        out = model.generate(**enc, **settings)
    return [first_eos_cut(row.tolist(), eos, pad) for row in out]


def natural(rows, eos, max_length):
    """Lengths (decoder start and EOS included) of rows that ended with EOS before max_length."""
    return [len(r) for r in rows if r[-1] == eos and len(r) < max_length]


def summarize(name, rows, eos, max_length):
    lengths = [len(r) for r in rows]
    stopped = natural(rows, eos, max_length)
    at_max = sum(1 for n in lengths if n >= max_length)
    print(f"  {name:18s} lengths {lengths}  min {min(lengths)} median {statistics.median(lengths)} "
          f"max {max(lengths)}  at max_length {at_max}/{len(rows)}", flush=True)
    assert 2 * len(stopped) >= len(rows), f"{name}: fewer than half the rows stopped at EOS before max_length"
    assert len(set(lengths)) > 1, f"{name}: every row has the same length"
    return {"lengths": lengths, "min": min(lengths), "median": statistics.median(lengths), "max": max(lengths),
            "at_max_length": at_max}


def binding_min_length(rows, eos, max_length, binds_on=3):
    """A min_length larger than the natural length of at least `binds_on` rows (the shortest ones)."""
    lengths = sorted(natural(rows, eos, max_length))
    assert len(lengths) >= binds_on
    return lengths[binds_on - 1] + 2


def check_binding(name, reference, rows, min_length, eos, max_length, at_least):
    bound = [i for i, r in enumerate(reference) if r[-1] == eos and len(r) < min_length]
    assert len(bound) >= at_least, f"{name}: min_length {min_length} binds on {len(bound)} rows only"
    for i in bound:
        assert len(rows[i]) >= min_length, (name, i)
    print(f"  {name}: min_length {min_length} binds on rows {bound}", flush=True)


def check_alone(model, tok, inputs, settings, batch_rows, eos, pad):
    """transformers' own consistency: each input generated alone gives its batch row."""
    differ = []
    for i, text in enumerate(inputs):
        alone = run_case(model, tok([text], return_tensors="pt"), settings, eos, pad)[0]
        if alone != batch_rows[i]:
            differ.append(i)
            print(f"  row {i} differs alone: batch {batch_rows[i]} alone {alone}", flush=True)
    assert not differ, f"rows {differ} differ between batch and alone"
    print(f"  greedy: each of the {len(inputs)} inputs alone gives its batch row", flush=True)


def generate_all(name, out, inputs, plan):
    """Reload the folder as a user would and run the cases; `plan` fills in settings from earlier results."""
    model = model_of(name).from_pretrained(out).eval()
    tok = AutoTokenizer.from_pretrained(out)
    gen = model.generation_config
    eos, pad = gen.eos_token_id, gen.pad_token_id
    enc = tok(inputs, return_tensors="pt", padding=True)
    print(f"[{name}] generating for {len(inputs)} inputs (tokens: {[len(x) for x in input_ids_of(tok, inputs)]})")
    results, report, rows_of = [], {}, {}
    for case_name, settings, keep in plan(lambda n: rows_of[n], eos):
        rows = run_case(model, enc, settings, eos, pad)
        rows_of[case_name] = rows
        if not keep:
            continue
        report[case_name] = summarize(case_name, rows, eos, settings["max_length"])
        results.append({"name": case_name, "settings": dict(settings), "output_ids": rows,
                        "output_text": tok.batch_decode(rows, skip_special_tokens=True)})
    check_alone(model, tok, inputs, results[0]["settings"], rows_of["greedy"], eos, pad)
    path = save_parity(name, inputs, tok, results)
    return path, report, rows_of


def model_of(name):
    return BartForConditionalGeneration if "bart" in name else MarianMTModel


def marian_plan(rows_of, eos):
    greedy = {"num_beams": 1, "do_sample": False, "max_length": 64, "min_length": 0, "no_repeat_ngram_size": 0}
    yield "greedy", greedy, True
    m = binding_min_length(rows_of("greedy"), eos, 64)
    yield "greedy_min_length", dict(greedy, min_length=m), True
    check_binding("greedy_min_length", rows_of("greedy"), rows_of("greedy_min_length"), m, eos, 64, 3)
    beam = {"num_beams": 4, "do_sample": False, "max_length": 64, "min_length": 0, "no_repeat_ngram_size": 0,
            "length_penalty": 1.0, "early_stopping": True}
    yield "beam4_early", beam, True
    yield "beam4_not_early", dict(beam, early_stopping=False), True
    yield "beam4_lp05", dict(beam, length_penalty=0.5), True
    yield "beam4_lp2", dict(beam, length_penalty=2.0), True
    yield "beam4_no_repeat", dict(beam, no_repeat_ngram_size=3, min_length=2), True
    # min_length binding in beam search: with renormalize_logits the banned EOS mass is shared out again
    mb = binding_min_length(rows_of("beam4_early"), eos, 64)
    yield "beam4_min_length", dict(beam, min_length=mb), True
    check_binding("beam4_min_length", rows_of("beam4_early"), rows_of("beam4_min_length"), mb, eos, 64, 3)
    # what `tandem translate` runs: the folder's own generation config (beam 4, max_length 512, no early stop)
    yield "generation_config", {"num_beams": 4, "do_sample": False, "max_length": 512, "min_length": 0,
                                "no_repeat_ngram_size": 0, "length_penalty": 1.0, "early_stopping": False}, True
    # a max_length that about a third of the rows reach; beam search can end differently under a smaller
    # max_length, so each candidate is tried
    early = rows_of("beam4_early")
    target = round(len(early) / 3)
    for m in short_max_candidates(early):
        yield f"probe_max_{m}", dict(beam, max_length=m), False
        if sum(1 for r in rows_of(f"probe_max_{m}") if len(r) >= m) <= target + 1:
            break
    yield "beam4_short_max", dict(beam, max_length=m), True


def short_max_candidates(rows):
    """max_lengths one less than the length of the (n/3)-th, then ever fewer, longest rows, skipping values
    at which some row stops, so that a row that reaches max_length is one that was cut."""
    lengths = sorted(len(r) for r in rows)
    n = len(lengths)
    seen = []
    for cut in range(max(1, round(n / 3)), 0, -1):
        m = lengths[n - cut] - 1
        if m not in lengths and m not in seen:
            seen.append(m)
    assert seen, f"no max_length cuts some of the rows: {lengths}"
    return seen


def bart_plan(rows_of, eos):
    greedy = {"num_beams": 1, "do_sample": False, "max_length": 80, "min_length": 10, "no_repeat_ngram_size": 3}
    yield "greedy", greedy, True
    beam = {"num_beams": 4, "do_sample": False, "max_length": 80, "min_length": 10, "no_repeat_ngram_size": 3,
            "length_penalty": 2.0, "early_stopping": True}
    yield "probe_beam", beam, False  # only to choose a min_length that binds in beam4_cnn
    m = binding_min_length(rows_of("probe_beam"), eos, 80, binds_on=2)
    beam = dict(beam, min_length=m)
    yield "beam4_cnn", beam, True
    check_binding("beam4_cnn", rows_of("probe_beam"), rows_of("beam4_cnn"), m, eos, 80, 2)
    yield "beam4_not_early", dict(beam, early_stopping=False, length_penalty=1.0), True
    yield "beam4_lp05", dict(beam, length_penalty=0.5), True
    g = binding_min_length(rows_of("greedy"), eos, 80)
    yield "greedy_min_length", dict(greedy, min_length=g), True
    check_binding("greedy_min_length", rows_of("greedy"), rows_of("greedy_min_length"), g, eos, 80, 3)
    # what `tandem brief` runs: distilbart-cnn-12-6's own settings (min_length 56 binds on every row)
    yield "generation_config", {"num_beams": 4, "do_sample": False, "max_length": 142, "min_length": 56,
                                "no_repeat_ngram_size": 3, "length_penalty": 2.0, "early_stopping": True}, True


WHITESPACE_LINES = [
    "Le maire  a annoncé\tlundi une hausse de 3\u202f% des tarifs. ",
    "«\u00a0Nous irons jusqu'au bout\u00a0», a déclaré M.\u00a0Dupont,  samedi.",
    "Le budget\u2009: 12\u2009500\u2009000 euros  pour   2026.",
    "The mayor  said\ton Monday that fares will rise by 3%. ",
    "\tLe pont rouvrira le 3\u00a0mars.  ",
]


def write_whitespace_fixture():
    """parity/marian-whitespace.json: MarianTokenizer's ids (real opus-mt SentencePiece files, nmt_nfkc) for lines
    with tabs, double, trailing, no-break and thin spaces, as scraped news has them."""
    doc = {}
    for name in ["stop-marian-fr-en", "stop-marian-en-fr"]:
        tok = MarianTokenizer.from_pretrained(os.path.join(FIXTURES, "models", name))
        doc[name] = {"texts": WHITESPACE_LINES, "ids": [tok(t)["input_ids"] for t in WHITESPACE_LINES]}
    with open(os.path.join(FIXTURES, "parity", "marian-whitespace.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False)


def main():
    if "--whitespace-only" in sys.argv:
        write_whitespace_fixture()
        return
    if not transformers.__version__.startswith("4.46"):
        print(f"warning: fixtures were made with transformers 4.46.x, this is {transformers.__version__}",
              file=sys.stderr)
    torch.set_num_threads(2)
    fr = [p[0] for p in PAIRS]
    en = [p[1] for p in PAIRS]
    # Training rows of very different lengths, and a few sentences the models never saw: on those the tiny
    # models hesitate, so greedy and the beam settings part ways (lengths differ between cases, not only rows).
    picks = [0, 25, 11, 3, 18, 4, 10, 6, 8, 12, 19, 29]
    fr_inputs = [fr[i] for i in picks] + [
        "Le ministre a annoncé une nouvelle loi.", "Bonjour.", "Les prix de l'énergie ont augmenté cette semaine.",
        "Demain, les trains resteront à quai.", "Le président a annoncé la fermeture du musée pendant deux ans."]
    en_inputs = [en[i] for i in picks] + [
        "The mayor announced a new law.", "Good morning.", "The government promised schools.",
        "Tomorrow the trains will stay in the station.", "Farmers are asking for help.", "The new bridge will open."]
    articles = [s[0] for s in SUMMARIES]
    bart_inputs = [articles[i] for i in (2, 6, 11, 8, 1, 9, 0, 4, 12, 14)] + [
        "The mayor opened a new park on Saturday. Children played in the fountains. The park has a small lake.",
        "The minister resigned on Friday.",
        "Police arrested two men after a robbery at a jewellery shop on Friday night. The suspects were caught a few "
        "streets away thanks to a witness. A fire destroyed a warehouse near the port on Sunday morning. "
        "Firefighters worked for six hours to put out the flames.",
        "A new high-speed train line between the capital and the coast was inaugurated on Thursday. The journey now "
        "takes less than two hours instead of four. The line took eight years to build and cost several billion euros.",
        articles[7].replace("frog", "bird")]

    summary = {}
    jobs = [
        ("stop-marian-fr-en", "opus-mt-fr-en", MARIAN_FILES, MarianConfig, MarianMTModel, MarianTokenizer.from_pretrained,
         fr, en, fr_inputs, marian_plan),
        ("stop-marian-en-fr", "opus-mt-en-fr", MARIAN_FILES, MarianConfig, MarianMTModel, MarianTokenizer.from_pretrained,
         en, fr, en_inputs, marian_plan),
        ("stop-bart-cnn", "distilbart-cnn-12-6", BART_FILES, BartConfig, BartForConditionalGeneration,
         AutoTokenizer.from_pretrained, articles, [s[1] for s in SUMMARIES], bart_inputs, bart_plan),
    ]
    for k, (name, real, files, config_cls, model_cls, tok_loader, src, tgt, inputs, plan) in enumerate(jobs):
        out, stats = build(name, real, files, config_cls, model_cls, tok_loader, src, tgt, SEED + k)
        path, report, _ = generate_all(name, out, inputs, plan)
        stats["folder_bytes"] = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
        summary[name] = {"training": stats, "cases": report, "parity": os.path.relpath(path, ROOT)}
    print(json.dumps({n: {"training": s["training"],
                          "cases": {c: {k: v for k, v in r.items() if k != "lengths"} for c, r in s["cases"].items()}}
                      for n, s in summary.items()}, indent=1))
    write_whitespace_fixture()
    print(f"wrote the stopping models and their parity fixtures under {FIXTURES}")


if __name__ == "__main__":
    main()
