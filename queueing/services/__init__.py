"""Everything that changes a ticket or a counter. Each function is one transaction; each
ticket change is a conditional UPDATE from the states it may come from, plus one row
in the append-only TicketEvent log. A refused action raises ApplicationError and
changes nothing.

One module per concern: issue (taking a number), check_in, counters (open/close a
counter, its current ticket), calling (call, recall, start, finish, no-show, park,
transfer, unpark, "your turn is near"), citizen (leave the queue, rate the visit),
day_close, and counter_actions (the one entry point of the console and the API: an
action name and what it names, `counter_act`), shortcuts (each clerk's console keys);
common holds the office's local time and the ticket event log they share.
Import from the module itself; this package re-exports nothing."""
