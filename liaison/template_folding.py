"""Template tags with constant arguments rendered once per process and kept
(issue 12): ``{% trans "literal" %}``, ``{% url 'name' 'literal' %}`` and
``{% static 'path' %}`` give the same text every time for the same language,
URL configuration, script prefix, current application and autoescaping, yet
Django translates, reverses and hashes them again on every render — on the
home page about 60 translations and 30 reversals a request, a quarter of its
template time.

``Loader`` is Django's cached template loader that, when it first loads a
template, turns each such node into its caching subclass (the node keeps
its own attributes; only its class changes). A node's first render for a
key runs Django's own code, so what is kept is exactly what Django wrote;
later renders with the same key return it. The key holds everything the
output depends on besides the literal arguments:

- ``trans``: the active language, autoescaping (``asvar``: the value set);
- ``url``: the active language, the thread's URL configuration and script
  prefix, the request's current application (as ``URLNode`` works it out),
  autoescaping;
- ``static``: autoescaping (the storage's URL of a path is fixed for the
  process: the manifest is read once);
- and for all three, how many times a setting has changed
  (``setting_changed``: tests override the URL configuration, static
  storage and locale paths).

A node whose arguments are not all literals (a variable, a filter, a
message context) renders as before. An error (``NoReverseMatch``) is not
kept and is raised again on the next render.
"""
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, Variable
from django.template.defaulttags import URLNode
from django.template.loaders import cached
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language


_generation = 0  # bumped by any settings change (tests' overrides): every kept output is then stale


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    global _generation
    _generation += 1


def _literal(expression) -> bool:
    """A filter expression with no filter whose value is fixed at parse time
    (a quoted string or a number; ``trans`` wraps its literal in a Variable
    whose ``literal`` is set)."""
    if not isinstance(expression, FilterExpression) or expression.filters:
        return False
    var = expression.var
    return var.literal is not None and var.lookups is None if isinstance(var, Variable) else True


class _Kept:
    """A node's kept outputs: key -> (returned text, value set as ``asvar``)."""

    def _kept_render(self, context, key, variable):
        kept = self.__dict__.get("_kept")
        if kept is None:
            kept = self.__dict__.setdefault("_kept", {})
        key = (_generation, *key)
        found = kept.get(key)
        if found is None:
            output = super().render(context)
            found = kept[key] = (output, context[variable] if variable else None)
        output, value = found
        if variable:
            context[variable] = value
        return output


class KeptTranslateNode(_Kept, TranslateNode):
    def render(self, context):
        return self._kept_render(context, (get_language(), context.autoescape), self.asvar)


def _current_app(context):
    """The current application as ``URLNode.render`` works it out."""
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


class KeptURLNode(_Kept, URLNode):
    def render(self, context):
        key = (get_language(), get_urlconf(), get_script_prefix(), _current_app(context), context.autoescape)
        return self._kept_render(context, key, self.asvar)


class KeptStaticNode(_Kept, StaticNode):
    def render(self, context):
        return self._kept_render(context, (context.autoescape,), self.varname)


def fold(template) -> int:
    """Give ``template``'s constant ``trans``, ``url`` and ``static`` nodes
    their keeping class; returns how many were changed."""
    changed = 0
    for node in template.nodelist.get_nodes_by_type(TranslateNode):
        if type(node) is TranslateNode and node.message_context is None and _literal(node.filter_expression):
            node.__class__ = KeptTranslateNode
            changed += 1
    for node in template.nodelist.get_nodes_by_type(URLNode):
        if (type(node) is URLNode and _literal(node.view_name) and all(_literal(a) for a in node.args)
                and all(_literal(v) for v in node.kwargs.values())):
            node.__class__ = KeptURLNode
            changed += 1
    for node in template.nodelist.get_nodes_by_type(StaticNode):
        if type(node) is StaticNode and _literal(node.path):
            node.__class__ = KeptStaticNode
            changed += 1
    return changed


class Loader(cached.Loader):
    """Django's cached loader, folding each template once when it loads it."""

    def get_template(self, template_name, skip=None):
        template = super().get_template(template_name, skip)
        if not getattr(template, "_folded", False):
            fold(template)
            template._folded = True
        return template
