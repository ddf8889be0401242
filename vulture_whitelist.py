"""Vulture whitelist: names vulture reports as unused that are used, by a framework or
by name. Only true false positives belong here, grouped under a comment saying why they
are used; unused code is deleted instead. The one exception is the last group: unused
code in files other engineers are changing right now, to delete once that work is
merged. Checked by `make deadcode` (part of `make test`). `.venv/bin/vulture
--make-whitelist` prints candidates; add only names that are really used."""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations


# Settings: Django, DRF, Celery and app settings are read by name through django.conf.settings (also when tests override them).
ALLOWED_HOSTS  # config/settings.py
CSRF_TRUSTED_ORIGINS  # config/settings.py
INSTALLED_APPS  # config/settings.py
MIDDLEWARE  # config/settings.py
ROOT_URLCONF  # config/settings.py
WSGI_APPLICATION  # config/settings.py
ASGI_APPLICATION  # config/settings.py
DEFAULT_AUTO_FIELD  # config/settings.py
SILENCED_SYSTEM_CHECKS  # config/settings.py
RATELIMIT_VIEW  # config/settings.py
CELERY_TASK_ACKS_LATE  # config/settings.py
CELERY_TASK_REJECT_ON_WORKER_LOST  # config/settings.py
CELERY_WORKER_PREFETCH_MULTIPLIER  # config/settings.py
CELERY_TASK_IGNORE_RESULT  # config/settings.py
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP  # config/settings.py
CELERY_TIMEZONE  # config/settings.py
AUTHENTICATION_BACKENDS  # config/settings.py
AUTH_PASSWORD_VALIDATORS  # config/settings.py
LOGIN_URL  # config/settings.py
LOGOUT_REDIRECT_URL  # config/settings.py
AXES_FAILURE_LIMIT  # config/settings.py
AXES_COOLOFF_TIME  # config/settings.py
AXES_LOCKOUT_PARAMETERS  # config/settings.py
AXES_RESET_ON_SUCCESS  # config/settings.py
AXES_LOCKOUT_TEMPLATE  # config/settings.py
AXES_CLIENT_IP_CALLABLE  # config/settings.py
AXES_VERBOSE  # config/settings.py
OTP_TOTP_ISSUER  # config/settings.py
OTP_WEBAUTHN_RP_NAME  # config/settings.py
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN  # config/settings.py
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME  # config/settings.py
LOCALE_PATHS  # config/settings.py
USE_I18N  # config/settings.py
USE_TZ  # config/settings.py
TIME_ZONE  # config/settings.py
STATIC_URL  # config/settings.py
STATICFILES_DIRS  # config/settings.py
WHITENOISE_USE_FINDERS  # config/settings.py
WHITENOISE_ROOT  # config/settings.py
SECURE_SSL_REDIRECT  # config/settings.py
SECURE_REDIRECT_EXEMPT  # config/settings.py
CSRF_COOKIE_SECURE  # config/settings.py
SECURE_HSTS_SECONDS  # config/settings.py
SECURE_HSTS_INCLUDE_SUBDOMAINS  # config/settings.py
SECURE_HSTS_PRELOAD  # config/settings.py
SECURE_CONTENT_TYPE_NOSNIFF  # config/settings.py
SECURE_REFERRER_POLICY  # config/settings.py
X_FRAME_OPTIONS  # config/settings.py
SESSION_COOKIE_HTTPONLY  # config/settings.py
CONTENT_SECURITY_POLICY  # config/settings.py
SECURE_PROXY_SSL_HEADER  # config/settings.py
EMAIL_BACKEND  # config/settings.py
EMAIL_HOST  # config/settings.py
EMAIL_PORT  # config/settings.py
EMAIL_HOST_USER  # config/settings.py
EMAIL_HOST_PASSWORD  # config/settings.py
EMAIL_USE_TLS  # config/settings.py
EMAIL_FILE_PATH  # config/settings.py
SERVER_EMAIL  # config/settings.py
AUDITLOG_DISABLE_REMOTE_ADDR  # config/settings.py
GILIRAN_RETENTION_DATA_REQUEST_DAYS  # config/settings.py
GILIRAN_RETENTION_COMPLAINT_DAYS  # config/settings.py
REST_FRAMEWORK  # config/settings.py
SPECTACULAR_SETTINGS  # config/settings.py
LOGGING  # config/settings.py
OTP_WEBAUTHN_RP_ID  # config/settings.py
OTP_WEBAUTHN_ALLOWED_ORIGINS  # config/settings.py
GILIRAN_RETENTION_WAITLIST_DAYS  # config/settings.py
GILIRAN_RETENTION_MESSAGE_DAYS  # config/settings.py
GILIRAN_RETENTION_SECURITY_LOG_DAYS  # config/settings.py
GILIRAN_RETENTION_AUDIT_DAYS  # config/settings.py
_.GILIRAN_RETENTION_AUDIT_DAYS  # tests/audit/test_audit_retention.py
_.GILIRAN_RETENTION_MESSAGE_DAYS  # tests/booking/test_privacy_pages.py, tests/core/test_retention.py
_.OTP_WEBAUTHN_RP_ID  # tests/browser/test_two_factor.py
_.OTP_WEBAUTHN_ALLOWED_ORIGINS  # tests/browser/test_two_factor.py
_.PASSWORD_HASHERS  # tests/conftest.py
_.EMAIL_BACKEND  # tests/conftest.py
_.SECURE_SSL_REDIRECT  # tests/conftest.py
_.task_always_eager  # tests/conftest.py, tests/notifications/test_delivery_faults.py
_.task_eager_propagates  # tests/conftest.py
_.GILIRAN_RETENTION_WAITLIST_DAYS  # tests/core/test_retention.py

