from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

SLA_REPORT_MODEL = "response.support.sla.report"
# file of a report the portal serves, by the name in its URL
SLA_REPORT_FILES = {"zh_CN": "pdf_zh_id", "en_US": "pdf_en_id", "xlsx": "xlsx_id"}


class ResponseSupportSlaReportPortal(CustomerPortal):
    """The monthly SLA reports of the customer's own contracts on the portal."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "sla_report_count" in counters:
            Report = request.env[SLA_REPORT_MODEL]
            values["sla_report_count"] = (
                Report.search_count([]) if Report.has_access("read") else 0
            )
        return values

    @http.route(["/my/sla-reports"], type="http", auth="user", website=True)
    def portal_my_sla_reports(self, **kw):
        Report = request.env[SLA_REPORT_MODEL]
        if not Report.has_access("read"):
            raise NotFound()
        # the portal user's own rights and rules select the reports; sudo only to
        # show their contract's name, which the customer may not read otherwise
        reports = Report.search([]).sudo()
        values = self._prepare_portal_layout_values()
        values.update({"reports": reports, "page_name": "sla_report"})
        return request.render("response_support.portal_my_sla_reports", values)

    @http.route(
        ["/my/sla-reports/<int:report_id>/<string:kind>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_sla_report_file(self, report_id, kind, **kw):
        field = SLA_REPORT_FILES.get(kind)
        report = request.env[SLA_REPORT_MODEL].browse(report_id).exists()
        # the user's own rights and record rules decide (their contracts only)
        if not field or not report or not report.has_access("read"):
            raise NotFound()
        # sudo: the file belongs to a report the user was just checked to read
        attachment = report.sudo()[field]
        if not attachment:
            raise NotFound()
        stream = request.env["ir.binary"]._get_stream_from(attachment)
        return stream.get_response(as_attachment=True)
