"""Draft -> in review -> published in the admin (placeholder)."""

from django.http import HttpResponse


def review_queue_size(request) -> int:
    return 0


def review_queue_view(request):
    return HttpResponse("File de validation")
