"""The chaos suite (`make chaos`): load, faults, and a checker of what was acknowledged."""
