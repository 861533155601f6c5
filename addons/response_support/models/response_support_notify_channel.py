import base64
import hashlib
import hmac
import logging
import time
from datetime import timedelta
from urllib.parse import quote_plus

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

CHANNEL_KINDS = [
    ("wecom", "WeCom Group Robot"),
    ("dingtalk", "DingTalk Custom Robot"),
    ("feishu", "Feishu/Lark Custom Bot"),
]
# The services' published limits for one robot (messages per minute), read on:
# - WeCom, 群机器人配置说明 (developer.work.weixin.qq.com/document/path/91770):
#   "每个机器人发送的消息不能超过20条/分钟"; markdown content at most 4096 bytes;
# - DingTalk, 自定义机器人接入 (open.dingtalk.com/document/robots/custom-robot-access):
#   "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟", and it
#   advises merging monitoring alerts into one markdown summary;
# - Feishu, 自定义机器人使用指南 (open.feishu.cn/document/client-docs/bot-v3/
#   add-custom-bot): 100 requests per minute and 5 per second per bot, request
#   body at most 20 KB.
RATE_LIMITS = {"wecom": 20, "dingtalk": 20, "feishu": 100}
MIN_INTERVALS_MS = {"wecom": 0, "dingtalk": 0, "feishu": 200}
MAX_BYTES = {"wecom": 3800, "dingtalk": 18000, "feishu": 18000}


