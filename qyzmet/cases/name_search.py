"""Finding cases by part of a name from an index, not by reading every case of the office.

A clerk types a few letters of the applicant's (or the representative's) name; the answer must be what
``icontains`` gives — any substring, in any letter case — but at a country's volume the office holds
hundreds of thousands of cases, and ``LIKE '%…%'`` reads them all.

- **PostgreSQL**: pg_trgm GIN indexes on ``UPPER(applicant_name)`` and ``UPPER(representative_name)``
  (migration ``0012_name_search``).  They are on the very expression Django writes for ``icontains``
  (``UPPER(col::text) LIKE UPPER('%…%')``), so the query stays the ORM's and the planner picks the index
  when it pays.  ``UPPER`` folds ә/Ә, ғ/Ғ, қ/Қ, ң/Ң, ө/Ө, ұ/Ұ, ү/Ү, һ/Һ, і/І under the database's UTF-8
  ctype (tested).
- **SQLite**: an FTS5 table with the *trigram* tokenizer (``case_sensitive 0``), kept in sync by
  triggers on ``cases_case``.  The trigram tokenizer matches substrings, as ``icontains`` does; the
  ``unicode61`` tokenizer would fold the Kazakh letters' case too but matches only whole words or their
  beginnings ("анат" would not find "Қанатқызы").  FTS5 folds case by Unicode, so ә finds Ә — which
  SQLite's own ``LIKE`` never did (it folds ASCII only).  A trigram index cannot answer fewer than three
  letters: such a search keeps the old ``LIKE`` and reads the office's cases.

The office filter goes *inside* the index subquery on SQLite: with ``office_id = ?`` outside, SQLite
(which keeps no statistics) walks the office's index and probes the match list for every case.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

FTS_TABLE = "cases_case_names"
TRIGRAM = 3  # the trigram index answers substrings of at least this many characters


def uses_index(q: str) -> bool:
    """Whether a name search for ``q`` is answered from the SQLite full-text table."""
    return connection.vendor == "sqlite" and len(q) >= TRIGRAM


def _phrase(q: str) -> str:
    """``q`` as one FTS5 string: every character literal (quotes doubled), matched as a substring."""
    return '"' + q.replace('"', '""') + '"'


def condition(q: str, *, office_id: int | None = None, status: str = "") -> Q:
    """Cases whose applicant or representative name contains ``q``, in any letter case.

    From the index (:func:`uses_index`) the office (received or worked there) and the status are
    filtered inside the subquery when given; otherwise they are ignored here and the caller adds them,
    as it always did around ``icontains``.
    """
    if not uses_index(q):
        return Q(applicant_name__icontains=q) | Q(representative_name__icontains=q)
    # CROSS JOIN keeps the full-text table first: its matches drive the primary-key look-ups.
    sql = (f"SELECT c.id FROM {FTS_TABLE} CROSS JOIN cases_case c ON c.id = {FTS_TABLE}.rowid "
           f"WHERE {FTS_TABLE} MATCH %s")
    params: list[object] = [_phrase(q)]
    if office_id is not None:
        sql += " AND (c.office_id = %s OR c.provider_office_id = %s)"
        params += [office_id, office_id]
    if status:
        sql += " AND c.status = %s"
        params.append(status)
    return Q(pk__in=RawSQL(sql, params))
