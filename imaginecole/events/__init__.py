"""Workshops and hackathons run from the catalogue: events, teams, submissions, jury, certificates.

The events live in the catalogue's database (migration 0005) and are served by the catalogue's
web server (``events.web`` and ``events.api`` add their routes); `service.Events` holds every
operation with its permission check. See docs/events.md.
"""
