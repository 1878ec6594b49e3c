// Package web is tocsin's browser UI: server-rendered pages (html/template) with a little
// plain JavaScript on top, mounted at /ui/. It owns sessions, CSRF checks, templates and
// the embedded static files (app.css, app.js and a vendored, pinned uPlot 1.6.32 under
// static/vendor/uplot with its LICENSE); go build needs no Node.
//
// It must not import internal/server: the server hands it narrow interfaces and
// functions in Options (the alarm engine, the state store, the notifier, the metric
// store, token verification). Domain rules stay in their packages; the UI only checks
// what a form says before calling them.
//
// Security: a page needs a session (cookie tocsin_session: a random id, HttpOnly,
// SameSite=Lax, Secure under TLS or an https public_url; 12 h; the token is re-checked
// on every request) unless Options.AnonymousRead. Every POST needs the session's CSRF
// token (hidden field "csrf") and passes http.CrossOriginProtection; pages of an
// environment need the token's read scope there, forms its write scope.
//
// Static files are served at /ui/static/HASH/PATH with Cache-Control immutable (the hash
// is of the content, computed at startup); pages are Cache-Control no-cache. Responses
// are gzipped when the client accepts it.
//
// # Stable hooks for browser tests
//
// Layout (every page): skip link a.skip → #main; nav#nav-sections with a#nav-overview,
// a#nav-alarms, a#nav-incidents, a#nav-silences, a#nav-events, a#nav-metrics (when the
// explorer is wired) and a#nav-parity (when parity is) (aria-current="page" on the current);
// nav#env-switcher (links with data-env, aria-current on the current environment);
// #who with button#logout; p#notice (role=status) after a form; p#error (role=alert).
// Auto-refreshed pages have div#live (data-refresh seconds); app.js fetches the page
// with the header X-Tocsin-Live and swaps in the #live element the server returns.
//
//   - Login /ui/login: form#login-form, input#token, button#login-submit.
//   - Overview /ui/: section#env-ENV per environment with strong[data-count=ALARM|OK|
//     INSUFFICIENT_DATA|incidents|silences]; ul.alarming; p#reload-status.
//   - Alarms /ui/env/ENV/alarms?state&q&page&limit: form#alarm-filters (select#f-state,
//     input#f-q); p#alarm-summary; table#alarm-table with tr[data-alarm=NAME][data-state];
//     p#alarm-empty; a#page-prev, a#page-next.
//   - Alarm /ui/env/ENV/alarms/NAME[INSTANCE]?range=1h|3h|24h|7d: h1#alarm-title,
//     #alarm-state, #alarm-flapping, #alarm-reason, dl#alarm-definition, code in
//     #alarm-rule (composites), table#instance-table (templates), nav#chart-ranges,
//     div#alarm-chart with script[data-chart=alarm-chart] (JSON), #chart-error,
//     table#datapoints-table, ul#other-envs li[data-env], ol#alarm-history
//     li[data-type], section#alarm-actions with form#set-state-form (select#set-state,
//     input#set-reason) and a#silence-link.
//   - Incidents /ui/env/ENV/incidents?show=active|all: nav#incident-filter,
//     table#incident-table tr[data-incident=ID][data-state]; p#incident-empty.
//   - Incident /ui/env/ENV/incidents/ID: #incident-state, dl#incident-facts,
//     button#ack-button, button#resolve-button, ol#incident-timeline li[data-kind],
//     table#notification-table tr[data-channel][data-result].
//   - Silences /ui/env/ENV/silences?expired=true&alarm=&dim=K=V: table#silence-table
//     tr[data-silence=ID][data-state] with an Expire button (aria-label "Expire silence
//     ID"); section#new-silence with form#silence-form (input#s-alarm, textarea#s-dims,
//     input#s-duration, input#s-comment, button#silence-submit); p#silence-empty.
//   - Alarm page, backtest (metric alarms; there is no backtest page): section#backtest
//     with pre#backtest-command (the `tocsin backtest` command for the chart's range),
//     button#backtest-copy (hidden without JavaScript) and p#backtest-copied (role=status).
//   - Metrics /ui/env/ENV/metrics?namespace&metric&dim.NAME=VALUE…&stat&period&range:
//     form#metric-form with select#m-namespace and select#m-metric (data-autosubmit:
//     app.js submits on change), fieldset#m-dims with one input[name="dim.NAME"] per
//     dimension (div[data-dim=NAME]; "*" every value, "" left out), input#m-stat,
//     select#m-period (auto or a duration), select#m-range (1h|3h|24h|7d), hidden
//     dims_of, button#m-submit; field errors p#m-stat-error, p#m-period-error next to
//     their fields (aria-invalid, status 400); p#metric-keysets (links per dimension set);
//     a#metric-permalink; div#metric-chart with script[data-chart=metric-chart]
//     ("kind":"lines", one line per series, at most 20); table#metric-series-table
//     tr[data-series="NAME=VALUE, …"]; p#metric-no-series, p#metric-error, p#metric-empty.
//   - Events /ui/env/ENV/events?start&end&source&pattern&before&limit: form#event-search
//     (input#ev-start, input#ev-end: RFC 3339, a UTC date-time or a duration ago such as
//     24h; input#ev-source; textarea#ev-pattern; button#ev-submit); errors
//     p#ev-start-error, p#ev-end-error, p#ev-pattern-error beside their fields (status
//     400); nav#event-ranges; table#event-table tr[data-event=ID] (newest first, rules as
//     span[data-rule]); p#event-empty; a#events-older (cursor before=UNIXNANO.SEQ),
//     a#events-newest; p#event-scan-cut when 100,000 events were searched.
//   - Event /ui/env/ENV/events/ID: h1#event-title, dl#event-facts, ul#event-rules
//     li[data-rule] or p#event-no-rules, a#event-like, pre#event-json.
//   - Parity /ui/parity?show=differences: p#parity-summary with
//     strong[data-count=undeclared|drift]; nav#parity-filter; table#parity-table with
//     th[data-env] per readable environment, tr[data-kind][data-name] (class failing),
//     td[data-env][data-status=same|overridden|excluded|absent|undeclared|drift] holding
//     ul.overrides, p.why (the reason) and p.detail; p#parity-empty; dl#parity-legend.
//   - /ui/environments/ENV/… (the links notifications send) redirects (301) to
//     /ui/env/ENV/….
package web
