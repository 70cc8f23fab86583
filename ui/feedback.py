"""Feedback to the user that outlives a rerun (flash messages)."""

from __future__ import annotations

import streamlit as st

_FLASH = "corpus_flash"  # a message that must outlive the st.rerun() that refreshes the status


def flash(kind: str, message: str) -> None:
    st.session_state[_FLASH] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop(_FLASH, ("", ""))
    if kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind == "warning":
        st.warning(message, icon=":material/warning:")
    elif kind == "error":
        st.error(message, icon=":material/error:")
    elif kind == "info":
        st.info(message, icon=":material/schedule:")
