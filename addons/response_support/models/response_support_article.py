from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from .helpdesk_ticket_access import has_private_flag, private_flag

# the article fields a revision keeps
CONTENT_FIELDS = ("name", "symptom", "cause", "solution")
# longest text the trigram similarity compares (title, keywords, start of the symptom)
SEARCH_TEXT_LENGTH = 400
# the few words the trigram index matches: a ticket's title, a portal search;
# an article's title and keywords
TITLE_LENGTH = 100
# lowest word similarity (pg_trgm.word_similarity_threshold) of those words to
# some stretch of an article's title and keywords: high enough for the GIN
# index to keep few candidates among many articles (bench/bench_knowledge.py),
# low enough for a reworded title
WORD_SIMILARITY_THRESHOLD = 0.5


def plain_text(html, length=SEARCH_TEXT_LENGTH):
    return tools.html2plaintext(html or "")[:length] if html else ""


class ResponseSupportArticle(models.Model):
    """A knowledge article (知识库, §4.3, §5.2 (4)): the symptom, cause and
    solution of a known problem, for a catalog entry and systems. Written by an
    engineer (often from a resolved ticket), reviewed, then published by a
    reviewer or the manager; customer-visible articles appear on the portal.
    Suggested on tickets by trigram similarity in SQL (pg_trgm works on the
    characters of Chinese text as on English words)."""

    _name = "response.support.article"
    _description = "Knowledge Article"
    _inherit = ["mail.thread"]
    _order = "use_count desc, id desc"

    name = fields.Char(string="Title", required=True, tracking=True)
    symptom = fields.Html()
    cause = fields.Html()
    solution = fields.Html()
    catalog_id = fields.Many2one(
        "response.support.catalog", string="Service Catalog", tracking=True, index=True
    )
    system_ids = fields.Many2many(
        "response.support.system",
        relation="response_support_article_system_rel",
        string="Systems",
    )
    versions = fields.Char(string="Applies to Versions", tracking=True)
    keywords = fields.Char(tracking=True)
    author_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, tracking=True
    )
    reviewer_id = fields.Many2one("res.users", tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("review", "In Review"),
            ("published", "Published"),
            ("archived", "Archived"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    customer_visible = fields.Boolean(
        string="Visible to Customers",
        tracking=True,
        help="Published on the customer portal; otherwise internal only.",
    )
    source_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="From Ticket", readonly=True, index=True
    )
    ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        relation="helpdesk_ticket_article_rel",
        column1="article_id",
        column2="ticket_id",
        string="Tickets Solved With It",
    )
    use_count = fields.Integer(
        string="Used", compute="_compute_use_count", store=True, readonly=True
    )
    revision_ids = fields.One2many(
        "response.support.article.revision", "article_id", string="Revisions"
    )
    search_text = fields.Text(compute="_compute_search_text", store=True)
    search_title = fields.Char(compute="_compute_search_text", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.depends("ticket_ids")
    def _compute_use_count(self):
        for article in self:
            article.use_count = len(article.ticket_ids)

    @api.depends("name", "keywords", "symptom")
    def _compute_search_text(self):
        for article in self:
            article.search_title = " ".join(
                filter(None, [article.name, article.keywords])
            ).lower()[:TITLE_LENGTH]
            article.search_text = " ".join(
                filter(
                    None,
                    [article.name, article.keywords, plain_text(article.symptom)],
                )
            ).lower()[:SEARCH_TEXT_LENGTH]

    def init(self):
        """The trigram index of the suggestions (pg_trgm, trusted: created with
        the database by Odoo, or here by its owner): on the titles and keywords,
        short texts whose similarity is cheap to check (the whole search text
        only ranks the few articles found)."""
        if not self.env.registry.has_trigram:
            return
        tools.sql.create_index(
            self.env.cr,
            "response_support_article_search_title_trgm",
            self._table,
            ["search_title gin_trgm_ops"],
            method="gin",
        )
        # the index of the first release, on the whole search text
        tools.sql.drop_index(
            self.env.cr, "response_support_article_search_text_trgm", self._table
        )

    # ------------------------------------------------------------------ CRUD

    def write(self, vals):
        if "state" in vals and not has_private_flag("article_state"):
            raise AccessError(
                self.env._(
                    "An article changes state through its buttons (submit, publish, "
                    "archive)."
                )
            )
        if set(CONTENT_FIELDS) & set(vals):
            # the revision log is the system's: whoever may edit the article
            # keeps its previous content
            self.env["response.support.article.revision"].sudo().create(
                [article._prepare_revision_vals() for article in self]
            )
        return super().write(vals)

    def _prepare_revision_vals(self):
        self.ensure_one()
        vals = {name: self[name] for name in CONTENT_FIELDS}
        vals.update(article_id=self.id, company_id=self.company_id.id)
        return vals

    # ------------------------------------------------------------------ workflow

    def _set_state(self, state):
        with private_flag("article_state"):
            self.write({"state": state})

    def action_submit_review(self):
        for article in self:
            if not article.reviewer_id:
                raise UserError(
                    self.env._(
                        "Choose the reviewer of article %(article)s before "
                        "submitting it.",
                        article=article.display_name,
                    )
                )
        self.filtered(lambda a: a.state == "draft")._set_state("review")

    def action_publish(self):
        """The manager, or the article's reviewer, publishes it."""
        is_manager = self.env.user.has_group(
            "response_support.group_response_support_manager"
        )
        for article in self:
            if article.state != "review":
                raise UserError(
                    self.env._(
                        "Article %(article)s must be in review before it is "
                        "published.",
                        article=article.display_name,
                    )
                )
            if not (is_manager or article.reviewer_id == self.env.user):
                raise AccessError(
                    self.env._(
                        "Only the reviewer of article %(article)s or a technical "
                        "support manager publishes it.",
                        article=article.display_name,
                    )
                )
        self._set_state("published")

    def action_back_to_draft(self):
        self._set_state("draft")

    def action_archive_article(self):
        if not self.env.user.has_group(
            "response_support.group_response_support_manager"
        ):
            raise AccessError(
                self.env._("Only a technical support manager archives articles.")
            )
        self._set_state("archived")

    def action_use_on_ticket(self):
        """ "Solved with this article" on the ticket of the context."""
        self.ensure_one()
        ticket = self.env["helpdesk.ticket"].browse(
            self.env.context.get("active_ticket_id")
        )
        if ticket:
            ticket.write({"article_ids": [(4, self.id)]})
        return True

    # ------------------------------------------------------------------ search

    @api.model
    def _search_similar_ids(
        self,
        text,
        title=None,
        catalog=None,
        systems=None,
        customer_visible=False,
        limit=5,
    ):
        """Ids of published articles like ``text``, best first; one query on the
        trigram index, whose cost follows the number of matching articles, not
        the size of the knowledge base. ``title``: the few words the index
        matches (default: the start of ``text``), found in some stretch of an
        article's title and keywords (word similarity: the title's trigrams,
        characters for Chinese, in the article's); the candidates are then
        ranked by that, the similarity of the whole ``text`` to the article's
        title, keywords and symptom, and a bonus for the same catalog entry
        and systems. ``customer_visible``: only the articles published on the
        portal."""
        query, params = self._get_similar_sql(
            text,
            title=title,
            catalog=catalog,
            systems=systems,
            customer_visible=customer_visible,
            limit=limit,
        )
        if not query:
            return []
        self.flush_model(
            [
                "search_text",
                "search_title",
                "state",
                "company_id",
                "customer_visible",
                "catalog_id",
            ]
        )
        self.flush_model(["system_ids", "use_count"])
        self._set_trigram_threshold(
            "pg_trgm.word_similarity_threshold", WORD_SIMILARITY_THRESHOLD
        )
        self.env.cr.execute(query, params)
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _set_trigram_threshold(self, setting, value):
        """SET LOCAL a pg_trgm threshold (for the current transaction: the
        index operators read it)."""
        assert setting.startswith("pg_trgm.")
        self.env.cr.execute(f"SET LOCAL {setting} = %s", [value])

    @api.model
    def _get_similar_sql(
        self,
        text,
        title=None,
        catalog=None,
        systems=None,
        customer_visible=False,
        limit=5,
    ):
        """(query, parameters) of _search_similar_ids, or (None, None) when there
        is nothing to compare (hook: another ranking). A constant query string:
        the trigram operators (``%>``) cannot be written inside odoo.tools.SQL;
        every value is a parameter."""
        text = (text or "").lower()[:SEARCH_TEXT_LENGTH]
        title = (title or text).lower()[:TITLE_LENGTH]
        if not title.strip() or not self.env.registry.has_trigram:
            return None, None
        query = """
            SELECT a.id
              FROM response_support_article a
             WHERE a.search_title %%> %(title)s
               AND a.state = 'published'
               AND a.company_id IN %(companies)s
               AND (a.customer_visible OR NOT %(customer_visible)s)
          ORDER BY word_similarity(%(title)s, a.search_title)
                   + similarity(a.search_text, %(text)s)
                   + CASE WHEN a.catalog_id = %(catalog)s THEN 0.2 ELSE 0 END
                   + CASE WHEN EXISTS (
                         SELECT 1 FROM response_support_article_system_rel r
                          WHERE r.response_support_article_id = a.id
                            AND r.response_support_system_id IN %(systems)s
                     ) THEN 0.1 ELSE 0 END DESC,
                   a.use_count DESC, a.id DESC
             LIMIT %(limit)s
        """
        return query, {
            "title": title,
            "text": text or title,
            "companies": tuple(self.env.companies.ids),
            "catalog": catalog.id if catalog else None,
            "systems": tuple(systems.ids) if systems else (0,),
            "limit": limit,
            "customer_visible": bool(customer_visible),
        }

    @api.model
    def _search_similar(self, text, **kwargs):
        """The readable articles of _search_similar_ids, in their rank."""
        ids = self._search_similar_ids(text, **kwargs)
        allowed = set(self.search([("id", "in", ids)]).ids)
        return self.browse([i for i in ids if i in allowed])


class ResponseSupportArticleRevision(models.Model):
    """The content of an article before one of its edits."""

    _name = "response.support.article.revision"
    _description = "Knowledge Article Revision"
    _order = "id desc"

    article_id = fields.Many2one(
        "response.support.article", required=True, ondelete="cascade", index=True
    )
    name = fields.Char(string="Title")
    symptom = fields.Html()
    cause = fields.Html()
    solution = fields.Html()
    company_id = fields.Many2one("res.company")
