#!/usr/bin/env python3
"""How much the encryption costs, and whether search stays fast on a large library.

The encrypted store and a plain SQLite database get exactly the same schema, the same repository
code and the same synthetic articles, so the ratio between them is the price of SQLCipher and
nothing else. A third database, SQLCipher's own engine with no key, separates that price from the
difference between the two SQLite versions (the standard library's and the one SQLCipher bundles).

The script prints figures and never fails on time: machines differ too much for a threshold to
mean anything in CI. The targets are printed next to the figures for a person to judge.

Run ``python bench/store_bench.py --help`` for the options; ``bench/README.md`` says more.
"""

# Arabic and Persian words are data here, not look-alike Latin letters.
# ruff: noqa: RUF001

from __future__ import annotations

import argparse
import gc
import io
import itertools
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import sqlcipher3

from fieldreader.model import Article
from fieldreader.store import (
    Library,
    SearchHit,
    create_library,
    database,
    keyslots,
    open_library,
)
from fieldreader.store.content import ContentRepository
from fieldreader.store.filters import ItemFilter
from fieldreader.store.library import LibraryPaths
from fieldreader.store.schema import MIGRATIONS
from fieldreader.store.search import match_expression, parse_query, search

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_OUT_PARENT = BENCH_DIR / "out"
DEFAULT_SIZES = (10_000, 100_000)
QUICK_SIZES = (2_000,)
DEFAULT_QUERIES = 200
QUICK_QUERIES = 50
DEFAULT_SEED = 2024
BATCH_SIZE = 1_000
UNLOCK_REPEATS = 5
WARMUP_QUERIES = 20
PASSPHRASE = "bench passphrase: not secret"  # noqa: S105 - a throwaway synthetic library

# The targets. Printed beside the figures, never enforced.
TARGET_SEARCH_P95_MS = 25.0
TARGET_SEARCH_SIZE = 100_000
TARGET_MAX_RATIO = 1.3
TARGET_UNLOCK_S = (0.3, 1.5)

LANGS = ("en", "fr", "es", "ar", "fa")
LANG_WEIGHTS = (0.35, 0.15, 0.20, 0.15, 0.15)
VOCABULARY_SIZE = 5_000
# Zipf-Mandelbrot exponent and offset: close to running text in these languages, where the top
# word is a few per cent of all tokens and the long tail is thin.
ZIPF_S = 1.05
ZIPF_Q = 2.0
# Punctuation tokens in the body stream, turned into ". " and paragraph breaks after joining, so
# sentences and paragraphs cost no Python work per word.
FULL_STOP = "."
PARAGRAPH = "\u00b6"
FULL_STOP_SHARE = 1 / 14
PARAGRAPH_SHARE = 1 / 110
BODY_BYTES = (3_100, 5_900)
TITLE_WORDS = (5, 12)
SUMMARY_WORDS = (20, 40)
TOKEN_CHUNK = 1 << 18
COMMON_RANKS = 60
"""Ranks below this are "common" words: function words and the most frequent topic words."""

QUERY_CLASSES = ("one-term", "two-term", "phrase", "prefix")
NO_MATCH_WORD = "zzqxv"
NO_MATCH_LANG = "xx"

# --- Vocabularies -------------------------------------------------------------------------------
# Real words at the head of each distribution (function words first, then topic words scattered
# among the pseudo-words), so the expensive queries are the ones people really type.

FUNCTION_WORDS: dict[str, str] = {
    "en": """the of and to in a is that for on with as was by it be are this from at or an
        have has not which were their they been his her its but also more who will all had said
        one after other about into than over two when there she he we our can would""",
    "fr": """de la le et les des à en un une du que est pour dans qui par sur au pas plus avec
        ne se ce il sont a été ont leur aux cette elle mais ou comme nous sans entre être où même
        déjà très après selon contre pendant deux ans aussi leurs ses son sa lors dont""",
    "es": """de la que el en y a los se del las un por con no una su para es al lo como más o
        pero sus le ha si sin sobre este ya entre cuando todo esta ser son dos también fue había
        muy años hasta desde está porque qué han hay según tras durante además aún así""",
    "ar": """في من على إلى أن عن مع هذا هذه التي الذي كان قد لا ما أو بين بعد كل حيث عند ثم إن
        لم هو هي وقد وفي كما قبل منذ خلال ضد وأن الذين كانت ولا فيها عليه إنه أي""",
    "fa": """و در به از که این را با است برای آن یک خود تا بر هم نیز شده می کرد شد بود ها های
        کند دارد کنند پس اما یا اگر هر چه او ما آنها همه دیگر باید""",
}

