"""The files of an index under RAG_DATA_DIR; no other module knows their names.

```
manifest.sqlite3   what is indexed (rag.index.manifest), written last (an earlier
                   version's manifest.json is read, then replaced)
chroma/            the embedded Chroma store (absent in server mode)
side/<generation>/ which segments the side index reads, and which of their articles are
                   deleted (rag.index.generation), one folder per update, with its format in
                   `format`, written last
segments/<name>/   what is kept beside Chroma for some articles (rag.index.segment), written
                   once, its `format` last
signatures.npz     MinHash signatures of the articles, by content hash (ingest.dedup)
feeds.json         each feed's ETag, Last-Modified and the entries already seen (ingest.feeds)
reindex.lock       held by the running reindex
rag.sqlite3        the user's own data: saved conversations and feedback (rag.db), never
                   touched by a reindex or a rebuild
dirty              present while a reindex writes: the next one heals what it left
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Bump when anything on disk changes meaning. An index of another format is not read: the
# next reindex rebuilds it from the corpus.
FORMAT = 3
# Bump when what a side-index generation holds changes meaning while the chunks do not
# (2 counted headlines in BM25, not kept; 4 split it into segments; 5 stores sentence
# vectors as int8). A generation of another format is rebuilt by the next reindex from the
# chunks and sentence vectors stored, embedding nothing again.
SIDE_FORMAT = 5
# Written last into a generation's or a segment's folder: its SIDE_FORMAT, and that it
# is whole.
GENERATION_MARK = "format"


@dataclass(frozen=True)
class IndexLayout:
    root: Path

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.sqlite3"

    @property
    def chroma(self) -> Path:
        return self.root / "chroma"

    @property
    def side(self) -> Path:
        return self.root / "side"

    @property
    def signatures(self) -> Path:
        return self.root / "signatures.npz"

    @property
    def feeds(self) -> Path:
        return self.root / "feeds.json"

    @property
    def database(self) -> Path:
        return self.root / "rag.sqlite3"

    @property
    def lock(self) -> Path:
        return self.root / "reindex.lock"

    @property
    def dirty(self) -> Path:
        return self.root / "dirty"

    @property
    def segments(self) -> Path:
        return self.root / "segments"

    def generation(self, name: str) -> Path:
        return self.side / name

    def segment(self, name: str) -> Path:
        return self.segments / name

    def generation_current(self, name: str, *, segment: bool = False) -> bool:
        """Whether generation (or segment) `name` is on disk, whole and of this SIDE_FORMAT."""
        folder = self.segment(name) if segment else self.generation(name)
        try:
            mark = (folder / GENERATION_MARK).read_text(encoding="ascii")
        except (OSError, ValueError):
            return False
        return mark.strip() == str(SIDE_FORMAT)

    def former(self) -> list[Path]:
        """What earlier formats kept here and this one does not; a rebuild removes it (and
        nothing else: the folder may hold files that are not ours)."""
        return [self.root / "bm25"]
