"""The synthetic bank: a deterministic branch network with customers, books and KPIs.

:func:`crm_server.synth.generate.generate` builds it lazily in the form of the seed contract
(:mod:`crm_server.synth.records`), which the reference server loads into its database. This
package module stays light on purpose: importing the seed contract must not pull in the generator
(Faker and all), which only an empty database needs.

Modules, from the network down to the records:

    records.py   the seed contract (SeedData, SeedRecord, SeedPii, SeedUser, Scale)
    generate.py  generate(scale, seed, today) and the ``python -m crm_server.synth`` report
    world.py     what one generation shares, and its per-RM random streams
    org.py       branches, teams, RMs, team leads, the seeded users
    names.py     Chinese names of people and companies (Faker zh_CN, pre-drawn)
    identity.py  resident IDs, USCCs, mobiles, card numbers, addresses
    products.py  the product shelf
    people.py    households, companies and customers of a book, and their accounts
    ledger.py    90 days of money: transactions, daily AUM, balances, holdings, tier
    work.py      the RM's visits, tasks and opportunities, suitability snapshots
    alerts.py    the alert rules A01–A12 and their configuration
    tags.py      RFM, lifecycle, churn, tags, soft profile
    book.py      one RM's book as records, and its PII
    history.py   transactions older than the window
    kpis.py      KPI series per RM, team and branch
    days.py, wire.py  day offsets and wire spellings of dates, times and money
"""

from __future__ import annotations

from crm_server.synth.records import Scale, SeedData, SeedPii, SeedRecord, SeedUser

__all__ = ["Scale", "SeedData", "SeedPii", "SeedRecord", "SeedUser"]
