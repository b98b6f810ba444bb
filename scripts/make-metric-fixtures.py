#!/usr/bin/env python3
"""Compute the reference values that prove `tandem::metrics` equal to rouge-score and sacreBLEU.

Writes tests/fixtures/metrics/reference.json (deterministic: same input, same bytes) with, for every
English and French candidate/reference pair written below:
  * the tokens of rouge-score's own tokenizer (with and without its Porter stemmer), of the Unicode
    tokenizer that tandem adds for French, and of sacreBLEU's 13a tokenizer;
  * ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum (precision, recall, F1) from `rouge_score.RougeScorer`,
    with its default ASCII tokenizer and with the Unicode tokenizer, each with and without stemming;
  * sentence-level chrF (`sacrebleu.sentence_chrf`, defaults) and BLEU (`sacrebleu.sentence_bleu`,
    defaults: 13a, 'exp' smoothing, effective order) with BLEU's sufficient statistics;
and corpus-level chrF and BLEU (`sacrebleu.corpus_chrf` / `sacrebleu.corpus_bleu`, defaults) over groups
of pairs, plus the stems nltk's PorterStemmer gives a few thousand words.

The Unicode tokenizer has no Python reference of its own (rouge-score has none). Its ROUGE values are
therefore computed by rouge-score's real `RougeScorer`, given the small tokenizer object
`UnicodeTokenizer` below, which states the definition tandem implements: lowercase (str.lower), tokens
are maximal runs of characters that are Unicode Alphabetic or of general category N (Rust's
`char::is_alphanumeric`), stemming (optional) as rouge-score does it, only for tokens longer than three
characters.

Reference environment (the versions are also written into the JSON):
    python3 -m venv /root/.cache/tandem/metricsenv
    /root/.cache/tandem/metricsenv/bin/pip install rouge-score==0.1.2 sacrebleu==2.6.0 nltk==3.10.4
    (regex==2026.11.15 came with nltk; Python 3.11.7)
Run from the repository root:
    /root/.cache/tandem/metricsenv/bin/python scripts/make-metric-fixtures.py
"""
import importlib.metadata
import json
import os
import random
import re
import sys

import nltk
import regex
import sacrebleu
from nltk.stem import porter
from rouge_score import rouge_scorer, tokenize, tokenizers

ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "metrics",
                   "reference.json")


class UnicodeTokenizer(tokenizers.Tokenizer):
    """tandem's Unicode tokenizer for French (deliberately not rouge-score's ASCII one)."""

    _TOKEN_RE = regex.compile(r"[\p{Alphabetic}\p{N}]+")

    def __init__(self, use_stemmer=False):
        self._stemmer = porter.PorterStemmer() if use_stemmer else None

    def tokenize(self, text):
        tokens = self._TOKEN_RE.findall(text.lower())
        if self._stemmer:
            # Same rule as rouge_score.tokenize: only stem words more than 3 characters long.
            tokens = [self._stemmer.stem(x) if len(x) > 3 else x for x in tokens]
        return tokens


