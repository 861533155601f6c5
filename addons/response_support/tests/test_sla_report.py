import io
import subprocess
import tempfile
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from openpyxl import load_workbook

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ResponseSupportCase, ResponseSupportHttpCase
from .test_followup import FollowupCommon

MARCH = date(2026, 3, 1)
Report = "response.support.sla.report"


def pdf_text(raw):
    """The text of a PDF, in reading order, whitespace collapsed (a table cell
    may wrap)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(raw)
        pdf.flush()
        text = subprocess.run(
            ["pdftotext", pdf.name, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return " ".join(text.split())


class SlaReportCommon(FollowupCommon):
    """A hand-built March 2026 of the test contract: two events of one priority
    (a response met in 10 working minutes, one breached after 50, escalated for a
    late vendor), an on-site visit with an open legacy issue, a follow-up rated
    4/5 with an opinion; one event in April that March does not count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.customer.tz = "Asia/Shanghai"
        cls.contract.sla_report_partner_id = cls.reporter
        with freeze_time("2026-03-02 02:00:00"):
            cls.ticket_met = cls._ticket()
            cls.ticket_late = cls._ticket(
                name="Core switch down", reported_date="2026-03-05 02:00:00"
            )
            cls.visit = cls._create_visit(cls, cls.ticket_met)
        with freeze_time("2026-03-02 03:30:00"):
            cls._check_in(cls, cls.visit)
            cls.env["response.support.legacy.issue"].create(
                {
                    "activity_id": cls.visit.id,
                    "name": "Firmware upgrade pending",
                    "due_date": "2026-04-10",
                }
            )
        with freeze_time("2026-03-03 02:00:00"):
            cls.ticket_met.with_user(cls.engineer_user).write(
                dict(cls.RESOLUTION_VALS, stage_id=cls.stage_resolved.id)
            )
            cls._confirm_followup(
                cls,
                cls.ticket_met,
                satisfaction="4",
                opinion_ids=[(0, 0, {"description": "Call before visiting please"})],
            )
        with freeze_time("2026-04-03 02:00:00"):
            cls.ticket_april = cls._ticket(reported_date=None)
        # the clock engine is tested elsewhere: here the outcomes are set by hand
        response = {
            t: t.sla_clock_ids.filtered(
                lambda c: c.kind == "response" and not c.activity_id
            )
            for t in (cls.ticket_met, cls.ticket_late)
        }
        response[cls.ticket_met].write(
            {
                "done_date": "2026-03-02 02:10:00",
                "paused_since": False,
                "breached": False,
                "used_minutes": 10,
                "late_minutes": -20,
            }
        )
        response[cls.ticket_late].write(
            {
                "done_date": "2026-03-05 02:50:00",
                "paused_since": False,
                "breached": True,
                "breach_date": "2026-03-05 02:30:00",
                "used_minutes": 50,
                "late_minutes": 20,
            }
        )
        cls.env["response.support.escalation"].create(
            {
                "ticket_id": cls.ticket_late.id,
                "from_level": "engineer",
                "to_level": "manager",
                "reason": "Vendor late",
            }
        )
        cls.response_target = response[cls.ticket_met].target_minutes
        cls.priority_label = dict(
            cls.env["helpdesk.ticket"]
            ._fields["priority"]
            ._description_selection(cls.env)
        )[cls.ticket_met.priority]

    @classmethod
    def _ticket(cls, **overrides):
        """A ticket of the engineer's team, being handled by them."""
        vals = {
            "team_id": cls.team_software.id,
            "user_id": cls.engineer_user.id,
            "stage_id": cls.stage_progress.id,
        }
        vals.update(overrides)
        ticket = cls.env["helpdesk.ticket"].create(cls._complete_vals(cls, **vals))
        cls.env.flush_all()
        return ticket

    def _response_row(self, data):
        return next(
            r
            for r in data["sla"]
            if r["kind_key"] == "response"
            and r["priority_key"] == self.ticket_met.priority
        )


