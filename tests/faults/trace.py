"""The history of a record a kill run got wrong, for the failure report.

The kill program (:mod:`tests.faults.kill_client`) writes to its log, besides its edits and op
ids, the outbox rows as each program found them at its start (``start``), each op's row as it
went out (``sent``: the body the server got), the record's rows after each edit was saved
(``rows``) and the end of each round (``round``); the test adds its own clean sync's (``final``).
After a failed run, :func:`record_trace` lays these out for the records the problems name, in the
order they happened, with what the server made of each op id (its stored answer, read from its
database in the order it answered), the record's sync journal and its conflict rows. Printed only
when a run fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import create_engine, select

from crm_server.schema import op_result
from rm_desk.local_store import Store, schema
from rm_desk.local_store.outbox import StoredOp, journal_entries

if TYPE_CHECKING:
    from tests.e2e.conftest import Bank


def op_row(op: StoredOp) -> dict[str, Any]:
    """An outbox row as a log line's JSON."""
    return {
        "seq": op.seq,
        "op_id": op.op_id,
        "entity": op.entity,
        "record_id": op.record_id,
        "op": op.op.value,
        "state": op.state.value,
        "base_rev": op.base_rev,
        "fields": dict(op.fields),
        "snapshot": None if op.snapshot is None else dict(op.snapshot),
    }


def _short(op_id: Any) -> str:
    return str(op_id)[:8]


def _row_text(row: Mapping[str, Any]) -> str:
    return (
        f"seq={row['seq']} {_short(row['op_id'])} {row['state']:<8} {row['op']} "
        f"base_rev={row['base_rev']} fields={_compact(row['fields'])} "
        f"snapshot={_compact(row['snapshot'])}"
    )


def _compact(value: Any) -> str:
    """A value for the report, long texts cut (the workload's notes say only the step)."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str) and len(value) > 24:
        return repr(value[:20] + "…")
    return repr(value)


def troubled_records(
    problems: Iterable[str], edited: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The edited records a problem names (by id), in the order first edited."""
    text = "\n".join(problems)
    seen: dict[tuple[str, str], None] = {}
    for entity, record_id in edited:
        if record_id in text:
            seen.setdefault((entity, record_id), None)
    return list(seen)


def record_trace(
    bank: Bank,
    store: Store,
    log: Sequence[Mapping[str, Any]],
    entity: str,
    record_id: str,
) -> list[str]:
    """The history of one record (see the module docstring), as report lines."""
    mine = (entity, record_id)
    ids: dict[str, None] = {}
    names: set[str] = set()
    lines = [f"history of {entity} {record_id} (program log, in order):"]
    starts = 0
    for line in log:
        kind = line.get("kind")
        if kind == "start":
            starts += 1
            rows = [r for r in line["rows"] if (r["entity"], r["record_id"]) == mine]
            ids.update((r["op_id"], None) for r in rows)
            lines.append(f"  start {starts} (a kill before it)" if starts > 1 else "  start 1")
            lines.extend(f"      {_row_text(r)}" for r in rows)
        elif kind == "edit" and (line["edit"]["entity"], line["edit"]["record_id"]) == mine:
            edit = line["edit"]
            how = f" ({line['recovered']})" if line.get("recovered") else ""
            names.update(edit["fields"])
            lines.append(
                f"  step {edit['step']}: saved {_compact(edit['fields'])} "
                f"op={_short(edit['op_id'])}{how}"
            )
        elif kind == "rows" and (line["entity"], line["record_id"]) == mine:
            ids.update((r["op_id"], None) for r in line["rows"])
            names.update(n for r in line["rows"] for n in r["fields"])
            lines.extend(f"      {_row_text(r)}" for r in line["rows"])
        elif kind == "sent" and (line["row"]["entity"], line["row"]["record_id"]) == mine:
            ids[line["row"]["op_id"]] = None
            names.update(line["row"]["fields"])
            lines.append(f"    sent {_row_text(line['row'])}")
        elif kind == "op" and (line["entity"], line["record_id"]) == mine:
            ids[line["op_id"]] = None
        elif kind == "outcome" and line["op_id"] in ids:
            lines.append(f"    outcome {_short(line['op_id'])}: {line['state']}")
        elif kind == "round":
            lines.append(f"  round {'ok' if line['ok'] else 'failed'}")
        elif kind == "final":
            lines.append("  the test's clean sync:")
    with store.read() as conn:
        journal = [e for e in journal_entries(conn) if (e["entity"], e["record_id"]) == mine]
        c = schema.conflict
        conflicts = (
            conn.execute(
                select(c).where(c.c.entity == entity, c.c.record_id == record_id).order_by(c.c.id)
            )
            .mappings()
            .all()
        )
    ids.update((e["op_id"], None) for e in journal if e["op_id"])
    ids.update((row["op_id"], None) for row in conflicts if row["op_id"])
    lines.append("  the server's answers, in the order it gave them:")
    lines.extend(f"    {text}" for text in _server_answers(bank, list(ids), names))
    lines.append("  sync journal:")
    lines.extend(
        f"    {e['id']} {e['kind']} op={_short(e['op_id'])} {_compact(e['detail'])}"
        for e in journal
    )
    lines.append("  conflict rows:")
    lines.extend(
        f"    {row['id']} op={_short(row['op_id'])} {row['kind']} {row['field']} "
        f"base={row['base_value']} mine={row['mine_value']} theirs={row['theirs_value']} "
        f"rev={row['server_rev']} resolved={row['resolution']}"
        for row in conflicts
    )
    return lines


def _server_answers(bank: Bank, op_ids: Sequence[str], names: Iterable[str]) -> list[str]:
    """The server's stored answer to each op id it answered, in the order it answered them,
    with the record's values of ``names``."""
    if not op_ids:
        return []
    engine = create_engine(bank.settings.db_url)
    try:
        with engine.connect() as conn:
            # The row number is the order of the answers (created_at is the fake clock's).
            rows = conn.exec_driver_sql(
                f"SELECT op_id, result FROM {op_result.name} WHERE op_id IN ("
                + ", ".join("?" for _ in op_ids)
                + ") ORDER BY rowid",
                tuple(op_ids),
            ).all()
    finally:
        engine.dispose()
    wanted = set(names)
    found: list[str] = []
    for op_id, text in rows:
        result = orjson.loads(text)
        record = result.get("record") or {}
        values = {k: v for k, v in record.items() if k in wanted}
        if result["status"] == "applied":
            extra = f" changed_fields={result.get('changed_fields')}"
        elif result["status"] == "conflict":
            extra = f" kind={result['kind']} conflicting={result['conflicting_fields']}"
        else:
            extra = f" code={result.get('code')}"
        found.append(
            f"{_short(op_id)} {result['status']} rev={result.get('rev')}{extra} "
            f"record={_compact(values)} applied_count={bank.applied_count(op_id)}"
        )
    answered = {op_id for op_id, _ in rows}
    missing = [op_id for op_id in op_ids if op_id not in answered]
    if missing:
        found.append("never answered: " + ", ".join(_short(i) for i in missing))
    return found
