"""Training modules: the list, building a module (details, items from the library or
the trainer's own notes, order, timings), duplicating and sharing.

Every change carries the version the user was looking at, and one based on an older
version is refused with a message, so two people never overwrite each other unseen.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guides.core import caching
from guides.core.middleware import shows_oversized_form
from guides.core.models import MAX_TEXT_LENGTH
from guides.core.site import absolute_url
from guides.search import engine as library_search
from guides.training import handouts
from guides.training.forms import (
    AddToModuleForm,
    GuideChoiceForm,
    ItemForm,
    ModuleForm,
    MoveForm,
    NoteForm,
    PickerForm,
    ShareForm,
    TimingForm,
    VersionForm,
    resolve_item,
)
from guides.training.models import (
    MAX_MODULE_ITEMS,
    ItemKind,
    ItemTarget,
    Module,
    ModuleItem,
    ModuleVisibility,
    format_minutes,
    new_share_token,
    over_time,
)
from guides.training.views.access import (
    STALE,
    editable,
    readable,
    refuse_stale,
    refused,
    share_key,
    shows_trainer,
    why_not_edit,
)

CONFLICT = (
    "Someone else changed this module after you opened it, so your changes have not been "
    "saved yet. Your text is still in the form below, and the details saved now are shown "
    "under “The latest saved details”. Check them, then save again."
)
FULL = f"A module can hold at most {MAX_MODULE_ITEMS} items."
PICKER_TYPES = ["guide", "section", "tool", "term", "example"]
PICKER_LIMIT = 10


# The list and the module page ---------------------------------------------------------


@login_required
@require_safe
def module_list(request: HttpRequest) -> HttpResponse:
    counted = Module.objects.annotate(item_count=Count("items")).select_related("owner")
    mine = list(counted.owned_by(request.user))
    shared = list(counted.filter(visibility=ModuleVisibility.STAFF).exclude(owner=request.user))
    return render(
        request,
        "training/list.html",
        {"mine": mine, "shared": shared, "can_build": Module.can_build(request.user)},
    )


def _items(module: Module) -> list[ModuleItem]:
    return list(handouts.module_items(module))


def _picker_results(query: str) -> list[dict]:
    """Search results the picker can add: each with the value ItemForm reads back, which
    is the result's own key."""
    found = library_search.search(query, types=PICKER_TYPES, limit=PICKER_LIMIT)
    return [{"result": result, "value": result.key} for result in found.results]


def _detail(request: HttpRequest, module: Module, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    items = _items(module)
    show_trainer = shows_trainer(request, module)
    if not show_trainer:
        items = [i for i in items if not i.trainer_only]
    can_edit = module.can_edit(user)
    picker = PickerForm(request.GET or None)
    results = None
    if can_edit and picker.is_valid() and picker.cleaned_data["q"]:
        results = _picker_results(picker.cleaned_data["q"])
    key = share_key(request) if module.visibility == ModuleVisibility.LINK else ""
    context = {
        "module": module,
        "items": items,
        "planned": format_minutes(sum(i.minutes or 0 for i in items)),
        "over_time": over_time(sum(i.minutes or 0 for i in items), module.duration),
        "can_edit": can_edit,
        "can_manage": module.can_manage(user),
        "can_duplicate": Module.can_build(user),
        "show_trainer": show_trainer,
        "key": key,
        "query": f"?{urlencode({'key': key})}" if key else "",
        "picker": picker,
        "results": results,
        "guide_form": forms.get("guide_form") or GuideChoiceForm(prefix="guide"),
        "note_form": forms.get("note_form") or NoteForm(prefix="note"),
        "share_form": ShareForm(
            initial={"visibility": module.visibility, "version": module.version}
        ),
        "share_url": absolute_url(module.get_share_url()),
        "full": len(items) >= MAX_MODULE_ITEMS,
    }
    return render(request, "training/detail.html", context, status=status)


@require_safe
def module_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, readable(request, pk))


# Creating and editing the details ------------------------------------------------------


