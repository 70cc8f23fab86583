"""Answering from retrieved passages, with citations.

- `types`: `Answer`, `Citation`, `ChatMessage` (what callers get);
- `query`: a question and what is derived from it once (language, the text to search);
- `follow_up`: which chat questions lean on earlier ones (pure);
- `evidence`: sentences of the best passages scored, and the abstention check;
- `extractive`: quoting the best sentences (pure); `generation`: a model's answer,
  streamed, with its markers checked and a fallback; `engine`: the path through them;
- `citations`, `prompts`, `phrases`, `safety`: markers, prompt text, fixed phrases and
  the injection filter (pure).
"""
