"""The model: reference data, the deal space, scenario files and the payoff model."""