def _add_item(
    module: Module, kind: str, target: ItemTarget, minutes: int | None = None
) -> ModuleItem:
    """Append an item (inside the caller's transaction)."""
    return ModuleItem.objects.create(
        module=module,
        order=module.next_order(),
        kind=kind,
        title=ModuleItem.title_of(kind, target)[:300],
        minutes=minutes,
        **{kind: target},
    )


@shows_oversized_form
@login_required
@require_http_methods(["GET", "POST"])
def module_new(request: HttpRequest) -> HttpResponse:
    if not Module.can_build(request.user):
        raise refused(why_not_edit(request, Module()))
    if request.method == "POST" and not request.oversized:
        form = ModuleForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                module = form.save(commit=False)
                module.owner = request.user
                module.save()
                if form.cleaned_data["add"]:
                    kind, target = resolve_item(form.cleaned_data["add"])
                    _add_item(module, kind, target)
            messages.success(
                request,
                "Your module has been made. It is private until you share it. Add guides, "
                "sections, tools, terms, local examples and your own notes below.",
            )
            return redirect(module)
    else:
        form = ModuleForm(initial={"add": request.GET.get("add", "")[:200]})
    adding = None
    if form["add"].value():
        try:
            adding = resolve_item(form["add"].value())
        except ValidationError:  # a stale or made-up value: the form reports it on save
            adding = None
    return render(
        request,
        "training/form.html",
        {"form": form, "adding": adding, "oversized": request.oversized},
        status=413 if request.oversized else 200,
    )


@shows_oversized_form
@login_required
@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, pk: int) -> HttpResponse:
    module = editable(request, pk)
    latest = None
    if request.method == "POST" and not request.oversized:
        form = ModuleForm(request.POST, instance=module)
        if form.is_valid():
            with transaction.atomic():
                saved = module.claim(form.cleaned_data["version"])
                if saved:
                    form.save()
            if saved:
                messages.success(request, "The module's details have been saved.")
                return redirect(module)
            # A stale copy: keep the user's text, show what is saved now, and base the
            # next save on the latest version.
            latest = Module.objects.get(pk=pk)
            data = request.POST.copy()
            data["version"] = str(latest.version)
            form = ModuleForm(data, instance=Module.objects.get(pk=pk))
            form.is_valid()
            form.add_error(None, CONFLICT)
    else:
        form = ModuleForm(instance=module)
    return render(
        request,
        "training/form.html",
        {"form": form, "module": module, "latest": latest, "oversized": request.oversized},
        status=409 if latest else (413 if request.oversized else 200),
    )


# Items -------------------------------------------------------------------------------


