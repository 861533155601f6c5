from odoo import api, fields, models, tools

from .response_support_article import (
    SEARCH_TEXT_LENGTH,
    plain_text,
)

# how many articles and related tickets a ticket suggests
SUGGESTION_LIMIT = 5
# the closest titles ranked by system and catalog entry (index-ordered, bounded)
SIMILAR_TICKET_CANDIDATES = 100
# lowest trigram similarity of two ticket titles (titles compare with titles:
# higher than for articles, which keeps the candidates few among many tickets)
TICKET_SIMILARITY_THRESHOLD = 0.3


class HelpdeskTicket(models.Model):
    """Knowledge at intake and handling (§5.1, §4.3): the articles and the
    earlier tickets that look like this one (same system or catalog entry,
    similar title and description), ranked in SQL by trigram similarity; which
    article solved it and which tickets are related; an article written from a
    resolved ticket."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    article_ids = fields.Many2many(
        "response.support.article",
        relation="helpdesk_ticket_article_rel",
        column1="ticket_id",
        column2="article_id",
        string="Solved With Articles",
        groups="base.group_user",
    )
    related_ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        relation="helpdesk_ticket_related_rel",
        column1="ticket_id",
        column2="related_id",
        string="Related Tickets",
        groups="base.group_user",
    )
    suggested_article_ids = fields.Many2many(
        "response.support.article",
        string="Suggested Articles",
        compute="_compute_suggestions",
        groups="base.group_user",
    )
    suggested_ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        string="Similar Tickets",
        compute="_compute_suggestions",
        groups="base.group_user",
    )

    def init(self):
        """The trigram index of the similar-ticket search: GiST, which returns the
        closest titles first (a GIN index only filters: with many similar titles
        every match was scored and sorted, 2.7 s at 200,000 tickets,
        bench/RESULTS.md §10)."""
        result = super().init()
        if self.env.registry.has_trigram:
            self.env.cr.execute("DROP INDEX IF EXISTS helpdesk_ticket_name_lower_trgm")
            tools.sql.create_index(
                self.env.cr,
                "helpdesk_ticket_name_lower_trgm_gist",
                self._table,
                ["lower(name) gist_trgm_ops"],
                method="gist",
            )
        return result

    @api.depends("name", "description", "system_id", "catalog_id")
    def _compute_suggestions(self):
        Article = self.env["response.support.article"]
        for ticket in self:
            if not ticket.id:
                ticket.suggested_article_ids = Article
                ticket.suggested_ticket_ids = self.browse()
                continue
            ticket.suggested_article_ids = Article._search_similar(
                ticket._get_suggestion_text(),
                title=ticket.name,
                catalog=ticket.catalog_id,
                systems=ticket.system_id,
                limit=SUGGESTION_LIMIT,
            )
            ticket.suggested_ticket_ids = ticket._search_similar_tickets()

    def _get_suggestion_text(self):
        """What the suggestions compare: the title and the start of the
        description (hook)."""
        self.ensure_one()
        return f"{self.name or ''} {plain_text(self.description)}"[:SEARCH_TEXT_LENGTH]

    def _search_similar_tickets(self, limit=SUGGESTION_LIMIT, title=None):
        """Other tickets with a similar title (``title``, default this ticket's),
        of the same system (or catalog entry) only, closest titles first; one
        query on the trigram index of the titles, then the user's record rules."""
        self.ensure_one()
        title = ((self.name or "") if title is None else title).lower()
        query, params = self._get_similar_tickets_sql(title, limit * 3)
        if not query:
            return self.browse()
        self.flush_model(["name", "company_id", "system_id", "catalog_id"])
        self.env["response.support.article"]._set_trigram_threshold(
            "pg_trgm.similarity_threshold", TICKET_SIMILARITY_THRESHOLD
        )
        self.env.cr.execute(query, params)
        ids = [row[0] for row in self.env.cr.fetchall()]
        allowed = set(self.search([("id", "in", ids)]).ids)
        return self.browse([i for i in ids if i in allowed][:limit])

    def _get_similar_tickets_sql(self, title, limit):
        """(query, parameters) of _search_similar_tickets, or (None, None) (hook).
        The candidates are the tickets of the same system (or, without one, of
        the same catalog entry): related events are the system's. The GiST
        index gives the closest titles first (``<->``), so the query stays flat
        however many similar titles the desk has; the same catalog entry then
        ranks these candidates. A constant query string: the trigram operator
        ``%`` cannot be written inside odoo.tools.SQL; every value is a
        parameter (some may be hidden by the record rules: ask for more)."""
        self.ensure_one()
        if not title.strip() or not self.env.registry.has_trigram:
            return None, None
        query = """
            SELECT c.id
              FROM (SELECT t.id, t.catalog_id,
                           similarity(lower(t.name), %(title)s) AS score
                      FROM helpdesk_ticket t
                     WHERE lower(t.name) %% %(title)s
                       AND t.id != %(id)s
                       AND t.company_id IN %(companies)s
                       AND (%(system)s IS NULL OR t.system_id = %(system)s)
                       AND (%(system)s IS NOT NULL OR %(catalog)s IS NULL
                            OR t.catalog_id = %(catalog)s)
                  ORDER BY lower(t.name) <-> %(title)s
                     LIMIT %(candidates)s) c
          ORDER BY c.score
                   + CASE WHEN c.catalog_id = %(catalog)s THEN 0.1 ELSE 0 END DESC,
                   c.id DESC
             LIMIT %(limit)s
        """
        return query, {
            "title": title,
            "id": self.id or 0,
            "companies": tuple(self.env.companies.ids),
            "system": self.system_id.id or None,
            "catalog": self.catalog_id.id or None,
            "candidates": SIMILAR_TICKET_CANDIDATES,
            "limit": limit,
        }

    def action_create_knowledge_article(self):
        """A draft article from this resolved ticket, pre-filled from its
        symptom, handling result and cause."""
        self.ensure_one()
        self._check_resolution_recorded()
        article = self.env["response.support.article"].create(
            self._prepare_article_vals()
        )
        self.write({"article_ids": [(4, article.id)]})
        return {
            "type": "ir.actions.act_window",
            "res_model": "response.support.article",
            "res_id": article.id,
            "view_mode": "form",
            "target": "current",
        }

    def _prepare_article_vals(self):
        self.ensure_one()
        return {
            "name": self.name,
            "symptom": self.description,
            "cause": self.resolution_cause,
            "solution": self.resolution,
            "catalog_id": self.catalog_id.id,
            "system_ids": [(6, 0, self.system_id.ids)],
            "source_ticket_id": self.id,
            "company_id": self.company_id.id,
        }

    def action_mark_related(self):
        """Link the similar ticket of the context to this one (both ways)."""
        self.ensure_one()
        other = self.browse(self.env.context.get("active_ticket_id"))
        if other and other != self:
            other.write({"related_ticket_ids": [(4, self.id)]})
            self.write({"related_ticket_ids": [(4, other.id)]})
        return True
