import threading
from datetime import timedelta

from odoo import api, fields, models

from .response_support_notify_route import NOTIFY_EVENTS


class ResponseSupportNotification(models.Model):
    """Outbox of the notification channels: one event for one channel, written in
    the transaction of the event (so a save or the SLA scheduler never waits for a
    chat service, and nothing is lost on a restart), delivered by
    ``_cron_deliver`` with retries and exponential back-off."""

    _name = "response.support.notification"
    _description = "Queued Notification"
    _order = "id desc"
    _rec_name = "title"

    channel_id = fields.Many2one(
        "response.support.notify.channel",
        required=True,
        ondelete="cascade",
        index=True,
    )
    ticket_id = fields.Many2one("helpdesk.ticket", ondelete="cascade", index=True)
    company_id = fields.Many2one(
        related="channel_id.company_id", store=True, index=True
    )
    team_id = fields.Many2one(related="ticket_id.team_id")
    event = fields.Selection(NOTIFY_EVENTS, required=True)
    title = fields.Char(required=True)
    body = fields.Text(help="The event's lines, in the team's language.")
    url = fields.Char(string="Link")
    lang = fields.Char(string="Language")
    state = fields.Selection(
        [("queued", "Queued"), ("sent", "Sent"), ("failed", "Failed")],
        default="queued",
        required=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt_date = fields.Datetime(
        default=fields.Datetime.now, required=True, index=True
    )
    sent_date = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True)
    delivery_ids = fields.Many2many(
        "response.support.notify.delivery",
        relation="response_support_notification_delivery_rel",
        column1="notification_id",
        column2="delivery_id",
        string="Deliveries",
    )

    # ------------------------------------------------------------------ texts

    def _get_text(self):
        """The event as the channel's message text (markdown where the service
        renders it, plain text for Feishu)."""
        self.ensure_one()
        lines = [self.body or ""]
        if self.url:
            if self.channel_id.kind == "feishu":
                lines.append(self.url)
            else:
                lines.append(f"[{self.ticket_id.display_name or self.url}]({self.url})")
        return "\n".join(line for line in lines if line)

    def _compose(self):
        """(title, text) of one message carrying these events: the event itself,
        or a summary title and one section per event."""
        if len(self) == 1:
            return self.title, self._get_text()
        first = self[:1]
        counts = {}
        for notification in self:
            counts[notification.event] = counts.get(notification.event, 0) + 1
        labels = dict(
            self._fields["event"]._description_selection(
                self.with_context(lang=first.lang).env
            )
        )
        title = self.with_context(lang=first.lang).env._(
            "%(count)s events: %(detail)s",
            count=len(self),
            detail=", ".join(f"{labels[e]} × {n}" for e, n in counts.items()),
        )
        text = "\n\n".join(
            f"{'**' if first.channel_id.kind != 'feishu' else ''}{n.title}"
            f"{'**' if first.channel_id.kind != 'feishu' else ''}\n{n._get_text()}"
            for n in self
        )
        return title, text

    # ------------------------------------------------------------------ actions

    def action_requeue(self):
        """Send the selected notifications again at the next delivery run (after
        the manager fixed the channel)."""
        self.check_access("write")
        self.filtered(lambda n: n.state != "queued" or n.attempts).write(
            {
                "state": "queued",
                "attempts": 0,
                "next_attempt_date": fields.Datetime.now(),
            }
        )
        return True

    # ------------------------------------------------------------------ states

    def _mark_sent(self, now):
        self.write({"state": "sent", "sent_date": now, "last_error": False})
        for notification in self:
            notification.attempts += 1

    def _mark_failed(self, now, error):
        """Back-off: retry after retry_delay × 2^(attempts-1); give up after
        max_attempts."""
        for notification in self:
            channel = notification.channel_id
            attempts = notification.attempts + 1
            vals = {"attempts": attempts, "last_error": error}
            if attempts >= channel.max_attempts:
                vals["state"] = "failed"
            else:
                delay = channel.retry_delay * 2 ** (attempts - 1)
                vals["next_attempt_date"] = now + timedelta(seconds=delay)
            notification.write(vals)

    # ------------------------------------------------------------------ queue

    @api.model
    def _due_domain(self, now):
        return [
            ("state", "=", "queued"),
            ("next_attempt_date", "<=", now),
            ("channel_id.active", "=", True),
        ]

    @api.model
    def _cron_deliver(self, limit=2000, commit=None):
        """Deliver the due notifications, channel by channel, merged and within
        each channel's rate limit; idempotent (a sent notification is never sent
        again); one failing message does not stop the others."""
        now = fields.Datetime.now()
        domain = self._due_domain(now)
        due = self.search(domain, order="next_attempt_date, id", limit=limit)
        if commit is None:  # commit each message, except in tests
            commit = not getattr(threading.current_thread(), "testing", False)
        done = 0
        for channel, notifications in due.grouped("channel_id").items():
            done += channel._deliver(notifications, now, commit=commit)
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done
