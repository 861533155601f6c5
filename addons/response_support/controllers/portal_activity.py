import binascii

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

ACTIVITY_MODEL = "response.support.activity"
SERVICE_FORM_REPORT = "response_support.response_support_activity_report"


class ResponseSupportActivityPortal(CustomerPortal):
    """The customer's visits and remote sessions on the portal: their service
    forms, legacy issues, and the signature of the on-site service form."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "support_activity_count" in counters:
            Activity = request.env[ACTIVITY_MODEL]
            values["support_activity_count"] = (
                Activity.search_count([]) if Activity.has_access("read") else 0
            )
        return values

    def _get_portal_activity(self, activity_id, access_token=None):
        """The activity, sudoed, once the portal user's access to it was checked
        (record rules: their organisation's activities only)."""
        return self._document_check_access(
            ACTIVITY_MODEL, activity_id, access_token=access_token
        )

    @http.route(["/my/support"], type="http", auth="user", website=True)
    def portal_my_support_activities(self, **kw):
        # the portal user's own rights and rules select the activities
        activities = request.env[ACTIVITY_MODEL].search([])
        values = self._prepare_portal_layout_values()
        values.update({"activities": activities, "page_name": "support_activity"})
        return request.render("response_support.portal_my_support_activities", values)

    @http.route(
        ["/my/support/<int:activity_id>"], type="http", auth="public", website=True
    )
    def portal_my_support_activity(self, activity_id, access_token=None, **kw):
        try:
            activity_sudo = self._get_portal_activity(activity_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            activity_sudo,
            access_token,
            {"activity": activity_sudo, "page_name": "support_activity"},
            "my_support_activities_history",
            False,
        )
        return request.render("response_support.portal_my_support_activity", values)

    @http.route(
        ["/my/support/<int:activity_id>/form"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_support_activity_form(self, activity_id, access_token=None, **kw):
        try:
            activity_sudo = self._get_portal_activity(activity_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._show_report(
            model=activity_sudo,
            report_type="pdf",
            report_ref=SERVICE_FORM_REPORT,
            download=True,
        )

    @http.route(
        ["/my/support/<int:activity_id>/sign"], type="json", auth="public", website=True
    )
    def portal_support_activity_sign(
        self, activity_id, access_token=None, name=None, signature=None
    ):
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            activity_sudo = self._get_portal_activity(activity_id, access_token)
        except (AccessError, MissingError):
            return {"error": request.env._("Invalid support activity.")}
        if not activity_sudo._can_be_signed_on_portal():
            return {
                "error": request.env._(
                    "This activity does not await the customer's signature."
                )
            }
        if not signature or not name:
            return {"error": request.env._("Your name and signature are needed.")}
        try:
            # sudo: access to this very activity was checked just above
            activity_sudo.write({"signature": signature, "signed_by": name})
        except (TypeError, binascii.Error):
            return {"error": request.env._("Invalid signature data.")}
        activity_sudo.message_post(
            body=request.env._("Service form signed by %(name)s.", name=name),
            author_id=request.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return {
            "force_refresh": True,
            "redirect_url": activity_sudo.get_portal_url(),
            "signed_on": fields.Datetime.to_string(activity_sudo.signed_on),
        }
