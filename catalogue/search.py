"""Job search: any spelling, any gender, typos, synonyms and ROME titles, ranked the same on both databases.

How a query is answered (at most six queries, whatever its length):

1. The query is folded (`catalogue.text.fold`): case, accents, ligatures, apostrophes, hyphens and
   inclusive-writing marks are set aside ("Infirmier·ère" -> "infirmier"); small words and the gender
   suffixes of inclusive writing are dropped.
2. Vocabulary (one query, two with typos): each word that is neither a title word nor the start of
   one gets its typo corrections (edit distance 1, or 2 for words of 7 letters or more) from `SearchWord`. PostgreSQL
   finds the candidates through a pg_trgm GIN index; SQLite by word length. Both verify them with the
   same edit distance, so both correct the same way.
3. Titles (`SearchTitle`) holding one of the words (or a correction) at the start of a word; on
   PostgreSQL through the trigram GIN index on `folded`. Then ROME appellations the same way, and
   the jobs of their codes (two queries).
4. Texts (`SearchDocument`, présentation and en bref) holding every word: PostgreSQL full-text search
   ('orientation_fr': French with unaccent, GIN index); SQLite a word-prefix LIKE on the folded text.

Ranking, best first: an exact title or appellation; a title starting with the query; every word in a
title; the same three through a ROME appellation (search-only titles of the job's ROME codes, below
the job's own titles); partial and typo matches; matches in the texts only.

ROME appellations are matched once each (13,120 rows whatever the size of the catalogue), then
joined to the jobs of their code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection
from django.db.models import Q, QuerySet

from catalogue.models import Job
from catalogue.models.search import RomeAppellation, SearchDocument, SearchTitle, SearchWord, TitleKind
from catalogue.text import fold

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MIN_TYPO_LENGTH = 4
MAX_WEAK_HITS = 200
STOPWORDS = frozenset("a au aux avec chez d dans de des du en et l la le les ou par pour sur un une".split())
# What inclusive writing leaves once folded: "infirmier·ère" -> "infirmier ere", "avocat.e" -> "avocat e".
GENDER_SUFFIXES = frozenset(
    "e ee enne ere eresse esse euse fe ienne ive le lle ne oresse rice se sse te trice tte ve".split()
)

OWN_KINDS = frozenset(
    {
        TitleKind.NAME,
        TitleKind.FEMININE,
        TitleKind.MASCULINE,
        TitleKind.APPELLATION,
        TitleKind.APPELLATION_FEMININE,
        TitleKind.APPELLATION_MASCULINE,
        TitleKind.SEARCH_ONLY,
    }
)
DISPLAYED_KINDS = frozenset({TitleKind.NAME, TitleKind.FEMININE, TitleKind.MASCULINE})
FEMININE_KINDS = frozenset({TitleKind.FEMININE, TitleKind.APPELLATION_FEMININE})
MASCULINE_KINDS = frozenset({TitleKind.MASCULINE, TitleKind.APPELLATION_MASCULINE})

# Tiers, best first.
TIER_EXACT, TIER_PREFIX, TIER_ALL_WORDS = 0, 1, 2
TIER_ROME_OFFSET = 3  # ROME appellations: 3, 4, 5
TIER_PARTIAL = 6
TIER_ROME_PARTIAL = 7
TIER_TEXT = 8

# Matches in the texts on PostgreSQL: the column of the GIN index searchdocument_body_fts.
TEXT_MATCH_SQL = "vector @@ to_tsquery('orientation_fr', %s)"


def query_words(raw: str | None) -> list[str]:
    """The words of a query (or a title) that matching uses."""
    if not raw:
        return []
    words = fold(str(raw)[:MAX_QUERY_LENGTH].replace("\x00", " ")).split()
    kept: list[str] = []
    for word in words:
        if kept and word in GENDER_SUFFIXES:
            continue
        if word in STOPWORDS:
            continue
        kept.append(word[:64])
    if not kept:  # a query of small words only ("de la") still searches them
        kept = [w[:64] for w in words if w not in GENDER_SUFFIXES] or words[:1]
    return list(dict.fromkeys(kept))[:MAX_WORDS]


@lru_cache(maxsize=100_000)
def title_words(folded: str) -> tuple[str, ...]:
    """query_words of a stored title, memoised: the same titles come back query after query."""
    return tuple(query_words(folded))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two letters counts one), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        row_min = current[0]
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def typo_limit(word: str) -> int:
    if len(word) < MIN_TYPO_LENGTH:
        return 0
    return 2 if len(word) >= 7 else 1


@dataclass
class Term:
    """A query word and what it may match: itself, its singular, its typo corrections (with a penalty)."""

    word: str
    variants: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_word(cls, word: str) -> Term:
        variants = {word: 0}
        if len(word) > 3 and word[-1] in "sx":
            variants[word[:-1]] = 0
        return cls(word=word, variants=variants)


@dataclass
class TitleMatch:
    tier: int
    coverage: int
    penalty: int
    exact_words: int
    extra_words: int
    kind: str
    label: str

    @property
    def key(self) -> tuple:
        return (self.tier, -self.coverage, self.penalty, -self.exact_words, self.extra_words, len(self.label))


@dataclass
class SearchHit:
    job_id: int
    tier: int
    match: TitleMatch | None = None
    gender: str = ""  # "feminine", "masculine" or "" (the generic, inclusive name)

    @property
    def found_via(self) -> str:
        """The appellation that found the job, when it is not one of its displayed names."""
        if self.match is None or self.match.kind in DISPLAYED_KINDS:
            return ""
        return self.match.label

    @property
    def found_via_rome(self) -> bool:
        return self.match is not None and self.match.kind == TitleKind.ROME

    @property
    def found_in_text(self) -> bool:
        return self.tier == TIER_TEXT


def _match_words(terms: list[Term], words: tuple[str, ...]) -> tuple[int, int, int, int, int] | None:
    """(tier, coverage, penalty, exact words, extra words) of a title's words against the query terms."""
    matched = 0
    penalty = 0
    exact_words = 0
    used_positions: set[int] = set()
    for term in terms:
        best: tuple[int, int, int] | None = None  # (0 exact / 1 prefix, penalty, position)
        for position, word in enumerate(words):
            for variant, variant_penalty in term.variants.items():
                if word == variant:
                    candidate = (0, variant_penalty, position)
                elif len(variant) >= 2 and word.startswith(variant):
                    candidate = (1, variant_penalty, position)
                else:
                    continue
                if best is None or candidate < best:
                    best = candidate
        if best is None:
            continue
        matched += 1
        penalty += best[1]
        exact_words += best[0] == 0
        used_positions.add(best[2])
    if not matched:
        return None
    extra_words = len(words) - len(used_positions)
    if matched < len(terms) or penalty:
        tier = TIER_PARTIAL
    elif exact_words == len(terms) and extra_words == 0:
        tier = TIER_EXACT
    elif _starts_with(terms, words):
        tier = TIER_PREFIX
    else:
        tier = TIER_ALL_WORDS
    return tier, matched, penalty, exact_words, extra_words


