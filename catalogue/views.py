"""The public catalogue: thin generic views over the models' QuerySet methods."""

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from catalogue.filters import JobFilter, TrainingFilter
from catalogue.models import (
    ROME_ATTRIBUTION,
    AccessLevel,
    Interest,
    Job,
    JobSlugRedirect,
    PublicationStatus,
    RelatedJob,
    Training,
)
from catalogue.search import SearchHit, search_jobs
from catalogue.services.cache import catalogue_version
from catalogue.services.failed_searches import normalise_search, record_failed_search
from catalogue.text import fold

LATEST_JOBS_ON_HOME = 6


def interests_with_job_counts() -> QuerySet[Interest]:
    """Interests annotated with `job_count`, their number of published jobs, in one query."""
    published = Q(jobs__publication_status=PublicationStatus.PUBLISHED, jobs__withdrawn_at__isnull=True)
    # GROUP BY queries drop Meta.ordering; ONISEP capitalises some labels only, hence Lower().
    return Interest.objects.annotate(job_count=Count("jobs", filter=published)).order_by(Lower("name"), "pk")


def withdrawn_jobs() -> QuerySet[Job]:
    """Published jobs that ONISEP withdrew: their address answers 410 Gone with their related jobs."""
    return Job.objects.filter(
        publication_status=PublicationStatus.PUBLISHED, withdrawn_at__isnull=False
    ).prefetch_related(
        Prefetch("related_links", queryset=RelatedJob.objects.select_related("target").order_by("position", "pk"))
    )


class FriendlyPaginationMixin:
    """Pages of `CATALOGUE_PAGE_SIZE`; a malformed page number shows the first page, one out of range the last.

    A shared or hand-edited address always lands on a page of results rather than an error.
    """

    def get_paginate_by(self, queryset) -> int:
        return settings.CATALOGUE_PAGE_SIZE

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(), allow_empty_first_page=self.get_allow_empty()
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_range"] = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
        return context


class HomeView(TemplateView):
    template_name = "catalogue/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            job_count=Job.objects.published().count(),
            training_count=Training.objects.published().count(),
            interests=interests_with_job_counts(),
            levels=AccessLevel.objects.exclude(rank=None),
            latest_jobs=Job.objects.published().for_listing().order_by("-updated_at", "-pk")[:LATEST_JOBS_ON_HOME],
            **kwargs,
        )


class RankedResults(Sequence):
    """Search results in relevance order, for the paginator: one query for the ids, one per page.

    `result` is the filtered queryset; `hits` the ranked search hits. When several interests are
    chosen, jobs matching more of them come first among equally relevant ones.
    """

    def __init__(self, hits: list[SearchHit], result: QuerySet[Job], *, by_interests: bool):
        if by_interests:
            matched = dict(result.order_by().values_list("pk", "matched_interests"))
        else:
            matched = dict.fromkeys(result.order_by().values_list("pk", flat=True), 0)
        ranked = [(index, hit) for index, hit in enumerate(hits) if hit.job_id in matched]
        ranked.sort(key=lambda pair: (pair[1].tier, -matched[pair[1].job_id], pair[0]))
        self.hits = [hit for _index, hit in ranked]
        self.result = result

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        hits = self.hits[index]
        jobs = self.result.order_by().in_bulk([hit.job_id for hit in hits])
        return [decorate(jobs[hit.job_id], hit) for hit in hits if hit.job_id in jobs]


def decorate(job: Job, hit: SearchHit) -> Job:
    """What a result card shows of the search: the gendered form typed, "trouvé via"."""
    if hit.gender == "feminine" and job.feminine_name:
        job.shown_name = job.feminine_name
    elif hit.gender == "masculine" and job.masculine_name:
        job.shown_name = job.masculine_name
    else:
        job.shown_name = job.name
    job.found_via = hit.found_via
    job.found_via_rome = hit.found_via_rome
    job.found_in_text = hit.found_in_text
    return job


