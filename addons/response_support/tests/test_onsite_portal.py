import subprocess
import tempfile

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ResponseSupportHttpCase
from .test_onsite import SIGNATURE


@tagged("post_install", "-at_install")
class TestOnsitePortal(ResponseSupportHttpCase):
    """The customer signs their on-site service form on the portal, downloads it,
    and never reaches another customer's visit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user("rs_portal_visit", cls.reporter)
        other = cls.env["res.partner"].create({"name": "Gas Co", "is_company": True})
        cls.other_reporter = cls.env["res.partner"].create(
            {"name": "Wang Fang", "parent_id": other.id, "email": "wf@gas.example.com"}
        )
        cls.other_portal_user = cls._create_portal_user(
            "rs_portal_other", cls.other_reporter
        )
        with freeze_time("2026-03-02 02:00:00"):
            cls.ticket = cls.env["helpdesk.ticket"].create(cls._complete_vals(cls))
            cls.other_ticket = cls.env["helpdesk.ticket"].create(
                {
                    "name": "Gas meter reading fails",
                    "description": "<p>No readings since Monday.</p>",
                    "partner_id": cls.other_reporter.id,
                }
            )

    def _visit_at_signoff(self, ticket):
        with freeze_time("2026-03-02 02:00:00"):
            visit = self._create_visit(ticket)
        with freeze_time("2026-03-02 03:30:00"):
            self._check_in(visit)
            visit.checklist_ids.filtered(lambda c: c.stage == "before").done = True
            visit.action_start()
            visit.service_record = "Disk replaced, RAID rebuilt"
        with freeze_time("2026-03-02 05:00:00"):
            visit.action_request_signoff()
        return visit

    def test_customer_signs_their_visit_and_no_other(self):
        visit = self._visit_at_signoff(self.ticket)
        other_visit = self._visit_at_signoff(self.other_ticket)
        self.authenticate("rs_portal_visit", "rs_portal_visit")
        listing = self.url_open("/my/support").text
        self.assertIn(visit.name, listing)
        self.assertNotIn(other_visit.name, listing)
        page = self.url_open(f"/my/support/{visit.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("portal.signature_form", page.text)
        refused = self.url_open(f"/my/support/{other_visit.id}", allow_redirects=False)
        self.assertIn(refused.status_code, (302, 303))
        result = self.make_jsonrpc_request(
            f"/my/support/{other_visit.id}/sign",
            {"name": "Li Lei", "signature": SIGNATURE},
        )
        self.assertIn("error", result)
        self.assertFalse(other_visit.signature)
        form = self.url_open(
            f"/my/support/{other_visit.id}/form", allow_redirects=False
        )
        self.assertIn(form.status_code, (302, 303))
        result = self.make_jsonrpc_request(
            f"/my/support/{visit.id}/sign", {"name": "Li Lei", "signature": SIGNATURE}
        )
        self.assertNotIn("error", result)
        visit.invalidate_recordset()
        self.assertEqual(visit.signed_by, "Li Lei")
        self.assertTrue(visit.signature)
        self.assertTrue(visit.signed_on)
        again = self.make_jsonrpc_request(
            f"/my/support/{visit.id}/sign", {"name": "Someone", "signature": SIGNATURE}
        )
        self.assertIn("error", again, "signed once")

    def test_service_form_pdf_lists_signer_times_and_legacy_issues(self):
        visit = self._visit_at_signoff(self.ticket)
        self.env["response.support.legacy.issue"].create(
            {
                "activity_id": visit.id,
                "name": "RAID controller firmware to upgrade",
                "due_date": "2026-03-10",
            }
        )
        self.env["response.support.activity.part"].create(
            {"activity_id": visit.id, "name": "SAS disk 1.2 TB", "serial": "SN-4242"}
        )
        visit.write({"signature": SIGNATURE, "signed_by": "Li Lei"})
        visit.checklist_ids.done = True
        visit.with_context(force_report_rendering=True).action_done()
        attachment = visit.service_form_id
        self.assertEqual(attachment.res_model, "helpdesk.ticket")
        self.assertEqual(attachment.res_id, self.ticket.id)
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
            pdf.write(attachment.raw)
            pdf.flush()
            text = subprocess.run(
                ["pdftotext", "-layout", pdf.name, "-"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        self.assertIn("Li Lei", text)
        self.assertIn("RAID controller firmware to upgrade", text)
        self.assertIn(visit.name, text)
        self.assertIn("03/02/2026", text, "requested, arrival and departure times")
        self.assertIn("Disk replaced, RAID rebuilt", text)
        self.assertIn("SN-4242", text, "the spare parts used")
        # the customer downloads it on the portal
        self.authenticate("rs_portal_visit", "rs_portal_visit")
        download = self.url_open(f"/my/support/{visit.id}/form")
        self.assertEqual(download.status_code, 200)