# AppConfig classes and ready(): Django loads them from INSTALLED_APPS; ready() imports modules for their registrations.
AnticaloConfig  # anticalo/apps.py
AssistantConfig  # assistant/apps.py
AuditConfig  # audit/apps.py
_.ready  # audit/apps.py, booking/apps.py (+7)
BookingConfig  # booking/apps.py
ReleasesConfig  # releases/apps.py
BallotsConfig  # ballots/apps.py
ComplaintsConfig  # complaints/apps.py
CoreConfig  # core/apps.py
DemoConfig  # demo/apps.py
NotificationsConfig  # notifications/apps.py
OfficesConfig  # offices/apps.py
PrivacyConfig  # privacy/apps.py
ComplaintsConfig  # complaints/apps.py
AssistantConfig  # assistant/apps.py
QueueingConfig  # queueing/apps.py
SchedulingConfig  # scheduling/apps.py
AssistantConfig  # assistant/apps.py
ComplaintsConfig  # complaints/apps.py
TwoFactorConfig  # twofactor/apps.py
signals  # twofactor/apps.py

# Django admin: ModelAdmin classes registered with @admin.register, and the options and hooks the admin reads.
_.has_view_permission  # offices/admin.py
_.has_add_permission  # offices/admin.py
_.has_change_permission  # offices/admin.py
_.has_delete_permission  # offices/admin.py, queueing/admin.py
autocomplete_fields  # offices/admin.py
max_num  # offices/admin.py
filter_horizontal  # offices/admin.py
OfficeAdmin  # offices/admin.py
formfield_overrides  # offices/admin.py
list_display  # booking/admin.py, notifications/admin.py (+2)
list_filter  # booking/admin.py, notifications/admin.py (+2)
search_fields  # booking/admin.py, notifications/admin.py (+2)
prepopulated_fields  # offices/admin.py
inlines  # offices/admin.py
fieldsets  # offices/admin.py
ServiceAdmin  # offices/admin.py
OfficeServiceAdmin  # offices/admin.py
CounterAdmin  # offices/admin.py
OpeningHoursAdmin  # offices/admin.py
ClosureAdmin  # offices/admin.py
date_hierarchy  # booking/admin.py, notifications/admin.py (+2)
StaffMembershipAdmin  # offices/admin.py
_.site_header  # offices/admin.py
_.site_title  # offices/admin.py
_.index_title  # offices/admin.py
_.login_form  # offices/admin.py
SlotAdmin  # booking/admin.py
BookingAdmin  # booking/admin.py
WaitlistEntryAdmin  # booking/admin.py
ComplaintAdmin  # complaints/admin.py
can_delete  # complaints/admin.py (an inline's option)
MessageAdmin  # notifications/admin.py
parameter_name  # notifications/admin.py
_.lookups  # notifications/admin.py
model_admin  # notifications/admin.py
actions  # notifications/admin.py, queueing/admin.py
ServiceRatingAdmin  # queueing/admin.py
KioskDeviceAdmin  # queueing/admin.py
_.get_fields  # queueing/admin.py
_.get_readonly_fields  # queueing/admin.py
_.response_add  # queueing/admin.py
post_url_continue  # queueing/admin.py
_.revoke  # queueing/admin.py

