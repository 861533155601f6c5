import json

from odoo import http
from odoo.tests import new_test_user
from odoo.tests.common import HttpCase, TransactionCase

ENGINEER_GROUP = "response_support.group_response_support_engineer"


def weekly_hours(days="01234", hours=((8, 12), (13, 17))):
    """(day, from, to) of a week working ``hours`` on each of ``days`` (0 is
    Monday): by default Monday to Friday, 08:00-12:00 and 13:00-17:00."""
    return [(day, start, stop) for day in days for start, stop in hours]


class ResponseSupportCommon:
    """The world of the tests: one customer with a system and a contract whose phases
    run construction → free maintenance → paid O&M, a catalog, SLA levels, one user
    per role. Tests build their own data: nothing here depends on demo records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        ref = cls.env.ref
        cls.stage_new = ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_progress = ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.stage_awaiting = ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_resolved = ref("response_support.helpdesk_ticket_stage_resolved")
        cls.stage_done = ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.stage_cancelled = ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        cls.stage_rejected = ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected")
        cls.desk_user = new_test_user(
            cls.env,
            login="rs_desk",
            name="Desk Engineer",
            groups="response_support.group_response_support_desk",
        )
        cls.engineer_user = new_test_user(
            cls.env,
            login="rs_engineer",
            name="Support Engineer",
            groups="response_support.group_response_support_engineer",
        )
        cls.manager_user = new_test_user(
            cls.env,
            login="rs_manager",
            name="Support Manager",
            groups="response_support.group_response_support_manager",
        )
        cls.team_software = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Software Team",
                "user_ids": [(4, cls.engineer_user.id)],
                "response_support_process": True,
            }
        )
        cls.team_hardware = cls.env["helpdesk.ticket.team"].create(
            {"name": "Hardware Team", "response_support_process": True}
        )
        Catalog = cls.env["response.support.catalog"]
        cls.cat_software = Catalog.create(
            {"name": "Software", "code": "T-SW", "team_id": cls.team_software.id}
        )
        cls.cat_software_app = Catalog.create(
            {
                "name": "Billing Application Fault",
                "code": "T-SW-APP",
                "parent_id": cls.cat_software.id,
            }
        )
        cls.cat_hardware = Catalog.create(
            {"name": "Hardware", "code": "T-HW", "team_id": cls.team_hardware.id}
        )
        cls.cat_development = Catalog.create({"name": "Development", "code": "T-DEV"})
        cls.calendar_5x8 = cls.env["resource.calendar"].create(
            {"name": "Test 5x8", "tz": "Asia/Shanghai"}
        )
        cls.level_gold = cls._create_sla_level("Test Gold", 15, 240)
        cls.level_silver = cls._create_sla_level("Test Silver", 30, 480)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Test Water Group", "is_company": True}
        )
        cls.reporter = cls.env["res.partner"].create(
            {
                "name": "Li Lei",
                "parent_id": cls.customer.id,
                "phone": "+86 177 0042 9413",
                "email": "li.lei@water.example.com",
            }
        )
        cls.system = cls.env["response.support.system"].create(
            {"name": "Water Billing", "code": "T-WB", "partner_id": cls.customer.id}
        )
        cls.contract = cls.env["response.support.contract"].create(
            {
                "name": "Water O&M",
                "partner_id": cls.customer.id,
                "system_ids": [(6, 0, cls.system.ids)],
                "team_ids": [(6, 0, cls.team_hardware.ids)],
                "phase_ids": [
                    cls._phase(
                        "construction", "2025-01-01", "2025-12-31", cls.level_silver
                    ),
                    cls._phase("warranty", "2026-01-01", "2026-12-31", cls.level_gold),
                    cls._phase("service", "2027-01-01", "2028-12-31", cls.level_silver),
                ],
            }
        )

    @classmethod
    def _create_sla_level(cls, name, response, resolution):
        return cls.env["response.support.sla.level"].create(
            {
                "name": name,
                "target_ids": [
                    (
                        0,
                        0,
                        {
                            "priority": priority,
                            "response_minutes": response * (4 - int(priority)),
                            "resolution_minutes": resolution * (4 - int(priority)),
                            "onsite_minutes": 120,
                        },
                    )
                    for priority in ("0", "1", "2", "3")
                ],
            }
        )

    @classmethod
    def _create_flat_sla_level(
        cls, name, response, resolution, thresholds=None, target_vals=None, **vals
    ):
        """A level with the same targets for every priority: ``response`` and
        ``resolution`` minutes (and ``target_vals``), warnings and escalations
        ``thresholds`` (a list of values), other fields of the level in ``vals``."""
        vals = dict(
            {
                "name": name,
                "target_ids": [
                    (
                        0,
                        0,
                        dict(
                            {
                                "priority": priority,
                                "response_minutes": response,
                                "resolution_minutes": resolution,
                            },
                            **(target_vals or {}),
                        ),
                    )
                    for priority in ("0", "1", "2", "3")
                ],
            },
            **vals,
        )
        if thresholds is not None:
            vals["threshold_ids"] = [(0, 0, threshold) for threshold in thresholds]
        return cls.env["response.support.sla.level"].create(vals)

    @classmethod
    def _create_7x24_level(cls, name, *thresholds):
        """A 7×24 level: response 30 minutes, resolution 120 minutes for every
        priority; the assignee warned at 50 %, then the other ``thresholds``."""
        return cls._create_flat_sla_level(
            name,
            30,
            120,
            thresholds=[{"percent": 50, "action": "notify_assignee"}, *thresholds],
        )

    @classmethod
    def _create_calendar(cls, name, attendances=None, tz="Asia/Shanghai", **vals):
        """A working calendar in ``tz`` with the (day, from, to) ``attendances``
        (by default Monday to Friday 08:00-12:00 and 13:00-17:00), other fields
        in ``vals``."""
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "attendance_ids": [(5, 0, 0)]
                + [
                    (
                        0,
                        0,
                        {
                            "name": f"{day} {start}",
                            "dayofweek": day,
                            "hour_from": start,
                            "hour_to": stop,
                            "day_period": "morning" if start < 12 else "afternoon",
                        },
                    )
                    for day, start, stop in (attendances or weekly_hours())
                ],
                **vals,
            }
        )

    @classmethod
    def _create_prc_calendar(cls, name="PRC 5x8"):
        """The PRC 5×8 calendar: Shanghai, Monday to Friday 08:00-12:00 and
        13:00-17:00, with the PRC public holidays and make-up days (of the years
        known at the frozen time)."""
        return cls._create_calendar(name, cn_public_holidays=True)

    @classmethod
    def _create_engineer(cls, login, **vals):
        """A support engineer (named after ``login`` unless ``vals`` says)."""
        return new_test_user(
            cls.env,
            login=login,
            **dict({"name": login, "groups": ENGINEER_GROUP}, **vals),
        )

    @classmethod
    def _create_portal_user(cls, login, partner, **vals):
        """A portal user of the contact ``partner``."""
        return new_test_user(
            cls.env,
            login=login,
            groups="base.group_portal",
            partner_id=partner.id,
            **vals,
        )

    @classmethod
    def _add_hardware_engineer(cls):
        """``hw_engineer``: an engineer of the hardware team only."""
        cls.hw_engineer = cls._create_engineer(
            "rs_hw_engineer", name="Hardware Engineer"
        )
        cls.team_hardware.user_ids = [(4, cls.hw_engineer.id)]

    @classmethod
    def _phase(cls, phase, start, end, level, catalogs=None):
        catalogs = catalogs or (cls.cat_software | cls.cat_hardware)
        return (
            0,
            0,
            {
                "phase": phase,
                "date_start": start,
                "date_end": end,
                "sla_level_id": level.id,
                "catalog_ids": [(6, 0, catalogs.ids)],
            },
        )

    def _complete_vals(self, **overrides):
        """Values of a ticket whose six intake items are all confirmed; an override
        of None leaves the field out (so its compute fills it)."""
        vals = {
            "name": "Billing screen shows error 500",
            "description": "<p>Since 09:00 every invoice page returns error 500.</p>",
            "partner_id": self.reporter.id,
            "partner_name": "Li Lei",
            "partner_email": "li.lei@water.example.com",
            "reporter_role": "user",
            "system_id": self.system.id,
            "catalog_id": self.cat_software_app.id,
            "impact": "medium",
            "urgency": "high",
            "no_attachment": True,
            "reported_date": "2026-03-02 02:00:00",
            # independent of helpdesk_mgmt's "auto assign" option: the desk dispatches
            "user_id": False,
            "team_id": False,
        }
        vals.update(overrides)
        return {key: value for key, value in vals.items() if value is not None}

    # the handling result a ticket needs before it is resolved
    RESOLUTION_VALS = {
        "resolution": "<p>Restarted the billing service.</p>",
        "resolution_cause": "<p>The service ran out of memory.</p>",
    }

    def _confirm_followup(self, ticket, **vals):
        """The desk records that the customer confirmed the solution of the
        resolved ``ticket``: it may be closed from then on."""
        return (
            self.env["response.support.followup"]
            .with_user(self.desk_user)
            .create(dict({"ticket_id": ticket.id, "result": "solved"}, **vals))
        )

    def _put_on_leave(self, user, start, stop):
        """``user`` is on annual leave from ``start`` to ``stop``."""
        resource = self.env["resource.resource"].create(
            {"name": user.name, "user_id": user.id}
        )
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Annual leave",
                "resource_id": resource.id,
                "date_from": start,
                "date_to": stop,
            }
        )

    def _flush_tracking(self):
        """Write the tracking messages, as Odoo does at commit. Records created in a
        transaction are only tracked from the next one: call this after a create to
        test the tracking of later changes."""
        self.env.flush_all()
        self.env.cr.flush()

    def _tracked(self, ticket, field_name):
        """Tracking values of ``field_name`` posted on ``ticket``."""
        self._flush_tracking()
        self.env.invalidate_all()
        return ticket.message_ids.tracking_value_ids.filtered(
            lambda v: v.field_id.name == field_name
        )

    def _create_ticket(self, user=None, **overrides):
        model = self.env["helpdesk.ticket"]
        if user:
            model = model.with_user(user)
        ticket = model.create(self._complete_vals(**overrides))
        self._flush_tracking()  # as if saved by the desk in its own request
        return ticket

    def _create_visit(self, ticket, user=None, **overrides):
        """A support activity of ``ticket`` (on-site unless ``mode`` says
        otherwise) with what the confirmation with the customer needs."""
        vals = {
            "ticket_id": ticket.id,
            "mode": "onsite",
            "agreed_date": "2026-03-02 03:00:00",
            "agreed_by": "Li Lei",
            "work_content": "Replace the failed disk of the billing server",
            "address": "Water Group HQ, machine room 2",
            "access_method": "VPN and remote desktop",
            "user_ids": [(6, 0, (user or self.engineer_user).ids)],
        }
        vals.update(overrides)
        model = self.env["response.support.activity"]
        return (model.with_user(user) if user else model).create(vals)

    def _check_in(self, activity):
        """Confirm, set out and check in (at the frozen time) as the engineer."""
        if activity.state == "draft":
            activity.action_confirm()
        activity.action_set_out()
        activity.action_check_in()


class ResponseSupportCase(ResponseSupportCommon, TransactionCase):
    pass


class ResponseSupportHttpCase(ResponseSupportCommon, HttpCase):
    def _post_ticket_close(self, ticket_id, stage_id):
        """The portal's "close" form posted as the authenticated user (the
        response itself, not where it redirects to)."""
        return self.url_open(
            "/ticket/close",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "ticket_id": ticket_id,
                "stage_id": stage_id,
            },
            allow_redirects=False,
        )

    def _call_kw(self, login, model, method, args, kwargs=None):
        """``method`` of ``model`` called over JSON-RPC as ``login``: (result,
        error) of the response."""
        self.authenticate(login, login)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        }
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        return body.get("result"), body.get("error")
