"""Scoring the model against the recorded negotiation episodes."""
