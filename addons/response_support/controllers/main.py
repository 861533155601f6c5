from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController

from ..models.response_support_priority_matrix import IMPACTS, URGENCIES

# largest id of a PostgreSQL integer column: a larger number is no record
MAX_RECORD_ID = 2**31 - 1


def parse_record_id(value):
    """The record id a request parameter names, or None when it names none
    (not ASCII digits, zero, or beyond the database's range)."""
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_RECORD_ID else None


class ResponseSupportTicketController(HelpdeskTicketController):
    """The portal "new ticket" form also asks for the system, impact and urgency;
    closing a ticket from the portal is checked against the user's access."""

    @http.route("/ticket/close", type="http", auth="user", methods=["POST"])
    def support_ticket_close(self, **kw):
        """Replaces helpdesk_mgmt's route, which writes the posted stage through
        sudo() on whatever ticket id is posted (OCA/helpdesk#1089). Here the user
        must be allowed to read the ticket (404 otherwise, so ids cannot be probed)
        and the stage must be one of the closing stages its portal page offers
        (403 otherwise). Internal users write with their own rights (an engineer
        does not close); only portal users get the checked sudo()."""
        ticket = self._get_portal_ticket(kw.get("ticket_id"))
        if not ticket.closed:  # a page left open may post twice: no-op then
            stage_id = parse_record_id(kw.get("stage_id"))
            stage = self._get_portal_close_stages(ticket).filtered(
                lambda s: s.id == stage_id
            )
            if not stage:
                raise Forbidden()
            if request.env.user._is_portal():
                self._portal_close(ticket, stage)
            else:
                ticket.stage_id = stage
        return request.redirect(f"/my/ticket/{ticket.id}")

    def _portal_close(self, ticket, stage):
        """A customer closes their ticket. sudo() is safe: the user may read this
        ticket (checked with their own rights) and the stage is one the portal
        offers them; portal users have no write access on tickets, so the write
        needs it."""
        ticket.sudo().stage_id = stage

    def _get_portal_ticket(self, ticket_id):
        """The ticket of a posted id, if it exists and the current user may read it
        with their own rights; NotFound otherwise."""
        record_id = parse_record_id(ticket_id)
        ticket = request.env["helpdesk.ticket"]
        if record_id:
            ticket = ticket.browse(record_id).exists()
        if not ticket or not ticket.has_access("read"):
            raise NotFound()
        return ticket

    def _get_portal_close_stages(self, ticket):
        """Stages a customer may close ``ticket`` to: those its portal page shows.
        sudo() only reads the team's stage configuration of a ticket the user was
        allowed to read (portal users may not read every team)."""
        stages = ticket.sudo().team_id._get_applicable_stages()
        return stages.filtered("close_from_portal")

    @http.route(
        "/submitted/ticket",
        type="http",
        auth="user",
        website=True,
        csrf=True,
        methods=["POST"],
    )
    def submit_ticket(self, **kw):
        """A POST with the CSRF token only: a link (a GET) must create nothing."""
        return super().submit_ticket(**kw)

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        values.update(
            systems=self._get_portal_systems(),
            impacts=self._selection_labels("impact"),
            urgencies=self._selection_labels("urgency"),
        )
        return values

    def _get_portal_systems(self):
        """Systems of the portal user's own organisation only. sudo() is safe here:
        the domain is fixed to the logged-in user's commercial partner, and portal
        users have no read access to systems of their own."""
        partner = request.env.user.partner_id.commercial_partner_id
        return (
            request.env["response.support.system"]
            .sudo()
            .search([("partner_id", "=", partner.id)])
        )

    def _selection_labels(self, field_name):
        field = request.env["helpdesk.ticket"]._fields[field_name]
        return field._description_selection(request.env)

    def _prepare_submit_ticket_vals(self, **kw):
        vals = super()._prepare_submit_ticket_vals(**kw)
        system_id = kw.get("system") or ""
        if system_id.isdigit():
            # never trust the posted id: keep it only if it is one of the user's systems
            system = self._get_portal_systems().filtered(
                lambda s: s.id == int(system_id)
            )
            if system:
                vals["system_id"] = system.id
        if kw.get("impact") in dict(IMPACTS):
            vals["impact"] = kw["impact"]
        if kw.get("urgency") in dict(URGENCIES):
            vals["urgency"] = kw["urgency"]
        vals["reporter_role"] = "user"
        return vals
