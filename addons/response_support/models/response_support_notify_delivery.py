from odoo import fields, models


class ResponseSupportNotifyDelivery(models.Model):
    """One HTTP call to a channel: the message (one or several merged events),
    whether the service took it, and its answer. Written by the system only."""

    _name = "response.support.notify.delivery"
    _description = "Notification Delivery"
    _order = "date desc, id desc"
    _rec_name = "title"

    channel_id = fields.Many2one(
        "response.support.notify.channel",
        required=True,
        ondelete="cascade",
        index=True,
    )
    kind = fields.Selection(related="channel_id.kind")
    company_id = fields.Many2one(
        related="channel_id.company_id", store=True, index=True
    )
    date = fields.Datetime(required=True, index=True)
    state = fields.Selection(
        [("sent", "Sent"), ("failed", "Failed")], required=True, index=True
    )
    title = fields.Char()
    status_code = fields.Integer(string="HTTP Status")
    answer = fields.Text(help="The service's answer, as received.")
    error = fields.Text()
    notification_ids = fields.Many2many(
        "response.support.notification",
        relation="response_support_notification_delivery_rel",
        column1="delivery_id",
        column2="notification_id",
        string="Events",
    )
    event_count = fields.Integer(compute="_compute_event_count", string="Events Sent")

    def _compute_event_count(self):
        for delivery in self:
            delivery.event_count = len(delivery.notification_ids)
