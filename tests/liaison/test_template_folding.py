"""liaison/template_folding.py: constant {% trans %}, {% url %} and {% static %}
tags are rendered once per key and kept; every output equals Django's own."""
import pytest
from django.template import Context, Engine, engines
from django.template.defaulttags import URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.test import override_settings
from django.urls import NoReverseMatch, set_script_prefix
from django.utils import translation

from liaison import template_folding
from liaison.template_folding import KeptStaticNode, KeptTranslateNode, KeptURLNode, fold

SOURCE = (
    "{% load i18n static %}"
    "[{% trans '首页' %}]"
    "[{% trans '已签收' as done %}{{ done }}]"
    "[{% trans word %}]"
    "[{% trans '首页'|upper %}]"
    "[{% trans '首页' context 'menu' %}]"
    "[{% url 'infoflow:my-items' %}]"
    "[{% url 'infoflow:item-detail' 7 %}]"
    "[{% url 'infoflow:item-detail' pk=7 %}]"
    "[{% url 'infoflow:item-detail' pk %}]"
    "[{% url 'infoflow:my-items' as list_url %}{{ list_url }}]"
    "[{% static 'vendor/pico.min.css' %}]"
    "[{% static path %}]"
    "[{% static 'a&b.css' as asset %}{{ asset }}]"
)


def _pair():
    """The same source as Django parses it, and folded."""
    plain = Engine.get_default().from_string(SOURCE)
    folded = Engine.get_default().from_string(SOURCE)
    fold(folded)
    return plain, folded


def test_only_literal_nodes_are_folded():
    _plain, folded = _pair()
    translations = folded.nodelist.get_nodes_by_type(TranslateNode)
    urls = folded.nodelist.get_nodes_by_type(URLNode)
    statics = folded.nodelist.get_nodes_by_type(StaticNode)
    # The literal, the literal "as", but not a variable, a filtered literal, a message context.
    assert [type(n) is KeptTranslateNode for n in translations] == [True, True, False, False, False]
    # Literal name, literal positional and keyword argument, not a variable argument; "as".
    assert [type(n) is KeptURLNode for n in urls] == [True, True, True, False, True]
    assert [type(n) is KeptStaticNode for n in statics] == [True, False, True]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("prefix", ["/", "/liaison/"])
def test_folded_output_is_django_s_for_each_key(language, autoescape, prefix):
    plain, folded = _pair()
    values = {"word": "首页", "pk": 3, "path": "x<y>.css"}
    try:
        for _ in range(2):  # the second render comes from what was kept
            for lang in (language, "en" if language == "zh-hans" else "zh-hans"):
                set_script_prefix(prefix)
                with translation.override(lang):
                    expected = plain.render(Context(values, autoescape=autoescape))
                    assert folded.render(Context(values, autoescape=autoescape)) == expected
                    assert ("Home" in expected) == (lang == "en")
                    assert f"{prefix}items/7/" in expected
    finally:
        set_script_prefix("/")


def test_a_settings_change_is_not_served_from_what_was_kept():
    plain, folded = _pair()
    before = folded.render(Context({"pk": 1, "path": "p.css"}))
    with override_settings(STATIC_URL="/assets/"):
        after = folded.render(Context({"pk": 1, "path": "p.css"}))
        assert after == plain.render(Context({"pk": 1, "path": "p.css"}))
    assert after != before
    assert "/assets/" in after


def test_a_missing_url_raises_every_time():
    template = Engine.get_default().from_string("{% url 'no-such-view' %}")
    assert fold(template) == 1
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            template.render(Context({}))


def test_the_project_engine_folds_what_it_loads():
    template = engines["django"].get_template("home.html").template
    assert getattr(template, "_folded", False)
    assert any(type(n) is KeptTranslateNode for n in template.nodelist.get_nodes_by_type(TranslateNode))
    # A setting change between renders counts as another key.
    generation = template_folding._generation
    with override_settings(STATIC_URL="/assets/"):
        assert template_folding._generation > generation


