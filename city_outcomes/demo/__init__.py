"""A fictional mid-size US city, generated deterministically, exported the way its departments would.

Each feed is one module with a ``make(city, rng, ...)`` function (the data, with what other feeds
need to know) and a ``write(..., folder)`` function (the department's or vendor's own files).
:func:`generate` runs them in a fixed order; the first feeds share one random stream and every later
module has its own (``generator.STREAMS``), so the same seed always gives the same bytes and adding a
feed never changes another feed's files.
"""

from city_outcomes.demo.generator import DEMO_SEED, DemoCity, generate

__all__ = ["DEMO_SEED", "DemoCity", "generate"]
