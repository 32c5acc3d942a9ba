"""Solvers: pure functions from payoff arrays to typed results."""
