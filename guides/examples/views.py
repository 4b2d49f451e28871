"""Local examples: the public list and pages, adding and editing with a preview, and
moderation (submit, publish, return, unpublish, delete), "my examples" and the review
queue.

Who may do what is decided by LocalExample.can_*(); an example a user may not see is a
404, one they may see but not change is a 403. Every change carries the version the
user was looking at, and one based on an older version is refused (nothing is lost).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guides.core import personal
from guides.core.caching import page_cache_params
from guides.core.middleware import shows_oversized_form
from guides.core.permissions import Refused
from guides.examples import notify
from guides.examples.chart_views import attach_pending_chart
from guides.examples.forms import (
    ExampleFilterForm,
    ExampleForm,
    ReturnForm,
    UnpublishForm,
    VersionForm,
)
from guides.examples.models import (
    REVIEW_EXAMPLES,
    ExampleStatus,
    LocalExample,
    LocalExampleQuerySet,
    OrganisationType,
)
from guides.library.models import Guide, Tool

PER_PAGE = 20
MINE_PER_PAGE = 50
_HTML_FIELDS = ("problem_html", "what_was_done_html", "results_html", "lessons_html")
STALE = (
    "Someone else changed this example after you opened it, so nothing was done. "
    "The page now shows the latest version: check it and try again."
)
CONFLICT = (
    "Someone else saved this example after you opened it, so your changes have not been "
    "saved yet. Your text is still in the form below; the version saved now is shown "
    "under “The latest saved version”. Copy anything you need from it, then save again."
)


def _examples_with_links() -> LocalExampleQuerySet:
    return LocalExample.objects.select_related(
        "guide", "author", "reviewed_by", "step_tool"
    ).prefetch_related(Prefetch("tools", queryset=Tool.objects.only("slug", "name")), "tags")


def _refused(message: str, example: LocalExample | None = None) -> Refused:
    """A 403 that says why, with a link back to the example."""
    return Refused(message, back=example, back_label="Back to the example")


def _get_visible(request: HttpRequest, pk: int) -> LocalExample:
    """The example if this user may see it; a 404 otherwise (drafts are not admitted to)."""
    return get_object_or_404(_examples_with_links().visible_to(request.user), pk=pk)


def _detail(
    request: HttpRequest, example: LocalExample, status: int = 200, **forms
) -> HttpResponse:
    user = request.user
    context = {
        "example": example,
        "tools": list(example.tools.all()),
        "tags": list(example.tags.all()),
        "can_edit": example.can_edit(user),
        "can_submit": example.can_submit(user),
        "can_review": example.can_review(user),
        "can_unpublish": example.can_unpublish(user),
        "can_delete": example.can_delete(user),
        "show_private": example.is_author(user)
        or (user.is_authenticated and user.has_perm(REVIEW_EXAMPLES)),
        "version_form": VersionForm(initial={"version": example.version}),
        "return_form": forms.get("return_form")
        or ReturnForm(initial={"version": example.version}, prefix="return"),
        "unpublish_form": forms.get("unpublish_form")
        or UnpublishForm(initial={"version": example.version}, prefix="unpublish"),
    }
    return render(request, "examples/detail.html", context, status=status)


# Browsing ---------------------------------------------------------------------------


@page_cache_params("guide", "section", "setting", "tool", "step", "tag", "page")
@require_safe
def example_list(request: HttpRequest) -> HttpResponse:
    form = ExampleFilterForm(request.GET)
    published = LocalExample.objects.published()
    chosen: dict = {
        "guide": None, "section": "", "setting": "", "tool": None, "step": "", "tag": ""
    }  # fmt: skip
    if form.is_valid():
        chosen = {k: form.cleaned_data[k] for k in chosen}
        examples = published.matching(chosen)
    else:
        examples = published.none()
    examples = (
        examples.newest_first()
        .select_related("guide")
        .prefetch_related(Prefetch("tools", queryset=Tool.objects.only("slug", "name")), "tags")
        .defer("problem", "what_was_done", "results", "lessons", "text", *_HTML_FIELDS)
    )
    page = Paginator(examples, PER_PAGE).get_page(
        form.cleaned_data.get("page") if form.is_valid() else 1
    )
    query = request.GET.copy()
    query.pop("page", None)
    # How many examples each guide, and each section of the chosen guide, has (with the
    # other filters applied): one grouped query each.
    by_guide = dict(
        published.matching(chosen, "guide", "section")
        .order_by()
        .values_list("guide_id")
        .annotate(n=Count("pk", distinct=True))
    )
    guides = list(Guide.objects.only("slug", "number", "title"))
    for guide in guides:
        guide.example_count = by_guide.get(guide.pk, 0)
    sections = []
    if chosen["guide"]:
        by_section = dict(
            published.matching(chosen, "section")
            .order_by()
            .values_list("section_anchor")
            .annotate(n=Count("pk", distinct=True))
        )
        sections = list(chosen["guide"].sections.order_by("order").only("guide", "anchor", "title"))
        for section in sections:
            section.example_count = by_section.get(section.anchor, 0)
    return render(
        request,
        "examples/list.html",
        {
            "form": form,
            "page": page,
            "chosen": chosen,
            "filtered": any(chosen.values()),
            "guides": guides,
            "sections": sections,
            "step": chosen["tool"].step(chosen["step"]) if chosen["tool"] else None,
            "settings": OrganisationType.choices,
            "tools": Tool.objects.only("slug", "name"),
            "page_query": query.urlencode(),
        },
    )


@require_safe
def example_detail(request: HttpRequest, pk: int) -> HttpResponse:
    example = _examples_with_links().visible_to(request.user).filter(pk=pk).first()
    if example is None and not request.user.is_authenticated:
        # Not published, or not there (the same answer either way). An editor following
        # the link in a notification email is offered the way in.
        login = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
        return render(request, "examples/not_found.html", {"login_url": login}, status=404)
    if example is None:
        raise Http404("No such example")
    return _detail(request, example)


# Adding and editing -----------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: ExampleForm, status: int = 200, **context
) -> HttpResponse:
    oversized = getattr(request, "oversized", False)  # set by RequestTooLargeMiddleware
    if oversized:
        status = 413
    return render(
        request,
        "examples/form.html",
        {"form": form, "oversized": oversized, **context},
        status=status,
    )


@shows_oversized_form
@login_required
@require_http_methods(["GET", "POST"])
def example_add(request: HttpRequest) -> HttpResponse:
    if not LocalExample.can_add(request.user):
        raise _refused(
            "Your account cannot add local examples. Ask an administrator to give you the "
            "Facilitators role."
        )
    preview = None
    if "choose_guide" in request.POST:
        form = ExampleForm(initial=_as_sent(request))
    elif request.method == "POST":
        form = ExampleForm(request.POST)
        if form.is_valid():
            if "preview" in request.POST:
                preview = form.preview()
            else:
                example = form.save(commit=False)
                example.author = request.user
                submit = "submit_for_review" in request.POST
                example.status = ExampleStatus.SUBMITTED if submit else ExampleStatus.DRAFT
                with transaction.atomic():
                    example.save()
                    form.save_m2m()
                    attach_pending_chart(request, example)  # from the run chart maker
                    if submit:
                        notify.submitted(request, example)
                messages.success(
                    request,
                    "Your example has been sent to the editors for review."
                    if submit
                    else "Your example has been saved as a draft. Only you and the editors "
                    "can see it until it is published.",
                )
                return redirect(example)
    else:
        initial = {}
        guide = Guide.objects.filter(slug=request.GET.get("guide", "")[:80]).first()
        tool = Tool.objects.filter(slug=request.GET.get("tool", "")[:80]).first()
        if guide:
            initial["guide"] = guide
            section = request.GET.get("section", "")[:100]
            if guide.sections.filter(anchor=section).exists():
                initial["section_anchor"] = section
        if tool:
            initial["tools"] = [tool]
            if not guide:
                initial["guide"] = tool.guides.first()
            step = request.GET.get("step", "")[:100]
            if tool.step(step):
                initial["tool_step"] = f"{tool.slug}#{step}"
        form = ExampleForm(initial=initial)
    return _form_page(
        request, form, preview=preview, adding=True, chose_guide="choose_guide" in request.POST
    )


@shows_oversized_form
@login_required
@require_http_methods(["GET", "POST"])
def example_edit(request: HttpRequest, pk: int) -> HttpResponse:
    example = _get_visible(request, pk)
    if not example.can_edit(request.user):
        raise _refused(_why_not_edit(example), example)
    preview = latest = None
    can_submit = example.can_submit(request.user)
    if "choose_guide" in request.POST:
        form = ExampleForm(initial=_as_sent(request), instance=example)
    elif request.method == "POST":
        form = ExampleForm(request.POST, instance=example)
        if form.is_valid():
            if "preview" in request.POST:
                preview = form.preview()
            else:
                with transaction.atomic():
                    saved = example.claim(form.cleaned_data["based_on_version"])
                    if saved:
                        form.save()
                        if "submit_for_review" in request.POST and can_submit:
                            example.set_status(ExampleStatus.SUBMITTED, by=request.user)
                            notify.submitted(request, example)
                if saved:
                    messages.success(
                        request,
                        "Your changes have been saved and sent for review."
                        if example.status == ExampleStatus.SUBMITTED and can_submit
                        else "Your changes have been saved.",
                    )
                    return redirect(example)
                # A stale copy: keep the user's text, show what is saved now, and base the
                # next save on the latest version.
                latest = _get_visible(request, pk)
                data = request.POST.copy()
                data["based_on_version"] = str(latest.version)
                form = ExampleForm(data, instance=LocalExample.objects.get(pk=pk))
                form.is_valid()
                form.add_error(None, CONFLICT)
    else:
        form = ExampleForm(instance=example)
    return _form_page(
        request,
        form,
        example=example,
        preview=preview,
        latest=latest,
        can_submit=can_submit,
        adding=False,
        chose_guide="choose_guide" in request.POST,
        status=409 if latest else 200,
    )


def _as_sent(request: HttpRequest) -> dict:
    """The form as the user sent it, to show again with the lists of the guide they chose
    (the "Show this guide's sections and tools" button, without JavaScript): nothing is
    saved and nothing they typed is lost."""
    names = [n for n in ExampleForm.base_fields if n != "tools"]
    initial = {n: request.POST[n] for n in names if n in request.POST}
    initial["tools"] = request.POST.getlist("tools")
    return initial


def _why_not_edit(example: LocalExample) -> str:
    if example.status == ExampleStatus.PUBLISHED:
        return (
            "This example is published, so only an editor can change it. Ask an editor to "
            "unpublish it if you need to make changes."
        )
    return "Only the author of this example and the editors can change it."


# Moderation -------------------------------------------------------------------------


def _stale(request: HttpRequest, example: LocalExample) -> HttpResponse:
    messages.error(request, STALE)
    return redirect(example)


def _wrong_state(request: HttpRequest, example: LocalExample, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect(example)


# Who hears of each step by email (guides/examples/notify.py).
_NOTIFY = {
    ExampleStatus.SUBMITTED: notify.submitted,
    ExampleStatus.PUBLISHED: notify.published,
    ExampleStatus.RETURNED: notify.returned,
}


def _change_status(
    request: HttpRequest, example: LocalExample, version: int, status: str, comment: str = ""
) -> bool:
    def change() -> None:
        example.set_status(status, by=request.user, comment=comment)
        _NOTIFY[status](request, example)

    return example.change_if_current(version, change)


@login_required
@require_POST
def example_submit(request: HttpRequest, pk: int) -> HttpResponse:
    example = _get_visible(request, pk)
    if not (example.is_author(request.user) and LocalExample.can_add(request.user)):
        raise _refused("Only the author can send an example for review.", example)
    if not example.can_submit(request.user):
        return _wrong_state(request, example, "This example has already been sent for review.")
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _stale(request, example)
    if not _change_status(request, example, form.cleaned_data["version"], ExampleStatus.SUBMITTED):
        return _stale(request, example)
    messages.success(request, "Your example has been sent to the editors for review.")
    return redirect(example)


def _editor_only(request: HttpRequest, example: LocalExample) -> None:
    if not request.user.has_perm(REVIEW_EXAMPLES):
        raise _refused("Only editors can publish, return or unpublish examples.", example)


@login_required
@require_POST
def example_publish(request: HttpRequest, pk: int) -> HttpResponse:
    example = _get_visible(request, pk)
    _editor_only(request, example)
    if not example.can_review(request.user):
        return _wrong_state(
            request, example, "Only an example waiting for review can be published."
        )
    form = VersionForm(request.POST)
    if not form.is_valid() or not _change_status(
        request, example, form.cleaned_data["version"], ExampleStatus.PUBLISHED
    ):
        return _stale(request, example)
    messages.success(request, "The example is published: everyone can now see it.")
    return redirect(example)


@login_required
@require_POST
def example_return(request: HttpRequest, pk: int) -> HttpResponse:
    example = _get_visible(request, pk)
    _editor_only(request, example)
    if not example.can_review(request.user):
        return _wrong_state(request, example, "Only an example waiting for review can be returned.")
    form = ReturnForm(request.POST, prefix="return")
    if not form.is_valid():
        return _detail(request, example, return_form=form)
    if not _change_status(
        request,
        example,
        form.cleaned_data["version"],
        ExampleStatus.RETURNED,
        form.cleaned_data["comment"],
    ):
        return _stale(request, example)
    messages.success(request, "The example has been returned to its author with your comment.")
    return redirect(example)


@login_required
@require_POST
def example_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    example = _get_visible(request, pk)
    _editor_only(request, example)
    if not example.can_unpublish(request.user):
        return _wrong_state(request, example, "This example is not published.")
    form = UnpublishForm(request.POST, prefix="unpublish")
    if not form.is_valid():
        return _detail(request, example, unpublish_form=form)
    comment = form.cleaned_data["comment"] or "Unpublished by an editor."
    if not _change_status(
        request, example, form.cleaned_data["version"], ExampleStatus.RETURNED, comment
    ):
        return _stale(request, example)
    messages.success(request, "The example is no longer published; it has gone back to its author.")
    return redirect(example)


@login_required
@require_http_methods(["GET", "POST"])
def example_delete(request: HttpRequest, pk: int) -> HttpResponse:
    example = _get_visible(request, pk)
    if not example.can_delete(request.user):
        raise _refused(
            "Only the author (before it is published) and the editors can delete this example.",
            example,
        )
    if request.method == "POST":
        form = VersionForm(request.POST)
        if not form.is_valid():
            return _stale(request, example)
        with transaction.atomic():
            if not example.claim(form.cleaned_data["version"]):
                return _stale(request, example)
            title = example.title
            example.delete()
        messages.success(request, f"The example “{title}” has been deleted.")
        return redirect("examples:mine")
    return render(
        request,
        "examples/confirm_delete.html",
        {"example": example, "version_form": VersionForm(initial={"version": example.version})},
    )


# Lists for staff --------------------------------------------------------------------


@personal.own_shell("page")
@login_required
@require_safe
def my_examples(request: HttpRequest) -> HttpResponse:
    examples = (
        LocalExample.objects.filter(author=request.user)
        .select_related("guide")
        .only(
            "id",
            "title",
            "status",
            "editor_comment",
            "updated_at",
            "published_at",
            "guide__slug",
            "guide__number",
            "guide__title",
        )  # fmt: skip
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(examples, MINE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "examples/mine.html",
        {"page": page, "can_add": LocalExample.can_add(request.user)},
    )


@login_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(REVIEW_EXAMPLES):
        raise _refused("The review queue is for editors.")
    waiting = (
        LocalExample.objects.awaiting_review()
        .select_related("guide", "author")
        .only(
            "id",
            "title",
            "excerpt",
            "updated_at",
            "status",
            "author__username",
            "author__first_name",
            "author__last_name",
            "guide__slug",
            "guide__number",
            "guide__title",
        )  # fmt: skip
    )
    page = Paginator(waiting, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "examples/review.html",
        {"page": page, "list_url": reverse("examples:list")},
    )
