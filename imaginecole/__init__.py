"""Imaginecole Studio: a workshop hub where teachers build learning resources."""

__version__ = "0.1.0"
