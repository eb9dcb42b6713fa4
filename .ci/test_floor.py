"""Fail when fewer tests ran (passed or failed, not skipped) than the floor stored in the repository.

Usage: python .ci/test_floor.py JUNIT_XML FLOOR_FILE. The floor is the count a clean clone runs with
nothing beside it; raise it when tests are added. Tests that need data beside the checkout are extra.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

report, floor_file = (Path(arg) for arg in sys.argv[1:3])
suites = ET.parse(report).getroot()
suites = [suites] if suites.tag == "testsuite" else list(suites)
ran = sum(int(s.get("tests", 0)) - int(s.get("skipped", 0)) for s in suites)
floor = int(floor_file.read_text().split()[0])
if ran < floor:
    sys.exit(f"test floor: only {ran} tests ran, fewer than the floor {floor} in {floor_file} — a fixture is missing")
print(f"test floor: {ran} tests ran (floor {floor})")
