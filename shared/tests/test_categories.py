"""The platform's category list (R-REV-11): the defaults, a deployment's own file checked
at start-up (each mistake named by entry and field), and its lookups."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from shared.app import ServiceSpec, create_app
from shared.categories import DEFAULTS_FILE, CategoryList, InvalidCategories, default_categories
from shared.policy import Policy
from shared.settings import ServiceSettings


def entry(code: str = "tea", **changes: Any) -> dict[str, Any]:
    return {"code": code, "name_zh": "茶", "name_en": "Tea", "aftersales_window_days": 7} | changes


def written(tmp_path: Path, entries: Any) -> Path:
    path = tmp_path / "categories.json"
    path.write_text(json.dumps({"categories": entries}, ensure_ascii=False), "utf-8")
    return path


def test_the_defaults_give_each_category_its_names_and_window() -> None:  # R-REV-11, R-AS-1
    categories = default_categories()
    assert {"food", "cosmetics", "clothing", "home", "toys", "electronics"} <= set(categories.codes)
    assert list(categories.codes) == sorted(categories.codes)
    food = categories.get("food")
    assert food is not None
    assert (food.name_zh, food.name_en, food.aftersales_window_days) == ("食品", "Food", 7)
    assert categories.window_days("food") == 7
    assert categories.window_days("clothing") == 10
    assert categories.window_days("home") == 15
    assert all(7 <= each.aftersales_window_days <= 15 for each in categories)


def test_only_codes_are_categories_and_the_refusal_lists_them() -> None:  # R-REV-11
    categories = default_categories()
    assert "food" in categories
    assert "Food" not in categories
    assert categories.refusal() == "not a category code; use one of: " + ", ".join(categories.codes)
    assert categories.refusal().startswith("not a category code; use one of: baby, books,")


def test_a_text_maps_to_a_code_by_code_or_name_whatever_its_case() -> None:  # R-REV-11
    categories = default_categories()
    for text in ("food", "Food", " FOOD ", "食品", " 食品"):
        assert categories.code_for(text) == "food", text
    assert categories.code_for("Pet supplies") == "pets"
    assert categories.code_for("Widgets") is None
    assert categories.code_for("foods") is None  # never a guess


def test_an_unknown_category_gets_the_longest_window_the_policy_allows() -> None:  # R-AS-1
    assert default_categories().window_days("Food") == 15
    policy = Policy(aftersales_window_days_max=20)
    assert CategoryList.of({"tea": 8}, policy=policy).window_days("coffee") == 20


def test_a_deployment_replaces_the_list_with_its_file(tmp_path: Path) -> None:  # R-REV-11
    path = written(tmp_path, [entry("tea"), entry("coffee", name_en="Coffee", name_zh="咖啡")])
    categories = CategoryList.load(path)
    assert categories.codes == ("coffee", "tea")
    assert [each.code for each in categories] == ["tea", "coffee"]  # the file's order
    assert "food" not in categories


@pytest.mark.parametrize(
    ("entries", "named"),
    [
        ([entry("tea"), entry("tea")], "categories[1] ('tea').code: the code is already used"),
        ([entry("Tea")], "categories[0] ('Tea').code: String should match pattern"),
        ([entry("green tea")], "categories[0] ('green tea').code"),
        ([entry(name_en="  ")], "categories[0] ('tea').name_en: String should have at least"),
        ([entry(name_zh="")], "categories[0] ('tea').name_zh"),
        ([entry(aftersales_window_days=3)], "categories[0] ('tea').aftersales_window_days: 3 is"),
        ([entry(aftersales_window_days=16)], "outside R-AS-1's 7-15 days"),
        ([entry(aftersales_window_days="7")], "categories[0] ('tea').aftersales_window_days"),
        ([entry(colour="green")], "categories[0] ('tea').colour: Extra inputs"),
        ([], "categories: List should have at least 1 item"),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry_and_field(
    tmp_path: Path, entries: Any, named: str
) -> None:  # R-REV-11
    path = written(tmp_path, entries)
    with pytest.raises(InvalidCategories) as refused:
        CategoryList.load(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert named in str(refused.value)


def test_a_file_that_is_not_json_or_not_there_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "categories.json"
    path.write_text("{categories: [", "utf-8")
    with pytest.raises(InvalidCategories, match="not JSON"):
        CategoryList.load(path)
    with pytest.raises(InvalidCategories, match="cannot read it"):
        CategoryList.load(tmp_path / "missing.json")


def test_the_windows_are_checked_against_the_policy_in_force(tmp_path: Path) -> None:  # R-AS-1
    path = written(tmp_path, [entry(aftersales_window_days=20)])
    with pytest.raises(InvalidCategories, match="outside R-AS-1's 7-15 days"):
        CategoryList.load(path)
    assert CategoryList.load(path, Policy(aftersales_window_days_max=20)).window_days("tea") == 20


def test_a_service_with_a_bad_list_does_not_start(tmp_path: Path) -> None:  # R-REV-11
    spec = ServiceSpec("probe", "probe", [], [], [], bootstrap=_never)
    bad = written(tmp_path, [entry(aftersales_window_days=30)])
    with pytest.raises(InvalidCategories, match=r"categories\[0\] \('tea'\)"):
        create_app(spec, ServiceSettings(categories_file=bad))
    good = written(tmp_path, [entry()])
    app = create_app(spec, ServiceSettings(categories_file=good))
    assert app.state.runtime.categories.codes == ("tea",)


def test_the_defaults_ship_as_package_data() -> None:
    """A wheel or a container image has the file: the shared package declares it."""
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["shared"]
    assert DEFAULTS_FILE.relative_to(Path(__file__).parents[1] / "shared").as_posix() in {
        pattern.replace("*", DEFAULTS_FILE.stem) for pattern in patterns
    }


async def _never(_ports: Any) -> Any:
    raise AssertionError("not started")
