"""What the assistant returns: our own types, free of llama-index."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from rag.search.filters import AppliedFilters

Mode = Literal["extractive", "llm"]
# high: the articles state the answer; low: related passages that may not answer it;
# none: the assistant abstained and cites nothing.
Confidence = Literal["high", "low", "none"]
Role = Literal["user", "assistant"]
# A timeline's events at most, by default: a story of months runs to dozens of articles.
MAX_EVENTS = 50


@dataclass(frozen=True)
class ChatMessage:
    """One turn of a conversation, passed back in explicitly: the engine keeps no state."""

    role: Role
    content: str


@dataclass(frozen=True)
class Copy:
    """Another outlet's copy of a syndicated story (not indexed itself)."""

    outlet: str
    source: str
    date: str | None


@dataclass(frozen=True)
class Citation:
    """Passage `[n]` of an answer."""

    n: int
    doc_id: str
    title: str
    source: str
    text: str  # the whole passage
    quote: str  # the sentence of the passage that supports the claim ("" if unknown)
    start_char: int  # the passage's range in the article body
    end_char: int
    score: float
    date: str | None = None  # the article's publication day, ISO YYYY-MM-DD
    outlet: str = ""
    also: tuple[Copy, ...] = ()  # where else the story appeared
    # generated answers: how similar `quote` is to the claim citing it (the claim check)
    support: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        """The citation `as_dict` wrote (a saved answer's); other keys are left out."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["also"] = tuple(Copy(**c) for c in data.get("also") or ())
        return cls(**values)


@dataclass(frozen=True)
class Answer:
    text: str
    mode: Mode
    citations: list[Citation] = field(default_factory=list)
    notice: str = ""  # e.g. why the model's answer was replaced by the extractive one
    # What the search was limited to, and what of that the question asked for itself.
    filters: AppliedFilters | None = None
    confidence: Confidence | None = None  # None: "high" with citations, "none" without
    # Statements of a generated answer that no passage supports (the claim check).
    unsupported: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.confidence is None:
            object.__setattr__(self, "confidence", "high" if self.citations else "none")
        elif not self.citations and self.confidence != "none":
            raise ValueError("an answer without citations has confidence 'none'")

    @property
    def abstained(self) -> bool:
        return not self.citations

    def as_dict(self) -> dict[str, Any]:
        from rag.search.filters import AppliedFilters  # deferred: `rag --help` stays light

        data: dict[str, Any] = {
            "answer": self.text,
            "mode": self.mode,
            "citations": [c.as_dict() for c in self.citations],
            "filters": (self.filters or AppliedFilters()).as_dict(),
            "confidence": self.confidence,
            "unsupported": list(self.unsupported),
        }
        if self.notice:
            data["notice"] = self.notice
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """The answer `as_dict` wrote (a saved conversation's)."""
        from rag.search.filters import AppliedFilters

        return cls(
            str(data.get("answer", "")),
            cast(Mode, data.get("mode", "extractive")),
            [Citation.from_dict(c) for c in data.get("citations") or ()],
            str(data.get("notice", "")),
            AppliedFilters.from_dict(data.get("filters") or {}),
            cast(Confidence, data.get("confidence")),
            tuple(data.get("unsupported") or ()),
        )


@dataclass(frozen=True)
class Delta:
    """A piece of an answer's text, as it is produced."""

    text: str


@dataclass(frozen=True)
class Final:
    """The finished answer, last in a stream, with how it relates to the deltas before it
    (decided once, in rag.answer.stream, so no interface compares texts):
    `rest` is what follows the streamed text to make `answer.text` exactly ("" when the
    deltas were all of it), or None when the streamed text is not its beginning: then the
    answer is restated after it. `replaces_stream`: a reader would see another answer than
    the one streamed (the model failed midway and the articles are quoted instead, or the
    claim check moved markers to other claims); say so when showing it again."""

    answer: Answer
    streamed: str
    rest: str | None
    replaces_stream: bool


StreamEvent = Delta | Final
