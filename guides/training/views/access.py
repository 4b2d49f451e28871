"""Finding the module a request is about, with the right answer when the user may not
have it. Who may do what is decided by Module.can_*(): a module a user may not see is a
404 (a private module is nobody's but its owner's), one they may see but not change is
a 403."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from guides.core.permissions import Refused
from guides.training.models import Module, ModuleVisibility

STALE = (
    "Someone else changed this module after you opened it, so nothing was done. "
    "The page now shows the latest version: check it and try again."
)


def share_key(request: HttpRequest) -> str:
    return request.GET.get("key", "")[:100]


def readable(request: HttpRequest, pk: int) -> Module:
    """The module if this user may read it (their own, shared with staff, or public and
    opened with its link); a 404 otherwise."""
    modules = Module.objects.visible_to(request.user) | Module.objects.with_link(share_key(request))
    return get_object_or_404(modules.select_related("owner"), pk=pk)


def editable(request: HttpRequest, pk: int) -> Module:
    """The module if this user may change it; a 404 if they may not see it, a 403 (with
    the reason) if they may see it but not change it."""
    module = get_object_or_404(Module.objects.visible_to(request.user), pk=pk)
    if not module.can_edit(request.user):
        raise refused(why_not_edit(request, module), module)
    return module


def refused(message: str, module: Module | None = None) -> Refused:
    """A 403 that says why, with a link back to the module."""
    return Refused(message, back=module, back_label="Back to the module")


def why_not_edit(request: HttpRequest, module: Module) -> str:
    if not Module.can_build(request.user):
        return (
            "Your account cannot build training modules. Ask an administrator to give you "
            "the Trainers role."
        )
    return (
        f"This module belongs to {module.owner_name}: you can read it and make your own "
        "copy to adapt, but not change it."
    )


def refuse_stale(request: HttpRequest, module: Module) -> HttpResponse:
    messages.error(request, STALE)
    return redirect(module)


def shows_trainer(request: HttpRequest, module: Module) -> bool:
    """The trainer's notes and edition are for the owner, for staff when the module is
    shared with them, and for whoever may change it (an editor). Anyone else, signed in
    or not, who came by a public link sees what participants see."""
    user = request.user
    if not user.is_authenticated:
        return False
    return (
        module.is_owner(user)
        or module.visibility == ModuleVisibility.STAFF
        or module.can_edit(user)
    )