@tagged("post_install", "-at_install")
class TestSlaReportFigures(SlaReportCommon, ResponseSupportCase):
    def test_figures_of_a_hand_built_month(self):
        self.assertEqual(self.ticket_late.priority, self.ticket_met.priority)
        report = self.env[Report].create(
            {"contract_id": self.contract.id, "month": "2026-03-17"}
        )
        self.assertEqual(report.month, MARCH, "kept as the month's first day")
        data = report._get_report_data()
        self.assertEqual(data["events"]["total"], 2, "April's event is not March's")
        row = self._response_row(data)
        self.assertEqual(
            (row["count"], row["met"], row["breached"], row["rate"], row["mean"]),
            (2, 1, 1, 50.0, 30.0),
        )
        (breach,) = (b for b in data["breaches"] if b["kind"] == "Response")
        self.assertEqual(breach["ticket"], self.ticket_late.number)
        self.assertEqual(breach["late"], 20)
        self.assertEqual(breach["reason"], "Vendor late")
        self.assertEqual([v["name"] for v in data["visits"]], [self.visit.name])
        self.assertEqual(data["satisfaction"]["count"], 1)
        self.assertEqual(data["satisfaction"]["average"], 4.0)
        self.assertEqual(
            [i["name"] for i in data["legacy_issues"]], ["Firmware upgrade pending"]
        )
        self.assertEqual(
            [o["description"] for o in data["opinions"]],
            ["Call before visiting please"],
        )

    def test_excel_holds_the_same_figures(self):
        report = self.env[Report].create(
            {"contract_id": self.contract.id, "month": MARCH}
        )
        book = load_workbook(io.BytesIO(report._render_xlsx()))
        sla = book["SLA"]
        rows = [[cell.value for cell in row] for row in sla.iter_rows()]
        self.assertEqual(rows[0][:3], ["Priority", "Clock", "Clocks"])
        self.assertIn(
            [self.priority_label, "Response", 2, self.response_target, 1, 1, 50, 30],
            rows,
        )
        breaches = [[c.value for c in row] for row in book["Breaches"].iter_rows()]
        self.assertIn(
            [self.ticket_late.number, "Response", "Vendor late"],
            [[b[0], b[3], b[-1]] for b in breaches],
        )
        summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows()}
        self.assertEqual(summary["Events"], 2)
        self.assertEqual(summary["Satisfaction Average"], 4)
        self.assertEqual(summary["Legacy Issues Open"], 1)

    def _fake_render(self, fail_for=None):
        """Skip wkhtmltopdf (the PDF is tested on its own); fail for one contract."""

        def render_pdf(report):
            if report.contract_id == fail_for:
                raise ValueError("broken template")
            return b"%PDF-1.4 fake"

        return patch.object(type(self.env[Report]), "_render_pdf", render_pdf)

    def test_cron_is_idempotent_and_a_failing_contract_does_not_stop_others(self):
        other = self.env["response.support.contract"].create(
            {
                "name": "Gas O&M",
                "partner_id": self.customer.id,
                "phase_ids": [
                    self._phase("service", "2026-01-01", "2026-12-31", self.level_gold)
                ],
            }
        )
        Reports = self.env[Report]
        with self._fake_render(fail_for=self.contract), freeze_time("2026-04-01 01:00"):
            Reports._cron_generate_monthly()
        mine = self.contract | other
        reports = Reports.search(
            [("month", "=", MARCH), ("contract_id", "in", mine.ids)]
        )
        self.assertEqual(
            {(r.contract_id, r.state) for r in reports},
            {(self.contract, "error"), (other, "done")},
        )
        failed = reports.filtered(lambda r: r.state == "error")
        self.assertIn("broken template", failed.error_message)
        self.assertFalse(failed.pdf_en_id, "the failed contract's work was undone")
        done = reports - failed
        attachments = done.pdf_zh_id | done.pdf_en_id | done.xlsx_id
        self.assertEqual(len(attachments), 3)
        self.assertEqual(
            set(attachments.mapped("res_model")), {"response.support.contract"}
        )
        self.assertEqual(
            done.contract_id.message_ids[:1].attachment_ids,
            attachments,
            "posted on the contract",
        )
        # next run: the failed one is retried, the done one left alone
        with self._fake_render(), freeze_time("2026-04-02 01:00"):
            Reports._cron_generate_monthly()
        self.assertEqual(failed.state, "done")
        self.assertEqual(done.pdf_en_id | done.pdf_zh_id | done.xlsx_id, attachments)
        count = self.env["ir.attachment"].search_count([])
        with self._fake_render(), freeze_time("2026-04-03 01:00"):
            Reports._cron_generate_monthly()
        self.assertEqual(
            Reports.search_count(
                [("month", "=", MARCH), ("contract_id", "in", mine.ids)]
            ),
            2,
        )
        self.assertEqual(self.env["ir.attachment"].search_count([]), count)

    def test_cron_e_mails_the_report_once_when_the_contract_asks(self):
        self.contract.sla_report_send = True
        with self._fake_render(), freeze_time("2026-04-01 01:00"):
            self.env[Report]._cron_generate_monthly()
            self.env[Report]._cron_generate_monthly()
        mails = self.env["mail.mail"].search(
            [("model", "=", Report), ("recipient_ids", "in", self.reporter.ids)]
        )
        self.assertEqual(len(mails), 1)
        self.assertIn("2026-03", mails.subject)
        self.assertEqual(len(mails.attachment_ids), 3)

    def test_managers_generate_desk_reads_engineers_do_not(self):
        Reports = self.env[Report]
        with self._fake_render():
            report = Reports.with_user(self.manager_user)._generate_for(
                self.contract, date(2026, 3, 9)
            )
        self.assertEqual(report.state, "done")
        self.assertEqual(Reports.with_user(self.desk_user).search([]), report)
        with self.assertRaises(AccessError):
            Reports.with_user(self.desk_user)._generate_for(self.contract, MARCH)
        with self.assertRaises(AccessError):
            report.with_user(self.desk_user).action_generate()
        with self.assertRaises(AccessError):
            Reports.with_user(self.engineer_user).search([])
        # the engineer still opens the contract: its reports tab is not theirs
        Contract = self.env["response.support.contract"]
        arch = Contract.with_user(self.engineer_user).get_views([(False, "form")])
        self.assertNotIn("sla_report_ids", arch["views"]["form"]["arch"])
        arch = Contract.with_user(self.desk_user).get_views([(False, "form")])
        self.assertIn("sla_report_ids", arch["views"]["form"]["arch"])
        with self._fake_render():
            again = Reports.with_user(self.manager_user)._generate_for(
                self.contract, MARCH
            )
        self.assertEqual(again, report, "one report per contract and month")


