"""The other gendered form of a job title, by the rules of French.

A title agrees with the person in its first words only: the head noun and the words that qualify
it, up to the first preposition or article ("conseiller principal d’éducation" ->
"conseillère principale d’éducation"). Each of those words is inflected on its own, the parts of a
compound too ("maître-nageur" -> "maîtresse-nageuse"); epicene words ("architecte", "pilote"),
acronyms and English words ("manager") stay as they are.

The rules were written against every pair of the 2024 ONISEP export (928 jobs and 1,604
synonyms): they give its feminine from its masculine for 95.7 % of the pairs and its masculine from
its feminine for 97.6 %, most misses being the export's own slips ("conseillère financier",
"techncienne"). What they cannot know is left to the counsellor, who always sees a proposal before
it is used.
"""

import re
from collections.abc import Callable

from catalogue.text import fold

# The part of a title that agrees with the person ends at the first of these words.
STOP_WORDS = frozenset(
    {
        "de",
        "du",
        "des",
        "d",
        "en",
        "à",
        "au",
        "aux",
        "pour",
        "chez",
        "sur",
        "dans",
        "le",
        "la",
        "les",
        "l",
        "par",
        "avec",
        "sans",
        "sous",
        "entre",
        "auprès",
        "près",
        "contre",
        "vers",
        "selon",
        "spécialité",
        "option",
        "mention",
        "of",
        "and",
        "the",
        "for",
    }
)
ELIDED = re.compile(r"^(?:d|l|qu)['’]", re.IGNORECASE)
# Punctuation around a word, kept as it is: "(agent)," -> "(", "agent", "),".
AROUND = re.compile(r"^([(\[«\"“]*)(.*?)([)\]»\"”,;:.!?]*)$", re.DOTALL)

# Word by word, masculine -> feminine, where the rules below would be wrong.
FEMININE_WORDS = {
    # -eur + e rather than -euse / -rice
    "docteur": "docteure",
    "ingénieur": "ingénieure",
    "professeur": "professeure",
    "pasteur": "pasteure",
    "proviseur": "proviseure",
    "procureur": "procureure",
    "prieur": "prieure",
    "assesseur": "assesseure",
    "successeur": "successeure",
    "prédécesseur": "prédécesseure",
    "censeur": "censeure",
    "défenseur": "défenseure",
    "gouverneur": "gouverneure",
    "majeur": "majeure",
    "meilleur": "meilleure",
    # -rice where the rules say -euse, and the reverse
    "auteur": "autrice",
    "ambassadeur": "ambassadrice",
    "empereur": "impératrice",
    "enquêteur": "enquêtrice",
    "inventeur": "inventrice",
    "visiteur": "visiteuse",
    # other forms
    "chef": "cheffe",
    "maître": "maîtresse",
    "contremaître": "contremaîtresse",
    "hôte": "hôtesse",
    "poète": "poétesse",
    "compagnon": "compagne",
    "paysan": "paysanne",
    "nouveau": "nouvelle",
    "vieux": "vieille",
    "gentil": "gentille",
    "fou": "folle",
    "long": "longue",
    "frais": "fraîche",
    "franc": "franche",
    "sec": "sèche",
    "public": "publique",
    "grec": "grecque",
    "turc": "turque",
    "espagnol": "espagnole",
    "homme": "femme",
    "barman": "barmaid",
    "cameraman": "camerawoman",
    "perchman": "perchwoman",
    "boy": "girl",
    "garçon": "serveuse",  # garçon de salle, de café
    "français": "française",
    "anglais": "anglaise",
    "commis": "commise",
    "apprenti": "apprentie",
    "élu": "élue",
    "expert": "experte",
    "avocat": "avocate",
    "candidat": "candidate",
    "magistrat": "magistrate",
    "soldat": "soldate",
    "substitut": "substitute",
    "adjoint": "adjointe",
    "cadet": "cadette",
    "préfet": "préfète",
    "complet": "complète",
    "voisin": "voisine",
    "cousin": "cousine",
    "laborantin": "laborantine",
    "canin": "canine",
    "félin": "féline",
    "bovin": "bovine",
    "ovin": "ovine",
    "porcin": "porcine",
    "équin": "équine",
    "alpin": "alpine",
    "sanguin": "sanguine",
    "marin": "marin",
    "médecin": "médecin",
    "témoin": "témoin",
    "mannequin": "mannequin",
}