TOPIC_WORDS: dict[str, str] = {
    "en": """people government rights human police security against authorities during report
        women children law state freedom information civil society journalists detention prison
        court minister protest media public national country international support community
        health violence access protection political election workers families members activists
        defenders organisations region city journalist release arrest trial military forces
        torture refugees humanitarian press lawyers judge surveillance internet shutdown
        assembly expression association sentenced charges detained missing disappeared
        displaced camp border asylum migrants minority religious ethnic land water food school
        university students teachers doctors hospital campaign petition coalition network
        solidarity statement investigation evidence witness testimony accountability justice
        impunity sanctions ceasefire conflict attack killed injured threats harassment
        intimidation censorship blogger digital encryption safety training guidance emergency
        relocation funding donors partners office mission monitoring documentation archive
        café""",
    "fr": """société sécurité liberté droits humains gouvernement autorités police défenseurs
        journalistes détention prison tribunal réfugiés enfants femmes familles pays élection
        manifestation violence santé accès information protection communauté régime opposition
        militants avocats ministère rapport café déclaration année années également première
        étrangers arrêté procès données presse surveillance coupure internet réunion
        expression association condamné accusations disparus déplacés frontière asile migrants
        minorité religieuse terre eau école université étudiants enseignants médecins hôpital
        campagne pétition coalition réseau solidarité enquête preuves témoin témoignage
        justice impunité sanctions conflit attaque tués blessés menaces harcèlement censure
        numérique chiffrement sûreté formation urgence financement partenaires bureau mission
        documentation archives civile pénal éducation égalité démocratie""",
    "es": """gobierno derechos humanos información protección periodistas defensores detención
        cárcel tribunal país policía seguridad libertad prensa sociedad civil mujeres niños
        familias comunidad régimen oposición elecciones violencia salud acceso organización
        política café nación migrantes refugiados abogados ministerio informe declaración
        personas autoridades denuncia juicio cárcel presos desaparecidos desplazados frontera
        asilo minoría tierra agua escuela universidad estudiantes maestros médicos hospital
        campaña petición coalición red solidaridad investigación pruebas testigo testimonio
        justicia impunidad sanciones conflicto ataque asesinados heridos amenazas acoso
        censura digital cifrado capacitación emergencia financiamiento socios oficina misión
        documentación archivo educación igualdad democracia represión""",
    "ar": """حقوق الإنسان حرية الصحافة الشرطة اعتقال الاعتقال الحكومة السلطات المجتمع المدني منظمة
        المنظمات الصحفيين المدافعين المرأة النساء الأطفال العائلات السجن المحكمة القضاء الأمن
        الانتخابات الاحتجاجات العنف الصحة اللاجئين المعلومات الحماية البلاد الدولة الدولي
        الدولية تقرير وزارة المحامين التعذيب الإفراج الناشطين الحق العدالة القانون السياسية
        العام اليوم سنة عام أيضا وقال يوم التعبير التجمع الرقابة الإنترنت المهاجرين الحدود
        المدارس الجامعة الطلاب الأطباء المستشفى حملة التضامن بيان التحقيق الشهود المساءلة
        الإفلات العقاب النزاع الهجوم التهديدات المضايقة التشفير التدريب الطوارئ التمويل
        الشركاء المكتب البعثة الرصد التوثيق""",
    "fa": """حقوق بشر آزادی زنان کودکان دولت حکومت پلیس امنیت بازداشت زندان دادگاه قاضی
        روزنامه‌نگاران فعالان مدافعان جامعه مدنی سازمان گزارش خانواده‌ها اعتراض انتخابات خشونت
        سلامت پناهجویان اطلاعات حمایت کشور بین‌المللی وزارت وکلای شکنجه آزاد سیاسی قانون عدالت
        افغانستان ایران طالبان مهاجران بیان تجمع سانسور اینترنت مرز مدرسه دانشگاه دانشجویان
        پزشکان بیمارستان کارزار همبستگی بیانیه تحقیق شاهد شهادت پاسخگویی مصونیت مجازات درگیری
        حمله تهدید آزار رمزنگاری آموزش اضطراری بودجه همکاران دفتر مأموریت پایش مستندسازی""",
}


def _words(text: str) -> list[str]:
    return text.split()


LATIN_SYLLABLES: dict[str, list[str]] = {
    "en": _words(
        """ba be bi bo bu ca co cu da de di do dra fa fe fi fo ga ge go gra ha he hi ho la le li
        lo lu ma me mi mo mu na ne ni no pa pe pi po pra pro ra re ri ro sa se si so sta ste sto
        ta te ti to tra tri va ve vi wa we wi ther tion ment ness ing er ly al"""
    ),
    "fr": _words(
        """ba be bé bi bo ca ce ché ci co da de dé di do fa fe fé fi ga gé gi la le lé li lo lu
        ma me mé mi mo na ne né ni no pa pe pé pi po ra re ré ri ro sa se sé si so ta te té ti to
        va ve vé vi eau ou ai oi tion ment ité eur ère ès ça ço çu à"""
    ),
    "es": _words(
        """ba be bi bo ca co cu da de di do fa fe fi ga go ja je la le li lo lu ma me mi mo na ne
        ni no ña ño pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi lla llo rra ción dad
        mente ado ida á é í ó ú ía ías"""
    ),
}
# Arabic-script alphabets. Pseudo-words are letter strings; real words come from the lists above.
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"

TAG_TOPICS = _words(
    """detention torture press-freedom digital-security surveillance elections protest
    women-rights children refugees migration displacement land-rights environment
    indigenous-peoples lgbti religious-freedom minority-rights labour-rights health education
    housing water food-security corruption impunity transitional-justice enforced-disappearance
    death-penalty fair-trial lawyers judges human-rights-defenders journalists bloggers
    internet-shutdowns censorship assembly association expression sanctions conflict ceasefire
    humanitarian-access emergency relocation funding solidarity documentation monitoring
    advocacy"""
)
TAG_REGIONS = ("africa", "asia", "americas", "mena", "europe")
COUNTRIES = _words(
    """AF IR IQ SY YE LB PS EG SA BH AE JO MA DZ TN LY SD SS ET ER SO KE UG RW CD CM NG ML BF NE
    TD CF ZW ZA MZ NI VE CO MX GT HN SV CU BO PE BR AR CL EC HT UA RU BY GE AZ AM TR KZ UZ TJ TM
    KG CN HK MM KH TH VN PH ID MY BD PK IN LK NP"""
)
FIRST_NAMES = _words(
    """Amina Farida Karim Olena Rafiq Maria Jose Lucia Samira Hassan Leila Omar Nadia Tariq
    Zahra Ahmad Mariam Yusuf Ines Pablo Camille Julien Sofia Diego Fatima Reza Shirin Ali Noor
    Salma Daniel Grace Joseph Aisha Musa Elena Andrii Iryna"""
)
LAST_NAMES = _words(
    """Noori Haddad Kovalenko Islam Altamirano Rahimi Karimi Hosseini Mansour Saleh Benali
    Dubois Martin Garcia Lopez Fernandez Torres Ruiz Okafor Mensah Kamau Mwangi Shevchenko
    Bondarenko Ahmadi Sultani Qasemi Nasser Khalil Farouk Moreau Lefebvre Castillo"""
)