BLOCKS = (
    "{% load i18n %}"
    "[{% blocktrans with n=late %}逾期 {{ n }}{% endblocktrans %}]"
    "[{% blocktrans count n=total %}有 {{ n }} 条信息等待您审核。{% plural %}有 {{ n }} 条信息等待您审核。{% endblocktrans %}]"
    "[{% blocktrans with name=who %}您好，{{ name }}{% endblocktrans %}]"
    "[{% blocktrans %}您好，{{ who }}{% endblocktrans %}]"
    "[{% blocktrans with n=late asvar badge %}逾期 {{ n }}{% endblocktrans %}{{ badge }}]"
    "[{% blocktrans with n=late context 'x' %}逾期 {{ n }}{% endblocktrans %}]"
    "[{% blocktrans count n=total %}{{ n }} file{% plural %}{{ n }} files{% endblocktrans %}]"
)


def _blocks():
    plain = Engine.get_default().from_string(BLOCKS)
    folded = Engine.get_default().from_string(BLOCKS)
    fold(folded)
    return plain, folded


def test_a_blocktrans_writing_only_its_own_values_is_kept():
    from django.templatetags.i18n import BlockTranslateNode

    from liaison.template_folding import KeptBlockTranslateNode

    _plain, folded = _blocks()
    nodes = folded.nodelist.get_nodes_by_type(BlockTranslateNode)
    # Its own "with" and "count" values, yes; an outer variable, "as", a message context, no.
    assert [type(n) is KeptBlockTranslateNode for n in nodes] == [True, True, True, False, False, False, True]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_a_kept_blocktrans_writes_what_django_writes_for_each_value(language, autoescape):
    plain, folded = _blocks()
    cases = [
        {"late": 3, "total": 1, "who": "<b>A&B</b>"},
        {"late": 1, "total": 2, "who": "张三"},
        {"late": True, "total": 1, "who": "x"},  # True is not 1
        {"late": "1", "total": 1200, "who": "x"},  # a string is not a number (nor 1,200)
        {"late": 3.5, "total": 0, "who": None},  # neither kept: rendered as before
    ]
    for _ in range(2):  # the second round comes from what was kept
        for values in cases:
            for lang in (language, "en" if language == "zh-hans" else "zh-hans"):
                with translation.override(lang):
                    expected = plain.render(Context(values, autoescape=autoescape))
                    assert folded.render(Context(values, autoescape=autoescape)) == expected


def test_a_kept_blocktrans_with_a_bad_count_raises_every_time():
    from django.template import TemplateSyntaxError

    template = Engine.get_default().from_string(
        "{% load i18n %}{% blocktrans count n=total %}{{ n }} a{% plural %}{{ n }} b{% endblocktrans %}")
    assert fold(template) == 1
    for _ in range(2):
        with pytest.raises(TemplateSyntaxError):
            template.render(Context({"total": "many"}))


def test_a_url_with_variable_arguments_is_kept_per_value():
    from liaison.template_folding import KeptURLByValueNode

    source = ("{% url 'infoflow:item-detail' pk %}|{% url 'infoflow:item-detail' pk=pk %}"
              "|{% url 'infoflow:item-detail' pk as link %}{{ link }}")
    plain = Engine.get_default().from_string(source)
    folded = Engine.get_default().from_string(source)
    fold(folded)
    assert [type(n) for n in folded.nodelist.get_nodes_by_type(URLNode)] == [
        KeptURLByValueNode, KeptURLByValueNode, URLNode]
    try:
        for _ in range(2):
            for prefix in ("/", "/liaison/"):
                set_script_prefix(prefix)
                for pk in (7, 8, "9"):
                    with translation.override("en"):
                        expected = plain.render(Context({"pk": pk}))
                        assert folded.render(Context({"pk": pk})) == expected
                        assert f"{prefix}items/" in expected
    finally:
        set_script_prefix("/")
    with pytest.raises(NoReverseMatch):
        folded.render(Context({"pk": "x/y"}))
