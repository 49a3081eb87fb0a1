"""A fictional mid-size US city, generated deterministically, exported the way its departments would.

Each feed is one module with a ``write(city, rng, folder)`` function; :func:`generate` runs them
in a fixed order from one seed, so the same seed always gives the same bytes.
"""

from city_outcomes.demo.generator import DEMO_SEED, DemoCity, generate

__all__ = ["DEMO_SEED", "DemoCity", "generate"]
