"""The Streamlit chat (app.py) and its helpers: a thin shell over rag.Assistant."""
