"""MultiDict, FormsDict, HeaderDict, WSGIHeaderDict and ConfigDict."""

import pytest
from demijohn import ConfigDict, FormsDict, HeaderDict, MultiDict, WSGIHeaderDict


def test_multidict_keeps_every_value_and_returns_the_last():
    data = MultiDict([("a", 1), ("a", 2)], b=3)
    assert data["a"] == 2
    assert data.getall("a") == [1, 2]
    assert data.get("a", index=0) == 1
    assert list(data.allitems()) == [("a", 1), ("a", 2), ("b", 3)]


def test_multidict_get_with_type_falls_back_on_conversion_errors():
    data = MultiDict(n="12", bad="x")
    assert data.get("n", type=int) == 12
    assert data.get("bad", 0, type=int) == 0


def test_formsdict_attribute_access_returns_empty_string_when_missing():
    forms = FormsDict(name="ann")
    assert forms.name == "ann"
    assert forms.missing == ""
    assert forms.getunicode("name") == "ann"


def test_headerdict_is_case_insensitive_and_refuses_line_breaks():
    headers = HeaderDict({"content-type": "text/plain"})
    assert headers["Content-Type"] == "text/plain"
    headers.append("X-A", "1")
    headers.append("x-a", "2")
    assert headers.getall("X-A") == ["1", "2"]
    with pytest.raises(ValueError):
        headers["X-B"] = "a\r\nb"


def test_wsgiheaderdict_reads_the_environ():
    headers = WSGIHeaderDict({"HTTP_USER_AGENT": "ua", "CONTENT_TYPE": "text/plain", "OTHER": "x"})
    assert headers["User-Agent"] == "ua"
    assert headers["content-type"] == "text/plain"
    assert sorted(headers.keys()) == ["Content-Type", "User-Agent"]
    with pytest.raises(TypeError):
        headers["X"] = "y"


def test_configdict_load_dict_flattens_nested_dicts():
    config = ConfigDict().load_dict({"db": {"url": "sqlite://", "pool": {"size": 5}}, "debug": True})
    assert config == {"db.url": "sqlite://", "db.pool.size": 5, "debug": True}


def test_configdict_load_config_reads_ini_sections(tmp_path):
    ini = tmp_path / "app.ini"
    ini.write_text("[demijohn]\ndebug = true\n[db]\nurl = sqlite://\n")
    config = ConfigDict().load_config(ini)
    assert config["debug"] == "true"
    assert config["db.url"] == "sqlite://"


def test_configdict_meta_filter_converts_values():
    config = ConfigDict()
    config["port"] = "8080"
    config.meta_set("port", "filter", int)
    assert config["port"] == 8080
    config["port"] = "9"
    assert config["port"] == 9
    assert config.meta_get("port", "filter") is int
    assert config.meta_list("port") == ["filter"]


def test_configdict_update_with_namespace():
    config = ConfigDict()
    config.update("cache", ttl=3)
    assert config["cache.ttl"] == 3


def test_configdict_overlay_falls_back_to_its_source():
    base = ConfigDict(a=1)
    overlay = base._make_overlay()
    overlay["b"] = 2
    base["c"] = 3
    assert (overlay["a"], overlay["b"], overlay.get("c"), "a" in overlay) == (1, 2, 3, True)
    assert "b" not in base


def test_configdict_change_notification():
    seen = []
    config = ConfigDict()
    config._on_change = lambda key, value: seen.append((key, value))
    config["x"] = 1
    config["x"] = 1  # unchanged: no notification
    del config["x"]
    assert seen == [("x", 1), ("x", None)]
