"""The reference in docs/ names every route and command there is, and the README's and
the docs' links lead somewhere."""

import contextlib
import io
import re
from pathlib import Path

from rag import Assistant
from rag.cli import build_parser
from rag.serve.app import create_app
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _placeholders(path: str) -> str:
    """ "/v1/articles/{doc_id:path}" and "/v1/articles/{id}" alike (pure)."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_every_route_is_in_the_api_reference(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    app = create_app(Assistant(settings), settings)
    documented = {
        (method, _placeholders(path))
        for method, path in re.findall(
            r"`(GET|POST|PATCH|DELETE) (/[^`?\s]*)", (DOCS / "api.md").read_text()
        )
    }
    routes = {
        (method.upper(), _placeholders(path))
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert routes, "the app has routes"
    assert routes - documented == set(), "routes missing from docs/api.md"
    assert documented - routes == set(), "docs/api.md names routes the server does not have"


def _help(words: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        build_parser().parse_args([*words, "--help"])
    return out.getvalue()


def _commands(words: tuple[str, ...] = ()) -> set[str]:
    """Every command and subcommand of `rag`, as its help lists them ("{ask,chat,…}")."""
    found: set[str] = set()
    listed = re.search(r"\{([a-z,]+)\}", _help(list(words)))
    for name in listed.group(1).split(",") if listed else []:
        found.add(" ".join(["rag", *words, name]))
        found |= _commands((*words, name))
    return found


def test_every_command_is_in_the_cli_reference() -> None:
    text = (DOCS / "cli.md").read_text()
    # "rag eval retrieval|abstention|…" names each of those subcommands
    named = set()
    for line in re.findall(r"^(rag [a-z][a-z |]*)", text, re.M):
        words = line.split()
        named.add(" ".join(words[:2]))
        if len(words) > 2:
            named |= {f"{words[0]} {words[1]} {w}" for w in words[2].split("|")}
    commands = _commands()
    assert len(commands) > 10
    assert commands - named == set(), "commands missing from docs/cli.md"


def test_links_lead_somewhere() -> None:
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        text = page.read_text()
        headings = {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://")):
                continue
            file, _, anchor = target.partition("#")
            path = (page.parent / file).resolve() if file else page
            assert path.exists(), f"{page.name} links to {target}, which is not there"
            if anchor and path.suffix == ".md":
                inside = (
                    headings
                    if path == page
                    else {_anchor(h) for h in re.findall(r"^#+ (.+)$", path.read_text(), re.M)}
                )
                assert anchor in inside, f"{page.name} links to {target}: no such heading"


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading (pure): lower case, punctuation out, spaces to dashes."""
    words = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return words.replace(" ", "-")
