"""`python -m rag.cli` runs the `rag` command."""

import sys

from rag.cli import main

sys.exit(main())