def _first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        if field == "version":
            return "The form was incomplete: reload the page and try again."
        return f"{label}: {errors[0]}" if label and field != "__all__" else errors[0]
    return "Something was wrong with the form."


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a guide, section, tool, term or published example from the module page."""
    module = editable(request, pk)
    form_class = GuideChoiceForm if "guide-item" in request.POST else ItemForm
    form = form_class(request.POST, prefix="guide" if form_class is GuideChoiceForm else None)
    if not form.is_valid():
        if form_class is GuideChoiceForm:
            return _detail(request, module, status=400, guide_form=form)
        messages.error(request, _first_error(form))
        return redirect(module)
    kind, target = form.cleaned_data["item"]
    with transaction.atomic():
        if module.items.count() >= MAX_MODULE_ITEMS:
            messages.error(request, FULL)
            return redirect(module)
        if not module.claim(form.cleaned_data["version"]):
            return refuse_stale(request, module)
        item = _add_item(module, kind, target, form.cleaned_data.get("minutes"))
    messages.success(request, f"Added “{item.title}” to the module.")
    return redirect(f"{module.get_absolute_url()}#item-{item.pk}")


@shows_oversized_form
@login_required
# GET too: an oversized post arrives as one (see guides/core/middleware.py), and a plain
# GET goes back to the module.
@require_http_methods(["GET", "POST"])
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    module = editable(request, pk)
    if request.oversized:
        messages.error(
            request,
            "Your note was too large to read, so nothing was saved. Notes can be up to "
            f"{MAX_TEXT_LENGTH:,} characters: shorten it or split it into two notes.",
        )
        return redirect(module)
    if request.method != "POST":
        return redirect(module)
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return _detail(request, module, status=400, note_form=form)
    with transaction.atomic():
        if module.items.count() >= MAX_MODULE_ITEMS:
            messages.error(request, FULL)
            return redirect(module)
        if not module.claim(form.cleaned_data["version"]):
            # Keep what they wrote: show the form again on the latest version.
            messages.error(request, STALE)
            module.refresh_from_db()
            data = request.POST.copy()
            data["note-version"] = str(module.version)
            return _detail(request, module, status=409, note_form=NoteForm(data, prefix="note"))
        item = ModuleItem(
            module=module,
            order=module.next_order(),
            kind=ItemKind.NOTE,
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
            minutes=form.cleaned_data["minutes"],
            for_participants=form.cleaned_data["audience"] == "everyone",
        )
        item.save()
    messages.success(request, "Your note has been added to the module.")
    return redirect(f"{module.get_absolute_url()}#item-{item.pk}")


@shows_oversized_form
@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    module = editable(request, pk)
    item = get_object_or_404(module.items.select_related("section__guide"), pk=item_pk)
    is_note = item.kind == ItemKind.NOTE
    form_class = NoteForm if is_note else TimingForm
    if request.method == "POST" and not request.oversized:
        form = form_class(request.POST)
        if form.is_valid():
            with transaction.atomic():
                saved = module.claim(form.cleaned_data["version"])
                if saved:
                    item.minutes = form.cleaned_data["minutes"]
                    if item.kind == ItemKind.SECTION:
                        item.with_examples = form.cleaned_data.get("with_examples", False)
                    if is_note:
                        item.title = form.cleaned_data["title"]
                        item.text = form.cleaned_data["text"]
                        item.for_participants = form.cleaned_data["audience"] == "everyone"
                    item.save()
            if saved:
                messages.success(request, "The item has been saved.")
                return redirect(f"{module.get_absolute_url()}#item-{item.pk}")
            module.refresh_from_db()
            data = request.POST.copy()
            data["version"] = str(module.version)
            form = form_class(data)
            form.is_valid()
            form.add_error(None, CONFLICT)
    else:
        initial = {
            "minutes": item.minutes,
            "version": module.version,
            "with_examples": item.with_examples,
        }
        if is_note:
            initial |= {
                "title": item.title,
                "text": item.text,
                "audience": "everyone" if item.for_participants else "trainer",
            }
        form = form_class(initial=initial)
    return render(
        request,
        "training/item_form.html",
        {"form": form, "module": module, "item": item, "is_note": is_note},
        status=409 if form.non_field_errors() else 200,
    )


@login_required
@require_POST
def item_move(
    request: HttpRequest, pk: int, item_pk: int, direction: str | None = None
) -> HttpResponse:
    """Move an item one place up or down (buttons), or to a position (drag and drop)."""
    module = editable(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(module)
    with transaction.atomic():
        items = list(module.items.order_by("order", "pk"))
        index = next((i for i, item in enumerate(items) if item.pk == item_pk), None)
        if index is None:
            raise Http404("No such item in this module.")
        if direction == "up":
            target = index - 1
        elif direction == "down":
            target = index + 1
        elif form.cleaned_data["position"]:
            target = form.cleaned_data["position"] - 1
        else:
            messages.error(request, "Choose where to move the item.")
            return redirect(module)
        target = max(0, min(target, len(items) - 1))
        if not module.claim(form.cleaned_data["version"]):
            return refuse_stale(request, module)
        moving = items.pop(index)
        items.insert(target, moving)
        for order, item in enumerate(items, start=1):
            item.order = order
        ModuleItem.objects.bulk_update(items, ["order"])
        caching.changed()  # bulk_update sends no signals: a public module's page changed
    messages.success(
        request,
        f"Moved “{moving.current_title or moving.get_kind_display()}” to place {target + 1} "
        f"of {len(items)}.",
    )
    return redirect(f"{module.get_absolute_url()}#item-{moving.pk}")


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    module = editable(request, pk)
    item = get_object_or_404(module.items.all(), pk=item_pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(module)
    with transaction.atomic():
        if not module.claim(form.cleaned_data["version"]):
            return refuse_stale(request, module)
        item.delete()
    messages.success(request, f"Removed “{item.title or item.get_kind_display()}”.")
    return redirect(f"{module.get_absolute_url()}#items-heading")


# Adding from a guide, tool or glossary term page ------------------------------------


@login_required
@require_POST
def add_from_page(request: HttpRequest) -> HttpResponse:
    """ "Add to module" on a content page. Adding at the end cannot overwrite anyone's
    change, so it needs no version: it moves the version on, so that a module page
    opened before it has to be reloaded before its next change."""
    if not Module.can_build(request.user):
        raise refused(why_not_edit(request, Module()))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("training:list")
    form = AddToModuleForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(back)
    kind, target = form.cleaned_data["item"]
    module = form.cleaned_data["module"]
    if module == AddToModuleForm.NEW:
        value = request.POST["item"].strip()
        return redirect(f"{reverse('training:new')}?{urlencode({'add': value})}")
    with transaction.atomic():
        if module.items.count() >= MAX_MODULE_ITEMS:
            messages.error(request, FULL)
            return redirect(back)
        item = _add_item(module, kind, target)
        module.touch()
    messages.success(request, f"Added “{item.title}” to your module “{module.title}”.")
    return redirect(back)


# Whole modules: duplicate, share, delete -------------------------------------------------


@login_required
@require_POST
def module_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    module = readable(request, pk)
    if not Module.can_build(request.user):
        raise refused(why_not_edit(request, module), module)
    with transaction.atomic():
        copy = module.duplicate(request.user, participants_only=not shows_trainer(request, module))
    messages.success(
        request,
        f"This is your own copy of “{module.title}”, with all its items. It is private "
        "until you share it: change anything you like.",
    )
    return redirect(copy)


@login_required
@require_POST
def module_share(request: HttpRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(Module.objects.visible_to(request.user), pk=pk)
    if not module.can_manage(request.user):
        raise refused("Only the module's owner can change who can see it.", module)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(module)
    with transaction.atomic():
        if not module.claim(form.cleaned_data["version"]):
            return refuse_stale(request, module)
        leaving_link = (
            module.visibility == ModuleVisibility.LINK
            and form.cleaned_data["visibility"] != ModuleVisibility.LINK
        )
        module.visibility = form.cleaned_data["visibility"]
        fields = ["visibility", "version"]
        # A link once withdrawn stays dead: sharing by link again makes a new one.
        if form.cleaned_data["new_link"] or leaving_link:
            module.share_token = new_share_token()
            fields.append("share_token")
        module.save(update_fields=fields)
    text = {
        ModuleVisibility.PRIVATE: "The module is now private: only you can see it.",
        ModuleVisibility.STAFF: "The module is now shared with all signed-in staff. They "
        "can read it and make their own copy, but not change yours.",
        ModuleVisibility.LINK: "The module is now public: anyone with the link can read it "
        "and print the participant's edition.",
    }[module.visibility]
    if form.cleaned_data["new_link"]:
        text += " A new link has been made: the old one no longer works."
    messages.success(request, text)
    return redirect(f"{module.get_absolute_url()}#sharing-heading")


@login_required
@require_http_methods(["GET", "POST"])
def module_delete(request: HttpRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(Module.objects.visible_to(request.user), pk=pk)
    if not module.can_manage(request.user):
        raise refused("Only the module's owner can delete it.", module)
    if request.method == "POST":
        form = VersionForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                if not module.claim(form.cleaned_data["version"]):
                    return refuse_stale(request, module)
                module.delete()
            messages.success(request, f"The module “{module.title}” has been deleted.")
            return redirect("training:list")
    return render(
        request,
        "training/confirm_delete.html",
        {"module": module, "form": VersionForm(initial={"version": module.version})},
    )
