"""The tables: users and their notes."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    """The declarative base; ``Base.metadata`` holds every table."""


class User(Base):
    """Someone who signed up; ``password_hash`` is an scrypt hash (see ``passwords``)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    notes: Mapped[list[Note]] = relationship(back_populates="owner", cascade="all, delete-orphan")


class Note(Base):
    """A note, owned by one user."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
    owner: Mapped[User] = relationship(back_populates="notes")

    def as_dict(self) -> dict[str, object]:
        """The note as the JSON API shows it."""
        return {"id": self.id, "title": self.title, "body": self.body,
                "created_at": _iso(self.created_at), "updated_at": _iso(self.updated_at)}


def _iso(moment: datetime) -> str:
    # SQLite returns naive datetimes; every time stored here is UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()
