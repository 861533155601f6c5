import io
import logging
import threading
from datetime import datetime, time

import pytz
import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .helpdesk_ticket_access import private_flag
from .ir_actions_report import SHORT_PRINT_DELAY_FLAG
from .response_support_followup import SATISFACTION
from .response_support_priority_matrix import TICKET_PRIORITIES
from .response_support_sla_clock import CLOCK_KINDS

_logger = logging.getLogger(__name__)

REPORT_LANGS = ("zh_CN", "en_US")
PDF_REPORT = "response_support.response_support_sla_report_pdf"


class ResponseSupportSlaReport(models.Model):
    """The monthly SLA report of an O&M contract: the month's events, targets vs
    actuals per priority, breaches, visits, satisfaction, legacy issues and
    opinions, frozen as a PDF in Chinese, one in English and an Excel workbook
    attached to the contract. One per contract and month; the scheduled action
    makes last month's at the start of each month."""

    _name = "response.support.sla.report"
    _description = "Monthly SLA Report"
    _inherit = ["mail.thread"]
    _order = "month desc, contract_id"
    _rec_name = "display_name"

    contract_id = fields.Many2one(
        "response.support.contract",
        string="O&M Contract",
        required=True,
        ondelete="cascade",
        index=True,
    )
    partner_id = fields.Many2one(
        related="contract_id.partner_id", store=True, index=True, string="Customer"
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    month = fields.Date(
        required=True,
        help="The month the report covers (any day of it; kept as its first day).",
    )
    state = fields.Selection(
        [("draft", "To Generate"), ("done", "Generated"), ("error", "Failed")],
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
    )
    error_message = fields.Text(readonly=True)
    generated_date = fields.Datetime(string="Generated On", readonly=True)
    sent_date = fields.Datetime(string="Sent On", readonly=True)
    pdf_zh_id = fields.Many2one(
        "ir.attachment", string="PDF (Chinese)", readonly=True, ondelete="set null"
    )
    pdf_en_id = fields.Many2one(
        "ir.attachment", string="PDF (English)", readonly=True, ondelete="set null"
    )
    xlsx_id = fields.Many2one(
        "ir.attachment", string="Excel Workbook", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        (
            "contract_month_uniq",
            "unique (contract_id, month)",
            "A contract has one SLA report per month.",
        ),
    ]

    @api.depends("contract_id", "month")
    def _compute_display_name(self):
        for report in self:
            report.display_name = (
                f"{report.contract_id.display_name} "
                f"{report.month and report.month.strftime('%Y-%m') or ''}"
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("month"):
                vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("month"):
            vals["month"] = fields.Date.to_date(vals["month"]).replace(day=1)
        return super().write(vals)

    # ------------------------------------------------------------------ actions

    @api.model
    def _generate_for(self, contracts, month):
        """Generate (or regenerate) the reports of ``contracts`` for ``month`` (any
        day of it); returns the reports. Managers only."""
        self.check_access("create")
        month = month.replace(day=1)
        existing = self.search(
            [("contract_id", "in", contracts.ids), ("month", "=", month)]
        )
        missing = contracts - existing.contract_id
        reports = existing | self.create(
            [{"contract_id": c.id, "month": month} for c in missing]
        )
        reports._generate()
        return reports

    def action_generate(self):
        """Regenerate these reports from the current data."""
        self.check_access("write")
        self._generate()
        return True

    def action_send(self):
        """E-mail the generated reports to their contract's report contact."""
        self.check_access("write")
        for report in self:
            if report.state != "done":
                raise UserError(
                    self.env._(
                        "Report %(report)s is not generated yet: generate it first.",
                        report=report.display_name,
                    )
                )
            if not report.contract_id.sla_report_partner_id.email:
                raise UserError(
                    self.env._(
                        "Contract %(contract)s has no report contact with an e-mail "
                        "address: set one on the contract.",
                        contract=report.contract_id.display_name,
                    )
                )
        self._send_mail()
        return True

    # ------------------------------------------------------------------ cron

    @api.model
    def _cron_generate_monthly(self, month=None):
        """Last month's report of every active contract: contracts whose report
        is generated are skipped (idempotent); each contract is committed on its
        own, and one that fails is marked on its report and retried next run."""
        month = month or (fields.Date.context_today(self) - relativedelta(months=1))
        month = month.replace(day=1)
        contracts = self._get_contracts_to_report(month)
        done = self.search(
            [
                ("contract_id", "in", contracts.ids),
                ("month", "=", month),
                ("state", "=", "done"),
            ]
        ).contract_id
        todo = contracts - done
        cron = self.env["ir.cron"]
        for count, contract in enumerate(todo, start=1):
            self._generate_one_in_cron(contract, month)
            cron._notify_progress(done=count, remaining=len(todo) - count)
        return True

    @api.model
    def _get_contracts_to_report(self, month):
        """Hook: the contracts that get a report for ``month``: those with a phase
        during that month."""
        end = month + relativedelta(months=1, days=-1)
        return self.env["response.support.contract"].search(
            [
                (
                    "phase_ids",
                    "any",
                    [("date_start", "<=", end), ("date_end", ">=", month)],
                )
            ]
        )

    @api.model
    def _generate_one_in_cron(self, contract, month):
        """One contract's report, committed on its own (not under tests): a
        failure is recorded on the report, which the next run retries."""
        commit = not getattr(threading.current_thread(), "testing", False)
        report = self.search(
            [("contract_id", "=", contract.id), ("month", "=", month)]
        ) or self.create({"contract_id": contract.id, "month": month})
        try:
            with self.env.cr.savepoint():
                report._generate()
                if contract.sla_report_send and not report.sent_date:
                    report._send_mail()
        except Exception as error:  # pylint: disable=broad-exception-caught
            # not swallowed: logged, kept on the report and retried next run; the
            # savepoint undid this contract's partial work, the others go on
            _logger.exception("SLA report of %s for %s failed", contract, month)
            report.write({"state": "error", "error_message": str(error)})
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------ generation

    def _generate(self):
        """Render both PDFs and the workbook, attach them to the contract and post
        them on its chatter."""
        Attachment = self.env["ir.attachment"]
        for report in self:
            contract = report.contract_id
            old = report.pdf_zh_id | report.pdf_en_id | report.xlsx_id
            stem = self.env._(
                "SLA Report %(contract)s %(month)s",
                contract=contract.code,
                month=report.month.strftime("%Y-%m"),
            )
            vals = dict.fromkeys(("pdf_zh_id", "pdf_en_id"), False)
            active = {code for code, _name in self.env["res.lang"].get_installed()}
            for lang, field in (("zh_CN", "pdf_zh_id"), ("en_US", "pdf_en_id")):
                if lang not in active:
                    continue  # a database without Chinese: the English PDF only
                content = report.with_context(
                    lang=lang, tz=report._get_report_tz()
                )._render_pdf()
                vals[field] = Attachment.create(
                    report._prepare_attachment_vals(
                        f"{stem} {lang}.pdf", content, "application/pdf"
                    )
                ).id
            lang = report._get_report_lang()
            vals["xlsx_id"] = Attachment.create(
                report._prepare_attachment_vals(
                    f"{stem}.xlsx",
                    report.with_context(lang=lang)._render_xlsx(),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
            ).id
            vals.update(
                state="done", error_message=False, generated_date=fields.Datetime.now()
            )
            report.write(vals)
            # sudo: the system owns these files; their owner was checked above
            old.sudo().unlink()
            # the customer's language first
            order = ["pdf_zh_id", "pdf_en_id", "xlsx_id"]
            if lang != "zh_CN":
                order[:2] = order[1::-1]
            contract.message_post(
                body=self.env._(
                    "Monthly SLA report %(month)s generated.",
                    month=report.month.strftime("%Y-%m"),
                ),
                attachment_ids=[vals[f] for f in order if vals[f]],
                subtype_xmlid="mail.mt_note",
            )

    def _prepare_attachment_vals(self, name, content, mimetype):
        self.ensure_one()
        return {
            "name": name,
            "raw": content,
            "mimetype": mimetype,
            "res_model": "response.support.contract",
            "res_id": self.contract_id.id,
        }

    def _get_report_lang(self):
        """The language of the contract's customer: Chinese or English."""
        self.ensure_one()
        contract = self.contract_id
        lang = contract.sla_report_partner_id.lang or contract.partner_id.lang
        if lang and not lang.startswith("zh"):
            return "en_US"
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        return "zh_CN" if "zh_CN" in installed else "en_US"

    def _render_pdf(self):
        self.ensure_one()
        # the report runs no script: wkhtmltopdf need not wait Odoo's 1 s for it
        with private_flag(SHORT_PRINT_DELAY_FLAG):
            content, _type = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(PDF_REPORT, self.ids)
            )
        return content

    def _send_mail(self):
        template = self.env.ref("response_support.mail_template_sla_report")
        for report in self:
            attachments = report.pdf_zh_id | report.pdf_en_id | report.xlsx_id
            template.send_mail(
                report.id,
                email_values={"attachment_ids": [(6, 0, attachments.ids)]},
            )
            report.sent_date = fields.Datetime.now()

    # ------------------------------------------------------------------ figures

    def _get_report_tz(self):
        """The time zone of the report: the contract's customer's (else the
        company's, else UTC)."""
        self.ensure_one()
        return (
            self.contract_id.partner_id.tz
            or self.contract_id.company_id.partner_id.tz
            or "UTC"
        )

    def _get_period(self):
        """(start, end) of the month as naive UTC datetimes, in the report's time
        zone."""
        self.ensure_one()
        tz = pytz.timezone(self._get_report_tz())
        start, end = self.month, self.month + relativedelta(months=1)
        return tuple(
            tz.localize(datetime.combine(day, time.min))
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
            for day in (start, end)
        )

    def _get_ticket_domain(self):
        """Hook: the month's events of the contract."""
        start, end = self._get_period()
        return [
            ("contract_id", "=", self.contract_id.id),
            ("reported_date", ">=", start),
            ("reported_date", "<", end),
        ]

    def _get_report_data(self):
        """Every figure of the report, computed with grouped queries; labels in the
        language of the context."""
        self.ensure_one()
        start, end = self._get_period()
        # sudo: generation is checked to the managers (and the cron); the figures
        # cover every ticket of the contract, whoever may see which
        Ticket = self.env["helpdesk.ticket"].sudo()
        domain = self._get_ticket_domain()
        priorities = dict(TICKET_PRIORITIES)
        priority_labels = dict(
            Ticket._fields["priority"]._description_selection(self.env)
        )
        kind_labels = dict(
            self.env["response.support.sla.clock"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        counts = dict(Ticket._read_group(domain, ["priority"], ["__count"]))
        closed = Ticket.search_count(domain + [("stage_id.closed", "=", True)])
        rows = []
        for priority, kind, count, met, breached, target, mean in self._query_clocks(
            start, end
        ):
            decided = met + breached
            rows.append(
                {
                    "priority": priority_labels.get(priority, priority),
                    "priority_key": priority,
                    "kind": kind_labels.get(kind, kind),
                    "kind_key": kind,
                    "count": count,
                    "target": round(target or 0),
                    "met": met,
                    "breached": breached,
                    "rate": round(100.0 * met / decided, 1) if decided else None,
                    "mean": round(mean, 1) if mean is not None else None,
                }
            )
        kind_order = [k for k, _label in CLOCK_KINDS]
        rows.sort(
            key=lambda r: (
                -int(r["priority_key"] or 0),
                kind_order.index(r["kind_key"]),
            )
        )
        return {
            "period_start": self.month,
            "period_end": self.month + relativedelta(months=1, days=-1),
            "events": {
                "total": sum(counts.values()),
                "closed": closed,
                "open": sum(counts.values()) - closed,
                "by_priority": [
                    (priority_labels[p], counts.get(p, 0))
                    for p in sorted(priorities, reverse=True)
                ],
            },
            "sla": rows,
            "breaches": self._get_breaches(start, end, kind_labels, priority_labels),
            "visits": self._get_visits(start, end),
            "satisfaction": self._get_satisfaction(start, end),
            "legacy_issues": self._get_legacy_issues(end),
            "opinions": self._get_opinions(start, end),
        }

    def _query_clocks(self, start, end):
        """(priority, kind, clocks, met, breached, mean target, mean working
        minutes of the completed ones) of the month's events, in one query."""
        self.env["response.support.sla.clock"].flush_model()
        self.env["helpdesk.ticket"].flush_model(["contract_id", "reported_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT t.priority, c.kind, count(*),
                       sum(c.met_count), sum(c.breached_count),
                       avg(c.target_minutes),
                       avg(c.used_minutes)
                           FILTER (WHERE c.status IN ('met', 'breached'))
                  FROM response_support_sla_clock c
                  JOIN helpdesk_ticket t ON t.id = c.ticket_id
                 WHERE t.contract_id = %(contract)s
                   AND t.reported_date >= %(start)s AND t.reported_date < %(end)s
                   AND c.status != 'cancelled'
              GROUP BY t.priority, c.kind
                """,
                contract=self.contract_id.id,
                start=start,
                end=end,
            )
        )
        return self.env.cr.fetchall()

    def _get_breaches(self, start, end, kind_labels, priority_labels):
        clocks = (
            self.env["response.support.sla.clock"]
            .sudo()
            .search_fetch(
                [
                    ("breached", "=", True),
                    ("ticket_id.contract_id", "=", self.contract_id.id),
                    ("ticket_id.reported_date", ">=", start),
                    ("ticket_id.reported_date", "<", end),
                ],
                ["ticket_id", "kind", "deadline", "late_minutes", "used_minutes"],
                order="deadline, id",
            )
        )
        reasons = {}
        escalations = (
            self.env["response.support.escalation"]
            .sudo()
            .search_fetch(
                [("ticket_id", "in", clocks.ticket_id.ids)],
                ["ticket_id", "reason"],
                order="date, id",
            )
        )
        for escalation in escalations:
            reasons.setdefault(escalation.ticket_id, []).append(escalation.reason)
        return [
            {
                "ticket": clock.ticket_id.number,
                "title": clock.ticket_id.name,
                "priority": priority_labels.get(clock.ticket_id.priority, ""),
                "kind": kind_labels.get(clock.kind, clock.kind),
                "deadline": clock.deadline,
                "late": round(max(clock.late_minutes or 0.0, 0.0), 1),
                "reason": "; ".join(reasons.get(clock.ticket_id, [])),
            }
            for clock in clocks
        ]

    def _get_visits(self, start, end):
        visits = (
            self.env["response.support.activity"]
            .sudo()
            .search_fetch(
                [
                    ("contract_id", "=", self.contract_id.id),
                    ("mode", "=", "onsite"),
                    ("checkin_date", ">=", start),
                    ("checkin_date", "<", end),
                ],
                ["name", "ticket_id", "checkin_date", "end_date", "state"],
                order="checkin_date, id",
            )
        )
        states = dict(visits._fields["state"]._description_selection(self.env))
        return [
            {
                "name": visit.name,
                "ticket": visit.ticket_id.number,
                "arrival": visit.checkin_date,
                "end": visit.end_date,
                "state": states.get(visit.state, visit.state),
                "late": visit.arrival_late,
            }
            for visit in visits
        ]

    def _get_satisfaction(self, start, end):
        labels = dict(
            self.env["response.support.followup"]
            ._fields["satisfaction"]
            ._description_selection(self.env)
        )
        counts = dict(
            self.env["response.support.followup"]
            .sudo()
            ._read_group(
                [
                    ("ticket_id.contract_id", "=", self.contract_id.id),
                    ("date", ">=", start),
                    ("date", "<", end),
                    ("satisfaction", "!=", False),
                ],
                ["satisfaction"],
                ["__count"],
            )
        )
        answered = sum(counts.values())
        total = sum(int(score) * count for score, count in counts.items())
        return {
            "count": answered,
            "average": round(total / answered, 2) if answered else None,
            "distribution": [
                (labels[score], counts.get(score, 0))
                for score, _label in reversed(SATISFACTION)
            ],
        }

    def _get_legacy_issues(self, end):
        issues = (
            self.env["response.support.legacy.issue"]
            .sudo()
            .search_fetch(
                [
                    ("ticket_id.contract_id", "=", self.contract_id.id),
                    ("state", "=", "open"),
                    ("ticket_id.reported_date", "<", end),
                ],
                ["name", "ticket_id", "due_date", "user_id"],
                order="due_date, id",
            )
        )
        return [
            {
                "name": issue.name,
                "ticket": issue.ticket_id.number,
                "due": issue.due_date,
                "owner": issue.user_id.name,
            }
            for issue in issues
        ]

    def _get_opinions(self, start, end):
        opinions = (
            self.env["response.support.customer.opinion"]
            .sudo()
            .search_fetch(
                [
                    ("ticket_id.contract_id", "=", self.contract_id.id),
                    ("date", ">=", start),
                    ("date", "<", end),
                ],
                ["date", "kind", "description", "state", "ticket_id"],
                order="date, id",
            )
        )
        kinds = dict(opinions._fields["kind"]._description_selection(self.env))
        states = dict(opinions._fields["state"]._description_selection(self.env))
        return [
            {
                "date": opinion.date,
                "ticket": opinion.ticket_id.number,
                "kind": kinds.get(opinion.kind, opinion.kind),
                "description": opinion.description,
                "state": states.get(opinion.state, opinion.state),
            }
            for opinion in opinions
        ]

    # ------------------------------------------------------------------ Excel

    def _render_xlsx(self):
        """The report's figures as an Excel workbook, one sheet per section."""
        self.ensure_one()
        data = self._get_report_data()
        _ = self.env._
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = book.add_format({"bold": True})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})

        def sheet(title, header, lines):
            ws = book.add_worksheet(title[:31])
            ws.write_row(0, 0, header, bold)
            for row, line in enumerate(lines, start=1):
                for col, value in enumerate(line):
                    if isinstance(value, datetime):
                        ws.write_datetime(row, col, value, when)
                    elif hasattr(value, "isoformat"):
                        ws.write_datetime(
                            row, col, datetime.combine(value, time.min), day
                        )
                    elif value is None or value is False:
                        ws.write_blank(row, col, None)
                    else:
                        ws.write(row, col, value)
            ws.set_column(0, len(header) - 1, 18)
            return ws

        events = data["events"]
        summary = sheet(
            _("Summary"),
            [_("O&M Contract"), self.contract_id.display_name],
            [
                (_("Month"), self.month.strftime("%Y-%m")),
                (_("Events"), events["total"]),
                (_("Closed"), events["closed"]),
                (_("Open"), events["open"]),
                *events["by_priority"],
                (_("Satisfaction Average"), data["satisfaction"]["average"]),
                (_("Legacy Issues Open"), len(data["legacy_issues"])),
            ],
        )
        summary.set_column(0, 0, 28)
        sheet(
            _("SLA"),
            [
                _("Priority"),
                _("Clock"),
                _("Clocks"),
                _("Target (working minutes)"),
                _("Met"),
                _("Breached"),
                _("Met Rate (%)"),
                _("Mean Working Minutes"),
            ],
            [
                (
                    r["priority"],
                    r["kind"],
                    r["count"],
                    r["target"],
                    r["met"],
                    r["breached"],
                    r["rate"],
                    r["mean"],
                )
                for r in data["sla"]
            ],
        )
        sheet(
            _("Breaches"),
            [
                _("Event"),
                _("Title"),
                _("Priority"),
                _("Clock"),
                _("Deadline"),
                _("Lateness (working minutes)"),
                _("Reason"),
            ],
            [
                (
                    b["ticket"],
                    b["title"],
                    b["priority"],
                    b["kind"],
                    b["deadline"],
                    b["late"],
                    b["reason"],
                )
                for b in data["breaches"]
            ],
        )
        sheet(
            _("On-site Visits"),
            [
                _("Visit"),
                _("Event"),
                _("Arrived On Site"),
                _("Work Finished"),
                _("Status"),
            ],
            [
                (v["name"], v["ticket"], v["arrival"], v["end"], v["state"])
                for v in data["visits"]
            ],
        )
        sheet(
            _("Satisfaction"),
            [_("Satisfaction"), _("Answers")],
            data["satisfaction"]["distribution"],
        )
        sheet(
            _("Legacy Issues"),
            [_("Issue"), _("Event"), _("Due Date"), _("Owner")],
            [
                (i["name"], i["ticket"], i["due"], i["owner"])
                for i in data["legacy_issues"]
            ],
        )
        sheet(
            _("Customer Opinions"),
            [_("Date"), _("Event"), _("Kind"), _("Opinion"), _("Status")],
            [
                (o["date"], o["ticket"], o["kind"], o["description"], o["state"])
                for o in data["opinions"]
            ],
        )
        book.close()
        return output.getvalue()