LONG_EN_REF = (
    "The city council approved a new transport plan on Tuesday after a debate that lasted more than "
    "six hours. The plan promises forty new electric buses by the end of next year, a tram line that "
    "will connect the northern suburbs with the old harbour, and a network of protected cycle lanes "
    "along the main avenues. Supporters said the changes were overdue: traffic jams cost local "
    "businesses millions every year, and air quality in the centre has been among the worst in the "
    "region for a decade. Opponents argued that the budget of 320 million euros was unrealistic and "
    "that shopkeepers on the avenues would lose customers while the works went on. The mayor told "
    "reporters that the first buses would arrive in the spring and that the tram would be built in "
    "three phases so that no district would be cut off at any time. She also announced a public "
    "consultation on fares, which could fall for students and pensioners. Residents of the northern "
    "suburbs, who today need more than an hour to reach the centre by bus, welcomed the decision. "
    "\"We have waited twenty years for this,\" said one commuter at the station. Environmental groups "
    "praised the cycle lanes but asked for more trees and wider pavements. The regional government "
    "has promised to pay for half of the tram, and the European Union may cover part of the rest. "
    "Construction of the first phase is expected to begin in eighteen months, once the final studies "
    "are complete and the contracts have been awarded. Until then, the council will test new bus "
    "routes and longer opening hours for the park-and-ride car parks at the edge of the city."
)
LONG_EN_CAND = (
    "On Tuesday the city council approved a new transport plan after a six-hour debate. It promises "
    "40 new electric buses by the end of next year, a tram line linking the northern suburbs to the "
    "old harbour, and protected cycle lanes along the main avenues. Supporters said the changes were "
    "long overdue because traffic jams cost local businesses millions each year and the air in the "
    "centre is among the worst in the region. Opponents said the 320 million euro budget was "
    "unrealistic and that shops on the avenues would lose customers during the works. The mayor said "
    "the first buses would arrive in spring and the tram would be built in three phases so that no "
    "district is ever cut off. A public consultation on fares will follow; fares could fall for "
    "students and pensioners. People in the northern suburbs, who now spend over an hour on the bus "
    "to reach the centre, welcomed the vote. Environmental groups praised the cycle lanes but wanted "
    "more trees. The regional government will pay for half of the tram and the European Union may "
    "pay part of the rest. Work on the first phase should begin in eighteen months. Meanwhile the "
    "council will test new bus routes and keep the park-and-ride car parks open longer."
)
LONG_FR_REF = (
    "Le conseil municipal a adopté mardi un nouveau plan de transport après un débat de plus de six "
    "heures. Le plan prévoit quarante nouveaux bus électriques d'ici la fin de l'année prochaine, une "
    "ligne de tramway qui reliera les banlieues du nord au vieux port, ainsi qu'un réseau de pistes "
    "cyclables protégées le long des grandes avenues. Les partisans du projet ont estimé que ces "
    "changements étaient attendus depuis longtemps : les embouteillages coûtent chaque année des "
    "millions aux entreprises locales, et la qualité de l'air du centre-ville figure parmi les pires "
    "de la région depuis dix ans. Les opposants ont jugé irréaliste le budget de 320 millions d'euros "
    "et craignent que les commerçants des avenues ne perdent des clients pendant les travaux. La "
    "maire a déclaré aux journalistes que les premiers bus arriveraient au printemps et que le tramway "
    "serait construit en trois phases, afin qu'aucun quartier ne soit coupé du reste de la ville. Elle "
    "a également annoncé une consultation publique sur les tarifs, qui pourraient baisser pour les "
    "étudiants et les retraités. « Nous attendons cela depuis vingt ans », a confié un usager à la "
    "gare. Les associations écologistes ont salué les pistes cyclables mais réclament davantage "
    "d'arbres et des trottoirs plus larges. La région s'est engagée à financer la moitié du tramway ; "
    "l'Union européenne pourrait couvrir une partie du reste. Les travaux de la première phase "
    "devraient commencer dans dix-huit mois, une fois les études terminées et les marchés attribués."
)
LONG_FR_CAND = (
    "Mardi, le conseil municipal a adopté un nouveau plan de transport à l'issue d'un débat de six "
    "heures. Il prévoit 40 bus électriques supplémentaires d'ici la fin de l'année prochaine, un "
    "tramway entre les banlieues nord et le vieux port et des pistes cyclables protégées sur les "
    "grandes avenues. Pour ses partisans, ces changements se faisaient attendre : les bouchons coûtent "
    "des millions aux entreprises locales et l'air du centre-ville est l'un des plus pollués de la "
    "région. Les opposants jugent le budget de 320 millions d'euros irréaliste et s'inquiètent pour "
    "les commerçants pendant les travaux. Selon la maire, les premiers bus arriveront au printemps et "
    "le tramway sera construit en trois phases pour qu'aucun quartier ne soit isolé. Une consultation "
    "publique sur les tarifs suivra ; ils pourraient baisser pour les étudiants et les retraités. Les "
    "écologistes saluent les pistes cyclables mais veulent plus d'arbres. La région financera la "
    "moitié du tramway et l'Union européenne une partie du reste. Les travaux débuteront dans "
    "dix-huit mois."
)

