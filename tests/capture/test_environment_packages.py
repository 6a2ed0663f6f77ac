"""The package list of the environment section: read from the metadata headers alone, and the
same list the full metadata parse gives."""

from __future__ import annotations

from importlib.metadata import PathDistribution, distributions

from jupyter_dlops.capture.environment import installed_distributions, name_version


def _full_parse() -> list[str]:
    seen: dict[str, str] = {}
    for dist in distributions():
        name = dist.metadata.get("Name")
        if name:
            seen.setdefault(name.lower(), f"{name}=={dist.version}")
    return sorted(seen.values(), key=str.lower)


def test_package_list_equals_the_full_metadata_parse():
    packages = installed_distributions()
    assert packages == _full_parse()
    assert any(p.lower().startswith("pytest==") for p in packages)


def _dist(tmp_path, text: str, filename: str = "METADATA") -> PathDistribution:
    folder = tmp_path / "demo-1.0.dist-info"
    folder.mkdir()
    (folder / filename).write_text(text)
    return PathDistribution(folder)


def test_headers_only_ignore_the_description(tmp_path):
    text = ("Metadata-Version: 2.1\nName: Demo-Pkg\nVersion: 2.3.4\nSummary: x\n\n"
            "Name: not-this\nVersion: 9.9\n")
    assert name_version(_dist(tmp_path, text)) == ("Demo-Pkg", "2.3.4")


def test_pkg_info_and_missing_headers_fall_back_to_the_full_parse(tmp_path):
    egg = _dist(tmp_path, "Metadata-Version: 1.0\nName: eggy\nVersion: 0.1\n", "PKG-INFO")
    assert name_version(egg) == ("eggy", "0.1")
    (tmp_path / "demo-1.0.dist-info").rename(tmp_path / "old")
    nameless = _dist(tmp_path, "Metadata-Version: 2.1\nVersion: 1.0\n")
    assert name_version(nameless) == (None, "1.0")
