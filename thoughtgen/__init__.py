"""thoughtgen: a static site generator for people who build a reputation by writing."""

__version__ = "0.1.0"
