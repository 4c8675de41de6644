"""The shared answer table (tests/clients/answers.json) and the reasons."""
import json
import os
import unittest

from geckoguard import reasons, verdict_from_answer

TABLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests",
                     "clients", "answers.json")


class AnswerRuleTest(unittest.TestCase):
    def test_shared_table(self):
        with open(TABLE) as f:
            rows = json.load(f)["rows"]
        for row in rows:
            with self.subTest(row["name"]):
                v = verdict_from_answer(row["answer"])
                self.assertEqual(v.allow, row["allow"])
                self.assertEqual(v.reason_code, row["reason"])
                self.assertEqual(v.kind, row["kind"])

    def test_default_messages(self):
        self.assertEqual(reasons.default_message(reasons.LICENSE_REVOKED),
                         "License has been revoked")
        self.assertEqual(reasons.default_message("NEW_CODE"), "Validation failed")
        for name in dir(reasons):
            if name.isupper() and isinstance(getattr(reasons, name), str):
                self.assertNotEqual(
                    reasons.default_message(getattr(reasons, name)),
                    "Validation failed", name)


if __name__ == "__main__":
    unittest.main()
