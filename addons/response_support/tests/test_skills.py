from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestSkills(ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engineers = cls.engineer_user
        for login in ("rs_sk_b", "rs_sk_c"):
            cls.engineers |= cls._create_engineer(login)
        cls.eng_a, cls.eng_b, cls.eng_c = cls.engineers.sorted("id")
        cls.team_software.write(
            {"user_ids": [(6, 0, cls.engineers.ids)], "assign_method": "least_loaded"}
        )
        Skill = cls.env["response.support.skill"]
        cls.database = Skill.create({"name": "Test Database", "code": "T-DB"})
        cls.software = Skill.create({"name": "Test Software", "code": "T-SWS"})
        UserSkill = cls.env["response.support.user.skill"]
        for user, skill, level in (
            (cls.eng_a, cls.database, 2),
            (cls.eng_b, cls.database, 3),
            (cls.eng_c, cls.database, 4),
            (cls.eng_a, cls.software, 4),
        ):
            UserSkill.create({"user_id": user.id, "skill_id": skill.id, "level": level})
        # sub-catalogs inherit the skill of their parent
        cls.cat_software.write({"skill_id": cls.database.id, "skill_min_level": 3})

    def _dispatch(self, **overrides):
        ticket = self._create_ticket(**overrides)
        ticket.with_user(self.desk_user).action_dispatch()
        return ticket

    def test_sub_catalog_inherits_the_skill(self):
        self.assertEqual(self.cat_software_app.skill_id, self.database)
        self.assertEqual(self.cat_software_app.skill_min_level, 3)

    def test_dispatch_picks_only_skilled_engineers_and_says_why(self):
        # eng_b and eng_c have Database ≥ 3, eng_c has two open tickets; eng_a
        # (Database 2) would win on load and id without the skill
        for _i in range(2):
            self._create_ticket(team_id=self.team_hardware.id, user_id=self.eng_c.id)
        ticket = self._dispatch()
        self.assertEqual(ticket.user_id, self.eng_b)
        notes = ticket.message_ids.mapped("body")
        self.assertTrue(
            any(
                "Proposed rs_sk_b: has Test Database ≥ 3, least loaded (0 open)" in n
                for n in notes
            ),
            notes,
        )

    def test_round_robin_turns_among_skilled_engineers(self):
        self.team_software.assign_method = "round_robin"
        assignees = [self._dispatch().user_id for _i in range(3)]
        self.assertEqual(assignees, [self.eng_b, self.eng_c, self.eng_b])

    @freeze_time("2026-03-02 03:00:00")
    def test_skilled_engineer_on_leave_is_skipped(self):
        self._put_on_leave(self.eng_b, "2026-03-02 00:00:00", "2026-03-03 00:00:00")
        for _i in range(3):
            self._create_ticket(team_id=self.team_hardware.id, user_id=self.eng_c.id)
        self.assertEqual(self._dispatch().user_id, self.eng_c)

    @freeze_time("2026-03-02 03:00:00")
    def test_fallback_any_member_when_no_skilled_engineer_is_free(self):
        for user in self.eng_b | self.eng_c:
            self._put_on_leave(user, "2026-03-01 00:00:00", "2026-03-04 00:00:00")
        self.team_software.skill_fallback = "any"
        ticket = self._dispatch()
        self.assertEqual(ticket.user_id, self.eng_a)
        self.assertIn("nobody free has Test Database ≥ 3", ticket.message_ids[1].body)

    @freeze_time("2026-03-02 03:00:00")
    def test_fallback_leave_unassigned(self):
        for user in self.eng_b | self.eng_c:
            self._put_on_leave(user, "2026-03-01 00:00:00", "2026-03-04 00:00:00")
        self.team_software.skill_fallback = "none"
        ticket = self._dispatch()
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertFalse(ticket.user_id)
        self.assertIn(
            "No available member of Software Team has Test Database ≥ 3",
            ticket.message_ids[1].body,
        )

    def test_catalog_without_skill_uses_every_member(self):
        self.cat_software.skill_id = False
        self.cat_software_app.skill_id = False
        self.assertEqual(self._dispatch().user_id, self.eng_a)

    def test_helpers_can_be_searched_by_skill(self):
        Users = self.env["res.users"].with_user(self.manager_user)
        found = Users.search(
            [("response_support_skill_ids.skill_id.name", "ilike", "Test Database")]
        )
        self.assertEqual(found, self.engineers)
        # the search view of users offers the skill
        arch = Users.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="response_support_skill_ids"', arch)

    def test_skills_matrix(self):
        action = self.team_software.with_user(
            self.manager_user
        ).action_view_skills_matrix()
        self.assertEqual(action["view_mode"].split(",")[0], "pivot")
        Lines = self.env["response.support.user.skill"].with_user(self.manager_user)
        views = Lines.get_views([(False, "pivot"), (False, "list")])["views"]
        pivot = etree.fromstring(views["pivot"]["arch"])
        self.assertEqual(
            [(f.get("name"), f.get("type")) for f in pivot.iter("field")],
            [("user_id", "row"), ("skill_id", "col"), ("level", "measure")],
        )
        groups = Lines.read_group(
            action["domain"], ["level:max"], ["user_id", "skill_id"], lazy=False
        )
        matrix = {(g["user_id"][0], g["skill_id"][0]): g["level"] for g in groups}
        self.assertEqual(matrix[(self.eng_c.id, self.database.id)], 4)
        self.assertEqual(matrix[(self.eng_a.id, self.software.id)], 4)
        self.assertEqual(len(matrix), 4)

    def test_access(self):
        line = self.eng_a.response_support_skill_ids[:1]
        for user in (self.engineer_user, self.desk_user):
            # everybody internal reads skills (dispatch, helpers, planning)
            self.assertTrue(line.with_user(user).level)
            with self.assertRaises(AccessError):
                line.with_user(user).level = 5
            with self.assertRaises(AccessError):
                self.env["response.support.skill"].with_user(user).create(
                    {"name": "Forbidden"}
                )
            with self.assertRaises(AccessError):
                self.cat_software.with_user(user).skill_min_level = 1
        line.with_user(self.manager_user).level = 5
        self.assertEqual(line.level, 5)
        self.env["response.support.skill"].with_user(self.manager_user).create(
            {"name": "Storage"}
        )