def _title_match(base: tuple[int, int, int, int, int], kind: str, label: str) -> TitleMatch:
    tier, coverage, penalty, exact_words, extra_words = base
    if kind == TitleKind.ROME:
        tier = TIER_ROME_PARTIAL if tier == TIER_PARTIAL else tier + TIER_ROME_OFFSET
    return TitleMatch(
        tier=tier,
        coverage=coverage,
        penalty=penalty,
        exact_words=exact_words,
        extra_words=extra_words,
        kind=kind,
        label=label,
    )


def _starts_with(terms: list[Term], words: tuple[str, ...]) -> bool:
    if len(terms) > len(words):
        return False
    for index, term in enumerate(terms):
        title_word = words[index]
        last = index == len(terms) - 1
        if not any(title_word == v or (last and title_word.startswith(v)) for v in term.variants):
            return False
    return True


class JobSearch:
    """Search `jobs` (a queryset, already filtered) for `query`; `hits` are ranked best first."""

    def __init__(self, query: str | None, jobs: QuerySet[Job] | None = None, *, texts: bool = True):
        self.query = query or ""
        self.words = query_words(self.query)
        self.jobs = jobs if jobs is not None else Job.objects.published()
        self.terms = [Term.from_word(word) for word in self.words]
        self.texts = texts

    def __bool__(self) -> bool:
        return bool(self.words)

    # -- vocabulary -------------------------------------------------------------------------------
    def _correct_typos(self) -> None:
        """Give unknown words their typo corrections (two queries at most, none for short words)."""
        long_terms = [term for term in self.terms if typo_limit(term.word)]
        if not long_terms:
            return
        prefixes = Q()
        for term in long_terms:
            for variant in term.variants:
                prefixes |= Q(word__startswith=variant)
        known = list(SearchWord.objects.filter(prefixes).order_by().values_list("word", flat=True)[:5000])
        unknown = [
            term
            for term in long_terms
            if not any(word.startswith(variant) for word in known for variant in term.variants)
        ]
        if not unknown:
            return
        candidates = self._typo_candidates(unknown)
        for term in unknown:
            limit = typo_limit(term.word)
            for candidate in candidates:
                distance = edit_distance(term.word, candidate, limit)
                # A correction may also be the start of a longer word ("infirmeir" -> "infirmie(re)").
                if len(candidate) > len(term.word):
                    distance = min(distance, edit_distance(term.word, candidate[: len(term.word)], limit) + 1)
                if distance <= limit:
                    term.variants.setdefault(candidate, distance)

    def _typo_candidates(self, unknown: list[Term]) -> list[str]:
        if connection.vendor == "postgresql":
            # pg_trgm's % operator uses the GIN index searchword_word_trgm; its threshold is low
            # (0.2, set per connection in settings.DATABASES) so that two typos in a short word
            # still find it; edit_distance then decides, the same way as on SQLite.
            conditions = " OR ".join(["word %% %s"] * len(unknown))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT word FROM catalogue_searchword WHERE {conditions} LIMIT 5000",
                    [term.word for term in unknown],
                )
                return [row[0] for row in cursor.fetchall()]
        lengths = Q()
        for term in unknown:
            limit = typo_limit(term.word)
            lengths |= Q(length__gte=len(term.word) - limit, length__lte=len(term.word) + limit)
        return list(SearchWord.objects.filter(lengths).order_by().values_list("word", flat=True))

    # -- titles and texts -------------------------------------------------------------------------
    def title_condition(self) -> Q:
        """Titles holding a query word (or a correction) at the start of one of their words."""
        condition = Q()
        for term in self.terms:
            for variant in term.variants:
                if len(variant) < 2 and len(self.terms) > 1:
                    continue
                condition |= Q(folded__startswith=variant) | Q(folded__contains=f" {variant}")
        return condition

    def _title_rows(self) -> list[tuple[int, str, str, str]]:
        condition = self.title_condition()
        if not condition:
            return []
        return list(
            SearchTitle.objects.filter(condition, job__in=self.jobs.values("pk"))
            .order_by()
            .values_list("job_id", "kind", "label", "folded")
        )

    def _rome_matches(self, by_title: dict) -> dict[int, TitleMatch]:
        """Best ROME appellation of each job: appellations are matched once, then joined to the jobs
        of their code or parent code (two queries; the cost does not grow with the catalogue)."""
        condition = self.title_condition()
        if not condition:
            return {}
        matches_by_code: dict[int, list[TitleMatch]] = {}
        rows = (
            RomeAppellation.objects.filter(condition)
            .order_by()
            .values_list("rome_code_id", "parent_code_id", "label", "folded")
        )
        for code_id, parent_id, label, folded in rows:
            if folded not in by_title:
                by_title[folded] = _match_words(self.terms, title_words(folded))
            if by_title[folded] is None:
                continue
            match = _title_match(by_title[folded], TitleKind.ROME, label)
            for code in {code_id, parent_id} - {None}:
                matches_by_code.setdefault(code, []).append(match)
        if not matches_by_code:
            return {}
        best_by_code = {code: min(matches, key=lambda match: match.key) for code, matches in matches_by_code.items()}
        best: dict[int, TitleMatch] = {}
        links = Job.rome_codes.through.objects.filter(
            romecode_id__in=list(best_by_code), job_id__in=self.jobs.values("pk")
        ).values_list("job_id", "romecode_id")
        for job_id, code_id in links:
            match = best_by_code[code_id]
            if job_id not in best or match.key < best[job_id].key:
                best[job_id] = match
        return best

    def _text_job_ids(self, exclude: Iterable[int]) -> list[int]:
        words = [term.word for term in self.terms if len(term.word) >= 3]
        if not words or len(words) < len(self.terms):
            return []
        documents = SearchDocument.objects.filter(job__in=self.jobs.values("pk"))
        if connection.vendor == "postgresql":
            tsquery = " & ".join(f"{word}:*" for word in words)  # folded words are [a-z0-9] only
            documents = documents.extra(where=[TEXT_MATCH_SQL], params=[tsquery])
        else:
            for word in words:
                documents = documents.filter(Q(body__startswith=word) | Q(body__contains=f" {word}"))
        excluded = set(exclude)
        return [pk for pk in documents.order_by().values_list("job_id", flat=True) if pk not in excluded]

    # -- ranking ----------------------------------------------------------------------------------
    def hits(self) -> list[SearchHit]:
        if not self.terms:
            return []
        self._correct_typos()
        best: dict[int, TitleMatch] = {}
        best_by_gender: dict[int, dict[str, tuple]] = {}
        by_title: dict[str, tuple[int, int, int, int, int] | None] = {}
        for job_id, kind, label, folded in self._title_rows():
            if folded not in by_title:
                by_title[folded] = _match_words(self.terms, title_words(folded))
            base = by_title[folded]
            if base is None:
                continue
            match = _title_match(base, kind, label)
            current = best.get(job_id)
            if current is None or match.key < current.key:
                best[job_id] = match
            if kind in FEMININE_KINDS or kind in MASCULINE_KINDS or kind == TitleKind.NAME:
                gender = "feminine" if kind in FEMININE_KINDS else "masculine" if kind in MASCULINE_KINDS else "name"
                genders = best_by_gender.setdefault(job_id, {})
                if gender not in genders or match.key[:4] < genders[gender]:
                    genders[gender] = match.key[:4]
        for job_id, match in self._rome_matches(by_title).items():
            if job_id not in best or match.key < best[job_id].key:
                best[job_id] = match
        hits = [
            SearchHit(job_id=job_id, tier=match.tier, match=match, gender=_gender(best_by_gender.get(job_id, {})))
            for job_id, match in best.items()
        ]
        hits.sort(key=lambda hit: (hit.match.key, hit.job_id))
        if self.texts:
            hits += [SearchHit(job_id=pk, tier=TIER_TEXT) for pk in sorted(self._text_job_ids(best))]
        # Every job holding all the words is kept; of the partial, typo and text matches, the best
        # MAX_WEAK_HITS only: further down they are noise, and they would make every page slower.
        strong = [hit for hit in hits if hit.tier < TIER_PARTIAL]
        weak = [hit for hit in hits if hit.tier >= TIER_PARTIAL]
        return strong + weak[:MAX_WEAK_HITS]


def _gender(keys: dict[str, tuple]) -> str:
    """The form the student typed: the gendered title that matched strictly better than the other."""
    feminine, masculine = keys.get("feminine"), keys.get("masculine")
    if feminine is not None and (masculine is None or feminine < masculine):
        return "feminine"
    if masculine is not None and (feminine is None or masculine < feminine):
        return "masculine"
    return ""


def search_jobs(query: str | None, jobs: QuerySet[Job] | None = None, *, texts: bool = True) -> list[SearchHit]:
    """Ranked hits for `query` among `jobs` (published jobs by default); `texts=False` leaves out
    matches in the texts (suggestions propose titles only)."""
    return JobSearch(query, jobs, texts=texts).hits()
