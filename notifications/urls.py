from django.urls import path

from notifications import pages

app_name = "notifications"
urlpatterns = [
    path("", pages.NotificationListView.as_view(), name="list"),
    path("<int:pk>/read/", pages.NotificationReadView.as_view(), name="read"),
]
