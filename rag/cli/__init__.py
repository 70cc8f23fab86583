"""The `rag` command. Errors a user can act on become one line and exit code 1.

`answers` holds ask, chat, status and ui; `corpus` reindex, add and feeds; `evaluate`
`rag eval`; `serve` the HTTP API; `watches` `rag watch`; `common` what they share.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from rag.cli import answers, corpus, evaluate, serve, watches
from rag.config import get_settings
from rag.errors import RagError
from rag.text.controls import printable


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Ask questions about a corpus of news articles, with citations."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True)
    corpus.add_parsers(sub)
    answers.add_parsers(sub)
    evaluate.add_parser(sub)
    serve.add_parser(sub)
    watches.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if getattr(args, "limit", None) is not None and args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)
        return 2
    try:
        return int(args.func(args, get_settings()))
    except RagError as exc:
        print(f"error: {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `rag ask … | head`: the reader left, which is no error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
