"""Shared test helpers: real database services, per-test databases."""