# (id, language, candidate, reference)
PAIRS = [
    ("en-identical", "en", "The cat sat on the mat.", "The cat sat on the mat."),
    ("en-empty-candidate", "en", "", "The government announced new measures on Monday."),
    ("en-empty-reference", "en", "The government announced new measures on Monday.", ""),
    ("en-both-empty", "en", "", ""),
    ("en-whitespace-only", "en", "   \n\t ", "Prices rose."),
    ("en-disjoint", "en", "Quick brown foxes jump.", "Lazy dogs sleep all day"),
    ("en-four-words", "en", "the cat sat down", "the cat lay down"),
    ("en-one-word", "en", "Storm", "storm"),
    ("en-short-partial", "en", "Police arrested two men in Leeds.",
     "Two men were arrested by police in Leeds on Friday."),
    ("en-reordered", "en", "on Monday the minister resigned", "the minister resigned on Monday"),
    ("en-stemming", "en",
     "The runners were running quickly towards the finishing lines, hoping for victories.",
     "A runner runs quick toward the finish line and hopes for victory."),
    ("en-stemming-2", "en",
     "Generalizations about organizational effectiveness are controversial; relational databases "
     "hopefully normalize conditional dependencies.",
     "The generalization of the organization's effective control was hopeful and relating to "
     "conditions dependent on normalized data."),
    ("en-punctuation", "en",
     "\"Wait -- what?!\" she asked... (Really?) Yes: [no]; {maybe} <tag> a/b @home #1 $5 & 50% ~ ^ _ |",
     "\"Wait, what?\" she asked. Really? Yes; no -- maybe <tag> a/b at home #1 $5 & 50 % ~ ^_|"),
    ("en-numbers", "en",
     "GDP grew 2.5% in Q3 2024, to $1,234.56 billion; unemployment fell to 4.1 per cent (from 4.3).",
     "In the third quarter of 2024 GDP grew by 2.5 %, reaching 1,234.56 billion dollars, while "
     "unemployment dropped from 4.3 to 4.1 per cent."),
    ("en-dashes-and-dots", "en",
     "The 1990-2000 period saw 3-4 wars. Mr. Smith, Dr. Jones and U.S. officials met at 10.30.",
     "During 1990 - 2000 there were three or four wars. Mr Smith, Dr Jones and US officials met at "
     "10:30."),
    ("en-html-entities", "en",
     "Profits &amp; losses &lt;rose&gt; as &quot;expected&quot; <skipped> by 3-\nfold.",
     "Profits & losses <rose> as \"expected\" by threefold."),
    ("en-multi-sentence", "en",
     "The storm hit the coast on Sunday.\nThousands of homes lost power.\nSchools will stay closed.",
     "A powerful storm struck the coast on Sunday night.\nAbout ten thousand homes lost power.\n"
     "Officials said schools would remain closed on Monday.\nRepairs could take a week."),
    ("en-multi-sentence-reordered", "en",
     "Schools will stay closed.\nThe storm hit the coast.\n\nPower was lost in thousands of homes.",
     "The storm hit the coast on Sunday.\nThousands of homes lost power.\nSchools will stay closed."),
    ("en-repeated-words", "en", "the the the the the cat cat", "the cat sat on the mat the end"),
    ("en-repeated-phrases", "en",
     "very very good news, very very good news indeed",
     "good news, very good news and more good news"),
    ("en-case-and-unicode", "en",
     "Ünïcode CAFÉ naïve résumé İstanbul Kelvin: 5\u212a; coöperate",
     "unicode cafe naive resume istanbul kelvin 5k cooperate"),
    ("en-apostrophes", "en",
     "It's the government's decision, isn't it? They'd've known.",
     "It is the decision of the government, is it not? They would have known."),
    ("en-crlf-and-tabs", "en", "First line.\r\nSecond\tline here.\r\n",
     "First line.\nSecond line here."),
    ("en-trailing-space", "en", "Markets fell sharply today .  ", "Markets fell sharply today."),
    ("en-long", "en", LONG_EN_CAND, LONG_EN_REF),
    ("fr-identical", "fr", "Le président a démissionné.", "Le président a démissionné."),
    ("fr-accents", "fr",
     "Le gouvernement a annoncé lundi de nouvelles mesures économiques pour l'été.",
     "Lundi, le gouvernement français a dévoilé des mesures économiques inédites avant l'été."),
    ("fr-accents-2", "fr",
     "Les élèves étaient très déçus : l'école a fermé à cause des intempéries.",
     "Les écoles ont fermé à cause des intempéries, au grand désespoir des élèves."),
    ("fr-punctuation", "fr",
     "« C'est inacceptable ! » a-t-il déclaré ; « nous irons jusqu'au bout… »",
     "« C’est inacceptable », a déclaré le syndicaliste : « nous irons jusqu’au bout ! »"),
    ("fr-numbers", "fr",
     "Le chômage a reculé de 0,3 point à 7,1 % au troisième trimestre 2024 (contre 7,4 %).",
     "Au 3e trimestre 2024, le taux de chômage est passé de 7,4 % à 7,1 %, soit 0,3 point de moins."),
    ("fr-multi-sentence", "fr",
     "La tempête a frappé la côte dimanche.\nDes milliers de foyers sont privés d'électricité.\n"
     "Les écoles resteront fermées.",
     "Une violente tempête a touché la côte dimanche soir.\nQuelque dix mille foyers ont été privés "
     "d'électricité.\nLes écoles resteront fermées lundi, selon la préfecture."),
    ("fr-ligatures-and-caps", "fr",
     "ŒUVRES D'ART À L'ÉTAT BRUT : cœur, sœur, Noël, maïs, Ça ira.",
     "Œuvres d'art à l'état brut : cœur, sœur, noël, mais ça ira."),
    ("fr-repeated-words", "fr",
     "très très très bien, vraiment très bien", "c'est très bien, vraiment bien"),
    ("fr-empty-candidate", "fr", "", "Le Premier ministre s'exprimera ce soir à 20 heures."),
    ("fr-disjoint", "fr", "Éléphants à Genève", "Crise politique majeure"),
    ("fr-long", "fr", LONG_FR_CAND, LONG_FR_REF),
]

