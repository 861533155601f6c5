from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestContract(ResponseSupportCase):
    def test_reference_from_sequence(self):
        self.assertTrue(self.contract.code.startswith("OMC"))
        self.assertEqual(str(self.contract.date_start), "2025-01-01")
        self.assertEqual(str(self.contract.date_end), "2028-12-31")

    def test_ticket_in_warranty_gets_warranty_sla_level(self):
        ticket = self._create_ticket(reported_date="2026-06-15 03:00:00")
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertEqual(ticket.contract_phase, "warranty")
        self.assertEqual(ticket.sla_level_id, self.level_gold)
        self.assertEqual(ticket.coverage_state, "covered")
        self.assertEqual(ticket.sla_target_id.priority, ticket.priority)

    def test_ticket_after_warranty_gets_paid_service_sla_level(self):
        ticket = self._create_ticket(reported_date="2027-01-01 01:00:00")
        self.assertEqual(ticket.contract_phase, "service")
        self.assertEqual(ticket.sla_level_id, self.level_silver)

    def test_phase_boundary_uses_the_company_timezone_day(self):
        """2026-12-31 17:00 UTC is already 2027-01-01 in Shanghai."""
        self.company.resource_calendar_id.tz = "Asia/Shanghai"
        ticket = self._create_ticket(reported_date="2026-12-31 17:00:00")
        self.assertEqual(ticket.contract_phase, "service")
        self.company.resource_calendar_id.tz = "Europe/London"
        ticket.reported_date = "2026-12-31 17:00:01"
        self.assertEqual(ticket.contract_phase, "warranty")

    def test_changing_the_reported_date_moves_the_ticket_to_another_phase(self):
        ticket = self._create_ticket(reported_date="2025-06-01 01:00:00")
        self.assertEqual(ticket.contract_phase, "construction")
        ticket.reported_date = "2026-06-01 01:00:00"
        self.assertEqual(ticket.contract_phase, "warranty")
        self.assertEqual(ticket.sla_level_id, self.level_gold)

    def test_ticket_after_the_contract_is_expired(self):
        ticket = self._create_ticket(reported_date="2029-02-01 01:00:00")
        self.assertEqual(
            ticket.contract_id, self.contract, "still the contract to warn about"
        )
        self.assertFalse(ticket.contract_phase_id)
        self.assertEqual(ticket.coverage_state, "expired")

    def test_catalog_outside_the_phase_scope(self):
        ticket = self._create_ticket(catalog_id=self.cat_development.id)
        self.assertEqual(ticket.coverage_state, "out_of_scope")

    def test_sub_catalog_is_covered_through_its_parent(self):
        ticket = self._create_ticket(catalog_id=self.cat_software_app.id)
        self.assertEqual(ticket.coverage_state, "covered")

    def test_contract_found_from_the_reporter_company_without_system(self):
        ticket = self._create_ticket(system_id=None)
        self.assertEqual(
            ticket.system_id, self.system, "the only system of the company"
        )
        self.assertEqual(ticket.contract_id, self.contract)

    def test_no_contract_for_an_unknown_reporter(self):
        stranger = self.env["res.partner"].create({"name": "Walk-in"})
        ticket = self._create_ticket(partner_id=stranger.id, system_id=None)
        self.assertFalse(ticket.contract_id)
        self.assertEqual(ticket.coverage_state, "no_contract")

    def test_overlapping_phases_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "overlap"):
            self.contract.write(
                {
                    "phase_ids": [
                        self._phase(
                            "service", "2026-12-01", "2027-03-31", self.level_silver
                        )
                    ]
                }
            )

    def test_phase_ending_before_it_starts_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self.contract.write(
                {
                    "phase_ids": [
                        self._phase(
                            "service", "2030-05-01", "2030-01-01", self.level_silver
                        )
                    ]
                }
            )

    def test_phase_history_is_kept(self):
        self.assertEqual(
            self.contract.phase_ids.mapped("phase"),
            ["construction", "warranty", "service"],
        )

    @freeze_time("2026-12-10")
    def test_state_and_expiry_warning(self):
        contract = self.env["response.support.contract"].create(
            {
                "name": "Short",
                "partner_id": self.customer.id,
                "phase_ids": [
                    self._phase("service", "2026-01-01", "2026-12-31", self.level_gold)
                ],
            }
        )
        self.assertEqual(contract.state, "active")
        self.assertTrue(contract.is_expiring)
        self.assertEqual(contract.current_phase, "service")
        Contract = self.env["response.support.contract"]
        self.assertIn(contract, Contract.search([("is_expiring", "=", True)]))
        self.assertIn(contract, Contract.search([("state", "=", "active")]))
        self.assertNotIn(contract, Contract.search([("state", "=", "expired")]))
        self.assertIn(
            self.contract, Contract.search([("current_phase", "=", "warranty")])
        )

    @freeze_time("2029-03-01")
    def test_expired_state(self):
        self.assertEqual(self.contract.state, "expired")
        self.assertFalse(self.contract.is_expiring)
        self.assertIn(
            self.contract,
            self.env["response.support.contract"].search([("state", "=", "expired")]),
        )

    def test_ticket_count_and_action(self):
        self._create_ticket()
        self.contract.invalidate_recordset(["ticket_count"])
        self.assertEqual(self.contract.ticket_count, 1)
        action = self.contract.action_view_tickets()
        self.assertEqual(action["domain"], [("contract_id", "=", self.contract.id)])

    def test_catalog_team_inherited_by_sub_catalog(self):
        self.assertEqual(self.cat_software_app.team_id, self.team_software)
        self.assertEqual(
            self.cat_software_app.complete_name, "Software / Billing Application Fault"
        )
