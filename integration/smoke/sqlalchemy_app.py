"""Smoke app for demijohn-sqlalchemy installed alone: a SQLite file, no database server."""

from demijohn import App, request
from demijohn_sqlalchemy import SQLAlchemyPlugin
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))


app = App()
app.install(SQLAlchemyPlugin("sqlite:///smoke.sqlite3", metadata=Base.metadata, create=True))


@app.post("/notes")
def add(db):
    db.add(Note(text=request.forms.get("text", "")))
    return "saved"


@app.get("/notes")
def notes(db):
    return ", ".join(db.scalars(select(Note.text).order_by(Note.id)))
