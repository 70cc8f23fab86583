"""Feedback to the user that outlives a rerun (flash messages) and progress bars."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

_FLASH = "corpus_flash"  # a message that must outlive the st.rerun() that refreshes the status


def flash(kind: str, message: str) -> None:
    st.session_state[_FLASH] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop(_FLASH, ("", ""))
    if kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind == "warning":
        st.warning(message, icon=":material/warning:")


def reporting(bar: DeltaGenerator) -> Callable[[int, int], None]:
    """A reindex progress callback that moves `bar`."""

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Embedding passages {done}/{total}")

    return progress
