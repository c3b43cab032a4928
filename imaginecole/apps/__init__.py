"""The hub-wide Voilà service that serves the catalogue's published notebook apps."""
