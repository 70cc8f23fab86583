"""Streamlit chat over the articles: a thin shell around `rag.Assistant`.

Start with `rag ui` (or `make run`). The corpus is indexed by `rag reindex`, never on
start-up.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from rag import Answer, Assistant, RagError, get_settings

st.set_page_config(page_title="article-rag", page_icon="📰", layout="centered")


@st.cache_resource(show_spinner="Loading the assistant…")
def assistant() -> Assistant:
    return Assistant(get_settings())


def show_sources(answer: dict[str, Any]) -> None:
    citations = answer.get("citations") or []
    if not citations:
        return
    with st.expander(f"Sources ({len(citations)})"):
        for c in citations:
            st.markdown(f"**[{c['n']}] {c['title']}**")
            if c.get("source"):
                st.caption(c["source"])
            st.text(c["text"])


def show_message(message: dict[str, Any]) -> None:
    with st.chat_message(message["role"]):
        st.markdown(message["content"])
        if message["role"] == "assistant":
            show_sources(message)


st.title("📰 article-rag")
st.caption("Ask about the news articles in the corpus. Every claim is cited.")

if "messages" not in st.session_state:
    st.session_state.messages = []

for message in st.session_state.messages:
    show_message(message)

question = st.chat_input("Ask a question about the articles")
if question:
    st.session_state.messages.append({"role": "user", "content": question})
    show_message(st.session_state.messages[-1])
    try:
        answer: Answer = assistant().ask(question)
    except RagError as exc:
        st.error(str(exc))
    else:
        data = answer.as_dict()
        reply = {"role": "assistant", "content": answer.text, "citations": data["citations"]}
        st.session_state.messages.append(reply)
        show_message(reply)
