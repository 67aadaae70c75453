"""The cache's tables and the domain's entity types describe the same fields."""

from __future__ import annotations

import dataclasses

import pytest

from rm_desk.domain import entities
from rm_desk.domain.enums import Entity
from rm_desk.local_store import schema
from rm_desk.local_store.rows import wire_columns

ENTITY_TYPES = {
    Entity.CUSTOMER: entities.Customer,
    Entity.HOUSEHOLD: entities.Household,
    Entity.RELATIONSHIP: entities.Relationship,
    Entity.ACCOUNT: entities.Account,
    Entity.HOLDING: entities.Holding,
    Entity.TRANSACTION: entities.Transaction,
    Entity.PRODUCT: entities.Product,
    Entity.VISIT: entities.Visit,
    Entity.TASK: entities.Task,
    Entity.OPPORTUNITY: entities.Opportunity,
    Entity.ALERT: entities.Alert,
    Entity.CUSTOMER_TAG: entities.CustomerTag,
    Entity.EMPLOYEE: entities.Employee,
    Entity.TEAM: entities.Team,
    Entity.KPI: entities.Kpi,
    Entity.RULE_CONFIG: entities.RuleConfig,
}


def test_every_feed_entity_has_a_table_and_a_type():
    assert set(schema.ENTITY_TABLES) == {e.value for e in Entity} == set(ENTITY_TYPES)


@pytest.mark.parametrize("entity", sorted(Entity))
def test_table_columns_are_exactly_the_entity_fields(entity):
    fields = {f.name for f in dataclasses.fields(ENTITY_TYPES[entity])}
    assert set(wire_columns(schema.ENTITY_TABLES[entity])) == fields
