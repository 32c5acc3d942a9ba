"""Sweeps: parameter spaces, samplers, global sensitivity analysis and tipping points."""
