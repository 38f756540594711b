from django.http import HttpResponse


def home(request, **kwargs):
    return HttpResponse('home')


def login_view(request, **kwargs):
    return HttpResponse('login_view')


def logout_view(request, **kwargs):
    return HttpResponse('logout_view')


def two_factor_verify(request, **kwargs):
    return HttpResponse('two_factor_verify')


def two_factor_setup(request, **kwargs):
    return HttpResponse('two_factor_setup')


def agency_list(request, **kwargs):
    return HttpResponse('agency_list')


def agency_create(request, **kwargs):
    return HttpResponse('agency_create')


def agency_edit(request, **kwargs):
    return HttpResponse('agency_edit')


def user_list(request, **kwargs):
    return HttpResponse('user_list')


def user_create(request, **kwargs):
    return HttpResponse('user_create')


def user_edit(request, **kwargs):
    return HttpResponse('user_edit')


def membership_end(request, **kwargs):
    return HttpResponse('membership_end')

