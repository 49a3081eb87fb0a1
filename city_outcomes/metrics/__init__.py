"""Outcome metrics: SQL files in city_outcomes/sql, run over the warehouse with bound parameters."""
