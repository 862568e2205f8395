"""The building blocks every part of a regulation file is made of: strict models, texts in the act's
languages, cited elements and codes.  Kept apart from :mod:`qyzmet.core.regulation` so that the norm
tables (:mod:`qyzmet.core.norms`) can use them without importing the whole regulation model."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(_Strict):
    """A text in the act's languages.  kk and ru are required by the linter, en is for developers."""

    kk: str | None = None
    ru: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to kk, then ru, then en."""
        for candidate in (lang, "kk", "ru", "en"):
            value = getattr(self, candidate, None)
            if value:
                return value
        return ""


class Cited(_Strict):
    """Every legal element carries the clause it comes from."""

    cite: str | None = None
