"""The access-control page (docs/ACCESS_CONTROL.md): who holds which role, site and the code-break
permission, and the grant log. The data manager and the PI read it; the data manager changes
blinded accounts here, through edc.services.grants, which refuses whatever the rules forbid."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from edc import roles
from edc.access import allow
from edc.forms.access import AccessChangeForm, NewAccountForm
from edc.models import Site
from edc.selectors import access as selectors
from edc.services import grants
from edc.views.helpers import attach_errors

READERS = {roles.DATA_MANAGER, roles.PRINCIPAL_INVESTIGATOR}


@allow(READERS)
def overview(request):
    return render(request, "edc/access/overview.html", {
        "accounts": selectors.accounts(request.user), "changes": selectors.grant_log(request.user),
        "may_change": grants.may_use_access_page(request.user)})


def _apply(form, user, by) -> None:
    data = form.cleaned_data
    action, reason = data["action"], data["reason"]
    site = Site.objects.filter(code=data.get("site")).first() if data.get("site") else None
    if "site" in action and site is None:
        raise ValidationError({"site": _("Unknown site.")})
    calls = {
        "grant_role": lambda: grants.grant_role(user, data["role"], by=by, reason=reason),
        "revoke_role": lambda: grants.revoke_role(user, data["role"], by=by, reason=reason),
        "grant_site": lambda: grants.grant_site(user, site, by=by, reason=reason),
        "revoke_site": lambda: grants.revoke_site(user, site, by=by, reason=reason),
        "grant_trial_wide_export": lambda: grants.set_trial_wide_export(user, True, by=by, reason=reason),
        "revoke_trial_wide_export": lambda: grants.set_trial_wide_export(user, False, by=by, reason=reason),
        "deactivate": lambda: grants.set_active(user, False, by=by, reason=reason),
        "activate": lambda: grants.set_active(user, True, by=by, reason=reason),
        "set_password": lambda: grants.set_password(user, data["password"], by=by, reason=reason),
    }
    if calls[action]() is None:
        raise ValidationError(_("Nothing to change: the account is already so."))


@allow(READERS)
@require_http_methods(["GET", "POST"])
def account(request, user_pk):
    rows = selectors.accounts(request.user, pk=user_pk)
    if not rows:
        raise Http404
    row = rows[0]
    may_change = grants.may_use_access_page(request.user)
    form = None
    if may_change:
        form = AccessChangeForm(request.POST or None, sites=request.user.sites.all())
    elif request.method == "POST":
        raise PermissionDenied(_("Only a data manager may change access in the application."))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            _apply(form, row.user, request.user)
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
            status = 403
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Saved in the grant log."))
            return redirect("access_account", user_pk=row.user.pk)
    return render(request, "edc/access/account.html", {
        "row": row, "form": form, "changes": selectors.grant_log(request.user, user=row.user)},
        status=status)


@allow({roles.DATA_MANAGER})
@require_http_methods(["GET", "POST"])
def new_account(request):
    sites = request.user.sites.all()
    form = NewAccountForm(request.POST or None, sites=sites)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = grants.create_account(
                by=request.user, username=data["username"], password=data["password"], role=data["role"],
                sites=list(sites.filter(code__in=data["sites"])), reason=data["reason"],
                first_name=data["first_name"], last_name=data["last_name"], email=data["email"])
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
            status = 403
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Account created; the grants are in the grant log."))
            return redirect("access_account", user_pk=user.pk)
    return render(request, "edc/form.html", {"form": form, "title": _("New account")}, status=status)
