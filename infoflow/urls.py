from django.urls import path

from . import views
from .views import delegation as delegation_views
from .views import ontime as ontime_views
from .views import signers as signer_views
from .views import printing as printing_views
from .views import loop as loop_views

app_name = "infoflow"

urlpatterns = [
    path("", views.my_items, name="my-items"),
    path("new/", views.item_create, name="item-create"),
    path("route-preview/", views.route_preview, name="route-preview"),
    path("reviews/", views.review_inbox, name="review-inbox"),
    path("reviews/batch/", signer_views.batch_approve, name="review-batch"),
    path("phrases/", signer_views.phrase_list, name="phrases"),
    path("phrases/<int:phrase_pk>/delete/", signer_views.phrase_delete, name="phrase-delete"),
    path("received/", views.receiver_inbox, name="receiver-inbox"),
    path("incoming/", views.incoming_register, name="incoming-register"),
    path("incoming/new/", views.incoming_create, name="incoming-create"),
    path("delegations/", delegation_views.delegations, name="delegations"),
    path("delegations/<int:delegation_pk>/revoke/", delegation_views.delegation_revoke, name="delegation-revoke"),
    path("ontime/", ontime_views.ontime, name="ontime"),
    path("ontime/export/", ontime_views.ontime_export, name="ontime-export"),
    # Every URL below fetches the item through items_visible_to (404 otherwise).
    path("<int:pk>/", views.item_detail, name="item-detail"),
    path("<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/transmit/", views.transmit, name="transmit"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/chase/", ontime_views.chase, name="chase"),
    path("<int:pk>/attachments/", views.add_attachments, name="attachment-add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.download, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/remove/", views.remove_attachment, name="attachment-remove"),
    path("<int:pk>/attachments/<int:attachment_pk>/preview/", printing_views.attachment_preview,
         name="attachment-preview"),
    path("<int:pk>/print/", printing_views.item_print, name="item-print"),
    path("<int:pk>/print.pdf", printing_views.item_print_pdf, name="item-print-pdf"),
    path("<int:pk>/steps/<int:step_pk>/take/", views.take, name="take"),
    path("<int:pk>/steps/<int:step_pk>/review/", views.review, name="review"),
    path("<int:pk>/steps/<int:step_pk>/signers/", signer_views.add_signer, name="signers"),
    path("<int:pk>/steps/<int:step_pk>/transfer/", signer_views.transfer_step, name="transfer"),
    path("<int:pk>/steps/<int:step_pk>/return-to/", signer_views.return_to, name="return-to"),
    path("<int:pk>/signers/<int:change_pk>/remove/", signer_views.remove_signer, name="signer-remove"),
    path("<int:pk>/receivers/<int:receiver_pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/receivers/<int:receiver_pk>/question/", views.question, name="question"),
    path("<int:pk>/receivers/<int:receiver_pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/questions/<int:question_pk>/reply/", views.reply, name="reply"),
    # The closed loop's small operations (issue 19 §8).
    path("<int:pk>/receivers/<int:receiver_pk>/follow-task/", loop_views.follow_task_add, name="follow-task-add"),
    path("<int:pk>/follow-tasks/<int:task_pk>/done/", loop_views.follow_task_done, name="follow-task-done"),
    path("<int:pk>/escalate/", loop_views.escalate, name="escalate"),
    path("<int:pk>/study/", loop_views.study_require, name="study-require"),
    path("<int:pk>/study/<int:confirmation_pk>/confirm/", loop_views.study_confirm, name="study-confirm"),
    path("<int:pk>/transmissions/<int:transmission_pk>/seal/", loop_views.seal_use, name="seal-use"),
]
