from werkzeug.exceptions import Forbidden, NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk

from ..models.response_support_followup import SATISFACTION
from ..models.response_support_priority_matrix import IMPACTS, URGENCIES

# longest ticket title a customer may type on the portal: a title names the
# problem, the details go in the description
TITLE_MAX_LENGTH = 200
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


def has_nul(values):
    """Whether a request parameter holds a NUL character, which the database
    refuses to store or search."""
    return any(isinstance(value, str) and "\x00" in value for value in values)


class ResponseSupportTicketController(HelpdeskTicketController):
    """The portal "new ticket" form also asks for the system, impact and urgency
    and answers bad input with the form and what to correct; closing a ticket
    from the portal is checked against the user's access."""

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
        # 302 like helpdesk_mgmt's route, which integrations and its tests expect
        return request.redirect(f"/my/ticket/{ticket.id}", code=302)

    @http.route("/ticket/followup", type="http", auth="user", methods=["POST"])
    def support_ticket_followup(self, **kw):
        """The customer answers the follow-up of their resolved ticket on the
        portal: "solved" (with their satisfaction) or "not solved" (with their
        words, which reopen it to its engineer)."""
        ticket = self._get_portal_ticket(kw.get("ticket_id"))
        if not request.env.user._is_portal():
            raise Forbidden()  # the desk records its calls in the back office
        answer = kw.get("answer")
        satisfaction = kw.get("satisfaction") or False
        if answer not in ("solved", "not_solved") or (
            satisfaction and satisfaction not in dict(SATISFACTION)
        ):
            raise Forbidden()
        words = (kw.get("words") or "").strip()
        if has_nul([words]):
            raise UserError(
                request.env._(
                    "Your comments contain a character that cannot be stored."
                )
            )
        if answer == "not_solved" and not words:
            raise UserError(
                request.env._("Tell us what is still wrong, so that we can resume.")
            )
        # sudo() is safe: the customer may read this ticket (checked with their own
        # rights above), the answer and satisfaction are among those offered, and
        # portal users cannot write tickets or follow-ups themselves
        if ticket.sudo().followup_state == "pending":
            ticket.sudo()._portal_confirm(
                answer == "solved", satisfaction=satisfaction, words=words
            )
        return request.redirect(f"/my/ticket/{ticket.id}", code=302)

    def _portal_close(self, ticket, stage):
        """A customer closes their ticket. sudo() is safe: the user may read this
        ticket (checked with their own rights) and the stage is one the portal
        offers them; portal users have no write access on tickets, so the write
        needs it. A ticket the desk is still recording gets a plain sentence, not
        the desk's intake checklist."""
        in_intake = ticket.sudo().stage_id.unattended
        if (
            not in_intake
            and ticket.response_support_process
            and not stage.intake_exempt
        ):
            # the customer confirms the solution (/ticket/followup); the desk
            # closes after that confirmation: the sudo() write below must not
            raise UserError(
                request.env._(
                    "Once your request is resolved, confirm the solution on this "
                    "page; our service desk then closes it."
                )
            )
        try:
            ticket.sudo().stage_id = stage
        except UserError as error:
            if not in_intake or isinstance(error, AccessError | ValidationError):
                raise
            raise UserError(
                request.env._(
                    "Our service desk is still recording your request; you can "
                    "close it once it is being handled."
                )
            ) from error

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

    # ------------------------------------------------------------------ new ticket

    @http.route(
        "/submitted/ticket",
        type="http",
        auth="user",
        website=True,
        csrf=True,
        methods=["POST"],
    )
    def submit_ticket(self, **kw):
        """A POST with the CSRF token only (a link must create nothing); bad
        input renders the form again with what to correct, and nothing is
        stored."""
        errors = self._get_submit_ticket_errors(kw)
        if errors:
            values = self._get_create_new_ticket_values(**kw)
            values.update(error_messages=errors, submitted=kw)
            return request.render(
                "helpdesk_mgmt.portal_create_ticket", values, status=400
            )
        return super().submit_ticket(**kw)

    def _get_submit_ticket_errors(self, kw):
        """What the customer must correct in a posted ticket form, as translated
        sentences (empty when the form is right)."""
        _ = request.env._
        files = request.httprequest.files.getlist("attachment")
        if has_nul(kw.values()) or has_nul(f.filename for f in files):
            return [
                _(
                    "Your request contains a character that cannot be stored (NUL). "
                    "Remove it and send the form again."
                )
            ]
        errors = []
        subject = (kw.get("subject") or "").strip()
        if not subject:
            errors.append(_("Give your request a subject."))
        elif len(subject) > TITLE_MAX_LENGTH:
            errors.append(
                _(
                    "The subject is too long: keep it within %(max)s characters and "
                    "put the details in the description.",
                    max=TITLE_MAX_LENGTH,
                )
            )
        if not (kw.get("description") or "").strip():
            errors.append(_("Describe your request."))
        company = request.env.company
        errors += self._check_posted_choice(
            kw.get("category"),
            # helpdesk_mgmt takes a posted category even when the form shows none
            request.env["helpdesk.ticket.category"].search(
                [("show_in_portal", "=", True)]
            ),
            company.helpdesk_mgmt_portal_category_id_required
            and company.helpdesk_mgmt_portal_select_category,
            _("Choose a category from the list."),
        )
        errors += self._check_posted_choice(
            kw.get("team"),
            self._get_teams(),
            company.helpdesk_mgmt_portal_team_id_required
            and company.helpdesk_mgmt_portal_select_team,
            _("Choose a team from the list."),
        )
        errors += self._check_posted_choice(
            kw.get("system"),
            self._get_portal_systems(),
            False,
            _("Choose one of your organisation's systems from the list."),
        )
        if kw.get("impact") and kw["impact"] not in dict(IMPACTS):
            errors.append(_("Choose who is affected from the list."))
        if kw.get("urgency") and kw["urgency"] not in dict(URGENCIES):
            errors.append(_("Choose how urgent it is from the list."))
        return errors

    def _check_posted_choice(self, value, offered, required, message):
        """[message] when the posted ``value`` is not the id of one of the
        ``offered`` records (or is missing while ``required``), else []."""
        if not value:
            return [message] if required else []
        if parse_record_id(value) not in offered.ids:
            return [message]
        return []

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        values.update(
            systems=self._get_portal_systems(),
            impacts=self._selection_labels("impact"),
            urgencies=self._selection_labels("urgency"),
            title_max_length=TITLE_MAX_LENGTH,
            error_messages=[],
            submitted={},
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
        """Values of a posted form that _get_submit_ticket_errors() accepted: the
        ids and selection values are known to be offered to this user."""
        vals = super()._prepare_submit_ticket_vals(**kw)
        vals["name"] = (kw.get("subject") or "").strip()
        if kw.get("system"):
            vals["system_id"] = parse_record_id(kw["system"])
        for name in ("impact", "urgency"):
            if kw.get(name):
                vals[name] = kw[name]
        vals["reporter_role"] = "user"
        return vals


class ResponseSupportCustomerPortal(CustomerPortalHelpdesk):
    """The customer's ticket list and ticket page answer bad parameters with a
    4xx and a sentence, never a server error."""

    @http.route()
    def portal_my_tickets(self, page=1, **kw):
        self._check_ticket_list_options(page=page, **kw)
        response = super().portal_my_tickets(page=page, **kw)
        # helpdesk_mgmt's "All" filter is a code term of its own (see below)
        filters = response.qcontext.get("searchbar_filters") or {}
        if "all" in filters:
            filters["all"] = dict(filters["all"], label=request.env._("All"))
        return response

    def _check_ticket_list_options(self, **options):
        """UserError (Odoo answers 400 with its message) naming the options of
        the ticket list that are not among those the page offers."""
        wrong = [
            name
            for name, value in options.items()
            if isinstance(value, str) and "\x00" in value
        ]
        choices = {
            "sortby": self._ticket_get_searchbar_sortings(),
            "groupby": self._ticket_get_searchbar_groupby(),
            "search_in": self._ticket_get_searchbar_inputs(),
        }
        for name, offered in choices.items():
            if options.get(name) and options[name] not in offered:
                wrong.append(name)
        filterby = options.get("filterby")
        if filterby and filterby != "all":
            stages = request.env["helpdesk.ticket.stage"].search([])
            if parse_record_id(filterby) not in stages.ids:
                wrong.append("filterby")
        for name in ("date_begin", "date_end"):
            if options.get(name) and not self._is_datetime(options[name]):
                wrong.append(name)
        if not parse_record_id(options["page"]):
            wrong.append("page")
        if wrong:
            raise UserError(
                request.env._(
                    "This list of tickets cannot be shown with these options: "
                    "%(options)s. Use the sort, filter and search menus of the page.",
                    options=", ".join(sorted(set(wrong))),
                )
            )

    # helpdesk_mgmt's labels of the list's menus are code terms of helpdesk_mgmt,
    # which Odoo translates only from helpdesk_mgmt's own po files (it has no
    # zh_CN, and code terms are never read from another module's i18n_extra):
    # the page shows the ticket's field labels (model terms, translated by our
    # i18n_extra) and our own sentences, translated in our zh_CN.po

    def _ticket_get_searchbar_sortings(self):
        label = self._ticket_field_labels()
        return self._relabel(
            super()._ticket_get_searchbar_sortings(),
            {
                "date": request.env._("Newest"),
                "name": label["name"],
                "stage": label["stage_id"],
                "update": label["last_stage_update"],
            },
        )

    def _ticket_get_searchbar_groupby(self):
        label = self._ticket_field_labels()
        return self._relabel(
            super()._ticket_get_searchbar_groupby(),
            {
                "none": request.env._("None"),
                "category": label["category_id"],
                "stage": label["stage_id"],
            },
        )

    def _ticket_get_searchbar_inputs(self):
        _ = request.env._
        return self._relabel(
            super()._ticket_get_searchbar_inputs(),
            {
                "all": _("Search in All"),
                "number": _("Search in Number"),
                "name": _("Search in Title"),
            },
        )

    @staticmethod
    def _ticket_field_labels():
        fields_info = request.env["helpdesk.ticket"].fields_get(
            ["name", "stage_id", "category_id", "last_stage_update"], ["string"]
        )
        return {name: info["string"] for name, info in fields_info.items()}

    @staticmethod
    def _relabel(options, labels):
        """``options`` (a searchbar's choices) with the labels of ``labels``
        for the keys it names; other options keep their own."""
        for key, label in labels.items():
            if key in options:
                options[key] = dict(options[key], label=label)
        return options

    @staticmethod
    def _is_datetime(value):
        try:
            return bool(fields.Datetime.to_datetime(value))
        except ValueError:
            return False

    @http.route()
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        """A ticket that does not exist is a 404; one that is not the user's
        still sends them to their portal home, as helpdesk_mgmt does. sudo() only
        tells whether the id exists: nothing of the ticket is read or shown."""
        if (
            ticket_id > MAX_RECORD_ID
            or not request.env["helpdesk.ticket"].sudo().browse(ticket_id).exists()
        ):
            raise NotFound()
        return super().portal_my_ticket(ticket_id, access_token=access_token, **kw)