# English words: they keep their form, and so do the English words before them ("UI designer",
# "clinical trial manager"). Any word ending in -er that French does not form that way is one too.
ENGLISH_WORDS = frozenset(
    {
        "manager",
        "designer",
        "leader",
        "trader",
        "broker",
        "developer",
        "webmaster",
        "master",
        "officer",
        "owner",
        "planner",
        "controller",
        "dealer",
        "buyer",
        "player",
        "speaker",
        "ranger",
        "dispatcher",
        "steward",
        "coach",
        "salesman",
        "flash-man",
        "data",
        "web",
        "on",
        "line",
        "chain",
        "head",
        "scientist",
    }
)
FRENCH_ER_ENDINGS = ("ier", "ger", "cher", "ller", "yer", "amer")

# Masculine nouns used in apposition ("ingénieur génie civil", "technicien support utilisateur"):
# they keep their form and end the part that agrees, since what follows qualifies them.
APPOSITION_NOUNS = frozenset(
    {
        "support",
        "soutien",
        "entretien",
        "maintien",
        "transport",
        "sport",
        "art",
        "export",
        "import",
        "rapport",
        "projet",
        "produit",
        "budget",
        "contrat",
        "climat",
        "format",
        "chocolat",
        "train",
        "terrain",
        "pain",
        "bain",
        "jardin",
        "vin",
        "bois",
        "béton",
        "carton",
        "son",
        "bilan",
        "froid",
        "gaz",
        "génie",
        "système",
        "essai",
        "test",
        "robot",
        "réseau",
        "bureau",
        "niveau",
        "plateau",
        "bateau",
        "travail",
        "métal",
        "signal",
        "journal",
        "canal",
        "terminal",
        "cheval",
        "hôpital",
        "matériel",
        "logiciel",
        "progiciel",
        "personnel",
        "conseil",
        "marketing",
        "packaging",
        "design",
        "process",
        "client",
        "électroménager",
        "lumière",
        "ski",
        "taxi",
        "exerçant",
    }
)
# Endings of feminine nouns in apposition ("ingénieur qualité moteur", "ingénieur production").
NOUN_ENDINGS = ("ité", "ion", "ance", "ence", "isme", "ment", "té")
NOUN_EXCEPTIONS = frozenset({"député", "habilité", "attitré", "affecté", "détaché", "délégué", "employé", "salarié"})

# First parts of compounds that never agree: "télé-gestionnaire", "médico-sportif".
PREFIXES = frozenset(
    {
        "télé",
        "micro",
        "macro",
        "électro",
        "radio",
        "agro",
        "bio",
        "éco",
        "techno",
        "technico",
        "médico",
        "socio",
        "psycho",
        "audio",
        "vidéo",
        "auto",
        "multi",
        "néo",
        "pré",
        "post",
        "anti",
        "inter",
        "extra",
        "ultra",
        "semi",
        "mi",
        "demi",
        "vice",
        "ex",
        "non",
        "sous",
        "co",
    }
)

