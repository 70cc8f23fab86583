"""The models: embedding (bundled multilingual e5, OpenAI, USE) and chat (OpenAI-compatible)."""
