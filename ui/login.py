"""The UI's password (RAG_UI_PASSWORD): asked once per browser session before anything
else of the app runs."""

from __future__ import annotations

import hmac
import time

import streamlit as st
from pydantic import SecretStr

# A wrong password costs this long: guessing over the network stays slow.
WRONG_PASSWORD_DELAY_S = 1.0


def require_login(password: SecretStr | None) -> None:
    """Return when no password is set or this session gave it; otherwise show the sign-in
    form and stop the script here."""
    if password is None or st.session_state.get("signed_in"):
        return
    st.title(":material/lock: Ask the articles")
    with st.form("sign_in", border=False):
        given = st.text_input("Password", type="password", help="RAG_UI_PASSWORD")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        # compared in constant time: how long a check takes says nothing of the password
        if hmac.compare_digest(given.encode(), password.get_secret_value().encode()):
            st.session_state.signed_in = True
            st.rerun()
        time.sleep(WRONG_PASSWORD_DELAY_S)
        st.error("That is not the password.", icon=":material/error:")
    st.stop()