# Suffix rules, the first that matches applies (the more specific come first): (masculine ending,
# feminine ending); an ending mapped to itself marks nouns that do not change.
SUFFIXES: list[tuple[str, str]] = [
    ("érieur", "érieure"),  # supérieur, extérieur
    ("aiteur", "aiteuse"),  # traiteur
    ("uiteur", "uiteuse"),  # bruiteur
    ("auteur", "auteuse"),  # tuyauteur, noyauteur
    ("ateur", "atrice"),
    ("cteur", "ctrice"),
    ("pteur", "ptrice"),
    ("lteur", "ltrice"),  # agriculteur
    ("iteur", "itrice"),
    ("uteur", "utrice"),
    ("oteur", "otrice"),
    ("eur", "euse"),
    ("ier", "ière"),
    ("er", "ère"),
    ("éen", "éenne"),
    ("ien", "ienne"),
    ("yen", "yenne"),
    ("ion", "ion"),  # production, gestion: nouns
    ("son", "son"),  # livraison, boisson: nouns
    ("on", "onne"),
    ("ain", "aine"),
    ("an", "ane"),
    ("eil", "eille"),
    ("el", "elle"),
    ("il", "ile"),
    ("al", "ale"),
    ("f", "ve"),
    ("eux", "euse"),
    ("oux", "ouse"),
    ("é", "ée"),
    ("ment", "ment"),  # développement, équipement: nouns
    ("ant", "ante"),
    ("ent", "ente"),
    ("and", "ande"),
    ("ard", "arde"),
]


ONE_WAY = frozenset({"garçon"})  # "serveuse" is the feminine of "serveur" first


def _reverse(mapping: dict[str, str]) -> dict[str, str]:
    return {
        feminine: masculine
        for masculine, feminine in mapping.items()
        if feminine != masculine and masculine not in ONE_WAY
    }


MASCULINE_WORDS = {
    **_reverse(FEMININE_WORDS),
    "auteure": "auteur",
    "doctoresse": "docteur",
    "matelote": "matelot",
    "manageuse": "manager",
    "designeuse": "designer",
    "bookeuse": "booker",
    "religieuse": "religieux",
    "précieuse": "précieux",
    "sérieuse": "sérieux",
    "heureuse": "heureux",
    "joyeuse": "joyeux",
    "dangereuse": "dangereux",
    "nombreuse": "nombreux",
    "amoureuse": "amoureux",
    "civile": "civil",
    "subtile": "subtil",
    "directe": "direct",
    "correcte": "correct",
    "gouvernante": "gouvernante",
    "sage-femme": "sage-femme",
}

# Feminine endings, longest first: (feminine ending, masculine ending). A word is taken for a
# feminine form only when the rules above give it back from the masculine found.
MASCULINE_SUFFIXES: list[tuple[str, str]] = sorted(
    [
        ("trice", "teur"),
        ("euse", "eur"),
        ("ière", "ier"),
        ("ère", "er"),
        ("éenne", "éen"),
        ("ienne", "ien"),
        ("yenne", "yen"),
        ("onne", "on"),
        ("aine", "ain"),
        ("ane", "an"),
        ("eille", "eil"),
        ("elle", "el"),
        ("ale", "al"),
        ("ive", "if"),
        ("ée", "é"),
        ("ante", "ant"),
        ("ente", "ent"),
        ("ande", "and"),
        ("arde", "ard"),
        ("ieure", "ieur"),
    ],
    key=lambda rule: -len(rule[0]),
)

# Words ending like a feminine form that are nouns or epicene ("modèle", "commande", "garde").
NOT_FEMININE = frozenset(
    {
        "femme",
        "elle",
        "modèle",
        "scène",
        "chaîne",
        "domaine",
        "semaine",
        "capitaine",
        "mécène",
        "interprète",
        "athlète",
        "esthète",
        "prophète",
        "mobile",
        "facile",
        "fertile",
        "habile",
        "textile",
        "automobile",
        "argile",
        "lumière",
        "matière",
        "carrière",
        "filière",
        "rivière",
        "frontière",
        "commande",
        "demande",
        "viande",
        "bande",
        "douane",
        "cabane",
        "membrane",
        "caravane",
        "détective",
        "archive",
        "heure",
        "demeure",
    }
)


def _preserve_case(original: str, inflected: str) -> str:
    if original[:1].isupper() and not original[1:2].isupper():
        return inflected[:1].upper() + inflected[1:]
    return inflected


