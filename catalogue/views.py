"""The public catalogue: thin generic views over the models' QuerySet methods."""

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView

from catalogue.filters import JobFilter, TrainingFilter
from catalogue.models import AccessLevel, Interest, Job, JobSlugRedirect, PublicationStatus, RelatedJob, Training

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


class JobListView(FriendlyPaginationMixin, FilterView):
    filterset_class = JobFilter
    template_name = "catalogue/job_list.html"
    # Criteria that cannot be applied are left out (and explained): the list never turns empty for a typo.
    strict = False

    def get_queryset(self) -> QuerySet[Job]:
        return Job.objects.published().for_listing()


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
        return Training.objects.published().for_detail()

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
