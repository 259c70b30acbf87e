from django.urls import path

from steward.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("decisions/", views.decisions, name="decisions"),
    path("rules/", views.rules, name="rules"),
    path("report/", views.consistency_report, name="report"),
    path("comments/<int:pk>/", views.comment_detail, name="comment_detail"),
    path("comments/<int:pk>/decide/", views.comment_decide, name="comment_decide"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("decisions/<int:decision_pk>/block/", views.block_propose, name="block_propose"),
    path("blocks/", views.blocks, name="blocks"),
    path("blocks/<int:pk>/decide/", views.block_decide, name="block_decide"),
    path("blocks/<int:pk>/lift/", views.block_lift, name="block_lift"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/review/", views.appeal_review, name="appeal_review"),
    path("appeal/<str:token>/", views.appeal_public, name="appeal_public"),
]
