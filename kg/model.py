"""Plain data passed between the pipeline stages.

Offsets: every ``start``/``end`` is a character offset into the *original*
decoded text of the source file (``Document.raw``), so evidence can always be
traced back to the file a researcher has on disk. Stages that work on the
cleaned text (``Document.text``) convert with ``Document.to_raw``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# The eleven entity classes of the SPEC, in the SPEC's order.
CLASSES = ("Zone", "Company", "Fund", "Agency", "Institution", "Policy",
           "Measure", "Person", "Place", "Project", "Industry")

# The thirteen relation properties of the SPEC.
PROPERTIES = ("locatedIn", "hosts", "implements", "partOf", "issuedBy", "cites",
              "leads", "responsibleFor", "establishes", "investsIn",
              "cooperatesWith", "worksFor", "hasIndustry")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: cleaned text plus its span in the raw text."""

    index: int
    text: str          # cleaned text (column breaks repaired, whitespace trimmed)
    start: int         # offset of the first character in Document.raw
    end: int           # offset after the last character in Document.raw
    clean_start: int   # the same span in Document.text
    clean_end: int


@dataclass
class Document:
    """A source file after ingestion: raw decoded text, cleaned text and an offset map."""

    source: str                 # file name, e.g. "000_827bfa4812dc16f8.txt"
    raw: str                    # the file's decoded text, as written
    text: str                   # cleaned text used for recognition
    offsets: list[int]          # offsets[i] = index in raw of text[i]; len(text) + 1 entries
    sha256: str                 # hash of the file's bytes
    title: str = ""
    date: str = ""              # ISO date where the text states one
    model: str = ""             # the learned models that read it ("none:<version>"; "" = grammars alone)
    sentences: list[Sentence] = field(default_factory=list)

    def to_raw(self, clean_index: int) -> int:
        """Map an offset in ``text`` to the offset in ``raw``."""
        return self.offsets[clean_index]

    def evidence(self, sentence: int) -> "Evidence":
        """Evidence for a fact stated in the sentence with this index."""
        s = self.sentences[sentence]
        return Evidence(self.source, s.text, s.start, s.end)


@dataclass(frozen=True)
class Mention:
    """A span of a sentence that names (or refers to) an entity."""

    cls: str            # one of CLASSES
    text: str           # the surface form as written (cleaned text)
    sentence: int       # Sentence.index
    start: int          # offsets into Document.text (clean)
    end: int
    name: str = ""      # canonical name when the surface is a reference (该区 -> the zone's name)
    ref: bool = False   # the surface is a reference (该区, 经开区, 我们), not a name: never an altLabel
    attrs: tuple[tuple[str, str], ...] = ()   # extra facts, e.g. (("code", "360700"),)

    @property
    def key(self) -> str:
        """The name this mention resolves under before cross-document merging."""
        return self.name or self.text

    def __hash__(self) -> int:
        # computed once: resolution and graph writing hash each mention many times
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash((self.cls, self.text, self.sentence, self.start, self.end, self.name, self.ref, self.attrs))
            object.__setattr__(self, "_hash", h)
        return h

    def __getstate__(self) -> dict:
        # a string's hash differs between processes: never carry the cached one along
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: the sentence, its document and its raw offsets."""

    source: str         # Document.source
    sentence: str       # the sentence text (cleaned)
    start: int          # raw offsets
    end: int


@dataclass(frozen=True)
class Relation:
    """A relation between two mentions, with the sentence that states it."""

    subject: Mention
    prop: str           # one of PROPERTIES
    object: Mention
    evidence: Evidence


@dataclass(frozen=True)
class Observation:
    """A figure tied to an actor, normalised per the SPEC (value in the base unit)."""

    about: Mention
    indicator: str
    value: Decimal
    unit: str
    period: str
    evidence: Evidence


@dataclass
class Extraction:
    """Everything read from one document; the unit that the store caches."""

    document: Document
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    # Resolution keys of its mentions (resolve.document_keys), cached with it so that a
    # rebuild does not compute them again; valid only for the resolver of keys_version.
    keys: dict[Mention, list[str]] | None = field(default=None, repr=False, compare=False)
    keys_version: str = field(default="", repr=False, compare=False)
    # Each distinct mention with its number of occurrences (as a mention, subject, object or
    # the subject of a figure), in order of first occurrence: the decoder counts them by table
    # index, which spares resolution hashing every occurrence. None: counted when needed.
    tally: list[tuple[Mention, int]] | None = field(default=None, repr=False, compare=False)


@dataclass
class Entity:
    """One real-world thing after resolution across all documents."""

    cls: str
    label: str                                  # canonical rdfs:label
    alt_labels: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)   # Document.source values
    attrs: dict[str, str] = field(default_factory=dict)