# Models: fields, Meta options and choices members; read by the ORM, migrations, forms, admin and templates.
ordering  # booking/models/booking.py, offices/models/catalog.py (+7)
verbose_name_plural  # booking/models/booking.py, offices/models/catalog.py (+7)
ELDERLY  # booking/models/booking.py
DISABILITY  # booking/models/booking.py
PREGNANT  # booking/models/booking.py
INFANT  # booking/models/booking.py
lookup_failures  # booking/models/booking.py
lookup_locked_until  # booking/models/booking.py
IMMIGRATION  # offices/models/catalog.py
CIVIL_REGISTRY  # offices/models/catalog.py
HEALTH_INSURANCE  # offices/models/catalog.py
SERVICE_MALL  # offices/models/catalog.py
OTHER  # offices/models/catalog.py
website  # offices/models/catalog.py
_.map_url  # offices/models/catalog.py
accepts_walk_ins  # offices/models/catalog.py
remote_walk_in  # offices/models/catalog.py
MONDAY  # offices/models/catalog.py
TUESDAY  # offices/models/catalog.py
WEDNESDAY  # offices/models/catalog.py
FRIDAY  # offices/models/catalog.py
SATURDAY  # offices/models/catalog.py
SUNDAY  # offices/models/catalog.py
SERVICE_DELAY  # complaints/models.py
STAFF_CONDUCT  # complaints/models.py
FACILITIES  # complaints/models.py
INFORMATION  # complaints/models.py
ONLINE_SYSTEM  # complaints/models.py
answered_at  # complaints/models.py, complaints/api.py (a serializer field)
status_label  # complaints/api.py (a serializer field)
CONSENT  # core/data_map.py
VITAL_INTERESTS  # core/data_map.py
WIB  # core/timezones.py
WITA  # core/timezones.py
WIT  # core/timezones.py
resent_from  # notifications/models.py
_.bulk_related_objects  # notifications/relations.py (the deletion collector's hook)
objs  # notifications/relations.py
STARTED  # privacy/models.py
estimate_low_minutes  # queueing/models.py
estimate_high_minutes  # queueing/models.py
PAUSED  # queueing/models.py
changed_at  # queueing/models.py
key_next  # queueing/models.py (ConsoleShortcuts, read by getattr)
key_recall  # queueing/models.py (ConsoleShortcuts, read by getattr)
key_start  # queueing/models.py (ConsoleShortcuts, read by getattr)
key_finish  # queueing/models.py (ConsoleShortcuts, read by getattr)
key_no_show  # queueing/models.py (ConsoleShortcuts, read by getattr)
key_park  # queueing/models.py (ConsoleShortcuts, read by getattr)
key_transfer  # queueing/models.py (ConsoleShortcuts, read by getattr)
key_open  # queueing/models.py (ConsoleShortcuts, read by getattr)
key_pause  # queueing/models.py (ConsoleShortcuts, read by getattr)
planned_at  # scheduling/models.py
_.solver_outcome  # scheduling/models.py

