from django.urls import path

from . import questions, selfservice, views, waiting

app_name = "booking"

urlpatterns = [
    path("", views.start, name="start"),
    path("bevestiging/<str:token>/", selfservice.confirmation, name="confirmation"),
    path("beheer/<str:token>/", selfservice.manage, name="manage"),
    path("beheer/<str:token>/kennismaking.ics", selfservice.ics, name="ics"),
    path("beheer/<str:token>/afzeggen/", selfservice.cancel, name="cancel"),
    path("beheer/<str:token>/verzetten/<slug:kind_slug>/", selfservice.reschedule_choose, name="reschedule_choose"),
    path(
        "beheer/<str:token>/verzetten/<slug:kind_slug>/<str:slot>/",
        selfservice.reschedule_confirm,
        name="reschedule_confirm",
    ),
    path("wachtlijst/", waiting.join, name="waiting_join"),
    path("wachtlijst/aangemeld/", waiting.joined, name="waiting_joined"),
    path("wachtlijst/bevestigen/<str:token>/", waiting.confirm, name="waiting_confirm"),
    path("wachtlijst/bevestigd/", waiting.confirmed, name="waiting_confirmed"),
    path("wachtlijst/tijd/<str:token>/", waiting.hold, name="waiting_hold"),
    path("wachtlijst/afmelden/<str:token>/", waiting.leave, name="waiting_leave"),
    path("vraag/", questions.ask, name="question"),
    path("vraag/verstuurd/", questions.sent, name="question_sent"),
    path("<slug:kind_slug>/", views.choose, name="choose"),
    path("<slug:kind_slug>/<str:slot>/", views.details, name="details"),
]
