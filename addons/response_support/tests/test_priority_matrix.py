from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestPriorityMatrix(ResponseSupportCase):
    def test_default_matrix(self):
        expected = {
            ("high", "high"): "3",
            ("high", "medium"): "2",
            ("medium", "high"): "2",
            ("medium", "medium"): "1",
            ("low", "high"): "1",
            ("low", "low"): "0",
        }
        for (impact, urgency), priority in expected.items():
            ticket = self._create_ticket(impact=impact, urgency=urgency)
            self.assertEqual(ticket.priority, priority, f"{impact} × {urgency}")
            self.assertFalse(ticket.priority_override)

    def test_priority_follows_impact_and_urgency_changes(self):
        ticket = self._create_ticket(impact="low", urgency="low")
        self.assertEqual(ticket.priority, "0")
        ticket.write({"impact": "high", "urgency": "high"})
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.sla_target_id.priority, "3")

    def test_company_cell_wins_over_the_shared_one(self):
        self.env["response.support.priority.matrix"].create(
            {
                "impact": "low",
                "urgency": "low",
                "priority": "2",
                "company_id": self.company.id,
            }
        )
        ticket = self._create_ticket(impact="low", urgency="low")
        self.assertEqual(ticket.priority, "2")

    def test_manual_override_is_kept_and_tracked(self):
        ticket = self._create_ticket(impact="low", urgency="low")
        ticket.with_user(self.desk_user).write({"priority": "3"})
        self.assertTrue(ticket.priority_override)
        self.assertEqual(ticket.priority, "3")
        ticket.write({"urgency": "medium"})
        self.assertEqual(ticket.priority, "3", "an override survives matrix changes")
        self.assertTrue(
            self._tracked(ticket, "priority_override"),
            "the override is tracked in the chatter",
        )

    def test_form_write_equal_to_the_matrix_is_not_an_override(self):
        ticket = self._create_ticket(impact="low", urgency="low")
        ticket.write({"impact": "high", "urgency": "high", "priority": "3"})
        self.assertFalse(ticket.priority_override)

    def test_reset_to_the_matrix(self):
        ticket = self._create_ticket(impact="low", urgency="low", priority="3")
        self.assertTrue(ticket.priority_override)
        ticket.action_reset_priority()
        self.assertFalse(ticket.priority_override)
        self.assertEqual(ticket.priority, "0")

    def test_batch_write_decides_per_ticket(self):
        low = self._create_ticket(impact="low", urgency="low")
        high = self._create_ticket(impact="high", urgency="high")
        (low | high).write({"priority": "3"})
        self.assertTrue(low.priority_override)
        self.assertFalse(high.priority_override)


@tagged("post_install", "-at_install")
class TestPriorityMatrixGrid(ResponseSupportCase):
    def test_grid_shows_and_edits_impact_rows_by_urgency_columns(self):
        Matrix = self.env["response.support.priority.matrix"]
        Matrix.search([("company_id", "=", False)]).unlink()
        Matrix.create(
            {"impact": "high", "urgency": "high", "priority": "3", "company_id": False}
        )
        Grid = self.env["response.support.priority.matrix.grid"].with_user(
            self.manager_user
        )
        grid = Form(Grid).save()
        self.assertEqual(grid.line_ids.mapped("impact"), ["high", "medium", "low"])
        self.assertEqual(grid.line_ids[0].priority_high, "3")
        grid.line_ids[0].priority_high = "2"
        grid.line_ids[2].priority_low = "0"
        grid.action_save()
        cells = {
            (c.impact, c.urgency): c.priority
            for c in Matrix.search([("company_id", "=", False)])
        }
        self.assertEqual(cells, {("high", "high"): "2", ("low", "low"): "0"})

    def test_grid_is_the_manager_s(self):
        with self.assertRaises(AccessError):
            self.env["response.support.priority.matrix.grid"].with_user(
                self.desk_user
            ).create({})