# DRF and drf-spectacular: serializer fields and get_<field> methods, view, parser, pagination and schema options, read by the framework.
next_day_opens_at  # booking/api/booking_serializers.py
distance_km  # booking/api/booking_serializers.py
first_free_day  # booking/api/booking_serializers.py
code_sent_to  # booking/api/booking_serializers.py
_.get_code_sent_to  # booking/api/booking_serializers.py
office_name  # booking/api/booking_serializers.py
service_name  # booking/api/booking_serializers.py
reschedules_left  # booking/api/booking_serializers.py
_.get_zone  # booking/api/booking_serializers.py
_.get_phone  # booking/api/booking_serializers.py
_.get_email  # booking/api/booking_serializers.py
_.get_reschedules_left  # booking/api/booking_serializers.py
_.get_manage_token  # booking/api/booking_serializers.py
_.get_requirements_id  # offices/serializers.py
_.get_requirements_en  # offices/serializers.py
_.get_service_standard  # offices/serializers.py
accepts_walk_ins  # offices/serializers.py
weekday_name  # offices/serializers.py
_.filter_queryset  # offices/api.py
filterset_class  # offices/api.py
lookup_field  # offices/api.py
_.retrieve  # offices/api.py
offer_starts_at  # booking/api/waitlist_views.py
offer_expires_at  # booking/api/waitlist_views.py
_.get_position  # booking/api/waitlist_views.py
algorithm  # core/api/errors.py
difficulty_bits  # core/api/errors.py
wait_seconds  # core/api/errors.py
_.get_fields  # core/api/errors.py
Pagination  # core/api/pagination.py
_.get_limit  # core/api/pagination.py
_.get_offset  # core/api/pagination.py
default_detail  # core/api/parsers.py
LimitedJSONParser  # core/api/parsers.py
media_type  # core/api/parsers.py
LimitedFormParser  # core/api/parsers.py
ErrorDocumentingAutoSchema  # core/api/schema.py
access_token  # privacy/api.py
people_ahead  # queueing/api.py
estimate_low_minutes  # queueing/api.py
estimate_high_minutes  # queueing/api.py
_.get_people_ahead  # queueing/api.py
_.get_estimate_low_minutes  # queueing/api.py
_.get_estimate_high_minutes  # queueing/api.py
authentication_classes  # queueing/api.py
permission_classes  # queueing/api.py

# Views, forms, URL modules and error handlers: read by Django by name (template_name, clean_<field>, app_name, handler400..., RATELIMIT_VIEW).
app_name  # audit/urls.py, twofactor/urls.py
_.clean_since  # audit/views.py
_.clean_until  # audit/views.py
_.clean_priority_group  # queueing/forms.py
template_name  # booking/views/staff.py
redirect_authenticated_user  # booking/views/staff.py
form_class  # offices/views/staff.py
handler400  # config/urls.py
handler404  # config/urls.py
handler500  # config/urls.py
rate_limited  # core/views.py
bad_request  # core/views.py
not_found  # core/views.py
server_error  # core/views.py

# Management commands: Django finds Command by module name and calls add_arguments() and handle(); help is shown by manage.py.
Command  # demo/management/commands/demo_otp_code.py, demo/management/commands/load_demo.py (+3)
help  # demo/management/commands/demo_otp_code.py, demo/management/commands/load_demo.py (+3)
_.add_arguments  # demo/management/commands/demo_otp_code.py, demo/management/commands/load_demo.py (+2)
_.handle  # demo/management/commands/demo_otp_code.py, demo/management/commands/load_demo.py (+3)

# Middleware: listed in MIDDLEWARE; Django calls process_* (arguments named by its protocol), auditlog the _get_remote_* overrides.
AuditMiddleware  # audit/middleware.py
_._get_remote_addr  # audit/middleware.py
_._get_remote_port  # audit/middleware.py
GiliranLocaleMiddleware  # core/middleware.py
ApplicationErrorPageMiddleware  # core/middleware.py
ServerPoolMiddleware  # config/middleware.py
_.process_exception  # core/middleware.py
StaffSessionMiddleware  # twofactor/middleware.py
_.process_view  # twofactor/middleware.py
view_func  # twofactor/middleware.py
view_args  # twofactor/middleware.py
view_kwargs  # twofactor/middleware.py

