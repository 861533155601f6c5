from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController

from ..models.response_support_priority_matrix import IMPACTS, URGENCIES


class ResponseSupportTicketController(HelpdeskTicketController):
    """The portal "new ticket" form also asks for the system, impact and urgency;
    closing a ticket from the portal is checked against the user's access."""

    @http.route("/ticket/close", type="http", auth="user", methods=["POST"])
    def support_ticket_close(self, **kw):
        """Replaces helpdesk_mgmt's route, which writes the posted stage through
        sudo() on whatever ticket id is posted (OCA/helpdesk#1089). Here the user
        must be allowed to read the ticket (404 otherwise, so ids cannot be probed)
        and the stage must be one of the closing stages its portal page offers
        (403 otherwise)."""
        ticket = self._get_portal_ticket(kw.get("ticket_id"))
        if not ticket.closed:  # a page left open may post twice: no-op then
            stage_id = kw.get("stage_id") or ""
            stage = self._get_portal_close_stages(ticket).filtered(
                lambda s: str(s.id) == stage_id
            )
            if not stage:
                raise Forbidden()
            # sudo() is safe: the user may read this ticket (checked with their own
            # rights above) and the stage is one the portal offers them; portal
            # users have no write access on tickets, so the write needs it
            ticket.sudo().stage_id = stage
        # 302 like helpdesk_mgmt's route, which integrations and its tests expect
        return request.redirect(f"/my/ticket/{ticket.id}", code=302)

    def _get_portal_ticket(self, ticket_id):
        """The ticket of a posted id, if it exists and the current user may read it
        with their own rights; NotFound otherwise."""
        ticket_id = ticket_id or ""
        ticket = request.env["helpdesk.ticket"]
        if ticket_id.isdigit():
            ticket = ticket.browse(int(ticket_id)).exists()
        if not ticket or not ticket.has_access("read"):
            raise NotFound()
        return ticket

    def _get_portal_close_stages(self, ticket):
        """Stages a customer may close ``ticket`` to: those its portal page shows.
        sudo() only reads the team's stage configuration of a ticket the user was
        allowed to read (portal users may not read every team)."""
        stages = ticket.sudo().team_id._get_applicable_stages()
        return stages.filtered("close_from_portal")

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
