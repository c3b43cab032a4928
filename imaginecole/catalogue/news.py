"""News (« actualités ») for the catalogue's home page, written by editors.

Bodies are HTML sanitised with nh3 when written: scripts, event handlers and
unknown tags never reach a page.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from ..i18n import ImaginecoleError
from .db import Database, News, utcnow
from .errors import NotFound, require
from .model import NewsItem, Principal

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
NEWS = News.__table__
EDIT_NEWS_MESSAGE = "Only editors (the « edit » permission) may write or delete news."


class NewsMixin:
    """`Catalogue` methods for news items."""

    db: Database

    def add_news(self, principal: Principal, title: str, body: str, language: str = "fr") -> int:
        import nh3

        require(principal, "edit", EDIT_NEWS_MESSAGE)
        title = " ".join(str(title or "").split())
        if not title:
            raise ImaginecoleError("The news title is missing: give the news item a title.")
        if not isinstance(language, str) or not _LANGUAGE.match(language):
            raise ImaginecoleError(
                "« {language} » is not a language code (fr, en, ar…).", language=str(language)
            )
        body_html = nh3.clean(str(body or "")).strip()
        if not body_html:
            raise ImaginecoleError("The news item is empty: write its text.")
        with self.db.write() as conn:
            return conn.execute(
                NEWS.insert()
                .values(
                    title=title[:200],
                    body_html=body_html,
                    language=language,
                    author=principal.name,
                    published=utcnow(),
                )
                .returning(NEWS.c.id)
            ).scalar_one()

    def news(self, language: str | None = None, limit: int = 10) -> list[NewsItem]:
        stmt = select(NEWS).order_by(NEWS.c.published.desc(), NEWS.c.id.desc())
        if language:
            stmt = stmt.where(NEWS.c.language == language)
        with self.db.read() as conn:
            rows = list(conn.execute(stmt.limit(max(1, min(int(limit), 100)))))
        return [
            NewsItem(
                id=n.id,
                title=n.title,
                body_html=n.body_html,
                language=n.language,
                author=n.author,
                published=n.published,
            )
            for n in rows
        ]

    def delete_news(self, principal: Principal, news_id: int) -> None:
        require(principal, "edit", EDIT_NEWS_MESSAGE)
        with self.db.write() as conn:
            deleted = conn.execute(NEWS.delete().where(NEWS.c.id == int(news_id))).rowcount
            if not deleted:
                raise NotFound("No news item {id}.", id=news_id)