# --- Corpus -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """One language's words by rank, with Zipf weights for titles, summaries, bodies and queries."""

    lang: str
    words: tuple[str, ...]
    cum_weights: tuple[float, ...]
    body_tokens: tuple[str, ...]
    """``words`` plus the full-stop and paragraph tokens."""
    body_cum_weights: tuple[float, ...]
    bytes_per_token: float
    """Average UTF-8 bytes a body token adds to the text, to size a body without measuring it."""


def build_vocabularies(seed: int) -> dict[str, Vocabulary]:
    rng = random.Random(f"vocabulary-{seed}")
    return {lang: _vocabulary(lang, rng) for lang in LANGS}


def _vocabulary(lang: str, rng: random.Random) -> Vocabulary:
    function = _unique(FUNCTION_WORDS[lang].split())
    topic = [w for w in _unique(TOPIC_WORDS[lang].split()) if w not in set(function)]
    taken = set(function) | set(topic)
    pseudo: list[str] = []
    while len(function) + len(topic) + len(pseudo) < VOCABULARY_SIZE:
        word = _pseudo_word(lang, rng)
        if word not in taken:
            taken.add(word)
            pseudo.append(word)
    # Topic words land in the upper part of the distribution, in random order among pseudo-words.
    keyed = [(rng.random() * 0.3, w) for w in topic] + [(rng.random(), w) for w in pseudo]
    keyed.sort()
    words = tuple(function + [w for _, w in keyed])
    weights = [1.0 / (rank + ZIPF_Q) ** ZIPF_S for rank in range(len(words))]
    total = sum(weights)
    extra = [total * FULL_STOP_SHARE, total * PARAGRAPH_SHARE]
    body_tokens = (*words, FULL_STOP, PARAGRAPH)
    body_cum = tuple(itertools.accumulate(weights + extra))
    sample = rng.choices(body_tokens, cum_weights=body_cum, k=50_000)
    bytes_per_token = sum(len(t.encode()) + 1 for t in sample) / len(sample)
    return Vocabulary(
        lang,
        words,
        tuple(itertools.accumulate(weights)),
        body_tokens,
        body_cum,
        bytes_per_token,
    )


def _unique(words: list[str]) -> list[str]:
    return list(dict.fromkeys(words))


def _pseudo_word(lang: str, rng: random.Random) -> str:
    if lang in LATIN_SYLLABLES:
        syllables = LATIN_SYLLABLES[lang]
        return "".join(rng.choices(syllables, k=rng.randint(2, 4)))
    letters = ARABIC_LETTERS if lang == "ar" else PERSIAN_LETTERS
    word = "".join(rng.choices(letters, k=rng.randint(3, 6)))
    if lang == "ar" and rng.random() < 0.3:
        return "ال" + word
    if lang == "fa" and rng.random() < 0.15:
        return word + rng.choice(("ها", "ی", "ان"))
    return word


class TokenStream:
    """Zipf-distributed tokens drawn in large batches: per-word Python work would dominate."""

    def __init__(
        self, rng: random.Random, population: Sequence[str], cum_weights: Sequence[float]
    ) -> None:
        self._rng = rng
        self._population = population
        self._cum_weights = cum_weights
        self._buffer: list[str] = []
        self._pos = 0

    def take(self, n: int) -> list[str]:
        if self._pos + n > len(self._buffer):
            fresh = self._rng.choices(
                self._population, cum_weights=self._cum_weights, k=max(TOKEN_CHUNK, n)
            )
            self._buffer = self._buffer[self._pos :] + fresh
            self._pos = 0
        out = self._buffer[self._pos : self._pos + n]
        self._pos += n
        return out


@dataclass
class CorpusStats:
    articles: int = 0
    text_bytes: int = 0
    body_min: int = sys.maxsize
    body_max: int = 0
    seconds: float = 0.0
    by_lang: dict[str, int] = field(default_factory=dict)