CORPORA = {
    "en": [p[0] for p in PAIRS if p[1] == "en"],
    "fr": [p[0] for p in PAIRS if p[1] == "fr"],
    "all": [p[0] for p in PAIRS],
    "en-nonempty": [p[0] for p in PAIRS if p[1] == "en" and p[2].strip() and p[3].strip()],
    "fr-short": ["fr-accents", "fr-accents-2", "fr-punctuation"],
    "single-en-four-words": ["en-four-words"],
}


def score_dict(score):
    return {"precision": float(score.precision), "recall": float(score.recall),
            "fmeasure": float(score.fmeasure)}


def rouge_all(scorer, cand, ref):
    scores = scorer.score(ref, cand)  # rouge-score takes (target, prediction)
    return {t: score_dict(scores[t]) for t in ROUGE_TYPES}


def bleu_dict(b):
    return {"score": b.score, "counts": list(b.counts), "totals": list(b.totals),
            "precisions": list(b.precisions), "bp": b.bp, "sys_len": b.sys_len, "ref_len": b.ref_len}


def porter_vocabulary():
    """A few thousand words: English prose shipped with Python and nltk, suffix combinations that hit
    every Porter rule, and seeded random letter strings (Python's random is stable across versions)."""
    words = set()
    import pydoc_data.topics
    for text in pydoc_data.topics.topics.values():
        words.update(re.findall(r"[a-z]+", text.lower()))
    test_dir = os.path.join(os.path.dirname(nltk.__file__), "test")
    for name in ("stem.doctest", "metrics.doctest", "probability.doctest", "tokenize.doctest"):
        path = os.path.join(test_dir, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                words.update(re.findall(r"[a-z]+", f.read().lower()))
    stems = ["relat", "condit", "valen", "hesit", "digit", "conform", "radic", "differ", "vil",
             "analog", "vietnam", "predic", "oper", "feud", "decis", "hope", "call", "form",
             "sensit", "sensib", "triplic", "electr", "good", "reviv", "allow", "infer", "airlin",
             "gyroscop", "adjust", "defens", "irrit", "replac", "depend", "adopt", "homolog",
             "commun", "activ", "angular", "effect", "bowdler", "prob", "rat", "ceas", "controll",
             "roll", "fe", "agr", "plast", "bl", "mot", "s", "conflat", "troubl", "siz", "hopp",
             "tann", "fall", "hiss", "fizz", "fail", "fil", "happ", "sk", "enjo", "sp", "fl", "tr",
             "d", "l", "t", "geo", "theo", "archaeo", "philo", "y", "yy", "toy", "syzyg", "by",
             "ivy", "oat", "tree", "orrer", "priv", "troubl", "a", "e", "i", "o", "u", "w", "x",
             "bow", "box", "play", "cry", "sly", "gen", "ion", "stat", "nation", "abl", "ful"]
    suffixes = ["", "s", "es", "sses", "ies", "ss", "ied", "eed", "ed", "ing", "y", "ational",
                "tional", "enci", "anci", "izer", "bli", "abli", "alli", "entli", "eli", "ousli",
                "ization", "ation", "ator", "alism", "iveness", "fulness", "ousness", "aliti",
                "iviti", "biliti", "fulli", "logi", "icate", "ative", "alize", "iciti", "ical", "ful",
                "ness", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment",
                "ent", "sion", "tion", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize", "e",
                "ll", "at", "bl", "iz", "ly", "ably", "ingly", "edly", "ings", "ations", "ers"]
    for s in stems:
        for suf in suffixes:
            words.add(s + suf)
    rng = random.Random(20240611)
    alphabet = "aeiouyyybcdfghlmnprstvwxz"
    for _ in range(3000):
        n = rng.randint(1, 12)
        words.add("".join(rng.choice(alphabet) for _ in range(n)))
    for _ in range(300):
        words.add("".join(rng.choice(alphabet) for _ in range(rng.randint(2, 8))) +
                  rng.choice(suffixes))
    # Irregular forms of nltk's NLTK_EXTENSIONS mode, and long runs of 'y'.
    words.update(["sky", "skies", "dying", "lying", "tying", "news", "innings", "inning", "outings",
                  "outing", "cannings", "canning", "howe", "proceed", "exceed", "succeed", "dies",
                  "flies", "died", "spied", "yyyyyy", "yyyyyyy", "ayyyyy", "ayyyyyy", "ies", "ied",
                  "eed", "ing", "ed", "ss", "ll", "at", "ii", "aa"])
    # Non-ASCII words (the Unicode tokenizer may stem French words too).
    words.update(["généralisation", "éléphants", "communiqués", "décidément", "réalité", "naïveté",
                  "cœurs", "œuvres", "ça", "élèves", "inédites", "électricité", "dévoilé"])
    return sorted(words)


def main():
    stemmer = porter.PorterStemmer()
    scorers = {
        "ascii": rouge_scorer.RougeScorer(ROUGE_TYPES, use_stemmer=False),
        "ascii_stem": rouge_scorer.RougeScorer(ROUGE_TYPES, use_stemmer=True),
        "unicode": rouge_scorer.RougeScorer(ROUGE_TYPES, tokenizer=UnicodeTokenizer(False)),
        "unicode_stem": rouge_scorer.RougeScorer(ROUGE_TYPES, tokenizer=UnicodeTokenizer(True)),
    }
    tok13a = sacrebleu.BLEU(tokenize="13a").tokenizer
    pairs_out = []
    by_id = {}
    for pid, lang, cand, ref in PAIRS:
        assert pid not in by_id, pid
        by_id[pid] = (cand, ref)
        entry = {
            "id": pid,
            "lang": lang,
            "candidate": cand,
            "reference": ref,
            "tokens": {
                "ascii": tokenize.tokenize(cand, None),
                "ascii_stem": tokenize.tokenize(cand, stemmer),
                "unicode": UnicodeTokenizer(False).tokenize(cand),
                "unicode_stem": UnicodeTokenizer(True).tokenize(cand),
                "13a": tok13a(cand.rstrip()),
            },
            "rouge": {name: rouge_all(sc, cand, ref) for name, sc in scorers.items()},
            "chrf": sacrebleu.sentence_chrf(cand, [ref]).score,
            "bleu": bleu_dict(sacrebleu.sentence_bleu(cand, [ref])),
        }
        pairs_out.append(entry)

    corpora_out = []
    for name, ids in CORPORA.items():
        hyps = [by_id[i][0] for i in ids]
        refs = [by_id[i][1] for i in ids]
        corpora_out.append({
            "name": name,
            "ids": ids,
            "chrf": sacrebleu.corpus_chrf(hyps, [refs]).score,
            "bleu": bleu_dict(sacrebleu.corpus_bleu(hyps, [refs])),
        })

    vocab = porter_vocabulary()
    porter_out = [[w, stemmer.stem(w)] for w in vocab]

    versions = {name: importlib.metadata.version(name)
                for name in ("rouge-score", "sacrebleu", "nltk", "regex")}
    versions["python"] = sys.version.split()[0]
    doc = {
        "generated_by": "scripts/make-metric-fixtures.py",
        "versions": versions,
        "settings": {
            "rouge": "rouge_score.rouge_scorer.RougeScorer(['rouge1','rouge2','rougeL','rougeLsum'], "
                     "use_stemmer=...), score(target=reference, prediction=candidate); 'unicode' rows "
                     "use tokenizer=UnicodeTokenizer (see the script)",
            "chrf": "sacrebleu.sentence_chrf / corpus_chrf with defaults (char_order 6, word_order 0, "
                    "beta 2, remove_whitespace, no eps_smoothing)",
            "bleu": "sacrebleu.sentence_bleu (13a, exp, effective order) / corpus_bleu (13a, exp, no "
                    "effective order) with defaults",
        },
        "pairs": pairs_out,
        "corpora": corpora_out,
        "porter": porter_out,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    # Indented JSON, except one line per Porter word so the file stays small and diffable.
    words = doc.pop("porter")
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    word_lines = ",\n".join("  " + json.dumps(w, ensure_ascii=False) for w in words)
    text = text[: text.rindex("}")].rstrip() + ',\n "porter": [\n' + word_lines + "\n ]\n}\n"
    json.loads(text)  # must still be valid JSON
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.normpath(OUT)}: {len(pairs_out)} pairs, {len(corpora_out)} corpora, "
          f"{len(porter_out)} Porter words; versions {versions}")


if __name__ == "__main__":
    main()
