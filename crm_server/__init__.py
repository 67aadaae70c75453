"""Reference CRM server for the RM Desk sync contract (API.md).

FastAPI over SQLAlchemy Core, on SQLite or PostgreSQL chosen by URL; every piece of state lives in
the database, so several server processes can share one. Modules:

::

    cli.py            the crm-server command
    runner.py         start_server(settings) -> RunningServer: prepare the database, serve
    settings.py       Settings: address, database, lifetimes, limits, the client policy, the clock
    app.py            create_app(services): routes under /api/v1, middleware, problem handlers
    openapi.py        the OpenAPI document committed as docs/openapi.json (make openapi)
    services.py       the server's parts, built once per app
    routes/           one module per part of the contract (session, sync, customers, audit,
                      health) and dev.py, the /dev calls mounted only with --dev
    wire.py           request and answer bodies (pydantic; strict, unknown fields refused)
    problems.py       RFC 9457 problem documents for every error
    request_body.py   body size limit and gzip-encoded request bodies
    compression.py    gzip answers, with ISA-L where installed (zlib otherwise)
    responses.py      orjson JSON answers
    database.py       engine by URL, read and write transactions, upserts
    schema.py         the tables
    revs.py           the rev counter: commit order equals rev order
    seeding.py        filling an empty database from the synthetic bank (synth/)
    sessions.py       sign-in, lockout, tokens, refresh, logout, devices
    ratelimit.py      per-user call counters
    scope.py          who sees and who writes which book
    cursor.py         the feed's opaque cursor
    feed.py           GET /changes
    mutations.py      POST /mutations: checks, stamps, idempotency
    conflicts.py      per-field conflict detection (pure)
    record_store.py   reading and writing records, scope exits
    backoffice.py     /dev/edit and /dev/reassign: changes the bank makes
    reveal.py         POST /customers/{id}/reveal
    history.py        GET /customers/{id}/transactions
    audit_log.py      the server's audit trail and the clients' uploaded logs
    passwords.py      scrypt password hashes
    timestamps.py     wire timestamps and database instants
    synth/            the synthetic bank (generator and seed contract)
"""
