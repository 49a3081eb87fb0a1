"""Goal status: each registry goal's metric series, path to target, gap, Open SDG status and projection.

``progress`` is Open SDG's method (DOMAIN.md §8), ``series`` reads a metric through the catalog with
incomplete years left out, ``status`` puts them together per goal, ``tables`` writes out.goal_status
and out.goal_series.
"""