class Corpus:
    """Deterministic synthetic articles for one size, produced batch by batch.

    Batches are generated once and applied to every store, so nothing holds 500 MB of text.
    Bodies of ``phrase_sources`` contribute an adjacent word pair for the phrase queries.
    """

    def __init__(
        self,
        size: int,
        seed: int,
        vocabularies: dict[str, Vocabulary],
        phrase_sources: set[int],
    ) -> None:
        self.size = size
        self.stats = CorpusStats()
        self.phrase_pairs: list[tuple[str, str, str]] = []
        """(lang, first, second) for the phrase queries, in article order."""
        self._rng = random.Random(f"corpus-{seed}-{size}")
        self._pair_rng = random.Random(f"pairs-{seed}-{size}")
        self._vocab = vocabularies
        self._phrase_sources = phrase_sources
        self._words = {
            lang: TokenStream(self._rng, v.words, v.cum_weights) for lang, v in vocabularies.items()
        }
        self._bodies = {
            lang: TokenStream(self._rng, v.body_tokens, v.body_cum_weights)
            for lang, v in vocabularies.items()
        }
        tags = TAG_TOPICS + [f"{t}-{r}" for t in TAG_TOPICS for r in TAG_REGIONS]
        self._tags = tags[:200]
        self._tag_cum = list(itertools.accumulate(1 / (r + 1) for r in range(len(self._tags))))
        self._country_cum = list(itertools.accumulate(1 / (r + 3) for r in range(len(COUNTRIES))))
        self._authors = [f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES][::4]

    def batches(self, batch_size: int) -> Iterator[list[Article]]:
        for start in range(0, self.size, batch_size):
            began = time.perf_counter()
            batch = [self._article(i) for i in range(start, min(start + batch_size, self.size))]
            self.stats.seconds += time.perf_counter() - began
            yield batch

    def _article(self, index: int) -> Article:
        rng = self._rng
        lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
        vocab = self._vocab[lang]
        body_tokens = self._bodies[lang].take(
            round(rng.uniform(*BODY_BYTES) / vocab.bytes_per_token)
        )
        if index in self._phrase_sources:
            self._add_phrase_pair(lang, body_tokens)
        body = _body_text(body_tokens)
        title = " ".join(self._words[lang].take(rng.randint(*TITLE_WORDS)))
        summary = " ".join(self._words[lang].take(rng.randint(*SUMMARY_WORDS))) + "."
        published = date(2008, 1, 1) + timedelta(days=rng.randrange(6_200))
        updated = published + timedelta(days=rng.randrange(400)) if rng.random() < 0.3 else None
        tags = tuple(
            dict.fromkeys(rng.choices(self._tags, cum_weights=self._tag_cum, k=rng.randint(1, 5)))
        )
        countries = tuple(
            dict.fromkeys(
                rng.choices(COUNTRIES, cum_weights=self._country_cum, k=rng.randint(1, 3))
            )
        )
        group = f"tg-{rng.randrange(max(1, self.size // 8))}" if rng.random() < 0.25 else None
        body_bytes = len(body.encode())
        stats = self.stats
        stats.articles += 1
        stats.text_bytes += body_bytes + len(title.encode()) + len(summary.encode())
        stats.body_min = min(stats.body_min, body_bytes)
        stats.body_max = max(stats.body_max, body_bytes)
        stats.by_lang[lang] = stats.by_lang.get(lang, 0) + 1
        return Article(
            id=f"art-{index:06d}-{lang}",
            lang=lang,
            title=title,
            body=body,
            summary=summary,
            published=published,
            updated=updated,
            authors=tuple(rng.sample(self._authors, rng.randint(1, 2))),
            source_url=f"https://example.org/{lang}/{index}",
            tags=tags,
            countries=countries,
            translation_group=group,
        )

    def _add_phrase_pair(self, lang: str, tokens: list[str]) -> None:
        for _ in range(100):
            pos = self._pair_rng.randrange(len(tokens) - 1)
            first, second = tokens[pos], tokens[pos + 1]
            if first not in (FULL_STOP, PARAGRAPH) and second not in (FULL_STOP, PARAGRAPH):
                self.phrase_pairs.append((lang, first, second))
                return


def _body_text(tokens: list[str]) -> str:
    text = " ".join(tokens).strip(f" {FULL_STOP}{PARAGRAPH}")
    return (
        text.replace(f" {FULL_STOP} {PARAGRAPH} ", ".\n\n")
        .replace(f" {PARAGRAPH} ", ".\n\n")
        .replace(f" {FULL_STOP} ", ". ")
        + "."
    )


# --- Queries ------------------------------------------------------------------------------------


