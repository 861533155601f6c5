from odoo.tools import SQL

from .common import ResponseSupportCase


class TestTicketOrder(ResponseSupportCase):
    """The desk's first pages (list, kanban columns by stage) read tickets in
    helpdesk_mgmt's default order from an index instead of sorting the table
    (measured at 200,000 tickets in bench/RESULTS.md §10)."""

    def _plan(self, domain, order=None, user=None):
        Ticket = self.env["helpdesk.ticket"].with_user(user or self.desk_user)
        return self._explain(
            Ticket._search(domain, limit=80, order=order or Ticket._order)
        )

    def _explain(self, query):
        # the test table is tiny and its statistics are guesses: discourage the
        # scans that read it whole and the sorts, so that the plan shows whether
        # an index can give the order (without one a Sort node remains)
        settings = ("enable_seqscan", "enable_bitmapscan", "enable_sort")
        for setting in settings:
            self.env.cr.execute(SQL("SET LOCAL %s = off", SQL.identifier(setting)))
        try:
            self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
            return "\n".join(line for (line,) in self.env.cr.fetchall())
        finally:
            for setting in settings:
                self.env.cr.execute(SQL("RESET %s", SQL.identifier(setting)))

    def test_list_first_page_reads_the_order_index(self):
        self._create_ticket()
        self.env.flush_all()
        self.assertEqual(
            self.env["helpdesk.ticket"]._order,
            "priority desc, sequence, number desc, id desc",
            "the indexes follow helpdesk_mgmt's default order: update them with it",
        )
        plan = self._plan([])
        self.assertIn("helpdesk_ticket_default_order_index", plan)
        self.assertNotIn("Sort", plan)

    def test_kanban_column_reads_the_stage_order_index(self):
        ticket = self._create_ticket()
        self.env.flush_all()
        plan = self._plan([("stage_id", "=", ticket.stage_id.id)])
        self.assertIn("helpdesk_ticket_stage_order_index", plan)
        self.assertNotIn("Sort", plan)

    def test_portal_first_page_reads_the_create_date_index(self):
        """The portal's ticket list (helpdesk_mgmt's /my/tickets) shows the newest
        tickets first."""
        self._create_ticket()
        self.env.flush_all()
        portal = self.env["res.users"].create(
            {
                "name": "Portal Li Lei",
                "login": "rs_portal_order",
                "partner_id": self.reporter.id,
                "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
            }
        )
        plan = self._plan([], order="create_date desc", user=portal)
        self.assertIn("helpdesk_ticket_create_date_index", plan)
        self.assertNotIn("Sort", plan)

    def test_similar_tickets_read_the_closest_titles_from_a_gist_index(self):
        """The similar-ticket search asks the trigram index for the closest titles
        (GiST, ordered by distance) instead of scoring every match (GIN)."""
        if not self.env.registry.has_trigram:
            self.skipTest("pg_trgm is not installed")
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'helpdesk_ticket' AND indexdef LIKE '%%trgm_ops%%'"
        )
        indexes = dict(self.env.cr.fetchall())
        self.assertEqual(list(indexes), ["helpdesk_ticket_name_lower_trgm_gist"])
        self.assertIn("USING gist", indexes["helpdesk_ticket_name_lower_trgm_gist"])
        first = self._create_ticket(name="Billing screen shows error 500")
        self._create_ticket(name="Billing screen shows error 502")
        self._create_ticket(name="Printer out of paper")
        self.assertEqual(
            first._search_similar_tickets().mapped("name"),
            ["Billing screen shows error 502"],
        )

    def test_kpi_month_filter_reads_the_reported_date_index(self):
        """The Service KPIs pivot of one month (the search panel's month filter)
        and its list, newest first, read the tickets from the reported-date index
        instead of scanning every ticket (bench/RESULTS.md §11)."""
        self._create_ticket()
        self.env.flush_all()
        Kpi = self.env["response.support.report.kpi"].with_user(self.manager_user)
        domain = [
            ("reported_date", ">=", "2026-03-01 00:00:00"),
            ("reported_date", "<", "2026-04-01 00:00:00"),
        ]
        for query in (Kpi._search(domain), Kpi._search([], limit=80, order=Kpi._order)):
            plan = self._explain(query)
            self.assertIn("helpdesk_ticket_reported_date_index", plan)
        self.assertNotIn("Sort", plan, "the list's first page in index order")

    def test_report_indexes(self):
        """The monthly SLA report selects its contract's month of tickets from one
        index (contract, reported date); the KPI view finds each ticket's own
        response and resolution clock, and what it reads of them, in one index
        (bench/RESULTS.md §11: the planner only uses them on large tables)."""
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN %s",
            [
                (
                    "helpdesk_ticket_contract_reported_index",
                    "response_support_sla_clock_ticket_own_index",
                )
            ],
        )
        indexes = dict(self.env.cr.fetchall())
        self.assertIn(
            "(contract_id, reported_date)",
            indexes["helpdesk_ticket_contract_reported_index"],
        )
        self.assertIn(
            "(ticket_id, kind) INCLUDE (status, used_minutes)"
            " WHERE (activity_id IS NULL)",
            indexes["response_support_sla_clock_ticket_own_index"],
        )
