"""Every public class and function has a complete numpydoc docstring.

For each public name (``__all__`` of skdir and of its public subpackages):

- classes and functions have a docstring (GL08), every parameter of the
  signature is documented (PR01), nothing else is (PR02), in the order of the
  signature (PR03), and there is an Examples section (EX01); the examples
  themselves run as doctests of the test suite (``--doctest-modules``);
- public methods defined by skdir have a docstring whose parameters match
  their signature (GL08, PR01, PR02, PR03).

The checks are numpydoc's own (:func:`numpydoc.validate.validate`); the test
is skipped when numpydoc is not installed (it comes with the ``docs`` extra).
"""

import importlib
import importlib.util
import inspect

import pytest

validate = pytest.importorskip(
    "numpydoc.validate", reason="numpydoc (docs extra) is not installed"
).validate

# Public modules whose ``__all__`` lists the public API, and what each needs.
PUBLIC_MODULES = {
    "skdir": (),
    "skdir.metrics": (),
    "skdir.model_selection": (),
    "skdir.relevance": (),
    "skdir.resampling": (),
    "skdir.datasets": (),
    "skdir.plotting": ("matplotlib",),
    "skdir.nn": ("torch", "skorch"),
    "skdir.nn.losses": ("torch", "skorch"),
    "skdir.base": (),
    "skdir.cli": (),
}
OBJECT_CHECKS = ("GL08", "PR01", "PR02", "PR03", "EX01")
METHOD_CHECKS = ("GL08", "PR01", "PR02", "PR03")

# Known docstring defects, each marked as an expected
# failure (strict: once the docstring is fixed the entry must go). Keep this
# list empty unless a defect cannot be fixed where it is.
KNOWN_EXCEPTIONS = {}


def _available(module_name):
    if importlib.util.find_spec(module_name.split(".")[0]) is None:
        return False
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


def _public_objects():
    """(import path, object, kind) for every public class, function and method."""
    seen = set()
    # Deepest modules first, so that a re-exported object (skdir.SMOGN) is
    # named by the module that documents it (skdir.resampling.SMOGN).
    by_depth = sorted(PUBLIC_MODULES.items(), key=lambda item: -item[0].count("."))
    for module_name, requirements in by_depth:
        if not _available(module_name) or not all(
            importlib.util.find_spec(req) for req in requirements
        ):
            continue
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj):
                continue
            if not getattr(obj, "__module__", "").startswith("skdir"):
                continue
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            path = f"{module_name}.{name}"
            if inspect.isclass(obj):
                yield path, obj, "class"
                for meth_name, meth in vars(obj).items():
                    if isinstance(meth, (classmethod, staticmethod)):
                        meth = meth.__func__
                    if meth_name.startswith("_") or not inspect.isfunction(meth):
                        continue
                    if _inherits_contract(obj, meth_name, meth):
                        continue
                    yield f"{path}.{meth_name}", meth, "method"
            elif inspect.isfunction(obj):
                yield path, obj, "function"


def _inherits_contract(cls, name, meth):
    """Whether an undocumented override keeps a documented base method's signature.

    Such an override (``torch.nn.Module.train``, ``extra_repr``) is covered by
    the base class's documentation; an override that changes the signature
    needs its own docstring.
    """
    if meth.__doc__:
        return False
    for base in cls.__mro__[1:]:
        base_meth = vars(base).get(name)
        if base_meth is None:
            continue
        if isinstance(base_meth, (classmethod, staticmethod)):
            base_meth = base_meth.__func__
        if not inspect.getdoc(base_meth):
            return False
        try:
            return _shape(base_meth) == _shape(meth)
        except (TypeError, ValueError):
            return False
    return False


def _shape(func):
    """Names, kinds and defaults of the parameters (annotations ignored)."""
    return [
        (p.name, p.kind, p.default) for p in inspect.signature(func).parameters.values()
    ]


def _own_init(cls):
    """Whether the constructor signature is skdir's (not torch's or Python's)."""
    for klass in cls.__mro__:
        if klass is not object and ("__init__" in vars(klass) or "__new__" in vars(klass)):
            return klass.__module__.startswith("skdir")
    return False


OBJECTS = list(_public_objects())


def _params():
    for path, obj, kind in OBJECTS:
        marks = ()
        if path in KNOWN_EXCEPTIONS:
            marks = pytest.mark.xfail(strict=True, reason=KNOWN_EXCEPTIONS[path])
        yield pytest.param(path, obj, kind, id=path, marks=marks)


def test_public_api_found():
    paths = {path for path, _, _ in OBJECTS}
    assert {"skdir.LabelSpace", "skdir.LDSWeighter", "skdir.metrics.shot_metrics",
            "skdir.LabelSpace.fit", "skdir.LDSWeighter.transform"} <= paths


def test_inherited_contracts_are_recognised():
    class Base:
        def run(self, a, b=1):
            """Run.

            Parameters
            ----------
            a, b : int
                Inputs.
            """

    class Same(Base):
        def run(self, a, b=1):
            return a

    class Changed(Base):
        def run(self, a, c=2):
            return a

    assert _inherits_contract(Same, "run", Same.run)
    assert not _inherits_contract(Changed, "run", Changed.run)


@pytest.mark.parametrize("path, obj, kind", list(_params()))
def test_numpydoc_docstring(path, obj, kind):
    if kind == "method":
        checks = METHOD_CHECKS
    elif kind == "class" and not _own_init(obj):
        # A class without a constructor of its own (``MSELoss()``) takes the
        # signature of its base, e.g. torch.nn.Module(*args, **kwargs): only
        # the docstring and its examples are checked.
        checks = ("GL08", "EX01")
    else:
        checks = OBJECT_CHECKS
    result = validate(path)
    errors = [f"{code}: {message}" for code, message in result["errors"] if code in checks]
    assert not errors, f"{path} ({result['file']}:{result['file_line']}):\n" + "\n".join(
        errors
    )
