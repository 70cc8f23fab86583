"""Watches: standing questions asked again over the articles that arrive, alerting when
the story moved (novelty), delivered as Atom feeds (atom) and to a webhook (webhook)."""