# Celery tasks and signal handlers: the beat schedule names tasks by string; worker_init/beat_init call the handler.
release_expired_holds  # booking/tasks.py
_make_var_folders  # config/celery.py
outbox_sweep  # notifications/tasks.py
extend_all_plans  # scheduling/tasks.py
plan_all_offices  # scheduling/tasks.py
build_all_facts  # insights/tasks.py

# Callables registered by decorator or named by a dotted string in settings: system checks, signal receivers, auditlog mask, axes client IP.
mask_personal  # audit/registry.py
_.get_additional_data  # audit/registry.py
personal_data_keys  # core/checks.py
app_configs  # core/checks.py
message_gateways  # core/checks.py
axes_client_ip  # core/ratelimit.py
_stamp_sign_in  # twofactor/signals.py

# Read by templates, or by a DRF serializer field of the same name.
_.kind_label  # audit/views.py
_.action_label  # audit/views.py
progress  # templates/staff/plan_day.html (DayPlan.progress)
next_day_opens_at  # booking/selectors/availability.py
distance_km  # booking/selectors/alternatives.py
first_free_day  # booking/selectors/alternatives.py
first_day_to_open  # booking/selectors/availability.py (DaysSummary)
searched_nearby  # templates/booking/book_calendar.html (Alternatives)
nearby_max_km  # templates/booking/book_calendar.html (Alternatives)
colour  # scheduling/selectors.py
explanation  # templates/staff/plan_day.html (DayPlanView.explanation)
fee_note  # templates/offices/service_detail.html (Service.fee_note), offices/serializers.py
_.is_planning  # scheduling/selectors.py

# OR-tools CP-SAT: solver parameters are set as attributes of its parameters message.
_.max_time_in_seconds  # scheduling/solver/cpsat.py
_.num_workers  # scheduling/solver/cpsat.py
_.random_seed  # scheduling/solver/cpsat.py
_.cp_model_presolve  # scheduling/solver/cpsat.py
_.log_search_progress  # scheduling/solver/cpsat.py

# docker/gunicorn.conf.py: gunicorn reads its settings as module globals.
graceful_timeout  # docker/gunicorn.conf.py
keepalive  # docker/gunicorn.conf.py
max_requests_jitter  # docker/gunicorn.conf.py
accesslog  # docker/gunicorn.conf.py
logger_class  # docker/gunicorn.conf.py
proc_name  # docker/gunicorn.conf.py
errorlog  # docker/gunicorn.conf.py
loglevel  # docker/gunicorn.conf.py
worker_tmp_dir  # docker/gunicorn.conf.py
control_socket_disable  # docker/gunicorn.conf.py

# Standard library hooks: http.server and urllib call these by name.
_.redirect_request  # docker/healthcheck.py
protocol_version  # tests/fake_gateway.py
disable_nagle_algorithm  # tests/fake_gateway.py
_.log_message  # tests/fake_gateway.py
_.do_GET  # tests/fake_gateway.py
_.do_POST  # tests/fake_gateway.py
_.daemon_threads  # tests/fake_gateway.py
_.handle_error  # tests/fake_gateway.py

# pytest: hooks, pytestmark, fixtures (autouse, or requested by argument name) and factory_boy Meta options.
pytestmark  # tests/audit/test_audit_erase.py, tests/audit/test_audit_log.py (+74)
_retention_settings  # tests/audit/test_audit_retention.py, tests/core/test_retention.py
_no_rate_limits  # tests/booking/test_capacity_race.py, tests/booking/test_hold_limits_race.py
empty_outbox  # tests/booking/test_capacity_race.py, tests/booking/test_hold_limits_race.py
_limits  # tests/booking/test_challenge.py
_generous_request_limits  # tests/booking/test_hold_limits.py
_fresh_counters  # tests/booking/test_lookup_lockout.py
_budget  # tests/booking/test_message_budget.py
demo_country  # tests/browser/conftest.py, tests/browser/test_audit_log.py (+8)
transactional_db  # tests/browser/conftest.py
_every_hold_challenged  # tests/browser/test_challenge.py
pytest_configure  # tests/conftest.py
pytest_report_header  # tests/conftest.py
pytest_runtest_setup  # tests/conftest.py
_test_settings  # tests/conftest.py
_force_login_passes_two_factor  # tests/conftest.py
latest_schema_restored  # tests/notifications/test_migrations.py, tests/offices/test_migrate_forward.py (usefixtures)
_behind_one_proxy  # tests/core/test_client_ip.py
keys_restored  # tests/core/test_dump_scan.py
django_get_or_create  # tests/factories.py
skip_postgeneration_save  # tests/factories.py
first_name  # tests/factories.py
tasks_leave_this_process  # tests/notifications/test_delivery_faults.py
_latest_schema_after  # tests/notifications/test_migrations.py
_fresh_rate_limits  # tests/privacy/conftest.py
_.raise_request_exception  # tests/queueing/test_form_numbers.py
east_after_closing  # tests/queueing/test_walk_in_hours.py
office_open  # tests/browser/test_office_day.py
redis_cache  # tests/booking/test_availability_cache.py
as_in_production  # tests/booking/test_hot_path_queries.py

