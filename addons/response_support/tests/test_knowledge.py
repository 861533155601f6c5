from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ResponseSupportCase, ResponseSupportHttpCase


class KnowledgeCommon:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_resolved.sla_resolved = True
        cls.Article = cls.env["response.support.article"]
        cls.reviewer = cls._create_engineer("rs_reviewer", name="Reviewer")

    @classmethod
    def _published(cls, name, **vals):
        article = cls.Article.create(
            dict(
                {
                    "name": name,
                    "reviewer_id": cls.reviewer.id,
                    "customer_visible": True,
                },
                **vals,
            )
        )
        article.action_submit_review()
        article.with_user(cls.reviewer).action_publish()
        return article


@tagged("post_install", "-at_install")
class TestKnowledge(KnowledgeCommon, ResponseSupportCase):
    def test_article_from_a_resolved_ticket_is_pre_filled(self):
        ticket = self._create_ticket(
            team_id=self.team_software.id,
            user_id=self.engineer_user.id,
            stage_id=self.stage_progress.id,
        )
        as_engineer = ticket.with_user(self.engineer_user)
        with self.assertRaisesRegex(UserError, "handling result"):
            as_engineer.action_create_knowledge_article()
        as_engineer.write(dict(self.RESOLUTION_VALS, stage_id=self.stage_resolved.id))
        action = as_engineer.action_create_knowledge_article()
        article = self.Article.browse(action["res_id"])
        self.assertRecordValues(
            article,
            [
                {
                    "name": ticket.name,
                    "state": "draft",
                    "catalog_id": self.cat_software_app.id,
                    "system_ids": self.system.ids,
                    "source_ticket_id": ticket.id,
                    "author_id": self.engineer_user.id,
                    "customer_visible": False,
                    "use_count": 1,
                }
            ],
        )
        self.assertIn("error 500", article.symptom)
        self.assertIn("out of memory", article.cause)
        self.assertIn("Restarted the billing service", article.solution)

    def test_publish_workflow(self):
        engineer = self.engineer_user
        article = self.Article.with_user(engineer).create({"name": "VPN drops"})
        with self.assertRaisesRegex(AccessError, "through its buttons"):
            article.state = "published"
        with self.assertRaisesRegex(UserError, "reviewer"):
            article.action_submit_review()
        article.reviewer_id = self.reviewer
        with self.assertRaisesRegex(UserError, "in review"):
            article.action_publish()
        article.action_submit_review()
        self.assertEqual(article.state, "review")
        with self.assertRaisesRegex(AccessError, "reviewer"):
            article.action_publish()  # the author is not the reviewer
        article.with_user(self.reviewer).action_publish()
        self.assertEqual(article.state, "published")
        # the manager publishes too, and archives
        other = self.Article.with_user(engineer).create(
            {"name": "Disk full", "reviewer_id": self.reviewer.id}
        )
        other.action_submit_review()
        other.with_user(self.manager_user).action_publish()
        self.assertEqual(other.state, "published")
        with self.assertRaises(AccessError):
            other.with_user(engineer).action_archive_article()
        other.with_user(self.manager_user).action_archive_article()
        self.assertEqual(other.state, "archived")

    def test_revisions_are_kept(self):
        article = self.Article.with_user(self.engineer_user).create(
            {"name": "VPN drops", "solution": "<p>Restart the client.</p>"}
        )
        article.solution = "<p>Update the client to 5.2.</p>"
        article.keywords = "vpn"  # not content: no revision
        self.assertEqual(len(article.revision_ids), 1)
        self.assertIn("Restart the client", article.revision_ids.solution)

    def test_employees_read_published_articles_only(self):
        plain = new_test_user(self.env, login="rs_plain_kb", groups="base.group_user")
        draft = self.Article.create({"name": "Draft"})
        published = self._published("Published")
        visible = self.Article.with_user(plain).search([])
        self.assertIn(published, visible)
        self.assertNotIn(draft, visible)
        self.assertIn(draft, self.Article.with_user(self.engineer_user).search([]))

    def test_suggestions_rank_the_matching_article_first(self):
        billing = self._published(
            "Billing screen shows error 500 after the upgrade",
            keywords="billing invoice 500",
        )
        self._published("Printer offline on the second floor")
        self._published("Mail server rejects attachments over 10 MB")
        chinese = self._published(
            "数据库连接失败导致计费系统无法登录", keywords="数据库 连接池"
        )
        self._published("打印机脱机无法打印")
        draft = self.Article.create({"name": "Billing screen shows error 500"})
        ticket = self._create_ticket()  # "Billing screen shows error 500"
        suggested = ticket.with_user(self.desk_user).suggested_article_ids
        self.assertEqual(suggested[:1], billing)
        self.assertNotIn(draft, suggested, "drafts are not suggested")
        ticket_cn = self._create_ticket(
            name="计费系统无法登录",
            description="<p>早上开始所有营业厅登录计费系统时提示数据库连接失败。</p>",
        )
        self.assertEqual(
            ticket_cn.with_user(self.desk_user).suggested_article_ids[:1], chinese
        )
        # solved with it: the usefulness count
        billing.with_context(active_ticket_id=ticket.id).action_use_on_ticket()
        self.assertEqual(billing.use_count, 1)
        self.assertEqual(ticket.article_ids, billing)

    def test_similar_tickets_are_suggested_and_linked(self):
        earlier = self._create_ticket(name="Billing screen shows error 500 again")
        self._create_ticket(name="Printer offline")
        # another system of the customer: not a related event of this one
        other_system = self.env["response.support.system"].create(
            {"name": "Gas Billing", "code": "T-GB", "partner_id": self.customer.id}
        )
        elsewhere = self._create_ticket(
            name="Billing screen shows error 500", system_id=other_system.id
        )
        ticket = self._create_ticket()
        similar = ticket.with_user(self.desk_user).suggested_ticket_ids
        self.assertEqual(similar[:1], earlier)
        self.assertNotIn(elsewhere, similar, "the candidates are the system's")
        earlier.with_user(self.desk_user).with_context(
            active_ticket_id=ticket.id
        ).action_mark_related()
        self.assertEqual(ticket.related_ticket_ids, earlier)
        self.assertEqual(earlier.related_ticket_ids, ticket)

    def test_suggestions_are_one_query_each(self):
        for i in range(30):
            self._published(f"Billing screen shows error {i}", keywords="billing")
        ticket = self._create_ticket()
        name = ticket.name
        Article = self.Article.with_user(self.desk_user)
        Article._search_similar("warm up the access rules' caches")
        # the threshold, the ranked query, the record rules. search: whatever the
        # number of articles
        with self.assertQueryCount(5):
            found = Article._search_similar(name)
        self.assertEqual(len(found), 5)


@tagged("post_install", "-at_install")
class TestKnowledgePortal(KnowledgeCommon, ResponseSupportHttpCase):
    def test_portal_shows_published_customer_visible_articles_only(self):
        self._create_portal_user("rs_portal_kb", self.reporter)
        public = self._published("Reset your billing password")
        internal = self._published(
            "Reset the billing database password", customer_visible=False
        )
        draft = self.Article.create(
            {"name": "Reset billing password draft", "customer_visible": True}
        )
        self.authenticate("rs_portal_kb", "rs_portal_kb")
        for url in ("/my/knowledge", "/my/knowledge?search=billing+password"):
            with self.subTest(url=url):
                page = self.url_open(url).text
                self.assertIn(f"/my/knowledge/{public.id}", page)
                self.assertNotIn(f"/my/knowledge/{internal.id}", page)
                self.assertNotIn("database password", page)
                self.assertNotIn(f"/my/knowledge/{draft.id}", page)
        self.assertEqual(self.url_open(f"/my/knowledge/{public.id}").status_code, 200)
        for hidden in (internal, draft):
            response = self.url_open(f"/my/knowledge/{hidden.id}")
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(hidden.name, response.text)
