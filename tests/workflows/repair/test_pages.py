"""The subject's and the officer's pages for repair and objections: what each sees, the
forms, the 404s for other people's cases, and bounded query counts on the lists; the city
statistics as charts and CSV, for supervisors and administrators only, with a fixed
number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credit.record.models.breaches import Breach
from tests.factories import UserFactory
from tests.workflows.repair.conftest import PDF, city_activity, proof, record
from workflows.repair.models import Objection, RepairApplication
from workflows.repair.services.objections import objection_submit
from workflows.repair.services.repair import repair_submit


def test_the_overview_shows_when_each_record_becomes_repairable(
    client, world, old_breach, new_breach, django_assert_max_num_queries
):
    client.force_login(world.applicant)
    url = reverse("repair:overview", args=[world.subject.code])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="record"') == 2
    assert html.count('data-testid="apply-link"') == 1
    assert "Eligible from 2027-04-01" in html


def test_the_overview_costs_the_same_queries_with_more_records(
    client, world, old_breach, django_assert_max_num_queries
):
    for day in (date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7)):
        record(world, on=day, severity="general")
    client.force_login(world.applicant)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("repair:overview", args=[world.subject.code]))
    assert response.content.decode().count('data-testid="record"') == 4


def test_the_subject_applies_with_a_file_and_the_officer_grants(client, world, old_breach):
    client.force_login(world.applicant)
    url = reverse("repair:repair", args=[world.subject.code, old_breach.pk])
    assert 'data-testid="repair-form"' in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "statement": "已缴清罚款",
            "password": "pw-12345678",
            "proofs": [SimpleUploadedFile("receipt.pdf", PDF, content_type="application/pdf")],
        },
    )
    assert response.status_code == 302
    application = RepairApplication.objects.get(breach=old_breach)
    page = client.get(url).content.decode()
    assert "Submitted" in page and application.commitment.reference in page

    client.force_login(world.regulator)
    listing = client.get(reverse("repair_office:list")).content.decode()
    assert listing.count('data-testid="repair-row"') == 1
    office = reverse("repair_office:repair", args=[application.pk])
    proof_row = application.proofs.get()
    download = client.get(reverse("repair_office:proof", args=[application.pk, proof_row.pk]))
    assert b"".join(download.streaming_content) == PDF
    check = client.post(office, {"decision": "grant", "reason": ""})
    assert check.status_code == 200
    shown = check.content.decode().split('data-testid="check-answers"')[1].split("</section>")[0]
    assert "Grant: stop publication and sharing, lift the measures" in shown
    assert "its measures are lifted" in shown
    assert Breach.objects.get(pk=old_breach.pk).status != "repaired"  # nothing recorded yet
    assert RepairApplication.objects.get(pk=application.pk).status == "submitted"
    response = client.post(office, {"decision": "grant", "reason": "", "confirm": "1"})
    assert response.status_code == 302
    assert Breach.objects.get(pk=old_breach.pk).status == "repaired"


def test_a_refused_application_shows_the_error_and_changes_nothing(client, world, old_breach):
    client.force_login(world.applicant)
    url = reverse("repair:repair", args=[world.subject.code, old_breach.pk])
    response = client.post(url, {"statement": "已缴清罚款", "password": "pw-12345678"})
    assert response.status_code == 400
    assert "Attach proof" in response.content.decode()
    assert RepairApplication.objects.count() == 0


def test_the_new_rule_set_record_shows_why_it_is_not_yet_repairable(client, world, new_breach):
    client.force_login(world.applicant)
    page = client.get(reverse("repair:repair", args=[world.subject.code, new_breach.pk]))
    html = page.content.decode()
    assert 'data-testid="repair-form"' not in html
    assert "2027-04-01" in html and "NDRC Order 36" in html


def test_other_peoples_cases_are_404(client, world, old_breach):
    application = repair_submit(
        breach=old_breach, by=world.applicant, statement="已整改", proofs=[proof()]
    )
    objection_breach = record(world, on=date(2026, 4, 2))
    objection = objection_submit(
        breach=objection_breach, by=world.applicant, kind="content", grounds="有误"
    )
    client.force_login(world.stranger)
    for name in ("repair:repair", "repair:objection"):
        assert (
            client.get(reverse(name, args=[world.subject.code, old_breach.pk])).status_code == 404
        )
    assert client.get(reverse("repair:overview", args=[world.subject.code])).status_code == 404
    client.force_login(world.foreign_regulator)
    assert client.get(reverse("repair_office:repair", args=[application.pk])).status_code == 404
    assert client.get(reverse("repair_office:objection", args=[objection.pk])).status_code == 404
    response = client.post(
        reverse("repair_office:repair", args=[application.pk]), {"decision": "grant"}
    )
    assert response.status_code == 404
    assert RepairApplication.objects.get(pk=application.pk).status == "submitted"


def test_an_objection_from_both_sides(client, world, new_breach):
    client.force_login(world.applicant)
    url = reverse("repair:objection", args=[world.subject.code, new_breach.pk])
    response = client.post(url, {"kind": "content", "grounds": "回执为证"})
    assert response.status_code == 302
    again = client.post(url, {"kind": "duration", "grounds": "再次"})
    assert again.status_code == 400
    assert "is still open" in again.content.decode()
    objection = Objection.objects.get()

    client.force_login(world.regulator)
    office = reverse("repair_office:objection", args=[objection.pk])
    missing = client.post(office, {"outcome": "revoked", "reason": ""})
    assert missing.status_code == 400
    summary = missing.content.decode().split('data-testid="error"')[1].split("</div>")[0]
    assert 'href="#reason"' in summary and "(reason)" not in summary
    assert Objection.objects.get().status == "open"
    decision = {"outcome": "revoked", "reason": "属实"}
    check = client.post(office, decision)
    assert check.status_code == 200
    shown = check.content.decode().split('data-testid="check-answers"')[1].split("</section>")[0]
    assert "Uphold: revoke the record" in shown and "属实" in shown
    assert (Objection.objects.get().status, Breach.objects.get(pk=new_breach.pk).status) == (
        "open",
        "under_objection",
    )
    change = client.post(office, {**decision, "change": "1"}).content.decode()
    assert '<option value="revoked" selected>' in change and ">属实</textarea>" in change
    assert client.post(office, {**decision, "confirm": "1"}).status_code == 302
    assert Breach.objects.get(pk=new_breach.pk).status == "revoked"

    client.force_login(world.applicant)
    assert "Upheld: record revoked" in client.get(url).content.decode()


def test_the_officer_lists_cost_bounded_queries(
    client, world, old_breach, django_assert_max_num_queries
):
    for day in (date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 6)):
        objection_submit(
            breach=record(world, on=day), by=world.applicant, kind="content", grounds="有误"
        )
    client.force_login(world.regulator)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("repair_office:list"))
    assert response.content.decode().count('data-testid="objection-row"') == 3


def test_the_officer_forwards_an_objection_with_the_reason_and_history_shows_it(
    client, world, new_breach
):
    client.force_login(world.applicant)
    subject_url = reverse("repair:objection", args=[world.subject.code, new_breach.pk])
    client.post(subject_url, {"kind": "content", "grounds": "回执为证"})
    objection = Objection.objects.get()
    office = reverse("repair_office:objection", args=[objection.pk])
    forward = {
        "action": "forward",
        "department": world.other_department.pk,
        "forward_reason": "",
    }

    client.force_login(world.regulator)
    page = client.get(office).content.decode()
    assert 'data-testid="forward-reason"' in page
    refused = client.post(office, forward)
    assert refused.status_code == 400
    assert "Say why the objection is forwarded." in refused.content.decode()
    assert Objection.objects.get().status == "open"

    forwarded = client.post(office, {**forward, "forward_reason": "该记录由住建局提供"})

    assert forwarded.status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.department, objection.forwarded_by) == (
        "forwarded",
        world.other_department,
        world.regulator,
    )
    assert client.get(office).status_code == 404  # no longer with this department
    client.force_login(world.foreign_regulator)
    history = client.get(office).content.decode()
    assert history.count('data-testid="history-step"') == 3
    # The page is in English: the departments are named in English too.
    source, target = world.department.name, world.other_department.name
    assert f"Forwarded from {source} to {target} · regulator" in history
    assert "该记录由住建局提供" in history
    assert 'data-testid="forward-form"' not in history  # forwarded once, decided there
    client.force_login(world.applicant)
    mine = client.get(subject_url).content.decode()
    assert f"Forwarded on 2026-12-01 to {target}" in mine


# City statistics ------------------------------------------------------------------------------


def test_the_page_and_csv_for_a_supervisor(
    client, repair_city, today, django_assert_max_num_queries
):
    world = repair_city
    city_activity(world)
    client.force_login(world.supervisor)

    with django_assert_max_num_queries(15):
        response = client.get(reverse("repair_office:statistics"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("commitments", "verifications", "warnings", "breaches", "objections", "repairs"):
        assert f'data-testid="chart-{name}"' in html
    assert html.count('data-testid="echart"') == 6
    assert 'data-testid="total-repairs">1<' in html

    download = client.get(reverse("repair_office:statistics-csv"))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["series", "month", "department", "count"]
    assert ["repairs", "2026-12", world.department.name, "1"] in rows
    assert ["breaches", "2026-03", "No department", "1"] in rows


def test_the_monthly_charts_name_the_year_and_open_the_cases_of_a_month(client, repair_city, today):
    world = repair_city
    city_activity(world)
    client.force_login(world.supervisor)

    charts = {
        item["name"]: item["chart"]
        for item in client.get(reverse("repair_office:statistics") + "?months=3").context["charts"]
    }

    repairs = charts["repairs"]
    assert repairs.categories == ["2026-10", "2026-11", "2026-12"]
    assert repairs.series[0].values == [0, 0, 1]
    assert not repairs.horizontal
    assert repairs.links[-1] == (
        reverse("repair_office:list") + "?kind=repair&filed_from=2026-12-01&filed_to=2026-12-31"
    )
    assert charts["commitments"].links == []  # no list of its own to open
    assert client.get(repairs.links[-1]).content.decode().count('data-testid="repair-row"') == 1


def test_regulators_and_applicants_are_refused(client, world):
    for user in (world.regulator, world.applicant):
        client.force_login(user)
        assert client.get(reverse("repair_office:statistics")).status_code == 403
        assert client.get(reverse("repair_office:statistics-csv")).status_code == 403
    client.force_login(UserFactory(username="admin", is_staff=True))
    assert client.get(reverse("repair_office:statistics")).status_code == 200


def test_the_repair_commitment_is_signed_only_with_its_own_proof(client, world, old_breach):
    # given a login a moment ago: the form opens, but posting it without the password files
    # nothing and says why
    client.force_login(world.applicant)
    url = reverse("repair:repair", args=[world.subject.code, old_breach.pk])

    shown = client.get(url)
    posted = client.post(url, {"statement": "已缴清罚款", "proofs": [proof()]})

    assert 'id="signing-password"' in shown.content.decode()
    assert posted.status_code == 400
    assert not RepairApplication.objects.exists()


def test_an_empty_repair_form_says_what_to_write_in_the_error_summary(client, world, old_breach):
    client.force_login(world.applicant)
    url = reverse("repair:repair", args=[world.subject.code, old_breach.pk])

    response = client.post(url, {"statement": "  ", "password": "pw-12345678"})

    page = response.content.decode()
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert response.status_code == 400
    assert 'href="#statement"' in summary
    assert "Describe how the act was corrected" in summary
    assert "(statement)" not in page and "This field is required." not in page
    assert not RepairApplication.objects.exists()


# The officers' case list ----------------------------------------------------------------------


def test_the_case_list_filters_sorts_marks_time_left_and_downloads(client, repair_city, today):
    world = repair_city
    city_activity(world)
    client.force_login(world.regulator)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    url = reverse("repair_office:list")

    objections_only = client.get(url + "?kind=objection&status=open&sort=-due").content.decode()
    assert 'data-testid="repairs"' not in objections_only
    assert objections_only.count('data-testid="objection-row"') == 1
    assert 'data-testid="objection-count">1<' in objections_only
    assert 'aria-sort="descending"' in objections_only
    assert "剩余" in objections_only.split('data-testid="urgency">')[1].split("<")[0]
    # remembered for the next visit, until cleared
    assert client.get(url)["Location"] == url + "?kind=objection&status=open&sort=-due"
    assert client.get(url + "?clear=1")["Location"] == url
    assert client.get(url).status_code == 200

    decided = client.get(url + "?status=decided").content.decode()
    assert (
        'data-testid="repair-row"' not in decided and 'data-testid="objection-row"' not in decided
    )

    download = client.get(url + "?kind=repair&format=csv")
    body = b"".join(download.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert body.startswith("\ufeff")
    assert rows[0] == [
        "类型",
        "主体",
        "统一社会信用代码",
        "记录",
        "状态",
        "提交日期",
        "决定期限",
        "剩余时间",
    ]
    assert len(rows) == 2 and rows[1][0] == "信用修复申请" and rows[1][1] == world.subject.name

    client.force_login(world.applicant)
    assert client.get(url + "?format=csv").status_code == 403
