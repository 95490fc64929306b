"""The in-app notification inbox (every role)."""
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from edc import roles
from edc.access import allow
from edc.models import Notification
from edc.services.notifications import mark_read


@allow(roles.EVERYONE)
def inbox(request):
    notes = Notification.objects.filter(recipient_user=request.user).order_by("-created_at")[:200]
    return render(request, "edc/inbox.html", {"notes": notes})


@allow(roles.EVERYONE)
@require_POST
def inbox_read(request, notification_pk):
    mark_read(request.user, notification_pk)
    return redirect("inbox")