class JobListView(FriendlyPaginationMixin, FilterView):
    """The published jobs, searched and filtered; searches that found nothing are counted.

    A search counts as failed when its words found no published job at all, whatever the other
    filters: that is what counsellors can fix, by adding the words as a search-only appellation of
    a job. A search that found jobs which the filters then excluded ("boulanger" at bac + 5) is not
    counted: the words were understood, and an appellation would change nothing. Only anonymous
    visitors' GET requests count (students, not counsellors trying the search, nor HEAD probes).
    The response carries the term in `failed_search`, for the page cache to count it again each
    time it serves the page (see catalogue.middleware.PageCacheMiddleware).
    """

    filterset_class = JobFilter
    template_name = "catalogue/job_list.html"
    # Criteria that cannot be applied are left out (and explained): the list never turns empty for a typo.
    strict = False

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.published().for_listing()

    def get(self, request, *args, **kwargs) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        term = self.failed_search_term()
        if term:
            record_failed_search(term)
            response.failed_search = term
        return response

    def failed_search_term(self) -> str:
        """The normalised words of a search that found no published job, or ""."""
        if self.request.method != "GET" or self.request.user.is_authenticated:
            return ""
        if self.filterset.hits is None or self.filterset.hits:  # no words, or words that found jobs
            return ""
        return normalise_search(self.filterset.cleaned.get("q"))

    def paginate_queryset(self, queryset, page_size):
        hits = self.filterset.hits
        sort = self.filterset.cleaned.get("sort") or ""
        if hits is not None and sort in ("", "relevance"):
            queryset = RankedResults(hits, queryset, by_interests=len(self.filterset.selected_interests) > 1)
        return super().paginate_queryset(queryset, page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        facets = self.filterset.facets(result_count=context["paginator"].count)
        context.update(
            facets=facets.options,
            rescue_links=self.filterset.rescue_links(facets),
            interest_total=len(self.filterset.selected_interests),
            rome_attribution=ROME_ATTRIBUTION,
        )
        return context


SUGGESTIONS = 8
SUGGESTIONS_CACHE_SECONDS = 60


def job_suggestions(request: HttpRequest) -> JsonResponse:
    """Up to 8 jobs for what the student is typing, as JSON: title shown, "trouvé via", address.

    Never counted as a failed search: these are keystrokes, not searches.

    Six queries at most (the search without texts, then the jobs); answers are cached briefly, under
    the catalogue version so that an edit or an unpublished job shows at once.
    """
    query = request.GET.get("q", "")[:100]
    folded = fold(query)
    if len(folded.replace(" ", "")) < 2:
        suggestions = []
    else:
        key = f"suggestions:{catalogue_version()}:" + hashlib.sha256(folded.encode()).hexdigest()
        suggestions = cache.get(key)
        if suggestions is None:
            hits = search_jobs(query, texts=False)[:SUGGESTIONS]
            jobs = (
                Job.objects.published()
                .only("name", "slug", "feminine_name", "masculine_name")
                .in_bulk([hit.job_id for hit in hits])
            )
            suggestions = []
            for hit in hits:
                if hit.job_id in jobs:
                    job = decorate(jobs[hit.job_id], hit)
                    suggestions.append(
                        {"title": job.shown_name, "found_via": job.found_via, "url": job.get_absolute_url()}
                    )
            cache.set(key, suggestions, SUGGESTIONS_CACHE_SECONDS)
    response = JsonResponse({"query": query, "suggestions": suggestions})
    patch_cache_control(response, public=True, max_age=SUGGESTIONS_CACHE_SECONDS)
    return response


class JobDetailView(DetailView):
    context_object_name = "job"

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.visible_to(self.request.user).for_detail()

    def get(self, request, *args, **kwargs) -> HttpResponse:
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            slug = kwargs["slug"]
            withdrawn = withdrawn_jobs().filter(slug=slug).first()
            if withdrawn is not None:
                return TemplateResponse(request, "catalogue/job_withdrawn.html", {"job": withdrawn}, status=410)
            redirect = JobSlugRedirect.objects.select_related("job").filter(old_slug=slug).first()
            if redirect is not None:
                return HttpResponsePermanentRedirect(redirect.job.get_absolute_url())
            raise


class TrainingListView(FriendlyPaginationMixin, FilterView):
    filterset_class = TrainingFilter
    template_name = "catalogue/training_list.html"
    strict = False

    def get_queryset(self) -> QuerySet[Training]:
        return Training.objects.published().for_listing()


class TrainingDetailView(DetailView):
    context_object_name = "training"

    def get_queryset(self) -> QuerySet[Training]:
        # Staff preview drafts and trainings in review ("Voir sur le site"); students see published ones.
        return Training.objects.visible_to(self.request.user).for_detail()

    def get_context_data(self, **kwargs):
        return super().get_context_data(jobs=self.object.jobs.published().for_listing(), **kwargs)


class InterestListView(ListView):
    template_name = "catalogue/interest_list.html"
    context_object_name = "interests"

    def get_queryset(self) -> QuerySet[Interest]:
        return interests_with_job_counts()


class InterestDetailView(FriendlyPaginationMixin, SingleObjectMixin, ListView):
    """An interest and its published jobs, page by page."""

    template_name = "catalogue/interest_detail.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.object = self.get_object(queryset=Interest.objects.all())
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Job]:
        return self.object.jobs.published().for_listing()