# The assistant (issue 13): model fields read by the admin, the inbox and the review list;
# settings read by name.
received_at  # assistant/models.py
labelled_by  # assistant/models.py
labelled_at  # assistant/models.py
GILIRAN_RETENTION_ASSISTANT_DAYS  # config/settings.py
GILIRAN_RETENTION_ASSISTANT_REVIEW_DAYS  # config/settings.py

# The staff inbox and review list: admins registered by decorator, a template tag
# used by name in templates/staff/home.html, a foreign key set by its column.
ConversationAdmin  # assistant/admin.py
ReviewItemAdmin  # assistant/admin.py
handoffs_waiting  # assistant/templatetags/assistant_staff.py
labelled_by_id  # assistant/review.py

# Release moments (issue 14): answer fields the serializers and templates read by name;
# ballot settings of the office-service the ballot app reads.
waiting_room_opens_at  # releases/outlook.py, booking/api/booking_serializers.py
poll_after_seconds  # releases/api.py
BALLOT  # offices/models/catalog.py
ballot_entry_hours  # offices/models/catalog.py
ballot_claim_hours  # offices/models/catalog.py
ballot_priority_percent  # offices/models/catalog.py
room_networks  # anticalo/selectors.py, read by templates/anticalo/report.html
room_devices  # anticalo/selectors.py, read by templates/anticalo/report.html
release_at  # releases/models.py: which release a join was for (admin, data export)
# The ballot (issue 14, part 3): a serializer field, and model fields read by the staff
# page and the admin.
published_url  # ballots/api/views.py (a serializer field)
drawn_at  # ballots/models.py (templates/ballots/staff.html)
draw_position  # ballots/models.py (the waiting list's order; written by the draw)

# Insights (issue 15): the app's config, the open data's serializer fields (named as the
# JSON keys of insights/open_data.py), and when an office day's facts were built.
InsightsConfig  # insights/apps.py
suppressed  # insights/api.py
wait_minutes_median  # insights/api.py
wait_minutes_p90  # insights/api.py
days_with_facts  # insights/api.py
called_within_target_share  # insights/api.py
appointment_places_released  # insights/api.py
appointment_places_booked  # insights/api.py
appointment_no_show_share  # insights/api.py
satisfaction_mean_1_to_5  # insights/api.py
complaints_answered_in_time_share  # insights/api.py
longest_waits  # insights/api.py
shortest_waits  # insights/api.py
min_people  # insights/api.py
built_at  # insights/models.py
busy_month  # tests/insights/test_public_page.py (a fixture used by name)
ikm_25_to_100  # insights/api.py
called_no_show_share  # insights/dashboard.py, read by templates/insights/dashboard.html
decimal  # insights/templatetags/insights_figures.py, a template filter
# The IKM answers, read and written by name as f"ikm_{key}" (queueing/ikm.py ELEMENTS).
ikm_requirements  # queueing/models.py
ikm_procedure  # queueing/models.py
ikm_product  # queueing/models.py
ikm_competence  # queueing/models.py
ikm_complaints  # queueing/models.py
ikm_facilities  # queueing/models.py
