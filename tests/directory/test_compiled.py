"""A query compiled once reads what the ORM reads, with the values of each call."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from directory.compiled import CompiledQuery
from directory.models import Competence, Region
from tests.factories import CompetenceFactory, RegionFactory

pytestmark = pytest.mark.django_db


def _competences(matter_id: int, region_id: int):
    return Competence.objects.filter(matter_id=matter_id, region_id=region_id).select_related(
        "department", "region"
    )


def test_each_call_binds_its_own_values_into_the_statement_compiled_once():
    first = CompetenceFactory()
    second = CompetenceFactory(region=RegionFactory(code="440305", name="南山区"))
    compiled = CompiledQuery(_competences, -1, -2)

    with CaptureQueriesContext(connection) as queries:
        found = compiled.models(first.matter_id, first.region_id)
        other = compiled.models(second.matter_id, second.region_id)
        none = compiled.models(first.matter_id, -5)  # no such region

    assert [c.pk for c in found] == [first.pk]
    assert [c.pk for c in other] == [second.pk]
    assert none == []
    assert len(queries) == 3  # one statement each, as the ORM sends
    orm = str(_competences(first.matter_id, first.region_id).query)
    assert queries[0]["sql"].split(" WHERE ")[0] == orm.split(" WHERE ")[0]


def test_instances_are_the_orms_with_their_related_rows_loaded():
    competence = CompetenceFactory()
    compiled = CompiledQuery(_competences, -1, -2)

    (found,) = compiled.models(competence.matter_id, competence.region_id)

    with CaptureQueriesContext(connection) as queries:
        assert found.department.name == competence.department.name
        assert found.region.code == competence.region.code
    assert len(queries) == 0  # select_related: nothing read lazily
    assert found._state.adding is False
    assert found._state.db == "default"


def test_values_come_as_the_orm_gives_them_in_the_order_asked():
    competence = CompetenceFactory()

    def build(pk):
        return (
            Competence.objects.filter(pk=pk)
            .annotate(twice=F("matter_id") * 2)
            .values_list("twice", "region_id", "department__code")
        )

    compiled = CompiledQuery(build, -1)

    assert compiled.values(competence.pk) == list(build(competence.pk))
    assert compiled.values(competence.pk) == [
        (competence.matter_id * 2, competence.region_id, competence.department.code)
    ]
    assert compiled.compiled["default", "zh-hans"] is not None


def test_values_modeltranslation_reads_with_its_fallbacks_are_not_compiled():
    city = RegionFactory()
    compiled = CompiledQuery(
        lambda pk: (
            Region.objects.filter(pk=pk)
            .annotate(children_count=Count("children"))
            .values_list("code", "children_count")
        ),
        -1,
    )

    assert compiled.values(city.pk) == [(city.code, 0)]
    assert compiled.compiled == {("default", "zh-hans"): None}


def test_a_locking_read_locks_as_the_orm_does():
    competence = CompetenceFactory()
    compiled = CompiledQuery(lambda pk: Competence.objects.select_for_update().filter(pk=pk), -1)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        assert [c.pk for c in compiled.models(competence.pk)] == [competence.pk]
    # as the ORM: FOR UPDATE where the database has it (PostgreSQL), nothing on SQLite
    assert queries[0]["sql"].endswith("FOR UPDATE") is connection.features.has_select_for_update


def test_a_sentinel_the_statement_does_not_bind_as_given_falls_back_to_the_orm():
    region = RegionFactory(code="440399", name="2026-01-02")
    # A date compared with a text column is bound as text: the sentinel is not found.
    compiled = CompiledQuery(
        lambda day: Region.objects.filter(name=str(day)), datetime.date(1, 1, 3)
    )

    assert [r.pk for r in compiled.models(datetime.date(2026, 1, 2))] == [region.pk]
    assert compiled.compiled == {("default", "zh-hans"): None}


def test_a_translated_field_s_lookup_is_compiled_in_each_language_as_the_orm_writes_it():
    region = RegionFactory(code="440306", name="宝安区", name_en="Bao'an")
    compiled = CompiledQuery(lambda code: Region.objects.filter(code=code, name="宝安区"), "-")
    english = CompiledQuery(lambda code: Region.objects.filter(code=code, name="Bao'an"), "-")

    # modeltranslation reads "name" as the active language's column when the query is built
    with translation.override("zh-hans"):
        assert [r.pk for r in compiled.models(region.code)] == [region.pk]
    with translation.override("en"):
        assert [r.pk for r in english.models(region.code)] == [region.pk]
        assert compiled.models(region.code) == []  # name_en is not 宝安区
    assert set(compiled.compiled) == {("default", "zh-hans"), ("default", "en")}


def test_rows_left_as_prefetched_are_what_prefetch_related_objects_leaves():
    from django.db.models import prefetch_related_objects

    from commitments.catalogue.models import CommitmentTemplate, ObligationRule
    from directory.compiled import prefetched
    from tests.factories import ObligationRuleFactory

    first = ObligationRuleFactory(position=2)
    ObligationRuleFactory(template=first.template, position=1)
    orm = CommitmentTemplate.objects.get(pk=first.template_id)
    mine = CommitmentTemplate.objects.get(pk=first.template_id)
    rules = CompiledQuery(lambda pk: ObligationRule.objects.filter(template_id=pk), -3)

    prefetch_related_objects([orm], "obligation_rules")
    prefetched(mine, "obligation_rules", rules.models(mine.pk))

    with CaptureQueriesContext(connection) as queries:
        theirs, ours = list(orm.obligation_rules.all()), list(mine.obligation_rules.all())
        assert len(ours) == len(theirs) >= 2 and all(r.template is mine for r in ours)
        assert all(r.template is orm for r in theirs)
    assert len(queries) == 0  # both answered from memory
    assert [(r.pk, r.position, r.title) for r in ours] == [
        (r.pk, r.position, r.title) for r in theirs
    ]
    assert mine._prefetched_objects_cache.keys() == orm._prefetched_objects_cache.keys()
    assert type(mine._prefetched_objects_cache["obligation_rules"]) is type(
        orm._prefetched_objects_cache["obligation_rules"]
    )
