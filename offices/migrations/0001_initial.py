"""The catalog and staff roles, taken over from booking in the migration state only: the
tables booking 0001-0010 created stay, with their rows, under their old names here;
0002 renames them to offices_*."""

import datetime
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('booking', '0010_booking_manage_token_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # State only: the tables stay where they are (offices 0002 renames them).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Office',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('kind', models.CharField(choices=[('immigration', 'Immigration office (passports)'), ('civil_registry', 'Civil registry (Dukcapil)'), ('health_insurance', 'Health insurance (BPJS Kesehatan)'), ('service_mall', 'Public service mall (MPP)'), ('other', 'Other public service')], max_length=20, verbose_name='kind')),
                        ('address', models.TextField(verbose_name='address')),
                        ('province', models.CharField(db_index=True, max_length=100, verbose_name='province')),
                        ('regency', models.CharField(db_index=True, max_length=100, verbose_name='regency or city')),
                        ('latitude', models.DecimalField(decimal_places=6, max_digits=9, validators=[django.core.validators.MinValueValidator(-90), django.core.validators.MaxValueValidator(90)], verbose_name='latitude')),
                        ('longitude', models.DecimalField(decimal_places=6, max_digits=9, validators=[django.core.validators.MinValueValidator(-180), django.core.validators.MaxValueValidator(180)], verbose_name='longitude')),
                        ('timezone', models.CharField(choices=[('Asia/Jakarta', 'WIB (Asia/Jakarta, UTC+7)'), ('Asia/Makassar', 'WITA (Asia/Makassar, UTC+8)'), ('Asia/Jayapura', 'WIT (Asia/Jayapura, UTC+9)')], max_length=32, verbose_name='time zone')),
                        ('phone', models.CharField(blank=True, max_length=32, verbose_name='phone')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='email')),
                        ('website', models.URLField(blank=True, verbose_name='website')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('queue_max_recalls', models.PositiveSmallIntegerField(default=2, help_text='After this many recalls the ticket becomes a no-show.', verbose_name='recalls before a no-show')),
                        ('queue_starvation_minutes', models.PositiveSmallIntegerField(default=45, help_text='A ticket waiting this long is called before appointments and priority groups.', validators=[django.core.validators.MinValueValidator(5)], verbose_name='longest wait before anyone else (minutes)')),
                    ],
                    options={
                        'verbose_name': 'office',
                        'verbose_name_plural': 'offices',
                        'db_table': 'booking_office',
                        'ordering': ['name'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('latitude__gte', -90), ('latitude__lte', 90), ('longitude__gte', -180), ('longitude__lte', 180)), name='office_coordinates_in_range'), models.CheckConstraint(condition=models.Q(('timezone__in', ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'])), name='office_indonesian_zone')],
                    },
                ),
                migrations.CreateModel(
                    name='Service',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='code')),
                        ('name_id', models.CharField(max_length=200, verbose_name='name (Indonesian)')),
                        ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                        ('description_id', models.TextField(blank=True, verbose_name='description (Indonesian)')),
                        ('description_en', models.TextField(blank=True, verbose_name='description (English)')),
                        ('requirements_id', models.TextField(blank=True, help_text='One document per line.', verbose_name='documents to bring (Indonesian)')),
                        ('requirements_en', models.TextField(blank=True, help_text='One document per line.', verbose_name='documents to bring (English)')),
                        ('average_minutes', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(480)], verbose_name='average service minutes')),
                        ('ticket_letter', models.CharField(choices=[('A', 'A'), ('B', 'B'), ('C', 'C'), ('D', 'D'), ('E', 'E'), ('F', 'F'), ('G', 'G'), ('H', 'H'), ('I', 'I'), ('J', 'J'), ('K', 'K'), ('L', 'L'), ('M', 'M'), ('N', 'N'), ('O', 'O'), ('P', 'P'), ('Q', 'Q'), ('R', 'R'), ('S', 'S'), ('T', 'T'), ('U', 'U'), ('V', 'V'), ('W', 'W'), ('X', 'X'), ('Y', 'Y'), ('Z', 'Z')], help_text='Offices may give the service another letter when two would collide.', max_length=1, verbose_name='default ticket letter')),
                        ('accepts_appointments', models.BooleanField(default=True, verbose_name='takes appointments')),
                        ('accepts_walk_ins', models.BooleanField(default=True, verbose_name='takes walk-ins')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'service',
                        'verbose_name_plural': 'services',
                        'db_table': 'booking_service',
                        'ordering': ['code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('accepts_appointments', True), ('accepts_walk_ins', True), _connector='OR'), name='service_takes_someone', violation_error_message='A service must take appointments, walk-ins, or both.'), models.CheckConstraint(condition=models.Q(('average_minutes__gte', 1), ('average_minutes__lte', 480)), name='service_minutes_in_range'), models.CheckConstraint(condition=models.Q(('ticket_letter__in', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z'])), name='service_ticket_letter')],
                    },
                ),
                migrations.CreateModel(
                    name='Closure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_on', models.DateField(verbose_name='first closed day')),
                        ('ends_on', models.DateField(verbose_name='last closed day')),
                        ('reason_id', models.CharField(max_length=200, verbose_name='reason (Indonesian)')),
                        ('reason_en', models.CharField(max_length=200, verbose_name='reason (English)')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='closures', to='offices.office', verbose_name='office')),
                    ],
                    options={
                        'verbose_name': 'closure',
                        'verbose_name_plural': 'closures',
                        'db_table': 'booking_closure',
                        'ordering': ['starts_on'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='closure_ends_after_start', violation_error_message='The last closed day must not come before the first.')],
                    },
                ),
                migrations.CreateModel(
                    name='OpeningHours',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], verbose_name='weekday')),
                        ('opens_at', models.TimeField(verbose_name='opens at')),
                        ('closes_at', models.TimeField(verbose_name='closes at')),
                        ('break_starts_at', models.TimeField(blank=True, null=True, verbose_name='break starts')),
                        ('break_ends_at', models.TimeField(blank=True, null=True, verbose_name='break ends')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='opening_hours', to='offices.office', verbose_name='office')),
                    ],
                    options={
                        'verbose_name': 'opening hours',
                        'verbose_name_plural': 'opening hours',
                        'db_table': 'booking_openinghours',
                        'ordering': ['office__name', 'weekday'],
                        'constraints': [models.UniqueConstraint(fields=('office', 'weekday'), name='opening_hours_once'), models.CheckConstraint(condition=models.Q(('weekday__gte', 0), ('weekday__lte', 6)), name='opening_hours_weekday'), models.CheckConstraint(condition=models.Q(('closes_at__gt', models.F('opens_at'))), name='opening_hours_close_after_open', violation_error_message='The office must close after it opens.'), models.CheckConstraint(condition=models.Q(models.Q(('break_ends_at__isnull', True), ('break_starts_at__isnull', True)), models.Q(('break_ends_at__gt', models.F('break_starts_at')), ('break_ends_at__isnull', False), ('break_ends_at__lt', models.F('closes_at')), ('break_starts_at__gt', models.F('opens_at')), ('break_starts_at__isnull', False)), _connector='OR'), name='opening_hours_break_inside', violation_error_message='A break needs both a start and an end, inside the opening hours.')],
                    },
                ),
                migrations.CreateModel(
                    name='OfficeService',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('ticket_letter', models.CharField(blank=True, choices=[('A', 'A'), ('B', 'B'), ('C', 'C'), ('D', 'D'), ('E', 'E'), ('F', 'F'), ('G', 'G'), ('H', 'H'), ('I', 'I'), ('J', 'J'), ('K', 'K'), ('L', 'L'), ('M', 'M'), ('N', 'N'), ('O', 'O'), ('P', 'P'), ('Q', 'Q'), ('R', 'R'), ('S', 'S'), ('T', 'T'), ('U', 'U'), ('V', 'V'), ('W', 'W'), ('X', 'X'), ('Y', 'Y'), ('Z', 'Z')], help_text="Leave empty to use the service's default letter.", max_length=1, verbose_name='ticket letter')),
                        ('duration_minutes', models.PositiveSmallIntegerField(blank=True, help_text="Leave empty to use the service's average.", null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(480)], verbose_name='service minutes here')),
                        ('booking_opens_days_ahead', models.PositiveSmallIntegerField(default=1, help_text='1 means citizens can book from tomorrow.', verbose_name='earliest booking (days ahead)')),
                        ('booking_window_days', models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(366)], verbose_name='latest booking (days ahead)')),
                        ('slot_minutes', models.PositiveSmallIntegerField(default=30, help_text='Citizens choose a time in steps of this length.', validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(240)], verbose_name='slot length (minutes)')),
                        ('release_time', models.TimeField(default=datetime.time(0, 0), help_text='A new day opens for booking at this local time, e.g. 08:00 for a daily quota release.', verbose_name='quota release time')),
                        ('min_notice_minutes', models.PositiveIntegerField(default=60, help_text='No booking for a slot starting sooner.', verbose_name='minimum notice (minutes)')),
                        ('walk_in_reserve_percent', models.PositiveSmallIntegerField(default=20, help_text='Share of counter time not offered for appointments: walk-ins and priority groups.', validators=[django.core.validators.MaxValueValidator(100)], verbose_name='capacity kept for walk-ins (%)')),
                        ('target_share_percent', models.PositiveSmallIntegerField(default=80, help_text='The planner staffs walk-ins so that this share is called in time.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(99)], verbose_name='walk-ins called in time (%)')),
                        ('target_wait_minutes', models.PositiveSmallIntegerField(default=15, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(240)], verbose_name='in time means within (minutes)')),
                        ('change_until_days_before', models.PositiveSmallIntegerField(default=1, help_text='1 = cancel or reschedule until the day before (H-1).', verbose_name='changes allowed until (days before)')),
                        ('max_reschedules', models.PositiveSmallIntegerField(default=1, verbose_name='reschedules allowed')),
                        ('checkin_opens_minutes', models.PositiveSmallIntegerField(default=30, verbose_name='check-in opens (minutes before)')),
                        ('checkin_closes_minutes', models.PositiveSmallIntegerField(default=15, verbose_name='check-in closes (minutes after the start)')),
                        ('late_arrival', models.CharField(choices=[('walk_in', 'becomes a walk-in'), ('refuse', 'is refused')], default='walk_in', max_length=8, verbose_name='late arrival')),
                        ('remote_walk_in', models.BooleanField(default=True, help_text='Citizens may take a number before arriving.', verbose_name='same-day numbers from a phone')),
                        ('walk_in_daily_quota', models.PositiveIntegerField(default=0, help_text='0 means no limit.', verbose_name='walk-in numbers per day')),
                        ('cancel_release_minutes', models.PositiveIntegerField(default=0, help_text='A short delay makes trading slots through cancellations harder.', verbose_name='release a cancelled slot after (minutes)')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='office_services', to='offices.office', verbose_name='office')),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='office_services', to='offices.service', verbose_name='service')),
                    ],
                    options={
                        'verbose_name': 'service offered',
                        'verbose_name_plural': 'services offered',
                        'db_table': 'booking_officeservice',
                        'ordering': ['office__name', 'ticket_letter'],
                        'constraints': [models.UniqueConstraint(fields=('office', 'service'), name='office_service_once'), models.UniqueConstraint(fields=('office', 'ticket_letter'), name='office_ticket_letter_once', violation_error_message='Another service in this office has this letter.'), models.CheckConstraint(condition=models.Q(('ticket_letter__in', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z'])), name='office_service_letter'), models.CheckConstraint(condition=models.Q(('walk_in_reserve_percent__lte', 100)), name='office_service_reserve_percent'), models.CheckConstraint(condition=models.Q(('booking_window_days__gte', models.F('booking_opens_days_ahead'))), name='office_service_window_after_opening', violation_error_message='The latest booking day must not come before the earliest.')],
                    },
                ),
                migrations.CreateModel(
                    name='Counter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='number')),
                        ('name', models.CharField(blank=True, max_length=60, verbose_name='name')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='counters', to='offices.office', verbose_name='office')),
                        ('services', models.ManyToManyField(blank=True, related_name='counters', to='offices.service', verbose_name='services it can serve')),
                    ],
                    options={
                        'verbose_name': 'counter',
                        'verbose_name_plural': 'counters',
                        'db_table': 'booking_counter',
                        'ordering': ['office__name', 'number'],
                        'constraints': [models.UniqueConstraint(fields=('office', 'number'), name='counter_number_once'), models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='counter_number_positive')],
                    },
                ),
                migrations.CreateModel(
                    name='StaffMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('clerk', 'Counter staff'), ('supervisor', 'Supervisor'), ('administrator', 'Office administrator')], max_length=20, verbose_name='role')),
                        ('office', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='offices.office', verbose_name='office')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'staff membership',
                        'verbose_name_plural': 'staff memberships',
                        'db_table': 'booking_staffmembership',
                        'ordering': ['office__name', 'user__username'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'office'), name='membership_once_per_office', violation_error_message='This person already has a role in this office.'), models.CheckConstraint(condition=models.Q(('role__in', ['clerk', 'supervisor', 'administrator'])), name='membership_known_role')],
                    },
                ),
            ],
        ),
    ]
