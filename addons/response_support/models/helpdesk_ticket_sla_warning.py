from markupsafe import escape

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.misc import format_datetime

from odoo.addons.mail.tools.discuss import Store

from .response_support_sla_clock import current_sla_warning_batch

# inbox messages formatted together for the bus (see _notify_notes_by_inbox)
BUS_CHUNK = 50


class HelpdeskTicket(models.Model):
    """SLA warnings and breaches on the ticket (§4.1 ⑦ escalation control): what a
    warning threshold's action does (``_sla_action_<action>``, a hook for new
    actions), who it tells, and the one breach note. The scheduler that decides
    when is ``response.support.sla.clock``."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _post_sla_warning(self, clock, threshold, partners):
        """The warning note of ``clock`` reaching ``threshold``, to ``partners``:
        in a scheduler pass it is collected and posted with the others of the
        pass (``_post_sla_warnings``), else at once."""
        self.ensure_one()
        batch = current_sla_warning_batch()
        if batch is None:
            self._post_sla_warning_now(clock, threshold, partners)
        else:
            batch.warnings.append((self, clock, threshold, partners))

    def _get_sla_warning_body(self, clock, threshold):
        """The warning note, in the desk's language."""
        self.ensure_one()
        desk = self._desk_env()  # the scheduler writes it for the desk to read
        return desk._(
            "SLA warning: %(clock)s has used %(percent)s%% of its target of "
            "%(minutes)s working minutes; deadline %(deadline)s.",
            clock=clock.with_env(desk).display_name,
            percent=threshold.percent,
            minutes=clock.target_minutes,
            deadline=format_datetime(desk, clock.deadline) if clock.deadline else "-",
        )

    def _post_sla_warning_now(self, clock, threshold, partners):
        """One warning posted on its own (``message_post`` and its notifications)."""
        self._post_sla_note_now(self._get_sla_warning_body(clock, threshold), partners)

    def _post_sla_note_now(self, body, partners):
        """A system note of the SLA (warning or breach) posted on its own, as
        ``_message_post_notes_batch`` posts those of a scheduler pass."""
        self.ensure_one()
        self.message_post(
            body=body,
            message_type="notification",
            subtype_xmlid="mail.mt_note",
            partner_ids=partners.ids,
        )

    @api.model
    def _post_sla_warnings(self, warnings):
        """Post the notes of a scheduler pass, ``[(ticket, clock, threshold,
        partners)]`` (threshold False: the clock's breach note): one note per
        warning or breach on its ticket, as ``_post_sla_note_now`` posts each,
        in a few queries for the whole pass."""
        return self._message_post_notes_batch(
            [
                (
                    ticket,
                    ticket._get_sla_warning_body(clock, threshold)
                    if threshold
                    else ticket._get_sla_breach_body(clock),
                    partners,
                )
                for ticket, clock, threshold, partners in warnings
            ]
        )

    def _sla_warning_partners(self, action):
        """Who a warning of ``action`` notifies (hook for new actions); a breach
        that supersedes warnings notifies them too."""
        self.ensure_one()
        if action == "notify_assignee":
            return self.user_id.partner_id or self.team_id.user_ids.partner_id
        if action == "notify_manager":
            return self.team_id.user_id.partner_id | self._get_managers().partner_id
        if action == "escalate":
            return self._get_managers().partner_id
        return self.env["res.partner"]

    def _sla_action_notify_assignee(self, clock, threshold):
        self._post_sla_warning(
            clock, threshold, self._sla_warning_partners(threshold.action)
        )

    def _sla_action_notify_manager(self, clock, threshold):
        self._post_sla_warning(
            clock, threshold, self._sla_warning_partners(threshold.action)
        )

    def _sla_action_escalate(self, clock, threshold):
        self._post_sla_warning(
            clock, threshold, self._sla_warning_partners(threshold.action)
        )
        desk = self._desk_env()
        reason = desk._(
            "%(clock)s reached %(percent)s%% of its SLA target.",
            clock=clock.with_env(desk).display_name,
            percent=threshold.percent,
        )
        batch = current_sla_warning_batch()
        if batch is None:
            self._escalate(reason, trigger="sla")
        else:  # after its warning note, as when posted at once
            batch.after.append(lambda: self._escalate(reason, trigger="sla"))

    def _on_sla_breach(self, clock, superseded=None):
        """The clock was breached, found by the scheduler or at completion: one
        note, to those the ``superseded`` warnings (not sent before the breach)
        would have notified; if one of them escalates and the clock still runs,
        the ticket is escalated. In a scheduler pass the note is posted with the
        pass's warnings, the escalation after it."""
        self.ensure_one()
        superseded = superseded or self.env["response.support.sla.threshold"]
        partners = self.env["res.partner"]
        for action in set(superseded.mapped("action")):
            partners |= self._sla_warning_partners(action)
        batch = current_sla_warning_batch()
        if batch is None:
            self._post_sla_note_now(self._get_sla_breach_body(clock), partners)
        else:
            batch.warnings.append((self, clock, False, partners))
        if "escalate" in superseded.mapped("action") and not clock.done_date:
            desk = self._desk_env()
            reason = desk._(
                "%(clock)s breached its SLA target.",
                clock=clock.with_env(desk).display_name,
            )
            if batch is None:
                self._escalate(reason, trigger="sla")
            else:  # after its breach note, as when posted at once
                batch.after.append(lambda: self._escalate(reason, trigger="sla"))

    def _get_sla_breach_body(self, clock):
        """The breach note, in the desk's language."""
        self.ensure_one()
        desk = self._desk_env()  # the scheduler writes it for the desk to read
        return desk._(
            "SLA breached: %(clock)s passed its deadline %(deadline)s.",
            clock=clock.with_env(desk).display_name,
            deadline=format_datetime(desk, clock.deadline),
        )

    # ------------------------------------------------------------ notes in bulk

    @api.model
    def _message_post_notes_batch(self, items):
        """Post one note per ``(ticket, body, partners)`` of ``items``, each its
        own chatter entry, as ``message_post(body=body, message_type=
        "notification", subtype_xmlid="mail.mt_note", partner_ids=partners.ids)``
        posts it (same author, parent, reply-to, recipients and inbox
        notifications), but in a few queries whatever their number: the values
        every message shares are computed once for all tickets, the messages
        created in one ``create`` and notified by ``_notify_notes_batch``."""
        Message = self.env["mail.message"]
        if not items:
            return Message
        tickets = self.browse(list(dict.fromkeys(ticket.id for ticket, *_x in items)))
        tickets = tickets._fallback_lang()
        author_id, email_from = tickets._message_compute_author(
            None, None, raise_on_email=True
        )
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        # the same defaults message_post computes per record, for all at once
        alias_domains = tickets.sudo()._mail_get_alias_domains(
            default_company=self.env.company
        )
        companies = tickets._mail_get_companies(default=self.env.company)
        reply_to = tickets._notify_get_reply_to(default=email_from)
        parents = tickets._get_first_message_ids()
        names = {ticket.id: ticket.display_name for ticket in tickets.sudo()}
        vals_list = []
        for ticket, body, partners in items:
            vals_list.append(
                {
                    "email_add_signature": True,
                    "record_name": names[ticket.id],
                    "author_id": author_id,
                    "author_guest_id": False,
                    "email_from": email_from,
                    "model": self._name,
                    "res_id": ticket.id,
                    "body": escape(body),
                    "message_type": "notification",
                    "parent_id": parents.get(ticket.id, False),
                    "subject": False,
                    "subtype_id": subtype_id,
                    "partner_ids": partners.ids,
                    "record_alias_domain_id": alias_domains[ticket.id].id,
                    "record_company_id": companies[ticket.id].id,
                    "reply_to": reply_to[ticket.id],
                    "attachment_ids": [],
                }
            )
        messages = tickets._message_create(vals_list)
        # a thread without messages yet: its first note is the parent of the next
        # ones, as when message_post posts them one after the other
        firsts = {}
        for message, vals in zip(messages, vals_list, strict=True):
            if vals["parent_id"]:
                continue
            first = firsts.setdefault(vals["res_id"], message.id)
            if first != message.id:
                message.parent_id = vals["parent_id"] = first
        for message, vals in zip(messages, vals_list, strict=True):
            tickets.browse(vals["res_id"])._message_post_after_hook(message, vals)
        tickets._notify_notes_batch(messages, vals_list)
        return messages

    def _get_first_message_ids(self):
        """{ticket id: id of its first message}: the parent message_post gives a
        new message of a flat thread, for all these tickets in one query."""
        if not self._mail_flat_thread or not self:
            return {}
        self.env["mail.message"].flush_model(["model", "res_id", "message_type"])
        self.env.cr.execute(
            SQL(
                """SELECT res_id, min(id) FROM mail_message
                    WHERE model = %s AND res_id = ANY(%s)
                      AND message_type != 'user_notification'
                 GROUP BY res_id""",
                self._name,
                self.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def _notify_notes_batch(self, messages, vals_list):
        """Notify ``messages`` (created from ``vals_list``, notes on these tickets)
        as ``_notify_thread`` notifies each: its partners and the followers of the
        note subtype, but the author; inbox notifications in one ``create`` and
        their bus messages, e-mails and web pushes for the recipients who have
        them (e-mails are rendered per message, as ``message_post`` does)."""
        Followers = self.env["mail.followers"]
        subtype_ids = {vals["subtype_id"] for vals in vals_list}
        followers = {}
        for subtype_id in subtype_ids:
            for res_id, data in Followers._get_recipient_data(
                self, "notification", subtype_id
            ).items():
                followers.setdefault(subtype_id, {})[res_id] = data
        pids = {pid for vals in vals_list for pid in vals["partner_ids"]}
        partners_data = (
            Followers._get_recipient_data(None, "notification", False, pids=pids)[0]
            if pids
            else {}
        )
        # whether a partner named on a note follows its ticket (only followers of
        # the note subtype come with the first query)
        following = (
            {
                (follower.res_id, follower.partner_id.id)
                for follower in Followers.sudo().search_fetch(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", self.ids),
                        ("partner_id", "in", list(pids)),
                    ],
                    ["res_id", "partner_id"],
                )
            }
            if pids
            else set()
        )
        notify_author = self.env.context.get("mail_notify_author")
        recipients_list = []
        for vals in vals_list:
            res_id = vals["res_id"]
            data = dict(followers.get(vals["subtype_id"], {}).get(res_id, {}))
            for pid in vals["partner_ids"]:
                if pid not in data and pid in partners_data:
                    data[pid] = dict(
                        partners_data[pid], is_follower=(res_id, pid) in following
                    )
            author = False
            if not notify_author:
                author = (
                    self.env.user.partner_id.id
                    if self.env.user.active
                    else vals["author_id"]
                )
            recipients_list.append(
                [
                    pdata
                    for pid, pdata in data.items()
                    if not (pid and pid == author) and pdata["active"] is not False
                ]
            )
        self._notify_notes_by_inbox(messages, vals_list, recipients_list)
        for message, vals, recipients in zip(
            messages, vals_list, recipients_list, strict=True
        ):
            if any(r["notif"] == "email" for r in recipients):
                self.browse(vals["res_id"])._notify_thread_by_email(
                    message, recipients, msg_vals=vals
                )
        push_pids = {r["id"] for recipients in recipients_list for r in recipients}
        if push_pids and self.env["mail.push.device"].sudo().search_count(
            [("partner_id", "in", list(push_pids))], limit=1
        ):
            for message, vals, recipients in zip(
                messages, vals_list, recipients_list, strict=True
            ):
                self.browse(vals["res_id"])._notify_thread_by_web_push(
                    message, recipients, msg_vals=vals
                )

    def _notify_notes_by_inbox(self, messages, vals_list, recipients_list):
        """``_notify_thread_by_inbox`` for many messages: their inbox
        notifications in one ``create``, then one bus message per user and
        message, as the web client expects them."""
        notif_vals = []
        users_messages = {}
        for message, vals, recipients in zip(
            messages, vals_list, recipients_list, strict=True
        ):
            for recipient in sorted(
                (r for r in recipients if r["notif"] == "inbox"), key=lambda r: r["id"]
            ):
                notif_vals.append(
                    {
                        "author_id": vals["author_id"],
                        "mail_message_id": message.id,
                        "notification_status": "sent",
                        "notification_type": "inbox",
                        "res_partner_id": recipient["id"],
                    }
                )
                if recipient["uid"]:
                    users_messages.setdefault(recipient["uid"], []).append(
                        (message, vals)
                    )
                    user = self.env["res.users"].browse(recipient["uid"])
                    self.env.cache.insert_missing(
                        user, user._fields["partner_id"], [recipient["id"]]
                    )
        if not notif_vals:
            return
        # sudo: mail.notification - creating notifications is the purpose of
        # notify methods (as in _notify_thread_by_inbox)
        self.env["mail.notification"].sudo().create(notif_vals)
        users = self.env["res.users"].browse(list(users_messages))
        # sudo: mail.followers - the followers of the users, sent to them in batch
        followers = (
            self.env["mail.followers"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("partner_id", "in", users.partner_id.ids),
                ],
                ["res_model", "res_id", "partner_id"],
            )
        )
        followers_by_res_id = {}
        for follower in followers:
            followers_by_res_id.setdefault(follower.res_id, []).append(follower.id)
        for user in users:
            pairs = users_messages[user.id]
            for offset in range(0, len(pairs), BUS_CHUNK):
                chunk = pairs[offset : offset + BUS_CHUNK]
                chunk_messages = (
                    self.env["mail.message"]
                    .browse([message.id for message, _vals in chunk])
                    .with_user(user)
                    .with_context(allowed_company_ids=[])
                )
                chunk_followers = followers.browse(
                    [
                        fid
                        for res_id in set(chunk_messages.mapped("res_id"))
                        for fid in followers_by_res_id.get(res_id, [])
                    ]
                )
                for payload in self._split_inbox_store(
                    Store(
                        chunk_messages,
                        msg_vals={"scheduled_date": False},
                        for_current_user=True,
                        add_followers=True,
                        followers=chunk_followers,
                    ).get_result()
                ):
                    user._bus_send("mail.message/inbox", payload)

    @api.model
    def _split_inbox_store(self, result):
        """The inbox bus messages of a Store of several messages, one per message
        as the web client reads them (it takes a payload's first message): its
        message and thread, and the records they share (authors, followers)."""
        for message in result.get("mail.message", []):
            payload = dict(result, **{"mail.message": [message]})
            payload["mail.thread"] = [
                thread
                for thread in result.get("mail.thread", [])
                if (thread.get("model"), thread.get("id"))
                == (message.get("model"), message.get("res_id"))
            ]
            yield payload