def build_queries(
    vocabularies: dict[str, Vocabulary],
    phrase_pairs: list[tuple[str, str, str]],
    count: int,
    rng: random.Random,
) -> dict[str, list[str]]:
    """``count`` queries per class, as a person would type them into the search box.

    Even-numbered one-term and prefix queries draw their word by frequency (common words, the
    slow ones), odd-numbered ones uniformly from the vocabulary (mostly rare words).
    """
    queries: dict[str, list[str]] = {name: [] for name in QUERY_CLASSES}
    for i in range(count):
        vocab = vocabularies[LANGS[i % len(LANGS)]]
        queries["one-term"].append(_draw(vocab, rng, by_frequency=i % 2 == 0))
        first = _draw(vocab, rng, by_frequency=True)
        second = first
        while second == first:
            second = _draw(vocab, rng, by_frequency=True)
        queries["two-term"].append(f"{first} {second}")
        stem = ""
        while len(stem) < 4 or not stem.isalpha():
            stem = _draw(vocab, rng, by_frequency=i % 2 == 0)
        queries["prefix"].append(stem[: 3 + (i // 2) % 2] + "*")
    queries["phrase"] = [f'"{a} {b}"' for _, a, b in phrase_pairs[:count]]
    return queries


def _draw(vocab: Vocabulary, rng: random.Random, *, by_frequency: bool) -> str:
    if by_frequency:
        return rng.choices(vocab.words, cum_weights=vocab.cum_weights)[0]
    return rng.choice(vocab.words)


# --- Stores -------------------------------------------------------------------------------------

Connect = Callable[[str], sqlite3.Connection]


def _connect_stdlib(path: str) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False)


def _connect_sqlcipher_unkeyed(path: str) -> sqlite3.Connection:
    return sqlcipher3.connect(path, isolation_level=None, check_same_thread=False)


# The pragmas fieldreader.store.database sets on every connection, and those of enable_wal.
SESSION_PRAGMAS = (
    "PRAGMA temp_store = MEMORY",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
)
WAL_PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL")


class Store:
    """One database under test, driven through fieldreader's own repository and search code."""

    name: str
    label: str

    def apply(self, batch: list[Article]) -> None:
        raise NotImplementedError

    def search(self, text: str, filters: ItemFilter = ItemFilter()) -> list[SearchHit]:
        raise NotImplementedError

    @property
    def connection(self) -> sqlite3.Connection:
        """The live connection, for statement tracing and EXPLAIN only."""
        raise NotImplementedError

    def database_file(self) -> Path:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def reopen(self) -> None:
        raise NotImplementedError

    def size_on_disk(self) -> int:
        db = self.database_file()
        wal = db.with_name(db.name + "-wal")
        return sum(p.stat().st_size for p in (db, wal) if p.exists())


class UnencryptedStore(Store):
    """A database set up the way fieldreader sets up its own, minus the key."""

    def __init__(self, name: str, label: str, connect: Connect, path: Path) -> None:
        self.name = name
        self.label = label
        self._connect = connect
        self._path = path
        self._conn = self._open(create=True)
        self._repo = ContentRepository(self._conn)

    def _open(self, *, create: bool) -> sqlite3.Connection:
        conn = self._connect(str(self._path))
        for pragma in SESSION_PRAGMAS:
            conn.execute(pragma)
        if create:
            # As schema.migrate does it: each migration in its own transaction with its version.
            for number, script in enumerate(MIGRATIONS, start=1):
                conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
                )
        for pragma in WAL_PRAGMAS:
            conn.execute(pragma).fetchall()
        return conn

    def apply(self, batch: list[Article]) -> None:
        self._repo.apply(batch)

    def search(self, text: str, filters: ItemFilter = ItemFilter()) -> list[SearchHit]:
        return search(self._conn, text, filters)

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def database_file(self) -> Path:
        return self._path

    def close(self) -> None:
        self._conn.close()

    def reopen(self) -> None:
        self._conn = self._open(create=False)
        self._repo = ContentRepository(self._conn)

    def open_seconds(self) -> float:
        """Connect, set the pragmas and read the schema: the plain counterpart of an unlock."""
        began = time.perf_counter()
        conn = self._open(create=False)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        elapsed = time.perf_counter() - began
        conn.close()
        return elapsed


class EncryptedStore(Store):
    """The real thing: a library made by create_library with the default Argon2id cost."""

    name = "encrypted"
    label = "encrypted (SQLCipher)"

    def __init__(self, root: Path) -> None:
        self._root = root
        self._library: Library = create_library(root, PASSPHRASE)

    def apply(self, batch: list[Article]) -> None:
        self._library.content.apply(batch)

    def search(self, text: str, filters: ItemFilter = ItemFilter()) -> list[SearchHit]:
        return self._library.search(text, filters)

    @property
    def connection(self) -> sqlite3.Connection:
        # Library keeps its connection private; the benchmark only traces and EXPLAINs on it.
        return self._library._conn

    def database_file(self) -> Path:
        return LibraryPaths(self._root).database

    def close(self) -> None:
        self._library.close()

    def reopen(self) -> None:
        self._library = open_library(self._root, PASSPHRASE)

    def unlock_seconds(self) -> float:
        """open_library as the app calls it: Argon2id, then SQLCipher with the raw key."""
        began = time.perf_counter()
        library = open_library(self._root, PASSPHRASE)
        elapsed = time.perf_counter() - began
        library.close()
        return elapsed

    def raw_open_seconds(self, master_key: bytes) -> float:
        """Opening the database with the already-derived key: what unlocking costs without KDF."""
        began = time.perf_counter()
        conn = database.open_existing(self.database_file(), master_key)
        elapsed = time.perf_counter() - began
        conn.close()
        return elapsed

    def master_key(self) -> bytes:
        slots = keyslots.decode(LibraryPaths(self._root).keyslots.read_bytes())
        return keyslots.unlock(slots, PASSPHRASE)[0]


# --- Measurements -------------------------------------------------------------------------------


@dataclass
class Latencies:
    total_ms: list[float] = field(default_factory=list)
    ranking_ms: list[float] = field(default_factory=list)
    """Choosing the hits: everything up to the end of the rank-ordered statement."""
    per_hit_ms: list[float] = field(default_factory=list)
    """Loading each hit and making its snippet."""


@dataclass
class SizeResult:
    size: int
    corpus: CorpusStats
    load_seconds: dict[str, float]
    file_bytes: dict[str, int]
    search: dict[str, dict[str, Latencies]]
    """class -> store name -> latencies (timed without tracing)."""
    breakdown: dict[str, dict[str, Latencies]]
    """class -> store name -> latencies split by statement (timed with tracing)."""
    matches: dict[str, list[int]]
    """class -> matching documents per query."""
    slowest: list[tuple[float, str, str, int]]
    """(ms, class, query, matches) of the slowest encrypted searches."""
    unlock_s: list[float]
    raw_open_s: list[float]
    plain_open_s: list[float]
    plans: dict[str, list[str]]
    """What the plans are of -> EXPLAIN QUERY PLAN lines."""


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: always a measured value, never an interpolation."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def make_stores(directory: Path, *, control: bool) -> list[Store]:
    stores: list[Store] = [
        UnencryptedStore("plain", "plain sqlite3", _connect_stdlib, directory / "plain.db")
    ]
    if control:
        stores.append(
            UnencryptedStore(
                "nokey", "SQLCipher, no key", _connect_sqlcipher_unkeyed, directory / "nokey.db"
            )
        )
    stores.append(EncryptedStore(directory / "encrypted"))
    return stores


def load(stores: list[Store], corpus: Corpus) -> dict[str, float]:
    """Apply every batch to every store, rotating the order so no store always goes first."""
    seconds = dict.fromkeys((s.name for s in stores), 0.0)
    batches = math.ceil(corpus.size / BATCH_SIZE)
    report_every = max(1, batches // 10)
    for number, batch in enumerate(corpus.batches(BATCH_SIZE)):
        shift = number % len(stores)
        for store in stores[shift:] + stores[:shift]:
            began = time.perf_counter()
            store.apply(batch)
            seconds[store.name] += time.perf_counter() - began
        done = min(corpus.size, (number + 1) * BATCH_SIZE)
        if (number + 1) % report_every == 0 or number + 1 == batches:
            rates = ", ".join(f"{name} {done / s:,.0f}/s" for name, s in seconds.items())
            progress(f"  loaded {done:,}: {rates}")
    return seconds


class StatementClock:
    """Trace callback noting when each statement starts, to split a search into its phases."""

    def __init__(self) -> None:
        self.marks: list[tuple[int, str]] = []

    def __call__(self, sql: str) -> None:
        self.marks.append((time.perf_counter_ns(), sql))

    def statements(self) -> list[tuple[int, str]]:
        """The statements search() issued, without those FTS5 runs inside them.

        FTS5's own reads (of its config, data and structure tables) are traced too, prefixed
        with "--" or naming the schema as 'main'; they belong to the statement running them.
        """
        return [(t, sql) for t, sql in self.marks if not _is_internal(sql)]

    def phases(self, began: int, ended: int) -> tuple[float, float]:
        """Milliseconds up to the end of the rank-ordered statement, and after it.

        The first phase is choosing the hits (candidate bounds included), the second is
        everything done per hit: loading rows and making snippets.
        """
        top = self.statements()
        for i, (_, sql) in enumerate(top):
            if "rank" in sql.rpartition("ORDER BY")[2]:
                end = top[i + 1][0] if i + 1 < len(top) else ended
                return (end - began) / 1e6, (ended - end) / 1e6
        return (ended - began) / 1e6, 0.0


def _is_internal(sql: str) -> bool:
    return sql.startswith("--") or "'main'." in sql or sql.startswith("PRAGMA")


def time_searches(
    stores: list[Store], queries: dict[str, list[str]], *, traced: bool
) -> dict[str, dict[str, Latencies]]:
    """Run every query on every store, interleaved so drift in the machine hits all alike."""
    clocks = {s.name: StatementClock() for s in stores}
    if traced:
        for store in stores:
            store.connection.set_trace_callback(clocks[store.name])
    results: dict[str, dict[str, Latencies]] = {}
    try:
        for cls, texts in queries.items():
            per_store = {s.name: Latencies() for s in stores}
            gc.collect()
            for i, text in enumerate(texts):
                shift = i % len(stores)
                for store in stores[shift:] + stores[:shift]:
                    clock = clocks[store.name]
                    clock.marks.clear()
                    began = time.perf_counter_ns()
                    store.search(text)
                    ended = time.perf_counter_ns()
                    lat = per_store[store.name]
                    lat.total_ms.append((ended - began) / 1e6)
                    if traced:
                        ranking_ms, per_hit_ms = clock.phases(began, ended)
                        lat.ranking_ms.append(ranking_ms)
                        lat.per_hit_ms.append(per_hit_ms)
            results[cls] = per_store
            progress(f"    {cls}: {len(texts)} queries x {len(stores)} databases")
    finally:
        if traced:
            for store in stores:
                store.connection.set_trace_callback(None)
    return results


def match_counts(conn: sqlite3.Connection, queries: dict[str, list[str]]) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    for cls, texts in queries.items():
        counts[cls] = [
            int(
                conn.execute(
                    "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?",
                    (match_expression(parse_query(text)),),
                ).fetchone()[0]
            )
            for text in texts
        ]
    return counts


def query_plans(store: Store, text: str, filters: ItemFilter = ItemFilter()) -> list[str]:
    """EXPLAIN QUERY PLAN of the statements search() really runs, caught by the trace callback.

    Statements that differ only in numbers (one per hit) are shown once.
    """
    clock = StatementClock()
    conn = store.connection
    conn.set_trace_callback(clock)
    try:
        store.search(text, filters)
    finally:
        conn.set_trace_callback(None)
    lines: list[str] = []
    seen: set[str] = set()
    for _, sql in clock.statements():
        shape = re.sub(r"\b\d+\b", "?", sql)
        if shape in seen:
            continue
        seen.add(shape)
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        lines.append(_printable(sql))
        lines.extend(f"    {row[3]}" for row in rows)
    return lines


def run_size(
    size: int,
    directory: Path,
    vocabularies: dict[str, Vocabulary],
    args: argparse.Namespace,
) -> SizeResult:
    qrng = random.Random(f"queries-{args.seed}-{size}")
    n_phrase = args.queries + WARMUP_QUERIES
    phrase_sources = set(qrng.sample(range(size), min(size, n_phrase)))
    corpus = Corpus(size, args.seed, vocabularies, phrase_sources)
    directory.mkdir(parents=True)
    stores = make_stores(directory, control=not args.no_control)
    encrypted = stores[-1]
    assert isinstance(encrypted, EncryptedStore)
    plain = stores[0]
    assert isinstance(plain, UnencryptedStore)
    try:
        progress(f"{size:,} articles: generating and loading into {len(stores)} databases")
        load_seconds = load(stores, corpus)
        for store in stores:
            store.close()
        file_bytes = {s.name: s.size_on_disk() for s in stores}

        progress("  unlock: open_library x5 (Argon2id), raw SQLCipher open x5, plain open x5")
        unlock_s = [encrypted.unlock_seconds() for _ in range(UNLOCK_REPEATS)]
        key = encrypted.master_key()
        raw_open_s = [encrypted.raw_open_seconds(key) for _ in range(UNLOCK_REPEATS)]
        plain_open_s = [plain.open_seconds() for _ in range(UNLOCK_REPEATS)]

        for store in stores:
            store.reopen()
        pairs = corpus.phrase_pairs
        qrng.shuffle(pairs)
        queries = build_queries(vocabularies, pairs[WARMUP_QUERIES:], args.queries, qrng)
        warmup = build_queries(vocabularies, pairs[:WARMUP_QUERIES], WARMUP_QUERIES, qrng)
        progress(
            f"  search: warming up, then {args.queries} queries x {len(QUERY_CLASSES)} classes"
        )
        time_searches(stores, warmup, traced=False)
        timed = time_searches(stores, queries, traced=False)
        progress("  search again with statement tracing, for the ranking/snippet split")
        breakdown = time_searches([plain, encrypted], queries, traced=True)
        progress("  counting matches per query")
        matches = match_counts(plain.connection, queries)
        slowest = sorted(
            (
                (lat, cls, queries[cls][i], matches[cls][i])
                for cls in QUERY_CLASSES
                for i, lat in enumerate(timed[cls][encrypted.name].total_ms)
            ),
            reverse=True,
        )[:8]
        worst_query = slowest[0][2] if slowest else "the"
        plans = {
            f"the slowest query, {worst_query!r}, encrypted": query_plans(encrypted, worst_query)
        }
        # A word and a language that match nothing: instant whatever the plan, same plan as real
        # values (there are no statistics for the planner to look at).
        for store in (plain, encrypted):
            plans[f"a search filtered by language, {store.label}"] = query_plans(
                store, NO_MATCH_WORD, ItemFilter(lang=NO_MATCH_LANG)
            )
    finally:
        for store in stores:
            store.close()
    return SizeResult(
        size=size,
        corpus=corpus.stats,
        load_seconds=load_seconds,
        file_bytes=file_bytes,
        search=timed,
        breakdown=breakdown,
        matches=matches,
        slowest=slowest,
        unlock_s=unlock_s,
        raw_open_s=raw_open_s,
        plain_open_s=plain_open_s,
        plans=plans,
    )


# --- Report -------------------------------------------------------------------------------------


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.inf


def print_environment(args: argparse.Namespace, sizes: Sequence[int]) -> None:
    cipher = sqlcipher3.connect(":memory:")
    cipher_version = cipher.execute("PRAGMA cipher_version").fetchone()[0]
    cipher_sqlite = cipher.execute("SELECT sqlite_version()").fetchone()[0]
    cipher.close()
    print("fieldreader store benchmark")
    print(f"  python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs")
    print(f"  plain sqlite3: SQLite {sqlite3.sqlite_version}")
    print(f"  SQLCipher {cipher_version} on SQLite {cipher_sqlite}")
    print(f"  sizes {', '.join(f'{s:,}' for s in sizes)}; {args.queries} queries per class")
    print(f"  seed {args.seed}; batches of {BATCH_SIZE:,}; default Argon2id parameters")
    print()


def print_size(result: SizeResult, names: list[str]) -> None:
    c = result.corpus
    mb = 1024 * 1024
    print(f"=== {result.size:,} articles ===")
    langs = ", ".join(f"{lang} {c.by_lang.get(lang, 0):,}" for lang in LANGS)
    print(
        f"corpus: {c.articles:,} articles ({langs}); text {c.text_bytes / mb:,.1f} MB; body "
        f"{c.body_min:,}-{c.body_max:,} bytes, mean {c.text_bytes / max(1, c.articles):,.0f} with "
        f"title and summary; generated in {c.seconds:.1f} s (not counted below)"
    )
    bases = [n for n in ("plain", "nokey") if n in names]
    ratio_head = "".join(f"{'enc/' + b:>12}" for b in bases)
    print(f"\n{'':36}" + "".join(f"{n:>12}" for n in names) + ratio_head)
    load = result.load_seconds
    print(
        f"{'bulk load (articles/s)':36}"
        + "".join(f"{result.size / load[n]:>12,.0f}" for n in names)
        + "".join(f"{_ratio(load['encrypted'], load[b]):>12.2f}" for b in bases)
        + "  (time ratio)"
    )
    print(f"{'bulk load (s)':36}" + "".join(f"{load[n]:>12.1f}" for n in names))
    sizes = result.file_bytes
    print(
        f"{'file size (MB, db+wal after close)':36}"
        + "".join(f"{sizes[n] / mb:>12.1f}" for n in names)
        + "".join(f"{_ratio(sizes['encrypted'], sizes[b]):>12.2f}" for b in bases)
    )
    print()
    print("search latency, ms: p50 / p95 / max (search() with snippets, 20 hits)")
    ratio_head = "".join(f"{'enc/' + b + ' p50 p95':>18}" for b in bases)
    print(f"{'':10}" + "".join(f"{n:>24}" for n in names) + ratio_head)
    for cls in QUERY_CLASSES:
        row = f"{cls:10}"
        for n in names:
            t = result.search[cls][n].total_ms
            row += f"{percentile(t, 50):>10.2f}{percentile(t, 95):>7.1f}{max(t):>7.1f}"
        enc = result.search[cls]["encrypted"].total_ms
        for b in bases:
            base = result.search[cls][b].total_ms
            row += (
                f"{_ratio(percentile(enc, 50), percentile(base, 50)):>11.2f}"
                f"{_ratio(percentile(enc, 95), percentile(base, 95)):>7.2f}"
            )
        print(row)
    print()
    print(
        f"unlock: open_library, default Argon2id (median of {len(result.unlock_s)}): "
        f"{statistics.median(result.unlock_s):.3f} s "
        f"(min {min(result.unlock_s):.3f}, max {max(result.unlock_s):.3f})"
    )
    print(
        f"unlock: raw SQLCipher open, no KDF (database.open_existing, median): "
        f"{statistics.median(result.raw_open_s) * 1000:.2f} ms"
    )
    print(
        f"unlock: plain sqlite3 open with the same pragmas (median): "
        f"{statistics.median(result.plain_open_s) * 1000:.2f} ms"
    )
    print()
    print_where_time_goes(result)


def print_where_time_goes(result: SizeResult) -> None:
    print("where search time goes (second pass, statement tracing on; ms p50 / p95):")
    print("  ranking = choosing the hits (up to the end of the rank-ordered statement);")
    print("  per hit = everything after it: loading each hit, making its snippet")
    print(
        f"{'':12}{'matching docs':>18}{'plain ranking':>18}{'plain per hit':>18}"
        f"{'enc ranking':>18}{'enc per hit':>18}"
    )
    for cls in QUERY_CLASSES:
        m = result.matches[cls]
        row = f"{cls:12}{percentile(m, 50):>10,.0f}{percentile(m, 95):>8,.0f}"
        for name in ("plain", "encrypted"):
            lat = result.breakdown[cls][name]
            for part in (lat.ranking_ms, lat.per_hit_ms):
                row += f"{percentile(part, 50):>10.2f}{percentile(part, 95):>8.1f}"
        print(row)
    print("slowest encrypted searches (ms, class, query, matching docs):")
    for ms, cls, query, matches in result.slowest:
        print(f"  {ms:8.1f}  {cls:9} {query!r:32} {matches:>8,}")
    for what, lines in result.plans.items():
        print(f"EXPLAIN QUERY PLAN of the statements search() runs for {what}:")
        for line in lines:
            print(f"  {line}")
        if _items_outer(lines):
            print(
                "  ^ items is the outer loop: the full-text match runs again for every item "
                "the filter selects"
            )
    print()


def _printable(text: str) -> str:
    """``text`` with control characters (snippet highlight marks) escaped, other scripts kept."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _items_outer(plan_lines: list[str]) -> bool:
    """True when a plan reads items before items_fts, i.e. probes the index once per item."""
    steps = [line.strip() for line in plan_lines if line.startswith("    ")]
    fts = next((i for i, step in enumerate(steps) if "VIRTUAL TABLE" in step), None)
    items = next(
        (i for i, step in enumerate(steps) if step.startswith(("SEARCH i ", "SCAN i "))), None
    )
    return fts is not None and items is not None and items < fts


def print_summary(results: list[SizeResult]) -> None:
    """One table to read against the issue; enc/nokey rows isolate the cost of encryption."""
    print("=== summary: figures next to the issue's targets (informational, never enforced) ===")
    print(f"{'metric':46}{'size':>9}{'figure':>11}  {'target':<15}verdict")

    def line(metric: str, size: int, figure: str, target: str, ok: bool | None) -> None:
        verdict = "-" if ok is None else ("meets" if ok else "MISSES")
        print(f"{metric:46}{size:>9,}{figure:>11}  {target:<15}{verdict}")

    ratio_target = f"<= {TARGET_MAX_RATIO}"
    for r in results:
        applies = r.size >= TARGET_SEARCH_SIZE
        for cls in QUERY_CLASSES:
            p95 = percentile(r.search[cls]["encrypted"].total_ms, 95)
            line(
                f"search p95, encrypted, {cls}",
                r.size,
                f"{p95:.1f} ms",
                f"<= {TARGET_SEARCH_P95_MS:g} ms" + ("" if applies else " @100k"),
                (p95 <= TARGET_SEARCH_P95_MS) if applies else None,
            )
    for r in results:
        bases = [b for b in ("plain", "nokey") if b in r.load_seconds]
        for base in bases:
            for cls in QUERY_CLASSES:
                enc, other = r.search[cls]["encrypted"].total_ms, r.search[cls][base].total_ms
                ratio = _ratio(percentile(enc, 95), percentile(other, 95))
                line(
                    f"search p95 encrypted/{base}, {cls}",
                    r.size,
                    f"{ratio:.2f}",
                    ratio_target,
                    ratio <= TARGET_MAX_RATIO,
                )
        for base in bases:
            ratio = _ratio(r.load_seconds["encrypted"], r.load_seconds[base])
            line(
                f"bulk load time encrypted/{base}",
                r.size,
                f"{ratio:.2f}",
                ratio_target,
                ratio <= TARGET_MAX_RATIO,
            )
        unlock = statistics.median(r.unlock_s)
        low, high = TARGET_UNLOCK_S
        line(
            "unlock (open_library, median)",
            r.size,
            f"{unlock:.2f} s",
            f"{low}-{high} s",
            low <= unlock <= high,
        )
    if any("nokey" in r.load_seconds for r in results):
        print(
            "(nokey: SQLCipher's own engine without a key. encrypted/plain also measures the "
            "two SQLite builds;\n encrypted/nokey is the cost of encryption alone.)"
        )


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the encrypted store against plain SQLite (prints figures only)."
    )
    parser.add_argument(
        "--sizes", type=_sizes, default=None, help="article counts, e.g. 10000,100000 (default)"
    )
    parser.add_argument("--queries", type=int, default=None, help="queries per class (200)")
    parser.add_argument(
        "--out", type=Path, default=None, help="where the databases go (default: bench/out/run-*)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--quick", action="store_true", help="2,000 articles and 50 queries: a smoke run"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="corpus and query seed")
    parser.add_argument(
        "--no-control",
        action="store_true",
        help="skip the unkeyed SQLCipher database (saves a third of the load time)",
    )
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if args.queries is None:
        args.queries = QUICK_QUERIES if args.quick else DEFAULT_QUERIES
    if args.queries < 1:
        parser.error("--queries must be at least 1")
    return args


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or min(sizes) < 10:
        raise argparse.ArgumentTypeError("sizes must be at least 10 articles")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")  # Arabic-script queries, any terminal
    if args.out is None:
        DEFAULT_OUT_PARENT.mkdir(parents=True, exist_ok=True)
        out = Path(tempfile.mkdtemp(prefix="run-", dir=DEFAULT_OUT_PARENT))
        made_out = True
    else:
        out = args.out
        made_out = not out.exists()
        out.mkdir(parents=True, exist_ok=True)
    print_environment(args, args.sizes)
    vocabularies = build_vocabularies(args.seed)
    results: list[SizeResult] = []
    size_dirs: list[Path] = []
    try:
        for size in args.sizes:
            size_dir = out / f"n{size}"
            if size_dir.exists():
                raise SystemExit(f"{size_dir} already exists; remove it or choose another --out")
            size_dirs.append(size_dir)
            result = run_size(size, size_dir, vocabularies, args)
            print_size(result, list(result.load_seconds))
            sys.stdout.flush()
            results.append(result)
        print_summary(results)
    finally:
        if args.keep:
            progress(f"databases kept in {out}")
        else:
            for size_dir in size_dirs:
                shutil.rmtree(size_dir, ignore_errors=True)
            if made_out:
                shutil.rmtree(out, ignore_errors=True)
            progress("databases removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
