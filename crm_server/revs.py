"""Handing out ``rev`` numbers so that a feed cursor never skips a change.

Every change of a record, and every record leaving a book, takes a new ``rev`` from the one row
of ``rev_counter``, inside the transaction that makes the change. Bumping the row locks it until
that transaction ends (PostgreSQL row lock; on SQLite the writer holds the whole database), so a
transaction with higher revs can only commit after every transaction with lower ones. A reader
that sees rev N therefore already sees every rev below N, and "everything after my cursor" is
complete, however many server processes write.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from crm_server.schema import rev_counter


def take_revs(conn: Connection, count: int = 1) -> int:
    """Reserve ``count`` consecutive revs in the caller's writing transaction.

    Args:
        conn: A connection inside :meth:`~crm_server.database.Database.write`.
        count: How many revs to reserve (at least 1).

    Returns:
        The first reserved rev; the block is ``first … first + count - 1``.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    last = conn.execute(
        update(rev_counter)
        .where(rev_counter.c.id == 1)
        .values(rev=rev_counter.c.rev + count)
        .returning(rev_counter.c.rev)
    ).scalar_one()
    return int(last) - count + 1


def lock_revs(conn: Connection) -> int:
    """Take the counter's lock now, before reading what a write depends on.

    A mutation batch calls this first, so batches run one after the other and the idempotency
    check of an ``op_id`` cannot race with a concurrent apply of the same op. Holding the lock,
    the batch hands out revs after the returned one itself and stores the last with
    :func:`advance_revs` before it commits.

    Returns:
        The last rev handed out so far.
    """
    last = conn.execute(
        select(rev_counter.c.rev).where(rev_counter.c.id == 1).with_for_update()
    ).scalar_one()
    return int(last)


def advance_revs(conn: Connection, last: int) -> None:
    """Record ``last`` as the last rev handed out, in a transaction that holds the lock."""
    conn.execute(update(rev_counter).where(rev_counter.c.id == 1).values(rev=last))


def current_rev(conn: Connection) -> int:
    """The last rev handed out, as this transaction sees it."""
    return int(conn.execute(select(rev_counter.c.rev).where(rev_counter.c.id == 1)).scalar_one())