def _is_untouchable(word: str) -> bool:
    """Acronyms (SIG, R&D), words with digits and single letters keep their form."""
    return len(word) < 2 or any(char.isdigit() for char in word) or sum(char.isupper() for char in word) > 1


def _is_english(word: str) -> bool:
    lower = word.lower()
    if lower in ENGLISH_WORDS:
        return True
    return lower.endswith("er") and not lower.endswith(FRENCH_ER_ENDINGS) and lower not in FEMININE_WORDS


def _is_noun_in_apposition(word: str) -> bool:
    lower = word.lower()
    return lower in APPOSITION_NOUNS or (lower.endswith(NOUN_ENDINGS) and lower not in NOUN_EXCEPTIONS)


def feminine_word(word: str) -> str:
    """The feminine of one masculine word ("principal" -> "principale"); unchanged when epicene."""
    if _is_untouchable(word):
        return word
    lower = word.lower()
    if lower in FEMININE_WORDS:
        return _preserve_case(word, FEMININE_WORDS[lower])
    if lower in APPOSITION_NOUNS or lower.endswith("e") or lower.endswith("man") or _is_english(word):
        return word
    for masculine, feminine in SUFFIXES:
        if lower.endswith(masculine):
            return _preserve_case(word, lower[: -len(masculine)] + feminine)
    return word


def masculine_word(word: str) -> str:
    """The masculine of one feminine word ("principale" -> "principal"); unchanged when epicene."""
    if _is_untouchable(word):
        return word
    lower = word.lower()
    if lower in MASCULINE_WORDS:
        return _preserve_case(word, MASCULINE_WORDS[lower])
    if lower in APPOSITION_NOUNS or lower in NOT_FEMININE or lower.endswith("garde"):
        return word
    if lower.endswith("eure"):  # docteure, auteure: "eur" + e, whatever the rules would give
        return _preserve_case(word, lower[:-1])
    for feminine, masculine in MASCULINE_SUFFIXES:
        if lower.endswith(feminine):
            candidate = lower[: -len(feminine)] + masculine
            # Only a word that the feminine rules give back is a feminine form: "aine" in
            # "domaine" is not ("domain" would stay), "ale" in "principale" is.
            if feminine_word(candidate) == lower:
                return _preserve_case(word, candidate)
    return word


def _is_plural(word: str) -> bool:
    """A plural noun starts a complement: 'technicien télécoms et réseaux', 'ingénieur travaux'."""
    lower = word.lower()
    return (
        lower.endswith(("s", "x"))
        and not lower.endswith(("eux", "euse"))
        and lower not in FEMININE_WORDS
        and lower not in MASCULINE_WORDS
    )


def _inflect_title(title: str, inflect_word: Callable[[str], str], agreeing: tuple[str, ...]) -> str:
    """Inflect the words of `title` that agree with the person, from the first one to the first
    preposition, article, bracket, comma, plural or noun in apposition.

    `agreeing` lists the endings of words that are French whatever follows them: words before an
    English word keep their form unless they end so ("UI designer", but "concepteur designer").
    """
    tokens = re.split(r"(\s+)", title)
    changed: list[tuple[int, str]] = []  # (index, original token) of the words inflected so far
    position = 0
    for index, token in enumerate(tokens):
        if not token or token.isspace():
            continue
        match = AROUND.match(token)
        before, core, after = match.group(1), match.group(2), match.group(3)
        lower = core.lower()
        if before or not core:  # an opening bracket starts a gloss: "technicien (H/F)"
            break
        if ELIDED.match(core) or lower in STOP_WORDS or "/" in core or _is_plural(core):
            break
        if position > 0 and _is_noun_in_apposition(core):
            break
        if lower in FEMININE_WORDS or lower in MASCULINE_WORDS or lower in ENGLISH_WORDS:
            inflected = inflect_word(core)
        else:
            parts = core.split("-")
            inflected = "-".join(
                part if (number < len(parts) - 1 and part.lower() in PREFIXES) else inflect_word(part)
                for number, part in enumerate(parts)
            )
        if _is_english(core):
            for changed_index, original in changed:
                if not original.lower().endswith(agreeing):
                    tokens[changed_index] = original
            changed = []
        if inflected != core:
            changed.append((index, token))
        tokens[index] = before + inflected + after
        position += 1
        # "serrurier, dépanneur": the part that agrees ends at the punctuation; "personnel navigant":
        # a noun in apposition heads the title and nothing after it agrees with the person.
        if after or lower in APPOSITION_NOUNS:
            break
    return "".join(tokens)


