from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("metiers/", views.JobListView.as_view(), name="job-list"),
    path("metiers/suggestions/", views.job_suggestions, name="job-suggestions"),
    path("metiers/<slug:slug>/", views.JobDetailView.as_view(), name="job-detail"),
    path("formations/", views.TrainingListView.as_view(), name="training-list"),
    path("formations/<slug:slug>/", views.TrainingDetailView.as_view(), name="training-detail"),
    path("centres-interet/", views.InterestListView.as_view(), name="interest-list"),
    path("centres-interet/<slug:slug>/", views.InterestDetailView.as_view(), name="interest-detail"),
]
