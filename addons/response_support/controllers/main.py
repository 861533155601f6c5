from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController

from ..models.helpdesk_ticket import IMPACTS, URGENCIES


class ResponseSupportTicketController(HelpdeskTicketController):
    """The portal "new ticket" form also asks for the system, impact and urgency."""

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