# Endings of French agent nouns and participles, kept inflected before an English word.
MASCULINE_AGENT_ENDINGS = ("eur", "ier", "ien", "ant", "ent", "é", "er")
FEMININE_AGENT_ENDINGS = ("euse", "rice", "ère", "ienne", "ante", "ente", "ée", "eure")


def _clean(title: str) -> str:
    return " ".join((title or "").replace("\u00a0", " ").split())


def feminine_of(masculine: str) -> str | None:
    """The feminine of a masculine title ("directeur de la communication" -> "directrice de la communication").

    An epicene title comes back unchanged; None for an empty one.
    """
    title = _clean(masculine)
    if not title:
        return None
    return _inflect_title(title, feminine_word, MASCULINE_AGENT_ENDINGS)


def masculine_of(feminine: str) -> str | None:
    """The masculine of a feminine title ("infirmière anesthésiste" -> "infirmier anesthésiste").

    An epicene title comes back unchanged; None for an empty one.
    """
    title = _clean(feminine)
    if not title:
        return None
    return _inflect_title(title, masculine_word, FEMININE_AGENT_ENDINGS)


def looks_consistent(masculine: str, feminine: str) -> bool:
    """Whether two forms look like the same title in both genders (both must be filled).

    True when the rules give one from the other, or when the two differ only by spelling
    (accents, hyphens) or by agreeing words the rules do not know, ending the same way after a
    shared stem ("valoriseur" / "valorisatrice"). False for swapped fields, a masculine title in
    both fields, a form missing a word or a title of another job.
    """
    if not masculine.strip() or not feminine.strip():
        return True
    if fold(masculine) == fold(feminine):  # one form in both fields: right for an epicene title only
        return fold(feminine_of(masculine)) == fold(masculine)
    if feminine_of(masculine) == _clean(feminine) or masculine_of(feminine) == _clean(masculine):
        return True
    masculine_words, feminine_words = fold(masculine).split(), fold(feminine).split()
    if len(masculine_words) != len(feminine_words):
        return False
    return all(_words_agree(m, f) for m, f in zip(masculine_words, feminine_words, strict=True))


# Folded endings a masculine and a feminine word may have after a shared stem.
_ENDING_PAIRS = frozenset(
    {
        ("", "e"),
        ("", "ne"),
        ("", "le"),
        ("", "te"),
        ("", "se"),
        ("", "sse"),
        ("", "fe"),
        ("r", "se"),
        ("er", "ere"),
        ("eur", "rice"),
        ("eur", "euse"),
        ("eur", "atrice"),
        ("teur", "trice"),
        ("f", "ve"),
        ("x", "se"),
        ("man", "woman"),
        ("er", "euse"),  # manager / manageuse
        ("er", "rice"),  # reporter / reportrice
    }
)


def _words_agree(masculine: str, feminine: str) -> bool:
    if masculine == feminine:
        return True
    for masculine_end, feminine_end in _ENDING_PAIRS:
        if masculine.endswith(masculine_end) and feminine.endswith(feminine_end):
            stem = masculine[: len(masculine) - len(masculine_end)]
            if len(stem) >= 3 and stem == feminine[: len(feminine) - len(feminine_end)]:
                return True
    return False
