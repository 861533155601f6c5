from contextlib import nullcontext
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools.misc import format_datetime

from ..models.response_support_sla_clock import RETRY_DELAY
from .common import ResponseSupportCase

REPORTED = "2026-03-02 02:00:00"
DUE = "2026-03-02 02:16:00"  # past 50 % of the 30-minute response clocks
LATE = "2026-03-02 02:31:00"  # past their deadline (02:30): breached
# queries a warning may cost in a pass, and what the pass costs whatever its size
QUERIES_PER_WARNING = 5
QUERIES_PER_PASS = 80


@tagged("post_install", "-at_install")
class TestSlaWarningBatch(ResponseSupportCase):
    """The warnings of a scheduler pass are posted in bulk: one chatter entry per
    ticket and warning, with the text and recipients the per-warning path gives
    them, in a few queries per warning."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Clock = cls.env["response.support.sla.clock"]
        cls.level_24 = cls._create_7x24_level("Batch 7x24")
        cls.contract.phase_ids.write({"sla_level_id": cls.level_24.id})
        # an engineer who works in Odoo (inbox); engineer_user is notified by e-mail
        cls.inbox_user = cls._create_engineer(
            "rs_engineer_inbox", name="Inbox Engineer", notification_type="inbox"
        )
        cls.team_software.user_ids = [(4, cls.inbox_user.id)]
        cls.team_software.user_id = cls.manager_user
        cls.note = cls.env.ref("mail.mt_note")

    def _tickets(self, count, user):
        tickets = self.env["helpdesk.ticket"]
        with freeze_time(REPORTED):
            for _i in range(count):
                tickets |= self._create_ticket(
                    reported_date=REPORTED,
                    user_id=user.id,
                    team_id=self.team_software.id,
                )
        return tickets

    def _pass(self, moment=DUE):
        with freeze_time(moment):
            return self.Clock._cron_check_sla()

    def _one_by_one(self):
        """The scheduler posting each warning on its own (message_post), as it
        did before warnings were batched."""
        return patch.object(
            type(self.Clock), "_batch_sla_warnings", lambda self: nullcontext()
        )

    def _warnings(self, tickets, text="SLA warning"):
        return (
            self.env["mail.message"]
            .search(
                [
                    ("model", "=", "helpdesk.ticket"),
                    ("res_id", "in", tickets.ids),
                    ("body", "ilike", text),
                ]
            )
            .sorted("id")
        )

    def _notified(self, message):
        return {
            (n.res_partner_id, n.notification_type)
            for n in self.env["mail.notification"].search(
                [("mail_message_id", "=", message.id)]
            )
        }

    def _response(self, ticket):
        return ticket.sla_clock_ids.filtered(lambda c: c.kind == "response")

    # ------------------------------------------------------------ what is posted

    def test_a_pass_posts_one_note_per_warning_to_its_assignee(self):
        inbox = self._tickets(3, self.inbox_user)
        email = self._tickets(2, self.engineer_user)
        # a follower of the notes of one ticket hears of its warning only
        inbox[0].message_subscribe(
            partner_ids=self.desk_user.partner_id.ids, subtype_ids=self.note.ids
        )
        self._pass()
        messages = self._warnings(inbox | email)
        self.assertEqual(len(messages), 5, "one note per ticket")
        for ticket in inbox | email:
            message = messages.filtered(lambda m, t=ticket: m.res_id == t.id)
            self.assertEqual(len(message), 1)
            clock = self._response(ticket)
            self.assertIn(clock, clock.search([("fired_threshold_ids", "!=", False)]))
            self.assertIn(
                f"<p>SLA warning: {ticket.number} Response has used 50% of its "
                "target of 30 working minutes; deadline ",
                message.body,
            )
            self.assertIn(format_datetime(self.env, clock.deadline), message.body)
            self.assertEqual(message.message_type, "notification")
            self.assertEqual(message.subtype_id, self.note)
            self.assertEqual(message.author_id, self.env.user.partner_id)
            self.assertEqual(message.partner_ids, ticket.user_id.partner_id)
            self.assertEqual(
                message.parent_id,
                ticket.message_ids.sorted("id")[:1],
                "in the ticket's thread, under its first message",
            )
        for ticket in inbox:
            message = messages.filtered(lambda m, t=ticket: m.res_id == t.id)
            expected = {(self.inbox_user.partner_id, "inbox")}
            if ticket == inbox[0]:
                expected.add((self.desk_user.partner_id, "email"))
            self.assertEqual(self._notified(message), expected)
            self.assertTrue(message.with_user(self.inbox_user).needaction)
        for ticket in email:
            message = messages.filtered(lambda m, t=ticket: m.res_id == t.id)
            self.assertEqual(
                self._notified(message), {(self.engineer_user.partner_id, "email")}
            )
            self.assertEqual(
                message.mail_ids.recipient_ids, self.engineer_user.partner_id
            )

    def test_batched_notes_are_those_posted_one_by_one(self):
        """Same text, author, thread, recipients and notifications as when each
        warning is posted with message_post."""
        self._compare_with_one_by_one(DUE, "SLA warning")

    def test_batched_breach_notes_are_those_posted_one_by_one(self):
        """A pass after the deadline: the breach note (to whom the superseded
        50 % warning would have gone) as message_post posts it."""
        self._compare_with_one_by_one(LATE, "SLA breached")

    def _compare_with_one_by_one(self, moment, text):
        fields_compared = [
            "message_type",
            "subtype_id",
            "author_id",
            "email_from",
            "reply_to",
            "record_company_id",
            "record_alias_domain_id",
            "is_internal",
            "email_add_signature",
        ]
        results = []
        for one_by_one in (True, False):
            tickets = self._tickets(2, self.inbox_user) | self._tickets(
                1, self.engineer_user
            )
            tickets[0].message_subscribe(
                partner_ids=self.desk_user.partner_id.ids, subtype_ids=self.note.ids
            )
            with self._one_by_one() if one_by_one else nullcontext():
                self._pass(moment)
            result = []
            notes = self._warnings(tickets, text)
            for ticket, message in zip(tickets, notes, strict=True):
                self.assertEqual(message.res_id, ticket.id)
                result.append(
                    {
                        "body": message.body.replace(ticket.number, "#"),
                        "record_name": message.record_name.replace(ticket.number, "#"),
                        "parent": message.parent_id == ticket.message_ids[-1:],
                        "partners": message.partner_ids,
                        "notified": self._notified(message),
                        **{name: message[name] for name in fields_compared},
                    }
                )
            results.append(result)
        self.assertEqual(results[0], results[1])

    def test_channel_events_are_queued_per_warning(self):
        channel = (
            self.env["response.support.notify.channel"]
            .with_user(self.manager_user)
            .create(
                {
                    "name": "Batch WeCom",
                    "kind": "wecom",
                    "webhook_url": "http://127.0.0.1:9/wecom/send?access_token=T",
                    "min_interval_ms": 0,
                    "route_ids": [
                        (
                            0,
                            0,
                            {"event": "sla_warning", "team_id": self.team_software.id},
                        )
                    ],
                }
            )
        )
        tickets = self._tickets(3, self.inbox_user)
        self._pass()
        queued = self.env["response.support.notification"].search(
            [("channel_id", "=", channel.id)]
        )
        self.assertEqual(queued.ticket_id, tickets)
        for ticket in tickets:
            body = queued.filtered(lambda n, t=ticket: n.ticket_id == t).body
            self.assertIn(
                f"{ticket.number} Response has used 50% of its target of 30 working "
                "minutes.",
                body,
            )
            self.assertIn("Working time left: 0 h 14 min", body)

    def test_inbox_bus_messages_are_those_of_message_post(self):
        """The live inbox update: one bus message per warning to its assignee,
        shaped as message_post sends it (one message, its thread, its author)."""
        Users = type(self.env["res.users"])
        original = Users._bus_send
        sent = []

        def capture(user, notification_type, message, **kwargs):
            if notification_type == "mail.message/inbox":
                sent.append((user, message))
            return original(user, notification_type, message, **kwargs)

        shapes = []
        for one_by_one in (True, False):
            tickets = self._tickets(2, self.inbox_user)
            sent.clear()
            with (
                patch.object(Users, "_bus_send", capture),
                self._one_by_one() if one_by_one else nullcontext(),
            ):
                self._pass()
            warnings = self._warnings(tickets)
            self.assertEqual([user for user, _p in sent], [self.inbox_user] * 2)
            shape = []
            for (_user, payload), message in zip(sent, warnings, strict=True):
                [entry] = payload["mail.message"]
                self.assertEqual(entry["id"], message.id)
                self.assertEqual(entry["body"], message.body)
                self.assertTrue(entry["needaction"])
                [thread] = payload["mail.thread"]
                self.assertEqual(
                    (thread["model"], thread["id"]), (message.model, message.res_id)
                )
                shape.append(
                    {
                        "models": sorted(payload),
                        "message": sorted(entry),
                        "thread": sorted(thread),
                    }
                )
            shapes.append(shape)
        self.assertEqual(shapes[0], shapes[1])

    # ------------------------------------------------------------ isolation

    def test_a_failing_warning_does_not_lose_the_others(self):
        tickets = self._tickets(3, self.inbox_user)
        bad = tickets[1]
        Ticket = type(bad)
        body = Ticket._get_sla_warning_body

        def failing(self, clock, threshold):
            if self == bad:
                raise ValueError("bad ticket")
            return body(self, clock, threshold)

        with (
            patch.object(Ticket, "_get_sla_warning_body", failing),
            self.assertLogs(
                "odoo.addons.response_support.models.response_support_sla_clock",
                "WARNING",
            ),
        ):
            self._pass()
        self.assertEqual(self._warnings(tickets).mapped("res_id"), (tickets - bad).ids)
        self.assertFalse(self._response(bad).fired_threshold_ids, "to be sent again")
        self.assertEqual(
            self._response(bad).next_check,
            fields.Datetime.to_datetime(DUE) + RETRY_DELAY,
        )
        self.assertTrue((tickets - bad).sla_clock_ids.fired_threshold_ids)

    # ------------------------------------------------------------ cost

    def _pass_queries(self, count, moment=DUE, text="SLA warning"):
        tickets = self._tickets(count, self.inbox_user)
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        self._pass(moment)
        self.env.flush_all()
        queries = self.env.cr.sql_log_count - before
        self.assertEqual(len(self._warnings(tickets, text)), count)
        return queries

    def test_a_pass_costs_a_few_queries_per_breach(self):
        queries = self._pass_queries(50, LATE, "SLA breached")
        self.assertLessEqual(
            queries,
            QUERIES_PER_WARNING * 50 + QUERIES_PER_PASS,
            "50 breaches in one pass",
        )

    def test_a_pass_costs_a_few_queries_per_warning(self):
        queries = self._pass_queries(50)
        self.assertLessEqual(
            queries,
            QUERIES_PER_WARNING * 50 + QUERIES_PER_PASS,
            "50 warnings in one pass",
        )