class ResponseSupportNotifyChannel(models.Model):
    """A group robot of a chat service (WeCom, DingTalk, Feishu/Lark) the desk posts
    SLA warnings, breaches, escalations, emergencies and complaints to. Messages
    are queued (``response.support.notification``) and delivered by a cron, merged
    per channel within the service's rate limit; each HTTP call is logged
    (``response.support.notify.delivery``).

    The signing secret is write-only: the form never shows it back (the stored
    value is readable by system administrators only, and used through sudo by the
    delivery)."""

    _name = "response.support.notify.channel"
    _description = "Notification Channel"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    kind = fields.Selection(
        CHANNEL_KINDS, string="Service", required=True, default="dingtalk"
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        required=True,
        tracking=True,
        help="The robot's webhook address as the chat service shows it when the "
        "robot is added to the group.",
    )
    secret = fields.Char(
        compute="_compute_secret",
        inverse="_inverse_secret",
        string="Signing Secret",
        help="DingTalk 加签 secret (SEC…) or Feishu signature secret. It is never "
        "shown back: type a new one to replace it, leave empty to keep it.",
    )
    secret_value = fields.Char(copy=False, groups="base.group_system")
    secret_masked = fields.Char(
        compute="_compute_secret_masked", string="Stored Secret"
    )
    route_ids = fields.One2many(
        "response.support.notify.route", "channel_id", string="Routes"
    )
    batch_enabled = fields.Boolean(
        string="Merge Messages",
        default=True,
        help="Several queued events are sent as one message (at most Events per "
        "Message), so that a storm of warnings stays within the service's rate "
        "limit.",
    )
    batch_max = fields.Integer(string="Events per Message", default=20)
    rate_limit = fields.Integer(
        string="Messages per Minute",
        compute="_compute_rate_limit",
        store=True,
        readonly=False,
        help="The service's published limit per robot; 0 means no limit.",
    )
    min_interval_ms = fields.Integer(
        string="Minimum Interval (ms)",
        compute="_compute_min_interval_ms",
        store=True,
        readonly=False,
        help="Pause between two messages of this channel (Feishu: at most 5 per "
        "second).",
    )
    timeout = fields.Float(string="Timeout (s)", default=10.0)
    max_attempts = fields.Integer(
        default=6, help="Attempts before a message is given up as failed."
    )
    retry_delay = fields.Integer(
        string="First Retry After (s)",
        default=60,
        help="Delay before the first retry; it doubles after each failure.",
    )
    failure_threshold = fields.Integer(
        string="Flag After Failures",
        default=3,
        help="Consecutive failed deliveries after which the channel is flagged to "
        "the technical support managers.",
    )
    consecutive_failures = fields.Integer(readonly=True, copy=False)
    failing = fields.Boolean(readonly=True, copy=False, tracking=True)
    last_error = fields.Text(readonly=True, copy=False)
    delivery_ids = fields.One2many(
        "response.support.notify.delivery", "channel_id", string="Deliveries"
    )
    queued_count = fields.Integer(compute="_compute_queued_count")

    # ------------------------------------------------------------------ computes

    def _compute_secret(self):
        for channel in self:
            channel.secret = False  # write-only: never read back

    def _inverse_secret(self):
        for channel in self.filtered("secret"):
            # the caller passed the write access check of the channel (managers
            # only); the stored value itself is hidden from them
            channel.sudo().secret_value = channel.secret.strip()

    @api.depends("secret")
    def _compute_secret_masked(self):
        # masked display of the stored secret, see _inverse_secret
        for channel, secret in zip(self, self._get_secrets(), strict=True):
            if not secret:
                channel.secret_masked = False
            else:
                channel.secret_masked = "•" * 8 + (
                    secret[-4:] if len(secret) >= 12 else ""
                )

    @api.depends("kind")
    def _compute_rate_limit(self):
        for channel in self:
            channel.rate_limit = RATE_LIMITS.get(channel.kind, 20)

    @api.depends("kind")
    def _compute_min_interval_ms(self):
        for channel in self:
            channel.min_interval_ms = MIN_INTERVALS_MS.get(channel.kind, 0)

    def _compute_queued_count(self):
        counts = dict(
            self.env["response.support.notification"]._read_group(
                [("channel_id", "in", self.ids), ("state", "=", "queued")],
                ["channel_id"],
                ["__count"],
            )
        )
        for channel in self:
            channel.queued_count = counts.get(channel, 0)

    # ------------------------------------------------------------------ actions

    def action_clear_secret(self):
        self.check_access("write")
        # see _inverse_secret
        self.sudo().secret_value = False
        return True

    def action_send_test(self):
        """Send a test message now and tell the manager the service's answer."""
        self.ensure_one()
        self.check_access("write")
        delivery = self._send(
            self.env._("Test message"),
            self.env._("Test message from %(name)s.", name=self.env.company.name),
            self.env["response.support.notification"],
        )
        if delivery.state != "sent":
            raise UserError(
                self.env._(
                    "The test message was refused: %(error)s. Check the webhook URL "
                    "and the secret.",
                    error=delivery.error,
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Test message sent."),
            },
        }

    def action_reset_failures(self):
        self.check_access("write")
        self.write({"consecutive_failures": 0, "failing": False})
        return True

    # ------------------------------------------------------------------ delivery

    def _get_secrets(self):
        # the delivery and the masked display read the hidden value, see
        # _inverse_secret
        return [channel.sudo().secret_value or "" for channel in self]

    def _get_send_budget(self, now):
        """How many messages the channel may still send in the minute before
        ``now`` (its rate limit minus the deliveries of that minute)."""
        self.ensure_one()
        if not self.rate_limit:
            return None
        recent = self.env["response.support.notify.delivery"].search_count(
            [("channel_id", "=", self.id), ("date", ">", now - timedelta(minutes=1))]
        )
        return max(self.rate_limit - recent, 0)

    def _split_batches(self, notifications):
        """The queued notifications grouped into messages: one each, or merged up
        to ``batch_max`` events and the service's size limit."""
        self.ensure_one()
        if not self.batch_enabled or self.batch_max <= 1:
            return [notification for notification in notifications]
        limit = MAX_BYTES.get(self.kind, 4000)
        batches, current, size = [], notifications.browse(), 0
        for notification in notifications:
            length = len(notification._get_text().encode())
            if current and (len(current) >= self.batch_max or size + length > limit):
                batches.append(current)
                current, size = notifications.browse(), 0
            current |= notification
            size += length
        if current:
            batches.append(current)
        return batches

    def _deliver(self, notifications, now, commit=False):
        """Send the channel's due notifications within its rate limit; what the
        budget does not allow stays queued for the next run."""
        self.ensure_one()
        budget = self._get_send_budget(now)
        batches = self._split_batches(notifications)
        if budget is not None:
            batches = batches[:budget]
        last = None
        for batch in batches:
            if last is not None and self.min_interval_ms:
                wait = self.min_interval_ms / 1000.0 - (time.monotonic() - last)
                if wait > 0:
                    time.sleep(wait)  # the service's per-second limit (Feishu 5/s)
            last = time.monotonic()
            try:
                with self.env.cr.savepoint():
                    title, text = batch._compose()
                    self._send(title, text, batch)
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the run
                # logged with its traceback and recorded on the notifications,
                # which are retried later like a refused delivery
                _logger.exception("Notification channel %s could not deliver", self.id)
                batch._mark_failed(now, repr(exc))
            if commit:
                # what was sent is recorded at once: a crash later in the run
                # neither loses it nor sends it twice
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return sum(len(batch) for batch in batches)

    def _send(self, title, text, notifications):
        """POST one message, record the delivery and its effect on the
        notifications and the channel; returns the delivery."""
        self.ensure_one()
        now = fields.Datetime.now()
        url, payload = self._prepare_request(title, text)
        status, answer, error = False, False, False
        try:
            response = requests.post(url, json=payload, timeout=self.timeout or 10)
            status, answer = response.status_code, response.text[:4000]
            error = self._check_answer(response)
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivery = (
            self.env["response.support.notify.delivery"]
            .sudo()  # the log is written by the system, see the delivery model
            .create(
                {
                    "channel_id": self.id,
                    "date": now,
                    "state": "failed" if error else "sent",
                    "status_code": status,
                    "answer": answer,
                    "error": error,
                    "title": title,
                    "notification_ids": [(6, 0, notifications.ids)],
                }
            )
        )
        if error:
            _logger.warning(
                "Notification channel %s: delivery failed: %s", self.id, error
            )
            notifications._mark_failed(now, error)
            self._on_failure(error)
        else:
            notifications._mark_sent(now)
            if self.consecutive_failures or self.failing:
                self._on_recovery()
        return delivery

    @api.model
    def _check_answer(self, response):
        """The service's refusal as text, or False when it accepted the message.
        WeCom and DingTalk answer {"errcode": 0}, Feishu {"code": 0} (older
        versions: {"StatusCode": 0}), even on HTTP 200 for a refusal."""
        if response.status_code != 200:
            return self.env._(
                "HTTP %(status)s: %(answer)s",
                status=response.status_code,
                answer=response.text[:500],
            )
        try:
            answer = response.json()
        except ValueError:
            return self.env._(
                "Unreadable answer: %(answer)s", answer=response.text[:500]
            )
        code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
        if code:
            message = answer.get("errmsg") or answer.get("msg") or ""
            return self.env._(
                "Refused by the service (code %(code)s): %(message)s",
                code=code,
                message=message,
            )
        return False

    def _on_failure(self, error):
        self.ensure_one()
        failures = self.consecutive_failures + 1
        vals = {"consecutive_failures": failures, "last_error": error}
        flag = (
            not self.failing
            and self.failure_threshold
            and failures >= self.failure_threshold
        )
        if flag:
            vals["failing"] = True
        # bookkeeping of the delivery, which runs as whoever triggered it
        self.sudo().write(vals)
        if flag:
            self._flag_failing(error)

    def _on_recovery(self):
        self.ensure_one()
        was_failing = self.failing
        self.sudo().write({"consecutive_failures": 0, "failing": False})
        if was_failing:
            self.sudo().message_post(
                body=self.env._("The channel delivers again."),
                subtype_xmlid="mail.mt_note",
            )

    def _flag_failing(self, error):
        """Tell the technical support managers that the channel keeps failing:
        a note on the channel and a to-do for each of them."""
        self.ensure_one()
        managers = self.env["helpdesk.ticket"]._get_managers()
        summary = self.env._(
            "Notification channel %(channel)s keeps failing",
            channel=self.display_name,
        )
        note = self.env._(
            "%(count)s deliveries in a row failed; the last answer: %(error)s. Check "
            "the webhook URL and the secret, then send a test message.",
            count=self.consecutive_failures,
            error=error,
        )
        channel = self.sudo()  # see _on_failure
        channel.message_post(body=note, subtype_xmlid="mail.mt_note")
        for manager in managers:
            channel.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=manager.id,
                summary=summary,
                note=note,
            )

    # ------------------------------------------------------------------ formats

    def _prepare_request(self, title, text):
        """(url, JSON body) of one message in the service's format, signed."""
        self.ensure_one()
        payload = getattr(self, f"_prepare_payload_{self.kind}")(title, text)
        return self._sign_request(self.webhook_url, payload)

    def _prepare_payload_wecom(self, title, text):
        # markdown message: {"msgtype": "markdown", "markdown": {"content": …}}
        return {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}

    def _prepare_payload_dingtalk(self, title, text):
        # markdown message: title is what the notification preview shows
        return {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": f"#### {title}\n\n{text}"},
        }

    def _prepare_payload_feishu(self, title, text):
        # rich-text ("post") message; the language key follows the team's language
        lang = "zh_cn" if (self.env.lang or "").startswith("zh") else "en_us"
        lines = [[{"tag": "text", "text": line}] for line in text.split("\n") if line]
        return {
            "msg_type": "post",
            "content": {"post": {lang: {"title": title, "content": lines}}},
        }

    def _sign_request(self, url, payload):
        """Add the service's signature when the channel has a secret.

        DingTalk 加签: HMAC-SHA256 keyed with the secret over "timestamp\\nsecret"
        (timestamp in milliseconds), base64, URL-encoded, as ``timestamp`` and
        ``sign`` query parameters. Feishu: HMAC-SHA256 keyed with
        "timestamp\\nsecret" over an empty message (timestamp in seconds), base64,
        as ``timestamp`` and ``sign`` in the JSON body. WeCom robots do not sign
        (the key is in the URL)."""
        self.ensure_one()
        secret = self._get_secrets()[0]
        if not secret or self.kind == "wecom":
            return url, payload
        if self.kind == "dingtalk":
            timestamp = str(int(time.time() * 1000))
            sign = sign_dingtalk(secret, timestamp)
            separator = "&" if "?" in url else "?"
            return (
                f"{url}{separator}timestamp={timestamp}&sign={quote_plus(sign)}",
                payload,
            )
        timestamp = str(int(time.time()))
        return url, dict(
            payload, timestamp=timestamp, sign=sign_feishu(secret, timestamp)
        )


def sign_dingtalk(secret, timestamp):
    string_to_sign = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_feishu(secret, timestamp):
    key = f"{timestamp}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