@tagged("post_install", "-at_install")
class TestSlaReportPdfPortal(SlaReportCommon, ResponseSupportHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user("rs_portal_sla", cls.reporter)
        gas = cls.env["res.partner"].create({"name": "Gas Co", "is_company": True})
        cls.other_portal_user = cls._create_portal_user(
            "rs_portal_sla_other",
            cls.env["res.partner"].create({"name": "Wang Fang", "parent_id": gas.id}),
        )
        cls.gas_contract = cls.env["response.support.contract"].create(
            {
                "name": "Gas O&M",
                "partner_id": gas.id,
                "phase_ids": [
                    cls._phase("service", "2026-01-01", "2026-12-31", cls.level_gold)
                ],
            }
        )

    def test_pdfs_ask_wkhtmltopdf_for_a_short_javascript_delay(self):
        """The report runs no script: its PDFs do not wait Odoo's 1 s delay (twice
        per PDF, bench/RESULTS.md §11), the other reports still do."""
        Reports = self.env.registry["ir.actions.report"]
        build = Reports._build_wkhtmltopdf_args
        delays = []

        def spy(model, *args, **kwargs):
            result = build(model, *args, **kwargs)
            delays.append(result[result.index("--javascript-delay") + 1])
            return result

        with patch.object(Reports, "_build_wkhtmltopdf_args", spy):
            self.env[Report].with_user(self.manager_user)._generate_for(
                self.contract, MARCH
            )
        self.assertEqual(set(delays), {"200"})
        paperformat = self.env["ir.actions.report"].get_paperformat()
        other = self.env["ir.actions.report"]._build_wkhtmltopdf_args(
            paperformat, False
        )
        self.assertEqual(other[other.index("--javascript-delay") + 1], "1000")

    def test_pdfs_in_both_languages_and_the_portal_serves_only_the_own(self):
        reports = (
            self.env[Report]
            .with_user(self.manager_user)
            ._generate_for(self.contract | self.gas_contract, MARCH)
        )
        mine = reports.filtered(lambda r: r.contract_id == self.contract)
        theirs = reports - mine
        for attachment in (mine.pdf_zh_id, mine.pdf_en_id):
            self.assertTrue(attachment.raw.startswith(b"%PDF"))
            text = pdf_text(attachment.raw)
            self.assertIn("Water O&M", text)
            self.assertIn("10:30", text, "the deadline in the customer's time")
            self.assertIn(self.ticket_late.number, text, "the breach")
            self.assertIn("Vendor late", text, "its reason")
            self.assertIn("50.0", text, "response met rate")
            self.assertIn("30.0", text, "mean working minutes")
            self.assertIn(self.visit.name, text)
            self.assertIn("Firmware upgrade pending", text)
            self.assertIn("Call before visiting please", text)
            self.assertIn("4.0", text, "satisfaction average")
        self.assertIn("Monthly SLA Report", pdf_text(mine.pdf_en_id.raw))

        self.authenticate("rs_portal_sla", "rs_portal_sla")
        listing = self.url_open("/my/sla-reports")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(f"/my/sla-reports/{mine.id}/en_US", listing.text)
        self.assertNotIn(f"/my/sla-reports/{theirs.id}/", listing.text)
        for kind in ("zh_CN", "en_US", "xlsx"):
            own = self.url_open(f"/my/sla-reports/{mine.id}/{kind}")
            self.assertEqual(own.status_code, 200, kind)
            self.assertIn("attachment", own.headers["Content-Disposition"])
            refused = self.url_open(f"/my/sla-reports/{theirs.id}/{kind}")
            self.assertEqual(refused.status_code, 404, kind)
        self.assertEqual(
            self.url_open(f"/my/sla-reports/{mine.id}/other").status_code, 404
        )

        self.authenticate("rs_portal_sla_other", "rs_portal_sla_other")
        self.assertEqual(
            self.url_open(f"/my/sla-reports/{theirs.id}/en_US").status_code, 200
        )
        self.assertEqual(
            self.url_open(f"/my/sla-reports/{mine.id}/en_US").status_code, 404
        )
