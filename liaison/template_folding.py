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

``{% blocktrans %}`` (with ``count`` or ``with``) is kept per value: its
output is a function of the language, the values it writes, autoescaping
and localization, so a node whose every ``{{ name }}`` is one of its own
``with``/``count`` variables keeps its output for each tuple of values
when they are all plain numbers or strings (exact types: ``True`` is not
``1``, a safe string not a string), at most ``_MAX_VALUES`` per node — the
home page's "逾期 3" badges and "有 N 条…" lines, a few dozen µs each
(issue 12). Any other value, ``as``, or a message context renders as before.
A ``{% url %}`` with a literal name and variable arguments is kept the same
way (``KeptURLByValueNode``), per tuple of argument values.
"""
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, TokenType, Variable
from django.template.defaulttags import URLNode
from django.template.loaders import cached
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language


_KEYABLE = frozenset({int, str, SafeString})  # values kept by type and value
_MAX_VALUES = 256  # kept outputs per node kept by value; cleared past this
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


class KeptURLByValueNode(URLNode):
    """A ``{% url 'literal' value … %}``: kept per tuple of argument values
    when they are all plain numbers or strings (the bulletin card's release
    links: a reversal is about 60 µs)."""

    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple((name, value.resolve(context)) for name, value in self.kwargs.items())
        values = args + tuple(value for _name, value in kwargs)
        if not all(type(value) in _KEYABLE for value in values):
            return super().render(context)
        key = (_generation, get_language(), get_urlconf(), get_script_prefix(), _current_app(context),
               context.autoescape, tuple(type(value) for value in values), args, kwargs)
        return _remember(self, key, lambda: URLNode.render(self, context))


def _remember(node, key: tuple, render) -> str:
    """``node``'s output for ``key``, rendered by ``render()`` the first time
    and kept on the node (at most _MAX_VALUES keys; emptied when full)."""
    kept = node.__dict__.get("_kept")
    if kept is None:
        kept = node.__dict__.setdefault("_kept", {})
    output = kept.get(key)
    if output is None:
        output = render()
        if len(kept) >= _MAX_VALUES:
            kept.clear()
        kept[key] = output
    return output


class KeptStaticNode(_Kept, StaticNode):
    def render(self, context):
        return self._kept_render(context, (context.autoescape,), self.varname)


def _block_vars(tokens) -> set[str]:
    return {token.contents for token in tokens if token.token_type == TokenType.VAR}


class KeptBlockTranslateNode(BlockTranslateNode):
    def render(self, context, nested=False):
        values = tuple(value.resolve(context) for value in self.extra_context.values())
        if self.counter is not None:
            values += (self.counter.resolve(context),)
        if nested or not all(type(value) in _KEYABLE for value in values):
            return super().render(context, nested)
        key = (_generation, get_language(), context.autoescape, context.use_l10n, context.use_tz,
               tuple(type(value) for value in values), values)
        return _remember(self, key, lambda: BlockTranslateNode.render(self, context))


def _foldable_block(node) -> bool:
    """A blocktrans whose output depends only on its own values (see the module docstring)."""
    if type(node) is not BlockTranslateNode or node.message_context is not None or node.asvar:
        return False
    own = set(node.extra_context)
    if node.plural and node.countervar and node.counter:
        own.add(node.countervar)
        written = _block_vars(node.singular) | _block_vars(node.plural)
    elif node.counter is not None or node.plural:
        return False
    else:
        written = _block_vars(node.singular)
    return written <= own


def fold(template) -> int:
    """Give ``template``'s constant ``trans``, ``url`` and ``static`` nodes
    their keeping class; returns how many were changed."""
    changed = 0
    for node in template.nodelist.get_nodes_by_type(TranslateNode):
        if type(node) is TranslateNode and node.message_context is None and _literal(node.filter_expression):
            node.__class__ = KeptTranslateNode
            changed += 1
    for node in template.nodelist.get_nodes_by_type(URLNode):
        if type(node) is not URLNode or not _literal(node.view_name):
            continue
        if all(_literal(a) for a in node.args) and all(_literal(v) for v in node.kwargs.values()):
            node.__class__ = KeptURLNode
            changed += 1
        elif not node.asvar:
            node.__class__ = KeptURLByValueNode
            changed += 1
    for node in template.nodelist.get_nodes_by_type(StaticNode):
        if type(node) is StaticNode and _literal(node.path):
            node.__class__ = KeptStaticNode
            changed += 1
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        if _foldable_block(node):
            node.__class__ = KeptBlockTranslateNode
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
