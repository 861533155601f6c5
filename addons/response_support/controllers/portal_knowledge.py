from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from .main import has_nul

# articles a portal search shows at most
PORTAL_SEARCH_LIMIT = 20


class ResponseSupportKnowledgePortal(http.Controller):
    """The published, customer-visible knowledge articles on the portal
    (searchable); internal articles and drafts never appear there."""

    def _get_portal_article_domain(self):
        """The articles a customer may read (hook)."""
        return [
            ("state", "=", "published"),
            ("customer_visible", "=", True),
            ("company_id", "in", request.env.user.company_ids.ids),
        ]

    def _get_portal_articles(self, search):
        # sudo() is safe: customers have no access to articles, and the domain
        # restricts the result to the published, customer-visible ones
        Article = request.env["response.support.article"].sudo()
        domain = self._get_portal_article_domain()
        if not search:
            return Article.search(domain, limit=PORTAL_SEARCH_LIMIT)
        ranked = Article._search_similar_ids(
            search, customer_visible=True, limit=PORTAL_SEARCH_LIMIT
        )
        words = Article.search(
            domain
            + [
                "|",
                "|",
                ("name", "ilike", search),
                ("keywords", "ilike", search),
                ("symptom", "ilike", search),
            ],
            limit=PORTAL_SEARCH_LIMIT,
        )
        allowed = Article.search(domain + [("id", "in", ranked)])
        ordered = [i for i in ranked if i in set(allowed.ids)]
        ordered += [i for i in words.ids if i not in ordered]
        return Article.browse(ordered[:PORTAL_SEARCH_LIMIT])

    # website=True: the portal layout needs the frontend values (languages)
    @http.route("/my/knowledge", type="http", auth="user", website=True)
    def portal_knowledge(self, search="", **kw):
        search = (search or "").strip()[:200]
        if has_nul([search]):
            search = ""
        values = {
            "articles": self._get_portal_articles(search),
            "search": search,
            "page_name": "knowledge",
        }
        return request.render("response_support.portal_knowledge", values)

    @http.route(
        "/my/knowledge/<int:article_id>", type="http", auth="user", website=True
    )
    def portal_knowledge_article(self, article_id, **kw):
        # sudo(): see _get_portal_articles; the id must be one of those
        article = (
            request.env["response.support.article"]
            .sudo()
            .search(self._get_portal_article_domain() + [("id", "=", article_id)])
        )
        if not article:
            raise NotFound()
        values = {"article": article, "page_name": "knowledge"}
        return request.render("response_support.portal_knowledge_article", values)
