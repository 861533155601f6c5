from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import JsonRpcException, tagged

from .common import ResponseSupportCase, ResponseSupportHttpCase

LOG = "response.support.config.change"


@tagged("post_install", "-at_install")
class TestConfigChange(ResponseSupportCase):
    """Changes of the process configuration are logged: who, when, which record
    and field, old → new; managers read the log, nobody writes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env[LOG]
        cls.stage = cls.env["helpdesk.ticket.stage"].create({"name": "Waiting Vendor"})
        cls.threshold = cls.env["response.support.sla.threshold"].create(
            {"level_id": cls.level_gold.id, "percent": 80}
        )
        Matrix = cls.env["response.support.priority.matrix"]
        cls.cell = Matrix.search(
            [("impact", "=", "low"), ("urgency", "=", "low")], limit=1
        ) or Matrix.create({"impact": "low", "urgency": "low", "priority": "0"})

    def _logged(self, record, **domain):
        return self.Log.search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
            + [(k, "=", v) for k, v in domain.items()]
        )

    def _assert_change(self, record, field_name, value, old, new):
        record.with_user(self.manager_user).write({field_name: value})
        change = self._logged(record, operation="write")
        self.assertEqual(len(change), 1, record._name)
        self.assertEqual(
            (
                change.user_id,
                change.model_id.model,
                change.record_name,
                change.field_id.name,
                change.old_value,
                change.new_value,
            ),
            (
                self.manager_user,
                record._name,
                record.display_name,
                field_name,
                old,
                new,
            ),
        )
        self.assertTrue(change.date)

    def test_stage_change_is_logged(self):
        self._assert_change(self.stage, "sla_pause", True, "False", "True")

    def test_sla_level_change_is_logged(self):
        self._assert_change(
            self.level_gold, "calendar_id", self.calendar_5x8.id, "", "Test 5x8"
        )

    def test_sla_target_change_is_logged(self):
        target = self.level_gold.target_ids.filtered(lambda t: t.priority == "3")
        self._assert_change(target, "response_minutes", 20, "15", "20")

    def test_sla_threshold_change_is_logged(self):
        self.assertTrue(self._logged(self.threshold, operation="create"))
        self._assert_change(self.threshold, "percent", 90, "80", "90")

    def test_priority_matrix_change_is_logged(self):
        labels = dict(self.cell._fields["priority"]._description_selection(self.env))
        old = labels[self.cell.priority]
        new = "3" if self.cell.priority != "3" else "2"
        self._assert_change(self.cell, "priority", new, old, labels[new])

    def test_catalog_create_change_and_delete_are_logged(self):
        entry = (
            self.env["response.support.catalog"]
            .with_user(self.manager_user)
            .create({"name": "Network", "code": "T-NET"})
        )
        created = self._logged(entry, operation="create")
        self.assertEqual(created.record_name, "Network")
        self.assertFalse(created.field_id)
        self._assert_change(
            entry, "name", "Network and Security", "Network", "Network and Security"
        )
        entry_id = entry.id
        entry.with_user(self.manager_user).unlink()
        deleted = self.Log.search(
            [
                ("res_model", "=", "response.support.catalog"),
                ("res_id", "=", entry_id),
                ("operation", "=", "unlink"),
            ]
        )
        self.assertEqual(deleted.record_name, "Network and Security")
        self.assertEqual(deleted.user_id, self.manager_user)

    def test_one_log_write_per_write_call_and_no_row_without_change(self):
        other = self.env["helpdesk.ticket.stage"].create({"name": "Waiting Customer"})
        stages = self.stage | other
        calls = []
        create = type(self.Log).create

        def counting_create(log, vals_list):
            calls.append(len(vals_list))
            return create(log, vals_list)

        with patch.object(type(self.Log), "create", counting_create):
            stages.with_user(self.manager_user).write(
                {"sla_pause": True, "intake_exempt": True}
            )
            self.assertEqual(calls, [4], "two stages × two fields, one create")
            stages.with_user(self.manager_user).write({"sla_pause": True})
            self.assertEqual(calls, [4], "nothing changed, nothing logged")

    def test_managers_read_the_log_others_do_not(self):
        self.stage.with_user(self.manager_user).sla_pause = True
        self.assertTrue(self.Log.with_user(self.manager_user).search([]))
        for user in (self.desk_user, self.engineer_user):
            with self.assertRaises(AccessError):
                self.Log.with_user(user).search([])

    def test_nobody_writes_the_log(self):
        self.stage.with_user(self.manager_user).sla_pause = True
        change = self._logged(self.stage, operation="write")
        as_manager = self.Log.with_user(self.manager_user)
        with self.assertRaises(AccessError):
            as_manager.create({"date": "2026-03-02", "user_id": self.manager_user.id})
        with self.assertRaises(AccessError):
            change.with_user(self.manager_user).write({"new_value": "forged"})
        with self.assertRaises(AccessError):
            change.with_user(self.manager_user).unlink()
        # not even code running as superuser outside the mixin
        with self.assertRaises(AccessError):
            change.sudo().write({"new_value": "forged"})
        with self.assertRaises(AccessError):
            change.sudo().unlink()
        with self.assertRaises(AccessError):
            self.Log.sudo().create(
                {
                    "date": "2026-03-02",
                    "user_id": self.manager_user.id,
                    "operation": "write",
                    "model_id": self.env["ir.model"]._get_id("helpdesk.ticket.stage"),
                }
            )
        self.assertEqual(change.new_value, "True")


@tagged("post_install", "-at_install")
class TestConfigChangeRpc(ResponseSupportHttpCase):
    def test_manager_cannot_create_edit_or_delete_log_rows_over_rpc(self):
        stage = self.env["helpdesk.ticket.stage"].create({"name": "Waiting Vendor"})
        stage.with_user(self.manager_user).sla_pause = True
        change = self.env[LOG].search(
            [
                ("res_model", "=", stage._name),
                ("res_id", "=", stage.id),
                ("operation", "=", "write"),
            ]
        )
        self.authenticate("rs_manager", "rs_manager")

        def call(method, args):
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {"model": LOG, "method": method, "args": args, "kwargs": {}},
            )

        read = call("read", [change.ids, ["new_value"]])
        self.assertEqual(read[0]["new_value"], "True")
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket.stage")
        attempts = [
            ("create", [{"operation": "write", "model_id": model_id}]),
            ("write", [change.ids, {"new_value": "forged"}]),
            ("unlink", [change.ids]),
        ]
        for method, args in attempts:
            with self.assertRaises(JsonRpcException, msg=method) as refused:
                call(method, args)
            self.assertIn("AccessError", str(refused.exception.args), method)
        change.invalidate_recordset()
        self.assertTrue(change.exists())
        self.assertEqual(change.new_value, "True")
